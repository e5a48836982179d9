//! The API's routes over the store, with the API's JSON errors for everything that goes wrong
//! (authentication, unknown routes, wrong methods, bodies too large or malformed).

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use super::store::{Refusal, Store};
use crate::raw::types::{
    Connector, CreateConnectorRequest, CreateConnectorResponse, ErrorBody, GetConnectorResponse,
    OAuthAuthorizeResponse, UpdateConnectorRequest, UpdateConnectorResponse,
};

/// The largest request body accepted.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;
const DEFAULT_LIMIT: u64 = 30;
const MAX_LIMIT: u64 = 100;

#[derive(Clone)]
pub(crate) struct App {
    pub store: Arc<Store>,
    pub api_keys: Arc<[String]>,
    pub base_url: Arc<str>,
}

pub(crate) fn router(app: App) -> Router {
    Router::new()
        .route("/v1/connectors", get(list).post(create))
        .route(
            "/v1/connectors/{id}",
            get(get_one).patch(update).delete(delete),
        )
        .route("/v1/connectors/{id}/oauth/authorize", post(authorize))
        .fallback(|| async { error(404, "no such endpoint") })
        .method_not_allowed_fallback(|| async { error(405, "method not allowed on this endpoint") })
        .layer(middleware::from_fn_with_state(app.clone(), authenticate))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// `Authorization: Bearer <key>` with one of the accepted keys, like the API.
async fn authenticate(State(app): State<App>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, key) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        });
    match presented {
        None => error(401, "no api key supplied"),
        Some(key) if !app.api_keys.iter().any(|accepted| accepted == key) => {
            error(401, "invalid api token")
        }
        Some(_) => next.run(request).await,
    }
}

async fn list(State(app): State<App>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let param = |name: &str| {
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    };
    let limit = match param("limit").map(|value| whole_number("limit", &value, Some(MAX_LIMIT))) {
        None => DEFAULT_LIMIT,
        Some(Ok(limit)) => limit,
        Some(Err(message)) => return error(400, &message),
    };
    let offset = match param("offset").map(|value| whole_number("offset", &value, None)) {
        None => 0,
        Some(Ok(offset)) => offset,
        Some(Err(message)) => return error(400, &message),
    };
    let (connectors, total) = app.store.list(to_usize(limit), to_usize(offset));
    json(
        StatusCode::OK,
        &ListBody {
            connectors,
            total_count: total,
        },
    )
}

/// The list response with `total_count` as a JSON integer, as the API sends it.
#[derive(Serialize)]
struct ListBody {
    connectors: Vec<Connector>,
    total_count: usize,
}

/// Accepts `10` and `10.0` (the API's parameters are JSON-Schema numbers); refuses what is
/// not a whole number in range.
fn whole_number(name: &str, text: &str, max: Option<u64>) -> Result<u64, String> {
    let range = match max {
        Some(max) => format!("between 0 and {max}"),
        None => "of at least 0".to_owned(),
    };
    let refusal = || format!("{name} must be a whole number {range}, got {text:?}");
    let value: f64 = text.trim().parse().map_err(|_| refusal())?;
    #[allow(clippy::cast_precision_loss)]
    let too_big = max.is_some_and(|max| value > max as f64) || value >= 1e18;
    if !value.is_finite() || value.fract() != 0.0 || value < 0.0 || too_big {
        return Err(refusal());
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(value as u64)
}

fn to_usize(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

async fn create(State(app): State<App>, body: Result<Bytes, BytesRejection>) -> Response {
    let request: CreateConnectorRequest = match parse_body(body) {
        Ok(request) => request,
        Err(refusal) => return refused(&refusal),
    };
    match app.store.create(request) {
        Ok(connector) => json(StatusCode::OK, &CreateConnectorResponse { connector }),
        Err(refusal) => refused(&refusal),
    }
}

async fn get_one(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return error(400, &rejection.body_text()),
    };
    match app.store.get(&id) {
        Ok(connector) => json(StatusCode::OK, &GetConnectorResponse { connector }),
        Err(refusal) => refused(&refusal),
    }
}

async fn update(
    State(app): State<App>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return error(400, &rejection.body_text()),
    };
    let request: UpdateConnectorRequest = match parse_body(body) {
        Ok(request) => request,
        Err(refusal) => return refused(&refusal),
    };
    match app.store.update(&id, request) {
        Ok(connector) => json(StatusCode::OK, &UpdateConnectorResponse { connector }),
        Err(refusal) => refused(&refusal),
    }
}

async fn delete(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return error(400, &rejection.body_text()),
    };
    match app.store.delete(&id) {
        Ok(()) => json(StatusCode::OK, &serde_json::Map::new()),
        Err(refusal) => refused(&refusal),
    }
}

async fn authorize(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Response {
    let Path(id) = match id {
        Ok(id) => id,
        Err(rejection) => return error(400, &rejection.body_text()),
    };
    let callback = format!("{}/v1/connectors/oauth/token", app.base_url);
    match app.store.authorize(&id, &callback, &random_hex(16)) {
        Ok(redirect_url) => json(
            StatusCode::OK,
            &OAuthAuthorizeResponse {
                redirect_url: Some(redirect_url),
            },
        ),
        Err(refusal) => refused(&refusal),
    }
}

/// The body as JSON of type `T`; a body over the limit is a 413, one that does not parse a 400
/// with the parser's message.
fn parse_body<T: serde::de::DeserializeOwned>(
    body: Result<Bytes, BytesRejection>,
) -> Result<T, Refusal> {
    let bytes = body.map_err(|rejection| {
        let status = rejection.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::new(
                413,
                format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            )
        } else {
            Refusal::new(status.as_u16(), rejection.body_text())
        }
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|parse| Refusal::new(400, format!("invalid request body: {parse}")))
}

fn refused(refusal: &Refusal) -> Response {
    error(refusal.status, &refusal.message)
}

/// The API's error body: `{"message": ..., "id": ...}`.
pub(crate) fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    json(
        status,
        &ErrorBody {
            message: Some(message.to_owned()),
            id: Some(random_hex(16)),
        },
    )
}

fn json(status: StatusCode, body: &impl Serialize) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => {
            let mut response = (status, Body::from(bytes)).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Random lowercase hex, for error ids and OAuth `state` values.
pub(crate) fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_accept_integers_and_integral_floats_only() {
        assert_eq!(whole_number("limit", "10", Some(100)), Ok(10));
        assert_eq!(whole_number("limit", "10.0", Some(100)), Ok(10));
        assert_eq!(whole_number("limit", "0", Some(100)), Ok(0));
        assert_eq!(whole_number("limit", "100", Some(100)), Ok(100));
        for bad in ["101", "-1", "abc", "1.5", "", "NaN", "inf"] {
            let message = whole_number("limit", bad, Some(100)).unwrap_err();
            assert!(
                message.starts_with("limit must be a whole number between 0 and 100"),
                "{message}"
            );
        }
        assert_eq!(whole_number("offset", "1000000", None), Ok(1_000_000));
        assert!(whole_number("offset", "-3", None).is_err());
    }
}
