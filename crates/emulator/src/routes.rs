//! The API's routes over the store (and the chat's scripted model), with the API's JSON
//! errors for everything that goes wrong (authentication, unknown routes, wrong methods,
//! bodies too large or malformed). No answer of the connector routes ever echoes a value from
//! the request: a key or a token in the wrong place must not come back in a message. (The
//! chat quotes a document id or a tool name in the refusals where Cohere does.)

use std::sync::Arc;

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{MethodRouter, get, post};
use serde::Deserialize;

use super::chat;
use super::faults::Faults;
use super::oauth::{self, CALLBACK_PATH, Callback, Pending};
use super::reply::{Refusal, json_bytes};
use super::store::{self, Caller, Store};
use super::verify::{Target, Verifier};
use super::wire::{CreateRequest, RedirectBody, UpdateRequest};
// The server loop answers its own refusals (408, injected failures) in the same shape.
pub(crate) use super::reply::error;

/// The largest request body accepted.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;
const DEFAULT_LIMIT: u64 = 30;
const MAX_LIMIT: u64 = 100;

#[derive(Clone)]
pub(crate) struct App {
    pub store: Arc<Store>,
    pub pending: Arc<Pending>,
    pub api_keys: Arc<[String]>,
    pub base_url: Arc<str>,
    /// For what the emulator itself calls: token endpoints.
    pub http: reqwest::Client,
    /// Set when connectors are called before they are created or moved.
    pub verifier: Option<Verifier>,
    /// How the chat's model behaves.
    pub chat: chat::Script,
    /// The stream faults the chat takes (the server loop takes the others).
    pub faults: Faults,
}

impl App {
    fn callback_url(&self) -> String {
        format!("{}{CALLBACK_PATH}", self.base_url)
    }
}

pub(crate) fn router(app: App) -> Router {
    let api = Router::new()
        .route(
            "/v1/connectors",
            bounded(get(list).post(create), MAX_BODY_BYTES),
        )
        .route(
            "/v1/connectors/{id}",
            bounded(get(get_one).patch(update).delete(delete), MAX_BODY_BYTES),
        )
        // POST is the API's documented method; Cohere's Python SDK 4.x
        // (`co.o_auth_authorize_connector`) sends GET, which the API answered the same way.
        .route(
            "/v1/connectors/{id}/oauth/authorize",
            bounded(post(authorize).get(authorize), MAX_BODY_BYTES),
        )
        // A conversation of tool results outgrows the connectors' bound: its own.
        .route("/v2/chat", bounded(post(chat), chat::MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(app.clone(), authenticate));
    // The user's browser follows the provider's redirect here: it carries no API key.
    let public = Router::new().route(CALLBACK_PATH, get(callback));
    api.merge(public)
        .fallback(|| async { error(404, "no such endpoint") })
        .method_not_allowed_fallback(|| async { error(405, "method not allowed on this endpoint") })
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(app)
}

/// A route whose bodies are bounded by `max` bytes: one that declares more is refused with
/// 413 before a byte of it is read (without this, the route would wait for a body it will
/// refuse, until the request times out), one that sends more when it is read.
fn bounded(route: MethodRouter<App>, max: usize) -> MethodRouter<App> {
    route
        .layer(DefaultBodyLimit::max(max))
        .layer(middleware::from_fn_with_state(max, refuse_declared_over))
}

async fn refuse_declared_over(State(max): State<usize>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok());
    if declared.is_some_and(|length| length > u64::try_from(max).unwrap_or(u64::MAX)) {
        return refused(&Refusal::too_large(max));
    }
    next.run(request).await
}

