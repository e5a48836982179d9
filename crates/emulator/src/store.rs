//! The emulator's data and the API's rules over it: ids, ordering, defaults, validation,
//! partial updates, secrets kept but never returned, and each caller's OAuth state.
//!
//! Connectors are kept in a map by id and in an index by creation order, so that a page
//! costs O(limit) under a read lock whatever the number of connectors.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

use super::reply::Refusal;
use super::verify::Target;
use super::wire::{
    ConnectorBody, CreateRequest, ListBody, OAuthBody, OAuthRequest, OneBody, ServiceAuthRequest,
    UpdateRequest,
};
use cohere_connectors::Secret;

/// The longest connector name the emulator accepts, in characters. Cohere documents no limit;
/// this one keeps ids (derived from names) short enough for any URL.
pub const MAX_NAME_CHARS: usize = 256;
/// The longest id the emulator derives from a name, before a `-2`, `-3`... suffix.
pub const MAX_ID_STEM_BYTES: usize = 100;
/// The most connectors one emulator holds.
pub const MAX_CONNECTORS: usize = 1_000_000;

/// Who is calling: the index of the API key they presented. OAuth authorizations belong to a
/// caller, as they belong to a user in the API.
pub(crate) type Caller = usize;

/// What the emulator's organization is called in the connectors it returns.
pub(crate) const ORGANIZATION_ID: &str = "emulator-organization";

/// The connectors of one emulated organization, safe to share between requests.
#[derive(Default)]
pub(crate) struct Store {
    state: RwLock<State>,
}

#[derive(Default)]
struct State {
    connectors: HashMap<Arc<str>, Stored>,
    /// `(sequence, id)` in creation order, oldest first: newest-first pages read it backwards.
    order: Vec<(u64, Arc<str>)>,
    next_sequence: u64,
    /// The latest `created_at` given: creation times never go backwards, so creation order
    /// and time order agree.
    last_created: Option<DateTime<Utc>>,
    /// For each id stem taken, the suffix to try next: a thousand connectors with one name
    /// cost a thousand lookups, not half a million.
    next_suffix: HashMap<String, u64>,
}

struct Stored {
    sequence: u64,
    id: Arc<str>,
    name: String,
    description: Option<String>,
    url: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    excludes: Vec<String>,
    active: bool,
    continue_on_failure: bool,
    auth: Credentials,
}

/// How a connector authenticates; secrets are kept, as the API keeps them, write-only.
enum Credentials {
    None,
    // Kept, never returned; read to call the connector when verifying it.
    Service {
        token_type: String,
        token: Secret,
    },
    OAuth {
        settings: OAuthSettings,
        /// Each caller's token for the data source.
        tokens: HashMap<Caller, UserToken>,
    },
}

pub(crate) struct OAuthSettings {
    pub client_id: String,
    pub client_secret: Secret,
    pub authorize_url: String,
    pub token_url: String,
    pub scope: Option<String>,
}

struct UserToken {
    /// Kept for what a connector would be sent; never returned by the API.
    #[allow(dead_code)]
    access_token: Secret,
    expires_at: Option<DateTime<Utc>>,
}

