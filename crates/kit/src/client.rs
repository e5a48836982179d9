//! [`ConnectorSearch`]: calls a connector exactly as Cohere does.

use std::fmt;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use cohere_connectors::body::{BodyError, read_limited};
use reqwest::header::{self, HeaderValue};

use super::{SearchError, SearchRequest, SearchResponse};
use cohere_connectors::text::ErrorBody;
use cohere_connectors::text::innermost_cause;
use cohere_connectors::text::{Redactor, SNIPPET_CHARS, one_line, redact_url};
use cohere_connectors::{AuthTokenType, Secret, ServiceAuth};

/// How long a search may take by default: what Cohere allows a connector.
pub const DEFAULT_SEARCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The largest answer a search reads by default (4 MiB): far above a good answer (a few
/// documents of a few hundred words) and a bound on what a broken connector can make a
/// caller hold.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// The credentials a search sends, as Cohere would send them.
///
/// ```
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::SearchAuth;
///
/// let service: SearchAuth = ServiceAuth::basic("dXNlcjpwYXNz").into();
/// let user = SearchAuth::user_token("ya29.user-access-token");
/// assert!(!format!("{service:?} {user:?}").contains("dXNlcjpwYXNz"));
/// assert!(!format!("{user:?}").contains("ya29"));
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub enum SearchAuth {
    /// No `Authorization` header.
    #[default]
    None,
    /// The connector's service auth: `Bearer <token>`, `Basic <token>` or `<token>`.
    Service(ServiceAuth),
    /// A user's token (from the OAuth flow, or a pass-through `user_access_token`), sent as
    /// `Bearer <token>`.
    User(Secret),
}

impl SearchAuth {
    /// A user's access token, sent as `Authorization: Bearer <token>`.
    pub fn user_token(token: impl Into<Secret>) -> Self {
        Self::User(token.into())
    }

    /// The token itself, if any.
    /// The secrets this auth sends, in every form a connector may echo them.
    pub(crate) fn secrets(&self) -> Vec<Secret> {
        match self {
            Self::None => Vec::new(),
            Self::Service(auth) => auth.secret_forms(),
            Self::User(token) => vec![token.clone()],
        }
    }

    /// The `Authorization` header value, marked sensitive. Errors never contain the token.
    pub(crate) fn header(&self) -> Result<Option<HeaderValue>, SearchError> {
        let (scheme, token) = match self {
            Self::None => return Ok(None),
            Self::Service(auth) => (scheme_prefix(auth.token_type), &auth.token),
            Self::User(token) => ("Bearer ", token),
        };
        let token = token.expose();
        if token.is_empty() || !token.bytes().all(|byte| byte.is_ascii_graphic()) {
            return Err(SearchError::InvalidCredentials {
                message: "the token must be printable ASCII without spaces, and not empty".into(),
            });
        }
        let mut value = HeaderValue::try_from(format!("{scheme}{token}")).map_err(|_| {
            SearchError::InvalidCredentials {
                message: "the token cannot go in an HTTP header".into(),
            }
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }
}

/// What goes before the token in the `Authorization` header.
pub(crate) fn scheme_prefix(token_type: AuthTokenType) -> &'static str {
    match token_type {
        AuthTokenType::Bearer => "Bearer ",
        AuthTokenType::Basic => "Basic ",
        AuthTokenType::NoScheme => "",
    }
}

impl From<ServiceAuth> for SearchAuth {
    fn from(auth: ServiceAuth) -> Self {
        Self::Service(auth)
    }
}

impl From<Option<ServiceAuth>> for SearchAuth {
    fn from(auth: Option<ServiceAuth>) -> Self {
        auth.map_or(Self::None, Self::Service)
    }
}

/// Searches a connector exactly as Cohere does: `POST <url>` with
/// `Content-Type: application/json`, `{"query": "..."}`, and the connector's service auth or
/// a user's token in `Authorization`. Redirects are not followed (Cohere calls the registered
/// URL), the answer is read up to a size limit, the whole search is bounded by a timeout (30
/// seconds, as Cohere), and every failure is a typed [`SearchError`] whose text never holds
/// the token.
///
/// Cloning is cheap; clones share connections.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::Duration;
/// use cohere_connectors::ServiceAuth;
/// use cohere_connectors_kit::{ConnectorSearch, SearchError};
/// # use cohere_connectors_kit::Document;
/// # use cohere_connectors_kit::server::{Access, ConnectorService};
/// # let running = ConnectorService::new(Access::service(ServiceAuth::noscheme("right-token"))?, |_, _| async {
/// #     Ok(vec![Document::new().with_title("Hit")])
/// # }).bind("127.0.0.1:0").await?;
/// # let url = running.url();
///
/// let search = ConnectorSearch::new(&url)?
///     .service_auth(ServiceAuth::noscheme("right-token"))
///     .timeout(Duration::from_secs(5));
/// let response = search.search("anything").await?;
/// assert_eq!(response.results[0].title(), Some("Hit"));
///
/// let wrong = search.clone().service_auth(ServiceAuth::noscheme("wrong-token"));
/// let error = wrong.search("anything").await.unwrap_err();
/// assert!(matches!(error, SearchError::Unauthorized { status: 401, .. }));
/// assert!(!error.to_string().contains("wrong-token"));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct ConnectorSearch {
    url: reqwest::Url,
    auth: SearchAuth,
    http: Option<reqwest::Client>,
    timeout: Duration,
    max_response_bytes: usize,
}

/// An answer as it came: for the checker, which looks at more than a search does.
#[derive(Debug)]
pub(crate) struct RawAnswer {
    pub status: u16,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub body: Bytes,
    pub elapsed: Duration,
}

impl ConnectorSearch {
    /// A search of the connector at `url`, without credentials.
    ///
    /// # Errors
    ///
    /// [`SearchError::InvalidUrl`] unless `url` is an absolute `http` or `https` URL with a
    /// host and without a query string, fragment or user info (Cohere sends no query string,
    /// and credentials belong in service auth).
    pub fn new(url: &str) -> Result<Self, SearchError> {
        Ok(Self {
            url: connector_url(url)?,
            auth: SearchAuth::None,
            http: None,
            timeout: DEFAULT_SEARCH_TIMEOUT,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        })
    }

    /// Sends the connector's service auth.
    #[must_use]
    pub fn service_auth(self, auth: ServiceAuth) -> Self {
        self.auth(auth)
    }

    /// Sends a user's token as `Bearer <token>` (an OAuth connector, or pass-through auth).
    #[must_use]
    pub fn user_token(self, token: impl Into<Secret>) -> Self {
        self.auth(SearchAuth::user_token(token))
    }

    /// Sends these credentials (or none, with [`SearchAuth::None`]).
    #[must_use]
    pub fn auth(mut self, auth: impl Into<SearchAuth>) -> Self {
        self.auth = auth.into();
        self
    }

    /// Bounds the whole search, connection to last byte (default
    /// [`DEFAULT_SEARCH_TIMEOUT`], 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Refuses answers larger than `bytes` (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    #[must_use]
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Uses this HTTP client (proxies, TLS roots, a shared pool). Build it with
    /// `redirect(reqwest::redirect::Policy::none())`: Cohere does not follow redirects to
    /// somewhere else, and a search should not either.
    #[must_use]
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The connector's URL (a password in it hidden).
    pub fn url(&self) -> String {
        redact_url(self.url.as_str()).into_owned()
    }

    pub(crate) fn url_parts(&self) -> &reqwest::Url {
        &self.url
    }

    pub(crate) fn credentials(&self) -> &SearchAuth {
        &self.auth
    }

    /// Searches for `query`.
    ///
    /// # Errors
    ///
    /// Every way a search can fail, as a [`SearchError`]: no answer in time, unreachable,
    /// a redirect, 401/403, another error status, an answer too large, or one that is not
    /// `{"results": [...]}` with string values.
    pub async fn search(&self, query: impl Into<String>) -> Result<SearchResponse, SearchError> {
        let body = serde_json::to_vec(&SearchRequest::new(query)).unwrap_or_default();
        let answer = self.exchange(body, &self.auth).await?;
        let redactor = self.redactor();
        match answer.status {
            200..=299 => decode(&answer.body, &redactor),
            300..=399 => Err(SearchError::Redirect {
                status: answer.status,
                location: answer.location.map_or_else(
                    || "(none)".to_owned(),
                    |location| clean_location(&location, &redactor),
                ),
            }),
            status @ (401 | 403) => Err(SearchError::Unauthorized {
                status,
                message: message_of(&answer.body, &redactor),
            }),
            status => Err(SearchError::Status {
                status,
                message: message_of(&answer.body, &redactor),
            }),
        }
    }

    /// Hides this search's token, whatever its length, in text from the connector.
    pub(crate) fn redactor(&self) -> Redactor {
        crate::secrets::redactor(self.auth.secrets())
    }

    /// One `POST` with `body` and `auth`, the answer read whole (up to the limit), within the
    /// timeout.
    pub(crate) async fn exchange(
        &self,
        body: Vec<u8>,
        auth: &SearchAuth,
    ) -> Result<RawAnswer, SearchError> {
        let authorization = auth.header()?;
        let http = match &self.http {
            Some(http) => http.clone(),
            None => shared_http()?,
        };
        let mut request = http
            .post(self.url.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .body(body);
        if let Some(authorization) = authorization {
            request = request.header(header::AUTHORIZATION, authorization);
        }
        let started = Instant::now();
        let limit = self.max_response_bytes;
        let outcome = tokio::time::timeout(self.timeout, async move {
            let response = request.send().await.map_err(|error| unreachable(&error))?;
            read_answer(response, limit).await
        })
        .await;
        match outcome {
            Ok(Ok((status, content_type, location, body))) => Ok(RawAnswer {
                status,
                content_type,
                location,
                body,
                elapsed: started.elapsed(),
            }),
            Ok(Err(error)) => Err(error),
            Err(_) => Err(SearchError::Timeout {
                after: self.timeout,
            }),
        }
    }
}

impl fmt::Debug for ConnectorSearch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectorSearch")
            .field("url", &self.url())
            .field("auth", &self.auth)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish_non_exhaustive()
    }
}

