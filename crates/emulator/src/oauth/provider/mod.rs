//! An OAuth 2.0 provider to run in tests: the authorization server a connector's data source
//! would have (Google's, Salesforce's, a wiki's), with what a client must survive.

mod endpoints;
mod faults;
mod grants;
mod seen;

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use super::OAuthWalkError;
use crate::reply::random_hex;
use cohere_connectors::{OAuthConfig, Secret};
use grants::{Books, Settings};

pub use faults::TokenFault;
pub use seen::{ClientAuthentication, ProviderEndpoint, ProviderRequest};

/// An OAuth 2.0 provider to run in tests. Its authorize endpoint sends the user straight back
/// with a code, as if they had logged in and agreed (as the user named by `login_hint`, or
/// `user`); its token endpoint exchanges codes and refresh tokens for tokens; its revocation
/// endpoint (RFC 7009) revokes them. With it, and
/// [`Emulator::complete_oauth`](crate::Emulator::complete_oauth), a test walks Cohere's whole
/// OAuth round trip offline; with [`consent`](Self::consent), a broker's of its own.
///
/// It keeps the rules a client must follow, and a real provider enforces:
///
/// - a code is good once, for ten minutes, for the `redirect_uri` it was issued for; used
///   twice, it revokes what its first exchange gave (RFC 6749 section 4.1.2);
/// - PKCE with `S256` (RFC 7636): a code issued for a `code_challenge` needs the matching
///   `code_verifier`; `plain` is refused, and with
///   [`require_pkce`](OAuthProviderBuilder::require_pkce) so is an authorization without a
///   challenge;
/// - the client authenticates by one method, `Authorization: Basic` or the form, with the
///   right secret (`invalid_client`, 401, otherwise); no parameter is repeated;
/// - access tokens expire after their [lifetime](OAuthProviderBuilder::access_token_lifetime)
///   (or at once, with [`expire_access_tokens`](Self::expire_access_tokens)); refresh
///   tokens, when [issued](OAuthProviderBuilder::refresh_tokens), get new ones, and with
///   [rotation](OAuthProviderBuilder::rotate_refresh_tokens) each is good once: presented
///   again, it is refused and [revokes its whole grant](OAuthProviderBuilder::reuse_revokes_grant)
///   (the OAuth security BCP's reuse detection);
/// - a refused grant is `400 {"error": "invalid_grant"}`.
///
/// And it fails on demand ([`TokenFault`]: latency, error statuses, HTML, huge or endless
/// bodies, missing fields, secrets echoed, redirects), records what it received
/// ([`requests`](Self::requests)), and tells a connector whose an access token is
/// ([`token_checker`](Self::token_checker)).
///
/// ```
/// use cohere_connectors::AuthStatus;
/// use cohere_connectors_emulator::{Emulator, OAuthProvider};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = Emulator::start().await?;
/// let provider = OAuthProvider::start().await?;
/// let client = emulator.client()?;
/// let crm = client
///     .connectors()
///     .create("CRM", "https://crm.example.com/search")
///     .oauth(provider.oauth_config())
///     .await?;
///
/// let redirect = client
///     .connectors()
///     .authorize_oauth(&crm.id)
///     .after_token_redirect("https://app.example.com/done")
///     .await?;
/// let landed = emulator.complete_oauth(&redirect).await?;
/// assert!(landed.starts_with("https://app.example.com/done"));
///
/// let crm = client.connectors().get(&crm.id).await?;
/// assert_eq!(crm.auth_status, Some(AuthStatus::Valid));
/// emulator.expire_oauth_tokens(&crm.id);
/// let crm = client.connectors().get(&crm.id).await?;
/// assert_eq!(crm.auth_status, Some(AuthStatus::Expired));
/// # Ok(()) }
/// ```
pub struct OAuthProvider {
    base_url: String,
    shared: Arc<Shared>,
    http: reqwest::Client,
    task: JoinHandle<()>,
}

/// What the endpoints share.
pub(super) struct Shared {
    client_id: String,
    client_secret: Secret,
    settings: Settings,
    books: Mutex<Books>,
    faults: Mutex<faults::Planned>,
    seen: Mutex<VecDeque<ProviderRequest>>,
    /// Every exchange refused with `invalid_grant`.
    refuse: AtomicBool,
    /// Every consent refused with `access_denied`.
    deny: AtomicBool,
}

