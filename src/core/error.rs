//! Everything a call can end with, as one enum.
//!
//! Every text an error holds that came from a server (messages, ids, bodies, decode reasons)
//! is cleaned when the error is built: control characters escaped, the client's secrets
//! replaced, length bounded. So `Display`, `Debug` and logs can show an error as it is.

use std::fmt;
use std::time::Duration;

use crate::Operation;
use crate::core::error_body::ErrorBody;
use crate::core::text::{Redactor, SNIPPET_CHARS, one_line};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from this crate. `Display` is one line that names the operation; no variant ever
/// contains the API key or another secret, and text from a server is shown escaped.
///
/// ```
/// use cohere_connectors::Error;
///
/// fn explain(error: &Error) -> String {
///     if error.is_not_found() {
///         "no such connector".into()
///     } else if error.is_rate_limited() {
///         "slow down".into()
///     } else if error.is_timeout() {
///         "timed out".into()
///     } else {
///         error.to_string()
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
/// # let client = emulator.client()?;
/// let error = client.connectors().get("missing").await.unwrap_err();
/// assert_eq!(explain(&error), "no such connector");
/// let error = client.connectors().get("..").await.unwrap_err();
/// assert!(explain(&error).starts_with("get-connector: invalid argument"));
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument was rejected before anything was sent.
    #[error("{operation}: invalid argument: {message}")]
    InvalidArgument {
        /// The operation the argument was for.
        operation: Operation,
        /// What is wrong with it.
        message: String,
    },
    /// The client could not be built: no API key, a base URL that is not one, plain HTTP to a
    /// remote host without `allow_insecure_http`...
    #[error("invalid client configuration: {message}")]
    Config {
        /// What is wrong.
        message: String,
    },
    /// The API answered with an error status.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// No usable answer arrived: the connection failed, timed out or broke off.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A successful status came with a body that does not match the API's types.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The server broke the API's rules in a way no single response shows: a page that
    /// repeats, more items than asked for, a redirect.
    #[error("{operation}: {message}")]
    Protocol {
        /// The operation that was running.
        operation: Operation,
        /// What happened.
        message: String,
    },
}

