//! A connector's definition: the one shape of what a create sends (the SDK's
//! [`NewConnector`], a server that reads the body of `POST /v1/connectors`) and of what a
//! manifest keeps (the migration crate's `ManifestConnector`). The two differ only in how
//! they hold what the API keeps to itself or may leave out, which is the definition's
//! [`DefinitionForm`].

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::types::{require_http_url, require_text};
use super::url::HttpUrl;
use crate::{AuthTokenType, Error, Operation, Result, Secret};

/// How a [`ConnectorDefinition`] holds what the API keeps to itself or may leave out.
///
/// - [`Secret`](Self::Secret): a secret (service token, OAuth client secret). A request
///   holds the value ([`Secret`](crate::Secret)); a manifest, a reference to where it lives.
/// - [`Required`](Self::Required): a field a create requires (the URL, the OAuth client id
///   and endpoints, how a service token is sent). A request holds the value; a manifest an
///   `Option`, absent where the API did not say (a connector without a URL, a token type the
///   API never returns).
///
/// The SDK's form is [`Complete`]. The migration crate's manifests have theirs.
pub trait DefinitionForm: SchemaIfEnabled + fmt::Debug + Clone + PartialEq + 'static {
    /// How a secret is held.
    type Secret: DefinitionValue;
    /// How a field a create requires is held.
    type Required<T: DefinitionValue>: DefinitionValue;
}

/// `JsonSchema` with the `schemars` feature (definitions have a JSON Schema then), nothing
/// without it: the schema bound of [`DefinitionForm`] and [`DefinitionValue`], which every
/// type meets that the feature's derives need.
#[cfg(feature = "schemars")]
pub trait SchemaIfEnabled: JsonSchema {}
#[cfg(feature = "schemars")]
impl<T: JsonSchema + ?Sized> SchemaIfEnabled for T {}
/// `JsonSchema` with the `schemars` feature (definitions have a JSON Schema then), nothing
/// without it: the schema bound of [`DefinitionForm`] and [`DefinitionValue`].
#[cfg(not(feature = "schemars"))]
pub trait SchemaIfEnabled {}
#[cfg(not(feature = "schemars"))]
impl<T: ?Sized> SchemaIfEnabled for T {}

/// What a field of a [`ConnectorDefinition`] can hold: a helper of [`DefinitionForm`].
pub trait DefinitionValue:
    Clone + fmt::Debug + PartialEq + Serialize + DeserializeOwned + SchemaIfEnabled
{
    /// Whether the value is absent (an `Option` that is `None`), and so left out when
    /// written.
    fn is_absent(&self) -> bool {
        false
    }
}

impl DefinitionValue for String {}
impl DefinitionValue for HttpUrl {}
impl DefinitionValue for AuthTokenType {}
impl DefinitionValue for Secret {}

impl<T: DefinitionValue> DefinitionValue for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

/// The form of a request: every secret a [`Secret`](crate::Secret), every required field
/// present. [`NewConnector`] is a [`ConnectorDefinition`] of this form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Complete {}

impl DefinitionForm for Complete {
    type Secret = Secret;
    type Required<T: DefinitionValue> = T;
}

/// The prefix of the schema names of definitions in this form: none (`OAuthConfig`).
#[cfg(feature = "schemars")]
impl JsonSchema for Complete {
    fn schema_name() -> Cow<'static, str> {
        "".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!(false)
    }
}

/// A connector's definition, in the form `F` (see [`DefinitionForm`]): its name, URL, what
/// it keeps out of the prompt, whether it is active, and how it authenticates.
///
/// Its fields, their names and their serde attributes are those of the body of
/// `POST /v1/connectors`; unknown fields are refused (a typo in a file must not pass
/// silently), and so is a bad URL, as it is read. It serves a client that sends a create
/// ([`NewConnector`]), a server that reads one, and a file that keeps one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(deny_unknown_fields, bound = "")]
#[cfg_attr(
    feature = "schemars",
    schemars(
        bound = "",
        rename = "{F}ConnectorDefinition",
        description = "A connector's definition: the body of a create."
    )
)]
#[non_exhaustive]
pub struct ConnectorDefinition<F: DefinitionForm> {
    /// Human-readable name (required).
    pub name: String,
    /// The URL the API calls to search the data source (required to create).
    #[serde(skip_serializing_if = "DefinitionValue::is_absent")]
    pub url: F::Required<HttpUrl>,
    /// What the connector is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields of the returned documents to keep out of the prompt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// Whether the connector is active (the API's default: yes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether a chat request goes on when the connector fails (the API's default: no).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_failure: Option<bool>,
    /// OAuth settings; exclusive with `service_auth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<OAuthSettings<F>>,
    /// Service-to-service token; exclusive with `oauth`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_auth: Option<ServiceAuthSettings<F>>,
}

