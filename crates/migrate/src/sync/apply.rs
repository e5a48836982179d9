//! Applying a plan: only to the account it was made for, only to the connectors it saw, in a
//! safe order (creates, updates, deletes), stopping at the first error, and saying what was
//! done, what failed and what was not attempted.

use std::collections::HashSet;
use std::fmt;

use futures_util::TryStreamExt;
use serde::Serialize;

use super::SyncError;
use super::plan::{Change, Plan};
use super::request;
use crate::Secrets;
use cohere_connectors::text::{escape, one_line};
use cohere_connectors::{
    Client, Connector, ConnectorUpdate, NewConnector, RequestOptions, ServiceAuth,
};

/// One change made.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
#[non_exhaustive]
pub enum Applied {
    /// Created, with the id the API gave it.
    Created {
        /// The new id.
        id: String,
        /// Its name.
        name: String,
    },
    /// Updated.
    Updated {
        /// Its id.
        id: String,
        /// The fields changed.
        fields: Vec<String>,
    },
    /// Deleted.
    Deleted {
        /// Its id.
        id: String,
    },
}

impl fmt::Display for Applied {
    /// `created wiki ("Wiki")`, `updated wiki: url`, `deleted legacy`: ids and names the
    /// server chose are escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created { id, name } => {
                write!(f, "created {} (\"{}\")", escape(id), escape(name))
            }
            Self::Updated { id, fields } => {
                write!(f, "updated {}: {}", escape(id), fields.join(", "))
            }
            Self::Deleted { id } => write!(f, "deleted {}", escape(id)),
        }
    }
}

/// A change of a plan, named: what failed, or was not attempted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Step {
    /// `create`, `update` or `delete`.
    pub action: &'static str,
    /// The connector's id (none for a create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name.
    pub name: String,
}

impl Step {
    fn of(change: &Change) -> Self {
        let action = match change {
            Change::Create { .. } => "create",
            Change::Update { .. } => "update",
            Change::Delete { .. } => "delete",
        };
        Self {
            action,
            id: change.id().map(str::to_owned),
            name: change.name().to_owned(),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{} {}", self.action, escape(id)),
            None => write!(f, "{} \"{}\"", self.action, escape(&self.name)),
        }
    }
}

/// What stopped an apply.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Failure {
    /// The change that failed; none when the apply was refused before any change.
    pub change: Option<Step>,
    /// Why (the error's text: escaped, never a secret).
    pub error: String,
}

/// What an apply did: every change of the plan is in exactly one of `done`, `failed` and
/// `not_attempted`. It serializes as `{"done": [...], "failed": {"change": ..., "error":
/// ...} | null, "not_attempted": [...]}`, on success and on failure alike.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ApplyReport {
    /// The changes made, in order.
    pub done: Vec<Applied>,
    /// What stopped the apply, if anything did.
    pub failed: Option<Failure>,
    /// The changes after the failure, not attempted.
    pub not_attempted: Vec<Step>,
}

/// An apply that stopped: its [`report`](Self::report) says what was done and what not.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub struct ApplyError {
    /// What was done, what failed, what was not attempted.
    pub report: ApplyReport,
    /// The failure.
    #[source]
    pub error: SyncError,
}

impl fmt::Display for ApplyError {
    /// The error, then what was done and what not: `... (1 done, 1 failed, 2 not attempted)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let failed = self
            .report
            .failed
            .as_ref()
            .is_some_and(|failure| failure.change.is_some());
        write!(
            f,
            "{} ({} done, {} failed, {} not attempted)",
            self.error,
            self.report.done.len(),
            usize::from(failed),
            self.report.not_attempted.len()
        )
    }
}

