//! The broker: what Cohere did for OAuth connectors, in your process. It signs users in
//! (authorize URL, callback, code exchange), keeps their tokens in a [`TokenStore`], hands
//! out a valid token per (user, connector), refreshing it before it expires and once when
//! the connector refuses it, and signs users out.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use url::Url;

use super::callback_params::CallbackParams;
use super::error::{OAuthError, SignInReason, shown};
use super::flights::{Boarded, Flights};
use super::pending::Pending;
use super::provider::{ClientAuth, Extra, GrantFailure, ProviderClient, check_endpoint};
use super::store::{MemoryTokenStore, TokenStore};
use super::tokens::TokenSet;
use super::transport::Transport;
use super::user::{TokenKey, UserId};
use crate::{Manifest, Secrets};
use cohere_connectors::text::one_line;
use cohere_connectors::{OAuthConfig, Secret};

/// How long before its expiry a token is refreshed, unless told otherwise.
pub const DEFAULT_REFRESH_SKEW: Duration = Duration::from_secs(60);
/// How long a sign-in may take from its authorize URL to its callback, unless told
/// otherwise.
pub const DEFAULT_SIGN_IN_LIFETIME: Duration = Duration::from_secs(600);
/// How long an exchange with a token or revocation endpoint may take, unless told otherwise.
pub const DEFAULT_TOKEN_TIMEOUT: Duration = Duration::from_secs(10);

/// The OAuth broker of a manifest's OAuth connectors: per user, the consent flow, their
/// tokens, refreshed as needed, and sign-out. Cheap to clone (clones share everything), for
/// axum state and tasks.
///
/// ```
/// use cohere_connectors_emulator::OAuthProvider;
/// use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = OAuthProvider::start().await?;
/// let broker = OAuthBroker::builder("http://127.0.0.1:8080/oauth/callback")
///     .connector("crm", provider.oauth_config())
///     .build()?;
/// let alice = UserId::new("alice")?;
///
/// // Not signed in yet: the error says so, and the sign-in URL is where to send her.
/// let error = broker.token(&alice, "crm").await.unwrap_err();
/// assert!(error.is_sign_in_required());
/// let sign_in = broker.sign_in(&alice, "crm")?;
/// assert!(sign_in.url().contains("code_challenge_method=S256"));
/// // ...her browser goes there, and comes back to `broker.callback_router()`.
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuthBroker {
    inner: Arc<Inner>,
}

struct Inner {
    providers: BTreeMap<String, ProviderClient>,
    store: Arc<dyn TokenStore>,
    pending: Pending,
    flights: Flights,
    transport: Transport,
    redirect_url: Url,
    refresh_skew: Duration,
}

/// Configures an [`OAuthBroker`]: its callback URL, its connectors, where tokens live.
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_migrate::{Manifest, Secrets};
/// use cohere_connectors_migrate::oauth::{ClientAuth, MemoryTokenStore, OAuthBroker};
///
/// let manifest = Manifest::from_json(r#"{"version": 1, "connectors": [
///     {"id": "crm", "name": "CRM", "url": "https://crm.example.com/search",
///      "oauth": {"client_id": "app-1", "client_secret": {"env": "CRM_SECRET"},
///                "authorize_url": "https://login.example.com/authorize",
///                "token_url": "https://login.example.com/token", "scope": "read"}}
/// ]}"#)?;
/// let broker = OAuthBroker::builder("https://app.example.com/oauth/callback")
///     .manifest(&manifest, &Secrets::none().with("CRM_SECRET", "s3cret-value"))?
///     .revocation_url("crm", "https://login.example.com/revoke")
///     .client_auth("crm", ClientAuth::Basic)
///     .authorize_param("crm", "access_type", "offline")
///     .store(MemoryTokenStore::new())
///     .refresh_skew(Duration::from_secs(120))
///     .build()?;
/// assert_eq!(broker.connectors().collect::<Vec<_>>(), ["crm"]);
/// assert!(!format!("{broker:?}").contains("s3cret-value"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "a builder does nothing until `.build()`"]
pub struct OAuthBrokerBuilder {
    redirect_url: String,
    connectors: Vec<(String, OAuthConfig)>,
    extra: HashMap<String, Extra>,
    store: Option<Arc<dyn TokenStore>>,
    refresh_skew: Duration,
    sign_in_lifetime: Duration,
    token_timeout: Duration,
}

