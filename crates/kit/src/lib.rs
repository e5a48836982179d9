//! The connector kit, for people who write and run connectors: Cohere's search protocol, a
//! server that serves it, a client that calls a connector exactly as Cohere does, and a
//! checker that runs what Cohere's registration test and the connector documentation require.
//!
//! A connector is a web service Cohere calls with `POST {"query": "..."}` and that answers
//! `{"results": [{...}, ...]}`, each result an object of string keys to string values.
//!
//! Depends on the SDK (`cohere-connectors`) for its credential types ([`ServiceAuth`],
//! [`Secret`]) and its text hygiene (`cohere_connectors::text`). The layers, bottom up: the
//! protocol's types and errors; the client; the checker (over the client) and the
//! [`server`] (over the protocol).
//!
//! - [`SearchRequest`], [`SearchResponse`] and [`Document`]: the protocol's types.
//! - [`ConnectorSearch`]: a search client, with the connector's service auth or a user's
//!   OAuth token, a deadline and typed errors ([`SearchError`]).
//! - [`check_connector`] and [`Checker`]: a typed [`CheckReport`] of what would make Cohere
//!   refuse the connector, or serve it badly, each [`Finding`] with its fix and its source.
//!
//! [`ServiceAuth`]: cohere_connectors::ServiceAuth
//! [`Secret`]: cohere_connectors::Secret
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cohere_connectors::ServiceAuth;
//! use cohere_connectors_kit::{ConnectorSearch, Document, check_connector};
//! use cohere_connectors_kit::server::{Access, ConnectorService};
//!
//! // A connector, served on a free local port (see the `server` module).
//! let service = ConnectorService::new(Access::service(ServiceAuth::bearer("t0ken-123"))?, |request, _caller| async move {
//!     Ok(vec![Document::new().with_id("1").with_title("Echo").with_text(request.query)])
//! });
//! let running = service.bind("127.0.0.1:0").await?;
//! let url = running.url();
//!
//! // Searched as Cohere would:
//! let search = ConnectorSearch::new(&url)?.service_auth(ServiceAuth::bearer("t0ken-123"));
//! let answer = search.search("hello").await?;
//! assert_eq!(answer.results[0].text(), Some("hello"));
//!
//! // Checked as Cohere's registration would (a local URL is only a warning):
//! let report = check_connector(&url, ServiceAuth::bearer("t0ken-123")).await;
//! assert!(report.is_ok(), "{report}");
//! # Ok(()) }
//! ```

#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects)]

mod check;
mod client;
mod document;
mod error;
mod protocol;
mod secrets;
pub mod server;

pub use check::{
    CheckReport, Checker, DEFAULT_CHECK_QUERY, Finding, Rule, Severity, check_connector,
};
pub use client::{ConnectorSearch, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_SEARCH_TIMEOUT, SearchAuth};
pub use document::{Document, FieldValue};
pub use error::SearchError;
pub use protocol::{SearchRequest, SearchResponse};

pub(crate) use client::scheme_prefix as client_scheme_prefix;

/// The crate README's example, run as a doctest so that it cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
