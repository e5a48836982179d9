//! MCP beside `/search`: the connector's search as an MCP tool, served over Streamable HTTP
//! with the official Rust SDK ([`rmcp`]), under the same access rules, limits, deadline and
//! logging rules as the search endpoint.
//!
//! [`ConnectorService::mcp`](super::ConnectorService::mcp) adds it to a connector service:
//!
//! - `POST /mcp` (the path is configurable, matched exactly) speaks MCP's Streamable HTTP
//!   transport, every revision rmcp knows up to the current one (2026-07-28, where each
//!   request carries its own protocol metadata, and the `initialize` handshake of the earlier
//!   ones), without sessions: every request stands alone, so no client can make the server
//!   hold state, and answers are JSON (`application/json`), not event streams. Any other
//!   method is 405 with `Allow: POST`.
//! - One tool, `search`, whose input schema requires a string `query`. Its answer is a text
//!   block per document and the documents as structured content (`{"documents": [...]}`),
//!   each with its `id`, `title`, `url` and other fields, and with [`Citations::North`],
//!   North's citation metadata ([`search_result`]).
//! - The caller is authenticated before the body is read, exactly as for `/search` (service
//!   tokens compared in constant time, several while one is rotated, a user's token handed
//!   to the handler as [`Caller::User`](super::Caller::User)); a refusal is a 401 with the
//!   kit's JSON body and its `WWW-Authenticate` challenge.
//! - The handler runs under the service's deadline and its failures and panics become tool
//!   errors (`isError: true`) a client shows its user, their text scrubbed of every token
//!   and escaped; the documents are scrubbed as `/search` scrubs them, and escaped (they
//!   reach a model). The HTTP request as a whole is bounded by the deadline plus
//!   [`MCP_DEADLINE_GRACE`], so that a slow search is answered as a tool error rather than a
//!   504.
//! - Bodies over the service's limit are refused with 413 (a declared length before a byte
//!   is read, a streamed one as it passes the limit); every refusal the transport makes
//!   (406, 413, 415, 405, 403) is answered with the kit's JSON `{"message": ...}`.
//! - `Host` checking (DNS rebinding) is rmcp's: off when the access needs a token (a
//!   rebinding page has none), loopback names only for [`Access::open`](super::Access::open),
//!   and configurable with [`McpEndpoint::allowed_hosts`].
//!
//! [`McpEndpoint::router`] serves any rmcp [`ServerHandler`](rmcp::ServerHandler) the same
//! way: an account's connectors as one MCP server (`cohere-connectors-migrate`) is one.

mod content;
mod route;
mod search;

use std::time::Duration;

pub use content::{Citations, search_result, search_tool, tool_error};
pub use route::{caller, request_parts};

pub(crate) use search::SearchTool;

use super::access::Access;
use super::service::{DEFAULT_DEADLINE, DEFAULT_MAX_BODY_BYTES};

/// Where MCP is served unless told otherwise.
pub const DEFAULT_MCP_PATH: &str = "/mcp";
/// How much longer than the deadline an MCP request may take as a whole: the search is
/// bounded by the deadline itself and answered as a tool error; this bounds the rest (the
/// body read, a handler that never yields).
pub const MCP_DEADLINE_GRACE: Duration = Duration::from_secs(1);
/// The description of the `search` tool unless told otherwise.
pub const DEFAULT_SEARCH_DESCRIPTION: &str =
    "Searches this connector for documents relevant to a query.";

/// How MCP is served: its path, how documents are cited, which `Host` headers are accepted,
/// and the server's name.
///
/// ```
/// use cohere_connectors_kit::server::mcp::{Citations, McpEndpoint};
///
/// let endpoint = McpEndpoint::new()
///     .path("/v1/mcp")
///     .citations(Citations::North)
///     .description("Searches the staff handbook: policies, benefits, travel.")
///     .server_info("handbook", "1.4.0")
///     .allowed_hosts(["handbook.example.com"]);
/// assert_eq!(endpoint.mcp_path(), "/v1/mcp");
/// ```
#[derive(Clone, Debug)]
#[must_use]
pub struct McpEndpoint {
    path: String,
    citations: Citations,
    description: String,
    name: String,
    version: String,
    allowed_hosts: Option<Vec<String>>,
    deadline: Duration,
    max_body_bytes: usize,
}

