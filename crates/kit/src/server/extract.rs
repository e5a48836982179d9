//! What a search handler is called with, taken from the request by axum extractors: the
//! caller (authenticated before the body is read) and the request (axum's `Json` or `Form`,
//! by the declared content type, under the body limit). Their rejections all go through
//! [`body_refused`], so every refusal is the kit's JSON.

use std::sync::Arc;

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::{HeaderMap, header, request::Parts};
use axum::response::Response;
use axum::{Form, Json};

use super::access::Caller;
use super::answer::{body_refused, unauthorized};
use super::service::Shared;
use crate::SearchRequest;

/// The caller, once [`Access`](super::Access) let them in; a 401 otherwise.
pub(crate) struct Authorized(pub Caller);

impl FromRequestParts<Arc<Shared>> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, Response> {
        shared
            .access
            .verify(&parts.headers)
            .map(Self)
            .map_err(|refusal| unauthorized(refusal, shared.access.challenge()))
    }
}

/// The search request, from JSON or, when declared so, a form.
pub(crate) struct SearchInput(pub SearchRequest);

impl FromRequest<Arc<Shared>> for SearchInput {
    type Rejection = Response;

    async fn from_request(request: Request, shared: &Arc<Shared>) -> Result<Self, Response> {
        let limit = shared.max_body_bytes;
        // Refused before a byte is read: the body limit alone would read up to the limit.
        if declared_length(request.headers()).is_some_and(|length| length > limit) {
            return Err(body_refused(
                axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                limit,
            ));
        }
        let parsed = if is_form(request.headers()) {
            Form::<SearchRequest>::from_request(request, shared)
                .await
                .map(|Form(request)| request)
                .map_err(|rejection| rejection.status())
        } else {
            Json::<SearchRequest>::from_request(request, shared)
                .await
                .map(|Json(request)| request)
                .map_err(|rejection| rejection.status())
        };
        parsed
            .map(Self)
            .map_err(|status| body_refused(status, limit))
    }
}

/// The declared `Content-Length` (saturated: a length past `usize` is over any limit).
pub(crate) fn declared_length(headers: &HeaderMap) -> Option<usize> {
    let length: u64 = headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()?;
    Some(usize::try_from(length).unwrap_or(usize::MAX))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|essence| {
            essence
                .trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}
