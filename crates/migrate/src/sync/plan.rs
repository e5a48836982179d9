//! Planning: what would make an account match a set of definitions.

use std::collections::HashMap;
use std::fmt;

use futures_util::TryStreamExt;
use serde::Serialize;

use super::diff::{FieldChange, updatable};
use crate::manifest::{AccountAuth, account_auth};
use crate::{Manifest, ManifestConnector, Secrets};
use cohere_connectors::{AuthType, Client, Connector, ConnectorUpdate, NewConnector};

use super::SyncError;

/// How to plan.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct PlanOptions {
    /// Delete connectors of the account that no definition matches (default: leave them).
    pub prune: bool,
    /// Send the secrets of every matched connector again (the API never returns them, so they
    /// cannot be compared).
    pub resend_secrets: bool,
    /// Where secrets come from when a change needs them (default: the environment and files).
    pub secrets: Option<Secrets>,
}

impl PlanOptions {
    /// Default options: no pruning, secrets not re-sent, secrets from the environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Deletes connectors no definition matches.
    #[must_use]
    pub fn prune(mut self, prune: bool) -> Self {
        self.prune = prune;
        self
    }

    /// Re-sends the secrets of matched connectors.
    #[must_use]
    pub fn resend_secrets(mut self, resend: bool) -> Self {
        self.resend_secrets = resend;
        self
    }

    /// Resolves secrets with `secrets`.
    #[must_use]
    pub fn secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = Some(secrets);
        self
    }
}

/// One change a [`Plan`] makes.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Change {
    /// A connector no one of the account matches.
    Create {
        /// Its name.
        name: String,
        /// Its URL, as shown (a password in it hidden; the request has the real one).
        url: String,
        /// The request (secrets resolved; never serialized).
        #[serde(skip)]
        request: Box<NewConnector>,
    },
    /// A connector whose fields differ (or whose secrets are re-sent).
    Update {
        /// Its id.
        id: String,
        /// Its name in the definition.
        name: String,
        /// What changes.
        fields: Vec<FieldChange>,
        /// The request (secrets resolved; never serialized).
        #[serde(skip)]
        request: Box<ConnectorUpdate>,
    },
    /// A connector no definition matches (only with `prune`).
    Delete {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
}

/// Something a plan cannot do or cannot know, said so instead of hidden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Notice {
    /// The connector's id (or name, when it is to be created).
    pub connector: String,
    /// What it is about.
    pub message: String,
    /// Whether it is drift the plan cannot remove (as opposed to information).
    pub drift: bool,
}

/// What would make an account match its definitions: [`Display`](fmt::Display) is a readable
/// diff; [`apply`](Self::apply) carries it out.
#[derive(Clone, Debug, Serialize)]
pub struct Plan {
    /// The changes, in the order [`apply`](Self::apply) makes them: creates, updates, deletes.
    pub changes: Vec<Change>,
    /// What cannot be compared or changed in place.
    pub notices: Vec<Notice>,
    /// How many connectors the account has, and how many definitions there are.
    pub counts: (u64, usize),
    #[serde(skip)]
    pub(crate) client: Option<Client>,
}

impl Plan {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether the account differs from the definitions in a way this plan cannot remove
    /// (a description, removing auth): see [`notices`](Self::notices).
    pub fn has_drift(&self) -> bool {
        self.notices.iter().any(|notice| notice.drift)
    }

    /// How many creates, updates and deletes.
    pub fn summary(&self) -> (usize, usize, usize) {
        let count = |f: fn(&Change) -> bool| self.changes.iter().filter(|c| f(c)).count();
        (
            count(|c| matches!(c, Change::Create { .. })),
            count(|c| matches!(c, Change::Update { .. })),
            count(|c| matches!(c, Change::Delete { .. })),
        )
    }
}

/// What a line of a plan's text says, for a renderer that styles lines by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LineKind {
    /// `+ create ...`
    Create,
    /// `~ update ...`
    Update,
    /// A field of an update, indented.
    Field,
    /// `- delete ...`
    Delete,
    /// `! ...`: something the plan cannot compare, or leaves.
    Notice,
    /// `! ...`: a difference the plan cannot remove.
    Drift,
    /// The counts.
    Summary,
}

