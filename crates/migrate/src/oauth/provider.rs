//! One connector's OAuth client, over the `oauth2` crate: the authorize URL with `state`
//! and PKCE, the code exchange, the refresh, and RFC 7009 revocation; and what the token
//! endpoint answers, turned into tokens or into errors that never show a secret.

use std::net::IpAddr;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use oauth2::basic::{
    BasicErrorResponse, BasicErrorResponseType, BasicRevocationErrorResponse,
    BasicTokenIntrospectionResponse, BasicTokenType,
};
use oauth2::{
    AccessToken, AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointNotSet, EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Deserializer, Serialize};
use url::Url;

use super::error::OAuthError;
use super::tokens::TokenSet;
use super::transport::{Expect, Transport, TransportError};
use cohere_connectors::text::{Redactor, SNIPPET_CHARS, one_line};
use cohere_connectors::{OAuthConfig, Secret};

/// How the client authenticates at the token and revocation endpoints (RFC 6749 section
/// 2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientAuth {
    /// `client_id` and `client_secret` in the form, as Cohere's round trip sends them (and
    /// every provider that worked with Cohere takes).
    #[default]
    RequestBody,
    /// `Authorization: Basic`, the id and secret each form-urlencoded, as RFC 6749 requires
    /// every provider to accept.
    Basic,
}

/// The settings of one connector beyond its manifest entry.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extra {
    pub client_auth: ClientAuth,
    pub revocation_url: Option<String>,
    pub authorize_params: Vec<(String, String)>,
}

/// The `oauth2` client of one connector: authorize and token endpoints set, the revocation
/// endpoint kept apart (see [`ProviderClient::revoke`]).
type Client = oauth2::Client<
    BasicErrorResponse,
    ProviderTokens,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// One connector's provider, as the broker speaks to it.
pub(crate) struct ProviderClient {
    connector: String,
    client: Client,
    client_id: String,
    client_secret: Secret,
    client_auth: ClientAuth,
    scopes: Vec<String>,
    authorize_params: Vec<(String, String)>,
    revocation_url: Option<Url>,
}

/// A sign-in started: the URL to send the user to, and what the callback will need.
pub(crate) struct Started {
    pub url: Url,
    pub state: Secret,
    pub verifier: Secret,
}

/// What a grant at the token endpoint can end with, beyond tokens.
pub(crate) enum GrantFailure {
    /// `invalid_grant`: the code or refresh token is no good.
    InvalidGrant,
    /// Anything else, as the error to give.
    Other(OAuthError),
}

impl ProviderClient {
    /// The client for `connector`, with its OAuth settings (secret resolved) and the broker's
    /// callback as `redirect_uri`.
    pub(crate) fn new(
        connector: &str,
        config: &OAuthConfig,
        redirect: &Url,
        extra: Extra,
    ) -> Result<Self, OAuthError> {
        let invalid = |message: String| OAuthError::config(Some(connector), message);
        if config.client_id.trim().is_empty() {
            return Err(invalid("its client_id is empty".into()));
        }
        if config.client_secret.is_empty() {
            return Err(invalid("its client_secret is empty".into()));
        }
        let authorize_url = endpoint(connector, "oauth.authorize_url", &config.authorize_url)?;
        let token_url = endpoint(connector, "oauth.token_url", &config.token_url)?;
        let revocation_url = extra
            .revocation_url
            .as_deref()
            .map(|url| endpoint(connector, "revocation_url", url))
            .transpose()?;
        let client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
            .set_client_secret(ClientSecret::new(config.client_secret.expose().to_owned()))
            .set_auth_uri(AuthUrl::from_url(authorize_url))
            .set_token_uri(TokenUrl::from_url(token_url))
            .set_redirect_uri(RedirectUrl::from_url(redirect.clone()))
            .set_auth_type(match extra.client_auth {
                ClientAuth::RequestBody => AuthType::RequestBody,
                ClientAuth::Basic => AuthType::BasicAuth,
            });
        Ok(Self {
            connector: connector.to_owned(),
            client,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            client_auth: extra.client_auth,
            scopes: config
                .scope
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            authorize_params: extra.authorize_params,
            revocation_url,
        })
    }

    /// Whether it can revoke tokens at the provider (RFC 7009).
    pub(crate) fn can_revoke(&self) -> bool {
        self.revocation_url.is_some()
    }

