//! One connector of a manifest: a connector definition whose secrets are references and whose
//! fields the API did not return are absent, with what the account said of it.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::MigrateError;
use crate::secrets::{SecretKind, SecretRef, Secrets, variable_name};
use cohere_connectors::text::{escape, one_line};
use cohere_connectors::{
    AuthTokenType, AuthType, Connector, ConnectorDefinition, ConnectorId, DefinitionForm,
    DefinitionValue, HttpUrl, InvalidUrl, NewConnector, OAuthConfig, OAuthSettings, ServiceAuth,
    ServiceAuthSettings,
};

/// The form of a manifest's definitions (see
/// [`DefinitionForm`](cohere_connectors::DefinitionForm)): secrets as [`SecretRef`]s, and the
/// fields a create requires as `Option`s, absent where the API returned nothing (a
/// connector without a URL, the token type of service auth, which the API never returns).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InManifest {}

impl DefinitionForm for InManifest {
    type Secret = SecretRef;
    type Required<T: DefinitionValue> = Option<T>;
}

/// The prefix of the schema names of definitions in this form (`ManifestServiceAuth`).
impl JsonSchema for InManifest {
    fn schema_name() -> Cow<'static, str> {
        "Manifest".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!(false)
    }
}

/// OAuth settings in a manifest: the client secret as a reference.
pub type ManifestOAuth = OAuthSettings<InManifest>;

/// Service auth in a manifest: the token as a reference. The API does not return how the
/// token is sent, so an export leaves `type` `null`: set it before recreating.
pub type ManifestServiceAuth = ServiceAuthSettings<InManifest>;

/// One connector of a [`Manifest`](super::Manifest): its definition (the fields of a create,
/// at the same level in the file), and what the account said of it. `Debug` hides a password
/// in a URL and every secret.
///
/// ```
/// use cohere_connectors_migrate::{ManifestConnector, SecretRef};
///
/// let entry: ManifestConnector = serde_json::from_str(r#"{
///     "id": "wiki", "name": "Wiki", "url": "https://bot@wiki.example.com/search",
///     "url_password": {"env": "CONNECTOR_WIKI_URL_PASSWORD"},
///     "service_auth": {"type": null, "token": {"env": "CONNECTOR_WIKI_SERVICE_TOKEN"}}
/// }"#)?;
/// assert_eq!(entry.label(), "wiki");
/// assert_eq!(entry.definition.url.as_ref().unwrap(), "https://bot@wiki.example.com/search");
/// assert_eq!(
///     entry.url_password,
///     Some(SecretRef::Env("CONNECTOR_WIKI_URL_PASSWORD".into()))
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "One connector of a manifest.")]
#[non_exhaustive]
pub struct ManifestConnector {
    /// Its id in the account exported (absent for a connector not created yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<ConnectorId>,
    /// Its definition: name, URL, excludes, flags and auth, secrets as references. A URL the
    /// API did not return is absent: such a connector is compared, never created.
    #[serde(flatten)]
    pub definition: ConnectorDefinition<InManifest>,
    /// The password of its URL, as a reference: an export never writes one into `url`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url_password: Option<SecretRef>,
    /// The organization it belonged to, when exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// When it was created, when exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last updated, when exported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
}

/// How a connector of the account authenticates, as export and plan both read it: by
/// `auth_type`, or, when the API leaves it out, by the OAuth settings it returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AccountAuth {
    /// None.
    None,
    /// A service token.
    Service,
    /// OAuth.
    OAuth,
    /// A kind this crate does not know.
    Other,
}

pub(crate) fn account_auth(connector: &Connector) -> AccountAuth {
    match &connector.auth_type {
        Some(AuthType::ServiceAuth) => AccountAuth::Service,
        Some(AuthType::OAuth) => AccountAuth::OAuth,
        None if connector.oauth.is_some() => AccountAuth::OAuth,
        None => AccountAuth::None,
        Some(_) => AccountAuth::Other,
    }
}

