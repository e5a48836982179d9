//! The manifest: an account's connectors as a file, to recreate, audit or migrate them.

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::MigrateError;
use super::secrets::{SecretRef, Secrets, variable_name};
use cohere_connectors::text::DebugUrl;
use cohere_connectors::{
    AuthTokenType, AuthType, Connector, NewConnector, OAuthConfig, ServiceAuth,
};

/// The manifest format this crate writes (and the only one it reads).
pub const MANIFEST_VERSION: u32 = 1;

/// An account's connectors: everything the API returns, secrets as references to fill.
/// Written by [`export`](super::export), read by [`Manifest::from_json`], validated by
/// [`Manifest::json_schema`].
///
/// ```
/// use cohere_connectors_migrate::Manifest;
///
/// let manifest = Manifest::from_json(r#"{
///   "version": 1,
///   "connectors": [
///     {"name": "Wiki", "url": "https://wiki.example.com/search",
///      "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}
///   ]
/// }"#)?;
/// assert_eq!(manifest.connectors[0].name, "Wiki");
/// # Ok::<(), cohere_connectors_migrate::MigrateError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "cohere-connectors manifest",
    description = "An account's connectors: everything the API returns, secrets as references to fill."
)]
#[non_exhaustive]
pub struct Manifest {
    /// The format's version: 1.
    pub version: u32,
    /// When it was exported (absent in a manifest written by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at: Option<DateTime<Utc>>,
    /// The connectors, newest first as the API lists them (order does not matter to read).
    pub connectors: Vec<ManifestConnector>,
}

/// One connector of a [`Manifest`]. Its `Debug` hides a password in a URL.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "One connector of a manifest.")]
#[non_exhaustive]
pub struct ManifestConnector {
    /// Its id in the account exported (absent for a connector not created yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (required).
    pub name: String,
    /// Its search URL (required).
    pub url: String,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Fields of its documents kept out of the prompt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether a chat continues when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_failure: Option<bool>,
    /// Its service auth: the token as a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_auth: Option<ManifestServiceAuth>,
    /// Its OAuth settings: the client secret as a reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<ManifestOAuth>,
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

/// Service auth in a manifest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ManifestServiceAuth {
    /// How the token is sent. The API does not return it, so an export leaves it `null`:
    /// set it before recreating.
    #[serde(rename = "type", default)]
    pub token_type: Option<AuthTokenType>,
    /// Where the token is.
    pub token: SecretRef,
}

/// OAuth settings in a manifest. Its `Debug` hides a password in a URL.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(description = "OAuth settings in a manifest.")]
#[non_exhaustive]
pub struct ManifestOAuth {
    /// The OAuth client id.
    pub client_id: String,
    /// Where the client secret is.
    pub client_secret: SecretRef,
    /// The provider's authorization URL.
    pub authorize_url: String,
    /// The provider's token URL.
    pub token_url: String,
    /// The scopes requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl fmt::Debug for ManifestConnector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManifestConnector")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &DebugUrl(&self.url))
            .field("description", &self.description)
            .field("excludes", &self.excludes)
            .field("active", &self.active)
            .field("continue_on_failure", &self.continue_on_failure)
            .field("service_auth", &self.service_auth)
            .field("oauth", &self.oauth)
            .field("organization_id", &self.organization_id)
            .field("created_at", &self.created_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

impl fmt::Debug for ManifestOAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManifestOAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("authorize_url", &DebugUrl(&self.authorize_url))
            .field("token_url", &DebugUrl(&self.token_url))
            .field("scope", &self.scope)
            .finish()
    }
}

impl Manifest {
    /// A manifest of these connectors.
    pub fn new(connectors: Vec<ManifestConnector>) -> Self {
        Self {
            version: MANIFEST_VERSION,
            exported_at: None,
            connectors,
        }
    }

    /// Reads a manifest and checks its rules (see [`validate`](Self::validate)).
    ///
    /// # Errors
    ///
    /// [`MigrateError::Manifest`] naming the line and column, or the rule broken.
    pub fn from_json(json: &str) -> Result<Self, MigrateError> {
        let manifest: Self = serde_json::from_str(json).map_err(|error| {
            MigrateError::manifest(format!(
                "{} (line {}, column {})",
                error_kind(&error),
                error.line(),
                error.column()
            ))
        })?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Reads and validates the manifest at `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, or as [`from_json`](Self::from_json).
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self, MigrateError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|error| MigrateError::io(format!("cannot read {}", path.display()), error))?;
        Self::from_json(&text)
    }

    /// The version is 1; every connector has a name and an http(s) URL; no two share an id or
    /// a name; none has both OAuth and service auth.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Manifest`] with the first rule broken.
    pub fn validate(&self) -> Result<(), MigrateError> {
        if self.version != MANIFEST_VERSION {
            return Err(MigrateError::manifest(format!(
                "version {} is not supported (this crate reads version {MANIFEST_VERSION})",
                self.version
            )));
        }
        let mut ids = HashSet::new();
        let mut names = HashSet::new();
        for (index, connector) in self.connectors.iter().enumerate() {
            let at = format!("connectors[{index}]");
            if connector.name.trim().is_empty() {
                return Err(MigrateError::manifest(format!("{at}: the name is empty")));
            }
            let url_ok = url::Url::parse(&connector.url)
                .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.has_host());
            if !url_ok {
                return Err(MigrateError::manifest(format!(
                    "{at}: the url is not an http(s) URL"
                )));
            }
            if connector.service_auth.is_some() && connector.oauth.is_some() {
                return Err(MigrateError::manifest(format!(
                    "{at}: oauth and service_auth are mutually exclusive"
                )));
            }
            if let Some(id) = &connector.id
                && !ids.insert(id.as_str())
            {
                return Err(MigrateError::manifest(format!(
                    "{at}: the id `{id}` appears twice"
                )));
            }
            if !names.insert(connector.name.as_str()) {
                return Err(MigrateError::manifest(format!(
                    "{at}: the name `{}` appears twice",
                    connector.name
                )));
            }
        }
        Ok(())
    }

    /// The JSON Schema of the manifest (draft 2020-12), as `cohere-connectors schema` prints
    /// it.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default()
    }
}