/// A connector URL, or why it cannot be one. The message never quotes the URL (it may hold
/// a password).
pub(crate) fn connector_url(text: &str) -> Result<reqwest::Url, SearchError> {
    let invalid = |message: &str| SearchError::InvalidUrl {
        message: message.to_owned(),
    };
    let url = reqwest::Url::parse(text.trim())
        .map_err(|error| invalid(&format!("not an absolute URL ({error})")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("a connector URL is http or https"));
    }
    if url.host().is_none() {
        return Err(invalid("a connector URL needs a host"));
    }
    if url.query().is_some() {
        return Err(invalid(
            "a connector URL takes no query string (Cohere sends none)",
        ));
    }
    if url.fragment().is_some() {
        return Err(invalid("a connector URL takes no fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(
            "a connector URL takes no user or password: use service auth",
        ));
    }
    Ok(url)
}

/// One client for every search that was not given its own: connections are pooled, and
/// redirects are answers, not something to follow.
fn shared_http() -> Result<reqwest::Client, SearchError> {
    static HTTP: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!(
                "cohere-connectors-rust/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()
            .map_err(|error| one_line(&error.to_string(), SNIPPET_CHARS))
    })
    .clone()
    .map_err(|message| SearchError::Unreachable { message })
}

/// What failed, as the deepest cause says it ("connection refused").
fn unreachable(error: &reqwest::Error) -> SearchError {
    SearchError::Unreachable {
        message: one_line(&innermost_cause(error), SNIPPET_CHARS),
    }
}