impl OAuthBrokerBuilder {
    /// Every active OAuth connector of `manifest`, by its id (its name when it has none),
    /// client secrets resolved with `secrets`.
    ///
    /// # Errors
    ///
    /// [`OAuthError::Config`] naming the first connector whose OAuth settings are incomplete
    /// (an export leaves out what the API did not return) or whose secret does not resolve.
    pub fn manifest(mut self, manifest: &Manifest, secrets: &Secrets) -> Result<Self, OAuthError> {
        for entry in manifest
            .connectors
            .iter()
            .filter(|entry| entry.definition.active != Some(false))
        {
            let config = entry
                .oauth(secrets)
                .map_err(|error| OAuthError::config(Some(entry.label()), error.to_string()))?;
            if let Some(config) = config {
                self.connectors.push((entry.label().to_owned(), config));
            }
        }
        Ok(self)
    }

    /// An OAuth connector given in code, by id.
    pub fn connector(mut self, id: impl Into<String>, config: OAuthConfig) -> Self {
        self.connectors.push((id.into(), config));
        self
    }

    fn extra(&mut self, connector: impl Into<String>) -> &mut Extra {
        self.extra.entry(connector.into()).or_default()
    }

    /// The connector's RFC 7009 revocation endpoint (a manifest has none): sign-out then
    /// revokes the user's tokens at the provider, not only here.
    pub fn revocation_url(mut self, connector: impl Into<String>, url: impl Into<String>) -> Self {
        self.extra(connector).revocation_url = Some(url.into());
        self
    }

    /// How the connector's client authenticates at its token endpoint (default
    /// [`ClientAuth::RequestBody`]).
    pub fn client_auth(mut self, connector: impl Into<String>, auth: ClientAuth) -> Self {
        self.extra(connector).client_auth = auth;
        self
    }

    /// An extra parameter for the connector's authorize URL (`access_type=offline` and
    /// `prompt=consent` for Google to issue refresh tokens, say).
    pub fn authorize_param(
        mut self,
        connector: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.extra(connector)
            .authorize_params
            .push((name.into(), value.into()));
        self
    }

    /// Where tokens live (default: a [`MemoryTokenStore`]). An `Arc` of a store is a store,
    /// to share one with other code.
    pub fn store(mut self, store: impl TokenStore) -> Self {
        self.store = Some(Arc::new(store));
        self
    }

    /// How long before its expiry a token is refreshed (default [`DEFAULT_REFRESH_SKEW`]):
    /// a token that expires within it is refreshed before it is handed out.
    pub fn refresh_skew(mut self, skew: Duration) -> Self {
        self.refresh_skew = skew;
        self
    }

    /// How long a sign-in may take, from [`OAuthBroker::sign_in`] to its callback (default
    /// [`DEFAULT_SIGN_IN_LIFETIME`]).
    pub fn sign_in_lifetime(mut self, lifetime: Duration) -> Self {
        self.sign_in_lifetime = lifetime;
        self
    }

    /// How long each exchange with a token or revocation endpoint may take, headers to last
    /// byte (default [`DEFAULT_TOKEN_TIMEOUT`]).
    pub fn token_timeout(mut self, timeout: Duration) -> Self {
        self.token_timeout = timeout;
        self
    }

