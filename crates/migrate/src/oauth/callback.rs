//! The callback route: an axum [`Router`] answering `GET <the callback URL's path>`, where the
//! provider sends the user's browser back. It completes the sign-in
//! ([`OAuthBroker::complete`]) and answers a small HTML page, or redirects to a page of
//! yours.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use url::Url;

use super::broker::OAuthBroker;
use super::callback_params::CallbackParams;
use super::error::OAuthError;
use super::user::UserId;
use cohere_connectors::text::one_line;

/// Tells which user of your application a callback's browser belongs to (from your session
/// cookie, say): `None` when it belongs to nobody signed in.
type UserOf = dyn Fn(&Parts) -> Option<UserId> + Send + Sync;

/// The callback route of a broker, configured: where the user goes afterwards, and how to
/// tell who they are. Build one with [`OAuthBroker::callback`]; the plain route is
/// [`OAuthBroker::callback_router`].
///
/// The route answers `GET` on the path of the broker's callback URL, matched exactly; `HEAD`
/// and other methods get 405 and change nothing (a link checker's `HEAD` never uses up a
/// sign-in). A callback that is malformed (query over 16 KiB, a parameter repeated or too
/// long), whose `state` is unknown, expired or used, that comes from another user than the
/// one who started, or that carries the provider's `error`, is refused without an exchange;
/// every `state` is good once. Answers are `Cache-Control: no-store`, `Referrer-Policy:
/// no-referrer` (the URL held a code), and pages are static HTML under a
/// `Content-Security-Policy` that runs no script, everything they show escaped.
///
/// It brings no connection limits of its own: serve it (or the application you merge it
/// into) with [`serve_connections`](cohere_connectors_kit::server::serve_connections), or
/// behind a proxy that has them.
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
/// let app: axum::Router = axum::Router::new()
///     .merge(
///         broker
///             .callback()
///             .redirect_to("https://app.example.com/settings/connections")?
///             // Who the browser belongs to, from your session: a callback from anyone else
///             // than the user who started is refused.
///             .user_from(|request| {
///                 let user = request.headers.get("x-user")?.to_str().ok()?;
///                 UserId::new(user).ok()
///             })
///             .router(),
///     );
/// # let _ = app;
/// # Ok(()) }
/// ```
#[must_use = "a route does nothing until `.router()` is served"]
pub struct CallbackRoute {
    broker: OAuthBroker,
    after: Option<Url>,
    user_of: Option<Arc<UserOf>>,
}

impl OAuthBroker {
    /// The callback route, answering with HTML pages and trusting the `state` alone to tell
    /// whose sign-in it is: see [`callback`](Self::callback) to redirect elsewhere or check
    /// the user.
    pub fn callback_router(&self) -> Router {
        self.callback().router()
    }

    /// The callback route, to configure.
    pub fn callback(&self) -> CallbackRoute {
        CallbackRoute {
            broker: self.clone(),
            after: None,
            user_of: None,
        }
    }
}

impl CallbackRoute {
    /// Sends the user to `url` after the callback (303), with `oauth=signed_in` and
    /// `connector=<id>`, or `oauth=error` and `error=<code>` (`invalid_callback`,
    /// `unknown_state`, `wrong_user`, `anonymous`, `token_endpoint`, `store`, or the
    /// provider's own, such as `access_denied`), instead of answering a page.
    ///
    /// # Errors
    ///
    /// [`OAuthError::Config`] when `url` is not an absolute http(s) URL.
    pub fn redirect_to(mut self, url: &str) -> Result<Self, OAuthError> {
        let url = Url::parse(url)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https") && url.has_host())
            .ok_or_else(|| {
                OAuthError::config(
                    None,
                    "the page after sign-in is not an absolute http(s) URL",
                )
            })?;
        self.after = Some(url);
        Ok(self)
    }

    /// Checks that each callback comes from the user who started its sign-in, as `user_of`
    /// tells from the request (your session): one from someone else (a sign-in link
    /// forwarded, or planted in another user's browser) is refused and its sign-in voided;
    /// one from nobody signed in is refused and the sign-in left waiting.
    pub fn user_from(
        mut self,
        user_of: impl Fn(&Parts) -> Option<UserId> + Send + Sync + 'static,
    ) -> Self {
        self.user_of = Some(Arc::new(user_of));
        self
    }

