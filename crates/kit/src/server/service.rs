//! [`ConnectorService`]: a search handler made into a connector endpoint.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use tokio::net::TcpListener;

use super::access::{Access, Caller};
use super::answer::{message, method_not_allowed, not_found, results};
use super::connections::{ConnectionLimits, serve_connections};
use super::extract::{Authorized, SearchInput};
use super::failure::SearchFailure;
use super::health;
use super::layers;
#[cfg(feature = "mcp")]
use super::mcp::{McpEndpoint, SearchTool};
use super::running::RunningConnector;
use crate::{Document, SearchRequest};
use cohere_connectors::text::{Redactor, SNIPPET_CHARS};

/// Where the search is served unless told otherwise (Cohere's documentation asks for a URL
/// ending in `/search`).
pub const DEFAULT_PATH: &str = "/search";
/// How long a search may run unless told otherwise: Cohere's deadline for a connector.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(30);
/// The largest request body read unless told otherwise (64 KiB: a query is a sentence).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

type BoxedSearch = Pin<Box<dyn Future<Output = Result<Vec<Document>, SearchFailure>> + Send>>;
type Handler = Arc<dyn Fn(SearchRequest, Caller) -> BoxedSearch + Send + Sync>;

/// A connector endpoint around a search handler. See the [module](super) for what it does.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use cohere_connectors_kit::{ConnectorSearch, Document};
/// use cohere_connectors_kit::server::{Access, ConnectorService, SearchFailure};
///
/// // An OAuth connector: the user's token goes on to the data source.
/// let service = ConnectorService::new(Access::user_token(), |request, caller| async move {
///     let token = caller.user_token().ok_or_else(|| SearchFailure::unauthorized("no user"))?;
///     // ... call the data source with `token.expose()` ...
///     # let _ = token;
///     Ok(vec![Document::new().with_title(format!("results for {}", request.query))])
/// })
/// .path("/v1/search")
/// .deadline(Duration::from_secs(10))
/// .max_body_bytes(16 * 1024);
///
/// // Mount it in an application...
/// let app: axum::Router = service.router();
/// # drop(app);
/// // ...or serve it alone.
/// let running = service.bind("127.0.0.1:0").await?;
/// assert!(running.url().ends_with("/v1/search"));
/// let found = ConnectorSearch::new(&running.url())?.user_token("ya29.a-user-token").search("tea").await?;
/// assert_eq!(found.results[0].title(), Some("results for tea"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a service does nothing until it is routed or bound"]
pub struct ConnectorService {
    handler: Handler,
    access: Access,
    path: String,
    deadline: Duration,
    max_body_bytes: usize,
    limits: ConnectionLimits,
    #[cfg(feature = "mcp")]
    mcp: Option<McpEndpoint>,
    health: Option<String>,
}

impl ConnectorService {
    /// A service answering searches with `handler`, for callers `access` lets in.
    pub fn new<H, Fut>(access: Access, handler: H) -> Self
    where
        H: Fn(SearchRequest, Caller) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Vec<Document>, SearchFailure>> + Send + 'static,
    {
        Self {
            handler: Arc::new(move |request, caller| Box::pin(handler(request, caller))),
            access,
            path: DEFAULT_PATH.to_owned(),
            deadline: DEFAULT_DEADLINE,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            limits: ConnectionLimits::default(),
            #[cfg(feature = "mcp")]
            mcp: None,
            health: None,
        }
    }

