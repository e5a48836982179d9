//! How a search handler says it failed.

use std::fmt;

/// A search that failed, as the handler reports it: a status and a message for the caller,
/// and for unexpected errors a detail that is logged (tokens scrubbed) but never sent.
///
/// Any `std::error::Error` converts into one (a 500 whose detail is the error), so a handler
/// can use `?` on its data source's errors; the constructors choose the status and message.
///
/// ```
/// use cohere_connectors_kit::server::SearchFailure;
///
/// fn lookup(index: &str) -> Result<Vec<u8>, SearchFailure> {
///     let bytes = std::fs::read(index)?; // a 500 "the search failed"; the io error is logged
///     Ok(bytes)
/// }
/// let failure = lookup("/no/such/index").unwrap_err();
/// assert_eq!(failure.status(), 500);
/// assert_eq!(failure.message(), "the search failed");
///
/// let refused = SearchFailure::unauthorized("the data source refused the user's token");
/// assert_eq!(refused.status(), 401);
/// ```
pub struct SearchFailure {
    status: u16,
    message: String,
    detail: Option<String>,
}

impl SearchFailure {
    /// A failure answered with `status` (400 to 599; anything else becomes 500) and
    /// `message`, which the caller sees: no secrets in it.
    pub fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status: if (400..=599).contains(&status) {
                status
            } else {
                500
            },
            message: message.into(),
            detail: None,
        }
    }

    /// 400: the request cannot be searched (a query the data source cannot parse, say).
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 401: the data source refused the user's token (expired, revoked): Cohere shows the
    /// user that they must authorize again.
    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// 503: the data source is down or overloaded; trying later may work.
    pub fn unavailable(message: impl Into<String>) -> Self {
        Self::new(503, message)
    }

    /// 500 with a generic message; `detail` is logged, not sent.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self {
            status: 500,
            message: "the search failed".to_owned(),
            detail: Some(detail.to_string()),
        }
    }

    /// The status answered.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The message answered.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// What is logged beyond the message (an internal error's text).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }
}

impl<E: std::error::Error + Send + Sync + 'static> From<E> for SearchFailure {
    fn from(error: E) -> Self {
        Self::internal(error)
    }
}

impl fmt::Debug for SearchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchFailure")
            .field("status", &self.status)
            .field("message", &self.message)
            .field("detail", &self.detail)
            .finish()
    }
}

impl fmt::Display for SearchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status, self.message)?;
        if let Some(detail) = &self.detail {
            write!(f, " ({detail})")?;
        }
        Ok(())
    }
}
