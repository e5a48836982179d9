//! `GET /health` for orchestrators (a load balancer, Kubernetes probes): the process is up
//! and answering. No authentication, no secrets, nothing about the data: a probe must not
//! need a token, and an anonymous caller must learn nothing from it.

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use super::answer::message;
use super::service::literal_route;

/// Where the health check is served unless told otherwise.
pub const DEFAULT_HEALTH_PATH: &str = "/health";

/// `GET <path>` (and `HEAD`) answers 200 `{"status": "ok"}`; any other method 405.
pub(crate) fn router(path: &str) -> Router {
    Router::new().route(
        &literal_route(path),
        get(healthy).fallback(method_not_allowed),
    )
}

async fn healthy() -> Response {
    (
        [(axum::http::header::CACHE_CONTROL, "no-store")],
        axum::Json(serde_json::json!({ "status": "ok" })),
    )
        .into_response()
}

async fn method_not_allowed() -> Response {
    message(
        StatusCode::METHOD_NOT_ALLOWED,
        "the health endpoint takes GET",
    )
}
