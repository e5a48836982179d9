//! What a search of a connector can end with.

use std::time::Duration;

/// Why searching a connector failed. `Display` is one line; text from the connector is
/// escaped, cut short, and scrubbed of the token the search sent.
///
/// ```
/// use cohere_connectors_kit::{ConnectorSearch, SearchError};
///
/// // Refused before anything is sent: connectors take no query string.
/// let error = ConnectorSearch::new("https://search.example.com/search?index=2").unwrap_err();
/// assert!(matches!(error, SearchError::InvalidUrl { .. }));
/// assert_eq!(
///     error.to_string(),
///     "invalid connector URL: a connector URL takes no query string (Cohere sends none)"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SearchError {
    /// The URL cannot be a connector's: not http(s), a query string, a fragment...
    #[error("invalid connector URL: {message}")]
    InvalidUrl {
        /// What is wrong with it.
        message: String,
    },
    /// The token cannot go in an `Authorization` header (empty, or not printable ASCII).
    #[error("invalid connector credentials: {message}")]
    InvalidCredentials {
        /// What is wrong with them (never the token).
        message: String,
    },
    /// The connector did not answer in time (Cohere gives up after 30 seconds).
    #[error("the connector did not answer within {} ms", after.as_millis())]
    Timeout {
        /// The time allowed.
        after: Duration,
    },
    /// No answer: the connection was refused, failed or broke off.
    #[error("the connector could not be reached: {message}")]
    Unreachable {
        /// What failed, as the HTTP client described it.
        message: String,
    },
    /// The connector answered with a redirect. Cohere calls the registered URL only:
    /// register the final one.
    #[error("the connector answered {status} with a redirect to {location}")]
    Redirect {
        /// The 3xx status.
        status: u16,
        /// Where it pointed (passwords hidden), or `(none)`.
        location: String,
    },
    /// The connector refused the token (401 or 403).
    #[error("the connector refused the credentials with {status}: {message}")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
        /// The connector's message, or the start of its body.
        message: String,
    },
    /// The connector answered with another error status.
    #[error("the connector answered {status}: {message}")]
    Status {
        /// The status.
        status: u16,
        /// The connector's message, or the start of its body.
        message: String,
    },
    /// The answer was larger than the search allows.
    #[error("the connector's answer is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// A successful answer that is not `{"results": [...]}` with string values.
    #[error("the connector's answer is not a search response: {reason}")]
    Malformed {
        /// What is wrong with it.
        reason: String,
    },
}

impl SearchError {
    /// The HTTP status the connector answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Redirect { status, .. }
            | Self::Unauthorized { status, .. }
            | Self::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether the same search may succeed later: timeouts, unreachable connectors, 408,
    /// 429 and 5xx answers.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Timeout { .. } | Self::Unreachable { .. } => true,
            Self::Status { status, .. } => matches!(status, 408 | 429 | 500..=599),
            _ => false,
        }
    }
}