impl Default for McpEndpoint {
    fn default() -> Self {
        Self {
            path: DEFAULT_MCP_PATH.to_owned(),
            citations: Citations::default(),
            description: DEFAULT_SEARCH_DESCRIPTION.to_owned(),
            name: "connector".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            allowed_hosts: None,
            deadline: DEFAULT_DEADLINE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl McpEndpoint {
    /// MCP at [`DEFAULT_MCP_PATH`], documents cited by their fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves MCP at `path` (default [`DEFAULT_MCP_PATH`]); a leading `/` is added if
    /// missing. Matched exactly, as given.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = super::service::absolute(path.into());
        self
    }

    /// How documents are cited (default [`Citations::Fields`]).
    pub fn citations(mut self, citations: Citations) -> Self {
        self.citations = citations;
        self
    }

    /// The `search` tool's description, which a model reads to decide when to call it
    /// (default [`DEFAULT_SEARCH_DESCRIPTION`]): say what the connector holds.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = description.into();
        self
    }

    /// The name and version the server gives clients (default `connector` and the kit's
    /// version).
    pub fn server_info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.name = name.into();
        self.version = version.into();
        self
    }

    /// Accepts only requests whose `Host` is one of `hosts` (a name, or `name:port`), as a
    /// guard against DNS rebinding. By default every host is accepted when the access needs
    /// a token, and only `localhost`, `127.0.0.1` and `::1` when it is open.
    pub fn allowed_hosts(mut self, hosts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.allowed_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Bounds each tool call (default [`DEFAULT_DEADLINE`]) for [`router`](Self::router); a
    /// connector service uses its own deadline.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Refuses request bodies larger than `bytes` with 413 (default
    /// [`DEFAULT_MAX_BODY_BYTES`]) for [`router`](Self::router); a connector service uses
    /// its own limit.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The path MCP is served at.
    pub fn mcp_path(&self) -> &str {
        &self.path
    }

    /// How documents are cited.
    pub fn citation_style(&self) -> Citations {
        self.citations
    }

    /// The deadline of a tool call.
    pub fn call_deadline(&self) -> Duration {
        self.deadline
    }

    /// `handler` served at the endpoint's path, for callers `access` lets in, inside the
    /// kit's layers (request id, tracing, panics caught, the deadline plus
    /// [`MCP_DEADLINE_GRACE`], the body limit). Like
    /// [`ConnectorService::router`](super::ConnectorService::router), it has no fallback:
    /// merge or nest it into an application.
    ///
    /// The handler finds the caller of each request with [`caller`]. It bounds its own
    /// calls: the deadline here only ends a request that outlived it.
    ///
    /// ```
    /// use cohere_connectors::ServiceAuth;
    /// use cohere_connectors_kit::server::Access;
    /// use cohere_connectors_kit::server::mcp::McpEndpoint;
    /// use rmcp::ServerHandler;
    ///
    /// #[derive(Clone)]
    /// struct Empty;
    /// impl ServerHandler for Empty {}
    ///
    /// let app: axum::Router = McpEndpoint::new()
    ///     .router(Access::service(ServiceAuth::bearer("t0ken-123"))?, Empty);
    /// # drop(app);
    /// # Ok::<(), cohere_connectors_kit::server::AccessError>(())
    /// ```
    pub fn router<H>(&self, access: Access, handler: H) -> axum::Router
    where
        H: rmcp::ServerHandler + Clone + Send + Sync + 'static,
    {
        route::router(self, access, handler, self.deadline, self.max_body_bytes)
    }

    /// As [`router`](Self::router), with the kit's JSON 404 (inside the same layers) for any
    /// other path: for serving it alone, with
    /// [`RunningConnector::start`](super::RunningConnector::start) or
    /// [`serve_connections`](super::serve_connections).
    pub fn router_alone<H>(&self, access: Access, handler: H) -> axum::Router
    where
        H: rmcp::ServerHandler + Clone + Send + Sync + 'static,
    {
        self.router(access, handler)
            .merge(super::service::not_found_router(
                self.deadline,
                self.max_body_bytes,
            ))
    }

    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    pub(crate) fn version(&self) -> &str {
        &self.version
    }

    pub(crate) fn tool_description(&self) -> &str {
        &self.description
    }

    pub(crate) fn hosts(&self) -> Option<&[String]> {
        self.allowed_hosts.as_deref()
    }
}