    /// A new sign-in: the authorize URL with a fresh random `state` (256 bits) and a PKCE
    /// `S256` challenge, the scopes and the extra parameters.
    pub(crate) fn authorize(&self) -> Started {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = self
            .client
            .authorize_url(|| CsrfToken::new_random_len(32))
            .set_pkce_challenge(challenge)
            .add_scopes(self.scopes.iter().cloned().map(Scope::new));
        for (name, value) in &self.authorize_params {
            request = request.add_extra_param(name.as_str(), value.as_str());
        }
        let (url, state) = request.url();
        Started {
            url,
            state: Secret::new(state.into_secret()),
            verifier: Secret::new(verifier.into_secret()),
        }
    }

    /// Exchanges `code` (with the verifier of its sign-in's challenge) for tokens.
    pub(crate) async fn exchange(
        &self,
        transport: &Transport,
        code: &str,
        verifier: &Secret,
    ) -> Result<TokenSet, GrantFailure> {
        let redactor = self
            .redactor()
            .with_any_length(&Secret::from(code))
            .with_any_length(verifier);
        let answer = self
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()))
            .request_async(transport)
            .await;
        self.tokens(answer, &redactor)
    }

    /// Refreshes with `refresh_token`. The answer may or may not hold a new refresh token.
    pub(crate) async fn refresh(
        &self,
        transport: &Transport,
        refresh_token: &Secret,
    ) -> Result<TokenSet, GrantFailure> {
        let redactor = self.redactor().with_any_length(refresh_token);
        let refresh_token = RefreshToken::new(refresh_token.expose().to_owned());
        let answer = self
            .client
            .exchange_refresh_token(&refresh_token)
            .request_async(transport)
            .await;
        self.tokens(answer, &redactor)
    }

    /// RFC 7009: revokes `token` (`hint` is `refresh_token` or `access_token`) at the
    /// revocation endpoint, authenticated as the token endpoint is. A 200 means revoked, or
    /// unknown to the provider, which is the same for us.
    pub(crate) async fn revoke(
        &self,
        transport: &Transport,
        token: &Secret,
        hint: &'static str,
    ) -> Result<(), OAuthError> {
        let Some(url) = &self.revocation_url else {
            return Ok(());
        };
        let redactor = self.redactor().with_any_length(token);
        let mut form = url::form_urlencoded::Serializer::new(String::new());
        form.append_pair("token", token.expose())
            .append_pair("token_type_hint", hint);
        let mut request = http::Request::builder()
            .method(http::Method::POST)
            .uri(url.as_str())
            .header(http::header::ACCEPT, "application/json")
            .header(
                http::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            );
        match self.client_auth {
            ClientAuth::RequestBody => {
                form.append_pair("client_id", &self.client_id)
                    .append_pair("client_secret", self.client_secret.expose());
            }
            ClientAuth::Basic => {
                request = request.header(http::header::AUTHORIZATION, self.basic_credentials());
            }
        }
        let request = request
            .body(form.finish().into_bytes())
            .map_err(|_| self.failed("the revocation request could not be built".into()))?;
        let answer = transport
            .send(request, Expect::Status)
            .await
            .map_err(|error| self.failed(self.transport_message(&error, &redactor)))?;
        if answer.status() == http::StatusCode::OK {
            return Ok(());
        }
        Err(self.failed(format!(
            "the revocation endpoint answered {}: {}",
            answer.status().as_u16(),
            redactor.clean_bytes(answer.body(), SNIPPET_CHARS, true)
        )))
    }

    /// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 section 2.3.1).
    fn basic_credentials(&self) -> String {
        let encode = |text: &str| -> String {
            url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
        };
        let pair = format!(
            "{}:{}",
            encode(&self.client_id),
            encode(self.client_secret.expose())
        );
        format!("Basic {}", STANDARD.encode(pair))
    }

    /// Hides the client secret (as sent in the form and in a Basic header).
    fn redactor(&self) -> Redactor {
        Redactor::default()
            .with_any_length(&self.client_secret)
            .with_any_length(&Secret::new(self.basic_credentials()))
    }

    fn failed(&self, message: String) -> OAuthError {
        OAuthError::token_endpoint(&self.connector, message)
    }

    /// The token endpoint's answer as tokens, or why not.
    fn tokens(
        &self,
        answer: Result<ProviderTokens, RequestTokenError<TransportError, BasicErrorResponse>>,
        redactor: &Redactor,
    ) -> Result<TokenSet, GrantFailure> {
        let fail = |message: String| GrantFailure::Other(self.failed(message));
        let tokens = match answer {
            Ok(tokens) => tokens,
            Err(RequestTokenError::ServerResponse(refusal))
                if *refusal.error() == BasicErrorResponseType::InvalidGrant =>
            {
                return Err(GrantFailure::InvalidGrant);
            }
            Err(RequestTokenError::ServerResponse(refusal)) => {
                let description = refusal
                    .error_description()
                    .map(|text| format!(" ({})", redactor.clean(text, SNIPPET_CHARS)))
                    .unwrap_or_default();
                return Err(fail(format!(
                    "it refused: {}{description}",
                    redactor.clean(refusal.error().as_ref(), 64)
                )));
            }
            Err(RequestTokenError::Request(error)) => {
                return Err(fail(self.transport_message(&error, redactor)));
            }
            Err(RequestTokenError::Parse(error, _)) => {
                let reason = parse_reason(&error.path().to_string(), error.inner());
                return Err(fail(format!("its answer is not a token answer: {reason}")));
            }
            Err(RequestTokenError::Other(text)) => {
                return Err(fail(redactor.clean(&text, SNIPPET_CHARS)));
            }
        };
        let access = tokens.access_token.secret();
        if access.is_empty() || !access.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(fail(
                "its access token is empty or not printable ASCII, which no Authorization header can carry".into(),
            ));
        }
        let mut set = TokenSet::new(Secret::new(access.clone()));
        if let Some(refresh) = tokens
            .refresh_token
            .as_ref()
            .filter(|refresh| !refresh.secret().is_empty())
        {
            set = set.with_refresh_token(Secret::new(refresh.secret().clone()));
        }
        if let Some(lifetime) = tokens.expires_in() {
            set = set.expiring_after(Utc::now(), lifetime);
        }
        Ok(set)
    }

    fn transport_message(&self, error: &TransportError, redactor: &Redactor) -> String {
        match error {
            TransportError::Status { body, .. } => format!(
                "{error}: {}",
                redactor.clean_bytes(body, SNIPPET_CHARS, true)
            ),
            TransportError::NotJson { content_type, body } => format!(
                "it answered 200 with {}, not a JSON token answer: {}",
                content_type.as_deref().map_or_else(
                    || "no content type".to_owned(),
                    |kind| redactor.clean(kind, 80)
                ),
                redactor.clean_bytes(body, SNIPPET_CHARS, true)
            ),
            other => redactor.clean(&other.to_string(), SNIPPET_CHARS),
        }
    }
}

