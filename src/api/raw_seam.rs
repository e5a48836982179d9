//! The seam: the one place the facade touches the generated bindings. Each function here is
//! one attempt of one operation: it builds the raw call (operation, parameters, body), sends
//! it, and turns what comes back into the facade's types and [`Error`].
//!
//! When Cohere's spec changes, this file is where the facade meets the new bindings; nothing
//! else in the facade names a generated item. Error bodies are not read through the generated
//! error type at all: the transport hands them over as bytes (see
//! [`crate::http::transport::ErrorBodies::Read`]) and [`ApiError`] decodes them.

use crate::client::Shared;
use crate::client::execute::SUCCESS_STATUS;
use crate::core::error::{ApiError, DecodeError, TransportError, TransportKind};
use crate::core::text::{Redactor, SNIPPET_CHARS};
use crate::http::intercepted::{Intercepted, find_cause};
use crate::http::retry::retry_after;
use crate::{
    AuthStatus, AuthType, Connector, ConnectorId, ConnectorOAuth, ConnectorPage, ConnectorUpdate,
    Error, NewConnector, OAuthConfig, Operation, Result, ServiceAuth, raw,
};

/// `GET /v1/connectors`.
pub(crate) async fn list(
    shared: &Shared,
    limit: Option<u32>,
    offset: Option<u64>,
    redactor: &Redactor,
) -> Result<ConnectorPage> {
    let operation = Operation::ListConnectors;
    let mut call = shared.wire.list_connectors();
    if let Some(limit) = limit {
        call = call.limit(u64::from(limit));
    }
    if let Some(offset) = offset {
        call = call.offset(offset);
    }
    match call.send().await {
        Ok(response) => page(response.into_inner(), redactor),
        Err(error) => Err(classify(operation, error, redactor).await),
    }
}

/// `POST /v1/connectors`.
pub(crate) async fn create(
    shared: &Shared,
    body: &NewConnector,
    redactor: &Redactor,
) -> Result<Connector> {
    let call = shared.wire.create_connector().body(create_body(body));
    match call.send().await {
        Ok(response) => Ok(connector(response.into_inner().connector)),
        Err(error) => Err(classify(Operation::CreateConnector, error, redactor).await),
    }
}

/// `GET /v1/connectors/{id}`.
pub(crate) async fn get(
    shared: &Shared,
    id: &ConnectorId,
    redactor: &Redactor,
) -> Result<Connector> {
    match shared.wire.get_connector().id(id.clone()).send().await {
        Ok(response) => Ok(connector(response.into_inner().connector)),
        Err(error) => Err(classify(Operation::GetConnector, error, redactor).await),
    }
}

/// `PATCH /v1/connectors/{id}`.
pub(crate) async fn update(
    shared: &Shared,
    id: &ConnectorId,
    body: &ConnectorUpdate,
    redactor: &Redactor,
) -> Result<Connector> {
    let call = shared
        .wire
        .update_connector()
        .id(id.clone())
        .body(update_body(body));
    match call.send().await {
        Ok(response) => Ok(connector(response.into_inner().connector)),
        Err(error) => Err(classify(Operation::UpdateConnector, error, redactor).await),
    }
}