/// `Authorization: Bearer <key>` with one of the accepted keys, like the API. Which key it
/// was tells callers apart, for their OAuth authorizations.
async fn authenticate(State(app): State<App>, mut request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, key) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
        })
        // An empty key is no key, whatever the accepted ones are.
        .filter(|key| !key.is_empty());
    let Some(key) = presented else {
        return error(401, "no api key supplied");
    };
    let Some(caller) = app.api_keys.iter().position(|accepted| accepted == key) else {
        return error(401, "invalid api token");
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

async fn chat(State(app): State<App>, body: Result<Bytes, BytesRejection>) -> Response {
    chat::respond(&app.chat, &app.faults, body)
}

async fn list(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    RawQuery(query): RawQuery,
) -> Response {
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
    let body = app.store.list(to_usize(limit), to_usize(offset), caller);
    json_bytes(StatusCode::OK, body)
}

/// Accepts `10` and `10.0` (the API's parameters are JSON-Schema numbers); refuses what is
/// not a whole number in range. The message names the parameter, not the value.
fn whole_number(name: &str, text: &str, max: Option<u64>) -> Result<u64, String> {
    let range = match max {
        Some(max) => format!("between 0 and {max}"),
        None => "of at least 0".to_owned(),
    };
    let refusal = || format!("{name} must be a whole number {range}");
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

async fn create(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let request = match body_bytes(body).and_then(|bytes| CreateRequest::parse(&bytes)) {
        Ok(request) => request,
        Err(refusal) => return refused(&refusal),
    };
    if let Some(verifier) = &app.verifier {
        let target = store::check_create(&request).map(|()| Target {
            url: request.url.clone(),
            service_auth: request
                .service_auth
                .as_ref()
                .map(|auth| (auth.token_type.clone(), auth.token.clone())),
            oauth: request.oauth.is_some(),
        });
        let verified = match target {
            Ok(target) => verifier.verify(target).await,
            Err(refusal) => Err(refusal),
        };
        if let Err(refusal) = verified {
            return refused(&refusal);
        }
    }
    answer(app.store.create(request, caller))
}

async fn get_one(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    answer(path_id(id).and_then(|id| app.store.get(&id, caller)))
}

async fn update(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = path_id(id).and_then(|id| {
        let request = body_bytes(body).and_then(|bytes| UpdateRequest::parse(&bytes))?;
        Ok((id, request))
    });
    let (id, request) = match parsed {
        Ok(parsed) => parsed,
        Err(refusal) => return refused(&refusal),
    };
    // A new URL or new service credentials are tried before they are kept, as on create.
    let moves = request.url.is_some() || request.service_auth.is_some();
    if let Some(verifier) = app.verifier.as_ref().filter(|_| moves) {
        let target = app.store.call_target(
            &id,
            request.url.as_deref(),
            request.service_auth.as_ref(),
            request.oauth.is_some(),
        );
        let verified = match target {
            Ok(target) => verifier.verify(target).await,
            Err(refusal) => Err(refusal),
        };
        if let Err(refusal) = verified {
            return refused(&refusal);
        }
    }
    answer(app.store.update(&id, request, caller))
}

async fn delete(State(app): State<App>, id: Result<Path<String>, PathRejection>) -> Response {
    match path_id(id).and_then(|id| app.store.delete(&id)) {
        Ok(()) => json_bytes(StatusCode::OK, b"{}".to_vec()),
        Err(refusal) => refused(&refusal),
    }
}

#[derive(Deserialize)]
struct AuthorizeQuery {
    after_token_redirect: Option<String>,
}

async fn authorize(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<AuthorizeQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let outcome = path_id(id).and_then(|id| {
        let Query(query) =
            query.map_err(|_| Refusal::bad_request("the query string is not valid"))?;
        if let Some(after) = &query.after_token_redirect {
            let valid = reqwest::Url::parse(after)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https"));
            if !valid {
                return Err(Refusal::new(
                    422,
                    "after_token_redirect must be a valid http(s) URL",
                ));
            }
        }
        // The connector must exist and use OAuth before anything is recorded.
        app.store.oauth_settings(&id, |_| ())?;
        let state = app.pending.start(&id, caller, query.after_token_redirect);
        let redirect_url = oauth::authorize_url(&app.store, &id, &app.callback_url(), &state)?;
        Ok(serde_json::to_vec(&RedirectBody { redirect_url }).unwrap_or_default())
    });
    answer(outcome)
}

async fn callback(
    State(app): State<App>,
    query: Result<Query<Callback>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(query)) = query else {
        return error(400, "the callback needs code and state");
    };
    oauth::callback(
        &app.store,
        &app.pending,
        &app.http,
        &app.callback_url(),
        query,
    )
    .await
}

/// The id in the path; the rejection's own text is not used, since it may quote the path.
fn path_id(id: Result<Path<String>, PathRejection>) -> Result<String, Refusal> {
    id.map(|Path(id)| id)
        .map_err(|_| Refusal::bad_request("the connector id in the path is not valid UTF-8"))
}

/// The body's bytes; one over the limit is a 413.
fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Refusal> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Refusal::too_large(MAX_BODY_BYTES)
        } else {
            Refusal::bad_request("the request body could not be read")
        }
    })
}

fn answer(outcome: Result<Vec<u8>, Refusal>) -> Response {
    match outcome {
        Ok(body) => json_bytes(StatusCode::OK, body),
        Err(refusal) => refused(&refusal),
    }
}

fn refused(refusal: &Refusal) -> Response {
    error(refusal.status, &refusal.message)
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
        for bad in ["101", "-1", "abc", "1.5", "", "NaN", "inf", "sk-SECRET"] {
            let message = whole_number("limit", bad, Some(100)).unwrap_err();
            assert_eq!(message, "limit must be a whole number between 0 and 100");
        }
        assert_eq!(whole_number("offset", "1000000", None), Ok(1_000_000));
        assert!(whole_number("offset", "-3", None).is_err());
    }
}