impl Plan {
    /// Makes the changes, with the client and secrets the plan was made with.
    ///
    /// Before anything, it checks that the account is still the one the plan saw: every
    /// connector it updates or deletes is there with the same `created_at`, `updated_at` and
    /// compared fields (an id deleted and created again is another connector); no connector
    /// appeared that a prune would have deleted, or that has the name of a connector it
    /// creates; and every secret its changes need resolves. Then creates, updates, deletes,
    /// in that order (nothing is deleted unless everything else worked), each update and
    /// delete preceded by reading the connector again, to act only on the one the plan saw.
    /// The API has no conditional writes: what changes between that read and the write (one
    /// round trip) is not seen. It stops at the first error. Applying a plan made from the
    /// result changes nothing.
    ///
    /// # Errors
    ///
    /// [`ApplyError`], whose report says what was done, what failed and what was not
    /// attempted.
    pub async fn apply(&self) -> Result<ApplyReport, ApplyError> {
        match &self.client {
            Some(client) => execute(self, client, &self.secrets).await,
            None => Err(refusal(self, SyncError::Unbound)),
        }
    }
}

/// A change with its request built.
enum Ready<'a> {
    Create(&'a Change, NewConnector),
    Update(&'a Change, &'a str, ConnectorUpdate),
    Delete(&'a Change, &'a str),
}

pub(crate) async fn execute(
    plan: &Plan,
    client: &Client,
    secrets: &Secrets,
) -> Result<ApplyReport, ApplyError> {
    let refused = |error| refusal(plan, error);
    let base_url = cohere_connectors::redact_url(client.base_url());
    if base_url != plan.base_url {
        return Err(refused(SyncError::OtherAccount {
            planned: escape(&plan.base_url).into_owned(),
            client: escape(&base_url).into_owned(),
        }));
    }
    let ready = prepare(plan, secrets).map_err(refused)?;
    let options = hiding_every_secret(&ready);
    still_as_seen(plan, client, &options)
        .await
        .map_err(refused)?;
    let mut report = ApplyReport::default();
    let mut steps = ready.into_iter();
    while let Some(step) = steps.next() {
        let change = match &step {
            Ready::Create(change, _) | Ready::Update(change, ..) | Ready::Delete(change, _) => {
                *change
            }
        };
        match run(plan, client, &options, step).await {
            Ok(applied) => report.done.push(applied),
            Err(error) => {
                report.failed = Some(Failure {
                    change: Some(Step::of(change)),
                    error: error.to_string(),
                });
                report.not_attempted = steps
                    .map(|rest| match rest {
                        Ready::Create(change, _)
                        | Ready::Update(change, ..)
                        | Ready::Delete(change, _) => Step::of(change),
                    })
                    .collect();
                return Err(ApplyError { report, error });
            }
        }
    }
    Ok(report)
}

/// An apply refused before its first change: every change not attempted.
fn refusal(plan: &Plan, error: SyncError) -> ApplyError {
    ApplyError {
        report: ApplyReport {
            done: Vec::new(),
            failed: Some(Failure {
                change: None,
                error: error.to_string(),
            }),
            not_attempted: plan.changes.iter().map(Step::of).collect(),
        },
        error,
    }
}

/// Every change with its request: all secrets are resolved before the first change, so that
/// an apply never stops half-way for a missing one.
fn prepare<'a>(plan: &'a Plan, secrets: &Secrets) -> Result<Vec<Ready<'a>>, SyncError> {
    plan.changes
        .iter()
        .map(|change| {
            Ok(match change {
                Change::Create { definition, .. } => {
                    Ready::Create(change, request::create(definition, secrets)?)
                }
                Change::Update {
                    id,
                    fields,
                    definition,
                    ..
                } => Ready::Update(change, id, request::update(definition, fields, secrets)?),
                Change::Delete { id, .. } => Ready::Delete(change, id),
            })
        })
        .collect()
}

