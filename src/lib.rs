//! A Rust SDK for Cohere's Connectors API (`/v1/connectors`).
//!
//! ```no_run
//! use cohere_connectors::{Client, ServiceAuth};
//!
//! # async fn run() -> cohere_connectors::Result<()> {
//! let client = Client::from_env()?; // reads CO_API_KEY
//!
//! let created = client
//!     .connectors()
//!     .create("Wiki", "https://wiki.example.com/search")
//!     .service_auth(ServiceAuth::bearer("token"))
//!     .send()
//!     .await?;
//!
//! let page = client.connectors().list().limit(10).send().await?;
//! for connector in &page.connectors {
//!     println!("{} ({})", connector.name, connector.id);
//! }
//!
//! client.connectors().update(&created.id).active(false).send().await?;
//! client.connectors().delete(&created.id).send().await?;
//! # Ok(()) }
//! ```
//!
//! Two layers:
//! - the facade: [`Client`], friendly [types](Connector) and one [`Error`];
//! - [`raw`]: the bindings progenitor generates from the crate's OpenAPI fragment at build
//!   time, for anything the facade does not cover.
//!
//! Secrets (the API key, OAuth client secrets, service tokens) are held as [`Secret`]s and
//! never appear in `Debug` or `Display` output or in errors.
#![deny(missing_docs)]
// Every value a caller or a server chooses (durations, offsets, lengths) is added and
// multiplied with checked or saturating arithmetic: a library must not panic or wrap on input.
#![deny(clippy::arithmetic_side_effects)]

// The layers, bottom up; a module only uses the ones below it.
mod api;
#[cfg(feature = "blocking")]
pub mod blocking;
mod client;
mod core;
#[cfg(feature = "emulator")]
pub mod emulator;
mod http;
#[cfg(feature = "httpmock")]
pub mod mock;
pub mod raw;

pub use api::connectors;
/// The date and time types of [`Connector`]'s timestamps, re-exported so that test data can
/// be built without a dependency of its own.
pub use chrono;

/// The README's examples compile as doctests, so it cannot drift from the API. They use the
/// emulator, so they run with that feature (the README's test command enables all).
#[doc = include_str!("../README.md")]
#[cfg(all(doctest, feature = "emulator"))]
pub struct ReadmeDoctests;

pub use api::options::RequestOptions;
pub use api::pagination::{ConnectorStream, Pages};
pub use api::response::{RateLimit, Response, ResponseMeta};
pub use api::types::{
    AuthStatus, AuthTokenType, AuthType, Connector, ConnectorOAuth, ConnectorPage, ConnectorUpdate,
    NewConnector, OAuthConfig, ServiceAuth,
};
pub use client::{
    API_KEY_VAR, BASE_URL_VAR, Client, ClientBuilder, DEFAULT_BASE_URL, FALLBACK_API_KEY_VAR,
};
pub use core::error::{ApiError, ApiErrorKind, DecodeError, Error, Result, TransportError};
pub use core::id::{ConnectorId, InvalidId, MAX_ID_BYTES};
pub use core::operation::Operation;
pub use core::secret::Secret;