type Answer = (u16, Option<String>, Option<String>, Bytes);

async fn read_answer(response: reqwest::Response, limit: usize) -> Result<Answer, SearchError> {
    let too_large = SearchError::TooLarge { limit };
    // A length declared over the limit is refused before a byte is read.
    let declared = response.content_length().unwrap_or(0);
    if usize::try_from(declared).map_or(true, |declared| declared > limit) {
        return Err(too_large);
    }
    let status = response.status().as_u16();
    let text_header = |name: header::HeaderName| {
        response
            .headers()
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned)
    };
    let content_type = text_header(header::CONTENT_TYPE);
    let location = text_header(header::LOCATION);
    // The SDK's one body limiter: it stops at the first byte past the limit.
    let body = read_limited(response, limit)
        .await
        .map_err(|error| match error {
            BodyError::Broken { error, .. } => unreachable(&error),
            _ => too_large,
        })?;
    Ok((status, content_type, location, body))
}

/// The body of a successful answer as a [`SearchResponse`].
fn decode(body: &[u8], redactor: &Redactor) -> Result<SearchResponse, SearchError> {
    serde_json::from_slice(body).map_err(|error| SearchError::Malformed {
        reason: redactor.clean(&error.to_string(), SNIPPET_CHARS),
    })
}