impl Error {
    /// The HTTP status of the response behind the error, if there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api(api) => Some(api.status()),
            Self::Decode(decode) => Some(decode.status()),
            _ => None,
        }
    }

    /// Whether trying again later may succeed: 408, 429 and 5xx statuses (except 501 Not
    /// Implemented) and transport errors. Never 400, 401, 403, 404, 422, 498 or 499.
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Api(api) => api.is_transient(),
            Self::Transport(_) => true,
            _ => false,
        }
    }

    /// Whether the API answered 404 Not Found (for an id: no such connector).
    pub fn is_not_found(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::NotFound)
    }

    /// Whether the API answered 429 Too Many Requests (after the retries the policy allows).
    pub fn is_rate_limited(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::TooManyRequests)
    }

    /// Whether the Connectors API is not available to this account any more (see
    /// [`ApiErrorKind::Retired`]): never retried.
    ///
    /// A 410 Gone on any operation is retired. A 404 on the collection (`GET`/`POST
    /// /v1/connectors`) is retired only when it can only be the API speaking, at the right
    /// URL:
    ///
    /// - the base URL is Cohere's own host (`api.cohere.com`, any `*.cohere.com` or
    ///   `*.cohere.ai`) with no path of its own: Cohere serves the API at the root, so the
    ///   path is right and the endpoint is gone for the account; or
    /// - the base URL is another host with no path of its own (a proxy, the emulator, a mock)
    ///   and the body is the API's JSON error as the spec documents it, a `message` and an
    ///   `id`.
    ///
    /// Any other 404 there (a base URL with a path prefix, which a wrong `CO_API_URL` gives as
    /// readily as a proxy does; an HTML page; a mock that matched nothing, whose body has no
    /// `id`) is [`is_not_found`](Self::is_not_found), and its message says to check the base
    /// URL. A second request to confirm was ruled out: it would need an endpoint outside the
    /// Connectors API, which proxies, the emulator and mocks do not serve.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> cohere_connectors::Result<()> {
    /// # use httpmock::MockServer;
    /// # let server = MockServer::start_async().await;
    /// # server.mock(|when, then| { when.path("/v1/connectors"); then.status(404).json_body(serde_json::json!({"message": "Not Found", "id": "e-1"})); });
    /// # let client = cohere_connectors::Client::builder().api_key("key").base_url(server.base_url()).build()?;
    /// let error = client.connectors().list().send().await.unwrap_err();
    /// assert!(error.is_retired() && !error.is_retryable());
    /// assert!(error.to_string().starts_with(
    ///     "list-connectors: 404 Not Found: the Connectors API is not available to this account"
    /// ));
    ///
    /// // The same server under a wrong path prefix: not the API's answer.
    /// # let wrong = format!("{}/wrong", server.base_url());
    /// let client = cohere_connectors::Client::builder().api_key("key").base_url(wrong).build()?;
    /// let error = client.connectors().list().send().await.unwrap_err();
    /// assert!(error.is_not_found() && !error.is_retired());
    /// assert!(error.to_string().contains("check CO_API_URL"), "{error}");
    /// # Ok(()) }
    /// ```
    pub fn is_retired(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::Retired)
    }

    /// Whether the API refused the key: 401 Unauthorized.
    pub fn is_unauthorized(&self) -> bool {
        self.api_kind() == Some(ApiErrorKind::Unauthorized)
    }

    /// Whether the call ran out of time (an attempt's timeout or the overall deadline).
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Transport(transport) if transport.is_timeout())
    }

    /// Whether the error was raised before anything was sent (a bad argument or
    /// configuration).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Self::InvalidArgument { .. } | Self::Config { .. })
    }

    fn api_kind(&self) -> Option<ApiErrorKind> {
        match self {
            Self::Api(api) => Some(api.kind()),
            _ => None,
        }
    }

    /// The operation the error comes from (none for a configuration error).
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::InvalidArgument { operation, .. } | Self::Protocol { operation, .. } => {
                Some(*operation)
            }
            Self::Api(api) => Some(api.operation()),
            Self::Transport(transport) => Some(transport.operation()),
            Self::Decode(decode) => Some(decode.operation()),
            Self::Config { .. } => None,
        }
    }

    pub(crate) fn invalid(operation: Operation, message: impl Into<String>) -> Self {
        Self::InvalidArgument {
            operation,
            message: message.into(),
        }
    }

    pub(crate) fn config(message: impl Into<String>) -> Self {
        Self::Config {
            message: message.into(),
        }
    }

    pub(crate) fn protocol(operation: Operation, message: impl Into<String>) -> Self {
        Self::Protocol {
            operation,
            message: message.into(),
        }
    }

    /// Records how many attempts the call made, for the errors that report it.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        match &mut self {
            Self::Api(api) => api.0.attempts = attempts,
            Self::Transport(transport) => transport.0.attempts = attempts,
            _ => {}
        }
        self
    }
}

/// Which of the API's documented errors a status is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 400: the request is malformed or an invalid combination.
    BadRequest,
    /// 401: no API key, or one the API does not accept.
    Unauthorized,
    /// 403: the key may not do this.
    Forbidden,
    /// 404: no such connector (or endpoint).
    NotFound,
    /// 422: well-formed but unprocessable.
    UnprocessableEntity,
    /// 429: rate limited.
    TooManyRequests,
    /// 498: the request or response contains a deny-listed token.
    InvalidToken,
    /// 499: the request was cancelled.
    ClientClosedRequest,
    /// 500
    InternalServerError,
    /// 501
    NotImplemented,
    /// 503
    ServiceUnavailable,
    /// 504
    GatewayTimeout,
    /// The Connectors API is not available to this account: 410 Gone on any operation, or a
    /// 404 on the collection (`GET`/`POST /v1/connectors`) that only the API can have sent
    /// (see [`Error::is_retired`] for the rule). Cohere deprecated the API on 2025-09-15 and
    /// retires it account by account; trying again will not help. See the crate's migration
    /// guide (connectors to Chat v2 tools). A 404 on one connector's id stays
    /// [`NotFound`](Self::NotFound).
    Retired,
    /// A status the API does not document (a proxy's 502, a 408...); see [`ApiError::status`].
    Other,
}

