//! The bindings progenitor generates from `openapi/connectors.yaml` at build time.
//!
//! This is the escape hatch: every operation and type of the API exactly as the fragment
//! describes it, without the facade's retries, validation or types. Most code wants the
//! facade ([`crate::Client`]) instead.
//!
//! Each operation is a method of [`Client`] that returns a builder: set its parameters with
//! the builder's methods of the same names (documented on the client method), then `.send()`.
//! Connector ids are [`crate::ConnectorId`]s and secrets [`crate::Secret`]s here too, so ids
//! never leave their path segment and no type prints a secret. Requests go through the same
//! transport as the facade's: the path guard, the credential rules, no redirects, bounded
//! bodies.
//!
//! ```
//! use cohere_connectors::raw;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = cohere_connectors_emulator::Emulator::builder().seed(2).start().await?;
//! # let (base_url, key) = (emulator.base_url(), emulator.api_key());
//! let client = raw::Client::new(base_url, raw::Transport::with_api_key(key)?);
//! let page = client.list_connectors().limit(1).send().await?;
//! assert_eq!(page.connectors.len(), 1);
//! # Ok(()) }
//! ```
//!
//! The documentation of the operations, parameters, types and fields is this project's own
//! (Cohere's prose is not copied into the fragment). progenitor generates the builders'
//! setter methods without documentation; each sets the argument of the same name.
#![allow(
    missing_docs,
    clippy::all,
    clippy::pedantic,
    clippy::arithmetic_side_effects
)]

include!(concat!(env!("OUT_DIR"), "/raw.rs"));

pub use crate::http::transport::Transport;

// Every request of the raw client goes through the crate's transport rules (see
// `src/http/transport.rs`): the path guard, the credential rules, redirects refused, bodies
// bounded.
crate::http::transport::transport_hooks!(Client);