impl Plan {
    /// The plan as lines of text, each with what it says: what [`Display`](fmt::Display)
    /// prints, for renderers that style them (the command-line tool colours them).
    pub fn lines(&self) -> Vec<(LineKind, String)> {
        let mut lines = Vec::new();
        for change in &self.changes {
            match change {
                Change::Create { name, url, .. } => {
                    lines.push((LineKind::Create, format!("+ create {name:?} ({url})")));
                }
                Change::Update { id, fields, .. } => {
                    lines.push((LineKind::Update, format!("~ update {id}")));
                    lines.extend(
                        fields
                            .iter()
                            .map(|field| (LineKind::Field, format!("    {field}"))),
                    );
                }
                Change::Delete { id, name } => {
                    lines.push((LineKind::Delete, format!("- delete {id} ({name:?})")));
                }
            }
        }
        for notice in &self.notices {
            let kind = if notice.drift {
                LineKind::Drift
            } else {
                LineKind::Notice
            };
            lines.push((kind, format!("! {}: {}", notice.connector, notice.message)));
        }
        let (create, update, delete) = self.summary();
        lines.push((
            LineKind::Summary,
            format!(
                "{create} to create, {update} to update, {delete} to delete ({} connectors in the account, {} defined)",
                self.counts.0, self.counts.1
            ),
        ));
        lines
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines = self.lines();
        for (index, (_, line)) in lines.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            f.write_str(line)?;
        }
        Ok(())
    }
}

/// Compares the account of `client` with `desired` and returns the [`Plan`] that would make
/// them match. Definitions are matched to connectors by id when they have one that exists,
/// otherwise by name.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::Manifest;
/// use cohere_connectors_migrate::sync::{PlanOptions, plan};
///
/// let emulator = cohere_connectors_emulator::Emulator::start().await?;
/// let client = emulator.client()?;
/// client.connectors().create("Wiki", "https://old.example.com/search").await?;
/// client.connectors().create("Legacy", "https://legacy.example.com/search").await?;
///
/// let desired = Manifest::from_json(r#"{"version": 1, "connectors": [
///     {"name": "Wiki", "url": "https://wiki.example.com/search", "excludes": ["id"]},
///     {"name": "Tickets", "url": "https://tickets.example.com/search"}
/// ]}"#)?;
/// let plan = plan(&client, &desired, PlanOptions::new().prune(true)).await?;
/// assert_eq!(plan.summary(), (1, 1, 1));
/// println!("{plan}");
/// plan.apply().await?;
/// assert!(plan_again(&client, &desired).await?.is_empty());
/// # async fn plan_again(c: &cohere_connectors::Client, d: &Manifest) -> Result<cohere_connectors_migrate::sync::Plan, cohere_connectors_migrate::sync::SyncError> {
/// #     cohere_connectors_migrate::sync::plan(c, d, PlanOptions::new().prune(true)).await
/// # }
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// When listing the account fails, or a change needs a secret that cannot be resolved.
pub async fn plan(
    client: &Client,
    desired: &Manifest,
    options: PlanOptions,
) -> Result<Plan, SyncError> {
    desired.validate()?;
    let secrets = options.secrets.clone().unwrap_or_else(Secrets::from_env);
    let account: Vec<Connector> = client
        .connectors()
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await?;
    let by_id: HashMap<&str, usize> = account
        .iter()
        .enumerate()
        .map(|(index, connector)| (connector.id.as_str(), index))
        .collect();
    let by_name: HashMap<&str, usize> = account
        .iter()
        .enumerate()
        .map(|(index, connector)| (connector.name.as_str(), index))
        .collect();
    let mut matched = vec![false; account.len()];
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut notices = Vec::new();
    for definition in &desired.connectors {
        let found = definition
            .id
            .as_deref()
            .and_then(|id| by_id.get(id))
            .or_else(|| by_name.get(definition.definition.name.as_str()))
            .copied()
            .filter(|index| !matched[*index]);
        match found {
            None => {
                let request = definition.to_new_connector(&secrets)?;
                creates.push(Change::Create {
                    name: definition.definition.name.clone(),
                    url: request.url.redacted().into_owned(),
                    request: Box::new(request),
                });
            }
            Some(index) => {
                matched[index] = true;
                let current = &account[index];
                if let Some(change) = update_for(
                    current,
                    definition,
                    &secrets,
                    options.resend_secrets,
                    &mut notices,
                )? {
                    updates.push(change);
                }
            }
        }
    }
    let deletes: Vec<Change> = account
        .iter()
        .zip(&matched)
        .filter(|(_, matched)| !**matched)
        .map(|(connector, _)| Change::Delete {
            id: connector.id.to_string(),
            name: connector.name.clone(),
        })
        .collect();
    if !options.prune {
        for change in &deletes {
            if let Change::Delete { id, .. } = change {
                notices.push(Notice {
                    connector: id.clone(),
                    message: "not in the definitions; kept (prune to delete it)".into(),
                    drift: false,
                });
            }
        }
    }
    let mut changes = creates;
    changes.extend(updates);
    if options.prune {
        changes.extend(deletes);
    }
    Ok(Plan {
        changes,
        notices,
        counts: (
            u64::try_from(account.len()).unwrap_or(u64::MAX),
            desired.connectors.len(),
        ),
        client: Some(client.clone()),
    })
}