/// What a retired API error says after the server's own words.
const RETIRED_ADVICE: &str = "the Connectors API is not available to this account \
(Cohere deprecated it on 2025-09-15 and retires it account by account); export the \
connectors and move them to Chat v2 tools: see the migration guide of cohere-connectors";

/// What follows the status of a 404 on the collection that is not the API's answer.
const NOT_FOUND_HINT: &str = "no Connectors API answers at this base URL: check CO_API_URL \
(or the base URL given to the client) and its path; through a proxy of Cohere's API, it can \
also mean the API is retired for this account";

impl ApiErrorKind {
    /// The kind of `status` answered to `operation`, from the status alone: as
    /// [`from_status`](Self::from_status), except that a 410 means the API is
    /// [`Retired`](Self::Retired) for the account. Whether a 404 on the collection is
    /// retirement too depends on who answered it ([`Error::is_retired`]);
    /// [`ApiError::kind`] has the whole answer.
    pub fn of(_operation: Operation, status: u16) -> Self {
        match status {
            410 => Self::Retired,
            _ => Self::from_status(status),
        }
    }

    /// The kind of an HTTP status.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => Self::BadRequest,
            401 => Self::Unauthorized,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            422 => Self::UnprocessableEntity,
            429 => Self::TooManyRequests,
            498 => Self::InvalidToken,
            499 => Self::ClientClosedRequest,
            500 => Self::InternalServerError,
            501 => Self::NotImplemented,
            503 => Self::ServiceUnavailable,
            504 => Self::GatewayTimeout,
            _ => Self::Other,
        }
    }
}

/// What a 404 on the collection means, for the server behind a base URL (see
/// [`Error::is_retired`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retirement {
    /// Cohere's own host, at its root: the path is right, so the endpoint is gone.
    Cohere,
    /// Another host at its root: the API's answer only when the body is the API's error.
    IfApiBody,
    /// A base URL with a path of its own: a wrong prefix answers 404 as readily.
    Never,
}

impl Retirement {
    /// The rule for requests to `base_url` (as the client normalised it: no trailing `/` or
    /// `/v1`).
    pub(crate) fn for_base_url(base_url: &url::Url) -> Self {
        if !matches!(base_url.path(), "" | "/") {
            return Self::Never;
        }
        let cohere = base_url.host_str().is_some_and(|host| {
            let host = host.trim_end_matches('.').to_ascii_lowercase();
            ["cohere.com", "cohere.ai"].iter().any(|domain| {
                host == *domain
                    || host
                        .strip_suffix(domain)
                        .is_some_and(|sub| sub.ends_with('.'))
            })
        });
        if cohere {
            Self::Cohere
        } else {
            Self::IfApiBody
        }
    }

    fn says_retired(self, body: &[u8], complete: bool) -> bool {
        match self {
            Self::Cohere => true,
            Self::IfApiBody => complete && crate::core::error_body::is_api_error(body),
            Self::Never => false,
        }
    }
}

/// Whether `operation` is one on the collection, where a 404 says something about the API
/// rather than about one connector.
fn on_collection(operation: Operation) -> bool {
    matches!(
        operation,
        Operation::ListConnectors | Operation::CreateConnector
    )
}

/// The API answered with an error status.
///
/// ```
/// use cohere_connectors::{ApiErrorKind, Error};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
/// # let client = emulator.client()?;
/// match client.connectors().get("missing").await {
///     Err(Error::Api(api)) if api.kind() == ApiErrorKind::NotFound => {
///         assert_eq!(api.status(), 404);
///         assert_eq!(api.message(), Some("connector not found"));
///         println!("{api} (error id {:?})", api.id());
///     }
///     other => panic!("expected a 404, got {other:?}"),
/// }
/// # Ok(()) }
/// ```
pub struct ApiError(Box<ApiErrorDetails>);

struct ApiErrorDetails {
    operation: Operation,
    status: u16,
    kind: ApiErrorKind,
    body: ErrorBody,
    retry_after: Option<Duration>,
    attempts: u32,
}

