//! Planning: what would make an account match a set of definitions, and what the plan saw.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};

use super::diff::{FieldChange, updatable};
use super::request;
use super::seen::Seen;
use super::{SyncError, saved};
use crate::manifest::{AccountAuth, account_auth};
use crate::{Manifest, ManifestConnector, MigrateError, Secrets};
use cohere_connectors::text::{escape, one_line};
use cohere_connectors::{Client, Connector};

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

/// One change a [`Plan`] makes. It carries the definition it comes from (secrets as
/// references): apply builds the request from it, resolving the secrets then.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "lowercase", deny_unknown_fields)]
#[non_exhaustive]
pub enum Change {
    /// A connector no one of the account matches.
    Create {
        /// Its name.
        name: String,
        /// Its URL, as shown (a password in it hidden).
        url: String,
        /// The definition to create.
        #[serde(with = "saved::definition")]
        definition: Box<ManifestConnector>,
    },
    /// A connector whose fields differ (or whose secrets are re-sent).
    Update {
        /// Its id.
        id: String,
        /// Its name in the definition.
        name: String,
        /// What changes: only these fields are sent.
        fields: Vec<FieldChange>,
        /// The definition the fields come from.
        #[serde(with = "saved::definition")]
        definition: Box<ManifestConnector>,
    },
    /// A connector no definition matches (only with `prune`).
    Delete {
        /// Its id.
        id: String,
        /// Its name.
        name: String,
    },
}

impl Change {
    /// The id of the connector it acts on (none for a create).
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Create { .. } => None,
            Self::Update { id, .. } | Self::Delete { id, .. } => Some(id),
        }
    }

    /// The connector's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Create { name, .. } | Self::Update { name, .. } | Self::Delete { name, .. } => {
                name
            }
        }
    }
}

/// Something a plan cannot do or cannot know, said so instead of hidden.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Notice {
    /// The connector's id (or name, when it is to be created).
    pub connector: String,
    /// What it is about.
    pub message: String,
    /// Whether it is drift the plan cannot remove (as opposed to information).
    pub drift: bool,
}

