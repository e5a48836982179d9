//! What every request and response goes through: progenitor's `ClientHooks`, implemented for
//! the raw client. This is the only place that touches headers and bodies on the wire.
//!
//! Before sending: the path guard, the credential rules, the headers. After: redirects are
//! refused, successful bodies are size-limited, and error bodies are read here so that their
//! status survives whatever the body holds.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use progenitor_client::{ClientInfo, OperationInfo};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Response, Url};

use super::guard;
use super::intercepted::Intercepted;
use crate::{Error, Result, Secret};

/// progenitor adds this header to every request; Cohere's API has no use for it.
const PROGENITOR_VERSION_HEADER: &str = "api-version";
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
    error_bodies: ErrorBodies,
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

/// What happens to the body of an error status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ErrorBodies {
    /// A JSON object goes on to progenitor, which decodes it as the fragment's error type;
    /// anything else is read here (so the status is not lost). For raw users.
    #[default]
    Typed,
    /// Every error body is read here and handed over as bytes: the facade decodes it with its
    /// own type, whatever the fragment says an error looks like.
    Read,
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
    /// [`Error::Config`] for an empty key or one that is not printable ASCII without spaces.
    pub fn with_api_key(api_key: impl Into<Secret>) -> Result<Self> {
        Ok(Self::from_settings(
            TransportSettings {
                authorization: Some(bearer(&api_key.into())?),
                user_agent: Some(default_user_agent()),
                ..TransportSettings::default()
            },
            ErrorBodies::Typed,
        ))
    }

    pub(crate) fn from_settings(settings: TransportSettings, error_bodies: ErrorBodies) -> Self {
        Self {
            settings: Arc::new(settings),
            error_bodies,
            call: None,
        }
    }

    /// The same settings, with error bodies handled the other way.
    pub(crate) fn with_error_bodies(&self, error_bodies: ErrorBodies) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
            error_bodies,
            call: None,
        }
    }

    /// The same transport, changed for one call.
    pub(crate) fn for_call(&self, call: Option<Arc<CallOverrides>>) -> Self {
        Self {
            settings: Arc::clone(&self.settings),
            error_bodies: self.error_bodies,
            call,
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

/// The guard (see [`guard`]): the request's method and URL path must be exactly its
/// operation's.
fn check_shape(
    base_url: &str,
    request: &reqwest::Request,
    info: &OperationInfo,
) -> Result<(), String> {
    let (method, template) = guard::template_of(info.operation_id)
        .ok_or_else(|| format!("unknown operation {:?}", info.operation_id))?;
    if request.method().as_str() != method {
        return Err(format!(
            "{} must be sent as {method}, not {}",
            info.operation_id,
            request.method()
        ));
    }
    let path = request.url().path();
    guard::check_path(guard::base_path(base_url), template, path).or_else(|refusal| {
        // A base URL the parser normalised (`/a b` becomes `/a%20b`): compare with that.
        match Url::parse(base_url) {
            Ok(base) => guard::check_path(base.path(), template, path),
            Err(_) => Err(refusal),
        }
    })
}

/// progenitor's `pre` hook, for every client generated over [`Transport`]: the path guard,
/// the credential rules, the headers.
pub(crate) async fn pre_hook<C, E>(
    client: &C,
    request: &mut reqwest::Request,
    info: &OperationInfo,
) -> std::result::Result<(), progenitor_client::Error<E>>
where
    C: ClientInfo<Transport>,
{
    check_shape(client.baseurl(), request, info)
        .map_err(progenitor_client::Error::InvalidRequest)?;
    let settings = &client.inner().settings;
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
    if let Some(call) = &client.inner().call {
        for (name, value) in &call.headers {
            request.headers_mut().insert(name, value.clone());
        }
        if let Some(timeout) = call.timeout {
            *request.timeout_mut() = Some(timeout);
        }
    }
    Ok(())
}

/// progenitor's `exec` hook, for every client generated over [`Transport`]: sends, refuses
/// redirects, limits successful bodies and reads error bodies.
pub(crate) async fn exec_hook<C>(
    client: &C,
    request: reqwest::Request,
    _info: &OperationInfo,
) -> reqwest::Result<Response>
where
    C: ClientInfo<Transport>,
{
    let sent_to = request.url().clone();
    let response = client.client().execute(request).await?;
    let status = response.status();
    let redirected = response.url() != &sent_to;
    let transport = client.inner();
    Ok(if status.is_redirection() || redirected {
        let parts = head_of(&response);
        let url = response.url().clone();
        drop(response);
        failing(
            parts,
            url,
            Intercepted::Redirect {
                status,
                followed: redirected,
            },
        )
    } else if status.is_success() {
        limit_body(response, transport.max_response_bytes())
    } else {
        match transport.error_bodies {
            ErrorBodies::Read => read_error_body(response).await,
            ErrorBodies::Typed => screen_error_body(response).await,
        }
    })
}

/// A successful body larger than `max` fails to read with
/// [`http_body_util::LengthLimitError`] instead of filling memory; a `Content-Length` over the
/// limit fails before anything is read. A body that declares a length within the limit is
/// already bounded by HTTP framing (hyper refuses more bytes than declared), so it is passed
/// through untouched: the common case costs nothing.
fn limit_body(response: Response, max: usize) -> Response {
    let max_u64 = u64::try_from(max).unwrap_or(u64::MAX);
    if response
        .content_length()
        .is_some_and(|length| length <= max_u64)
    {
        return response;
    }
    let url = response.url().clone();
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let limited = reqwest::Body::wrap(http_body_util::Limited::new(body, max));
    rebuild(parts, url, limited)
}

/// Reads the error body here (up to [`ERROR_BODY_READ_LIMIT`]) and hands it over as an
/// [`Intercepted::ErrorStatus`].
async fn read_error_body(response: Response) -> Response {
    let (parts, url) = (head_of(&response), response.url().clone());
    let status = response.status();
    let headers = response.headers().clone();
    let (body, complete) = read_prefix(response, ERROR_BODY_READ_LIMIT).await;
    failing(
        parts,
        url,
        Intercepted::ErrorStatus {
            status,
            headers,
            body,
            complete,
        },
    )
}

/// For raw users: a JSON object goes on to progenitor unchanged; anything else (a proxy's
/// HTML page, an empty body) would surface as a payload error that lost the status, so it is
/// handed over as an [`Intercepted::ErrorStatus`] instead.
async fn screen_error_body(response: Response) -> Response {
    let (parts, url) = (head_of(&response), response.url().clone());
    let status = response.status();
    let headers = response.headers().clone();
    let (body, complete) = read_prefix(response, ERROR_BODY_READ_LIMIT).await;
    if complete && is_json_object(&body) {
        return rebuild(parts, url, reqwest::Body::from(body));
    }
    failing(
        parts,
        url,
        Intercepted::ErrorStatus {
            status,
            headers,
            body,
            complete,
        },
    )
}

fn is_json_object(body: &[u8]) -> bool {
    serde_json::from_slice::<serde::de::IgnoredAny>(body).is_ok()
        && body
            .iter()
            .find(|byte| !byte.is_ascii_whitespace())
            .is_some_and(|first| *first == b'{')
}

/// Up to `limit` bytes of the body, and whether that was all of it. A body that breaks off
/// gives what arrived.
async fn read_prefix(mut response: Response, limit: usize) -> (Bytes, bool) {
    let mut collected = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit.saturating_sub(collected.len());
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

/// The status, version and headers of a response, for a rebuilt one.
fn head_of(response: &Response) -> http::response::Parts {
    let mut parts = http::Response::new(()).into_parts().0;
    parts.status = response.status();
    parts.version = response.version();
    parts.headers = response.headers().clone();
    parts
}

/// A response whose body fails to read with `why`.
fn failing(parts: http::response::Parts, url: Url, why: Intercepted) -> Response {
    let body = futures_util::stream::once(async move { Err::<Bytes, _>(why) });
    rebuild(parts, url, reqwest::Body::wrap_stream(body))
}

fn rebuild(mut parts: http::response::Parts, url: Url, body: reqwest::Body) -> Response {
    // reqwest keeps a response's URL in its extensions; carry it over so that
    // `Response::url()` still names the real endpoint.
    use reqwest::ResponseBuilderExt;
    if let Ok(marker) = http::Response::builder().url(url).body(()) {
        parts.extensions.extend(marker.into_parts().0.extensions);
    }
    Response::from(http::Response::from_parts(parts, body))
}

/// Implements progenitor's hooks for a generated `Client` with the crate's transport rules
/// (`pre_hook`, `exec_hook`): one definition for the raw client and the facade's bindings.
macro_rules! transport_hooks {
    ($client:ty) => {
        impl progenitor_client::ClientHooks<$crate::http::transport::Transport> for $client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> std::result::Result<(), progenitor_client::Error<E>> {
                $crate::http::transport::pre_hook(self, request, info).await
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                $crate::http::transport::exec_hook(self, request, info).await
            }
        }
    };
}
pub(crate) use transport_hooks;

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

    #[test]
    fn only_json_objects_pass_through_to_the_typed_decoder() {
        assert!(is_json_object(br#"{"message": "nope", "id": "x"}"#));
        assert!(is_json_object(b" {} "));
        assert!(!is_json_object(b"[]"));
        assert!(!is_json_object(b"<html>bad gateway</html>"));
        assert!(!is_json_object(b""));
        assert!(!is_json_object(br#"{"message": "cut"#));
    }
}
