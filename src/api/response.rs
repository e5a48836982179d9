//! A call's value together with what the response said about it: status, headers, the
//! rate-limit headers, a request id, and how many attempts it took. Every request builder
//! offers it with `send_with_meta()`; retries still apply.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = cohere_connectors_emulator::Emulator::builder().seed(2).start().await?;
//! # let client = emulator.client()?;
//! let answer = client.connectors().list().limit(1).send_with_meta().await?;
//! println!(
//!     "status {}, request id {:?}, rate limit {:?}, after {} attempt(s)",
//!     answer.meta().status(),
//!     answer.meta().request_id(),
//!     answer.meta().rate_limit(),
//!     answer.meta().attempts(),
//! );
//! let page = answer.into_value();
//! assert_eq!(page.connectors.len(), 1);
//! # Ok(()) }
//! ```

use std::ops::Deref;
use std::time::Duration;

use http::HeaderMap;

/// Headers that carry a request id, in the order they are looked for.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "request-id",
    "x-trace-id",
    "x-debug-trace-id",
];

/// A value and the metadata of the response that carried it. Derefs to the value.
#[derive(Clone, Debug)]
pub struct Response<T> {
    value: T,
    meta: ResponseMeta,
}

impl<T> Response<T> {
    pub(crate) fn new(value: T, meta: ResponseMeta) -> Self {
        Self { value, meta }
    }

    /// The value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The value, without the metadata.
    pub fn into_value(self) -> T {
        self.value
    }

    /// What the response said.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The value and the metadata.
    pub fn into_parts(self) -> (T, ResponseMeta) {
        (self.value, self.meta)
    }

    /// Records how many attempts the call took.
    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.meta = self.meta.with_attempts(attempts);
        self
    }

    /// The same metadata with another value (the connector inside an envelope, say).
    pub(crate) fn map<U>(self, map: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: map(self.value),
            meta: self.meta,
        }
    }
}

impl<T> Deref for Response<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// What the successful response of a call said about it.
#[derive(Clone, Debug)]
pub struct ResponseMeta {
    status: u16,
    headers: HeaderMap,
    attempts: u32,
}

impl ResponseMeta {
    pub(crate) fn new(status: u16, headers: HeaderMap) -> Self {
        Self {
            status,
            headers,
            attempts: 1,
        }
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The HTTP status (200 for the API's documented answers; a delete may see 204).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Every header of the response.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request id the server sent, from the first of `X-Request-Id`, `Request-Id`,
    /// `X-Trace-Id` and `X-Debug-Trace-Id` present (as text; quote it to support).
    pub fn request_id(&self) -> Option<&str> {
        REQUEST_ID_HEADERS
            .iter()
            .find_map(|name| self.headers.get(*name)?.to_str().ok())
    }

    /// The rate-limit headers (`X-RateLimit-Limit`, `-Remaining`, `-Reset`), when any is
    /// present.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        let number = |name: &str| -> Option<u64> {
            self.headers.get(name)?.to_str().ok()?.trim().parse().ok()
        };
        let limit = number("x-ratelimit-limit");
        let remaining = number("x-ratelimit-remaining");
        let reset = crate::http::retry::rate_limit_reset(&self.headers);
        (limit.is_some() || remaining.is_some() || reset.is_some()).then_some(RateLimit {
            limit,
            remaining,
            reset,
        })
    }

    /// How many attempts the call took (more than one when it was retried).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

/// The rate limit a response reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// How many requests the window allows.
    pub limit: Option<u64>,
    /// How many are left in it.
    pub remaining: Option<u64>,
    /// How long until the window resets.
    pub reset: Option<Duration>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&'static str, &str)]) -> ResponseMeta {
        let headers = pairs
            .iter()
            .map(|(name, value)| (http::HeaderName::from_static(name), value.parse().unwrap()))
            .collect();
        ResponseMeta::new(200, headers)
    }

    #[test]
    fn request_ids_and_rate_limits_are_read_when_present() {
        let meta = meta(&[
            ("x-trace-id", "trace-1"),
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-remaining", "42"),
            ("x-ratelimit-reset", "30"),
        ]);
        assert_eq!(meta.request_id(), Some("trace-1"));
        assert_eq!(
            meta.rate_limit(),
            Some(RateLimit {
                limit: Some(100),
                remaining: Some(42),
                reset: Some(Duration::from_secs(30)),
            })
        );
        let bare = super::tests::meta(&[]);
        assert_eq!((bare.request_id(), bare.rate_limit()), (None, None));
        assert_eq!(bare.attempts(), 1);
    }
}
