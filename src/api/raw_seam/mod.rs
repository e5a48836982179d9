//! The seam: the one place the facade touches generated code. Each function here is one
//! attempt of one operation: it builds the call (operation, parameters, body), sends it, and
//! hands back the facade's types or an [`Error`].
//!
//! The calls go through [`bindings`], progenitor's output with the facade's own types in
//! place of the request and answer bodies: nothing here names a field of a generated type,
//! so a field added or removed upstream, a renamed schema or another error body shape does
//! not change this file. What does (an operation or a parameter renamed or removed, a
//! required field of `Connector` dropped) is refused by `cargo xtask spec` before it gets
//! here, naming the facade item it breaks (xtask/src/spec/contract.rs). Error bodies are read
//! from their bytes by [`ApiError`], whatever the fragment says an error looks like.

pub(crate) mod answers;
mod bindings;

use crate::api::response::{Response, ResponseMeta};
use crate::client::Shared;
use crate::client::execute::SUCCESS_STATUS;
use crate::core::error::{ApiError, DecodeError, TransportError, TransportKind};
use crate::core::text::{Redactor, SNIPPET_CHARS};
use crate::http::intercepted::{Intercepted, find_cause};
use crate::http::retry::retry_after;
use crate::http::transport::Transport;
use crate::{
    Connector, ConnectorId, ConnectorPage, ConnectorUpdate, Error, NewConnector, Operation, Result,
};

/// What the generated calls return, whatever the fragment's error type is.
type Outcome<T, E> =
    std::result::Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>;

/// One call: the client's shared state, this call's transport (the client's, with the
/// call's own timeout and headers), and what hides secrets in its errors.
pub(crate) struct Call<'a> {
    pub shared: &'a Shared,
    pub transport: Transport,
    pub redactor: &'a Redactor,
}

impl Call<'_> {
    /// The facade's bindings over this client's connection and this call's transport.
    fn bindings(&self) -> bindings::Client {
        bindings::Client::new_with_client(
            self.shared.base_url(),
            self.shared.http().clone(),
            self.transport.clone(),
        )
    }
}

/// The value of a success with its metadata, or the facade's error for a failure.
async fn settle<T, E>(
    operation: Operation,
    outcome: Outcome<T, E>,
    redactor: &Redactor,
) -> Result<Response<T>> {
    match outcome {
        Ok(response) => {
            let meta = ResponseMeta::new(response.status().as_u16(), response.headers().clone());
            Ok(Response::new(response.into_inner(), meta))
        }
        Err(error) => Err(classify(operation, error, redactor).await),
    }
}

/// `GET /v1/connectors`.
pub(crate) async fn list(
    call: &Call<'_>,
    limit: Option<u32>,
    offset: Option<u64>,
) -> Result<Response<ConnectorPage>> {
    let bindings = call.bindings();
    let mut request = bindings.list_connectors();
    if let Some(limit) = limit {
        request = request.limit(u64::from(limit));
    }
    if let Some(offset) = offset {
        request = request.offset(offset);
    }
    settle(
        Operation::ListConnectors,
        request.send().await,
        call.redactor,
    )
    .await
}

