//! The seam: the one place the facade meets the wire. Each function here is one attempt of
//! one operation: it builds the request (method, path, parameters, body), sends it through
//! [`Wire`], and decodes the answer into the facade's types.
//!
//! # Why the facade does not call the generated client
//!
//! [`crate::raw`] is progenitor's client: the fragment's types in, progenitor's `Error` out.
//! The facade has types of its own (`ConnectorPage`, `NewConnector`, ...) and an error of its
//! own. Going through the generated builders would mean converting every body into and out of
//! the generated types, which name the fragment's schemas and fields (so that a schema renamed
//! or an optional field removed upstream would break the facade), and then translating
//! progenitor's errors back into the statuses and bodies they were made from. So the facade
//! builds its six requests here, and shares everything else with the raw client: the same
//! operation shapes (the path guard's table, which build.rs generates from the fragment; a
//! unit test checks [`Operation`] against it), the same rules on the wire
//! ([`Transport::prepare`](crate::http::transport::Transport::prepare): the guard, the
//! credential rules, the headers, the timeouts), the same id encoding
//! ([`ConnectorId`], percent-encoded as progenitor encodes it), the same body limits and the
//! same connection pool. Raw users get progenitor's client with those rules in its hooks, and
//! progenitor's errors unmodified (`src/raw.rs`).
//!
//! # What ties this file to the spec
//!
//! The operations, the parameters set here and the fields read are the contract that
//! `cargo xtask spec` checks on every new upstream (xtask/src/spec/contract.rs): a change to
//! one of them is refused there, naming the facade item it breaks, before it gets here.
//! Anything else (optional fields added or removed, renamed schemas, new statuses, other error
//! bodies) changes nothing here: answers decode into the facade's types from their bytes, and
//! error bodies are read by [`ApiError`](crate::ApiError) whatever shape the fragment gives
//! them.

pub(crate) mod answers;

use serde::de::DeserializeOwned;

use crate::api::response::{Response, ResponseMeta};
use crate::client::execute::SUCCESS_STATUS;
use crate::core::error::DecodeError;
use crate::core::text::Redactor;
use crate::http::exchange::{Answer, Wire};
use crate::{
    Connector, ConnectorId, ConnectorPage, ConnectorUpdate, Error, NewConnector, Operation, Result,
};

/// `GET /v1/connectors`.
pub(crate) async fn list(
    wire: &Wire<'_>,
    limit: Option<u32>,
    offset: Option<u64>,
) -> Result<Response<ConnectorPage>> {
    let operation = Operation::ListConnectors;
    let mut request = wire.request(operation, None);
    if let Some(limit) = limit {
        request = request.query(&[("limit", limit)]);
    }
    if let Some(offset) = offset {
        request = request.query(&[("offset", offset)]);
    }
    let answer = wire.send(operation, request).await?;
    decode(operation, answer, wire.redactor)
}

/// `POST /v1/connectors`.
pub(crate) async fn create(wire: &Wire<'_>, body: &NewConnector) -> Result<Response<Connector>> {
    let operation = Operation::CreateConnector;
    let request = wire.request(operation, None).json(body);
    let answer = wire.send(operation, request).await?;
    decode::<answers::ConnectorAnswer>(operation, answer, wire.redactor)
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `GET /v1/connectors/{id}`.
pub(crate) async fn get(wire: &Wire<'_>, id: &ConnectorId) -> Result<Response<Connector>> {
    let operation = Operation::GetConnector;
    let answer = wire
        .send(operation, wire.request(operation, Some(id)))
        .await?;
    decode::<answers::ConnectorAnswer>(operation, answer, wire.redactor)
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `PATCH /v1/connectors/{id}`.
pub(crate) async fn update(
    wire: &Wire<'_>,
    id: &ConnectorId,
    body: &ConnectorUpdate,
) -> Result<Response<Connector>> {
    let operation = Operation::UpdateConnector;
    let request = wire.request(operation, Some(id)).json(body);
    let answer = wire.send(operation, request).await?;
    decode::<answers::ConnectorAnswer>(operation, answer, wire.redactor)
        .map(|answer| answer.map(|answer| answer.connector))
}

/// `DELETE /v1/connectors/{id}`. The connector is gone on any 2xx whose body is empty or a
/// JSON object, whatever the fragment documents (200 with `{}`): servers and proxies answer
/// a delete with 204, or 200 and nothing.
pub(crate) async fn delete(wire: &Wire<'_>, id: &ConnectorId) -> Result<Response<()>> {
    let operation = Operation::DeleteConnector;
    let Answer {
        status,
        headers,
        body,
    } = wire
        .send(operation, wire.request(operation, Some(id)))
        .await?;
    if !is_empty_or_object(&body) {
        return Err(decode_error(
            operation,
            status.as_u16(),
            "a delete answers with an empty body or a JSON object",
            &body,
            wire.redactor,
        ));
    }
    Ok(Response::new(
        (),
        ResponseMeta::new(status.as_u16(), headers),
    ))
}

/// `POST /v1/connectors/{id}/oauth/authorize`: the URL to send the user to.
pub(crate) async fn authorize(
    wire: &Wire<'_>,
    id: &ConnectorId,
    after_token_redirect: Option<&str>,
) -> Result<Response<String>> {
    let operation = Operation::AuthorizeOAuth;
    let mut request = wire.request(operation, Some(id));
    if let Some(after) = after_token_redirect {
        request = request.query(&[("after_token_redirect", after)]);
    }
    let answer = wire.send(operation, request).await?;
    let (answer, meta) =
        decode::<answers::RedirectAnswer>(operation, answer, wire.redactor)?.into_parts();
    // The URL is the whole point of the call: a success without it is not a usable answer.
    match answer.redirect_url {
        Some(url) => Ok(Response::new(url, meta)),
        None => Err(decode_error(
            operation,
            meta.status(),
            "the response has no redirect_url",
            b"",
            wire.redactor,
        )),
    }
}

/// The answer's body as `T`, with its metadata. Every operation documents one success
/// status; another 2xx is not the API's answer, whatever its body.
fn decode<T: DeserializeOwned>(
    operation: Operation,
    answer: Answer,
    redactor: &Redactor,
) -> Result<Response<T>> {
    let status = answer.status.as_u16();
    if status != SUCCESS_STATUS {
        return Err(decode_error(
            operation,
            status,
            &format!("the API documents {SUCCESS_STATUS} for this operation, not {status}"),
            &answer.body,
            redactor,
        ));
    }
    match serde_json::from_slice(&answer.body) {
        Ok(value) => Ok(Response::new(
            value,
            ResponseMeta::new(status, answer.headers),
        )),
        Err(error) => Err(decode_error(
            operation,
            status,
            &error.to_string(),
            &answer.body,
            redactor,
        )),
    }
}

fn is_empty_or_object(body: &[u8]) -> bool {
    let trimmed = body.trim_ascii();
    trimmed.is_empty() || serde_json::from_slice::<answers::Acknowledged>(trimmed).is_ok()
}

fn decode_error(
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
