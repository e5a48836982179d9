//! The rules every request follows, whichever client sends it (the facade's calls and the raw
//! client's alike): the path guard, the credential rules, the headers, the timeouts, and the
//! size of the bodies read back. This is the only place that touches headers on the wire.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{StatusCode, Url};

use super::guard;
use crate::{Error, Result, Secret};

/// progenitor adds this header to every request; Cohere's API has no use for it.
const PROGENITOR_VERSION_HEADER: HeaderName = HeaderName::from_static("api-version");
const CLIENT_NAME_HEADER: HeaderName = HeaderName::from_static("x-client-name");

/// Error bodies are read up to this size: enough for any message, bounded whatever comes.
pub(crate) const ERROR_BODY_READ_LIMIT: usize = 64 * 1024;
/// The default cap on a successful response body: six times the heaviest legitimate page (100
/// connectors with every field long, 318 KiB); see the README's "Limits".
pub(crate) const DEFAULT_MAX_RESPONSE_BYTES: usize = 2 * 1024 * 1024;

/// The state the raw client carries (progenitor's "inner type"): credentials and the rules
/// every request follows. Cheap to clone.
///
/// The facade builds one for you; use it directly only with [`raw::Client`](crate::raw::Client):
///
/// ```
/// use cohere_connectors::raw;
///
/// let transport = raw::Transport::with_api_key("my-key")?;
/// let client = raw::Client::new("https://api.cohere.com", transport);
/// // client.list_connectors().limit(5).send().await?
/// # Ok::<(), cohere_connectors::Error>(())
/// ```
#[derive(Clone, Default)]
pub struct Transport {
    settings: Arc<TransportSettings>,
    /// What one call changes (its timeout, extra headers).
    call: Option<Arc<CallOverrides>>,
}

/// What one call changes in the transport's rules.
#[derive(Debug, Default)]
pub(crate) struct CallOverrides {
    /// Replaces the attempt timeout.
    pub timeout: Option<Duration>,
    /// Set over the client's headers.
    pub headers: HeaderMap,
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
    /// The HTTP client is the one the builder made: it follows no redirect (an answer
    /// always comes from the URL the request went to), and it applies `attempt_timeout`
    /// itself, so a request needs no timeout of its own (reqwest keeps one in the request's
    /// extensions, an allocation per request).
    pub own_http_client: bool,
}

impl Transport {
    /// A transport that authenticates with `api_key`. Like the facade, it refuses to send the
    /// key over plain HTTP except to a loopback address.
    ///
    /// # Errors
    ///
    /// [`Error::Config`] for an empty key or one that is not printable ASCII without spaces.
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
            call: None,
        }
    }

    /// The same transport, changed for one call.
    pub(crate) fn for_call(&self, call: Option<Arc<CallOverrides>>) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
            call,
        }
    }

    /// The timeout of each attempt, as the client or the call sets it.
    #[cfg(feature = "chat")]
    pub(crate) fn attempt_timeout(&self) -> Option<std::time::Duration> {
        let call = self.call.as_ref().and_then(|call| call.timeout);
        call.or(self.settings.attempt_timeout)
    }

    /// Whether the HTTP client may follow a redirect (a client the caller gave): then an
    /// answer's URL must be compared with the request's.
    pub(crate) fn may_follow_redirects(&self) -> bool {
        !self.settings.own_http_client
    }

    /// The most a body with `status` may hold: [`max_response_bytes`] for a success, the
    /// [`ERROR_BODY_READ_LIMIT`] for anything else.
    ///
    /// [`max_response_bytes`]: crate::ClientBuilder::max_response_bytes
    pub(crate) fn body_limit(&self, status: StatusCode) -> usize {
        if status.is_success() {
            self.settings
                .max_response_bytes
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES)
        } else {
            ERROR_BODY_READ_LIMIT
        }
    }

    /// Applies the rules to `request`, which `base_url`'s client built for the operation of
    /// `method` and path `template`: the request must have that method and exactly that path
    /// (the [`guard`]), the key goes only over https or to loopback, and the headers and the
    /// timeout are set. The refusal never contains the key.
    pub(crate) fn prepare(
        &self,
        base_url: &str,
        (method, template): (&str, &str),
        request: &mut reqwest::Request,
    ) -> std::result::Result<(), String> {
        if request.method().as_str() != method {
            return Err(format!(
                "the operation at {template} must be sent as {method}, not {}",
                request.method()
            ));
        }
        guard::check_url(base_url, template, request.url())?;
        let settings = &*self.settings;
        if settings.authorization.is_some()
            && !may_carry_credentials(request.url(), settings.allow_insecure_http)
        {
            return Err(format!(
                "refusing to send the API key over {}:// to {}; use https, or allow_insecure_http(true)",
                request.url().scheme(),
                request.url().host_str().unwrap_or("an unknown host"),
            ));
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
        if let Some(timeout) = settings.attempt_timeout
            && !settings.own_http_client
        {
            request.timeout_mut().get_or_insert(timeout);
        }
        if let Some(call) = &self.call {
            for (name, value) in &call.headers {
                request.headers_mut().insert(name, value.clone());
            }
            if let Some(timeout) = call.timeout {
                *request.timeout_mut() = Some(timeout);
            }
        }
        Ok(())
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
            .field("max_response_bytes", &self.body_limit(StatusCode::OK))
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
    let key = api_key.expose();
    if key.trim().is_empty() {
        return Err(Error::config("the API key is empty"));
    }
    // An HTTP header carries bytes, not text: a key with é in it would go out as raw UTF-8
    // and be refused with a bare 401. API keys are printable ASCII without spaces.
    if !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        return Err(Error::config(
            "the API key must be printable ASCII without spaces or line breaks (it goes in the Authorization header)",
        ));
    }
    let mut value = HeaderValue::try_from(format!("Bearer {key}"))
        .map_err(|_| Error::config("the API key cannot go in an HTTP header"))?;
    value.set_sensitive(true);
    Ok(value)
}