/// What would make an account match its definitions, and what the plan saw of the account:
/// [`Display`](fmt::Display) is a readable diff; [`apply`](Self::apply) carries it out, acting
/// only on the connectors it saw; [`save`](Self::save) writes it for a later
/// [`SavedPlan::apply`](super::SavedPlan::apply) (see [the format](super#saved-plans)).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// `cohere-connectors plan`.
    pub(crate) format: String,
    /// The format's version: [`PLAN_VERSION`](super::PLAN_VERSION).
    pub(crate) version: u32,
    /// When the plan was made.
    pub made_at: DateTime<Utc>,
    /// The account's API, as the client called it (a password in it hidden).
    pub base_url: String,
    /// The manifest it was made from ([`Manifest::digest`]).
    pub manifest: String,
    /// Whether it deletes what no definition matches.
    pub prune: bool,
    /// Whether it re-sends the secrets of matched connectors.
    pub resend_secrets: bool,
    /// Every connector of the account, as the plan saw it.
    pub account: Vec<Seen>,
    /// The changes, in the order [`apply`](Self::apply) makes them: creates, updates, deletes.
    pub changes: Vec<Change>,
    /// What cannot be compared or changed in place.
    pub notices: Vec<Notice>,
    /// How many connectors the account has, and how many definitions there are.
    pub counts: (u64, usize),
    #[serde(skip)]
    pub(crate) client: Option<Client>,
    #[serde(skip)]
    pub(crate) secrets: Secrets,
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

    /// What the plan saw of the connector `id`.
    pub(crate) fn seen(&self, id: &str) -> Option<&Seen> {
        self.account.iter().find(|seen| seen.id == id)
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

/// `text` quoted, for a line of a plan: controls and bidi overrides escaped.
fn quoted(text: &str) -> String {
    format!("\"{}\"", escape(text))
}

impl Plan {
    /// The plan as lines of text, each with what it says: what [`Display`](fmt::Display)
    /// prints, for renderers that style them (the command-line tool colours them). Text from
    /// the account or the manifest is escaped.
    pub fn lines(&self) -> Vec<(LineKind, String)> {
        let mut lines = Vec::new();
        for change in &self.changes {
            match change {
                Change::Create { name, url, .. } => {
                    lines.push((
                        LineKind::Create,
                        format!("+ create {} ({})", quoted(name), escape(url)),
                    ));
                }
                Change::Update { id, fields, .. } => {
                    lines.push((LineKind::Update, format!("~ update {}", escape(id))));
                    lines.extend(
                        fields
                            .iter()
                            .map(|field| (LineKind::Field, format!("    {field}"))),
                    );
                }
                Change::Delete { id, name } => {
                    lines.push((
                        LineKind::Delete,
                        format!("- delete {} ({})", escape(id), quoted(name)),
                    ));
                }
            }
        }
        for notice in &self.notices {
            let kind = if notice.drift {
                LineKind::Drift
            } else {
                LineKind::Notice
            };
            lines.push((
                kind,
                format!("! {}: {}", escape(&notice.connector), notice.message),
            ));
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
/// them match. A definition is matched to the connector that has its id, otherwise to the one
/// that has its name (among those no id matched); a name two connectors share matches
/// neither, and the plan refuses rather than guess.
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
/// let planned = plan(&client, &desired, PlanOptions::new().prune(true)).await?;
/// assert_eq!(planned.summary(), (1, 1, 1));
/// println!("{planned}");
/// let report = planned.apply().await?;
/// assert_eq!(report.done.len(), 3);
/// let again = plan(&client, &desired, PlanOptions::new().prune(true)).await?;
/// assert!(again.is_empty());
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// When listing the account fails (a listing that ends short is an error, not a smaller
/// account), a definition's name is ambiguous, or a change needs a secret that cannot be
/// resolved.
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
    let matches = match_definitions(&account, desired)?;
    let mut matched = vec![false; account.len()];
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut notices = Vec::new();
    for (definition, found) in desired.connectors.iter().zip(&matches) {
        match found {
            None => {
                let url = request::create(definition, &secrets)?
                    .url
                    .redacted()
                    .into_owned();
                creates.push(Change::Create {
                    name: definition.definition.name.clone(),
                    url,
                    definition: Box::new(definition.clone()),
                });
            }
            Some(index) => {
                matched[*index] = true;
                let current = &account[*index];
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
    let unmatched = account
        .iter()
        .zip(&matched)
        .filter(|(_, matched)| !**matched);
    let mut deletes = Vec::new();
    for (connector, _) in unmatched {
        if options.prune {
            deletes.push(Change::Delete {
                id: connector.id.to_string(),
                name: connector.name.clone(),
            });
        } else {
            notices.push(Notice {
                connector: connector.id.to_string(),
                message: "not in the definitions; kept (prune to delete it)".into(),
                drift: false,
            });
        }
    }
    let mut changes = creates;
    changes.extend(updates);
    changes.extend(deletes);
    Ok(Plan {
        format: super::PLAN_FORMAT.to_owned(),
        version: super::PLAN_VERSION,
        made_at: Utc::now(),
        base_url: cohere_connectors::redact_url(client.base_url()).into_owned(),
        manifest: desired.digest(),
        prune: options.prune,
        resend_secrets: options.resend_secrets,
        account: account.iter().map(Seen::of).collect(),
        changes,
        notices,
        counts: (
            u64::try_from(account.len()).unwrap_or(u64::MAX),
            desired.connectors.len(),
        ),
        client: Some(client.clone()),
        secrets,
    })
}

/// For each definition, the account's connector it matches: by id first, then by name among
/// the connectors no id matched.
fn match_definitions(
    account: &[Connector],
    desired: &Manifest,
) -> Result<Vec<Option<usize>>, SyncError> {
    let by_id: HashMap<&str, usize> = account
        .iter()
        .enumerate()
        .map(|(index, connector)| (connector.id.as_str(), index))
        .collect();
    let mut matches: Vec<Option<usize>> = desired
        .connectors
        .iter()
        .map(|definition| {
            definition
                .id
                .as_deref()
                .and_then(|id| by_id.get(id))
                .copied()
        })
        .collect();
    let taken: Vec<usize> = matches.iter().flatten().copied().collect();
    let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, connector) in account.iter().enumerate() {
        if !taken.contains(&index) {
            by_name
                .entry(connector.name.as_str())
                .or_default()
                .push(index);
        }
    }
    for (index, definition) in desired.connectors.iter().enumerate() {
        if matches[index].is_some() {
            continue;
        }
        let named = by_name
            .get(definition.definition.name.as_str())
            .map_or(&[][..], Vec::as_slice);
        match named {
            [] => {}
            [one] => {
                if let Some(other) = matches.iter().position(|m| *m == Some(*one)) {
                    return Err(ambiguous(format!(
                        "connectors[{other}] and connectors[{index}] are both matched to the connector `{}` by the name `{}`: give them ids",
                        one_line(&account[*one].id, 100),
                        one_line(&definition.definition.name, 100)
                    )));
                }
                matches[index] = Some(*one);
            }
            several => {
                let mut ids: Vec<&str> =
                    several.iter().map(|at| account[*at].id.as_str()).collect();
                ids.sort_unstable();
                let ids: Vec<String> = ids
                    .into_iter()
                    .map(|id| format!("`{}`", one_line(id, 100)))
                    .collect();
                return Err(ambiguous(format!(
                    "connectors[{index}] (`{}`) is matched by name, and {} connectors of the account have it ({}): give it the id of the one it means",
                    definition.shown_label(),
                    several.len(),
                    ids.join(", ")
                )));
            }
        }
    }
    Ok(matches)
}

fn ambiguous(message: String) -> SyncError {
    MigrateError::manifest(message).into()
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
    let has = account_auth(current);
    let wants_service = desired.definition.service_auth.is_some();
    let wants_oauth = desired.definition.oauth.is_some();
    let service_now = has == AccountAuth::Service;
    let oauth_now = has == AccountAuth::OAuth;
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
                auth_label(has)
            };
            fields.push(FieldChange::new("service_auth", from, "(sent)"));
        } else {
            notices.push(notice(
                "service_auth.token cannot be compared: the API never returns it (re-send it to be sure)".into(),
                false,
            ));
        }
    }
    if wants_oauth {
        if !oauth_now {
            fields.push(FieldChange::new("oauth", auth_label(has), "(sent)"));
        } else if resend_secrets && !oauth_fields_differ {
            fields.push(FieldChange::new(
                "oauth.client_secret",
                "(not comparable: never returned)",
                "(sent)",
            ));
        } else if !oauth_fields_differ {
            notices.push(notice(
                "oauth.client_secret cannot be compared: the API never returns it (re-send it to be sure)".into(),
                false,
            ));
        }
    }
    if fields.is_empty() {
        return Ok(None);
    }
    // Built now to find a secret that cannot be resolved before anything is applied.
    request::update(desired, &fields, secrets)?;
    Ok(Some(Change::Update {
        id: current.id.to_string(),
        name: desired.definition.name.clone(),
        fields,
        definition: Box::new(desired.clone()),
    }))
}

fn auth_label(auth: AccountAuth) -> &'static str {
    match auth {
        AccountAuth::Service => "service_auth",
        AccountAuth::OAuth => "oauth",
        AccountAuth::None => "(none)",
        AccountAuth::Other => "(other)",
    }
}
