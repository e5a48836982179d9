//! [`McpHttp`]: the account's MCP server over Streamable HTTP, behind a bearer token.

use std::fmt;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

use super::server::McpServer;
use cohere_connectors::{Secret, ServiceAuth};
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::server::{
    Access, AccessError, ConnectionLimits, RunningConnector, serve_connections,
};

/// How long a request may take unless told otherwise: a connector's deadline (30 s, as
/// Cohere's) and a second for the rest.
const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);

/// An [`McpServer`] over Streamable HTTP: requests must carry `Authorization: Bearer
/// <token>`, and are served with the connector kit's limits and layers (the token checked
/// before the body is read, the body capped, the deadline, panics caught, request ids and
/// spans that never show a token). See the kit's
/// [`mcp`](cohere_connectors_kit::server::mcp) module for the rules.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::Toolbox;
/// use cohere_connectors_migrate::mcp::McpServer;
///
/// let http = McpServer::new(Toolbox::new()).http(["an-mcp-bearer-token"])?.path("/tools/mcp");
/// // In an application of your own (serve it with the kit's `serve_connections`)...
/// let app = axum::Router::new().merge(http.router());
/// # drop(app);
/// // ...or alone.
/// let running = http.bind("127.0.0.1:0").await?;
/// assert!(running.url().ends_with("/tools/mcp"));
///
/// // A blank token is refused, never a server anyone can call:
/// assert!(McpServer::new(Toolbox::new()).http([" "]).is_err());
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "an HTTP server does nothing until it is routed or bound"]
pub struct McpHttp {
    server: McpServer,
    access: Access,
    endpoint: McpEndpoint,
    limits: ConnectionLimits,
}

impl McpHttp {
    pub(super) fn new(server: McpServer, tokens: Vec<Secret>) -> Result<Self, AccessError> {
        let access = Access::service_any(tokens.into_iter().map(ServiceAuth::bearer))?;
        Ok(Self {
            server,
            access,
            endpoint: McpEndpoint::new().deadline(DEFAULT_DEADLINE),
            limits: ConnectionLimits::default(),
        })
    }

    /// Serves MCP at `path` (default `/mcp`), matched exactly.
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.endpoint = self.endpoint.path(path);
        self
    }

    /// Accepts only requests whose `Host` is one of `hosts` (every host is accepted by
    /// default: a request needs the token anyway).
    pub fn allowed_hosts(mut self, hosts: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.endpoint = self.endpoint.allowed_hosts(hosts);
        self
    }

    /// Bounds each request (default 30 s, a connector's deadline, plus the kit's
    /// [`MCP_DEADLINE_GRACE`](cohere_connectors_kit::server::mcp::MCP_DEADLINE_GRACE)):
    /// raise it with the tools' own timeouts.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.endpoint = self.endpoint.deadline(deadline);
        self
    }

    /// The connection limits [`bind`](Self::bind) and [`serve`](Self::serve) serve within
    /// (see the kit's [`serve_connections`]).
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The path MCP is served at.
    pub fn mcp_path(&self) -> &str {
        self.endpoint.mcp_path()
    }

    /// The server as an axum router (a tower service), without a fallback: merge or nest it
    /// into an application that has its own. Served by a server of your own, it needs the
    /// connection limits of the kit's [`serve_connections`].
    pub fn router(&self) -> Router {
        self.endpoint
            .router(self.access.clone(), self.server.clone())
    }

    /// Binds `addr` and serves in a background task until [`RunningConnector::shutdown`] or
    /// drop; any other path answers a JSON 404.
    ///
    /// # Errors
    ///
    /// If the address cannot be bound.
    pub async fn bind(
        self,
        addr: impl tokio::net::ToSocketAddrs,
    ) -> std::io::Result<RunningConnector> {
        let listener = TcpListener::bind(addr).await?;
        RunningConnector::start(listener, self.served(), self.mcp_path(), self.limits)
    }

    /// Serves on `listener` within the connection limits until the future is dropped.
    pub async fn serve(self, listener: TcpListener) {
        serve_connections(listener, self.served(), self.limits).await;
    }

    fn served(&self) -> Router {
        self.endpoint
            .router_alone(self.access.clone(), self.server.clone())
    }
}

impl fmt::Debug for McpHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpHttp")
            .field("server", &self.server)
            .field("access", &self.access)
            .field("endpoint", &self.endpoint)
            .field("limits", &self.limits)
            .finish()
    }
}
