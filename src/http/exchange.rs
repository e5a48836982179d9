//! One attempt of a facade call on the wire: the transport's rules applied to the request,
//! the request sent, and what came back sorted into a 2xx body (read under its limit) or the
//! crate's [`Error`]: an error status with the start of its body, a redirect, a body over the
//! limit, a connection that failed or broke off.

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::body::{BodyError, read_body};
use super::retry::retry_after;
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

impl Wire<'_> {
    /// A request for `operation`: its method, and its path with `id` percent-encoded into the
    /// one segment it may take, as the raw client encodes it.
    pub(crate) fn request(
        &self,
        operation: Operation,
        id: Option<&ConnectorId>,
    ) -> reqwest::RequestBuilder {
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
            .header(reqwest::header::ACCEPT, "application/json")
    }

    /// Sends `request` once, under the transport's rules.
    pub(crate) async fn send(
        &self,
        operation: Operation,
        request: reqwest::RequestBuilder,
    ) -> Result<Answer> {
        let mut request = request.build().map_err(|error| {
            Error::invalid(
                operation,
                self.redactor.clean(&error.to_string(), SNIPPET_CHARS),
            )
        })?;
        let shape = (operation.method(), operation.path_template());
        self.transport
            .prepare(self.base_url, shape, &mut request)
            .map_err(|refusal| {
                Error::invalid(operation, self.redactor.clean(&refusal, SNIPPET_CHARS))
            })?;
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
        let headers = response.headers().clone();
        let declared = response.content_length();
        let body = http::Response::from(response).into_body();
        let limit = self.transport.body_limit(status);
        if !status.is_success() {
            let (body, complete) = match read_body(body, declared, limit).await {
                Ok(body) => (body, true),
                Err(incomplete) => (incomplete.into_received(), false),
            };
            return Err(Error::Api(ApiError::from_body(
                operation,
                status.as_u16(),
                retry_after(&headers),
                &body,
                complete,
                self.retirement,
                self.redactor,
            )));
        }
        match read_body(body, declared, limit).await {
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
}

/// A reqwest failure as a transport error: a timeout or a failed connection when reqwest says
/// so, `otherwise` when it does not. A redirect loop of a caller's own HTTP client is not
/// transient: it is reported like any redirect.
fn transport_error(
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
