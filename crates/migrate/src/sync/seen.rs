//! What a plan saw of each connector, so that apply acts only on the connectors it saw: the
//! same id can name another connector after a delete and a create.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use cohere_connectors::{Connector, ConnectorId};

/// A connector as a plan saw it: its id, its times, and the fields a plan compares. URLs are
/// kept with a password hidden (a plan never holds a secret); a password changed through the
/// API changes `updated_at`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Seen {
    /// Its id.
    pub id: ConnectorId,
    /// Its name.
    pub name: String,
    /// When it was created: another connector under the same id was created at another time.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// Its URL, a password hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Its description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Its excluded fields.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excludes: Vec<String>,
    /// Whether it is active.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Whether a chat goes on when it fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub continue_on_failure: Option<bool>,
    /// How it authenticates, as the API says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_type: Option<String>,
    /// Its OAuth settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oauth: Option<SeenOAuth>,
}

/// A connector's OAuth settings as a plan saw them (endpoints with a password hidden).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SeenOAuth {
    /// The client id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The authorization endpoint.
    pub authorize_url: String,
    /// The token endpoint.
    pub token_url: String,
    /// The scopes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Seen {
    /// What a plan records of `connector`.
    pub(crate) fn of(connector: &Connector) -> Self {
        Self {
            id: connector.id.clone(),
            name: connector.name.clone(),
            created_at: connector.created_at,
            updated_at: connector.updated_at,
            url: connector
                .url
                .as_ref()
                .map(|url| url.redacted().into_owned()),
            description: connector.description.clone(),
            excludes: connector.excludes.clone(),
            active: connector.active,
            continue_on_failure: connector.continue_on_failure,
            auth_type: connector
                .auth_type
                .as_ref()
                .map(|auth| auth.as_str().to_owned()),
            oauth: connector.oauth.as_ref().map(|oauth| SeenOAuth {
                client_id: oauth.client_id.clone(),
                authorize_url: oauth.authorize_url.redacted().into_owned(),
                token_url: oauth.token_url.redacted().into_owned(),
                scope: oauth.scope.clone(),
            }),
        }
    }

    /// What differs between what was seen and `now` (the same connector read again), by
    /// field name; empty when it is the connector that was seen, unchanged.
    pub(crate) fn differences(&self, now: &Connector) -> Vec<&'static str> {
        let now = Self::of(now);
        let fields: [(&'static str, bool); 11] = [
            ("id", self.id == now.id),
            ("created_at", self.created_at == now.created_at),
            ("updated_at", self.updated_at == now.updated_at),
            ("name", self.name == now.name),
            ("url", self.url == now.url),
            ("description", self.description == now.description),
            ("excludes", self.excludes == now.excludes),
            ("active", self.active == now.active),
            (
                "continue_on_failure",
                self.continue_on_failure == now.continue_on_failure,
            ),
            ("auth_type", self.auth_type == now.auth_type),
            ("oauth", self.oauth == now.oauth),
        ];
        fields
            .into_iter()
            .filter(|(_, same)| !same)
            .map(|(field, _)| field)
            .collect()
    }
}
