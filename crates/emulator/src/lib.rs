//! A stateful emulator of the Connectors API, for running offline and
//! testing against something that behaves like the real API.
//!
//! ```
//! use cohere_connectors_emulator::Emulator;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let emulator = Emulator::start().await?;       // 127.0.0.1, a free port
//! let client = emulator.client()?;               // a Client pointed at it
//! let created = client
//!     .connectors()
//!     .create("Wiki", "https://wiki.example.com/search")
//!     .send()
//!     .await?;
//! assert_eq!(created.id, "wiki");
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! It implements all six operations with the API's rules: newest-first listing with `limit`
//! (0 to 100, default 30) and `offset`; ids derived from names; `active` and
//! `continue_on_failure` defaults; OAuth secrets and service tokens stored but never returned;
//! partial updates; 404s for unknown ids; 401 without an accepted `Authorization: Bearer` key;
//! JSON error bodies `{message, id}` that name a bad field but never echo a value; 400 for
//! malformed JSON, 413 over 1 MiB, 404 for unknown routes and 405 for wrong methods.
//!
//! With [`verify_connectors`](EmulatorBuilder::verify_connectors) it calls each connector
//! before registering it, as Cohere does, and refuses one that fails.
//!
//! It also runs the OAuth round trip (see [`OAuthProvider`]): each API key is a user with
//! their own `auth_status`, absent until they authorize.
//!
//! And it plays the model at `POST /v2/chat`, so that a Chat v2 tool loop runs offline: a
//! scripted, deterministic model that calls every tool it is given (up to
//! [`chat_tool_calls`](EmulatorBuilder::chat_tool_calls)) with the user's question, answers
//! tool results and `documents` with one cited line per document (citation offsets in
//! Unicode code points, sources with Cohere's ids: the document's own, `doc:<index>`,
//! `<tool_call_id>:<index>`), and otherwise echoes the user. `stream: true` gives the same
//! response as Cohere's server-sent events, which [`StreamFault`]s cut, reset, stall, make
//! endless or oversized. It refuses what Cohere refuses, in Cohere's words where Cohere
//! documents them: a tool message without a `tool_call_id` or answering a call the previous
//! assistant turn did not make, a tool name outside `[A-Za-z_][A-Za-z0-9_]*`, duplicate
//! document or tool call ids, a missing `model`, malformed JSON, unknown fields (422).
//! Bodies up to [`MAX_CHAT_BODY_BYTES`].
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use cohere_connectors_emulator::Emulator;
//! use serde_json::{Value, json};
//!
//! let emulator = Emulator::start().await?;
//! let request = json!({
//!     "model": "command-a-03-2025",
//!     "messages": [{"role": "user", "content": "Where do penguins live?"}],
//!     "documents": [{"id": "habitats", "data": {"title": "Habitats", "text": "In Antarctica."}}],
//! });
//! let answer = reqwest::Client::new()
//!     .post(format!("{}/v2/chat", emulator.base_url()))
//!     .bearer_auth(emulator.api_key())
//!     .body(request.to_string())
//!     .send()
//!     .await?
//!     .bytes()
//!     .await?;
//! let answer: Value = serde_json::from_slice(&answer)?;
//! assert_eq!(answer["message"]["content"][0]["text"], "Habitats says: In Antarctica.");
//! let citation = &answer["message"]["citations"][0];
//! assert_eq!((citation["start"].as_u64(), citation["end"].as_u64()), (Some(15), Some(29)));
//! assert_eq!(citation["sources"][0]["id"], "habitats");
//! # Ok(()) }
//! ```
//!
//! Its answers are checked in the crate's tests against Cohere's own OpenAPI definition with
//! an independent JSON Schema validator. Its limits, chosen here since Cohere documents none:
//! names of at most 256 characters (so ids stay under 110 bytes), at most 1,000,000
//! connectors. [`Faults`] injects failures for testing retry logic; the
//! [journal](EmulatorBuilder::journal) records what it answered.
//!
//! The `cohere-connectors-emulator` binary serves the same emulator to clients in any language.
//!
//! Depends on the SDK (`cohere-connectors`: its client, types and text hygiene) and on the
//! connector kit (`cohere-connectors-kit`: the search client that verifies connectors). The
//! layers, bottom up: the reply vocabulary and the faults; the wire types and the store; the
//! OAuth walk, verification, and the chat's model (its own modules, over the reply
//! vocabulary and the faults only); the routes; the server loop.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