impl ManifestConnector {
    /// The connector as an export writes it: what the API returned, and references for the
    /// secrets it never returns or that a manifest must not hold (the variable names of
    /// [`export`](crate::export)). A URL the API left out or sent empty is left out; a
    /// password in the search URL becomes `url_password`.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Manifest`] when the API returned a URL that is not an absolute
    /// http(s) URL, or an OAuth endpoint with a password: a manifest could not hold it.
    pub fn from_connector(connector: &Connector) -> Result<Self, MigrateError> {
        let id = connector.id.as_str();
        let reference = |kind| SecretRef::Env(variable_name(id, kind));
        let (url, url_password) = match returned_url(connector.url.as_ref(), id, "url")? {
            Some(url) if url.password().is_some() => (
                Some(url.without_password()),
                Some(reference(SecretKind::UrlPassword)),
            ),
            url => (url, None),
        };
        let auth = account_auth(connector);
        let service_auth = (auth == AccountAuth::Service).then(|| ManifestServiceAuth {
            token_type: None,
            token: reference(SecretKind::ServiceToken),
        });
        let oauth = match (auth, &connector.oauth) {
            (AccountAuth::OAuth, Some(oauth)) => Some(ManifestOAuth {
                client_id: oauth.client_id.clone(),
                client_secret: reference(SecretKind::OAuthClientSecret),
                authorize_url: endpoint(&oauth.authorize_url, id, "oauth.authorize_url")?,
                token_url: endpoint(&oauth.token_url, id, "oauth.token_url")?,
                scope: oauth.scope.clone(),
            }),
            // OAuth whose settings the API did not return: only the secret to fill is known.
            (AccountAuth::OAuth, None) => Some(ManifestOAuth {
                client_id: None,
                client_secret: reference(SecretKind::OAuthClientSecret),
                authorize_url: None,
                token_url: None,
                scope: None,
            }),
            _ => None,
        };
        let mut definition = ConnectorDefinition::from_parts(connector.name.clone(), url);
        definition.description = connector.description.clone();
        definition.excludes = connector.excludes.clone();
        definition.active = connector.active;
        definition.continue_on_failure = connector.continue_on_failure;
        definition.service_auth = service_auth;
        definition.oauth = oauth;
        Ok(Self {
            id: Some(connector.id.clone()),
            definition,
            url_password,
            organization_id: connector.organization_id.clone(),
            created_at: Some(connector.created_at),
            updated_at: Some(connector.updated_at),
        })
    }

