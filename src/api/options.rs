//! Settings for one call, over the client's: a timeout, a deadline, a retry budget, extra
//! headers. Every request builder has them:
//!
//! ```
//! use std::time::Duration;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let emulator = cohere_connectors_emulator::Emulator::builder().seed(1).start().await?;
//! # let client = emulator.client()?;
//! let page = client
//!     .connectors()
//!     .list()
//!     .timeout(Duration::from_secs(5)) // per attempt, for this call only
//!     .max_retries(0)                  // no retries for this call
//!     .header("x-request-origin", "nightly-sync")
//!     .await?;
//! # assert_eq!(page.connectors.len(), 1);
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::client::CallConfig;
use crate::http::transport::CallOverrides;
use crate::{Error, Operation, Result};

/// Headers a call may not set: the client's authentication, and what HTTP itself decides.
const RESERVED_HEADERS: &[&str] = &[
    "authorization",
    "host",
    "content-length",
    "content-type",
    "transfer-encoding",
    "connection",
];

/// Settings for one call; see [`crate::connectors`] for the builder methods that set them.
#[derive(Clone, Default)]
pub struct RequestOptions {
    timeout: Option<Duration>,
    deadline: Option<Duration>,
    max_retries: Option<u32>,
    /// As given: checked when the call is sent, so that a bad one is an
    /// [`Error::InvalidArgument`] of that call.
    headers: Vec<(String, String)>,
}

impl RequestOptions {
    /// No settings: the client's apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long each attempt of this call may take (the client's `timeout` otherwise).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// A bound on the whole call, retries and waits included (the client's `deadline`
    /// otherwise).
    #[must_use]
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many times this call may be retried (the client's `max_retries` otherwise).
    #[must_use]
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.max_retries = Some(max_retries);
        self
    }

    /// A header sent with this call (over a header of the same name the client sends, such
    /// as `X-Client-Name`). `Authorization`, `Host`, `Content-Length`, `Content-Type`,
    /// `Transfer-Encoding` and `Connection` cannot be set.
    #[must_use]
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// `options` in place of these: what a builder's `options(..)` does, under the name the
    /// builders' setters share (see `call_settings!`).
    pub(crate) fn options(self, options: RequestOptions) -> Self {
        options
    }

    /// The call's settings over the client's `config`, and what the transport must change
    /// for it; `None` when nothing changes there.
    pub(crate) fn apply(
        &self,
        operation: Operation,
        config: &CallConfig,
    ) -> Result<(CallConfig, Option<Arc<CallOverrides>>)> {
        let mut config = config.clone();
        if let Some(deadline) = self.deadline {
            if deadline.is_zero() {
                return Err(Error::invalid(
                    operation,
                    "the deadline must be longer than zero",
                ));
            }
            config.deadline = Some(deadline);
        }
        if let Some(max_retries) = self.max_retries {
            config.retry.max_retries = max_retries;
        }
        if self.timeout.is_some_and(|timeout| timeout.is_zero()) {
            return Err(Error::invalid(
                operation,
                "the timeout must be longer than zero",
            ));
        }
        if self.timeout.is_none() && self.headers.is_empty() {
            return Ok((config, None));
        }
        let headers = self.checked_headers(operation)?;
        Ok((
            config,
            Some(Arc::new(CallOverrides {
                timeout: self.timeout,
                headers,
            })),
        ))
    }

    /// The headers as a map; a bad name or value is refused, naming the header, never the
    /// value (it may be a token).
    fn checked_headers(&self, operation: Operation) -> Result<HeaderMap> {
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let parsed = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::invalid(operation, "a header name is not a valid HTTP header name")
            })?;
            if RESERVED_HEADERS.contains(&parsed.as_str()) {
                return Err(Error::invalid(
                    operation,
                    format!("the {parsed} header cannot be set per call"),
                ));
            }
            let printable = value
                .bytes()
                .all(|byte| byte == b' ' || byte.is_ascii_graphic());
            let mut value = HeaderValue::from_str(value)
                .ok()
                .filter(|_| printable)
                .ok_or_else(|| {
                    Error::invalid(
                        operation,
                        format!("the value of the {parsed} header must be printable ASCII"),
                    )
                })?;
            value.set_sensitive(true);
            headers.append(parsed, value);
        }
        Ok(headers)
    }
}