    /// Serves the search at `path` (default [`DEFAULT_PATH`]); a leading `/` is added if
    /// missing. Matched exactly, as given (no parameters or wildcards).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = absolute(path.into());
        self
    }

    /// Also serves the search as an MCP tool, at the endpoint's path (`/mcp` by default),
    /// under the same access, deadline and body limit: see the [`mcp`](super::mcp) module.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cohere_connectors::ServiceAuth;
    /// use cohere_connectors_kit::Document;
    /// use cohere_connectors_kit::server::{Access, ConnectorService};
    /// use cohere_connectors_kit::server::mcp::{Citations, McpEndpoint};
    ///
    /// let service = ConnectorService::new(Access::service(ServiceAuth::bearer("t0ken-123"))?, |request, _| async move {
    ///     Ok(vec![Document::new().with_id("1").with_title("Echo").with_text(request.query)])
    /// })
    /// .mcp(McpEndpoint::new().citations(Citations::North))
    /// .health();
    /// assert_eq!(service.mcp_path(), Some("/mcp"));
    /// let running = service.bind("127.0.0.1:0").await?; // POST /search, POST /mcp, GET /health
    /// # drop(running);
    /// # Ok(()) }
    /// ```
    #[cfg(feature = "mcp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mcp")))]
    pub fn mcp(mut self, endpoint: McpEndpoint) -> Self {
        self.mcp = Some(endpoint);
        self
    }

    /// Also answers `GET /health` with 200 `{"status": "ok"}`, without authentication and
    /// without saying anything about the data: for load balancers and orchestrators'
    /// probes.
    pub fn health(self) -> Self {
        self.health_at(health::DEFAULT_HEALTH_PATH)
    }

    /// As [`health`](Self::health), at `path`; a leading `/` is added if missing.
    pub fn health_at(mut self, path: impl Into<String>) -> Self {
        self.health = Some(absolute(path.into()));
        self
    }

    /// Where MCP is served, if it is.
    #[cfg(feature = "mcp")]
    #[cfg_attr(docsrs, doc(cfg(feature = "mcp")))]
    pub fn mcp_path(&self) -> Option<&str> {
        self.mcp.as_ref().map(McpEndpoint::mcp_path)
    }

    /// Where the health check is served, if it is.
    pub fn health_path(&self) -> Option<&str> {
        self.health.as_deref()
    }

    /// Bounds each search, from its request head to the answer, body read included
    /// (default [`DEFAULT_DEADLINE`]); past it the answer is 504. The handler is stopped at
    /// its next `.await`: blocking work belongs in `tokio::task::spawn_blocking`.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = deadline;
        self
    }

    /// Refuses request bodies larger than `bytes` with 413 (default
    /// [`DEFAULT_MAX_BODY_BYTES`]).
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// The connection limits [`bind`](Self::bind) and [`serve`](Self::serve) serve within
    /// (default [`ConnectionLimits::default`]; see [`serve_connections`]). They do not
    /// apply to [`router`](Self::router), which your own server serves.
    pub fn connection_limits(mut self, limits: ConnectionLimits) -> Self {
        self.limits = limits;
        self
    }

    /// The path the search is served at.
    pub fn search_path(&self) -> &str {
        &self.path
    }

    /// The service as an axum router: `POST <path>` searches, any other method on it is
    /// 405 (with `Allow: POST`), both with a JSON body. It has no fallback, so that it can be
    /// merged or nested into an application that has its own; served alone
    /// ([`bind`](Self::bind), [`serve`](Self::serve)), any other path is a JSON 404.
    ///
    /// Its layers (request id, tracing, panics, deadline, body limit) wrap its route only;
    /// add your own around it. Served by your own server, it needs the connection limits
    /// the [module](super) describes.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use axum::routing::get;
    /// use cohere_connectors_kit::Document;
    /// use cohere_connectors_kit::server::{Access, ConnectorService};
    ///
    /// let connector = ConnectorService::new(Access::open(), |_, _| async { Ok(vec![Document::new()]) });
    /// let app: axum::Router = axum::Router::new()
    ///     .route("/health", get(|| async { "ok" }))
    ///     .merge(connector.router())
    ///     .nest("/v2", connector.clone().path("/search").router())
    ///     .fallback(|| async { "the app's own 404" });
    /// # drop(app);
    /// # Ok(()) }
    /// ```
    ///
    /// With [`mcp`](Self::mcp) and [`health`](Self::health) it routes those paths too, each
    /// inside the same layers. An endpoint whose path another already has (MCP at the
    /// search's path, say) is left out, with an error logged: the search comes first, then
    /// MCP, then the health check.
    pub fn router(&self) -> Router {
        let shared = Arc::new(Shared {
            handler: Arc::clone(&self.handler),
            configured: crate::secrets::redactor(self.access.secrets()),
            access: self.access.clone(),
            max_body_bytes: self.max_body_bytes,
        });
        let mut taken = vec![self.path.as_str()];
        let mut router = layers::around(
            self.search_routes(Arc::clone(&shared)),
            self.deadline,
            self.max_body_bytes,
        );
        #[cfg(feature = "mcp")]
        if let Some(endpoint) = &self.mcp
            && is_free(&mut taken, endpoint.mcp_path(), "MCP")
        {
            let tool = SearchTool::new(shared, endpoint, self.deadline);
            router = router.merge(
                endpoint
                    .clone()
                    .deadline(self.deadline)
                    .max_body_bytes(self.max_body_bytes)
                    .router(self.access.clone(), tool),
            );
        }
        if let Some(path) = &self.health
            && is_free(&mut taken, path, "health")
        {
            router = router.merge(layers::around(
                health::router(path),
                self.deadline,
                self.max_body_bytes,
            ));
        }
        router
    }

    /// The router served alone: the same, with a JSON 404 (inside the same layers) for any
    /// other path.
    fn served(&self) -> Router {
        self.router()
            .merge(not_found_router(self.deadline, self.max_body_bytes))
    }

    fn search_routes(&self, shared: Arc<Shared>) -> Router {
        Router::new()
            .route(
                &literal_route(&self.path),
                post(search).fallback(method_not_allowed),
            )
            .with_state(shared)
    }

    /// Binds `addr` and serves the router in a background task, until
    /// [`RunningConnector::shutdown`] or drop.
    ///
    /// # Errors
    ///
    /// If the address cannot be bound.
    pub async fn bind(
        self,
        addr: impl tokio::net::ToSocketAddrs,
    ) -> std::io::Result<RunningConnector> {
        let listener = TcpListener::bind(addr).await?;
        RunningConnector::start(listener, self.served(), &self.path, self.limits)
    }

    /// Serves the service alone on `listener`, within its
    /// [connection limits](Self::connection_limits), until the future is dropped (its task
    /// aborted). Accept errors are waited out (see [`serve_connections`]), so it never
    /// returns otherwise.
    pub async fn serve(self, listener: TcpListener) {
        serve_connections(listener, self.served(), self.limits).await;
    }
}

