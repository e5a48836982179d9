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
        let template = operation.path_template();
        let url = match id {
            Some(id) => format!(
                "{}{}",
                self.base_url,
                template.replace("{id}", &progenitor_client::encode_path(id.as_str()))
            ),
            None => format!("{}{template}", self.base_url),
        };
        self.http
            .request(method, url)
            .header(reqwest::header::ACCEPT, accept)
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
        let headers = response.headers().clone();
        let declared = response.content_length();
        let body = http::Response::from(response).into_body();
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
        let timeout = request.timeout_mut().take();
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
        let sent_to = request.url().clone();
        let response = self.http.execute(request).await.map_err(|error| {
            transport_error(operation, error, TransportKind::Request, self.redactor)
        })?;
        let status = response.status();
        if status.is_redirection() || response.url() != &sent_to {
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
