//! The OAuth round trip, as Cohere runs it for a connector whose data source authorizes each
//! user:
//!
//! 1. `POST /v1/connectors/{id}/oauth/authorize` answers with the provider's authorize URL,
//!    carrying the emulator's callback as `redirect_uri` and a one-time `state`;
//! 2. the provider sends the user's browser to the callback,
//!    `GET /v1/connectors/oauth/token?code=...&state=...`;
//! 3. the emulator exchanges the code at the connector's `token_url` (client id and secret in
//!    the form, as RFC 6749 section 4.1.3 describes), records the token for the user who
//!    started, so that their `auth_status` is `valid`, and redirects to `after_token_redirect`.
//!
//! [`OAuthProvider`] (in `provider`) is a provider to run in tests, and
//! [`Emulator::complete_oauth`](crate::Emulator::complete_oauth) plays the user's browser.

mod provider;

pub use provider::{
    ClientAuthentication, OAuthProvider, OAuthProviderBuilder, ProviderEndpoint, ProviderRequest,
    TokenChecker, TokenFault,
};

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{TimeDelta, Utc};
use serde::Deserialize;

use super::reply::{Refusal, random_hex};
use super::store::{Caller, Store};
use cohere_connectors::Secret;

/// How long an authorization may take from `authorize` to the callback.
const PENDING_LIFETIME: Duration = Duration::from_secs(600);
/// The most authorizations waiting for their callback at once; older ones are dropped.
const MAX_PENDING: usize = 10_000;
/// How long the token exchange may take.
const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(10);
/// The largest token response read.
const MAX_TOKEN_RESPONSE_BYTES: usize = 64 * 1024;

/// The path of the callback the provider redirects the user to.
pub(crate) const CALLBACK_PATH: &str = "/v1/connectors/oauth/token";

/// Authorizations that have started and wait for their callback.
#[derive(Default)]
pub(crate) struct Pending {
    by_state: Mutex<HashMap<String, Started>>,
}

struct Started {
    connector: String,
    caller: Caller,
    after_token_redirect: Option<String>,
    at: Instant,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Started>> {
        self.by_state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records a new authorization and returns its `state`.
    pub(crate) fn start(
        &self,
        connector: &str,
        caller: Caller,
        after_token_redirect: Option<String>,
    ) -> String {
        let state = random_hex(16);
        let mut pending = self.lock();
        pending.retain(|_, started| started.at.elapsed() < PENDING_LIFETIME);
        if pending.len() >= MAX_PENDING
            && let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, started)| started.at)
                .map(|(state, _)| state.clone())
        {
            pending.remove(&oldest);
        }
        pending.insert(
            state.clone(),
            Started {
                connector: connector.to_owned(),
                caller,
                after_token_redirect,
                at: Instant::now(),
            },
        );
        state
    }

    fn take(&self, state: &str) -> Option<Started> {
        let started = self.lock().remove(state)?;
        (started.at.elapsed() < PENDING_LIFETIME).then_some(started)
    }
}

/// The authorize URL a user is sent to: the connector's `authorize_url` with the standard
/// authorization-code parameters added.
pub(crate) fn authorize_url(
    store: &Store,
    connector: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<String, Refusal> {
    store.oauth_settings(connector, |settings| {
        let mut url = reqwest::Url::parse(&settings.authorize_url)
            .map_err(|_| Refusal::bad_request("the connector's authorize_url is not a URL"))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("response_type", "code");
            query.append_pair("client_id", &settings.client_id);
            if let Some(scope) = &settings.scope {
                query.append_pair("scope", scope);
            }
            query.append_pair("redirect_uri", redirect_uri);
            query.append_pair("state", state);
        }
        Ok(url.into())
    })?
}