    /// The route, to serve or to merge into your application.
    pub fn router(self) -> Router {
        let path = self.broker.redirect_url_path();
        // Braces would be parameters: the path is matched literally.
        let path = path.replace('{', "{{").replace('}', "}}");
        Router::new()
            .route(&path, get(callback))
            .with_state(Arc::new(self))
    }
}

impl OAuthBroker {
    fn redirect_url_path(&self) -> String {
        Url::parse(self.redirect_url())
            .map(|url| url.path().to_owned())
            .unwrap_or_else(|_| "/".to_owned())
    }
}

async fn callback(State(route): State<Arc<CallbackRoute>>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if parts.method == Method::HEAD {
        let mut response = StatusCode::METHOD_NOT_ALLOWED.into_response();
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET"));
        return response;
    }
    let outcome = complete(&route, &parts).await;
    match (&route.after, outcome) {
        (Some(after), outcome) => redirect(after, &outcome),
        (None, Ok(connector)) => page(
            StatusCode::OK,
            "Signed in",
            &format!("You are signed in to {connector}. You can close this window."),
        ),
        (None, Err(error)) => page(status_of(&error), "Sign-in failed", &error.to_string()),
    }
}

/// The callback's sign-in, completed: the connector signed in to.
async fn complete(route: &CallbackRoute, parts: &Parts) -> Result<String, OAuthError> {
    let params = CallbackParams::from_query(parts.uri.query().unwrap_or_default())?;
    let from = match &route.user_of {
        Some(user_of) => Some(user_of(parts).ok_or(OAuthError::AnonymousCallback)?),
        None => None,
    };
    let signed_in = route.broker.complete(&params, from.as_ref()).await?;
    Ok(signed_in.connector().to_owned())
}

fn status_of(error: &OAuthError) -> StatusCode {
    match error {
        OAuthError::InvalidCallback { .. }
        | OAuthError::UnknownState
        | OAuthError::Denied { .. } => StatusCode::BAD_REQUEST,
        OAuthError::WrongUser { .. } | OAuthError::AnonymousCallback => StatusCode::FORBIDDEN,
        OAuthError::TokenEndpoint { .. } => StatusCode::BAD_GATEWAY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The code a redirect names an error by: ours, or the provider's when it has the shape of
/// one.
fn error_code(error: &OAuthError) -> String {
    match error {
        OAuthError::InvalidCallback { .. } => "invalid_callback".into(),
        OAuthError::UnknownState => "unknown_state".into(),
        OAuthError::WrongUser { .. } => "wrong_user".into(),
        OAuthError::AnonymousCallback => "anonymous".into(),
        OAuthError::TokenEndpoint { .. } => "token_endpoint".into(),
        OAuthError::Store(_) => "store".into(),
        OAuthError::Denied { error, .. }
            if !error.is_empty()
                && error.len() <= 64
                && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            error.clone()
        }
        OAuthError::Denied { .. } => "denied".into(),
        _ => "error".into(),
    }
}

fn redirect(after: &Url, outcome: &Result<String, OAuthError>) -> Response {
    let mut location = after.clone();
    {
        let mut query = location.query_pairs_mut();
        match outcome {
            Ok(connector) => {
                query
                    .append_pair("oauth", "signed_in")
                    .append_pair("connector", connector);
            }
            Err(error) => {
                query
                    .append_pair("oauth", "error")
                    .append_pair("error", &error_code(error));
                if let Some(connector) = error.connector() {
                    query.append_pair("connector", connector);
                }
            }
        }
    }
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location.as_str()) {
        headers.insert(header::LOCATION, location);
    }
    private(headers);
    response
}

/// A static page: `title` and `message` on one line each, escaped for HTML.
fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let title = html_escape(&one_line(title, 80));
    let message = html_escape(&one_line(message, 500));
    let body = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{title}</title></head>\n\
         <body><h1>{title}</h1><p>{message}</p></body></html>\n"
    );
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    private(headers);
    response
}

/// Not cached, and no `Referer` from the page (its URL held a code).
fn private(headers: &mut axum::http::HeaderMap) {
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}

/// `text` with HTML's special characters as entities.
fn html_escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::html_escape;

    #[test]
    fn every_html_special_character_is_an_entity() {
        assert_eq!(
            html_escape("<script>alert('x') & \"y\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;"
        );
    }
}
