//! The provider's endpoints: `GET /authorize` (the user's browser), `POST /token` and
//! `POST /revoke` (the client). They parse and authenticate requests, apply the planned
//! faults, and leave the rules to the books.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::faults::{self, TokenFault};
use super::grants::{Authorization, Issued, Refused};
use super::seen::{ClientAuthentication, ProviderEndpoint, ProviderRequest};
use super::{Shared, lock};

/// The parameters of a query or a form, in order, duplicates kept.
fn pairs(text: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(text).into_owned().collect()
}

fn first<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

fn redirect(location: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

pub(super) async fn authorize(
    State(shared): State<Arc<Shared>>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = pairs(query.unwrap_or_default().as_bytes());
    shared.record(ProviderRequest {
        endpoint: ProviderEndpoint::Authorize,
        params: params.clone(),
        client_authentication: ClientAuthentication::None,
        basic_client_id: None,
    });
    let (Some(redirect_uri), Some(state)) =
        (first(&params, "redirect_uri"), first(&params, "state"))
    else {
        return (
            StatusCode::BAD_REQUEST,
            "redirect_uri and state are required",
        )
            .into_response();
    };
    let Ok(mut back) = reqwest::Url::parse(redirect_uri) else {
        return (StatusCode::BAD_REQUEST, "redirect_uri is not a URL").into_response();
    };
    let refuse = |mut back: reqwest::Url, error: &str| {
        back.query_pairs_mut()
            .append_pair("error", error)
            .append_pair("state", state);
        redirect(back.as_str())
    };
    if first(&params, "client_id") != Some(shared.client_id.as_str())
        || first(&params, "response_type") != Some("code")
    {
        return refuse(back, "unauthorized_client");
    }
    let challenge = first(&params, "code_challenge");
    let method = first(&params, "code_challenge_method");
    match (challenge, method) {
        (Some(_), Some("S256")) => {}
        // Plain PKCE (the default method) and unknown methods are not offered.
        (Some(_), _) => return refuse(back, "invalid_request"),
        (None, _) if shared.settings.require_pkce => return refuse(back, "invalid_request"),
        (None, _) => {}
    }
    if shared.deny.load(Ordering::Relaxed) {
        return refuse(back, "access_denied");
    }
    let code = lock(&shared.books).new_code(Authorization {
        redirect_uri: redirect_uri.to_owned(),
        challenge: challenge.map(str::to_owned),
        subject: first(&params, "login_hint").unwrap_or("user").to_owned(),
        scope: first(&params, "scope").map(str::to_owned),
    });
    back.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", state);
    redirect(back.as_str())
}

/// An RFC 6749 section 5.2 error answer.
fn refusal(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::json!({"error": error, "error_description": description}).to_string(),
    )
        .into_response()
}

impl From<Refused> for Response {
    fn from(refused: Refused) -> Self {
        refusal(StatusCode::BAD_REQUEST, refused.error, refused.description)
    }
}

/// A back-channel request, parsed: its parameters and the client's credentials.
struct BackChannel {
    params: Vec<(String, String)>,
    authorization: Option<String>,
    basic: Option<(String, String)>,
}

impl BackChannel {
    fn parse(headers: &HeaderMap, body: &[u8]) -> Self {
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let basic = authorization.as_deref().and_then(basic_credentials);
        Self {
            params: pairs(body),
            authorization,
            basic,
        }
    }

    fn param(&self, name: &str) -> Option<&str> {
        first(&self.params, name)
    }

    fn seen(&self, endpoint: ProviderEndpoint) -> ProviderRequest {
        let client_authentication = match (&self.basic, self.param("client_secret")) {
            (Some(_), _) => ClientAuthentication::Basic,
            (None, Some(_)) => ClientAuthentication::Body,
            (None, None) => ClientAuthentication::None,
        };
        ProviderRequest {
            endpoint,
            params: self.params.clone(),
            client_authentication,
            basic_client_id: self.basic.as_ref().map(|(id, _)| id.clone()),
        }
    }

    /// Every secret the request carries, for a fault that echoes them.
    fn secrets(&self) -> Vec<&str> {
        let named = [
            "client_secret",
            "code",
            "code_verifier",
            "refresh_token",
            "token",
        ];
        self.params
            .iter()
            .filter(|(key, _)| named.contains(&key.as_str()))
            .map(|(_, value)| value.as_str())
            .chain(self.authorization.as_deref())
            .collect()
    }