/// `DELETE /v1/connectors/{id}`. The connector is gone on any 2xx whose body is empty or a
/// JSON object, whatever the fragment documents (200 with `{}`): servers and proxies answer
/// a delete with 204, or 200 and nothing.
pub(crate) async fn delete(shared: &Shared, id: &ConnectorId, redactor: &Redactor) -> Result<()> {
    let operation = Operation::DeleteConnector;
    match shared.wire.delete_connector().id(id.clone()).send().await {
        Ok(_) => Ok(()),
        Err(raw::Error::InvalidResponsePayload(body, error)) => {
            if is_empty_or_object(&body) {
                Ok(())
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
        Err(raw::Error::UnexpectedResponse(response)) if response.status().is_success() => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) if is_empty_or_object(&body) => Ok(()),
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
    shared: &Shared,
    id: &ConnectorId,
    after_token_redirect: Option<&str>,
    redactor: &Redactor,
) -> Result<String> {
    let operation = Operation::AuthorizeOAuth;
    let mut call = shared.wire.o_auth_authorize_connector().id(id.clone());
    if let Some(after) = after_token_redirect {
        call = call.after_token_redirect(after);
    }
    let authorized = match call.send().await {
        Ok(response) => response.into_inner(),
        Err(error) => return Err(classify(operation, error, redactor).await),
    };
    // The URL is the whole point of the call: a success without it is not a usable answer.
    authorized.redirect_url.ok_or_else(|| {
        decode(
            operation,
            SUCCESS_STATUS,
            "the response has no redirect_url",
            b"",
            redactor,
        )
    })
}

fn is_empty_or_object(body: &[u8]) -> bool {
    let trimmed = body.trim_ascii();
    trimmed.is_empty()
        || (trimmed.starts_with(b"{")
            && serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(trimmed)
                .is_ok())
}

// ---- what comes back --------------------------------------------------------------------

/// A connector of the raw bindings as the facade's type.
impl From<raw::types::Connector> for Connector {
    fn from(raw: raw::types::Connector) -> Self {
        Self {
            id: raw.id,
            organization_id: raw.organization_id,
            name: raw.name,
            description: raw.description,
            url: raw.url,
            created_at: raw.created_at,
            updated_at: raw.updated_at,
            excludes: raw.excludes,
            auth_type: raw.auth_type.map(AuthType::from),
            oauth: raw.oauth.map(|oauth| ConnectorOAuth {
                client_id: oauth.client_id,
                client_secret: oauth.client_secret,
                authorize_url: oauth.authorize_url,
                token_url: oauth.token_url,
                scope: oauth.scope,
            }),
            auth_status: raw.auth_status.map(AuthStatus::from),
            active: raw.active,
            continue_on_failure: raw.continue_on_failure,
        }
    }
}

fn connector(raw: raw::types::Connector) -> Connector {
    Connector::from(raw)
}

/// The facade's page from the raw one; `total_count` must be a whole, non-negative number.
///
/// ```
/// use cohere_connectors::{ConnectorPage, raw};
///
/// let raw: raw::types::ListConnectorsResponse =
///     serde_json::from_str(r#"{"connectors": [], "total_count": 3.0}"#)?;
/// let page = ConnectorPage::try_from(raw)?;
/// assert_eq!(page.total_count, Some(3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
impl TryFrom<raw::types::ListConnectorsResponse> for ConnectorPage {
    type Error = Error;

    fn try_from(raw: raw::types::ListConnectorsResponse) -> Result<Self> {
        page(raw, &Redactor::default())
    }
}

/// The facade's page; `total_count` must be a whole, non-negative number.
fn page(raw: raw::types::ListConnectorsResponse, redactor: &Redactor) -> Result<ConnectorPage> {
    let total_count = raw
        .total_count
        .map(whole_count)
        .transpose()
        .map_err(|reason| {
            decode(
                Operation::ListConnectors,
                SUCCESS_STATUS,
                &reason,
                b"",
                redactor,
            )
        })?;
    Ok(ConnectorPage {
        connectors: raw.connectors.into_iter().map(connector).collect(),
        total_count,
    })
}

fn whole_count(value: f64) -> Result<u64, String> {
    // 2^64 as an f64: every whole f64 below it fits in a u64.
    const LIMIT: f64 = 18_446_744_073_709_551_616.0;
    if value.is_finite() && value >= 0.0 && value.fract() == 0.0 && value < LIMIT {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(value as u64)
    } else {
        Err(format!(
            "total_count {value} is not a whole number of connectors"
        ))
    }
}

// ---- what goes out ----------------------------------------------------------------------

fn oauth_body(oauth: &OAuthConfig) -> raw::types::CreateConnectorOAuth {
    raw::types::CreateConnectorOAuth {
        client_id: oauth.client_id.clone(),
        client_secret: oauth.client_secret.clone(),
        authorize_url: oauth.authorize_url.clone(),
        token_url: oauth.token_url.clone(),
        scope: oauth.scope.clone(),
    }
}

fn service_auth_body(auth: &ServiceAuth) -> raw::types::CreateConnectorServiceAuth {
    raw::types::CreateConnectorServiceAuth {
        type_: match auth.token_type {
            crate::AuthTokenType::Bearer => raw::types::AuthTokenType::Bearer,
            crate::AuthTokenType::Basic => raw::types::AuthTokenType::Basic,
            crate::AuthTokenType::NoScheme => raw::types::AuthTokenType::Noscheme,
        },
        token: auth.token.clone(),
    }
}

fn create_body(new: &NewConnector) -> raw::types::CreateConnectorRequest {
    raw::types::CreateConnectorRequest {
        name: new.name.clone(),
        url: new.url.clone(),
        description: new.description.clone(),
        excludes: new.excludes.clone(),
        // The fragment keeps the API's defaults for these, so the generated type needs a
        // value: the default is what the API would apply anyway.
        active: new.active.unwrap_or(true),
        continue_on_failure: new.continue_on_failure.unwrap_or(false),
        oauth: new.oauth.as_ref().map(oauth_body),
        service_auth: new.service_auth.as_ref().map(service_auth_body),
    }
}

fn update_body(update: &ConnectorUpdate) -> raw::types::UpdateConnectorRequest {
    raw::types::UpdateConnectorRequest {
        name: update.name.clone(),
        url: update.url.clone(),
        excludes: update
            .excludes
            .clone()
            .map(raw::types::UpdateConnectorRequestExcludes),
        oauth: update.oauth.as_ref().map(oauth_body),
        service_auth: update.service_auth.as_ref().map(service_auth_body),
        active: update.active,
        continue_on_failure: update.continue_on_failure,
    }
}

// ---- errors -----------------------------------------------------------------------------

/// Maps progenitor's error onto the facade's, whatever the generated error type `E` is.
/// Asynchronous because an undocumented status still has a body to read.
async fn classify<E>(operation: Operation, error: raw::Error<E>, redactor: &Redactor) -> Error {
    use raw::Error as Raw;
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
    fn counts_must_be_whole_and_non_negative() {
        assert_eq!(whole_count(3.0), Ok(3));
        assert_eq!(whole_count(0.0), Ok(0));
        for bad in [-1.0, 2.5, f64::NAN, f64::INFINITY, 1e20] {
            assert!(whole_count(bad).is_err(), "{bad}");
        }
    }

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
