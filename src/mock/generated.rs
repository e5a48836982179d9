//! The httpmock helpers progenitor generates from the fragment, in the raw types
//! ([`crate::raw::types`]): one method per operation on `httpmock::MockServer`, with a
//! `when` method per parameter and a `then` method per documented status. Most tests want
//! the facade's mocks ([`super::MockServerExt`]) instead; these follow the fragment exactly,
//! including what the facade does not expose.
//!
//! progenitor generates these methods without documentation: each `when` method matches the
//! parameter of the same name, each `then` method answers the status of the same name with
//! that status's body type. `into_inner()` gives the plain httpmock builder (for the 498 and
//! 499 statuses, which have no standard name to make a method of).
#![allow(missing_docs, clippy::all, clippy::pedantic)]

include!(concat!(env!("OUT_DIR"), "/mock.rs"));