impl Shared {
    fn record(&self, request: ProviderRequest) {
        let mut seen = lock(&self.seen);
        if seen.len() >= seen::MAX_SEEN {
            seen.pop_front();
        }
        seen.push_back(request);
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Configures an [`OAuthProvider`].
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_emulator::OAuthProvider;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let provider = OAuthProvider::builder()
///     .access_token_lifetime(Duration::from_secs(60))
///     .rotate_refresh_tokens(true)
///     .require_pkce(true)
///     .start()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
#[must_use = "a builder does nothing until `.start()`"]
pub struct OAuthProviderBuilder {
    settings: Settings,
}

impl OAuthProviderBuilder {
    /// How long an access token is good for, and the `expires_in` it is sent with (default
    /// one hour; whole seconds are sent).
    pub fn access_token_lifetime(mut self, lifetime: Duration) -> Self {
        self.settings.access_lifetime = lifetime;
        self
    }

    /// Whether an exchanged code also gives a refresh token (default yes).
    pub fn refresh_tokens(mut self, issue: bool) -> Self {
        self.settings.refresh_tokens = issue;
        self
    }

    /// Whether each refresh gives a new refresh token and uses up the old one, which then
    /// revokes the grant if presented again (default no: a refresh token is good until
    /// revoked).
    pub fn rotate_refresh_tokens(mut self, rotate: bool) -> Self {
        self.settings.rotate_refresh_tokens = rotate;
        self
    }

    /// Whether a rotated refresh token presented again revokes its whole grant, every token
    /// issued under it included (default yes, as the OAuth security BCP advises; some
    /// providers only refuse it).
    pub fn reuse_revokes_grant(mut self, revoke: bool) -> Self {
        self.settings.reuse_revokes_grant = revoke;
        self
    }

    /// Whether an authorization must carry a PKCE `S256` challenge (default no: Cohere's
    /// round trip sends none).
    pub fn require_pkce(mut self, require: bool) -> Self {
        self.settings.require_pkce = require;
        self
    }

    /// Starts the provider on 127.0.0.1 on a free port, with a random client id and secret.
    ///
    /// # Errors
    ///
    /// If no port can be bound.
    pub async fn start(self) -> std::io::Result<OAuthProvider> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            client_id: format!("test-client-{}", random_hex(4)),
            client_secret: Secret::new(format!("test-secret-{}", random_hex(16))),
            settings: self.settings,
            books: Mutex::default(),
            faults: Mutex::default(),
            seen: Mutex::default(),
            refuse: AtomicBool::new(false),
            deny: AtomicBool::new(false),
        });
        let app = Router::new()
            .route("/authorize", get(endpoints::authorize))
            .route("/token", post(endpoints::token))
            .route("/revoke", post(endpoints::revoke))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        Ok(OAuthProvider {
            base_url,
            shared,
            http,
            task,
        })
    }
}

impl OAuthProvider {
    /// Starts a provider with the default settings (see [`OAuthProviderBuilder`]).
    ///
    /// # Errors
    ///
    /// If no port can be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures a provider: token lifetimes, refresh tokens and their rotation, PKCE.
    pub fn builder() -> OAuthProviderBuilder {
        OAuthProviderBuilder::default()
    }

    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Its authorization endpoint.
    pub fn authorize_url(&self) -> String {
        format!("{}/authorize", self.base_url)
    }

