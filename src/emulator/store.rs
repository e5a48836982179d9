//! The emulator's data and the API's rules over it: ids, ordering, defaults, validation,
//! partial updates, secrets kept but never returned.
//!
//! Connectors are stored as the raw types generated from the OpenAPI fragment, so whatever
//! the emulator returns has exactly the shape the fragment describes.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::Utc;

use crate::raw::types::{
    Connector, ConnectorOAuth, CreateConnectorOAuth, CreateConnectorRequest,
    CreateConnectorServiceAuth, UpdateConnectorRequest,
};

/// An answer the API gives instead of a result: a status and a message.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub status: u16,
    pub message: String,
}

impl Refusal {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
        }
    }

    fn not_found(id: &str) -> Self {
        Self::new(404, format!("connector {id:?} not found"))
    }

    fn invalid(message: impl Into<String>) -> Self {
        Self::new(422, message)
    }
}

/// The connectors of one emulated organization, safe to share between requests.
#[derive(Default)]
pub(crate) struct Store {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    connectors: HashMap<String, Stored>,
    /// Creation order, to break ties between connectors created in the same instant.
    next_sequence: u64,
}

struct Stored {
    sequence: u64,
    connector: Connector,
    /// Kept as the API keeps them: write-only.
    client_secret: Option<crate::Secret>,
    service_auth: Option<CreateConnectorServiceAuth>,
}

/// What the emulator's organization is called in the connectors it returns.
pub(crate) const ORGANIZATION_ID: &str = "emulator-organization";

impl Store {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-written connector: every change
        // is a single insert or remove. Keep serving after one.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A page, newest first, and the total count.
    pub(crate) fn list(&self, limit: usize, offset: usize) -> (Vec<Connector>, usize) {
        let state = self.lock();
        let mut all: Vec<&Stored> = state.connectors.values().collect();
        all.sort_by(|a, b| {
            (b.connector.created_at, b.sequence).cmp(&(a.connector.created_at, a.sequence))
        });
        let page = all
            .into_iter()
            .skip(offset)
            .take(limit)
            .map(|stored| stored.connector.clone())
            .collect();
        (page, state.connectors.len())
    }

    pub(crate) fn create(&self, request: CreateConnectorRequest) -> Result<Connector, Refusal> {
        check_name(&request.name)?;
        check_url("url", &request.url)?;
        check_auth(request.oauth.as_ref(), request.service_auth.as_ref())?;

        let mut state = self.lock();
        let id = unique_id(&state, &request.name);
        let now = Utc::now();
        let client_secret = request.oauth.as_ref().map(|o| o.client_secret.clone());
        let connector = Connector {
            id: id.clone(),
            organization_id: Some(ORGANIZATION_ID.into()),
            name: request.name,
            description: request.description,
            url: Some(request.url),
            created_at: now,
            updated_at: now,
            excludes: request.excludes,
            auth_type: auth_type(request.oauth.as_ref(), request.service_auth.as_ref()),
            auth_status: request.oauth.as_ref().map(|_| String::new()),
            oauth: request.oauth.map(returned_oauth),
            active: Some(request.active),
            continue_on_failure: Some(request.continue_on_failure),
        };
        let sequence = state.next_sequence;
        state.next_sequence = state.next_sequence.saturating_add(1);
        state.connectors.insert(
            id,
            Stored {
                sequence,
                connector: connector.clone(),
                client_secret,
                service_auth: request.service_auth,
            },
        );
        Ok(connector)
    }

    pub(crate) fn get(&self, id: &str) -> Result<Connector, Refusal> {
        self.lock()
            .connectors
            .get(id)
            .map(|stored| stored.connector.clone())
            .ok_or_else(|| Refusal::not_found(id))
    }

    /// Changes only what the request carries, and `updated_at`.
    pub(crate) fn update(
        &self,
        id: &str,
        request: UpdateConnectorRequest,
    ) -> Result<Connector, Refusal> {
        if let Some(name) = &request.name {
            check_name(name)?;
        }
        if let Some(url) = &request.url {
            check_url("url", url)?;
        }
        check_auth(request.oauth.as_ref(), request.service_auth.as_ref())?;

        let mut state = self.lock();
        let stored = state
            .connectors
            .get_mut(id)
            .ok_or_else(|| Refusal::not_found(id))?;
        let connector = &mut stored.connector;
        if let Some(name) = request.name {
            connector.name = name;
        }
        if let Some(url) = request.url {
            connector.url = Some(url);
        }
        if let Some(excludes) = request.excludes {
            connector.excludes = excludes.0;
        }
        if let Some(active) = request.active {
            connector.active = Some(active);
        }
        if let Some(continue_on_failure) = request.continue_on_failure {
            connector.continue_on_failure = Some(continue_on_failure);
        }
        // New credentials replace the old kind entirely: a connector has one way to
        // authenticate.
        if let Some(oauth) = request.oauth {
            stored.client_secret = Some(oauth.client_secret.clone());
            stored.service_auth = None;
            connector.auth_type = Some("oauth".into());
            connector.auth_status = Some(String::new());
            connector.oauth = Some(returned_oauth(oauth));
        }
        if let Some(service_auth) = request.service_auth {
            stored.client_secret = None;
            stored.service_auth = Some(service_auth);
            connector.auth_type = Some("service_auth".into());
            connector.auth_status = None;
            connector.oauth = None;
        }
        connector.updated_at = Utc::now().max(connector.updated_at);
        Ok(connector.clone())
    }