impl ApiError {
    /// An error for `status` whose body (`complete`: all of it, or only its start) is read
    /// by [`ErrorBody::parse`]; `redactor` cleans what is kept. `retirement` is what a 404 on
    /// the collection means from the server that answered.
    pub(crate) fn from_body(
        operation: Operation,
        status: u16,
        retry_after: Option<Duration>,
        body: &[u8],
        complete: bool,
        retirement: Retirement,
        redactor: &Redactor,
    ) -> Self {
        let kind = match status {
            404 if on_collection(operation) && retirement.says_retired(body, complete) => {
                ApiErrorKind::Retired
            }
            _ => ApiErrorKind::of(operation, status),
        };
        Self(Box::new(ApiErrorDetails {
            operation,
            status,
            kind,
            body: ErrorBody::parse(body, complete, redactor),
            retry_after,
            attempts: 1,
        }))
    }

    /// The operation that failed.
    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Which documented error the status is (for a 404 on the collection, also from who
    /// answered it: see [`Error::is_retired`]).
    pub fn kind(&self) -> ApiErrorKind {
        self.0.kind
    }

    /// The API's message, when the body is the API's JSON error (`message`, or `data` in
    /// older versions of the API), with control characters escaped and this client's secrets
    /// replaced by `[redacted]`.
    pub fn message(&self) -> Option<&str> {
        self.0.body.message.as_deref()
    }

    /// The API's error `id`, when the body carries one (cleaned like
    /// [`message`](Self::message)).
    pub fn id(&self) -> Option<&str> {
        self.0.body.id.as_deref()
    }

    /// The start of the body as text (at most 1024 characters, cleaned like
    /// [`message`](Self::message)) when it is not the API's JSON error, such as the HTML
    /// page of a proxy.
    pub fn body(&self) -> Option<&str> {
        self.0.body.text.as_deref()
    }

    /// How long the server asked to wait (`Retry-After` or `X-RateLimit-Reset`), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        self.0.retry_after
    }

    /// How many times the request was sent before this answer.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// Whether the status says "try again later": 408, 429, 500, 502, 503, 504.
    pub fn is_transient(&self) -> bool {
        matches!(self.0.status, 408 | 429 | 500 | 502 | 503 | 504)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        f.debug_struct("ApiError")
            .field("operation", &details.operation)
            .field("status", &details.status)
            .field("message", &details.body.message)
            .field("id", &details.body.id)
            .field("body", &details.body.text)
            .field("retry_after", &details.retry_after)
            .field("attempts", &details.attempts)
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        write!(f, "{}: {}", details.operation, status_line(details.status))?;
        match details.kind {
            ApiErrorKind::Retired => write!(f, ": {RETIRED_ADVICE}")?,
            ApiErrorKind::NotFound if on_collection(details.operation) => {
                write!(f, ": {NOT_FOUND_HINT}")?;
            }
            _ => {}
        }
        let said = details
            .body
            .message
            .as_deref()
            .or(details.body.text.as_deref());
        if let Some(said) = said.filter(|said| !said.is_empty()) {
            write!(f, ": {}", one_line(said, SNIPPET_CHARS))?;
        }
        if let Some(id) = &details.body.id {
            write!(f, " (id {id})")?;
        }
        write_attempts(f, details.attempts)
    }
}

impl std::error::Error for ApiError {}

/// No usable answer arrived: the connection failed, timed out, or broke off mid-response.
///
/// ```
/// use cohere_connectors::{Client, Error};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// // Nothing listens on this port: the connection is refused.
/// let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
/// let client = Client::builder()
///     .api_key("k")
///     .base_url(format!("http://127.0.0.1:{port}"))
///     .max_retries(0)
///     .build()?;
/// match client.connectors().list().await {
///     Err(Error::Transport(transport)) => {
///         assert!(transport.is_connect(), "the server never saw the request");
///         assert!(!transport.is_timeout());
///         assert_eq!(transport.attempts(), 1);
///     }
///     other => panic!("expected a transport error, got {other:?}"),
/// }
/// # Ok(()) }
/// ```
pub struct TransportError(Box<TransportErrorDetails>);