/// `POST /v1/connectors`.
pub(crate) async fn create(call: &Call<'_>, body: &NewConnector) -> Result<Response<Connector>> {
    let bindings = call.bindings();
    let outcome = bindings.create_connector().body(body.clone()).send().await;
    settle(Operation::CreateConnector, outcome, call.redactor)
        .await
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `GET /v1/connectors/{id}`.
pub(crate) async fn get(call: &Call<'_>, id: &ConnectorId) -> Result<Response<Connector>> {
    let bindings = call.bindings();
    let outcome = bindings.get_connector().id(id.clone()).send().await;
    settle(Operation::GetConnector, outcome, call.redactor)
        .await
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `PATCH /v1/connectors/{id}`.
pub(crate) async fn update(
    call: &Call<'_>,
    id: &ConnectorId,
    body: &ConnectorUpdate,
) -> Result<Response<Connector>> {
    let bindings = call.bindings();
    let outcome = bindings
        .update_connector()
        .id(id.clone())
        .body(body.clone())
        .send()
        .await;
    settle(Operation::UpdateConnector, outcome, call.redactor)
        .await
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `DELETE /v1/connectors/{id}`. The connector is gone on any 2xx whose body is empty or a
/// JSON object, whatever the fragment documents (200 with `{}`): servers and proxies answer
/// a delete with 204, or 200 and nothing.
pub(crate) async fn delete(call: &Call<'_>, id: &ConnectorId) -> Result<Response<()>> {
    let operation = Operation::DeleteConnector;
    let redactor = call.redactor;
    let bindings = call.bindings();
    match bindings.delete_connector().id(id.clone()).send().await {
        Ok(response) => {
            let meta = ResponseMeta::new(response.status().as_u16(), response.headers().clone());
            Ok(Response::new((), meta))
        }
        Err(progenitor_client::Error::InvalidResponsePayload(body, error)) => {
            if body.trim_ascii().is_empty() {
                // progenitor keeps no headers with this error: the status is the one it decodes.
                let meta = ResponseMeta::new(SUCCESS_STATUS, http::HeaderMap::new());
                Ok(Response::new((), meta))
            } else {
                Err(decode(
                    operation,
                    SUCCESS_STATUS,
                    &error.to_string(),
                    &body,
                    redactor,
                ))
            }
        }
        Err(progenitor_client::Error::UnexpectedResponse(response))
            if response.status().is_success() =>
        {
            let status = response.status().as_u16();
            let meta = ResponseMeta::new(status, response.headers().clone());
            match response.bytes().await {
                Ok(body) if is_empty_or_object(&body) => Ok(Response::new((), meta)),
                Ok(body) => Err(decode(
                    operation,
                    status,
                    "a delete answers with an empty body or a JSON object",
                    &body,
                    redactor,
                )),
                Err(error) => Err(body_error(operation, error, redactor)),
            }
        }
        Err(error) => Err(classify(operation, error, redactor).await),
    }
}

/// `POST /v1/connectors/{id}/oauth/authorize`: the URL to send the user to.
pub(crate) async fn authorize(
    call: &Call<'_>,
    id: &ConnectorId,
    after_token_redirect: Option<&str>,
) -> Result<Response<String>> {
    let operation = Operation::AuthorizeOAuth;
    let bindings = call.bindings();
    let mut request = bindings.o_auth_authorize_connector().id(id.clone());
    if let Some(after) = after_token_redirect {
        request = request.after_token_redirect(after);
    }
    let (answer, meta) = settle(operation, request.send().await, call.redactor)
        .await?
        .into_parts();
    // The URL is the whole point of the call: a success without it is not a usable answer.
    match answer.redirect_url {
        Some(url) => Ok(Response::new(url, meta)),
        None => Err(decode(
            operation,
            SUCCESS_STATUS,
            "the response has no redirect_url",
            b"",
            call.redactor,
        )),
    }
}

fn is_empty_or_object(body: &[u8]) -> bool {
    let trimmed = body.trim_ascii();
    trimmed.is_empty() || serde_json::from_slice::<answers::Acknowledged>(trimmed).is_ok()
}

// ---- errors -----------------------------------------------------------------------------

/// Maps progenitor's error onto the facade's, whatever the generated error type `E` is.
/// Asynchronous because an undocumented status still has a body to read.
async fn classify<E>(
    operation: Operation,
    error: progenitor_client::Error<E>,
    redactor: &Redactor,
) -> Error {
    use progenitor_client::Error as Raw;
    match error {
        // The facade's transport reads every error body itself, so a decoded one only
        // arrives if that changes: keep the status and the hint to wait.
        Raw::ErrorResponse(response) => Error::Api(ApiError::from_body(
            operation,
            response.status().as_u16(),
            retry_after(response.headers()),
            b"",
            true,
            redactor,
        )),
        Raw::UnexpectedResponse(response) => {
            unexpected_response(operation, response, redactor).await
        }
        Raw::ResponseBodyError(error) => body_error(operation, error, redactor),
        Raw::CommunicationError(error) | Raw::InvalidUpgrade(error) => {
            transport_error(operation, error, TransportKind::Request, redactor)
        }
        Raw::InvalidResponsePayload(body, error) => decode(
            operation,
            SUCCESS_STATUS,
            &error.to_string(),
            &body,
            redactor,
        ),
        Raw::InvalidRequest(message) => {
            Error::invalid(operation, redactor.clean(&message, SNIPPET_CHARS))
        }
        Raw::Custom(message) => Error::Transport(TransportError::new(
            operation,
            TransportKind::Request,
            redactor.clean(&message, SNIPPET_CHARS),
        )),
    }
}

/// A status the operation does not document: a proxy's 502, a 408, a 2xx other than 200, a
/// redirect. Its body was replaced by the transport unless it is a 2xx.
async fn unexpected_response(
    operation: Operation,
    response: reqwest::Response,
    redactor: &Redactor,
) -> Error {
    let status = response.status().as_u16();
    match response.bytes().await {
        Ok(body) if (200..300).contains(&status) => decode(
            operation,
            status,
            &format!("the API documents {SUCCESS_STATUS} for this operation, not {status}"),
            &body,
            redactor,
        ),
        Ok(body) => Error::Api(ApiError::from_body(
            operation, status, None, &body, true, redactor,
        )),
        Err(error) => body_error(operation, error, redactor),
    }
}

/// A body that could not be read: one the transport took over (an error status, a
/// redirect), one over the size limit, or a connection that broke off.
fn body_error(operation: Operation, error: reqwest::Error, redactor: &Redactor) -> Error {
    match find_cause::<Intercepted>(&error) {
        Some(Intercepted::ErrorStatus {
            status,
            headers,
            body,
            complete,
        }) => {
            return Error::Api(ApiError::from_body(
                operation,
                status.as_u16(),
                retry_after(headers),
                body,
                *complete,
                redactor,
            ));
        }
        Some(redirect @ Intercepted::Redirect { .. }) => {
            return Error::protocol(operation, redirect.to_string());
        }
        None => {}
    }
    if let Some(limit) = find_cause::<http_body_util::LengthLimitError>(&error) {
        return decode(operation, SUCCESS_STATUS, &limit.to_string(), b"", redactor);
    }
    transport_error(operation, error, TransportKind::Body, redactor)
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
        let redirect = Intercepted::Redirect {
            status: error.status().unwrap_or(reqwest::StatusCode::FOUND),
            followed: true,
        };
        return Error::protocol(operation, redirect.to_string());
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

fn decode(
    operation: Operation,
    status: u16,
    reason: &str,
    body: &[u8],
    redactor: &Redactor,
) -> Error {
    Error::Decode(DecodeError::new(operation, status, reason, body, redactor))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_bodies() {
        for ok in ["", "  ", "{}", r#"{"deleted": true}"#] {
            assert!(is_empty_or_object(ok.as_bytes()), "{ok:?}");
        }
        for bad in ["[]", "null", "{", "deleted"] {
            assert!(!is_empty_or_object(bad.as_bytes()), "{bad:?}");
        }
    }
}
