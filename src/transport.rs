//! What every request and response goes through: progenitor's `ClientHooks`, implemented for
//! the raw client. This is the only place that touches headers and bodies on the wire.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Response, StatusCode, Url};

use crate::{Error, Result, Secret, raw};

/// progenitor adds this header to every request; Cohere's API has no use for it.
const PROGENITOR_VERSION_HEADER: &str = "api-version";
const CLIENT_NAME_HEADER: HeaderName = HeaderName::from_static("x-client-name");

/// Error bodies are read whole up to this size to tell the API's JSON from anything else.
const ERROR_BODY_READ_LIMIT: usize = 64 * 1024;
/// How much of a body that is not the API's JSON an error keeps.
pub(crate) const ERROR_BODY_SNIPPET: usize = 4 * 1024;
/// The default cap on a successful response body; a page of 100 connectors is ~50 KiB.
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// The state the raw client carries (progenitor's "inner type"): credentials and the rules
/// every request follows. Cheap to clone.
///
/// The facade builds one for you; use it directly only with [`raw::Client`]:
///
/// ```no_run
/// use cohere_connectors::raw;
///
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let transport = raw::Transport::with_api_key("my-key")?;
/// let client = raw::Client::new("https://api.cohere.com", transport);
/// let page = client.list_connectors().limit(5).send().await?;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct Transport {
    settings: Arc<TransportSettings>,
}

#[derive(Default)]
pub(crate) struct TransportSettings {
    /// `Bearer <key>`, marked sensitive so that `http`'s own `Debug` hides it too.
    pub authorization: Option<HeaderValue>,
    pub client_name: Option<HeaderValue>,
    pub user_agent: Option<HeaderValue>,
    pub attempt_timeout: Option<Duration>,
    /// `None` means [`DEFAULT_MAX_RESPONSE_BYTES`].
    pub max_response_bytes: Option<usize>,
    pub allow_insecure_http: bool,
}

impl Transport {
    /// A transport that authenticates with `api_key`. Like the facade, it refuses to send the
    /// key over plain HTTP except to a loopback address.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty key or one that cannot go in an HTTP header.
    pub fn with_api_key(api_key: impl Into<Secret>) -> Result<Self> {
        Ok(Self::from_settings(TransportSettings {
            authorization: Some(bearer(&api_key.into())?),
            user_agent: Some(default_user_agent()),
            ..TransportSettings::default()
        }))
    }

    pub(crate) fn from_settings(settings: TransportSettings) -> Self {
        Self {
            settings: Arc::new(settings),
        }
    }

    fn max_response_bytes(&self) -> usize {
        self.settings
            .max_response_bytes
            .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES)
    }
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let settings = &self.settings;
        f.debug_struct("Transport")
            .field(
                "authorization",
                &settings.authorization.as_ref().map(|_| "[redacted]"),
            )
            .field("client_name", &settings.client_name)
            .field("attempt_timeout", &settings.attempt_timeout)
            .field("max_response_bytes", &self.max_response_bytes())
            .field("allow_insecure_http", &settings.allow_insecure_http)
            .finish()
    }
}

/// `cohere-connectors-rust/<version>`.
pub(crate) fn default_user_agent() -> HeaderValue {
    HeaderValue::from_static(concat!(
        "cohere-connectors-rust/",
        env!("CARGO_PKG_VERSION")
    ))
}

/// The `Authorization` value for an API key. The error never contains the key.
pub(crate) fn bearer(api_key: &Secret) -> Result<HeaderValue> {
    if api_key.expose().trim().is_empty() {
        return Err(Error::config("the API key is empty"));
    }
    let mut value =
        HeaderValue::try_from(format!("Bearer {}", api_key.expose())).map_err(|_| {
            Error::config("the API key contains characters that cannot go in an HTTP header")
        })?;
    value.set_sensitive(true);
    Ok(value)
}

/// Whether the key may travel to `url`: always over HTTPS; over plain HTTP only to a loopback
/// address (a local emulator) or when the caller opted in.
pub(crate) fn may_carry_credentials(url: &Url, allow_insecure_http: bool) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => allow_insecure_http || is_loopback(url),
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

impl ClientHooks<Transport> for raw::Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &OperationInfo,
    ) -> std::result::Result<(), progenitor_client::Error<E>> {
        let settings = &self.inner().settings;
        if settings.authorization.is_some()
            && !may_carry_credentials(request.url(), settings.allow_insecure_http)
        {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "refusing to send the API key over {}:// to {}; use https, or allow_insecure_http(true)",
                request.url().scheme(),
                request.url().host_str().unwrap_or("an unknown host"),
            )));
        }
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_VERSION_HEADER);
        if let Some(authorization) = &settings.authorization {
            headers.insert(AUTHORIZATION, authorization.clone());
        }
        if let Some(user_agent) = &settings.user_agent {
            headers.insert(USER_AGENT, user_agent.clone());
        }
        // A name passed to the raw builder for this one call wins over the client's.
        if let Some(name) = &settings.client_name
            && !headers.contains_key(CLIENT_NAME_HEADER)
        {
            headers.insert(CLIENT_NAME_HEADER, name.clone());
        }
        if let Some(timeout) = settings.attempt_timeout {
            request.timeout_mut().get_or_insert(timeout);
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<Response> {
        let response = self.client().execute(request).await?;
        Ok(if response.status().is_success() {
            limit_body(response, self.inner().max_response_bytes())
        } else {
            screen_error_body(response).await
        })
    }
}

