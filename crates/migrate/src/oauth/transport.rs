//! The HTTP client of the token and revocation endpoints, given to the `oauth2` crate as its
//! `AsyncHttpClient`: redirects never followed (a 3xx is an error, so the form, which holds
//! the client secret and a code or a refresh token, goes nowhere else), every exchange
//! bounded by a timeout, bodies read up to a cap whatever they declare, and what is not a
//! token answer told apart before `oauth2` parses it.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use cohere_connectors::text::innermost_cause;
use reqwest::header::{CONTENT_TYPE, HeaderValue};

/// The largest answer read from a token or revocation endpoint: tokens are a few KiB.
pub const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The HTTP client of one broker.
#[derive(Clone)]
pub(crate) struct Transport {
    client: reqwest::Client,
    timeout: Duration,
}

/// Why an exchange with an endpoint failed before there was a token answer to read. Its
/// body (the start of what the endpoint sent) is never shown as it is: the provider layer
/// scrubs it of the secrets the request carried.
pub(crate) enum TransportError {
    /// The request could not be built (an endpoint URL the HTTP client refuses).
    Request,
    /// No answer: connection refused, reset, TLS failure (the innermost cause).
    Unreachable(String),
    /// No whole answer within the timeout.
    Timeout(Duration),
    /// A 3xx, not followed.
    Redirect(u16),
    /// More than [`MAX_ANSWER_BYTES`] (declared or sent).
    TooLarge,
    /// A 5xx, or another error status whose body is not an OAuth error (`{"error": ...}`):
    /// an HTML page, a proxy's text, nothing.
    Status { status: u16, body: Vec<u8> },
    /// A 200 whose body is not a JSON object (a login page, a captive portal).
    NotJson {
        content_type: Option<String>,
        body: Vec<u8>,
    },
}

impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Bodies stay out: they may echo a secret.
        match self {
            Self::Status { status, .. } => f
                .debug_struct("Status")
                .field("status", status)
                .finish_non_exhaustive(),
            Self::NotJson { .. } => f.write_str("NotJson"),
            Self::Request => f.write_str("Request"),
            Self::Unreachable(_) => f.write_str("Unreachable"),
            Self::Timeout(after) => f.debug_tuple("Timeout").field(after).finish(),
            Self::Redirect(status) => f.debug_tuple("Redirect").field(status).finish(),
            Self::TooLarge => f.write_str("TooLarge"),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Request => f.write_str("the request could not be built"),
            Self::Unreachable(cause) => write!(f, "it could not be reached: {cause}"),
            Self::Timeout(after) => write!(f, "it did not answer within {} ms", after.as_millis()),
            Self::Redirect(status) => write!(
                f,
                "it answered {status} with a redirect, which is never followed (configure the final URL)"
            ),
            Self::TooLarge => write!(f, "its answer is larger than {MAX_ANSWER_BYTES} bytes"),
            Self::Status { status, .. } => write!(f, "it answered {status}"),
            Self::NotJson { content_type, .. } => write!(
                f,
                "it answered 200 with {}, not a JSON token answer",
                content_type
                    .as_deref()
                    .map_or("no content type", |_| "a body that is not JSON")
            ),
        }
    }
}

impl std::error::Error for TransportError {}

/// What the caller reads of an answer: a token answer (`oauth2` parses it), or the status
/// alone (a revocation).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    TokenAnswer,
    Status,
}

impl Transport {
    /// A client whose exchanges each take at most `timeout`, headers to last byte.
    pub(crate) fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .user_agent(concat!(
                "cohere-connectors-migrate/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self { client, timeout })
    }

    /// Sends `request` and reads its answer as `expect` says.
    pub(crate) async fn send(
        &self,
        request: oauth2::HttpRequest,
        expect: Expect,
    ) -> Result<oauth2::HttpResponse, TransportError> {
        let request = reqwest::Request::try_from(request).map_err(|_| TransportError::Request)?;
        let response = self
            .client
            .execute(request)
            .await
            .map_err(|error| self.failed(&error))?;
        let status = response.status();
        if status.is_redirection() {
            return Err(TransportError::Redirect(status.as_u16()));
        }
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let body = self.read(response).await?;
        if expect == Expect::TokenAnswer {
            let object = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .filter(serde_json::Value::is_object);
            let is_oauth_error = object.as_ref().is_some_and(|object| {
                object
                    .get("error")
                    .is_some_and(serde_json::Value::is_string)
            });
            if status == reqwest::StatusCode::OK && object.is_none() {
                return Err(TransportError::NotJson { content_type, body });
            }
            // RFC 6749 section 5.2 errors are 400 (401 for a client refused); a 5xx is the
            // server failing, whatever its body says.
            if status != reqwest::StatusCode::OK && (!is_oauth_error || status.is_server_error()) {
                return Err(TransportError::Status {
                    status: status.as_u16(),
                    body,
                });
            }
        }
        // The body is a JSON object now (or not read as one): say so, whatever the endpoint
        // labelled it (`text/plain` and `text/javascript` are seen in the wild).
        http::Response::builder()
            .status(status)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(body)
            .map_err(|_| TransportError::Request)
    }

    /// The body, at most [`MAX_ANSWER_BYTES`], counted as it arrives.
    async fn read(&self, mut response: reqwest::Response) -> Result<Vec<u8>, TransportError> {
        if response
            .content_length()
            .is_some_and(|declared| declared > MAX_ANSWER_BYTES as u64)
        {
            return Err(TransportError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|error| self.failed(&error))?
        {
            if chunk.len() > MAX_ANSWER_BYTES.saturating_sub(body.len()) {
                return Err(TransportError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn failed(&self, error: &reqwest::Error) -> TransportError {
        if error.is_timeout() {
            TransportError::Timeout(self.timeout)
        } else {
            TransportError::Unreachable(cohere_connectors::text::one_line(
                &innermost_cause(error),
                200,
            ))
        }
    }
}

impl<'c> oauth2::AsyncHttpClient<'c> for Transport {
    type Error = TransportError;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, TransportError>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(self.send(request, Expect::TokenAnswer))
    }
}