impl Store {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, State> {
        // Every change is a single insert, remove or field write: a panic elsewhere cannot
        // leave a half-written connector, so keep serving after one.
        self.state
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, State> {
        self.state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A page, newest first, and the total count, as the response body.
    pub(crate) fn list(&self, limit: usize, offset: usize, caller: Caller) -> Vec<u8> {
        let state = self.read();
        let end = state.order.len().saturating_sub(offset);
        let start = end.saturating_sub(limit);
        let connectors = state.order[start..end]
            .iter()
            .rev()
            .filter_map(|(_, id)| state.connectors.get(id))
            .map(|stored| stored.body(caller))
            .collect();
        to_json(&ListBody {
            connectors,
            total_count: state.connectors.len(),
        })
    }

    pub(crate) fn len(&self) -> usize {
        self.read().connectors.len()
    }

    pub(crate) fn create(
        &self,
        request: CreateRequest,
        caller: Caller,
    ) -> Result<Vec<u8>, Refusal> {
        let mut state = self.write();
        let id = insert(&mut state, request)?;
        Ok(to_json(&OneBody {
            connector: state.connectors[&id].body(caller),
        }))
    }

    /// Creates connectors without rendering answers (sample data).
    pub(crate) fn create_quietly(&self, request: CreateRequest) -> Result<(), Refusal> {
        insert(&mut self.write(), request).map(drop)
    }

    pub(crate) fn get(&self, id: &str, caller: Caller) -> Result<Vec<u8>, Refusal> {
        let state = self.read();
        let stored = state.connectors.get(id).ok_or_else(Refusal::not_found)?;
        Ok(to_json(&OneBody {
            connector: stored.body(caller),
        }))
    }

    /// Changes only what the request carries, and `updated_at`.
    pub(crate) fn update(
        &self,
        id: &str,
        request: UpdateRequest,
        caller: Caller,
    ) -> Result<Vec<u8>, Refusal> {
        if let Some(name) = &request.name {
            check_name(name)?;
        }
        if let Some(url) = &request.url {
            check_url("url", url)?;
        }
        let new_auth = match (request.oauth, request.service_auth) {
            (None, None) => None,
            (oauth, service) => Some(new_auth(oauth, service)?),
        };

        let mut state = self.write();
        let stored = state
            .connectors
            .get_mut(id)
            .ok_or_else(Refusal::not_found)?;
        if let Some(name) = request.name {
            stored.name = name;
        }
        if let Some(url) = request.url {
            stored.url = url;
        }
        if let Some(excludes) = request.excludes {
            stored.excludes = excludes;
        }
        if let Some(active) = request.active {
            stored.active = active;
        }
        if let Some(continue_on_failure) = request.continue_on_failure {
            stored.continue_on_failure = continue_on_failure;
        }
        // New credentials replace the old kind entirely (and any user's authorization).
        if let Some(auth) = new_auth {
            stored.auth = auth;
        }
        stored.updated_at = Utc::now().max(stored.updated_at);
        Ok(to_json(&OneBody {
            connector: stored.body(caller),
        }))
    }

    pub(crate) fn delete(&self, id: &str) -> Result<(), Refusal> {
        let mut state = self.write();
        let stored = state.connectors.remove(id).ok_or_else(Refusal::not_found)?;
        if let Ok(at) = state
            .order
            .binary_search_by_key(&stored.sequence, |(sequence, _)| *sequence)
        {
            state.order.remove(at);
        }
        Ok(())
    }

    /// The OAuth settings of a connector, for an authorization or a token exchange.
    pub(crate) fn oauth_settings<T>(
        &self,
        id: &str,
        read: impl FnOnce(&OAuthSettings) -> T,
    ) -> Result<T, Refusal> {
        let state = self.read();
        match &state
            .connectors
            .get(id)
            .ok_or_else(Refusal::not_found)?
            .auth
        {
            Credentials::OAuth { settings, .. } => Ok(read(settings)),
            _ => Err(Refusal::bad_request("the connector does not use OAuth")),
        }
    }

    /// Records `caller`'s token for the connector: its `auth_status` becomes `valid`.
    pub(crate) fn grant(
        &self,
        id: &str,
        caller: Caller,
        access_token: Secret,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(), Refusal> {
        let mut state = self.write();
        match &mut state
            .connectors
            .get_mut(id)
            .ok_or_else(Refusal::not_found)?
            .auth
        {
            Credentials::OAuth { tokens, .. } => {
                tokens.insert(
                    caller,
                    UserToken {
                        access_token,
                        expires_at,
                    },
                );
                Ok(())
            }
            _ => Err(Refusal::bad_request("the connector does not use OAuth")),
        }
    }

    /// Makes every caller's token for the connector expired; whether it had any.
    pub(crate) fn expire(&self, id: &str) -> bool {
        let mut state = self.write();
        let Some(Stored {
            auth: Credentials::OAuth { tokens, .. },
            ..
        }) = state.connectors.get_mut(id)
        else {
            return false;
        };
        let now = Utc::now();
        let past = now
            .checked_sub_signed(chrono::TimeDelta::seconds(1))
            .unwrap_or(now);
        for token in tokens.values_mut() {
            token.expires_at = Some(past);
        }
        !tokens.is_empty()
    }

    /// What a connector would be called with, after an update carrying `url` and
    /// `service_auth` (either may be absent: the stored one is used).
    pub(crate) fn call_target(
        &self,
        id: &str,
        url: Option<&str>,
        service_auth: Option<&ServiceAuthRequest>,
        oauth: bool,
    ) -> Result<Target, Refusal> {
        let state = self.read();
        let stored = state.connectors.get(id).ok_or_else(Refusal::not_found)?;
        let stored_service = match &stored.auth {
            Credentials::Service { token_type, token } => Some((token_type.clone(), token.clone())),
            _ => None,
        };
        // New credentials of either kind replace the old ones entirely.
        let (service_auth, oauth) = match (service_auth, oauth) {
            (Some(auth), _) => (Some((auth.token_type.clone(), auth.token.clone())), false),
            (None, true) => (None, true),
            (None, false) => (
                stored_service,
                matches!(stored.auth, Credentials::OAuth { .. }),
            ),
        };
        Ok(Target {
            url: url.unwrap_or(&stored.url).to_owned(),
            service_auth,
            oauth,
        })
    }

    /// The secrets the emulator holds for a connector (for tests: kept, never returned).
    #[cfg(test)]
    fn secrets(&self, id: &str) -> (Option<String>, Option<String>) {
        let state = self.read();
        match &state.connectors[id].auth {
            Credentials::OAuth { settings, .. } => {
                (Some(settings.client_secret.expose().to_owned()), None)
            }
            Credentials::Service { token, .. } => (None, Some(token.expose().to_owned())),
            Credentials::None => (None, None),
        }
    }
}

/// Checks a create request's fields (before its connector is called).
pub(crate) fn check_create(request: &CreateRequest) -> Result<(), Refusal> {
    check_name(&request.name)?;
    check_url("url", &request.url)?;
    if request.oauth.is_some() && request.service_auth.is_some() {
        return Err(Refusal::invalid(
            "oauth and service_auth cannot both be specified",
        ));
    }
    Ok(())
}

/// Checks `request` and adds the connector; its id.
fn insert(state: &mut State, request: CreateRequest) -> Result<Arc<str>, Refusal> {
    check_name(&request.name)?;
    check_url("url", &request.url)?;
    let auth = new_auth(request.oauth, request.service_auth)?;
    if state.connectors.len() >= MAX_CONNECTORS {
        return Err(Refusal::invalid(format!(
            "the emulator holds at most {MAX_CONNECTORS} connectors"
        )));
    }
    let id: Arc<str> = unique_id(state, &request.name).into();
    let now = Utc::now().max(state.last_created.unwrap_or_default());
    state.last_created = Some(now);
    let sequence = state.next_sequence;
    state.next_sequence = sequence.saturating_add(1);
    let stored = Stored {
        sequence,
        id: Arc::clone(&id),
        name: request.name,
        description: request.description,
        url: request.url,
        created_at: now,
        updated_at: now,
        excludes: request.excludes,
        active: request.active.unwrap_or(true),
        continue_on_failure: request.continue_on_failure.unwrap_or(false),
        auth,
    };
    state.order.push((sequence, Arc::clone(&id)));
    state.connectors.insert(Arc::clone(&id), stored);
    Ok(id)
}

impl Stored {
    fn body(&self, caller: Caller) -> ConnectorBody<'_> {
        let (auth_type, oauth, auth_status) = match &self.auth {
            Credentials::None => (None, None, None),
            Credentials::Service { .. } => (Some("service_auth"), None, None),
            Credentials::OAuth { settings, tokens } => (
                Some("oauth"),
                Some(OAuthBody {
                    client_id: &settings.client_id,
                    authorize_url: &settings.authorize_url,
                    token_url: &settings.token_url,
                    scope: settings.scope.as_deref(),
                }),
                tokens.get(&caller).map(UserToken::status),
            ),
        };
        ConnectorBody {
            id: &self.id,
            organization_id: ORGANIZATION_ID,
            name: &self.name,
            description: self.description.as_deref(),
            url: &self.url,
            created_at: &self.created_at,
            updated_at: &self.updated_at,
            excludes: &self.excludes,
            auth_type,
            oauth,
            auth_status,
            active: self.active,
            continue_on_failure: self.continue_on_failure,
        }
    }
}

impl UserToken {
    fn status(&self) -> &'static str {
        match self.expires_at {
            Some(at) if at <= Utc::now() => "expired",
            _ => "valid",
        }
    }
}

fn to_json(body: &impl serde::Serialize) -> Vec<u8> {
    // The bodies are plain structs of strings, booleans and numbers: serializing cannot fail.
    serde_json::to_vec(body).unwrap_or_default()
}

/// The id the API derives from a name: lower case, runs of anything else turned into one
/// dash, at most [`MAX_ID_STEM_BYTES`], and a numeric suffix when taken.
fn unique_id(state: &mut State, name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if slug.len() >= MAX_ID_STEM_BYTES {
            break;
        }
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    let base = if slug.is_empty() { "connector" } else { slug };
    if !state.connectors.contains_key(base) {
        return base.to_owned();
    }
    let next = state.next_suffix.entry(base.to_owned()).or_insert(2);
    loop {
        let candidate = format!("{base}-{next}");
        *next = next.saturating_add(1);
        if !state.connectors.contains_key(candidate.as_str()) {
            return candidate;
        }
    }
}

fn check_name(name: &str) -> Result<(), Refusal> {
    if name.trim().is_empty() {
        return Err(Refusal::invalid("name must not be empty"));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(Refusal::invalid(format!(
            "name must be at most {MAX_NAME_CHARS} characters"
        )));
    }
    Ok(())
}

/// URLs are not echoed back: they may carry credentials.
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

fn new_auth(
    oauth: Option<OAuthRequest>,
    service_auth: Option<ServiceAuthRequest>,
) -> Result<Credentials, Refusal> {
    match (oauth, service_auth) {
        (Some(_), Some(_)) => Err(Refusal::invalid(
            "oauth and service_auth cannot both be specified",
        )),
        (Some(oauth), None) => {
            check_url("oauth.authorize_url", &oauth.authorize_url)?;
            check_url("oauth.token_url", &oauth.token_url)?;
            if oauth.client_id.trim().is_empty() || oauth.client_secret.is_empty() {
                return Err(Refusal::invalid(
                    "oauth.client_id and oauth.client_secret must not be empty",
                ));
            }
            Ok(Credentials::OAuth {
                settings: OAuthSettings {
                    client_id: oauth.client_id,
                    client_secret: oauth.client_secret,
                    authorize_url: oauth.authorize_url,
                    token_url: oauth.token_url,
                    scope: oauth.scope,
                },
                tokens: HashMap::new(),
            })
        }
        (None, Some(service)) => {
            if service.token.is_empty() {
                return Err(Refusal::invalid("service_auth.token must not be empty"));
            }
            Ok(Credentials::Service {
                token_type: service.token_type,
                token: service.token,
            })
        }
        (None, None) => Ok(Credentials::None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn create(store: &Store, body: Value) -> Result<Value, Refusal> {
        let request = CreateRequest::parse(body.to_string().as_bytes())?;
        store
            .create(request, 0)
            .map(|bytes| serde_json::from_slice(&bytes).unwrap())
    }

    fn named(name: &str) -> Value {
        json!({"name": name, "url": "https://search.example.com"})
    }

    #[test]
    fn ids_come_from_names_are_unique_and_bounded() {
        let store = Store::default();
        let ids: Vec<String> = ["Sales Force!", "sales force", "Ünï"]
            .iter()
            .map(|name| create(&store, named(name)).unwrap()["connector"]["id"].to_string())
            .collect();
        assert_eq!(ids, ["\"sales-force\"", "\"sales-force-2\"", "\"n\""]);
        assert_eq!(create(&store, named("  ")).unwrap_err().status, 422);
        let long = create(&store, named(&"ab ".repeat(85))).unwrap();
        assert!(long["connector"]["id"].as_str().unwrap().len() <= MAX_ID_STEM_BYTES);
        let refused = create(&store, named(&"x".repeat(MAX_NAME_CHARS + 1))).unwrap_err();
        assert_eq!(refused.status, 422);
    }

    #[test]
    fn listing_is_newest_first_with_a_total() {
        let store = Store::default();
        for name in ["a", "b", "c", "d"] {
            create(&store, named(name)).unwrap();
        }
        store.delete("b").unwrap();
        let page: Value = serde_json::from_slice(&store.list(2, 0, 0)).unwrap();
        assert_eq!(page["total_count"], 3);
        let ids: Vec<&str> = page["connectors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["d", "c"]);
        let rest: Value = serde_json::from_slice(&store.list(2, 2, 0)).unwrap();
        assert_eq!(rest["connectors"][0]["id"], "a");
        let beyond: Value = serde_json::from_slice(&store.list(2, 99, 0)).unwrap();
        assert_eq!(beyond["connectors"], json!([]));
    }

    #[test]
    fn secrets_are_kept_never_returned_and_auth_status_is_per_caller() {
        let store = Store::default();
        let mut with_oauth = named("o");
        with_oauth["oauth"] = json!({
            "client_id": "id", "client_secret": "s3cret-value",
            "authorize_url": "https://auth.example.com/a", "token_url": "https://auth.example.com/t",
        });
        let created = create(&store, with_oauth).unwrap();
        assert!(!created.to_string().contains("s3cret-value"));
        assert!(created["connector"].get("auth_status").is_none());
        assert_eq!(store.secrets("o").0.as_deref(), Some("s3cret-value"));

        store.grant("o", 1, Secret::from("access"), None).unwrap();
        let for_one: Value = serde_json::from_slice(&store.get("o", 1).unwrap()).unwrap();
        let for_zero: Value = serde_json::from_slice(&store.get("o", 0).unwrap()).unwrap();
        assert_eq!(for_one["connector"]["auth_status"], "valid");
        assert!(for_zero["connector"].get("auth_status").is_none());
        assert!(store.expire("o"));
        let expired: Value = serde_json::from_slice(&store.get("o", 1).unwrap()).unwrap();
        assert_eq!(expired["connector"]["auth_status"], "expired");

        let mut with_token = named("t");
        with_token["service_auth"] = json!({"type": "bearer", "token": "t0ken-value"});
        let created = create(&store, with_token).unwrap();
        assert!(!created.to_string().contains("t0ken-value"));
        assert_eq!(store.secrets("t").1.as_deref(), Some("t0ken-value"));
    }

    #[test]
    fn updates_change_only_what_is_sent() {
        let store = Store::default();
        let mut original = named("u");
        original["excludes"] = json!(["x"]);
        let created = create(&store, original).unwrap()["connector"].clone();
        let request = UpdateRequest::parse(br#"{"active": false, "excludes": []}"#).unwrap();
        let updated: Value =
            serde_json::from_slice(&store.update("u", request, 0).unwrap()).unwrap();
        let updated = &updated["connector"];
        assert_eq!(updated["active"], false);
        assert_eq!(updated["excludes"], json!([]));
        for same in ["name", "continue_on_failure", "created_at", "url"] {
            assert_eq!(updated[same], created[same], "{same}");
        }
    }
}