impl fmt::Debug for ConnectorService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("ConnectorService");
        debug
            .field("access", &self.access)
            .field("path", &self.path)
            .field("deadline", &self.deadline)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("limits", &self.limits);
        #[cfg(feature = "mcp")]
        debug.field("mcp", &self.mcp);
        debug.field("health", &self.health).finish_non_exhaustive()
    }
}

/// What every request of one router shares: the extractors read it as the router's state.
pub(crate) struct Shared {
    handler: Handler,
    /// The configured tokens' redactor, built once per router rather than per request.
    configured: Redactor,
    pub(crate) access: Access,
    pub(crate) max_body_bytes: usize,
}

impl Shared {
    /// Hides every token this search could echo, however short: the configured ones, and
    /// the caller's.
    pub(crate) fn redactor(&self, caller: &Caller) -> Cow<'_, Redactor> {
        match caller.user_token() {
            Some(token) => Cow::Owned(self.configured.clone().with_any_length(token)),
            None => Cow::Borrowed(&self.configured),
        }
    }

    /// The handler's search.
    pub(crate) fn run(&self, request: SearchRequest, caller: Caller) -> BoxedSearch {
        (self.handler)(request, caller)
    }
}

/// `path` as an axum route that matches it literally: braces would be parameters.
pub(crate) fn literal_route(path: &str) -> String {
    path.replace('{', "{{").replace('}', "}}")
}

/// A JSON 404 for any path, inside the kit's layers: merged into a router served alone.
pub(crate) fn not_found_router(deadline: Duration, max_body_bytes: usize) -> Router {
    layers::around(Router::new().fallback(not_found), deadline, max_body_bytes)
}

/// `path` with a leading `/`.
pub(crate) fn absolute(path: String) -> String {
    if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    }
}

/// Whether `path` is not yet routed (and from now on it is); an error is logged if it is.
fn is_free<'a>(taken: &mut Vec<&'a str>, path: &'a str, endpoint: &str) -> bool {
    if taken.contains(&path) {
        tracing::error!(
            path = %cohere_connectors::text::one_line(path, 120),
            "the {endpoint} endpoint is not served: another endpoint of the service has its path"
        );
        return false;
    }
    taken.push(path);
    true
}

/// `POST <path>`: the caller authenticated, the body read, the handler run.
async fn search(
    State(shared): State<Arc<Shared>>,
    Authorized(caller): Authorized,
    SearchInput(request): SearchInput,
) -> Response {
    let redactor = shared.redactor(&caller);
    match shared.run(request, caller).await {
        Ok(documents) => results(
            documents
                .into_iter()
                .map(|document| document.scrubbed(&redactor))
                .collect(),
        ),
        Err(failure) => failed(&failure, &redactor),
    }
}

fn failed(failure: &SearchFailure, redactor: &Redactor) -> Response {
    let status =
        StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Some(detail) = failure.detail() {
        tracing::warn!(
            status = status.as_u16(),
            detail = %redactor.clean(detail, SNIPPET_CHARS),
            "the connector's search failed"
        );
    }
    let text = redactor.clean(failure.message(), SNIPPET_CHARS);
    message(status, &text)
}