    pub(crate) fn delete(&self, id: &str) -> Result<(), Refusal> {
        self.lock()
            .connectors
            .remove(id)
            .map(|_| ())
            .ok_or_else(|| Refusal::not_found(id))
    }

    /// The URL a user is sent to for the connector's OAuth provider.
    pub(crate) fn authorize(
        &self,
        id: &str,
        redirect_uri: &str,
        state_token: &str,
    ) -> Result<String, Refusal> {
        let connector = self.get(id)?;
        let Some(oauth) = connector.oauth else {
            return Err(Refusal::new(
                400,
                format!("connector {id:?} does not use OAuth"),
            ));
        };
        let mut url = reqwest::Url::parse(&oauth.authorize_url)
            .map_err(|_| Refusal::new(400, "the connector's authorize_url is not a URL"))?;
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("response_type", "code");
            query.append_pair("client_id", oauth.client_id.as_deref().unwrap_or_default());
            if let Some(scope) = &oauth.scope {
                query.append_pair("scope", scope);
            }
            query.append_pair("redirect_uri", redirect_uri);
            query.append_pair("state", state_token);
        }
        Ok(url.into())
    }

    /// Whether the emulator still holds the secrets it was given (for tests: they are kept,
    /// just never returned).
    #[cfg(test)]
    fn secrets(&self, id: &str) -> (Option<String>, Option<String>) {
        let state = self.lock();
        let stored = &state.connectors[id];
        (
            stored.client_secret.as_ref().map(|s| s.expose().to_owned()),
            stored
                .service_auth
                .as_ref()
                .map(|auth| auth.token.expose().to_owned()),
        )
    }
}

/// The id the API derives from a name: lower case, runs of anything else turned into one
/// dash, and a numeric suffix when taken.
fn unique_id(state: &State, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let base = if slug.is_empty() { "connector" } else { slug };
    let mut candidate = base.to_owned();
    let mut suffix: u64 = 2;
    while state.connectors.contains_key(&candidate) {
        candidate = format!("{base}-{suffix}");
        suffix = suffix.saturating_add(1);
    }
    candidate
}

fn check_name(name: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::invalid("name must not be empty"));
    }
    Ok(())
}

fn check_url(field: &str, value: &str) -> Result<(), Refusal> {
    let valid = reqwest::Url::parse(value)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
    if !valid {
        return Err(Refusal::invalid(format!(
            "{field} must be a valid http(s) URL"
        )));
    }
    Ok(())
}

fn check_auth(
    oauth: Option<&CreateConnectorOAuth>,
    service_auth: Option<&CreateConnectorServiceAuth>,
) -> Result<(), Refusal> {
    if oauth.is_some() && service_auth.is_some() {
        return Err(Refusal::invalid(
            "oauth and service_auth cannot both be specified",
        ));
    }
    if let Some(oauth) = oauth {
        check_url("oauth.authorize_url", &oauth.authorize_url)?;
        check_url("oauth.token_url", &oauth.token_url)?;
        if oauth.client_id.trim().is_empty() || oauth.client_secret.is_empty() {
            return Err(Refusal::invalid(
                "oauth.client_id and oauth.client_secret must not be empty",
            ));
        }
    }
    if service_auth.is_some_and(|auth| auth.token.is_empty()) {
        return Err(Refusal::invalid("service_auth.token must not be empty"));
    }
    Ok(())
}

fn auth_type(
    oauth: Option<&CreateConnectorOAuth>,
    service_auth: Option<&CreateConnectorServiceAuth>,
) -> Option<String> {
    match (oauth, service_auth) {
        (Some(_), _) => Some("oauth".into()),
        (None, Some(_)) => Some("service_auth".into()),
        (None, None) => None,
    }
}

