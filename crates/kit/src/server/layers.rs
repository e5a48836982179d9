//! The service's cross-cutting concerns, as tower and tower-http layers around its route,
//! outermost first:
//!
//! 1. a request id (`x-request-id`: the caller's, or a new UUID), answered back too;
//! 2. a tracing span per request (method, path without its query, request id), and one
//!    event per answer (status, time), never a header;
//! 3. panics caught and answered 500;
//! 4. the deadline (tower's `Timeout`, its error answered 504 by `HandleErrorLayer`:
//!    tower-http's `TimeoutLayer` answers an empty body, and the kit answers JSON);
//! 5. the body limit (axum's `DefaultBodyLimit`, which its `Json` and `Form` extractors
//!    obey).
//!
//! They wrap the kit's route only: a router the service is merged or nested into keeps its
//! own layers and fallback, and may add more around these.

use std::time::Duration;

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::http::{Request, Response};
use tower::ServiceBuilder;
use tower::timeout::TimeoutLayer;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use super::answer::{deadline_passed, panicked};
use cohere_connectors::text::one_line;

/// The longest path or request id a span records.
const SPAN_TEXT_CHARS: usize = 120;

/// `routes` inside the kit's layers.
pub(crate) fn around(routes: Router, deadline: Duration, max_body_bytes: usize) -> Router {
    routes.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(
                TraceLayer::new_for_http()
                    .make_span_with(SearchSpan)
                    .on_request(())
                    .on_response(Answered)
                    // Failures are logged where their detail is known, scrubbed.
                    .on_failure(()),
            )
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(CatchPanicLayer::custom(|_panic| panicked()))
            .layer(HandleErrorLayer::new(move |_elapsed: tower::BoxError| {
                std::future::ready(deadline_passed(deadline))
            }))
            .layer(TimeoutLayer::new(deadline))
            .layer(DefaultBodyLimit::max(max_body_bytes)),
    )
}

/// The span of one request: what was asked, never the query string or a header but the id.
#[derive(Clone, Copy, Debug)]
struct SearchSpan;

impl<B> MakeSpan<B> for SearchSpan {
    fn make_span(&mut self, request: &Request<B>) -> Span {
        let request_id = request
            .headers()
            .get("x-request-id")
            .map(|value| one_line(&String::from_utf8_lossy(value.as_bytes()), SPAN_TEXT_CHARS))
            .unwrap_or_default();
        tracing::info_span!(
            "connector_search",
            method = %request.method(),
            path = %one_line(request.uri().path(), SPAN_TEXT_CHARS),
            request_id = %request_id,
        )
    }
}

/// One event per answer.
#[derive(Clone, Copy, Debug)]
struct Answered;

impl<B> OnResponse<B> for Answered {
    fn on_response(self, response: &Response<B>, latency: Duration, _span: &Span) {
        tracing::debug!(
            status = response.status().as_u16(),
            elapsed_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            "connector search answered"
        );
    }
}
