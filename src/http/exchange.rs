//! One attempt of a facade call on the wire: the transport's rules applied to the request,
//! the request sent, and what came back sorted into a 2xx body (read under its limit) or the
//! crate's [`Error`]: an error status with the start of its body, a redirect, a body over the
//! limit, a connection that failed or broke off. A streamed answer (`Wire::open`, feature `chat`) is handed
//! back with its body unread, for its reader to bound.

#[cfg(feature = "chat")]
use std::future::Future;
#[cfg(feature = "chat")]
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::body::{BodyError, read_body};
use super::retry::retry_after;
#[cfg(feature = "chat")]
use super::transport::ERROR_BODY_READ_LIMIT;
use super::transport::{Transport, redirect_refusal};
use crate::core::error::{ApiError, DecodeError, Retirement, TransportError, TransportKind};
use crate::core::text::{Redactor, SNIPPET_CHARS};
use crate::{ConnectorId, Error, Operation, Result};

/// Where one call's attempts go: the client's connection pool and base URL (and what a 404
/// on the collection means there), the call's transport rules, and what hides secrets in its
/// errors.
pub(crate) struct Wire<'a> {
    pub http: &'a reqwest::Client,
    pub base_url: &'a str,
    pub retirement: Retirement,
    pub transport: Transport,
    pub redactor: &'a Redactor,
}

/// A 2xx answer, its body whole and within the limit.
pub(crate) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A 2xx answer whose body is still to come (a stream of events): the reader bounds it.
#[cfg(feature = "chat")]
pub(crate) struct Opened {
    pub response: reqwest::Response,
    /// The attempt's timeout. The request itself carried none (it would have bounded the
    /// whole stream); it bounded the wait for the answer's head, and the reader applies it to
    /// the waits of the body.
    pub timeout: Option<Duration>,
    /// When the request was sent.
    pub sent: Instant,
}