/// Everything needed to create a connector: the body of `POST /v1/connectors`, a
/// [`ConnectorDefinition`] whose secrets are values and whose required fields are there.
///
/// Usually built through [`Connectors::create`](crate::connectors::Connectors::create); as a
/// value it can be kept in a configuration file, or read by a server from a request body:
///
/// ```
/// use cohere_connectors::NewConnector;
///
/// let spec: NewConnector = serde_json::from_str(r#"{
///     "name": "Wiki",
///     "url": "https://wiki.example.com/search",
///     "service_auth": {"type": "bearer", "token": "t0k3n"}
/// }"#)?;
/// assert_eq!(spec.name, "Wiki");
/// assert_eq!(spec.url, "https://wiki.example.com/search");
///
/// // A server reading a body gets the checks as it reads it, and no value in the errors:
/// let relative = serde_json::from_str::<NewConnector>(r#"{"name": "W", "url": "/search"}"#);
/// assert!(relative.unwrap_err().to_string().starts_with("not an absolute http(s) URL"));
/// let missing = serde_json::from_str::<NewConnector>(r#"{"name": "W"}"#);
/// assert!(missing.unwrap_err().to_string().starts_with("missing field `url`"));
/// # Ok::<(), serde_json::Error>(())
/// ```
pub type NewConnector = ConnectorDefinition<Complete>;

/// OAuth 2.0 settings for a connector whose data source authorizes each user, in the form `F`
/// (see [`DefinitionForm`]): [`OAuthConfig`] in a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(deny_unknown_fields, bound = "")]
#[cfg_attr(
    feature = "schemars",
    schemars(
        bound = "",
        rename = "{F}OAuthConfig",
        description = "OAuth 2.0 settings for a connector whose data source authorizes each user."
    )
)]
pub struct OAuthSettings<F: DefinitionForm> {
    /// The OAuth client id.
    #[serde(skip_serializing_if = "DefinitionValue::is_absent")]
    pub client_id: F::Required<String>,
    /// The OAuth client secret.
    pub client_secret: F::Secret,
    /// The provider's authorization endpoint.
    #[serde(skip_serializing_if = "DefinitionValue::is_absent")]
    pub authorize_url: F::Required<HttpUrl>,
    /// The provider's token endpoint.
    #[serde(skip_serializing_if = "DefinitionValue::is_absent")]
    pub token_url: F::Required<HttpUrl>,
    /// The scopes to request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// OAuth 2.0 settings for a connector whose data source authorizes each user, as a request
/// sends them.
///
/// ```
/// use cohere_connectors::OAuthConfig;
///
/// let oauth = OAuthConfig {
///     client_id: "client-id".into(),
///     client_secret: "client-secret".into(),
///     authorize_url: "https://login.example.com/authorize".into(),
///     token_url: "https://login.example.com/token".into(),
///     scope: Some("read".into()),
/// };
/// assert!(!format!("{oauth:?}").contains("client-secret"));
/// ```
pub type OAuthConfig = OAuthSettings<Complete>;

/// A token the API sends to the connector on every request (service-to-service auth), in the
/// form `F` (see [`DefinitionForm`]): [`ServiceAuth`] in a request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(JsonSchema))]
#[serde(deny_unknown_fields, bound = "")]
#[cfg_attr(
    feature = "schemars",
    schemars(
        bound = "",
        rename = "{F}ServiceAuth",
        description = "A token the API sends to the connector with every search request."
    )
)]
pub struct ServiceAuthSettings<F: DefinitionForm> {
    /// How the token goes into the `Authorization` header. Written even when absent (as
    /// `null`): the API never returns it, and a manifest shows the operator where to say it.
    #[serde(rename = "type")]
    pub token_type: F::Required<AuthTokenType>,
    /// The token.
    pub token: F::Secret,
}

/// A token the API sends to the connector on every request, as a request sends it.
///
/// ```
/// use cohere_connectors::{AuthTokenType, ServiceAuth};
///
/// let auth = ServiceAuth::bearer("token-123");
/// assert_eq!(auth.token_type, AuthTokenType::Bearer);
/// assert!(!format!("{auth:?}").contains("token-123"));
/// ```
pub type ServiceAuth = ServiceAuthSettings<Complete>;

impl ServiceAuth {
    /// `Authorization: Bearer <token>`.
    pub fn bearer(token: impl Into<Secret>) -> Self {
        Self::new(AuthTokenType::Bearer, token)
    }

    /// `Authorization: Basic <token>`.
    pub fn basic(token: impl Into<Secret>) -> Self {
        Self::new(AuthTokenType::Basic, token)
    }

    /// `Authorization: <token>`.
    pub fn noscheme(token: impl Into<Secret>) -> Self {
        Self::new(AuthTokenType::NoScheme, token)
    }

    /// A token sent the given way.
    pub fn new(token_type: AuthTokenType, token: impl Into<Secret>) -> Self {
        Self {
            token_type,
            token: token.into(),
        }
    }