/// The `X-Client-Name` value; refused unless printable ASCII (spaces allowed).
pub(crate) fn client_name_header(name: &str) -> Result<HeaderValue> {
    let printable = name
        .bytes()
        .all(|byte| byte == b' ' || byte.is_ascii_graphic());
    if name.trim().is_empty() || !printable {
        return Err(Error::config(
            "the client name must be printable ASCII (it is sent as the X-Client-Name header)",
        ));
    }
    HeaderValue::from_str(name)
        .map_err(|_| Error::config("the client name cannot go in an HTTP header"))
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

/// What the API never sends and neither client uses: a redirect. `followed`: the HTTP client
/// had already followed it (a client the caller gave, built without `Policy::none()`).
pub(crate) fn redirect_refusal(status: StatusCode, followed: bool) -> String {
    if followed {
        "the HTTP client followed a redirect, which the API never sends; the answer came from \
         another URL and was not used: check the base URL and any proxy"
            .to_owned()
    } else {
        format!(
            "the server answered {status} with a redirect, which the API never does; it was \
             not followed: check the base URL and any proxy in between"
        )
    }
}

/// What the raw client's `exec` hook found that progenitor must not decode; the `post` hook
/// turns it into progenitor's own `Error::Custom` (see `src/raw.rs`).
#[derive(Clone, Debug)]
pub(crate) enum Refusal {
    /// The HTTP client followed a redirect: the answer is another URL's.
    FollowedRedirect,
    /// The body is over the limit for its status.
    TooLarge { status: StatusCode, limit: usize },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::FollowedRedirect => f.write_str(&redirect_refusal(StatusCode::FOUND, true)),
            Self::TooLarge { status, limit } => write!(
                f,
                "the {status} response's body is over {limit} bytes (length limit exceeded); it was not read"
            ),
        }
    }
}

/// The raw client's `exec` hook: sends `request`, then reads the body back under the
/// [`Transport::body_limit`] of its status, so that progenitor decodes from memory that is
/// bounded. A followed redirect or a body over the limit is handed back without its body and
/// with a [`Refusal`] in its extensions. A body that breaks off is reqwest's error.
pub(crate) async fn send_for_raw(
    http: &reqwest::Client,
    transport: &Transport,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let sent_to = request.url().clone();
    let response = http.execute(request).await?;
    let url = response.url().clone();
    let status = response.status();
    let declared = response.content_length();
    let (mut head, body) = http::Response::from(response).into_parts();
    let (body, refusal) = if url != sent_to {
        (bytes::Bytes::new(), Some(Refusal::FollowedRedirect))
    } else {
        let limit = transport.body_limit(status);
        match super::body::read_body(body, declared, limit).await {
            Ok(body) => (body, None),
            Err(super::body::BodyError::Broken { error, .. }) => return Err(error),
            Err(_) => (
                bytes::Bytes::new(),
                Some(Refusal::TooLarge { status, limit }),
            ),
        }
    };
    if let Some(refusal) = refusal {
        head.extensions.insert(refusal);
    }
    // reqwest keeps a response's URL in its extensions: carry it over so that
    // `Response::url()` still names the endpoint.
    use reqwest::ResponseBuilderExt;
    if let Ok(marker) = http::Response::builder().url(url).body(()) {
        head.extensions.extend(marker.into_parts().0.extensions);
    }
    Ok(reqwest::Response::from(http::Response::from_parts(
        head, body,
    )))
}

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
        for bad in ["bad\nk3y", "clé-k3y", "with space", "  ", "tab\tk3y"] {
            let error = bearer(&Secret::from(bad)).unwrap_err();
            assert!(matches!(error, Error::Config { .. }), "{bad:?}");
            assert!(!error.to_string().contains("k3y"), "{error}");
        }
    }

    #[test]
    fn client_names_are_printable_ascii() {
        assert!(client_name_header("my app/1.0").is_ok());
        for bad in ["clé", "a\nb", "", " ", "\u{7f}"] {
            assert!(client_name_header(bad).is_err(), "{bad:?}");
        }
    }
}