    /// The broker.
    ///
    /// # Errors
    ///
    /// [`OAuthError::Config`] when the callback URL or a connector's endpoint is not an
    /// absolute URL, holds a password or a fragment, or is plain `http` to another host than
    /// this machine's loopback; when a connector's client id or secret is empty; when two
    /// connectors share an id; or when a setting names a connector the broker does not have.
    pub fn build(mut self) -> Result<OAuthBroker, OAuthError> {
        let redirect_url = Url::parse(self.redirect_url.trim())
            .map_err(|_| OAuthError::config(None, "the callback URL is not an absolute URL"))?;
        check_endpoint(&redirect_url)
            .map_err(|why| OAuthError::config(None, format!("the callback URL {why}")))?;
        let mut providers = BTreeMap::new();
        for (id, config) in &self.connectors {
            let extra = self.extra.remove(id).unwrap_or_default();
            let provider = ProviderClient::new(id, config, &redirect_url, extra)?;
            if providers.insert(id.clone(), provider).is_some() {
                return Err(OAuthError::config(Some(id), "two connectors have this id"));
            }
        }
        if let Some(unknown) = self.extra.keys().next() {
            return Err(OAuthError::config(
                Some(unknown),
                "a setting names it, but the broker has no such OAuth connector",
            ));
        }
        let transport = Transport::new(self.token_timeout).map_err(|error| {
            OAuthError::config(None, format!("the HTTP client cannot be built: {error}"))
        })?;
        Ok(OAuthBroker {
            inner: Arc::new(Inner {
                providers,
                store: self
                    .store
                    .unwrap_or_else(|| Arc::new(MemoryTokenStore::new())),
                pending: Pending::new(self.sign_in_lifetime),
                flights: Flights::default(),
                transport,
                redirect_url,
                refresh_skew: self.refresh_skew,
            }),
        })
    }
}

/// A sign-in to start: the provider's authorize URL to send the user's browser to. The URL
/// carries the sign-in's `state`: give it to that user only. `Debug` leaves its query out.
#[derive(Clone)]
pub struct SignIn {
    url: Url,
    connector: String,
    expires_in: Duration,
}

impl SignIn {
    /// The authorize URL.
    pub fn url(&self) -> &str {
        self.url.as_str()
    }

    /// The connector it signs in to.
    pub fn connector(&self) -> &str {
        &self.connector
    }

    /// How long the user has to complete it.
    pub fn expires_in(&self) -> Duration {
        self.expires_in
    }
}

impl fmt::Debug for SignIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.url.clone();
        shown.set_query(None);
        f.debug_struct("SignIn")
            .field("url", &format!("{shown}?…"))
            .field("connector", &self.connector)
            .field("expires_in", &self.expires_in)
            .finish()
    }
}

/// A sign-in completed: whose tokens are now stored, for which connector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    user: UserId,
    connector: String,
}

impl SignedIn {
    /// The user.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The connector.
    pub fn connector(&self) -> &str {
        &self.connector
    }
}

/// What became of a user's tokens for one connector at sign-out.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignOut {
    /// The connector.
    pub connector: String,
    /// Whether there were tokens to forget (they are forgotten either way).
    pub had_tokens: bool,
    /// What the provider was told.
    pub revocation: Revocation,
}

/// Whether a sign-out revoked the tokens at the provider (RFC 7009).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revocation {
    /// Revoked (the refresh token, and the access token).
    Revoked,
    /// Nothing to revoke, or no revocation endpoint configured: the provider may honour the
    /// tokens until they expire.
    NotDone,
    /// The revocation endpoint failed (the message says how): the tokens are forgotten here,
    /// and the provider may honour them until they expire.
    Failed(String),
}

/// Why a token is being refreshed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Why {
    /// It expires within the skew.
    Due,
    /// The connector refused it.
    Rejected,
}

impl OAuthBroker {
    /// A broker whose provider sends users back to `redirect_url` (where you serve
    /// [`callback_router`](Self::callback_router)); configure it, then
    /// [`build`](OAuthBrokerBuilder::build).
    pub fn builder(redirect_url: impl Into<String>) -> OAuthBrokerBuilder {
        OAuthBrokerBuilder {
            redirect_url: redirect_url.into(),
            connectors: Vec::new(),
            extra: HashMap::new(),
            store: None,
            refresh_skew: DEFAULT_REFRESH_SKEW,
            sign_in_lifetime: DEFAULT_SIGN_IN_LIFETIME,
            token_timeout: DEFAULT_TOKEN_TIMEOUT,
        }
    }

    /// The ids of its OAuth connectors, sorted.
    pub fn connectors(&self) -> impl Iterator<Item = &str> {
        self.inner.providers.keys().map(String::as_str)
    }

    /// The callback URL providers send users back to.
    pub fn redirect_url(&self) -> &str {
        self.inner.redirect_url.as_str()
    }