/// What a serde error says, without the values it quotes (a secret may be in the wrong
/// place): field names stay, quoted values become `"…"`.
fn error_kind(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof => "not valid JSON".to_owned(),
        Category::Io => "could not be read".to_owned(),
        Category::Data => {
            let text = error.to_string();
            let text = text.split(" at line ").next().unwrap_or_default();
            let mut unquoted = String::with_capacity(text.len());
            for (index, part) in text.split('"').enumerate() {
                if index % 2 == 0 {
                    unquoted.push_str(part);
                } else {
                    unquoted.push_str("\"…\"");
                }
            }
            // Values are also quoted in backticks after their kind (`integer `5``, `unknown
            // variant `x``); field names and the expected values are kept.
            let mut cleaned = String::with_capacity(unquoted.len());
            for (index, part) in unquoted.split('`').enumerate() {
                let quoted = index % 2 == 1;
                let value = [
                    "variant ", "integer ", "point ", "boolean ", "char ", "value: ",
                ]
                .iter()
                .any(|kind| cleaned.ends_with(kind));
                if !quoted {
                    cleaned.push_str(part);
                } else if value {
                    cleaned.push('…');
                } else {
                    cleaned.push('`');
                    cleaned.push_str(part);
                    cleaned.push('`');
                }
            }
            let unquoted = cleaned;
            cohere_connectors::text::one_line(&unquoted, 200)
        }
    }
}

impl ManifestConnector {
    /// The connector as an export writes it: what the API returned, and references for the
    /// secrets it never returns (`CONNECTOR_<ID>_SERVICE_TOKEN`,
    /// `CONNECTOR_<ID>_OAUTH_CLIENT_SECRET`).
    pub fn from_connector(connector: &Connector) -> Self {
        let service_auth =
            (connector.auth_type == Some(AuthType::ServiceAuth)).then(|| ManifestServiceAuth {
                token_type: None,
                token: SecretRef::Env(variable_name(&connector.id, "SERVICE_TOKEN")),
            });
        let oauth = connector.oauth.as_ref().map(|oauth| ManifestOAuth {
            client_id: oauth.client_id.clone().unwrap_or_default(),
            client_secret: SecretRef::Env(variable_name(&connector.id, "OAUTH_CLIENT_SECRET")),
            authorize_url: oauth.authorize_url.clone(),
            token_url: oauth.token_url.clone(),
            scope: oauth.scope.clone(),
        });
        Self {
            id: Some(connector.id.clone()),
            name: connector.name.clone(),
            url: connector.url.clone().unwrap_or_default(),
            description: connector.description.clone(),
            excludes: connector.excludes.clone(),
            active: connector.active,
            continue_on_failure: connector.continue_on_failure,
            service_auth,
            oauth,
            organization_id: connector.organization_id.clone(),
            created_at: Some(connector.created_at),
            updated_at: Some(connector.updated_at),
        }
    }

    /// A connector to add to a manifest by hand.
    pub fn new(name: impl Into<String>, url: impl Into<String>) -> Self {
        Self {
            id: None,
            name: name.into(),
            url: url.into(),
            description: None,
            excludes: Vec::new(),
            active: None,
            continue_on_failure: None,
            service_auth: None,
            oauth: None,
            organization_id: None,
            created_at: None,
            updated_at: None,
        }
    }

    /// Its id, or its name when it has none: how errors name it.
    pub fn label(&self) -> &str {
        self.id.as_deref().unwrap_or(&self.name)
    }

    /// The create request for it, secrets resolved.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Secret`] when a secret cannot be resolved, or service auth has no
    /// `type` (the API does not return it: set it in the manifest).
    pub fn to_new_connector(&self, secrets: &Secrets) -> Result<NewConnector, MigrateError> {
        let mut new = NewConnector::new(self.name.clone(), self.url.clone());
        new.description = self.description.clone();
        new.excludes = self.excludes.clone();
        new.active = self.active;
        new.continue_on_failure = self.continue_on_failure;
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
        let Some(auth) = &self.service_auth else {
            return Ok(None);
        };
        let token_type = auth.token_type.ok_or_else(|| MigrateError::Secret {
            connector: self.label().to_owned(),
            field: "service_auth.type",
            message: "the API does not return how the token is sent: set bearer, basic or noscheme"
                .into(),
        })?;
        let token = secrets.resolve_for(&auth.token, self.label(), "service_auth.token")?;
        Ok(Some(ServiceAuth::new(token_type, token)))
    }

    /// Its OAuth settings, the client secret resolved.
    ///
    /// # Errors
    ///
    /// As [`to_new_connector`](Self::to_new_connector).
    pub fn oauth(&self, secrets: &Secrets) -> Result<Option<OAuthConfig>, MigrateError> {
        let Some(oauth) = &self.oauth else {
            return Ok(None);
        };
        let secret =
            secrets.resolve_for(&oauth.client_secret, self.label(), "oauth.client_secret")?;
        let mut config = OAuthConfig::new(
            oauth.client_id.clone(),
            secret,
            oauth.authorize_url.clone(),
            oauth.token_url.clone(),
        );
        config.scope = oauth.scope.clone();
        Ok(Some(config))
    }
}
