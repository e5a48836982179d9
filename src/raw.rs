//! The bindings progenitor generates from `openapi/connectors.yaml` at build time.
//!
//! This is the escape hatch: every operation and type of the API exactly as the fragment
//! describes it. Most code wants the facade ([`crate::Client`]) instead.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/raw.rs"));

pub use crate::http::transport::Transport;
