//! What the examples share: a BM25 search index and the bundled handbook it searches.
//!
//! This crate also runs the workspace README's examples as doctests (it depends on every
//! crate they use), so the README cannot drift from the API.
#![forbid(unsafe_code)]

pub mod bm25;
pub mod handbook;

/// The README's examples, run as doctests.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