/// Why a token answer could not be read, without quoting its values.
fn parse_reason(path: &str, error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data if error.to_string().starts_with("missing field") => one_line(
            error
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default(),
            100,
        ),
        Category::Data => format!("`{}` has the wrong type", one_line(path, 64)),
        _ => "it is not valid JSON".to_owned(),
    }
}

/// An endpoint of a connector's settings: an absolute URL without a fragment or user info,
/// `https`, or `http` to this machine only (a provider run in tests, or on the same host):
/// the client secret and users' tokens never cross a network in clear.
pub(crate) fn endpoint(connector: &str, field: &str, text: &str) -> Result<Url, OAuthError> {
    let invalid = |why: &str| OAuthError::config(Some(connector), format!("its {field} {why}"));
    let url = Url::parse(text.trim()).map_err(|_| invalid("is not an absolute URL"))?;
    check_endpoint(&url).map_err(invalid)?;
    Ok(url)
}

/// Why `url` cannot be an OAuth endpoint, if it cannot.
pub(crate) fn check_endpoint(url: &Url) -> Result<(), &'static str> {
    if !url.username().is_empty() || url.password().is_some() {
        return Err("holds a user name or password");
    }
    if url.fragment().is_some() {
        return Err("has a fragment, which OAuth endpoints may not have");
    }
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        "http" => Err("is plain http to another host: use https (http only to localhost)"),
        _ => Err("is not an http(s) URL"),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// A token endpoint's successful answer (RFC 6749 section 5.1), read leniently where
/// providers differ: `token_type` may be missing (taken as `Bearer`), `expires_in` may be a
/// string or a fraction (`"3600"`, `3599.5`) and is ignored when it is neither.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ProviderTokens {
    access_token: AccessToken,
    #[serde(default = "bearer")]
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "lenient_seconds")]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
}

fn bearer() -> BasicTokenType {
    BasicTokenType::Bearer
}

/// Seconds as a number or a string of one; negative is 0; anything else is unknown.
fn lenient_seconds<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<u64>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let seconds = match &value {
        serde_json::Value::Number(number) => number.as_f64(),
        serde_json::Value::String(text) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(seconds
        .filter(|seconds| seconds.is_finite())
        .map(|seconds| {
            // Saturating: negative gives 0, past u64 gives u64::MAX.
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            let whole = seconds.max(0.0) as u64;
            whole
        }))
}

impl TokenResponse for ProviderTokens {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<Duration> {
        self.expires_in.map(Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}