mod chat;
#[cfg(feature = "cli")]
pub mod cli;
mod faults;
mod journal;
mod oauth;
mod reply;
mod routes;
mod server;
mod store;
mod verify;
mod wire;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use chat::{
    DEFAULT_TOOL_CALLS as DEFAULT_CHAT_TOOL_CALLS, MAX_BODY_BYTES as MAX_CHAT_BODY_BYTES,
};
pub use faults::{Faults, MAX_OVERSIZED_EVENT_BYTES, StreamFault};
pub use journal::Exchange;
pub use oauth::{
    ClientAuthentication, OAuthProvider, OAuthProviderBuilder, OAuthWalkError, ProviderEndpoint,
    ProviderRequest, TokenChecker, TokenFault,
};
pub use store::{MAX_CONNECTORS, MAX_ID_STEM_BYTES, MAX_NAME_CHARS};

use cohere_connectors::{Client, Result};
use journal::Journal;
use oauth::Pending;
use routes::App;
use server::{Limits, Served};
use store::Store;
use wire::{CreateRequest, OAuthRequest, ServiceAuthRequest};

/// The most sample connectors [`EmulatorBuilder::seed`] creates.
pub const MAX_SEED: usize = 100_000;

/// A running emulator. It stops when dropped or [shut down](Self::shutdown).
pub struct Emulator {
    base_url: String,
    api_key: String,
    faults: Faults,
    journal: Journal,
    store: Arc<Store>,
    http: reqwest::Client,
    task: JoinHandle<()>,
}

impl Emulator {
    /// Starts an emulator on 127.0.0.1 on a free port, with a random API key.
    ///
    /// # Errors
    ///
    /// If no port can be bound.
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Configures an emulator: address, accepted keys, sample data, logging, limits.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Where it listens, e.g. `http://127.0.0.1:41234`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The first API key it accepts.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// The failures it injects; see [`Faults`].
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// What it has answered, oldest first, when the [journal](EmulatorBuilder::journal) is on
    /// (empty otherwise).
    pub fn journal(&self) -> Vec<Exchange> {
        self.journal.entries()
    }

    /// How many connectors it holds.
    pub fn connector_count(&self) -> usize {
        self.store.len()
    }

    /// A [`Client`] for this emulator: its first key, and short retry waits (10 to 100 ms)
    /// so that tests with injected faults stay fast. A `Retry-After` the emulator sends is
    /// still honoured.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`](cohere_connectors::ClientBuilder::build), which cannot fail for an
    /// emulator's URL and key.
    pub fn client(&self) -> Result<Client> {
        self.client_builder().build()
    }

    /// A [`ClientBuilder`](cohere_connectors::ClientBuilder) set up like [`client`](Self::client), to
    /// change before building.
    pub fn client_builder(&self) -> cohere_connectors::ClientBuilder {
        Client::builder()
            .api_key(self.api_key.as_str())
            .base_url(self.base_url.as_str())
            .retry_base_delay(Duration::from_millis(10))
            .retry_max_delay(Duration::from_millis(100))
    }

    /// Plays a user's browser through the OAuth round trip: opens `authorize_url` (what
    /// [`authorize_oauth`](cohere_connectors::connectors::Connectors::authorize_oauth) returned), follows
    /// the provider's redirect to the emulator's callback, which exchanges the code, and
    /// returns where the callback sends the user (the `after_token_redirect`, not fetched).
    /// See [`OAuthProvider`] for a provider to run in tests.
    ///
    /// # Errors
    ///
    /// When a step does not answer as the round trip expects.
    pub async fn complete_oauth(
        &self,
        authorize_url: &str,
    ) -> std::result::Result<String, OAuthWalkError> {
        oauth::walk(&self.http, authorize_url).await
    }

    /// Makes every user's token for the connector `id` expired, so that its `auth_status`
    /// reads `expired`; whether any user had authorized it.
    pub fn expire_oauth_tokens(&self, id: &str) -> bool {
        self.store.expire(id)
    }

