//! The client and its configuration.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Url;

use crate::core::error::Retirement;
use crate::core::text::{DebugOptionUrl, Redactor};
use crate::http::retry::{
    DEFAULT_BASE_DELAY, DEFAULT_MAX_DELAY, DEFAULT_MAX_RETRY_AFTER, RetryPolicy,
};
use crate::http::transport::{
    Transport, TransportSettings, bearer, client_name_header, default_user_agent,
    may_carry_credentials,
};
use crate::{Error, Result, Secret, raw};

/// Where the API lives unless told otherwise.
pub const DEFAULT_BASE_URL: &str = "https://api.cohere.com";
/// The environment variable read first for the API key.
pub const API_KEY_VAR: &str = "CO_API_KEY";
/// The environment variable read for the API key when [`API_KEY_VAR`] is unset.
pub const FALLBACK_API_KEY_VAR: &str = "COHERE_API_KEY";
/// The environment variable read for the base URL.
pub const BASE_URL_VAR: &str = "CO_API_URL";

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_MAX_RETRIES: u32 = 2;

/// A client of the Connectors API.
///
/// Cheap to clone (clones share one connection pool), `Send` and `Sync`: build one and share
/// it between tasks.
///
/// ```standalone_crate
/// use cohere_connectors::Client;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::builder().seed(3).start().await.unwrap();
/// # unsafe { std::env::set_var("CO_API_KEY", emulator.api_key()) };
/// # unsafe { std::env::set_var("CO_API_URL", emulator.base_url()) };
/// let client = Client::from_env()?; // CO_API_KEY, and CO_API_URL if set
/// let page = client.connectors().list().limit(10).send().await?;
/// # assert_eq!(page.connectors.len(), 3);
/// let for_a_task = client.clone(); // shares the connection pool
/// tokio::spawn(async move { for_a_task.connectors().list().await }).await.unwrap()?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

/// What every clone of a [`Client`] shares.
pub(crate) struct Shared {
    /// The generated client as [`Client::raw`] hands it out. The facade's calls use its base
    /// URL, connection pool and transport, not its methods (see `src/api/seam`).
    pub raw: raw::Client,
    /// What a 404 on the collection means from this base URL's server.
    pub retirement: Retirement,
    pub config: CallConfig,
    /// Hides the API key in whatever a server sends back.
    pub redactor: Redactor,
}

impl Shared {
    /// The base URL, without a trailing `/`.
    pub(crate) fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.raw)
    }

    /// The connection pool every call shares.
    pub(crate) fn http(&self) -> &reqwest::Client {
        progenitor_client::ClientInfo::client(&self.raw)
    }

    /// The rules every request follows (the raw client's and the facade's).
    pub(crate) fn transport(&self) -> &Transport {
        progenitor_client::ClientInfo::inner(&self.raw)
    }
}

/// How calls behave beyond a single request.
#[derive(Clone, Debug)]
pub(crate) struct CallConfig {
    pub retry: RetryPolicy,
    /// A bound on a whole call, retries and waits included.
    pub deadline: Option<Duration>,
}

impl Client {
    /// A builder for a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::new()
    }

    /// A client configured from the environment: the API key from `CO_API_KEY` (or
    /// `COHERE_API_KEY`), the base URL from `CO_API_URL` when set.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] when neither variable holds a key, or as [`ClientBuilder::build`].
    pub fn from_env() -> Result<Self> {
        ClientBuilder::from_env().build()
    }

    /// The generated client underneath, configured like this one (key, timeouts, headers):
    /// every operation exactly as the OpenAPI fragment describes it, without retries.
    pub fn raw(&self) -> &raw::Client {
        &self.shared.raw
    }

    /// The base URL requests go to (without a trailing `/` or `/v1`).
    pub fn base_url(&self) -> &str {
        progenitor_client::ClientInfo::baseurl(&self.shared.raw)
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("transport", self.shared.transport())
            .field("config", &self.shared.config)
            .finish()
    }
}