/// A successful body larger than `max` fails to read with
/// [`http_body_util::LengthLimitError`] instead of filling memory; a `Content-Length` over the
/// limit fails before anything is read. A body that declares a length within the limit is
/// already bounded by HTTP framing (hyper refuses more bytes than declared), so it is passed
/// through untouched: the common case costs nothing.
fn limit_body(response: Response, max: usize) -> Response {
    if response
        .content_length()
        .is_some_and(|length| length <= max as u64)
    {
        return response;
    }
    let url = response.url().clone();
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let limited = reqwest::Body::wrap(http_body_util::Limited::new(body, max));
    rebuild(parts, url, limited)
}

/// progenitor decodes a documented error status's body as the API's JSON error; anything else
/// (a proxy's HTML page, an empty body) would surface as a payload error that has lost the
/// status. So error bodies are read here: the API's JSON passes through unchanged; any other
/// body is replaced by one that fails with [`NonApiErrorBody`], which carries the status,
/// headers and text to the facade.
async fn screen_error_body(response: Response) -> Response {
    let status = response.status();
    let headers = response.headers().clone();
    let url = response.url().clone();
    let mut parts = http::Response::new(()).into_parts().0;
    parts.status = status;
    parts.version = response.version();
    parts.headers = headers.clone();

    let (body, complete) = read_prefix(response, ERROR_BODY_READ_LIMIT).await;
    if complete && is_api_error_body(&body) {
        return rebuild(parts, url, reqwest::Body::from(body));
    }
    let carried = NonApiErrorBody {
        status,
        headers,
        text: snippet(&body, ERROR_BODY_SNIPPET),
    };
    let failing = futures_util::stream::once(async move { Err::<Bytes, _>(carried) });
    rebuild(parts, url, reqwest::Body::wrap_stream(failing))
}

/// Up to `limit` bytes of the body, and whether that was all of it. A body that breaks off
/// gives what arrived.
async fn read_prefix(mut response: Response, limit: usize) -> (Bytes, bool) {
    let mut collected = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - collected.len();
                if chunk.len() > room {
                    collected.extend_from_slice(&chunk[..room]);
                    return (collected.into(), false);
                }
                collected.extend_from_slice(&chunk);
            }
            Ok(None) => return (collected.into(), true),
            Err(_) => return (collected.into(), false),
        }
    }
}

fn is_api_error_body(body: &[u8]) -> bool {
    serde_json::from_slice::<raw::types::ErrorBody>(body)
        .is_ok_and(|error| error.message.is_some() || error.id.is_some())
}

/// The start of a body as text, cut at a character boundary.
pub(crate) fn snippet(body: &[u8], max_bytes: usize) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(max_bytes)]);
    text.into_owned()
}

fn rebuild(mut parts: http::response::Parts, url: Url, body: reqwest::Body) -> Response {
    // reqwest keeps a response's URL in its extensions; carry it over so that errors and
    // `Response::url()` still name the real endpoint.
    use reqwest::ResponseBuilderExt;
    if let Ok(marker) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(marker.into_parts().0.extensions);
    }
    Response::from(http::Response::from_parts(parts, body))
}

/// An error status whose body is not the API's JSON error; travels inside a body read error
/// from [`screen_error_body`] to the facade.
#[derive(Debug)]
pub(crate) struct NonApiErrorBody {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl fmt::Display for NonApiErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the {} response is not the API's JSON error",
            self.status
        )
    }
}

impl std::error::Error for NonApiErrorBody {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_go_over_https_or_to_loopback_only() {
        let url = |text: &str| Url::parse(text).unwrap();
        assert!(may_carry_credentials(&url("https://api.cohere.com"), false));
        assert!(may_carry_credentials(&url("http://127.0.0.1:8080"), false));
        assert!(may_carry_credentials(&url("http://[::1]:8080"), false));
        assert!(may_carry_credentials(&url("http://localhost:8080"), false));
        assert!(!may_carry_credentials(&url("http://api.cohere.com"), false));
        assert!(!may_carry_credentials(&url("http://10.0.0.1"), false));
        assert!(may_carry_credentials(&url("http://10.0.0.1"), true));
        assert!(!may_carry_credentials(&url("ftp://127.0.0.1"), true));
    }

    #[test]
    fn bearer_values_are_sensitive_and_errors_hide_the_key() {
        let value = bearer(&Secret::from("k3y")).unwrap();
        assert!(value.is_sensitive());
        assert_eq!(format!("{value:?}"), "Sensitive");
        let error = bearer(&Secret::from("bad\nk3y")).unwrap_err();
        assert!(!error.to_string().contains("k3y"));
        assert!(bearer(&Secret::from("  ")).is_err());
    }

    #[test]
    fn only_the_api_error_shape_passes_through() {
        assert!(is_api_error_body(br#"{"message": "nope", "id": "x"}"#));
        assert!(is_api_error_body(br#"{"message": "nope"}"#));
        assert!(!is_api_error_body(br#"{"error": "other shape"}"#));
        assert!(!is_api_error_body(br#"{"message": 42}"#));
        assert!(!is_api_error_body(b"<html>bad gateway</html>"));
        assert!(!is_api_error_body(b""));
    }

    #[test]
    fn snippets_cut_on_character_boundaries() {
        assert_eq!(snippet("héllo".as_bytes(), 2), "h\u{fffd}");
        assert_eq!(snippet(b"abc", 10), "abc");
    }
}
