//! A Rust SDK for Cohere's Connectors API (`/v1/connectors`): list, create, get, update and
//! delete connectors, and run their OAuth authorization.
//!
//! > **Cohere deprecated the Connectors API on 2025-09-15.** It is closed to new accounts and
//! > still served to existing ones until a shutdown date Cohere has not announced; the way
//! > forward is user-defined tools in Chat v2. Some accounts already get 404 on
//! > `GET /v1/connectors` (since September 2026): that is [`Error::is_retired`], a kind of
//! > its own, never retried. This crate helps with both: managing the connectors you have,
//! > and carrying them over (the `cohere-connectors-migrate` crate, and the README's
//! > migration guide).
//!
//! # Start here
//!
//! Build one [`Client`] and share it; every operation is a builder on
//! [`client.connectors()`](Client::connectors) that you `.await`. The examples in this
//! documentation run against the crate's emulator (the `cohere-connectors-emulator` crate), a stateful
//! stand-in for the API; with a real key, [`Client::from_env`] reads `CO_API_KEY`.
//!
//! ```
//! use cohere_connectors::{Client, ServiceAuth};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> cohere_connectors::Result<()> {
//! # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
//! # let client = emulator.client()?;
//! // let client = Client::from_env()?; // CO_API_KEY, and CO_API_URL if set
//! let created = client
//!     .connectors()
//!     .create("Wiki", "https://wiki.example.com/search")
//!     .service_auth(ServiceAuth::bearer("token"))
//!     .await?;
//!
//! let page = client.connectors().list().limit(10).await?;
//! for connector in &page.connectors {
//!     println!("{} ({})", connector.name, connector.id);
//! }
//!
//! client.connectors().update(&created.id).active(false).await?;
//! client.connectors().delete(&created.id).await?;
//! # Ok(()) }
//! ```
//!
//! # A whole account: the stream
//!
//! [`list().stream()`](connectors::ListConnectors::stream) walks every connector page by
//! page, one page in memory at a time, and never yields a connector twice;
//! [`pages()`](connectors::ListConnectors::pages) yields the pages.
//!
//! ```
//! use futures_util::TryStreamExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> cohere_connectors::Result<()> {
//! # let emulator = cohere_connectors_emulator::Emulator::builder().seed(120).start().await.unwrap();
//! # let client = emulator.client()?;
//! let mut connectors = client.connectors().list().stream();
//! let mut count = 0;
//! while let Some(connector) = connectors.try_next().await? {
//!     count += 1;
//! #   let _ = connector;
//! }
//! assert_eq!(count, 120);
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! Every call ends in one [`Error`]: [`Error::Api`] for the API's answers (with
//! [`ApiErrorKind`], the API's message and id), [`Error::Transport`] when no answer came,
//! [`Error::Decode`] for an answer that does not fit, [`Error::InvalidArgument`] before
//! anything is sent, [`Error::Protocol`] for a server that breaks the API's rules. The
//! predicates [`Error::is_not_found`], [`Error::is_rate_limited`], [`Error::is_timeout`]...
//! answer the usual questions. Server text in errors is escaped and never shows a secret.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> cohere_connectors::Result<()> {
//! # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
//! # let client = emulator.client()?;
//! match client.connectors().get("missing").await {
//!     Ok(connector) => println!("{}", connector.name),
//!     Err(error) if error.is_not_found() => println!("no such connector"),
//!     Err(error) => return Err(error),
//! }
//! # Ok(()) }
//! ```
//!
//! # Retries, timeouts, per-call settings
//!
//! Failed requests are retried with jittered backoff, by a policy that never repeats a
//! create or an update the server may have applied ([`ClientBuilder::max_retries`],
//! [`ClientBuilder::retry_non_idempotent`]); `Retry-After` is honoured. Each attempt has a
//! timeout, and a whole call can have a deadline. Each call can change these for itself, add
//! headers, and return its response's metadata with `send_with_meta()`
//! ([`RequestOptions`], [`Response`]).
//!
//! # Testing your code
//!
//! - the emulator (the crate `cohere-connectors-emulator`): the API's behaviour, offline, with fault injection,
//!   the OAuth round trip, and a binary for clients in other languages.
//! - [`mock`] (feature `httpmock`): typed httpmock helpers in this crate's types.
//! - Every type can be built in one expression for test data:
//!   `Connector::new("wiki", "Wiki").with_url(..)`, `ConnectorPage::new(vec![..])`.
//!
//! # Without an async runtime
//!
//! [`blocking`] (feature `blocking`) has the same operations for scripts and build tools.
//!
//! # The raw bindings
//!
//! [`raw`] is what progenitor generates from the crate's OpenAPI fragment (itself derived
//! from Cohere's spec by `cargo xtask spec`): every operation and type as the spec
//! describes it, for anything the facade does not cover.
//!
//! # Chat v2
//!
//! With the feature `chat`, `client.chat(model)` sends Chat v2 requests (`POST /v2/chat`) on
//! the same client: the same API key and base URL, timeouts, tracing, secrets rules and
//! errors (Cohere's refusals are `Error::Api` with its message, escaped and scrubbed). A chat
//! is not idempotent, so it is retried only where a create is: on a 429, or when no
//! connection could be made (`retry_non_idempotent` opts in to more). The request builder
//! takes messages of the four roles (an assistant's `tool_plan` and `tool_calls` replayed
//! exactly, tool results as `document` blocks), tools, documents, citation options, tool
//! choice, strict tools and the sampling settings; the answer is typed, down to each
//! citation's sources. `.stream()` gives Cohere's events as a typed `Stream`, bounded in time
//! (the per-attempt timeout between events, the call's deadline) and memory (per event, per
//! stream, and the response it assembles), which ends at `message-end` and is an error if cut
//! before it; its events assemble into the same response as the call without `stream`. See
//! the `chat` module. Without the feature, none of it is compiled (nor generated).
//!
//! # Secrets
//!
//! The API key, OAuth client secrets and service tokens are [`Secret`]s: they never appear
//! in `Debug`, `Display`, errors or logs, in this crate's types and the generated ones alike;
//! a password inside a URL is shown as `[redacted]`.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
// Every value a caller or a server chooses (durations, offsets, lengths) is added and
// multiplied with checked or saturating arithmetic: a library must not panic or wrap on input.
#![deny(clippy::arithmetic_side_effects)]

