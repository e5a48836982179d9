//! What the provider's back-channel endpoints (token and revocation) do wrong on demand: the
//! ways a token endpoint fails that a client must survive.

use std::collections::VecDeque;
use std::time::Duration;

use axum::body::Body;
use axum::body::Bytes;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// A failure of the token endpoint (and the revocation endpoint), injected with
/// [`OAuthProvider::inject`](super::OAuthProvider::inject) for the next request or
/// [`inject_always`](super::OAuthProvider::inject_always) for every one.
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_emulator::{OAuthProvider, TokenFault};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let provider = OAuthProvider::start().await?;
/// provider
///     .inject(TokenFault::Status(503))                   // the next request: a 503,
///     .inject(TokenFault::Latency(Duration::from_millis(50))); // the one after: slow, then right
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenFault {
    /// Waits this long, then answers as it would have.
    Latency(Duration),
    /// Answers this status with `{"error": "server_error"}` (`temporarily_unavailable` for a
    /// 503).
    Status(u16),
    /// Answers 200 with an HTML page, as a login proxy or a captive portal does.
    Html,
    /// Answers 200 `application/json` with a body of this many bytes (a JSON string that goes
    /// on), sent in chunks without a `Content-Length`.
    Huge(usize),
    /// Answers 200 `application/json` with a body that never ends.
    Endless,
    /// Answers 200 `application/json` with a body that is not JSON.
    NotJson,
    /// Answers as it would have, without this field (`access_token`, `token_type`,
    /// `expires_in`, `refresh_token`).
    Missing(&'static str),
    /// Answers as it would have, with this field's value replaced (a JSON text:
    /// `"\"3600\""`, `"-5"`, `"null"`, `"\"not a token\""`).
    Replace(&'static str, &'static str),
    /// Answers 400 `invalid_request` whose description repeats every secret the request
    /// carried: the client secret, the code, the PKCE verifier, the refresh token, the token
    /// to revoke, and the `Authorization` header.
    EchoSecrets,
    /// Answers `307 Temporary Redirect` to this location: a client that follows it sends the
    /// same form, secrets and all, there.
    Redirect(String),
}

/// The faults planned: a queue for the next requests, and one for every request.
#[derive(Debug, Default)]
pub(super) struct Planned {
    next: VecDeque<TokenFault>,
    always: Option<TokenFault>,
}

impl Planned {
    pub(super) fn push(&mut self, fault: TokenFault) {
        self.next.push_back(fault);
    }

    pub(super) fn always(&mut self, fault: Option<TokenFault>) {
        self.always = fault;
    }

    pub(super) fn clear(&mut self) {
        self.next.clear();
        self.always = None;
    }

    /// The fault for the request arriving now.
    pub(super) fn take(&mut self) -> Option<TokenFault> {
        self.next.pop_front().or_else(|| self.always.clone())
    }
}

/// How big each chunk of a huge or endless body is.
const CHUNK_BYTES: usize = 16 * 1024;

/// The answer a fault gives instead of the endpoint's own, if it gives one (latency and the
/// faults that change a successful answer do not).
pub(super) fn answer(fault: &TokenFault, secrets: &[&str]) -> Option<Response> {
    let json = |status: StatusCode, body: String| {
        (
            status,
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            body,
        )
            .into_response()
    };
    match fault {
        TokenFault::Latency(_) | TokenFault::Missing(_) | TokenFault::Replace(..) => None,
        TokenFault::Status(status) => {
            let status =
                StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let error = if status == StatusCode::SERVICE_UNAVAILABLE {
                "temporarily_unavailable"
            } else {
                "server_error"
            };
            Some(json(
                status,
                serde_json::json!({ "error": error }).to_string(),
            ))
        }
        TokenFault::Html => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!doctype html><html><body><h1>Please log in</h1><script>alert(1)</script></body></html>",
            )
                .into_response(),
        ),
        TokenFault::Huge(bytes) => Some(streamed(Some(*bytes))),
        TokenFault::Endless => Some(streamed(None)),
        TokenFault::NotJson => Some(json(StatusCode::OK, "access_token=nope".into())),
        TokenFault::EchoSecrets => Some(json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({
                "error": "invalid_request",
                "error_description": format!("we did not like: {}", secrets.join(" ")),
            })
            .to_string(),
        )),
        TokenFault::Redirect(location) => Some(
            (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, location.as_str())],
            )
                .into_response(),
        ),
    }
}

/// A 200 JSON body of `bytes` bytes (or without end), chunked.
fn streamed(bytes: Option<usize>) -> Response {
    let start = Bytes::from_static(b"{\"access_token\": \"");
    let filler = Bytes::from(vec![b'a'; CHUNK_BYTES]);
    let total: Option<usize> = bytes.map(|bytes| bytes.saturating_sub(start.len()));
    let chunks = futures_util::stream::unfold((Some(start), total), move |(start, left)| {
        let filler = filler.clone();
        async move {
            if let Some(start) = start {
                return Some((Ok::<_, std::io::Error>(start), (None, left)));
            }
            match left {
                Some(0) => None,
                Some(left) => {
                    let take = left.min(filler.len());
                    Some((
                        Ok(filler.slice(..take)),
                        (None, Some(left.saturating_sub(take))),
                    ))
                }
                None => Some((Ok(filler), (None, None))),
            }
        }
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// The successful token answer with a field left out or replaced, as `fault` says.
pub(super) fn alter(
    fault: Option<&TokenFault>,
    answer: &mut serde_json::Map<String, serde_json::Value>,
) {
    match fault {
        Some(TokenFault::Missing(field)) => {
            answer.remove(*field);
        }
        Some(TokenFault::Replace(field, value)) => {
            let value = serde_json::from_str(value).unwrap_or(serde_json::Value::Null);
            answer.insert((*field).to_owned(), value);
        }
        _ => {}
    }
}
