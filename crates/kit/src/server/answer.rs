//! Every answer the service gives: the results, and each refusal and failure as JSON
//! `{"message": ...}` with its status. One vocabulary, so that every path (routing,
//! authentication, extraction, the deadline, a panic, the handler) answers alike.

use std::time::Duration;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::access::Refusal;
use crate::{Document, SearchResponse};

/// What a request that found nothing to search is answered.
pub(crate) const NOT_FOUND: &str = "no such endpoint";
/// What a body that is not a search request is answered.
pub(crate) const NOT_A_SEARCH: &str = r#"the body must be {"query": "<text>"}"#;
/// What a handler that failed without saying why, or panicked, is answered.
pub(crate) const SEARCH_FAILED: &str = "the search failed";

/// A JSON error body: `{"message": ...}`.
pub(crate) fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(serde_json::json!({ "message": text }))).into_response()
}

/// `{"results": [...]}`.
pub(crate) fn results(documents: Vec<Document>) -> Response {
    Json(SearchResponse::new(documents)).into_response()
}

/// Any path but the search's (when the service is served alone).
pub(crate) async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, NOT_FOUND)
}

/// Any method but `POST` on the search path. axum adds `Allow: POST`.
pub(crate) async fn method_not_allowed() -> Response {
    message(
        StatusCode::METHOD_NOT_ALLOWED,
        "the search endpoint takes POST",
    )
}

/// A 401 with its challenge.
pub(crate) fn unauthorized(refusal: Refusal, challenge: &'static str) -> Response {
    let mut response = message(StatusCode::UNAUTHORIZED, refusal.message());
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(challenge),
    );
    response
}

/// The one answer to a body the extractors refused, whatever refused it (axum's `Json` or
/// `Form` rejection, or a declared length over the limit), by the status they chose.
pub(crate) fn body_refused(status: StatusCode, max_body_bytes: usize) -> Response {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => message(
            status,
            &format!("the request body is larger than {max_body_bytes} bytes"),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => message(
            status,
            "send the query as Content-Type: application/json (or application/x-www-form-urlencoded)",
        ),
        _ => message(StatusCode::BAD_REQUEST, NOT_A_SEARCH),
    }
}

/// The deadline passed before the answer.
pub(crate) fn deadline_passed(deadline: Duration) -> Response {
    message(
        StatusCode::GATEWAY_TIMEOUT,
        &format!(
            "the search did not finish within {} ms",
            deadline.as_millis()
        ),
    )
}

/// The handler panicked.
pub(crate) fn panicked() -> Response {
    tracing::error!("the connector's search handler panicked");
    message(StatusCode::INTERNAL_SERVER_ERROR, SEARCH_FAILED)
}