// The layers, bottom up; a module only uses the ones below it:
// core (errors, secrets, ids, text) < http (transport, retries) < client < api (the facade)
// and chat (the Chat v2 facade, beside it) < blocking, mock.
mod api;
#[cfg(feature = "blocking")]
#[cfg_attr(docsrs, doc(cfg(feature = "blocking")))]
pub mod blocking;
#[cfg(feature = "chat")]
#[cfg_attr(docsrs, doc(cfg(feature = "chat")))]
pub mod chat;
mod client;
mod core;
mod http;
#[cfg(feature = "httpmock")]
#[cfg_attr(docsrs, doc(cfg(feature = "httpmock")))]
pub mod mock;
pub mod raw;

pub use api::connectors;
/// The date and time types of [`Connector`]'s timestamps, re-exported so that test data can
/// be built without a dependency of its own.
pub use chrono;

/// Text from outside made safe to show: the one escaping function ([`text::escape`]), the
/// redactor that hides secrets a server echoed back ([`text::Redactor`]), passwords in URLs
/// hidden ([`text::redact_url`]). Every crate of this project prints server-, file- and
/// caller-supplied text through these, and so can yours.
///
/// ```
/// use cohere_connectors::{Secret, text};
///
/// assert_eq!(text::escape("a\u{1b}]0;title\u{7}b\u{202e}"), "a\\u{1b}]0;title\\u{7}b\\u{202e}");
/// let redactor = text::Redactor::default().with(&Secret::from("tok-123456"));
/// assert_eq!(redactor.clean("echo: tok-123456\n", 80), "echo: [redacted]");
/// ```
pub mod text {
    pub use crate::core::error::innermost_cause;
    pub use crate::core::error_body::ErrorBody;
    pub use crate::core::text::{
        BODY_SNIPPET_CHARS, DebugOptionUrl, DebugUrl, REDACTED, Redactor, SNIPPET_CHARS, escape,
        one_line, redact_url,
    };
}

/// Reading an HTTP response body with a cap: [`body::read_limited`] reads at most a given
/// number of bytes and stops at the first one past it, whatever the server declares or sends.
/// The SDK reads every body it receives through it; so can any client of this project's
/// crates (a connector's answers, a token endpoint's).
pub mod body {
    pub use crate::http::body::{BodyError, read_limited};
}

pub use api::definition::{
    Complete, ConnectorDefinition, DefinitionForm, DefinitionValue, NewConnector, OAuthConfig,
    OAuthSettings, SchemaIfEnabled, ServiceAuth, ServiceAuthSettings,
};
pub use api::options::RequestOptions;
pub use api::pagination::{ConnectorStream, Pages};
pub use api::response::{RateLimit, Response, ResponseMeta};
pub use api::types::{
    AuthStatus, AuthTokenType, AuthType, Connector, ConnectorOAuth, ConnectorPage, ConnectorUpdate,
};
pub use api::url::{HttpUrl, InvalidUrl};
pub use client::{
    API_KEY_VAR, BASE_URL_VAR, Client, ClientBuilder, DEFAULT_BASE_URL, FALLBACK_API_KEY_VAR,
};
pub use core::error::{ApiError, ApiErrorKind, DecodeError, Error, Result, TransportError};
pub use core::id::{ConnectorId, InvalidId, MAX_ID_BYTES};
pub use core::operation::Operation;
pub use core::secret::Secret;
pub use core::text::redact_url;