    /// Stops serving and closes every connection.
    pub async fn shutdown(mut self) {
        self.task.abort();
        // The task ends as aborted; waiting for it means every connection is closed.
        let _ = (&mut self.task).await;
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl fmt::Debug for Emulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Emulator")
            .field("base_url", &self.base_url)
            .field("api_key", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Configures an [`Emulator`].
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_emulator::Emulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let emulator = Emulator::builder()
///     .api_key("local-key")
///     .seed(5)
///     .journal(100)
///     .max_connections(64)
///     .header_timeout(Duration::from_secs(5))
///     .start()
///     .await?;
/// assert_eq!(emulator.connector_count(), 5);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
#[must_use = "a builder does nothing until `.start()`"]
pub struct EmulatorBuilder {
    addr: Option<SocketAddr>,
    api_keys: Vec<String>,
    seed: usize,
    log_requests: bool,
    faults: Faults,
    journal: usize,
    limits: Limits,
    verify: Option<Duration>,
    chat: chat::Script,
}

/// How long the emulator waits for a connector it verifies, unless told otherwise: Cohere's
/// deadline for a connector.
pub const DEFAULT_VERIFY_TIMEOUT: Duration = Duration::from_secs(30);

impl EmulatorBuilder {
    /// Listens on 127.0.0.1 at this port (default: a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.addr = Some(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
        self
    }

    /// Listens on this address (default: 127.0.0.1 on a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }

    /// Accepts this API key; call again to accept several (default: one random key). Each
    /// key is a user of its own for OAuth: its `auth_status` is its own. An empty or blank
    /// key (what `env::var("K").unwrap_or_default()` gives when `K` is unset) would let in
    /// a request with an empty `Authorization: Bearer`: [`start`](Self::start) refuses it.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Starts with `count` sample connectors (service-auth, OAuth and plain ones in turn), at
    /// most [`MAX_SEED`].
    pub fn seed(mut self, count: usize) -> Self {
        self.seed = count;
        self
    }

    /// Prints one line per request to stderr: method, path (never the query), status, time.
    pub fn log_requests(mut self, log: bool) -> Self {
        self.log_requests = log;
        self
    }

    /// Starts with these faults already planned.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Keeps the last `capacity` exchanges for [`Emulator::journal`] (default 0: off).
    pub fn journal(mut self, capacity: usize) -> Self {
        self.journal = capacity;
        self
    }

    /// Serves at most this many connections at once (default 1024); more wait to be accepted.
    pub fn max_connections(mut self, max: usize) -> Self {
        self.limits.max_connections = max;
        self
    }

    /// Closes a connection whose next request head has not arrived within `timeout` (default
    /// 10 s): a half-sent request, or a keep-alive connection left idle.
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_timeout = timeout;
        self
    }

    /// Answers 408 to a request not done within `timeout` of its head (default 60 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.limits.request_timeout = timeout;
        self
    }

    /// Calls a connector before creating it, and before an update gives it a new `url` or
    /// new service credentials, as Cohere does: one search (`{"query": "test"}`, with the
    /// connector's service auth), and a refusal with 400 (`connector <url> is not reachable:
    /// <why>`) when it fails. An OAuth connector may answer 401 or 403: no user has
    /// authorized it yet. Off by default, so that tests with made-up URLs keep working.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cohere_connectors::ServiceAuth;
    /// use cohere_connectors_emulator::Emulator;
    /// use cohere_connectors_kit::Document;
    /// use cohere_connectors_kit::server::{Access, ConnectorService};
    ///
    /// let connector = ConnectorService::new(Access::service(ServiceAuth::bearer("t0ken-123"))?, |_, _| async {
    ///     Ok(vec![Document::new().with_title("ok")])
    /// })
    /// .bind("127.0.0.1:0")
    /// .await?;
    /// let emulator = Emulator::builder().verify_connectors(true).start().await?;
    /// let client = emulator.client()?;
    ///
    /// let refused = client.connectors().create("Docs", connector.url()).send().await.unwrap_err();
    /// assert_eq!(refused.status(), Some(400));
    /// assert!(refused.to_string().contains("is not reachable"), "{refused}");
    ///
    /// let created = client
    ///     .connectors()
    ///     .create("Docs", connector.url())
    ///     .service_auth(ServiceAuth::bearer("t0ken-123"))
    ///     .send()
    ///     .await?;
    /// assert_eq!(created.id, "docs");
    /// # Ok(()) }
    /// ```
    pub fn verify_connectors(mut self, verify: bool) -> Self {
        self.verify = verify.then_some(self.verify.unwrap_or(DEFAULT_VERIFY_TIMEOUT));
        self
    }

    /// How long a verification waits for the connector (default
    /// [`DEFAULT_VERIFY_TIMEOUT`]); turns verification on.
    pub fn verify_timeout(mut self, timeout: Duration) -> Self {
        self.verify = Some(timeout);
        self
    }