    /// The token, and each other form a server that decoded it may echo: for `Basic`, the
    /// `user:password` the token encodes (RFC 7617) and the password alone. What a
    /// [`Redactor`](crate::text::Redactor) hides for this credential.
    ///
    /// ```
    /// use cohere_connectors::ServiceAuth;
    /// use cohere_connectors::text::Redactor;
    ///
    /// let auth = ServiceAuth::basic("YWxpY2U6czNjcmV0"); // alice:s3cret
    /// let redactor = auth.secret_forms().iter().fold(Redactor::default(), |r, s| r.with_any_length(s));
    /// assert_eq!(
    ///     redactor.scrub("no user alice:s3cret (password s3cret, header YWxpY2U6czNjcmV0)", false),
    ///     "no user [redacted] (password [redacted], header [redacted])",
    /// );
    /// ```
    pub fn secret_forms(&self) -> Vec<Secret> {
        let mut forms = vec![self.token.clone()];
        if self.token_type == AuthTokenType::Basic
            && let Some(decoded) = decode_base64(self.token.expose().trim())
            && let Ok(decoded) = String::from_utf8(decoded)
        {
            if let Some((_, password)) = decoded.split_once(':')
                && !password.is_empty()
            {
                forms.push(Secret::from(password));
            }
            forms.push(Secret::new(decoded));
        }
        forms
    }
}

/// Standard base64 (RFC 4648, padding optional), as `Authorization: Basic` carries it; `None`
/// for anything else.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let digits = text.trim_end_matches('=');
    let padding = text.len().checked_sub(digits.len())?;
    // Four digits make three bytes; one digit left over makes none.
    if digits.is_empty() || padding > 2 || digits.len() % 4 == 1 {
        return None;
    }
    let mut bytes = Vec::with_capacity(digits.len());
    // At most 6 + 7 bits are ever held: a byte is taken out as soon as 8 are there.
    let (mut buffer, mut bits) = (0u32, 0u32);
    for digit in digits.bytes() {
        let value = ALPHABET.iter().position(|&known| known == digit)?;
        buffer = (buffer << 6) | u32::try_from(value).ok()?;
        bits = bits.wrapping_add(6);
        if bits >= 8 {
            bits = bits.wrapping_sub(8);
            bytes.push(u8::try_from(buffer >> bits).ok()?);
            buffer &= (1u32 << bits).wrapping_sub(1);
        }
    }
    Some(bytes)
}

impl NewConnector {
    pub(crate) fn validate(&self, operation: Operation) -> Result<()> {
        require_text(operation, "name", &self.name)?;
        require_http_url(operation, "url", &self.url)?;
        validate_auth(operation, self.oauth.as_ref(), self.service_auth.as_ref())
    }
}

/// The rules of a request's credentials: one kind at most, complete, no empty secret.
pub(crate) fn validate_auth(
    operation: Operation,
    oauth: Option<&OAuthConfig>,
    service_auth: Option<&ServiceAuth>,
) -> Result<()> {
    if oauth.is_some() && service_auth.is_some() {
        return Err(Error::invalid(
            operation,
            "oauth and service_auth are mutually exclusive: set one of them",
        ));
    }
    if let Some(oauth) = oauth {
        require_text(operation, "oauth.client_id", &oauth.client_id)?;
        if oauth.client_secret.is_empty() {
            return Err(Error::invalid(operation, "oauth.client_secret is empty"));
        }
        require_http_url(operation, "oauth.authorize_url", &oauth.authorize_url)?;
        require_http_url(operation, "oauth.token_url", &oauth.token_url)?;
    }
    if let Some(service_auth) = service_auth
        && service_auth.token.is_empty()
    {
        return Err(Error::invalid(operation, "service_auth.token is empty"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::decode_base64;

    #[test]
    fn base64_decodes_as_rfc_4648_says_and_refuses_the_rest() {
        // RFC 4648, section 10, with and without padding.
        for (encoded, decoded) in [
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("YWxpY2U6czNjcmV0", "alice:s3cret"),
        ] {
            assert_eq!(
                decode_base64(encoded).as_deref(),
                Some(decoded.as_bytes()),
                "{encoded}"
            );
        }
        for refused in ["", "=", "Z", "Zg===", "Zm9v!", "Zm 9v", "Zm9v-_"] {
            assert_eq!(decode_base64(refused), None, "{refused:?}");
        }
    }
    use super::*;

    #[test]
    fn config_files_with_typos_are_rejected() {
        let typo = r#"{"name": "a", "url": "https://a.example", "continue_on_faliure": true}"#;
        assert!(serde_json::from_str::<NewConnector>(typo).is_err());
        let nested = r#"{"name": "a", "url": "https://a.example", "service_auth": {"type": "basic", "token": "t", "tpye": 1}}"#;
        assert!(serde_json::from_str::<NewConnector>(nested).is_err());
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn the_schema_names_stay_those_of_the_request() {
        let schema = serde_json::to_value(schemars::schema_for!(NewConnector)).unwrap();
        assert_eq!(schema["title"], "ConnectorDefinition");
        assert!(schema["$defs"]["OAuthConfig"].is_object(), "{schema}");
        assert!(schema["$defs"]["ServiceAuth"].is_object(), "{schema}");
        assert_eq!(schema["required"], serde_json::json!(["name", "url"]));
    }
}