/// The OAuth settings as the API returns them: everything but the secret.
fn returned_oauth(oauth: CreateConnectorOAuth) -> ConnectorOAuth {
    ConnectorOAuth {
        client_id: Some(oauth.client_id),
        client_secret: None,
        authorize_url: oauth.authorize_url,
        token_url: oauth.token_url,
        scope: oauth.scope,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raw::types::{AuthTokenType, UpdateConnectorRequestExcludes};

    fn request(name: &str) -> CreateConnectorRequest {
        CreateConnectorRequest {
            name: name.into(),
            url: "https://search.example.com".into(),
            description: None,
            excludes: Vec::new(),
            active: true,
            continue_on_failure: false,
            oauth: None,
            service_auth: None,
        }
    }

    #[test]
    fn ids_come_from_names_and_are_unique() {
        let store = Store::default();
        let ids: Vec<String> = ["Sales Force!", "sales force", "  ", "Ünï"]
            .iter()
            .map(|name| store.create(request(name)).map(|c| c.id))
            .filter_map(Result::ok)
            .collect();
        assert_eq!(ids, ["sales-force", "sales-force-2", "n"]);
        assert_eq!(
            store.create(request("  ")).unwrap_err().status,
            422,
            "a blank name is refused"
        );
    }

    #[test]
    fn listing_is_newest_first_with_a_total() {
        let store = Store::default();
        for name in ["a", "b", "c"] {
            store.create(request(name)).unwrap();
        }
        let (page, total) = store.list(2, 0);
        assert_eq!(total, 3);
        let ids: Vec<&str> = page.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["c", "b"]);
        let (page, _) = store.list(2, 2);
        assert_eq!(page[0].id, "a");
    }

    #[test]
    fn secrets_are_kept_but_never_returned() {
        let store = Store::default();
        let mut with_oauth = request("o");
        with_oauth.oauth = Some(CreateConnectorOAuth {
            client_id: "id".into(),
            client_secret: "s3cret".into(),
            authorize_url: "https://auth.example.com/authorize".into(),
            token_url: "https://auth.example.com/token".into(),
            scope: Some("read".into()),
        });
        let created = store.create(with_oauth).unwrap();
        assert_eq!(created.oauth.as_ref().unwrap().client_secret, None);
        assert_eq!(created.auth_status.as_deref(), Some(""));
        assert_eq!(store.secrets("o").0.as_deref(), Some("s3cret"));

        let mut with_token = request("t");
        with_token.service_auth = Some(CreateConnectorServiceAuth {
            type_: AuthTokenType::Bearer,
            token: "t0ken".into(),
        });
        let created = store.create(with_token).unwrap();
        assert!(!serde_json::to_string(&created).unwrap().contains("t0ken"));
        assert_eq!(store.secrets("t").1.as_deref(), Some("t0ken"));
    }

    #[test]
    fn updates_change_only_what_is_sent() {
        let store = Store::default();
        let mut original = request("u");
        original.excludes = vec!["x".into()];
        let created = store.create(original).unwrap();
        let updated = store
            .update(
                "u",
                UpdateConnectorRequest {
                    active: Some(false),
                    excludes: Some(UpdateConnectorRequestExcludes(vec![])),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(updated.active, Some(false));
        assert!(updated.excludes.is_empty());
        assert_eq!(updated.name, created.name);
        assert_eq!(updated.continue_on_failure, created.continue_on_failure);
        assert!(updated.updated_at >= created.updated_at);
        assert_eq!(updated.created_at, created.created_at);
    }

    #[test]
    fn authorize_needs_oauth_and_builds_the_provider_url() {
        let store = Store::default();
        store.create(request("plain")).unwrap();
        assert_eq!(
            store
                .authorize("plain", "https://cb", "st")
                .unwrap_err()
                .status,
            400
        );
        let mut with_oauth = request("o");
        with_oauth.oauth = Some(CreateConnectorOAuth {
            client_id: "client 1".into(),
            client_secret: "s".into(),
            authorize_url: "https://auth.example.com/authorize?tenant=t".into(),
            token_url: "https://auth.example.com/token".into(),
            scope: Some("read write".into()),
        });
        store.create(with_oauth).unwrap();
        let url = store
            .authorize("o", "https://cb.example/done", "abc")
            .unwrap();
        assert_eq!(
            url,
            "https://auth.example.com/authorize?tenant=t&response_type=code&client_id=client+1&scope=read+write&redirect_uri=https%3A%2F%2Fcb.example%2Fdone&state=abc"
        );
        assert_eq!(
            store.authorize("missing", "x", "y").unwrap_err().status,
            404
        );
    }
}