/// The callback's query.
#[derive(Deserialize)]
pub(crate) struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Handles the callback: exchanges the code and redirects the user on.
pub(crate) async fn callback(
    store: &Store,
    pending: &Pending,
    http: &reqwest::Client,
    redirect_uri: &str,
    query: Callback,
) -> Response {
    let Some(started) = query.state.as_deref().and_then(|state| pending.take(state)) else {
        return super::reply::error(400, "unknown or expired OAuth state");
    };
    let outcome = match (query.error, query.code) {
        (Some(_), _) => Err("access_denied"),
        (None, None) => Err("missing_code"),
        (None, Some(code)) => exchange(store, http, &started, &code, redirect_uri).await,
    };
    match (outcome, started.after_token_redirect) {
        (Ok(()), Some(after)) => redirect(&after),
        (Ok(()), None) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "The connector is authorized. You can close this window.\n",
        )
            .into_response(),
        (Err(reason), Some(after)) => redirect(&with_error(&after, reason)),
        (Err(reason), None) => {
            super::reply::error(400, &format!("the OAuth authorization failed: {reason}"))
        }
    }
}

/// The token endpoint's answer; only these fields are read.
#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    expires_in: Option<f64>,
}

async fn exchange(
    store: &Store,
    http: &reqwest::Client,
    started: &Started,
    code: &str,
    redirect_uri: &str,
) -> Result<(), &'static str> {
    let (token_url, client_id, client_secret) = store
        .oauth_settings(&started.connector, |settings| {
            (
                settings.token_url.clone(),
                settings.client_id.clone(),
                settings.client_secret.clone(),
            )
        })
        .map_err(|_| "connector_not_found")?;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
        ("client_id", &client_id),
        ("client_secret", client_secret.expose()),
    ];
    let form = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let response = http
        .post(&token_url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form)
        .timeout(EXCHANGE_TIMEOUT)
        .send()
        .await
        .map_err(|_| "token_endpoint_unreachable")?;
    if !response.status().is_success() {
        return Err("token_exchange_refused");
    }
    if response
        .content_length()
        .is_some_and(|length| length > MAX_TOKEN_RESPONSE_BYTES as u64)
    {
        return Err("token_response_too_large");
    }
    let body = response
        .bytes()
        .await
        .map_err(|_| "token_response_broken")?;
    if body.len() > MAX_TOKEN_RESPONSE_BYTES {
        return Err("token_response_too_large");
    }
    let token: TokenResponse =
        serde_json::from_slice(&body).map_err(|_| "token_response_invalid")?;
    let expires_at = token
        .expires_in
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .and_then(|lifetime| TimeDelta::from_std(lifetime).ok())
        .and_then(|lifetime| Utc::now().checked_add_signed(lifetime));
    store
        .grant(
            &started.connector,
            started.caller,
            Secret::from(token.access_token),
            expires_at,
        )
        .map_err(|_| "connector_not_found")
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

/// `url` with `error=<reason>` added to its query.
fn with_error(url: &str, reason: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut url) => {
            url.query_pairs_mut().append_pair("error", reason);
            url.into()
        }
        Err(_) => url.to_owned(),
    }
}

/// What went wrong while a test walked the round trip.
#[derive(Debug)]
pub struct OAuthWalkError(pub(crate) String);

impl fmt::Display for OAuthWalkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the OAuth round trip failed: {}", self.0)
    }
}

impl std::error::Error for OAuthWalkError {}

/// Plays the user's browser from the authorize URL to where the emulator sends them after the
/// callback; returns that last location (not fetched).
pub(crate) async fn walk(
    http: &reqwest::Client,
    authorize_url: &str,
) -> Result<String, OAuthWalkError> {
    let fail = |what: String| OAuthWalkError(what);
    let at_provider = http
        .get(authorize_url)
        .send()
        .await
        .map_err(|error| fail(format!("the authorize URL did not answer: {error}")))?;
    let callback = location(&at_provider).ok_or_else(|| {
        fail(format!(
            "the provider answered {}, not a redirect",
            at_provider.status()
        ))
    })?;
    let at_emulator = http
        .get(&callback)
        .send()
        .await
        .map_err(|error| fail(format!("the callback did not answer: {error}")))?;
    if let Some(after) = location(&at_emulator) {
        return Ok(after);
    }
    if at_emulator.status().is_success() {
        return Ok(callback);
    }
    Err(fail(format!(
        "the callback answered {}",
        at_emulator.status()
    )))
}

pub(crate) fn location(response: &reqwest::Response) -> Option<String> {
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get(header::LOCATION)?.to_str().ok()?;
    response.url().join(location).ok().map(String::from)
}
