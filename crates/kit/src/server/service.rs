//! [`ConnectorService`]: a search handler made into a connector endpoint.

use std::fmt;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tokio::net::TcpListener;

use super::access::{Access, Caller};
use super::failure::SearchFailure;
use super::running::RunningConnector;
use crate::{Document, SearchRequest, SearchResponse};
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
        }
    }

    /// Serves the search at `path` (default [`DEFAULT_PATH`]); a leading `/` is added if
    /// missing. Matched exactly, as given (no parameters or wildcards).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        let path = path.into();
        self.path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        self
    }

    /// Bounds each search, from the end of authentication to the answer, body read included
    /// (default [`DEFAULT_DEADLINE`]); past it the answer is 504.
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

    /// The path the search is served at.
    pub fn search_path(&self) -> &str {
        &self.path
    }

    /// The service as an axum router: `POST <path>` searches; any other method on it is 405,
    /// any other path 404, both with a JSON body. Merge or nest it into an application.
    pub fn router(&self) -> Router {
        Router::new()
            .fallback(dispatch)
            .with_state(Arc::new(self.clone()))
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
        RunningConnector::spawn(listener, self.router(), &self.path)
    }

    /// Serves the router on `listener` until the task is cancelled or accepting fails.
    ///
    /// # Errors
    ///
    /// When the listener fails.
    pub async fn serve(self, listener: TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    fn redactor(&self, caller: Option<&Caller>) -> Redactor {
        let mut redactor = Redactor::default();
        for secret in self.access.secrets() {
            redactor = redactor.with(secret);
        }
        if let Some(token) = caller.and_then(Caller::user_token) {
            redactor = redactor.with(token);
        }
        redactor
    }
}

impl fmt::Debug for ConnectorService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorService")
            .field("access", &self.access)
            .field("path", &self.path)
            .field("deadline", &self.deadline)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish_non_exhaustive()
    }
}

async fn dispatch(State(service): State<Arc<ConnectorService>>, request: Request) -> Response {
    let started = Instant::now();
    let response = answer(&service, request).await;
    tracing::debug!(
        status = response.status().as_u16(),
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "connector search answered"
    );
    response
}

async fn answer(service: &ConnectorService, request: Request) -> Response {
    if request.uri().path() != service.path {
        return message(StatusCode::NOT_FOUND, "no such endpoint");
    }
    if request.method() != Method::POST {
        let mut response = message(
            StatusCode::METHOD_NOT_ALLOWED,
            "the search endpoint takes POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return response;
    }
    let caller = match service.access.verify(request.headers()) {
        Ok(caller) => caller,
        Err(refusal) => {
            let mut response = message(StatusCode::UNAUTHORIZED, refusal.message());
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(service.access.challenge()),
            );
            return response;
        }
    };
    let redactor = service.redactor(Some(&caller));
    let work = AssertUnwindSafe(search(service, request, caller)).catch_unwind();
    match tokio::time::timeout(service.deadline, work).await {
        Ok(Ok(Ok(documents))) => results(documents),
        Ok(Ok(Err(failure))) => failed(&failure, &redactor),
        Ok(Err(_panic)) => {
            tracing::error!("the connector's search handler panicked");
            message(StatusCode::INTERNAL_SERVER_ERROR, "the search failed")
        }
        Err(_) => message(
            StatusCode::GATEWAY_TIMEOUT,
            &format!(
                "the search did not finish within {} ms",
                service.deadline.as_millis()
            ),
        ),
    }
}

/// Reads the request and runs the handler.
async fn search(
    service: &ConnectorService,
    request: Request,
    caller: Caller,
) -> Result<Vec<Document>, SearchFailure> {
    let form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| {
            value.split(';').next().is_some_and(|essence| {
                essence
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
        });
    let too_large = || {
        SearchFailure::new(
            413,
            format!(
                "the request body is larger than {} bytes",
                service.max_body_bytes
            ),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|length| {
        usize::try_from(length).map_or(true, |length| length > service.max_body_bytes)
    }) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), service.max_body_bytes)
        .collect()
        .await
        .map_err(|error| {
            if error.downcast_ref::<LengthLimitError>().is_some() {
                too_large()
            } else {
                SearchFailure::bad_request("the request body could not be read")
            }
        })?
        .to_bytes();
    let request = parse(&body, form)?;
    (service.handler)(request, caller).await
}

/// The request as JSON `{"query": "..."}`, or form-encoded `query=...` when declared so.
fn parse(body: &[u8], form: bool) -> Result<SearchRequest, SearchFailure> {
    let refusal = || SearchFailure::bad_request(r#"the body must be {"query": "<text>"}"#);
    if form {
        return url::form_urlencoded::parse(body)
            .find(|(key, _)| key == "query")
            .map(|(_, query)| SearchRequest::new(query))
            .ok_or_else(refusal);
    }
    serde_json::from_slice(body).map_err(|_| refusal())
}

fn results(documents: Vec<Document>) -> Response {
    match serde_json::to_vec(&SearchResponse::new(documents)) {
        Ok(body) => json(StatusCode::OK, body),
        Err(_) => message(StatusCode::INTERNAL_SERVER_ERROR, "the search failed"),
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

/// A JSON error body: `{"message": ...}`.
fn message(status: StatusCode, text: &str) -> Response {
    let body = serde_json::to_vec(&serde_json::json!({ "message": text })).unwrap_or_default();
    json(status, body)
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_as_json_or_declared_forms() {
        assert_eq!(parse(br#"{"query": "tea"}"#, false).unwrap().query, "tea");
        assert_eq!(
            parse(br#"{"query": "tea", "extra": 1}"#, false)
                .unwrap()
                .query,
            "tea"
        );
        assert_eq!(
            parse(b"query=green+tea&x=1", true).unwrap().query,
            "green tea"
        );
        for bad in [&b"{}"[..], b"[]", b"query=tea", br#"{"query": 5}"#, b"\xff"] {
            assert_eq!(parse(bad, false).unwrap_err().status(), 400);
        }
        assert_eq!(parse(b"q=tea", true).unwrap_err().status(), 400);
    }
}