struct TransportErrorDetails {
    operation: Operation,
    kind: TransportKind,
    /// What went wrong, cleaned: our own words, or the deepest cause of the source.
    detail: String,
    source: Option<reqwest::Error>,
    attempts: u32,
}

/// What kind of transport failure happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// The connection could not be made; the server never saw the request.
    Connect,
    /// No complete answer within the time allowed.
    Timeout,
    /// The request failed on the way out or before a response began.
    Request,
    /// The response began but its body could not be read.
    Body,
}

impl TransportError {
    /// An error described in our own words.
    pub(crate) fn new(
        operation: Operation,
        kind: TransportKind,
        detail: impl Into<String>,
    ) -> Self {
        Self(Box::new(TransportErrorDetails {
            operation,
            kind,
            detail: detail.into(),
            source: None,
            attempts: 1,
        }))
    }

    /// An error from reqwest. Its URL is dropped (the operation names the endpoint, and a URL
    /// can be long or carry what a caller put in an id), and the deepest cause is kept as
    /// cleaned text.
    pub(crate) fn from_reqwest(
        operation: Operation,
        kind: TransportKind,
        error: reqwest::Error,
        redactor: &Redactor,
    ) -> Self {
        let error = error.without_url();
        let detail = redactor.clean(&innermost_cause(&error), SNIPPET_CHARS);
        Self(Box::new(TransportErrorDetails {
            operation,
            kind,
            detail,
            source: Some(error),
            attempts: 1,
        }))
    }

    /// The operation that failed.
    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// Whether the call ran out of time (per attempt, or the overall deadline).
    pub fn is_timeout(&self) -> bool {
        self.0.kind == TransportKind::Timeout
    }

    /// Whether no connection could be made, so the server never saw the request.
    pub fn is_connect(&self) -> bool {
        self.0.kind == TransportKind::Connect
    }

    /// Whether the response began but its body broke off.
    pub fn is_body(&self) -> bool {
        self.0.kind == TransportKind::Body
    }

    /// How many times the request was sent.
    pub fn attempts(&self) -> u32 {
        self.0.attempts
    }
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        f.debug_struct("TransportError")
            .field("operation", &details.operation)
            .field("kind", &details.kind)
            .field("detail", &details.detail)
            .field("attempts", &details.attempts)
            .finish()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        let what = match details.kind {
            TransportKind::Connect => "could not connect",
            TransportKind::Timeout => "timed out",
            TransportKind::Request => "the request failed",
            TransportKind::Body => "reading the response failed",
        };
        write!(f, "{}: {what}", details.operation)?;
        if !details.detail.is_empty() {
            write!(f, ": {}", details.detail)?;
        }
        write_attempts(f, details.attempts)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0
            .source
            .as_ref()
            .map(|source| source as &(dyn std::error::Error + 'static))
    }
}

/// A successful status came with a body that is not what the API's types say.
///
/// ```
/// use cohere_connectors::Error;
///
/// fn report(error: &Error) {
///     if let Error::Decode(decode) = error {
///         eprintln!("{} answered {}: {} (body starts {:?})",
///             decode.operation(), decode.status(), decode.reason(), decode.snippet());
///     }
/// }
/// ```
pub struct DecodeError(Box<DecodeErrorDetails>);

struct DecodeErrorDetails {
    operation: Operation,
    status: u16,
    reason: String,
    snippet: String,
}

impl DecodeError {
    /// `reason` may quote the body (serde's messages do): it is cleaned like the snippet.
    pub(crate) fn new(
        operation: Operation,
        status: u16,
        reason: &str,
        body: &[u8],
        redactor: &Redactor,
    ) -> Self {
        Self(Box::new(DecodeErrorDetails {
            operation,
            status,
            reason: redactor.clean(reason, SNIPPET_CHARS),
            snippet: redactor.clean_bytes(body, SNIPPET_CHARS, true),
        }))
    }