    /// A connector to add to a manifest by hand, to be created with this name and URL.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            id: None,
            definition: ConnectorDefinition::from_parts(name, Some(HttpUrl::from(url.into()))),
            url_password: None,
            organization_id: None,
            created_at: None,
            updated_at: None,
        }
    }

    /// Its id, or its name when it has none: how errors name it (escape it to show it).
    pub fn label(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.definition.name)
    }

    /// [`label`](Self::label) as messages show it: on one line, controls and bidi overrides
    /// escaped, cut to 100 characters.
    pub(crate) fn shown_label(&self) -> String {
        one_line(self.label(), 100)
    }

    /// The secret references it holds, with what each is for.
    pub(crate) fn secret_references(&self) -> impl Iterator<Item = (SecretKind, &SecretRef)> {
        let service = self
            .definition
            .service_auth
            .as_ref()
            .map(|auth| (SecretKind::ServiceToken, &auth.token));
        let oauth = self
            .definition
            .oauth
            .as_ref()
            .map(|oauth| (SecretKind::OAuthClientSecret, &oauth.client_secret));
        let password = self
            .url_password
            .as_ref()
            .map(|password| (SecretKind::UrlPassword, password));
        service.into_iter().chain(oauth).chain(password)
    }

    fn secret(
        &self,
        secrets: &Secrets,
        kind: SecretKind,
        reference: &SecretRef,
    ) -> Result<cohere_connectors::Secret, MigrateError> {
        secrets.resolve_for(reference, &self.shown_label(), kind.field())
    }

    /// Its search URL with its password, when it has `url_password`, resolved.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Secret`] when the password cannot be resolved.
    pub fn search_url(&self, secrets: &Secrets) -> Result<Option<HttpUrl>, MigrateError> {
        let (Some(url), Some(reference)) = (&self.definition.url, &self.url_password) else {
            return Ok(self.definition.url.clone());
        };
        let password = self.secret(secrets, SecretKind::UrlPassword, reference)?;
        url.with_password(password.expose())
            .map(Some)
            .map_err(|invalid| self.unusable("url", &invalid.to_string()))
    }

    /// The create request for it, secrets resolved.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Secret`] when a secret cannot be resolved or service auth has no
    /// `type` (the API does not return it: set it in the manifest);
    /// [`MigrateError::Manifest`] when a field a create needs is absent (a URL the API did
    /// not return, OAuth settings it did not return).
    pub fn to_new_connector(&self, secrets: &Secrets) -> Result<NewConnector, MigrateError> {
        let url = self
            .search_url(secrets)?
            .ok_or_else(|| self.unusable("url", "absent (the API returned none)"))?;
        let mut new = NewConnector::new(self.definition.name.clone(), url);
        new.description = self.definition.description.clone();
        new.excludes = self.definition.excludes.clone();
        new.active = self.definition.active;
        new.continue_on_failure = self.definition.continue_on_failure;
        new.service_auth = self.service_auth(secrets)?;
        new.oauth = self.oauth(secrets)?;
        Ok(new)
    }

    /// Its service auth, the token resolved.
    ///
    /// # Errors
    ///
    /// As [`to_new_connector`](Self::to_new_connector).
    pub fn service_auth(&self, secrets: &Secrets) -> Result<Option<ServiceAuth>, MigrateError> {
        let Some(auth) = &self.definition.service_auth else {
            return Ok(None);
        };
        let token_type: AuthTokenType = auth.token_type.ok_or_else(|| MigrateError::Secret {
            connector: self.shown_label(),
            field: "service_auth.type",
            message: "the API does not return how the token is sent: set bearer, basic or noscheme"
                .into(),
        })?;
        let token = self.secret(secrets, SecretKind::ServiceToken, &auth.token)?;
        Ok(Some(ServiceAuth::new(token_type, token)))
    }

    /// Its OAuth settings, the client secret resolved.
    ///
    /// # Errors
    ///
    /// As [`to_new_connector`](Self::to_new_connector).
    pub fn oauth(&self, secrets: &Secrets) -> Result<Option<OAuthConfig>, MigrateError> {
        let Some(oauth) = &self.definition.oauth else {
            return Ok(None);
        };
        let absent = |field| self.unusable(field, "absent (the API returned none)");
        let client_id = oauth
            .client_id
            .clone()
            .ok_or_else(|| absent("oauth.client_id"))?;
        let authorize_url = oauth
            .authorize_url
            .clone()
            .ok_or_else(|| absent("oauth.authorize_url"))?;
        let token_url = oauth
            .token_url
            .clone()
            .ok_or_else(|| absent("oauth.token_url"))?;
        let secret = self.secret(secrets, SecretKind::OAuthClientSecret, &oauth.client_secret)?;
        let mut config = OAuthConfig::new(client_id, secret, authorize_url, token_url);
        config.scope = oauth.scope.clone();
        Ok(Some(config))
    }

    fn unusable(&self, field: &str, why: &str) -> MigrateError {
        MigrateError::manifest(format!(
            "connector `{}` cannot be sent: its {field} is {why}",
            self.shown_label()
        ))
    }
}

/// A URL of a connector as the API returned it, for a manifest: absent when the API left it
/// out or sent it blank, refused when it is not a URL a manifest could be read back with.
fn returned_url(
    url: Option<&HttpUrl>,
    id: &str,
    field: &str,
) -> Result<Option<HttpUrl>, MigrateError> {
    let Some(url) = url.filter(|url| !url.trim().is_empty()) else {
        return Ok(None);
    };
    url.check()
        .map_err(|invalid| unexportable(id, field, &invalid))?;
    Ok(Some(url.clone()))
}

/// An OAuth endpoint as the API returned it: a password in it has no reference to go to.
fn endpoint(url: &HttpUrl, id: &str, field: &str) -> Result<Option<HttpUrl>, MigrateError> {
    let url = returned_url(Some(url), id, field)?;
    if url.as_ref().is_some_and(|url| url.password().is_some()) {
        return Err(MigrateError::manifest(format!(
            "connector `{}`: the API returned an {field} with a password, which a manifest cannot keep as a reference",
            escape(id)
        )));
    }
    Ok(url)
}

fn unexportable(id: &str, field: &str, invalid: &InvalidUrl) -> MigrateError {
    MigrateError::manifest(format!(
        "connector `{}`: the API returned a {field} that is {invalid}, which a manifest cannot hold: fix it in the account",
        escape(id)
    ))
}