    /// The most tools the chat's model calls in one turn (default [`DEFAULT_CHAT_TOOL_CALLS`]; at
    /// least 1): with more tools, it calls the first ones.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use cohere_connectors_emulator::Emulator;
    /// use serde_json::{Value, json};
    ///
    /// let emulator = Emulator::builder().chat_tool_calls(1).start().await?;
    /// let tool = |name: &str| json!({"type": "function", "function": {"name": name,
    ///     "parameters": {"type": "object", "properties": {"query": {"type": "string"}},
    ///                    "required": ["query"]}}});
    /// let request = json!({"model": "command-a-03-2025",
    ///     "messages": [{"role": "user", "content": "tea"}],
    ///     "tools": [tool("search_wiki"), tool("search_crm")]});
    /// let answer = reqwest::Client::new()
    ///     .post(format!("{}/v2/chat", emulator.base_url()))
    ///     .bearer_auth(emulator.api_key())
    ///     .header("content-type", "application/json")
    ///     .body(request.to_string())
    ///     .send()
    ///     .await?
    ///     .bytes()
    ///     .await?;
    /// let answer: Value = serde_json::from_slice(&answer)?;
    /// assert_eq!(answer["finish_reason"], "TOOL_CALL");
    /// let calls = answer["message"]["tool_calls"].as_array().unwrap();
    /// assert_eq!(calls.len(), 1);
    /// assert_eq!(calls[0]["function"]["arguments"], r#"{"query":"tea"}"#);
    /// assert!(calls[0]["id"].as_str().unwrap().starts_with("search_wiki_"));
    /// # Ok(()) }
    /// ```
    pub fn chat_tool_calls(mut self, max: usize) -> Self {
        self.chat.tool_calls = max.max(1);
        self
    }

    /// Makes the chat's model call the tools again after their results, instead of
    /// answering, for ever (default: off): a model that never stops, to test a tool loop's
    /// bound on its steps. Each step's calls have new ids.
    pub fn chat_keeps_calling_tools(mut self, keep: bool) -> Self {
        self.chat.keep_calling_tools = keep;
        self
    }

    /// Binds and starts serving.
    ///
    /// # Errors
    ///
    /// If the address cannot be bound, `seed` is above [`MAX_SEED`], or an API key is empty
    /// or blank.
    pub async fn start(self) -> std::io::Result<Emulator> {
        if self.api_keys.iter().any(|key| key.trim().is_empty()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "an API key of the emulator is empty or blank: it would let anyone in",
            ));
        }
        if self.seed > MAX_SEED {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("an emulator seeds at most {MAX_SEED} connectors"),
            ));
        }
        let addr = self
            .addr
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let api_keys = if self.api_keys.is_empty() {
            vec![format!("emulator-{}", reply::random_hex(12))]
        } else {
            self.api_keys
        };
        let store = Arc::new(Store::default());
        seed(&store, self.seed);
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let journal = Journal::new(self.journal);
        let router = routes::router(App {
            store: Arc::clone(&store),
            pending: Arc::new(Pending::default()),
            api_keys: api_keys.clone().into(),
            base_url: base_url.as_str().into(),
            http: http.clone(),
            verifier: self.verify.map(|timeout| verify::Verifier {
                timeout,
                http: http.clone(),
            }),
            chat: self.chat,
            faults: self.faults.clone(),
        });
        let task = tokio::spawn(server::serve(
            listener,
            Served {
                router,
                faults: self.faults.clone(),
                journal: journal.clone(),
                log: self.log_requests,
                limits: self.limits,
            },
        ));
        Ok(Emulator {
            base_url,
            api_key: api_keys[0].clone(),
            faults: self.faults,
            journal,
            store,
            http,
            task,
        })
    }
}

impl fmt::Debug for EmulatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmulatorBuilder")
            .field("addr", &self.addr)
            .field("api_keys", &self.api_keys.len())
            .field("seed", &self.seed)
            .field("log_requests", &self.log_requests)
            .field("journal", &self.journal)
            .field("limits", &self.limits)
            .field("verify", &self.verify)
            .field("chat", &self.chat)
            .finish_non_exhaustive()
    }
}

fn seed(store: &Store, count: usize) {
    for index in 1..=count {
        let mut request = CreateRequest {
            name: format!("Sample connector {index}"),
            url: format!("https://search.example.com/{index}"),
            description: Some(format!("Seeded sample number {index}")),
            excludes: Vec::new(),
            active: None,
            continue_on_failure: None,
            oauth: None,
            service_auth: None,
        };
        match index % 3 {
            1 => {
                request.service_auth = Some(ServiceAuthRequest {
                    token_type: "bearer".into(),
                    token: format!("sample-token-{index}").into(),
                });
            }
            2 => {
                request.oauth = Some(OAuthRequest {
                    client_id: format!("sample-client-{index}"),
                    client_secret: format!("sample-secret-{index}").into(),
                    authorize_url: "https://auth.example.com/authorize".into(),
                    token_url: "https://auth.example.com/token".into(),
                    scope: Some("read".into()),
                });
            }
            _ => {}
        }
        // Seed data is valid by construction.
        let _ = store.create_quietly(request);
    }
}