impl fmt::Debug for RequestOptions {
    /// Header values are not shown: they may carry tokens.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("headers", &names)
            .finish()
    }
}

/// The per-call setters of every request builder, async and blocking: each sets the
/// [`RequestOptions`] the builder holds in `$settings`, which is either the options
/// themselves (an async builder's `options`) or the async builder a blocking one wraps
/// (`inner`). Both have these five methods, so the setters are one definition.
macro_rules! call_settings {
    ($($builder:ty => $settings:ident),* $(,)?) => {$(
        impl $builder {
            /// How long each attempt of this call may take (the client's `timeout`
            /// otherwise).
            pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
                self.$settings = self.$settings.timeout(timeout);
                self
            }

            /// A bound on the whole call, retries and waits included (the client's
            /// `deadline` otherwise).
            pub fn deadline(mut self, deadline: std::time::Duration) -> Self {
                self.$settings = self.$settings.deadline(deadline);
                self
            }

            /// How many times this call may be retried (the client's `max_retries`
            /// otherwise).
            pub fn max_retries(mut self, max_retries: u32) -> Self {
                self.$settings = self.$settings.max_retries(max_retries);
                self
            }

            /// A header sent with this call; see [`RequestOptions::header`](crate::RequestOptions::header).
            pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
                self.$settings = self.$settings.header(name, value);
                self
            }

            /// All of this call's settings at once (replacing any set before).
            pub fn options(mut self, options: $crate::RequestOptions) -> Self {
                self.$settings = self.$settings.options(options);
                self
            }
        }
    )*};
}
pub(crate) use call_settings;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::retry::RetryPolicy;

    fn client_config() -> CallConfig {
        CallConfig {
            retry: RetryPolicy {
                max_retries: 2,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(2),
                max_retry_after: Duration::from_secs(1),
                non_idempotent: false,
            },
            deadline: None,
        }
    }

    #[test]
    fn options_override_the_client_and_headers_are_checked() {
        let options = RequestOptions::new()
            .max_retries(0)
            .deadline(Duration::from_secs(3))
            .timeout(Duration::from_secs(1))
            .header("x-trace", "abc");
        let (config, overrides) = options
            .apply(Operation::GetConnector, &client_config())
            .unwrap();
        assert_eq!(config.retry.max_retries, 0);
        assert_eq!(config.deadline, Some(Duration::from_secs(3)));
        let overrides = overrides.unwrap();
        assert_eq!(overrides.timeout, Some(Duration::from_secs(1)));
        assert_eq!(overrides.headers["x-trace"], "abc");
        assert!(overrides.headers["x-trace"].is_sensitive());

        let (_, none) = RequestOptions::new()
            .max_retries(1)
            .apply(Operation::GetConnector, &client_config())
            .unwrap();
        assert!(none.is_none());

        for bad in [
            RequestOptions::new().header("authorization", "Bearer other"),
            RequestOptions::new().header("bad name", "x"),
            RequestOptions::new().header("x-ok", "line\nbreak-SECRET"),
            RequestOptions::new().header("x-ok", "é"),
            RequestOptions::new().timeout(Duration::ZERO),
            RequestOptions::new().deadline(Duration::ZERO),
        ] {
            let error = bad
                .apply(Operation::GetConnector, &client_config())
                .unwrap_err();
            assert!(matches!(error, Error::InvalidArgument { .. }), "{error}");
            assert!(!error.to_string().contains("SECRET"), "{error}");
        }
        let debug = format!("{:?}", RequestOptions::new().header("x-token", "t0k3n"));
        assert!(
            debug.contains("x-token") && !debug.contains("t0k3n"),
            "{debug}"
        );
    }
}