    /// RFC 6749 section 2.3: the client, by one method only, with the right secret.
    fn authenticate(&self, shared: &Shared) -> Result<(), ClientRefused> {
        let credentials = match (&self.basic, self.param("client_secret")) {
            (Some(_), Some(_)) => return Err(ClientRefused::TwoMethods),
            (Some((id, secret)), None) => (id.as_str(), secret.as_str()),
            (None, Some(secret)) => (self.param("client_id").unwrap_or_default(), secret),
            (None, None) => return Err(ClientRefused::Missing),
        };
        if credentials != (shared.client_id.as_str(), shared.client_secret.expose()) {
            return Err(ClientRefused::Wrong);
        }
        Ok(())
    }

    /// RFC 6749 section 3.2: no parameter more than once.
    fn repeated(&self) -> bool {
        self.params
            .iter()
            .enumerate()
            .any(|(at, (key, _))| self.params[..at].iter().any(|(other, _)| other == key))
    }
}

/// Why a client is not authenticated.
enum ClientRefused {
    TwoMethods,
    Missing,
    Wrong,
}

impl From<ClientRefused> for Response {
    fn from(refused: ClientRefused) -> Self {
        let description = match refused {
            ClientRefused::TwoMethods => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "the client authenticated by more than one method",
                );
            }
            ClientRefused::Missing => "no client authentication",
            ClientRefused::Wrong => "unknown client or wrong secret",
        };
        let mut response = refusal(StatusCode::UNAUTHORIZED, "invalid_client", description);
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"test provider\""),
        );
        response
    }
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))`, decoded (RFC 6749 section 2.3.1).
fn basic_credentials(header: &str) -> Option<(String, String)> {
    let (scheme, encoded) = header.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |part: &str| {
        url::form_urlencoded::parse(format!("x={part}").as_bytes())
            .next()
            .map(|(_, value)| value.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// What a planned fault does to a back-channel request.
enum Faulted {
    /// The fault's own answer, instead of the endpoint's.
    Answer(Response),
    /// The endpoint answers, changed by the fault if there is one (latency is already spent).
    Proceed(Option<TokenFault>),
}

/// The planned fault for a back-channel request.
async fn fault_for(shared: &Shared, request: &BackChannel) -> Faulted {
    let fault = lock(&shared.faults).take();
    if let Some(TokenFault::Latency(delay)) = &fault {
        tokio::time::sleep(*delay).await;
    }
    match fault
        .as_ref()
        .and_then(|fault| faults::answer(fault, &request.secrets()))
    {
        Some(answer) => Faulted::Answer(answer),
        None => Faulted::Proceed(fault),
    }
}

pub(super) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = BackChannel::parse(&headers, &body);
    shared.record(request.seen(ProviderEndpoint::Token));
    let fault = match fault_for(&shared, &request).await {
        Faulted::Proceed(fault) => fault,
        Faulted::Answer(answer) => return answer,
    };
    if request.repeated() {
        return Refused::request("a parameter is repeated").into();
    }
    if let Err(refused) = request.authenticate(&shared) {
        return refused.into();
    }
    if shared.refuse.load(Ordering::Relaxed) {
        return refusal(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "refused on purpose",
        );
    }
    let issued = {
        let mut books = lock(&shared.books);
        match request.param("grant_type") {
            Some("authorization_code") => books.exchange_code(
                &shared.settings,
                request.param("code").unwrap_or_default(),
                request.param("redirect_uri"),
                request.param("code_verifier"),
            ),
            Some("refresh_token") => books.refresh(
                &shared.settings,
                request.param("refresh_token").unwrap_or_default(),
            ),
            _ => Err(Refused {
                error: "unsupported_grant_type",
                description: "only authorization_code and refresh_token",
            }),
        }
    };
    match issued {
        Ok(issued) => token_answer(issued, fault.as_ref()),
        Err(refused) => refused.into(),
    }
}

fn token_answer(issued: Issued, fault: Option<&TokenFault>) -> Response {
    let mut answer = serde_json::Map::new();
    answer.insert("access_token".into(), issued.access_token.into());
    answer.insert("token_type".into(), "Bearer".into());
    answer.insert("expires_in".into(), issued.expires_in.into());
    if let Some(refresh_token) = issued.refresh_token {
        answer.insert("refresh_token".into(), refresh_token.into());
    }
    if let Some(scope) = issued.scope {
        answer.insert("scope".into(), scope.into());
    }
    faults::alter(fault, &mut answer);
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        serde_json::Value::Object(answer).to_string(),
    )
        .into_response()
}

pub(super) async fn revoke(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request = BackChannel::parse(&headers, &body);
    shared.record(request.seen(ProviderEndpoint::Revoke));
    if let Faulted::Answer(answer) = fault_for(&shared, &request).await {
        return answer;
    }
    if let Err(refused) = request.authenticate(&shared) {
        return refused.into();
    }
    let Some(token) = request.param("token") else {
        return Refused::request("token is required").into();
    };
    lock(&shared.books).revoke(token);
    StatusCode::OK.into_response()
}
