//! Everything a call can end with, as one enum.

use std::fmt;
use std::time::Duration;

use crate::Operation;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// How many characters of a body an error keeps for its message.
const SNIPPET_CHARS: usize = 200;

/// An error from this crate. `Display` is one line that names the operation; no variant ever
/// contains the API key or another secret.
///
/// ```
/// use cohere_connectors::{ApiErrorKind, Error};
///
/// fn explain(error: &Error) -> String {
///     match error {
///         Error::Api(api) if api.kind() == ApiErrorKind::NotFound => "no such connector".into(),
///         Error::Api(api) => format!("the API said {}", api.status()),
///         Error::Transport(transport) if transport.is_timeout() => "timed out".into(),
///         other => other.to_string(),
///     }
/// }
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
    /// repeats, more items than asked for.
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
    /// A status the API does not document (a proxy's 502, a 408...); see [`ApiError::status`].
    Other,
}

impl ApiErrorKind {
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

/// The API answered with an error status.
pub struct ApiError(Box<ApiErrorDetails>);

#[derive(Debug)]
pub(crate) struct ApiErrorDetails {
    pub operation: Operation,
    pub status: u16,
    pub message: Option<String>,
    pub id: Option<String>,
    pub body: Option<String>,
    pub retry_after: Option<Duration>,
    pub attempts: u32,
}

impl ApiError {
    pub(crate) fn new(details: ApiErrorDetails) -> Self {
        Self(Box::new(details))
    }

    /// The operation that failed.
    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Which documented error the status is.
    pub fn kind(&self) -> ApiErrorKind {
        ApiErrorKind::from_status(self.0.status)
    }

    /// The API's `message`, when the body is the API's JSON error.
    pub fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The API's error `id`, when the body is the API's JSON error.
    pub fn id(&self) -> Option<&str> {
        self.0.id.as_deref()
    }

    /// The body as text (its first few KiB) when it is not the API's JSON error, such as the
    /// HTML page of a proxy.
    pub fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
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
        self.0.fmt(f)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        write!(f, "{}: {}", details.operation, status_line(details.status))?;
        match (&details.message, &details.body) {
            (Some(message), _) => write!(f, ": {}", one_line(message))?,
            (None, Some(body)) if !body.trim().is_empty() => write!(f, ": {}", one_line(body))?,
            _ => {}
        }
        if let Some(id) = &details.id {
            write!(f, " (id {id})")?;
        }
        write_attempts(f, details.attempts)
    }
}

impl std::error::Error for ApiError {}

/// No usable answer arrived: the connection failed, timed out, or broke off mid-response.
pub struct TransportError(Box<TransportErrorDetails>);

#[derive(Debug)]
pub(crate) struct TransportErrorDetails {
    pub operation: Operation,
    pub kind: TransportKind,
    pub detail: Option<String>,
    pub source: Option<reqwest::Error>,
    pub attempts: u32,
}

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
    pub(crate) fn new(details: TransportErrorDetails) -> Self {
        Self(Box::new(details))
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
        self.0.fmt(f)
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
        if let Some(detail) = &details.detail {
            write!(f, ": {detail}")?;
        } else if let Some(source) = &details.source {
            write!(f, ": {}", innermost_cause(source))?;
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
pub struct DecodeError(Box<DecodeErrorDetails>);

#[derive(Debug)]
pub(crate) struct DecodeErrorDetails {
    pub operation: Operation,
    pub status: u16,
    pub reason: String,
    pub snippet: String,
}

impl DecodeError {
    pub(crate) fn new(details: DecodeErrorDetails) -> Self {
        Self(Box::new(details))
    }

    /// The operation whose response could not be decoded.
    pub fn operation(&self) -> Operation {
        self.0.operation
    }

    /// The HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Why the body does not fit.
    pub fn reason(&self) -> &str {
        &self.0.reason
    }

    /// The start of the body, as text.
    pub fn snippet(&self) -> &str {
        &self.0.snippet
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let details = &self.0;
        write!(
            f,
            "{}: the {} response does not match the API: {}",
            details.operation,
            details.status,
            one_line(&details.reason)
        )?;
        if !details.snippet.is_empty() {
            write!(f, "; body: {}", one_line(&details.snippet))?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

fn status_line(status: u16) -> String {
    match reqwest::StatusCode::from_u16(status)
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
fn innermost_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// Text squeezed onto one line and cut to [`SNIPPET_CHARS`] characters.
pub(crate) fn one_line(text: &str) -> String {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match squeezed.char_indices().nth(SNIPPET_CHARS) {
        Some((cut, _)) => format!("{}…", &squeezed[..cut]),
        None => squeezed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api_error(status: u16, message: Option<&str>, body: Option<&str>, attempts: u32) -> Error {
        Error::Api(ApiError::new(ApiErrorDetails {
            operation: Operation::GetConnector,
            status,
            message: message.map(str::to_owned),
            id: Some("req-1".into()),
            body: body.map(str::to_owned),
            retry_after: None,
            attempts,
        }))
    }

    #[test]
    fn api_errors_read_as_one_line() {
        assert_eq!(
            api_error(404, Some("connector\nnot found"), None, 1).to_string(),
            "get-connector: 404 Not Found: connector not found (id req-1)"
        );
        assert_eq!(
            api_error(502, None, Some("<html>\n<b>bad gateway</b></html>"), 3).to_string(),
            "get-connector: 502 Bad Gateway: <html> <b>bad gateway</b></html> (id req-1) (after 3 attempts)"
        );
        assert_eq!(
            api_error(498, None, None, 1).to_string(),
            "get-connector: 498 (id req-1)"
        );
    }

    #[test]
    fn retryable_statuses() {
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(api_error(status, None, None, 1).is_retryable(), "{status}");
        }
        for status in [400, 401, 403, 404, 422, 498, 499, 501] {
            assert!(!api_error(status, None, None, 1).is_retryable(), "{status}");
        }
    }

    #[test]
    fn long_text_is_cut() {
        let long = "x".repeat(1000);
        assert_eq!(one_line(&long).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn errors_stay_small() {
        assert!(std::mem::size_of::<Error>() <= 40);
    }
}
