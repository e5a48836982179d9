//! A stateful emulator of the Connectors API (feature `emulator`), for running offline and
//! testing against something that behaves like the real API.
//!
//! ```no_run
//! use cohere_connectors::emulator::Emulator;
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
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
//! JSON error bodies `{message, id}`; 400 for malformed JSON, 413 over 1 MiB, 404 for unknown
//! routes and 405 for wrong methods. Its responses are serialized with the raw types generated
//! from the OpenAPI fragment. [`Faults`] injects failures for testing retry logic.
//!
//! The `cohere-connectors-emulator` binary serves the same emulator to clients in any language.

mod faults;
mod routes;
mod server;
mod store;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use faults::Faults;

use crate::raw::types::{AuthTokenType, CreateConnectorOAuth, CreateConnectorServiceAuth};
use crate::{Client, Result};
use routes::App;
use store::Store;

/// A running emulator. It stops when dropped or [shut down](Self::shutdown).
pub struct Emulator {
    base_url: String,
    api_key: String,
    faults: Faults,
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

    /// Configures an emulator: address, accepted keys, sample data, request logging.
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

    /// A [`Client`] for this emulator, with the default settings otherwise.
    ///
    /// # Errors
    ///
    /// As [`ClientBuilder::build`](crate::ClientBuilder::build), which cannot fail for an
    /// emulator's URL and key.
    pub fn client(&self) -> Result<Client> {
        Client::builder()
            .api_key(self.api_key.as_str())
            .base_url(self.base_url.as_str())
            .build()
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
/// ```no_run
/// use cohere_connectors::emulator::Emulator;
///
/// # async fn run() -> std::io::Result<()> {
/// let emulator = Emulator::builder()
///     .port(8080)
///     .api_key("local-key")
///     .seed(5)
///     .log_requests(true)
///     .start()
///     .await?;
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
}

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

    /// Accepts this API key; call again to accept several (default: one random key).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_keys.push(key.into());
        self
    }

    /// Starts with `count` sample connectors (service-auth, OAuth and plain ones in turn).
    pub fn seed(mut self, count: usize) -> Self {
        self.seed = count;
        self
    }

    /// Prints one line per request to stderr: method, path, status, time. Never a key.
    pub fn log_requests(mut self, log: bool) -> Self {
        self.log_requests = log;
        self
    }

    /// Starts with these faults already planned.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Binds and starts serving.
    ///
    /// # Errors
    ///
    /// If the address cannot be bound.
    pub async fn start(self) -> std::io::Result<Emulator> {
        let addr = self
            .addr
            .unwrap_or_else(|| SocketAddr::from((Ipv4Addr::LOCALHOST, 0)));
        let listener = TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let api_keys = if self.api_keys.is_empty() {
            vec![format!("emulator-{}", routes::random_hex(12))]
        } else {
            self.api_keys
        };
        let store = Arc::new(Store::default());
        seed(&store, self.seed);
        let router = routes::router(App {
            store,
            api_keys: api_keys.clone().into(),
            base_url: base_url.as_str().into(),
        });
        let task = tokio::spawn(server::serve(
            listener,
            router,
            self.faults.clone(),
            self.log_requests,
        ));
        Ok(Emulator {
            base_url,
            api_key: api_keys[0].clone(),
            faults: self.faults,
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
            .finish_non_exhaustive()
    }
}

fn seed(store: &Store, count: usize) {
    for index in 1..=count {
        let mut request = crate::raw::types::CreateConnectorRequest {
            name: format!("Sample connector {index}"),
            url: format!("https://search.example.com/{index}"),
            description: Some(format!("Seeded sample number {index}")),
            excludes: Vec::new(),
            active: true,
            continue_on_failure: false,
            oauth: None,
            service_auth: None,
        };
        match index % 3 {
            1 => {
                request.service_auth = Some(CreateConnectorServiceAuth {
                    type_: AuthTokenType::Bearer,
                    token: format!("sample-token-{index}").into(),
                });
            }
            2 => {
                request.oauth = Some(CreateConnectorOAuth {
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
        let _ = store.create(request);
    }
}