    /// Its token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/token", self.base_url)
    }

    /// Its revocation endpoint (RFC 7009).
    pub fn revocation_url(&self) -> String {
        format!("{}/revoke", self.base_url)
    }

    /// Its client id.
    pub fn client_id(&self) -> &str {
        &self.shared.client_id
    }

    /// Its client secret.
    pub fn client_secret(&self) -> &Secret {
        &self.shared.client_secret
    }

    /// OAuth settings for a connector that authorizes with this provider (scope `read`).
    pub fn oauth_config(&self) -> OAuthConfig {
        OAuthConfig {
            client_id: self.shared.client_id.clone(),
            client_secret: self.shared.client_secret.clone(),
            authorize_url: self.authorize_url().into(),
            token_url: self.token_url().into(),
            scope: Some("read".into()),
        }
    }

    /// Makes the token endpoint refuse (400 `invalid_grant`) every exchange and refresh, or
    /// accept again.
    pub fn refuse_exchanges(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::Relaxed);
    }

    /// Makes the authorize endpoint send users back with `error=access_denied` (as if they
    /// said no), or agree again.
    pub fn deny_consent(&self, deny: bool) {
        self.shared.deny.store(deny, Ordering::Relaxed);
    }

    /// How many access tokens the provider has issued (for codes and refreshes).
    pub fn issued_tokens(&self) -> usize {
        lock(&self.shared.books).issued()
    }

    /// Every access token issued so far is expired from now on (refresh tokens still work).
    pub fn expire_access_tokens(&self) {
        lock(&self.shared.books).expire_access_tokens();
    }

    /// Every grant is revoked, as if each user withdrew their consent at the provider: their
    /// access tokens are refused and their refresh tokens are `invalid_grant`.
    pub fn revoke_all_grants(&self) {
        lock(&self.shared.books).revoke_all();
    }

    /// Plans `fault` for the next back-channel request (token or revocation) that has none
    /// planned before it; call again to plan the ones after.
    pub fn inject(&self, fault: TokenFault) -> &Self {
        lock(&self.shared.faults).push(fault);
        self
    }

    /// Applies `fault` to every back-channel request once those planned with
    /// [`inject`](Self::inject) are used.
    pub fn inject_always(&self, fault: TokenFault) -> &Self {
        lock(&self.shared.faults).always(Some(fault));
        self
    }

    /// Drops every planned fault.
    pub fn clear_faults(&self) -> &Self {
        lock(&self.shared.faults).clear();
        self
    }

    /// The requests it received, oldest first (the last 10,000).
    pub fn requests(&self) -> Vec<ProviderRequest> {
        lock(&self.shared.seen).iter().cloned().collect()
    }

    /// A handle for a connector to check the bearer tokens it is sent with, as a resource
    /// server asks its authorization server.
    pub fn token_checker(&self) -> TokenChecker {
        TokenChecker {
            shared: Arc::clone(&self.shared),
        }
    }

    /// Plays the user's browser at the authorize endpoint: opens `authorize_url` (a URL of
    /// this provider's, with a client's parameters), agrees, and returns where the provider
    /// sends the browser back: the client's `redirect_uri` with `code` and `state` (or
    /// `error`), not fetched.
    ///
    /// # Errors
    ///
    /// When the provider does not answer with a redirect (a parameter missing, say).
    pub async fn consent(&self, authorize_url: &str) -> Result<String, OAuthWalkError> {
        let answer = self.http.get(authorize_url).send().await.map_err(|error| {
            OAuthWalkError(format!("the authorize URL did not answer: {error}"))
        })?;
        super::location(&answer).ok_or_else(|| {
            OAuthWalkError(format!(
                "the provider answered {}, not a redirect",
                answer.status()
            ))
        })
    }

    /// [`consent`](Self::consent) as the provider's user `subject` (sent as `login_hint`).
    ///
    /// # Errors
    ///
    /// As [`consent`](Self::consent), and when `authorize_url` is not a URL.
    pub async fn consent_as(
        &self,
        authorize_url: &str,
        subject: &str,
    ) -> Result<String, OAuthWalkError> {
        let mut url = reqwest::Url::parse(authorize_url)
            .map_err(|_| OAuthWalkError("the authorize URL is not a URL".into()))?;
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(key, _)| key != "login_hint")
            .map(|(key, value)| (key.into_owned(), value.into_owned()))
            .collect();
        url.query_pairs_mut()
            .clear()
            .extend_pairs(kept)
            .append_pair("login_hint", subject);
        self.consent(url.as_str()).await
    }

    /// Plays `subject`'s browser through a client's whole sign-in: the consent
    /// ([`consent_as`](Self::consent_as)), then the client's callback, and returns where the
    /// callback sends the browser (not fetched), or the callback's URL when it answers with
    /// a page of its own.
    ///
    /// # Errors
    ///
    /// As [`consent_as`](Self::consent_as), and when the callback answers an error status.
    pub async fn sign_in_as(
        &self,
        authorize_url: &str,
        subject: &str,
    ) -> Result<String, OAuthWalkError> {
        let back = self.consent_as(authorize_url, subject).await?;
        let answer = self
            .http
            .get(&back)
            .send()
            .await
            .map_err(|error| OAuthWalkError(format!("the callback did not answer: {error}")))?;
        if let Some(after) = super::location(&answer) {
            return Ok(after);
        }
        if answer.status().is_success() {
            return Ok(back);
        }
        Err(OAuthWalkError(format!(
            "the callback answered {}",
            answer.status()
        )))
    }
}

impl Drop for OAuthProvider {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for OAuthProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthProvider")
            .field("base_url", &self.base_url)
            .field("client_id", &self.shared.client_id)
            .finish_non_exhaustive()
    }
}

/// Tells a connector whose an access token of the provider is, while it is good (not
/// expired, not revoked). Cheap to clone, to move into a connector's search function.
///
/// ```
/// use cohere_connectors_emulator::OAuthProvider;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let provider = OAuthProvider::start().await?;
/// let checker = provider.token_checker();
/// assert_eq!(checker.subject("test-access-token-made-up"), None);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct TokenChecker {
    shared: Arc<Shared>,
}

impl TokenChecker {
    /// The user (`login_hint` at consent, or `user`) the access token speaks for, or `None`
    /// when it is unknown, expired or revoked.
    pub fn subject(&self, access_token: &str) -> Option<String> {
        lock(&self.shared.books).subject_of(access_token)
    }
}

impl fmt::Debug for TokenChecker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenChecker").finish_non_exhaustive()
    }
}
