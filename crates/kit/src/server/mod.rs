//! A connector service kit: serve Cohere's search protocol from an async
//! function, with the authentication, limits and error answers a connector needs.
//!
//! [`ConnectorService`] turns a handler `async fn(SearchRequest, Caller) -> Result<Vec<Document>,
//! SearchFailure>` into an axum [`Router`](axum::Router) (or a running server) that:
//!
//! - answers `POST /search` (the path is configurable, matched exactly) with
//!   `{"results": [...]}`; any other method is 405 with `Allow: POST`;
//! - checks the service-auth token Cohere sends (`Bearer`, `Basic` or no scheme; compared in
//!   constant time; several tokens accepted at once while one is rotated), or hands a user's
//!   OAuth / pass-through bearer token to the handler as a [`Caller`]; an empty or blank
//!   configured token is refused when the [`Access`] is built;
//! - refuses a missing, wrong or doubled `Authorization` header with 401 and a JSON body,
//!   before reading the request;
//! - reads the body with axum's `Json` (`Content-Type: application/json` or `+json`) or, when
//!   declared so, `Form` (`query=...`, decoded as browsers do: bytes that are not UTF-8
//!   become U+FFFD); anything but an object with a string `query` is 400, another content
//!   type 415, a body over the cap (64 KiB by default: a query is short) 413;
//! - passes the query on as it came, blank or not: what a blank query finds is the handler's
//!   choice (Cohere's connector templates answer it 200);
//! - bounds the handler by a deadline (30 seconds by default, Cohere's) and answers 504 when
//!   it passes, 500 when the handler panics or fails, always as JSON `{"message": ...}`;
//! - gives each request a span (method, path, `x-request-id`) and never logs or echoes a
//!   token: every configured token and the caller's, whatever their length, are scrubbed
//!   from the documents answered (keys and values), the failures' messages and the logged
//!   details, as they are, JSON-escaped and percent-encoded. A short token also hides an
//!   unrelated word that matches it; that is the safe failure, and a reason for long tokens.
//!
//! With [`ConnectorService::mcp`] (feature `mcp`, on by default) the same search is also an
//! MCP tool at `/mcp`, under the same rules (see [`mcp`]); with [`ConnectorService::health`],
//! `GET /health` answers orchestrators' probes without a token.
//!
//! # Serving it
//!
//! [`ConnectorService::bind`] and [`ConnectorService::serve`] serve it alone with
//! [`serve_connections`], within [`ConnectionLimits`]: a request head must arrive within
//! 10 seconds (the same timeout closes a keep-alive connection left idle), heads are capped
//! at 64 KiB (431 past it), at most 1024 connections are served at once (more wait in the
//! kernel's backlog), and a failing `accept` (no file descriptors left) is waited out. Only
//! HTTP/1.1 is spoken, not cleartext HTTP/2: see [`serve_connections`] for why.
//!
//! Mounting [`ConnectorService::router`] in a server of your own, you must add the same
//! limits, or one client can hold your server open (a head dripped a byte at a time, idle
//! sockets, thousands of half-open connections): `axum::serve` has no header-read timeout,
//! no idle timeout and no connection cap. Either serve your whole application with
//! [`serve_connections`] (it takes any tower service, such as your `Router`), or, with hyper
//! directly:
//!
//! - per connection, `hyper::server::conn::http1::Builder::new()` with
//!   `.timer(hyper_util::rt::TokioTimer::new())` and `.header_read_timeout(..)` (without a
//!   timer the timeout does nothing; it also closes idle keep-alive connections) and
//!   `.max_header_size(..)`;
//! - a `tokio::sync::Semaphore` permit taken *before* each `accept` and held for the
//!   connection's life (a cap on requests, such as tower's `ConcurrencyLimit`, does not
//!   bound connections);
//! - a pause of about 100 ms after `accept` fails with `EMFILE`/`ENFILE`/`ENOMEM`, instead
//!   of retrying at once;
//! - `TcpStream::set_nodelay(true)` on each accepted socket: an answer sent frame by frame
//!   (MCP's event streams) otherwise waits for the client's delayed ACK after each frame.
//!
//! Behind a reverse proxy that already enforces these (most do, and terminate TLS), the
//! router alone is enough.
//!
//! # Handlers
//!
//! The handler is async: the deadline can only stop it at an `.await`. Work that blocks the
//! thread (a synchronous database driver, heavy CPU) must go to
//! [`tokio::task::spawn_blocking`], or it holds a runtime thread past the deadline and the
//! 504 comes only when it returns.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cohere_connectors::ServiceAuth;
//! use cohere_connectors_kit::{ConnectorSearch, Document, SearchError};
//! use cohere_connectors_kit::server::{Access, Caller, ConnectorService, SearchFailure};
//!
//! async fn search(request: cohere_connectors_kit::SearchRequest, _caller: Caller) -> Result<Vec<Document>, SearchFailure> {
//!     // A blank query reaches the handler as it came; this one finds nothing for it, as
//!     // Cohere's connector templates do (200, no results).
//!     if request.query.trim().is_empty() {
//!         return Ok(Vec::new());
//!     }
//!     Ok(vec![Document::new().with_id("faq-1").with_title("Holidays").with_text("25 days a year")])
//! }
//!
//! let service = ConnectorService::new(Access::service(ServiceAuth::bearer("s3rvice-token"))?, search);
//! let running = service.bind("127.0.0.1:0").await?; // or mount service.router() in your app
//!
//! let client = ConnectorSearch::new(&running.url())?.service_auth(ServiceAuth::bearer("s3rvice-token"));
//! assert_eq!(client.search("holidays").await?.results[0].title(), Some("Holidays"));
//! assert!(client.search(" ").await?.results.is_empty());
//! let anonymous = ConnectorSearch::new(&running.url())?;
//! assert!(matches!(anonymous.search("x").await, Err(SearchError::Unauthorized { status: 401, .. })));
//! running.shutdown().await;
//! # Ok(()) }
//! ```

mod access;
mod answer;
mod connections;
mod extract;
mod failure;
mod health;
mod layers;
#[cfg(feature = "mcp")]
#[cfg_attr(docsrs, doc(cfg(feature = "mcp")))]
pub mod mcp;
mod running;
mod service;

pub use access::{Access, AccessError, Caller};
pub use connections::{
    ConnectionLimits, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_HEADER_BYTES, serve_connections,
};
pub use failure::SearchFailure;
pub use health::DEFAULT_HEALTH_PATH;
pub use running::RunningConnector;
pub use service::{ConnectorService, DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES, DEFAULT_PATH};
