//! The vocabulary every layer of the emulator answers in: a refusal (a status and a
//! message), the API's JSON error body, and the random ids errors and OAuth values carry.
//! A leaf: it imports no other module of the emulator, so the store, the wire types, the
//! verifier, the OAuth walk and the routes can all speak it without importing each other.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An answer the API gives instead of a result: a status and a message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// The id is not echoed: it is whatever the caller put in the path.
    pub(crate) fn not_found() -> Self {
        Self::new(404, "connector not found")
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, message)
    }

    /// A body over a route's bound of `max` bytes.
    pub(crate) fn too_large(max: usize) -> Self {
        Self::new(413, format!("the request body is larger than {max} bytes"))
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    pub message: &'a str,
    pub id: &'a str,
}

/// The API's error body: `{"message": ..., "id": ...}`.
pub(crate) fn error(status: u16, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let id = random_hex(16);
    let body = serde_json::to_vec(&ErrorBody { message, id: &id }).unwrap_or_default();
    json_bytes(status, body)
}

pub(crate) fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, Body::from(body)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Random lowercase hex, for error ids, OAuth `state` values and codes.
pub(crate) fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", fastrand::u8(..)))
        .collect()
}