/// The update a matched connector needs, if any, and notices about what cannot be compared
/// or changed.
fn update_for(
    current: &Connector,
    desired: &ManifestConnector,
    secrets: &Secrets,
    resend_secrets: bool,
    notices: &mut Vec<Notice>,
) -> Result<Option<Change>, SyncError> {
    let desired_url = desired.search_url(secrets)?;
    let mut fields = updatable(current, desired, desired_url.as_deref());
    let mut request = ConnectorUpdate::new();
    let notice = |message: String, drift: bool| Notice {
        connector: current.id.to_string(),
        message,
        drift,
    };
    if desired.definition.description.is_some()
        && current.description != desired.definition.description
    {
        notices.push(notice(
            "the description differs, and the API cannot change it in place (delete and create the connector to change it)".into(),
            true,
        ));
    }
    let has = current.auth_type.clone();
    let wants_service = desired.definition.service_auth.is_some();
    let wants_oauth = desired.definition.oauth.is_some();
    let service_now = account_auth(current) == AccountAuth::Service;
    let oauth_now = account_auth(current) == AccountAuth::OAuth;
    if !wants_service && !wants_oauth && (service_now || oauth_now) {
        notices.push(notice(
            "the account has credentials the definition does not, and the API cannot remove them in place".into(),
            true,
        ));
    }
    let oauth_fields_differ = fields.iter().any(|field| field.field.starts_with("oauth."));
    if wants_service {
        if !service_now || resend_secrets {
            let from = if service_now {
                "(not comparable: never returned)"
            } else {
                auth_label(has.as_ref())
            };
            fields.push(FieldChange {
                field: "service_auth".into(),
                from: from.into(),
                to: "(sent)".into(),
            });
            request.service_auth = desired.service_auth(secrets)?;
        } else {
            notices.push(notice(
                "service_auth.token cannot be compared: the API never returns it (re-send it to be sure)".into(),
                false,
            ));
        }
    }
    if wants_oauth {
        if !oauth_now || resend_secrets || oauth_fields_differ {
            if !oauth_now {
                fields.push(FieldChange {
                    field: "oauth".into(),
                    from: auth_label(has.as_ref()).into(),
                    to: "(sent)".into(),
                });
            } else if resend_secrets && !oauth_fields_differ {
                fields.push(FieldChange {
                    field: "oauth.client_secret".into(),
                    from: "(not comparable: never returned)".into(),
                    to: "(sent)".into(),
                });
            }
            request.oauth = desired.oauth(secrets)?;
        } else {
            notices.push(notice(
                "oauth.client_secret cannot be compared: the API never returns it (re-send it to be sure)".into(),
                false,
            ));
        }
    }
    if fields.is_empty() {
        return Ok(None);
    }
    for field in &fields {
        match field.field.as_str() {
            "name" => request.name = Some(desired.definition.name.clone()),
            "url" => request.url = desired_url.clone(),
            "excludes" => request.excludes = Some(desired.definition.excludes.clone()),
            "active" => request.active = desired.definition.active,
            "continue_on_failure" => {
                request.continue_on_failure = desired.definition.continue_on_failure;
            }
            _ => {}
        }
    }
    Ok(Some(Change::Update {
        id: current.id.to_string(),
        name: desired.definition.name.clone(),
        fields,
        request: Box::new(request),
    }))
}

fn auth_label(auth: Option<&AuthType>) -> &'static str {
    match auth {
        Some(AuthType::ServiceAuth) => "service_auth",
        Some(AuthType::OAuth) => "oauth",
        None => "(none)",
        Some(_) => "(other)",
    }
}