/// Every call of an apply hides every secret the plan sends: a server that echoes one
/// connector's secret in the error of another change must not put it in the report.
fn hiding_every_secret(ready: &[Ready<'_>]) -> RequestOptions {
    let mut options = RequestOptions::new();
    for step in ready {
        let (oauth, auth) = match step {
            Ready::Create(_, new) => (new.oauth.as_ref(), new.service_auth.as_ref()),
            Ready::Update(_, _, update) => (update.oauth.as_ref(), update.service_auth.as_ref()),
            Ready::Delete(..) => (None, None),
        };
        if let Some(oauth) = oauth {
            options = options.redact(&oauth.client_secret);
        }
        for form in auth.into_iter().flat_map(ServiceAuth::secret_forms) {
            options = options.redact(&form);
        }
    }
    options
}

/// The account listed again, checked against what the plan saw.
async fn still_as_seen(
    plan: &Plan,
    client: &Client,
    options: &RequestOptions,
) -> Result<(), SyncError> {
    let now: Vec<Connector> = client
        .connectors()
        .list()
        .limit(100)
        .options(options.clone())
        .stream()
        .try_collect()
        .await?;
    let seen_ids: HashSet<&str> = plan.account.iter().map(|seen| seen.id.as_str()).collect();
    let creates: HashSet<&str> = plan
        .changes
        .iter()
        .filter(|change| matches!(change, Change::Create { .. }))
        .map(Change::name)
        .collect();
    let mut problems = Vec::new();
    for change in &plan.changes {
        let Some(id) = change.id() else { continue };
        match now.iter().find(|connector| connector.id == id) {
            None => problems.push(format!("`{}` is gone", one_line(id, 100))),
            Some(connector) => {
                if let Some(what) = changed(plan, id, connector) {
                    problems.push(what);
                }
            }
        }
    }
    for connector in now.iter().filter(|c| !seen_ids.contains(c.id.as_str())) {
        let id = one_line(&connector.id, 100);
        if plan.prune {
            problems.push(format!(
                "`{id}` appeared, and the plan would have deleted it had it seen it"
            ));
        } else if creates.contains(connector.name.as_str()) {
            problems.push(format!(
                "`{id}` appeared with the name of a connector the plan creates"
            ));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(SyncError::Changed {
        message: format!(
            "the account changed since the plan: {}; nothing was applied (plan again)",
            problems.join("; ")
        ),
    })
}

/// How `connector` (read now) differs from what the plan saw of `id`, if it does.
fn changed(plan: &Plan, id: &str, connector: &Connector) -> Option<String> {
    let Some(seen) = plan.seen(id) else {
        return Some(format!("`{}` was not seen by the plan", one_line(id, 100)));
    };
    let differences = seen.differences(connector);
    (!differences.is_empty()).then(|| {
        format!(
            "`{}` is not the connector the plan saw (its {} changed)",
            one_line(id, 100),
            differences.join(", ")
        )
    })
}

/// One change, an update or delete preceded by reading the connector again.
async fn run(
    plan: &Plan,
    client: &Client,
    options: &RequestOptions,
    step: Ready<'_>,
) -> Result<Applied, SyncError> {
    let connectors = client.connectors();
    match step {
        Ready::Create(change, request) => {
            let created = connectors
                .create_from(request)
                .options(options.clone())
                .send()
                .await?;
            Ok(Applied::Created {
                id: created.id.into_string(),
                name: change.name().to_owned(),
            })
        }
        Ready::Update(change, id, request) => {
            check_before(plan, client, options, id, "updated").await?;
            connectors
                .update_from(id, request)
                .options(options.clone())
                .send()
                .await?;
            let fields = match change {
                Change::Update { fields, .. } => fields.iter().map(|f| f.field.clone()).collect(),
                _ => Vec::new(),
            };
            Ok(Applied::Updated {
                id: id.to_owned(),
                fields,
            })
        }
        Ready::Delete(_, id) => {
            check_before(plan, client, options, id, "deleted").await?;
            connectors
                .delete(id)
                .options(options.clone())
                .send()
                .await?;
            Ok(Applied::Deleted { id: id.to_owned() })
        }
    }
}

/// Reads `id` again just before acting on it: it must be the connector the plan saw.
async fn check_before(
    plan: &Plan,
    client: &Client,
    options: &RequestOptions,
    id: &str,
    verb: &str,
) -> Result<(), SyncError> {
    let read = client.connectors().get(id).options(options.clone());
    let problem = match read.send().await {
        Ok(connector) => changed(plan, id, &connector),
        Err(error) if error.is_not_found() => Some(format!("`{}` is gone", one_line(id, 100))),
        Err(error) => return Err(error.into()),
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(SyncError::Changed {
            message: format!("{problem} since the plan: it was not {verb} (plan again)"),
        }),
    }
}