    /// The operation whose response could not be decoded.
    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Why the body does not fit (cleaned: it may quote the body).
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The start of the body, as cleaned text.
    pub fn snippet(&self) -> &str {
        &self.0.snippet
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        f.debug_struct("DecodeError")
            .field("operation", &details.operation)
            .field("status", &details.status)
            .field("reason", &details.reason)
            .field("snippet", &details.snippet)
            .finish()
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        write!(
            f,
            "{}: the {} response does not match the API: {}",
            details.operation, details.status, details.reason
        )?;
        if !details.snippet.is_empty() {
            write!(f, "; body: {}", details.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

fn status_line(status: u16) -> String {
    match http::StatusCode::from_u16(status)
        .ok()
        .and_then(|status| status.canonical_reason())
    {
        Some(reason) => format!("{status} {reason}"),
        None => status.to_string(),
    }
}

fn write_attempts(f: &mut fmt::Formatter<'_>, attempts: u32) -> fmt::Result {
    if attempts > 1 {
        write!(f, " (after {attempts} attempts)")?;
    }
    Ok(())
}

/// The deepest cause of a reqwest error: "connection refused" rather than "error sending
/// request".
pub fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16, body: &str, attempts: u32) -> Error {
        let error = ApiError::from_body(
            Operation::GetConnector,
            status,
            None,
            body.as_bytes(),
            true,
            Retirement::Cohere,
            &Redactor::default(),
        );
        Error::Api(error).with_attempts(attempts)
    }

    #[test]
    fn api_errors_read_as_one_line() {
        assert_eq!(
            api_error(
                404,
                r#"{"message": "connector\nnot found", "id": "req-1"}"#,
                1
            )
            .to_string(),
            "get-connector: 404 Not Found: connector not found (id req-1)"
        );
        assert_eq!(
            api_error(502, "<html>\n<b>bad gateway</b></html>", 3).to_string(),
            "get-connector: 502 Bad Gateway: <html> <b>bad gateway</b></html> (after 3 attempts)"
        );
        assert_eq!(api_error(498, "", 1).to_string(), "get-connector: 498");
    }

    #[test]
    fn debug_names_public_types_only() {
        let text = format!("{:?}", api_error(404, r#"{"message": "gone"}"#, 1));
        assert_eq!(
            text,
            r#"Api(ApiError { operation: GetConnector, status: 404, message: Some("gone"), id: None, body: None, retry_after: None, attempts: 1 })"#
        );
    }

    #[test]
    fn predicates() {
        assert!(api_error(404, "", 1).is_not_found());
        assert!(api_error(429, "", 1).is_rate_limited());
        assert!(api_error(401, "", 1).is_unauthorized());
        assert!(!api_error(500, "", 1).is_not_found());
        let timeout = Error::Transport(TransportError::new(
            Operation::ListConnectors,
            TransportKind::Timeout,
            "slow",
        ));
        assert!(timeout.is_timeout() && timeout.is_retryable());
        assert!(Error::config("x").is_invalid_input());
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(api_error(status, "", 1).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 422, 498, 499, 501] {
            assert!(!api_error(status, "", 1).is_retryable(), "{status}");
        }
    }

    #[test]
    fn who_answers_decides_what_a_404_on_the_collection_means() {
        let rule = |url: &str| Retirement::for_base_url(&url::Url::parse(url).unwrap());
        for cohere in [
            "https://api.cohere.com/",
            "https://API.Cohere.com",
            "https://api.cohere.com./",
            "https://eu.api.cohere.ai/",
            "https://cohere.ai",
        ] {
            assert_eq!(rule(cohere), Retirement::Cohere, "{cohere}");
        }
        for other in [
            "http://127.0.0.1:8080/",
            "https://notcohere.com/",
            "https://api.cohere.com.evil.example/",
            "https://cohere.company.example/",
        ] {
            assert_eq!(rule(other), Retirement::IfApiBody, "{other}");
        }
        for prefixed in ["https://api.cohere.com/v2", "http://localhost:8080/cohere"] {
            assert_eq!(rule(prefixed), Retirement::Never, "{prefixed}");
        }
    }

    #[test]
    fn errors_stay_small() {
        assert!(std::mem::size_of::<Error>() <= 40);
    }
}
