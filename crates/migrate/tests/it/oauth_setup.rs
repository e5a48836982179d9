//! What the OAuth tests share: a provider, a broker whose callback is served, a browser that
//! walks the consent flow, and an OAuth connector that checks its bearer tokens with the
//! provider.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use cohere_connectors_emulator::{OAuthProvider, ProviderEndpoint, ProviderRequest};
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{
    Access, ConnectionLimits, ConnectorService, RunningConnector, SearchFailure, serve_connections,
};
use cohere_connectors_migrate::oauth::{
    MemoryTokenStore, OAuthBroker, OAuthBrokerBuilder, TokenKey, TokenSet, TokenStore, UserId,
};
use cohere_connectors_migrate::{Manifest, Secrets, ToolCall, Toolbox};
use tokio::task::JoinHandle;

/// A broker whose callback route is served on 127.0.0.1, over a provider.
pub struct World {
    pub provider: OAuthProvider,
    pub broker: OAuthBroker,
    /// The store the broker uses, for tests to look inside.
    pub store: Arc<MemoryTokenStore>,
    /// The callback URL.
    pub callback: String,
    /// A browser that does not follow redirects.
    pub browser: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for World {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub fn user(name: &str) -> UserId {
    UserId::new(name).unwrap()
}

/// A listener on a free port and the callback URL on it.
pub async fn callback_listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let callback = format!("http://{}/oauth/callback", listener.local_addr().unwrap());
    (listener, callback)
}

pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl World {
    /// A world over `provider` with connector `crm`, the broker configured by `configure`.
    pub async fn start(
        provider: OAuthProvider,
        configure: impl FnOnce(OAuthBrokerBuilder) -> OAuthBrokerBuilder,
    ) -> Self {
        Self::start_routed(provider, configure, |broker| broker.callback_router()).await
    }

    /// As [`start`](Self::start), serving the router `route` makes of the broker.
    pub async fn start_routed(
        provider: OAuthProvider,
        configure: impl FnOnce(OAuthBrokerBuilder) -> OAuthBrokerBuilder,
        route: impl FnOnce(&OAuthBroker) -> axum::Router,
    ) -> Self {
        let (listener, callback) = callback_listener().await;
        let store = Arc::new(MemoryTokenStore::new());
        let builder = OAuthBroker::builder(&callback)
            .connector("crm", provider.oauth_config())
            .store(Arc::clone(&store));
        let broker = configure(builder).build().unwrap();
        let router = route(&broker);
        let server = tokio::spawn(serve_connections(
            listener,
            router,
            ConnectionLimits::default(),
        ));
        Self {
            provider,
            broker,
            store,
            callback,
            browser: browser(),
            server,
        }
    }

    pub async fn default() -> Self {
        Self::start(OAuthProvider::start().await.unwrap(), |builder| builder).await
    }

    /// Where the provider sends `name`'s browser back to after consenting to a new
    /// sign-in (the callback URL with `code` and `state`), not fetched.
    pub async fn consent(&self, name: &str) -> String {
        let sign_in = self.broker.sign_in(&user(name), "crm").unwrap();
        self.provider.consent_as(sign_in.url(), name).await.unwrap()
    }

    /// Signs `name` in to `crm`, as their browser would: consent, then the callback.
    pub async fn sign_in(&self, name: &str) -> reqwest::Response {
        let back = self.consent(name).await;
        self.browser.get(&back).send().await.unwrap()
    }

    pub fn key(&self, name: &str) -> TokenKey {
        TokenKey::new(user(name), "crm")
    }

    /// What the store holds for `name`.
    pub async fn stored(&self, name: &str) -> Option<TokenSet> {
        self.store.load(&self.key(name)).await.unwrap()
    }

    /// Makes `name`'s stored access token expire at `at_seconds` from now (negative: in the
    /// past), as if time had passed.
    pub async fn age(&self, name: &str, at_seconds: i64) {
        let tokens = self.stored(name).await.expect("signed in");
        let mut aged = TokenSet::new(tokens.access_token().clone())
            .with_expires_at(Utc::now() + chrono::TimeDelta::seconds(at_seconds));
        if let Some(refresh) = tokens.refresh_token() {
            aged = aged.with_refresh_token(refresh.clone());
        }
        self.store.save(&self.key(name), &aged).await.unwrap();
    }

    /// The token-endpoint requests the provider received with this `grant_type`.
    pub fn grants(&self, grant_type: &str) -> Vec<ProviderRequest> {
        self.provider
            .requests()
            .into_iter()
            .filter(|request| {
                request.endpoint == ProviderEndpoint::Token
                    && request.param("grant_type") == Some(grant_type)
            })
            .collect()
    }
}

/// Every secret the provider and the broker hold for `world` and `name`: what no message,
/// page or `Debug` may show.
pub async fn secrets_of(world: &World, name: &str) -> Vec<String> {
    let mut secrets = vec![world.provider.client_secret().expose().to_owned()];
    if let Some(tokens) = world.stored(name).await {
        secrets.push(tokens.access_token().expose().to_owned());
        if let Some(refresh) = tokens.refresh_token() {
            secrets.push(refresh.expose().to_owned());
        }
    }
    for request in world.provider.requests() {
        for name in ["code", "code_verifier", "refresh_token", "token"] {
            if let Some(value) = request.param(name) {
                secrets.push(value.to_owned());
            }
        }
    }
    secrets
}

pub fn assert_shows_none(text: &str, secrets: &[String]) {
    for secret in secrets {
        assert!(!text.contains(secret.as_str()), "a secret in: {text}");
    }
}

/// An OAuth connector: 401 unless the bearer token is one of the provider's, good now; its
/// documents name whose token it was. Counts its calls.
pub struct Connector {
    pub running: RunningConnector,
    pub calls: Arc<AtomicUsize>,
}

impl Connector {
    pub async fn start(provider: &OAuthProvider) -> Self {
        let checker = provider.token_checker();
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let service = ConnectorService::new(Access::user_token(), move |request, caller| {
            let checker = checker.clone();
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                let token = caller
                    .user_token()
                    .ok_or_else(|| SearchFailure::unauthorized("a user's token is needed"))?;
                let subject = checker
                    .subject(token.expose())
                    .ok_or_else(|| SearchFailure::unauthorized("the token is not valid"))?;
                Ok(vec![
                    Document::new()
                        .with_id("1")
                        .with_title(format!("{subject}'s accounts"))
                        .with_text(request.query),
                ])
            }
        });
        Self {
            running: service.bind("127.0.0.1:0").await.unwrap(),
            calls,
        }
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    /// A manifest with this connector as `crm`, its OAuth at `provider`, and the secrets.
    pub fn manifest(&self, provider: &OAuthProvider) -> (Manifest, Secrets) {
        let manifest = Manifest::from_json(
            &serde_json::json!({"version": 1, "connectors": [{
                "id": "crm", "name": "CRM", "url": self.running.url(),
                "oauth": {
                    "client_id": provider.client_id(),
                    "client_secret": {"env": "CRM_OAUTH_SECRET"},
                    "authorize_url": provider.authorize_url(),
                    "token_url": provider.token_url(),
                    "scope": "read"
                }
            }]})
            .to_string(),
        )
        .unwrap();
        let secrets = Secrets::none().with("CRM_OAUTH_SECRET", provider.client_secret().clone());
        (manifest, secrets)
    }

    pub fn toolbox(&self, provider: &OAuthProvider) -> Toolbox {
        let (manifest, secrets) = self.manifest(provider);
        Toolbox::from_manifest(&manifest, &secrets).unwrap()
    }
}

pub fn search_call(query: &str) -> ToolCall {
    ToolCall::new(
        "call_1",
        "search_crm",
        &serde_json::json!({ "query": query }),
    )
}

/// The tool message as JSON text.
pub fn text_of(message: &cohere_connectors_migrate::ToolMessage) -> String {
    serde_json::to_string(message).unwrap()
}