/// Configures a [`Client`].
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors::Client;
///
/// let client = Client::builder()
///     .api_key("my-key")
///     .base_url("https://api.cohere.com")
///     .client_name("my-app")
///     .timeout(Duration::from_secs(30))
///     .max_retries(3)
///     .build()?;
/// assert!(!format!("{client:?}").contains("my-key"));
/// # Ok::<(), cohere_connectors::Error>(())
/// ```
#[derive(Clone)]
#[must_use = "a builder does nothing until `.build()`"]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    base_url: Option<String>,
    client_name: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    deadline: Option<Duration>,
    retry: RetryPolicy,
    http_client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    max_response_bytes: Option<usize>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl ClientBuilder {
    /// A builder with the defaults: Cohere's production URL, a 60 s timeout per attempt,
    /// a 10 s connect timeout, no overall deadline, 2 retries with backoff from 0.5 s to 60 s.
    pub fn new() -> Self {
        Self {
            api_key: None,
            base_url: None,
            client_name: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            deadline: None,
            retry: RetryPolicy {
                max_retries: DEFAULT_MAX_RETRIES,
                base_delay: DEFAULT_BASE_DELAY,
                max_delay: DEFAULT_MAX_DELAY,
                max_retry_after: DEFAULT_MAX_RETRY_AFTER,
                non_idempotent: false,
            },
            http_client: None,
            allow_insecure_http: false,
            max_response_bytes: None,
        }
    }

    /// A builder that takes the API key from `CO_API_KEY` (or `COHERE_API_KEY`) and the base
    /// URL from `CO_API_URL`, where they are set and not empty.
    pub fn from_env() -> Self {
        Self::new().with_vars(|name| std::env::var(name).ok())
    }

    /// Applies the environment as `lookup` reports it (testable without touching the process
    /// environment).
    pub(crate) fn with_vars(mut self, lookup: impl Fn(&str) -> Option<String>) -> Self {
        let set = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        if let Some(key) = set(API_KEY_VAR).or_else(|| set(FALLBACK_API_KEY_VAR)) {
            self.api_key = Some(Secret::from(key));
        }
        if let Some(url) = set(BASE_URL_VAR) {
            self.base_url = Some(url);
        }
        self
    }

    /// The API key (required).
    pub fn api_key(mut self, api_key: impl Into<Secret>) -> Self {
        self.api_key = Some(api_key.into());
        self
    }

    /// The API's base URL; default `https://api.cohere.com`. A trailing `/` or `/v1` is
    /// accepted and removed.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = Some(base_url.into());
        self
    }

    /// A name for your application, sent as `X-Client-Name` on every request.
    pub fn client_name(mut self, client_name: impl Into<String>) -> Self {
        self.client_name = Some(client_name.into());
        self
    }

    /// How long one attempt may take, from connecting to the end of the body (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// How long connecting may take (default 10 s). Applies to the client this builder
    /// creates, not to one given with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// A bound on a whole call: every attempt and every wait between them (default: none).
    /// A call that runs out of time ends with a [`TransportError`](crate::TransportError)
    /// whose `is_timeout()` is true. A deadline too far away to be a point in time (such as
    /// `Duration::MAX`) is the same as none.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// How many times a failed request may be retried (default 2; 0 turns retries off).
    /// Which failures are retried is in the table of the crate's README and of
    /// [`retry_non_idempotent`](Self::retry_non_idempotent).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// The first backoff (default 0.5 s); each retry may wait up to twice the previous ceiling,
    /// picked at random from zero to that ceiling (full jitter).
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry.base_delay = delay;
        self
    }

    /// The largest backoff between two attempts (default 60 s).
    pub fn retry_max_delay(mut self, delay: Duration) -> Self {
        self.retry.max_delay = delay;
        self
    }

    /// The longest wait a server may ask for with `Retry-After` or `X-RateLimit-Reset`
    /// (default 60 s). A longer one is not slept through: the error returns at once, with
    /// [`ApiError::retry_after`](crate::ApiError::retry_after) saying how long it asked for.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.retry.max_retry_after = wait;
        self
    }

    /// Also retry POST and PATCH (create, update, authorize) on 408, 5xx and transport errors
    /// after which the server may have acted (default off: the change could happen twice).
    /// They are always retried on 429 and when no connection could be made.
    pub fn retry_non_idempotent(mut self, retry: bool) -> Self {
        self.retry.non_idempotent = retry;
        self
    }

    /// Sends requests through this `reqwest::Client` (its pool, proxy and TLS settings) instead
    /// of one made here. Per-attempt timeouts, authentication, the size limit and the path
    /// guard still apply, and an answer the client reached by following a redirect is
    /// refused. Build it with `redirect(Policy::none())` so that nothing is sent twice; and
    /// never with `connection_verbose(true)` where logs are kept, since reqwest then logs
    /// every header it sends, `Authorization` included.
    pub fn http_client(mut self, http_client: reqwest::Client) -> Self {
        self.http_client = Some(http_client);
        self
    }

    /// Allows sending the API key over plain `http://` to hosts other than loopback ones.
    /// Off by default: a key in clear text can be read by anyone on the path.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// The largest successful response body accepted (default 2 MiB, six times the heaviest
    /// page of 100 connectors); a larger one is an [`Error::Decode`] rather than unbounded
    /// memory. One call holds at most 20 times this figure on the heap, whatever the server
    /// sends (see the README's "Limits").
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = Some(max);
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] without an API key or with one that is not printable ASCII, with a
    /// base URL that is not an http(s) URL, with plain HTTP to a host other than loopback
    /// (unless [`allow_insecure_http`](Self::allow_insecure_http)), a zero timeout, or a
    /// client name that is not printable ASCII. The message names the problem, never the
    /// value.
    pub fn build(self) -> Result<Client> {
        let api_key = self.api_key.as_ref().ok_or_else(|| {
            Error::config(format!(
                "no API key: call .api_key(..) or set {API_KEY_VAR}"
            ))
        })?;
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        if !may_carry_credentials(&base_url, self.allow_insecure_http) {
            return Err(Error::config(format!(
                "refusing to send the API key over {}:// to {}: use https, or allow_insecure_http(true)",
                base_url.scheme(),
                base_url.host_str().unwrap_or_default()
            )));
        }
        if self.timeout.is_zero() || self.deadline.is_some_and(|deadline| deadline.is_zero()) {
            return Err(Error::config(
                "timeouts and deadlines must be longer than zero",
            ));
        }
        let client_name = self
            .client_name
            .as_deref()
            .map(client_name_header)
            .transpose()?;
        let transport = Transport::from_settings(TransportSettings {
            authorization: Some(bearer(api_key)?),
            client_name,
            user_agent: Some(default_user_agent()),
            attempt_timeout: Some(self.timeout),
            max_response_bytes: self.max_response_bytes,
            allow_insecure_http: self.allow_insecure_http,
            own_http_client: self.http_client.is_none(),
        });
        let http = match self.http_client {
            Some(http) => http,
            None => default_http_client(self.connect_timeout, self.timeout)?,
        };
        let base = base_url.as_str().trim_end_matches('/');
        Ok(Client {
            shared: Arc::new(Shared {
                raw: raw::Client::new_with_client(base, http, transport),
                retirement: Retirement::for_base_url(&base_url),
                config: CallConfig {
                    retry: self.retry,
                    deadline: self.deadline,
                },
                redactor: Redactor::default().with(api_key),
            }),
        })
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key)
            .field("base_url", &DebugOptionUrl(self.base_url.as_deref()))
            .field("client_name", &self.client_name)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("deadline", &self.deadline)
            .field("retry", &self.retry)
            .field("http_client", &self.http_client.as_ref().map(|_| "custom"))
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// Parses the base URL and removes what the generated paths already contain: a trailing `/`
/// and a trailing `/v1`. Other path prefixes (a proxy's `/cohere`) are kept.
fn normalize_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim())
        .map_err(|error| Error::config(format!("the base URL is not a URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::config(
            "the base URL must be an http(s) URL with a host",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::config(
            "the base URL cannot have a query or a fragment",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::config(
            "the base URL cannot carry credentials: use .api_key(..)",
        ));
    }
    let path = url.path().trim_end_matches('/');
    let path = path.strip_suffix("/v1").unwrap_or(path).to_owned();
    url.set_path(&path);
    Ok(url)
}

/// Redirects are never followed: the API does not send them, a followed 301/302/303 would
/// turn a create into a GET, and the answer of another URL is not the answer to this request.
/// A redirect is reported as an error that says so.
/// The HTTP client a client makes for itself: no redirects, and the attempt timeout applied
/// to every request by the client (see `TransportSettings::own_http_client`).
fn default_http_client(connect_timeout: Duration, timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|error| Error::config(format!("cannot create the HTTP client: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized() {
        for (given, expected) in [
            ("https://api.cohere.com", "https://api.cohere.com/"),
            ("https://api.cohere.com/", "https://api.cohere.com/"),
            ("https://api.cohere.com/v1", "https://api.cohere.com/"),
            ("https://api.cohere.com/v1/", "https://api.cohere.com/"),
            (
                "https://proxy.example/cohere/v1",
                "https://proxy.example/cohere",
            ),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080/"),
        ] {
            assert_eq!(
                normalize_base_url(given).unwrap().as_str(),
                expected,
                "{given}"
            );
        }
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for bad in [
            "api.cohere.com",
            "ftp://api.cohere.com",
            "https://api.cohere.com?x=1",
            "https://user:pw@api.cohere.com",
        ] {
            let error = normalize_base_url(bad).unwrap_err();
            assert!(matches!(error, Error::Config { .. }), "{bad}: {error}");
            assert!(!error.to_string().contains("pw"), "{error}");
        }
    }

    #[test]
    fn env_reads_co_api_key_then_cohere_api_key() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        let both = ClientBuilder::new().with_vars(vars(&[
            ("CO_API_KEY", "primary"),
            ("COHERE_API_KEY", "fallback"),
        ]));
        assert_eq!(both.api_key.unwrap().expose(), "primary");
        let fallback = ClientBuilder::new()
            .with_vars(vars(&[("CO_API_KEY", " "), ("COHERE_API_KEY", "fallback")]));
        assert_eq!(fallback.api_key.unwrap().expose(), "fallback");
        let url = ClientBuilder::new().with_vars(vars(&[("CO_API_URL", "http://localhost:9")]));
        assert_eq!(url.base_url.as_deref(), Some("http://localhost:9"));
        assert!(ClientBuilder::new().with_vars(vars(&[])).api_key.is_none());
    }

    #[test]
    fn a_missing_key_is_a_config_error() {
        let error = Client::builder().build().unwrap_err();
        assert_eq!(
            error.to_string(),
            "invalid client configuration: no API key: call .api_key(..) or set CO_API_KEY"
        );
    }

    #[test]
    fn plain_http_to_a_remote_host_needs_consent() {
        let refused = Client::builder()
            .api_key("k")
            .base_url("http://api.cohere.com")
            .build()
            .unwrap_err();
        assert!(matches!(refused, Error::Config { .. }), "{refused}");
        Client::builder()
            .api_key("k")
            .base_url("http://api.cohere.com")
            .allow_insecure_http(true)
            .build()
            .unwrap();
        Client::builder()
            .api_key("k")
            .base_url("http://127.0.0.1:1")
            .build()
            .unwrap();
    }
}