fn message_of(body: &[u8], redactor: &Redactor) -> String {
    let parsed = ErrorBody::parse(body, true, redactor);
    parsed
        .message
        .or(parsed.text)
        .unwrap_or_else(|| "(no message)".to_owned())
}

fn clean_location(location: &str, redactor: &Redactor) -> String {
    redactor.clean(&redact_url(location), SNIPPET_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_cohere_could_not_call_are_refused_without_being_quoted() {
        for (url, reason) in [
            ("search.example.com/search", "not an absolute URL"),
            ("ftp://search.example.com/search", "http or https"),
            ("https://search.example.com/search?", "no query string"),
            ("https://search.example.com/search?k=v", "no query string"),
            ("https://search.example.com/search#top", "no fragment"),
            (
                "https://user:hunter22@search.example.com/",
                "no user or password",
            ),
            ("https://user@search.example.com/", "no user or password"),
        ] {
            let error = connector_url(url).unwrap_err().to_string();
            assert!(error.contains(reason), "{url}: {error}");
            assert!(!error.contains("hunter22"), "{error}");
        }
        assert!(connector_url(" https://search.example.com/search ").is_ok());
        assert!(connector_url("http://127.0.0.1:8080/search").is_ok());
    }

    #[test]
    fn each_scheme_is_written_as_cohere_sends_it() {
        let header = |auth: SearchAuth| {
            auth.header()
                .unwrap()
                .map(|value| value.to_str().unwrap().to_owned())
        };
        assert_eq!(
            header(ServiceAuth::bearer("tok-1").into()).as_deref(),
            Some("Bearer tok-1")
        );
        assert_eq!(
            header(ServiceAuth::basic("tok-2").into()).as_deref(),
            Some("Basic tok-2")
        );
        assert_eq!(
            header(ServiceAuth::noscheme("tok-3").into()).as_deref(),
            Some("tok-3")
        );
        assert_eq!(
            header(SearchAuth::user_token("tok-4")).as_deref(),
            Some("Bearer tok-4")
        );
        assert_eq!(header(SearchAuth::None), None);
        assert!(ServiceAuth::bearer("tok-1").token.expose() == "tok-1");
        for bad in ["", "two words", "line\nbreak", "é"] {
            let error = SearchAuth::user_token(bad).header().unwrap_err();
            assert!(matches!(error, SearchError::InvalidCredentials { .. }));
        }
    }
}