    fn provider(&self, connector: &str) -> Result<&ProviderClient, OAuthError> {
        self.inner
            .providers
            .get(connector)
            .ok_or_else(|| OAuthError::unknown_connector(connector))
    }

    /// Starts signing `user` in to `connector`: the provider's authorize URL, with a new
    /// `state` (256 random bits, bound to this user and connector, good once, for the
    /// [sign-in lifetime](OAuthBrokerBuilder::sign_in_lifetime)) and a PKCE `S256`
    /// challenge. Send the user's browser there.
    ///
    /// # Errors
    ///
    /// [`OAuthError::UnknownConnector`].
    pub fn sign_in(&self, user: &UserId, connector: &str) -> Result<SignIn, OAuthError> {
        let provider = self.provider(connector)?;
        let started = provider.authorize();
        self.inner
            .pending
            .insert(&started.state, user.clone(), connector, started.verifier);
        Ok(SignIn {
            url: started.url,
            connector: connector.to_owned(),
            expires_in: self.inner.pending.lifetime(),
        })
    }

    /// Completes a sign-in from its callback: checks the `state` (known, not expired, not
    /// used; and made for `from`, when you know who the callback's browser belongs to),
    /// exchanges the code with the sign-in's PKCE verifier, and stores the tokens. The
    /// `state` is used up whatever the outcome, so a callback replayed is refused. Nothing is
    /// exchanged for a refused callback. [`callback_router`](Self::callback_router) calls
    /// this; call it yourself from a server of your own.
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidCallback`], [`UnknownState`](OAuthError::UnknownState),
    /// [`WrongUser`](OAuthError::WrongUser), [`Denied`](OAuthError::Denied) (the provider
    /// sent an `error`), [`TokenEndpoint`](OAuthError::TokenEndpoint) (the exchange failed,
    /// a code refused included), [`Store`](OAuthError::Store).
    pub async fn complete(
        &self,
        callback: &CallbackParams,
        from: Option<&UserId>,
    ) -> Result<SignedIn, OAuthError> {
        let state = callback.state().ok_or(OAuthError::InvalidCallback {
            reason: "state is missing",
        })?;
        let waiting = self
            .inner
            .pending
            .take(state)
            .ok_or(OAuthError::UnknownState)?;
        let connector = waiting.connector.as_str();
        if from.is_some_and(|from| *from != waiting.user) {
            return Err(OAuthError::WrongUser {
                connector: shown(connector),
            });
        }
        if let Some(error) = callback.error() {
            return Err(OAuthError::Denied {
                connector: shown(connector),
                error,
                description: callback
                    .error_description
                    .as_deref()
                    .map(|text| one_line(text, 200)),
            });
        }
        let code = callback.code.as_ref().ok_or(OAuthError::InvalidCallback {
            reason: "neither code nor error",
        })?;
        let provider = self.provider(connector)?;
        let tokens = provider
            .exchange(&self.inner.transport, code.expose(), &waiting.verifier)
            .await
            .map_err(|failure| match failure {
                GrantFailure::InvalidGrant => OAuthError::token_endpoint(
                    connector,
                    "it refused the code (invalid_grant: expired, used, or not this sign-in's)",
                ),
                GrantFailure::Other(error) => error,
            })?;
        let key = TokenKey::new(waiting.user.clone(), connector);
        // Under the key's flight: a refresh of the old tokens in flight must not overwrite
        // the new ones when it ends.
        let _flight = self.inner.flights.board(&key).await;
        self.inner.store.save(&key, &tokens).await?;
        Ok(SignedIn {
            user: waiting.user,
            connector: connector.to_owned(),
        })
    }

    /// `user`'s access token for `connector`, to call it with: the stored one, or, when it
    /// expires within the [skew](OAuthBrokerBuilder::refresh_skew), a new one from the
    /// refresh token (a rotated refresh token stored with it in one write). Concurrent calls
    /// for the same user and connector refresh once and share the result. While the token
    /// endpoint fails, a token that has not expired yet is still handed out (and a refresh
    /// tried again after 10 seconds).
    ///
    /// # Errors
    ///
    /// [`OAuthError::SignInRequired`] when the user has no tokens, the token expired without
    /// a refresh token, or the provider refused the refresh (`invalid_grant`: the tokens are
    /// then forgotten); [`TokenEndpoint`](OAuthError::TokenEndpoint) when a refresh was needed
    /// and failed otherwise; [`Store`](OAuthError::Store); [`UnknownConnector`](OAuthError::UnknownConnector).
    pub async fn token(&self, user: &UserId, connector: &str) -> Result<Secret, OAuthError> {
        let provider = self.provider(connector)?;
        let key = TokenKey::new(user.clone(), connector);
        let tokens = self.load(&key).await?;
        if !self.due(&tokens) {
            return Ok(tokens.access_token().clone());
        }
        let mut flight = self.inner.flights.board(&key).await;
        // Another caller may have refreshed while this one waited.
        let tokens = self.load(&key).await?;
        if !self.due(&tokens) {
            return Ok(tokens.access_token().clone());
        }
        self.refresh(provider, &key, tokens, &mut flight, Why::Due)
            .await
    }

    /// The connector refused `rejected` (a 401): a new token from the refresh token, once,
    /// however many callers report the same token (the first refreshes, the others get its
    /// result). Call it once per refusal, and call the connector once more with what it
    /// returns.
    ///
    /// # Errors
    ///
    /// [`OAuthError::SignInRequired`] when there is no refresh token (the tokens are then
    /// forgotten) or the provider refused it; otherwise as [`token`](Self::token).
    pub async fn rejected(
        &self,
        user: &UserId,
        connector: &str,
        rejected: &Secret,
    ) -> Result<Secret, OAuthError> {
        let provider = self.provider(connector)?;
        let key = TokenKey::new(user.clone(), connector);
        let mut flight = self.inner.flights.board(&key).await;
        let tokens = self.load(&key).await?;
        if tokens.access_token() != rejected {
            // Already replaced by another caller's refresh.
            if !self.due(&tokens) {
                return Ok(tokens.access_token().clone());
            }
            return self
                .refresh(provider, &key, tokens, &mut flight, Why::Due)
                .await;
        }
        self.refresh(provider, &key, tokens, &mut flight, Why::Rejected)
            .await
    }

    /// Whether `user` has tokens for `connector` (valid or not: [`token`](Self::token) says).
    ///
    /// # Errors
    ///
    /// [`OAuthError::Store`], [`UnknownConnector`](OAuthError::UnknownConnector).
    pub async fn is_signed_in(&self, user: &UserId, connector: &str) -> Result<bool, OAuthError> {
        self.provider(connector)?;
        let key = TokenKey::new(user.clone(), connector);
        Ok(self.inner.store.load(&key).await?.is_some())
    }

    /// Signs `user` out of `connector`: forgets their tokens and, when the connector has a
    /// [revocation endpoint](OAuthBrokerBuilder::revocation_url), revokes them there (the
    /// refresh token, then the access token).
    ///
    /// # Errors
    ///
    /// [`OAuthError::Store`] (nothing was forgotten), [`UnknownConnector`](OAuthError::UnknownConnector).
    /// A failed revocation is not an error: [`SignOut::revocation`] says it.
    pub async fn sign_out(&self, user: &UserId, connector: &str) -> Result<SignOut, OAuthError> {
        let provider = self.provider(connector)?;
        let key = TokenKey::new(user.clone(), connector);
        let _flight = self.inner.flights.board(&key).await;
        let removed = self.inner.store.remove(&key).await?;
        Ok(self.revoke(provider, connector, removed).await)
    }

    /// Signs `user` out of every connector (see [`sign_out`](Self::sign_out)), including
    /// tokens the store holds for connectors this broker no longer has (forgotten, not
    /// revoked).
    ///
    /// # Errors
    ///
    /// [`OAuthError::Store`].
    pub async fn sign_out_everywhere(&self, user: &UserId) -> Result<Vec<SignOut>, OAuthError> {
        // Every flight of the user held (in one order), so no refresh saves tokens back.
        let mut flights: Vec<Boarded<'_>> = Vec::new();
        for connector in self.inner.providers.keys() {
            flights.push(
                self.inner
                    .flights
                    .board(&TokenKey::new(user.clone(), connector))
                    .await,
            );
        }
        let removed = self.inner.store.remove_user(user).await?;
        let mut outs = Vec::with_capacity(removed.len());
        for (connector, tokens) in removed {
            outs.push(match self.inner.providers.get(&connector) {
                Some(provider) => self.revoke(provider, &connector, Some(tokens)).await,
                None => SignOut {
                    connector,
                    had_tokens: true,
                    revocation: Revocation::NotDone,
                },
            });
        }
        drop(flights);
        outs.sort_by(|a, b| a.connector.cmp(&b.connector));
        Ok(outs)
    }

    async fn revoke(
        &self,
        provider: &ProviderClient,
        connector: &str,
        removed: Option<TokenSet>,
    ) -> SignOut {
        let revocation = match &removed {
            Some(tokens) if provider.can_revoke() => {
                let transport = &self.inner.transport;
                let refresh = match tokens.refresh_token() {
                    Some(refresh) => provider.revoke(transport, refresh, "refresh_token").await,
                    None => Ok(()),
                };
                let access = provider
                    .revoke(transport, tokens.access_token(), "access_token")
                    .await;
                match refresh.and(access) {
                    Ok(()) => Revocation::Revoked,
                    Err(error) => Revocation::Failed(error.to_string()),
                }
            }
            _ => Revocation::NotDone,
        };
        SignOut {
            connector: connector.to_owned(),
            had_tokens: removed.is_some(),
            revocation,
        }
    }

    /// The user's tokens, or why they must sign in.
    async fn load(&self, key: &TokenKey) -> Result<TokenSet, OAuthError> {
        self.inner
            .store
            .load(key)
            .await?
            .ok_or_else(|| OAuthError::sign_in(key.connector(), SignInReason::NotSignedIn))
    }

    /// Whether the access token expires within the skew.
    fn due(&self, tokens: &TokenSet) -> bool {
        tokens.expires_within(Utc::now(), self.inner.refresh_skew)
    }

    /// Refreshes `tokens` (the ones stored under `key`), holding the key's flight.
    async fn refresh(
        &self,
        provider: &ProviderClient,
        key: &TokenKey,
        tokens: TokenSet,
        flight: &mut Boarded<'_>,
        why: Why,
    ) -> Result<Secret, OAuthError> {
        let connector = key.connector();
        let store = &self.inner.store;
        // A token that is due but has not expired can still be used if the refresh fails.
        let usable = why == Why::Due && !tokens.expires_within(Utc::now(), Duration::ZERO);
        let Some(refresh_token) = tokens.refresh_token() else {
            if usable {
                return Ok(tokens.access_token().clone());
            }
            store.remove(key).await?;
            let reason = match why {
                Why::Due => SignInReason::Expired,
                Why::Rejected => SignInReason::Rejected,
            };
            return Err(OAuthError::sign_in(connector, reason));
        };
        if usable && flight.failed_recently() {
            return Ok(tokens.access_token().clone());
        }
        match provider.refresh(&self.inner.transport, refresh_token).await {
            Ok(fresh) => {
                flight.failed_at = None;
                let fresh = fresh.keeping_refresh_token_of(&tokens);
                store.save(key, &fresh).await?;
                Ok(fresh.access_token().clone())
            }
            Err(GrantFailure::InvalidGrant) => {
                // Another process sharing the store may have refreshed (and rotated the
                // refresh token) meanwhile: its tokens are good.
                let current = store.load(key).await?;
                if let Some(current) = &current
                    && *current != tokens
                    && !self.due(current)
                {
                    return Ok(current.access_token().clone());
                }
                if current.as_ref() == Some(&tokens) {
                    store.remove(key).await?;
                }
                Err(OAuthError::sign_in(connector, SignInReason::Refused))
            }
            Err(GrantFailure::Other(error)) => {
                flight.failed_at = Some(std::time::Instant::now());
                if usable {
                    return Ok(tokens.access_token().clone());
                }
                Err(error)
            }
        }
    }
}

impl fmt::Debug for OAuthBroker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBroker")
            .field("redirect_url", &self.inner.redirect_url.as_str())
            .field("connectors", &self.connectors().collect::<Vec<_>>())
            .field("refresh_skew", &self.inner.refresh_skew)
            .finish_non_exhaustive()
    }
}