impl Wire<'_> {
    /// A request for `operation`: its method, and its path with `id` percent-encoded into the
    /// one segment it may take, as the raw client encodes it.
    pub(crate) fn request(
        &self,
        operation: Operation,
        id: Option<&ConnectorId>,
    ) -> reqwest::RequestBuilder {
        self.request_accepting(operation, id, "application/json")
    }

    /// [`request`](Self::request), for an answer of the media type `accept`.
    pub(crate) fn request_accepting(
        &self,
        operation: Operation,
        id: Option<&ConnectorId>,
        accept: &'static str,
    ) -> reqwest::RequestBuilder {
        // Every operation's method is a standard one; were it not, the transport's rules
        // would refuse the GET this falls back to, as not the operation's method.
        let method = reqwest::Method::from_bytes(operation.method().as_bytes())
            .unwrap_or(reqwest::Method::GET);
        let url = operation_url(self.base_url, operation.path_template(), id);
        self.http.request(method, url).header(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(accept),
        )
    }

    /// Sends `request` once, under the transport's rules, and reads the answer's body under
    /// its limit.
    pub(crate) async fn send(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer> {
        let response = self.deliver(operation, request).await?;
        let status = response.status();
        let declared = response.content_length();
        // The headers move into the answer: nothing is copied for a caller who never asks.
        let (http::response::Parts { headers, .. }, body) =
            http::Response::from(response).into_parts();
        let read = read_body(body, declared, self.transport.body_limit(status)).await;
        if status.is_success() {
            self.success(operation, status, headers, read)
        } else {
            Err(self.failure(operation, status, &headers, read))
        }
    }

    /// Sends `request` once, under the transport's rules, for an answer whose body is a
    /// stream: the attempt's timeout bounds the wait for the answer's head (not the whole
    /// body, as it does for [`send`](Self::send)), and a 2xx comes back with its body unread.
    /// An error status is read as [`send`](Self::send) reads it.
    #[cfg(feature = "chat")]
    pub(crate) async fn open(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<Opened> {
        let mut request = self.prepared(operation, request)?;
        // The attempt's timeout bounds the wait for the head here, not the body: the
        // client's own HTTP client would apply it to the whole exchange, so the request gets
        // a bound of its own that only an endless stream meets (its reader bounds the rest).
        let timeout = request
            .timeout_mut()
            .replace(STREAM_EXCHANGE_BOUND)
            .or(self.transport.attempt_timeout());
        let sent = Instant::now();
        let response = within(operation, timeout, self.execute(operation, request)).await?;
        let status = response.status();
        if status.is_success() {
            return Ok(Opened {
                response,
                timeout,
                sent,
            });
        }
        let headers = response.headers().clone();
        let declared = response.content_length();
        let body = http::Response::from(response).into_body();
        let left = timeout.map(|timeout| timeout.saturating_sub(sent.elapsed()));
        let read = within(operation, left, async {
            Ok(read_body(body, declared, ERROR_BODY_READ_LIMIT).await)
        })
        .await?;
        Err(self.failure(operation, status, &headers, read))
    }

    /// The request built, checked by the transport's rules and sent; its answer, unless it
    /// is a redirect.
    async fn deliver(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response> {
        let request = self.prepared(operation, request)?;
        self.execute(operation, request).await
    }

    /// The request built and checked by the transport's rules (which also set its headers
    /// and timeout).
    fn prepared(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Request> {
        let invalid =
            |why: &str| Error::invalid(operation, self.redactor.clean(why, SNIPPET_CHARS));
        let mut request = request
            .build()
            .map_err(|error| invalid(&error.to_string()))?;
        let shape = (operation.method(), operation.path_template());
        self.transport
            .prepare(self.base_url, shape, &mut request)
            .map_err(|refusal| invalid(&refusal))?;
        Ok(request)
    }

    /// `request` sent; its answer, unless it is a redirect.
    async fn execute(
        &self,
        operation: Operation,
        request: reqwest::Request,
    ) -> Result<reqwest::Response> {
        // A client that follows no redirect answers from the URL it was sent to: only a
        // caller's own client needs the URL kept to compare.
        let sent_to = self
            .transport
            .may_follow_redirects()
            .then(|| request.url().clone());
        let response = self.http.execute(request).await.map_err(|error| {
            transport_error(operation, error, TransportKind::Request, self.redactor)
        })?;
        let status = response.status();
        if status.is_redirection() || sent_to.is_some_and(|sent_to| response.url() != &sent_to) {
            let followed = !status.is_redirection();
            return Err(Error::protocol(
                operation,
                redirect_refusal(status, followed),
            ));
        }
        Ok(response)
    }

    /// A 2xx whose body was read: the answer, or why its body is not one.
    fn success(
        &self,
        operation: Operation,
        status: StatusCode,
        headers: HeaderMap,
        read: std::result::Result<Bytes, BodyError>,
    ) -> Result<Answer> {
        match read {
            Ok(body) => Ok(Answer {
                status,
                headers,
                body,
            }),
            Err(too_large @ BodyError::TooLarge { .. }) => Err(Error::Decode(DecodeError::new(
                operation,
                status.as_u16(),
                &too_large.to_string(),
                b"",
                self.redactor,
            ))),
            Err(BodyError::Broken { error, .. }) => Err(transport_error(
                operation,
                error,
                TransportKind::Body,
                self.redactor,
            )),
        }
    }

    /// An error status, with as much of its body as arrived within the limit.
    fn failure(
        &self,
        operation: Operation,
        status: StatusCode,
        headers: &HeaderMap,
        read: std::result::Result<Bytes, BodyError>,
    ) -> Error {
        let (body, complete) = match read {
            Ok(body) => (body, true),
            Err(incomplete) => (incomplete.into_received(), false),
        };
        Error::Api(ApiError::from_body(
            operation,
            status.as_u16(),
            retry_after(headers),
            &body,
            complete,
            self.retirement,
            self.redactor,
        ))
    }
}

/// The longest a streamed exchange may last on the wire, whatever else bounds it.
#[cfg(feature = "chat")]
const STREAM_EXCHANGE_BOUND: Duration = Duration::from_secs(24 * 60 * 60);

/// `future`, bounded by `timeout` when there is one: past it, a transport error that says
/// how long was waited.
#[cfg(feature = "chat")]
async fn within<T>(
    operation: Operation,
    timeout: Option<Duration>,
    future: impl Future<Output = Result<T>>,
) -> Result<T> {
    let Some(timeout) = timeout else {
        return future.await;
    };
    tokio::time::timeout(timeout, future).await.map_err(|_| {
        Error::Transport(TransportError::new(
            operation,
            TransportKind::Timeout,
            format!("no answer within {timeout:?}"),
        ))
    })?
}

/// `base_url` and `template` with `id` percent-encoded into its `{id}`, as the raw client
/// encodes it, in one allocation.
fn operation_url(base_url: &str, template: &str, id: Option<&ConnectorId>) -> String {
    // Found by its first byte: a template has one parameter, `{id}`.
    let parameter = template
        .find('{')
        .and_then(|at| Some((&template[..at], template[at..].strip_prefix("{id}")?)));
    let (id, (head, tail)) = match (id, parameter) {
        (Some(id), Some(parts)) => (id.as_str(), parts),
        _ => ("", (template, "")),
    };
    let encoded = if id.bytes().all(stays_as_is) {
        std::borrow::Cow::Borrowed(id)
    } else {
        std::borrow::Cow::Owned(progenitor_client::encode_path(id))
    };
    let parts = [base_url, head, &encoded, tail];
    let mut url = String::with_capacity(parts.iter().map(|part| part.len()).sum());
    for part in parts {
        url.push_str(part);
    }
    url
}

/// Whether progenitor's path encoding leaves `byte` alone: printable ASCII but for the
/// characters its path set escapes.
fn stays_as_is(byte: u8) -> bool {
    byte.is_ascii_graphic()
        && !matches!(
            byte,
            b'"' | b'#' | b'<' | b'>' | b'?' | b'`' | b'{' | b'}' | b'/' | b'%'
        )
}

/// A reqwest failure as a transport error: a timeout or a failed connection when reqwest says
/// so, `otherwise` when it does not. A redirect loop of a caller's own HTTP client is not
/// transient: it is reported like any redirect.
pub(crate) fn transport_error(
    operation: Operation,
    error: reqwest::Error,
    otherwise: TransportKind,
    redactor: &Redactor,
) -> Error {
    if error.is_redirect() {
        let status = error.status().unwrap_or(StatusCode::FOUND);
        return Error::protocol(operation, redirect_refusal(status, true));
    }
    let kind = if error.is_timeout() {
        TransportKind::Timeout
    } else if error.is_connect() {
        TransportKind::Connect
    } else {
        otherwise
    };
    Error::Transport(TransportError::from_reqwest(
        operation, kind, error, redactor,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_ids_as_the_raw_client_does() {
        let every_byte: String = (1u8..=0x7f)
            .filter(|b| *b != b'\\')
            .map(char::from)
            .collect();
        for id in [
            "abc-1_2.3~x",
            "a b",
            "a/b",
            "%2e",
            "é",
            "a?b#c",
            &every_byte,
            "{id}",
        ] {
            let id = ConnectorId::new(id).unwrap();
            let expected = format!(
                "http://h/v1/connectors/{}/oauth/authorize",
                progenitor_client::encode_path(id.as_str())
            );
            assert_eq!(
                operation_url("http://h", "/v1/connectors/{id}/oauth/authorize", Some(&id)),
                expected
            );
        }
        assert_eq!(
            operation_url("http://h/p", "/v1/connectors", None),
            "http://h/p/v1/connectors"
        );
    }
}
