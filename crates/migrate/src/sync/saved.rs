//! Saved plans: a plan written to a file after review, applied later exactly as reviewed, or
//! not at all if the account changed (see [the format](super#saved-plans)).

use std::path::Path;

use serde::Deserialize;

use super::apply::{ApplyError, ApplyReport};
use super::plan::{Change, Plan};
use super::{PLAN_FORMAT, PLAN_VERSION};
use crate::fs::{MAX_MANIFEST_BYTES, read_text, replace};
use crate::manifest::error_kind;
use crate::secrets::shown_path;
use crate::{Manifest, ManifestConnector, MigrateError, SecretRef, Secrets};
use cohere_connectors::Client;

/// A plan read back from a file written by [`Plan::save`]: what was reviewed, to apply with a
/// client and the secrets (resolved again, from the same references).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::sync::{PlanOptions, SavedPlan, plan};
/// use cohere_connectors_migrate::{Manifest, Secrets};
///
/// let emulator = cohere_connectors_emulator::Emulator::start().await?;
/// let client = emulator.client()?;
/// let desired = Manifest::from_json(r#"{"version": 1, "connectors": [
///     {"name": "Wiki", "url": "https://wiki.example.com/search",
///      "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}
/// ]}"#)?;
/// let secrets = Secrets::none().with("WIKI_TOKEN", "t0ken-123");
///
/// // In review: plan, and save what was reviewed.
/// let path = std::env::temp_dir().join(format!("plan-doc-{}.json", std::process::id()));
/// plan(&client, &desired, PlanOptions::new().secrets(secrets.clone())).await?.save(&path)?;
/// assert!(!std::fs::read_to_string(&path)?.contains("t0ken-123"));
///
/// // In CD: apply that plan, not a fresh one.
/// let saved = SavedPlan::read(&path)?;
/// println!("{}", saved.plan());
/// let report = saved.apply(&client, &secrets).await?;
/// assert_eq!(report.done.len(), 1);
///
/// // The account changed since (by this very apply): the plan applies once.
/// let again = saved.apply(&client, &secrets).await.unwrap_err();
/// assert!(again.report.done.is_empty());
/// # std::fs::remove_file(&path)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct SavedPlan {
    plan: Plan,
}

impl Plan {
    /// The plan as its file holds it (see [the format](super#saved-plans)).
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidPlan`] when a change needs a secret the manifest holds in clear
    /// (an inline `{"value": ...}`, a password in a URL): a saved plan never holds a secret,
    /// and apply would have nothing to resolve it from.
    pub fn to_json(&self) -> Result<String, MigrateError> {
        for change in &self.changes {
            if let Change::Create { definition, .. } | Change::Update { definition, .. } = change
                && let Some(field) = secret_in_clear(definition)
            {
                return Err(MigrateError::invalid_plan(format!(
                    "connector `{}`: its {field} is in the manifest in clear, and a saved plan never holds a secret: reference it (env or file)",
                    definition.shown_label()
                )));
            }
        }
        serde_json::to_string_pretty(self)
            .map(|json| json + "\n")
            .map_err(|error| MigrateError::invalid_plan(error.to_string()))
    }

    /// Writes the plan to `path` for a later [`SavedPlan::apply`]: whole or not at all (a
    /// temporary file created exclusively beside it, renamed over it), mode 0600 (or that of
    /// the file it replaces), never a secret.
    ///
    /// # Errors
    ///
    /// As [`to_json`](Self::to_json), and when the file cannot be written.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), MigrateError> {
        let path = path.as_ref();
        let json = self.to_json()?;
        replace(path, json.as_bytes())
            .map_err(|error| MigrateError::io(format!("cannot write {}", shown_path(path)), error))
    }
}

/// The first secret `definition` holds in clear, by field.
fn secret_in_clear(definition: &ManifestConnector) -> Option<&'static str> {
    if let Some((kind, _)) = definition
        .secret_references()
        .find(|(_, reference)| matches!(reference, SecretRef::Value(_)))
    {
        return Some(kind.field());
    }
    let url = definition.definition.url.as_ref()?;
    url.password().map(|_| "url password")
}

impl SavedPlan {
    /// Reads a plan written by [`Plan::save`]: a regular file (links followed; a FIFO, a
    /// directory or a device refused without waiting) of at most 16 MiB.
    ///
    /// # Errors
    ///
    /// When the file cannot be read, or as [`from_json`](Self::from_json).
    pub fn read(path: impl AsRef<Path>) -> Result<Self, MigrateError> {
        let path = path.as_ref();
        let text = read_text(path, MAX_MANIFEST_BYTES).map_err(|error| {
            MigrateError::io(format!("cannot read {}", shown_path(path)), error)
        })?;
        Self::from_json(&text)
    }

    /// Reads a plan from its JSON.
    ///
    /// # Errors
    ///
    /// [`MigrateError::InvalidPlan`] when it is not a plan of this format and version, its
    /// definitions break a manifest's rules, or it holds a secret. The message quotes no
    /// value.
    pub fn from_json(json: &str) -> Result<Self, MigrateError> {
        #[derive(Deserialize)]
        #[serde(rename = "saved plan")]
        struct Header {
            format: Option<String>,
            version: Option<u32>,
        }
        let invalid = |error: serde_json::Error| {
            MigrateError::invalid_plan(format!(
                "{} (line {}, column {})",
                error_kind(&error),
                error.line(),
                error.column()
            ))
        };
        let header: Header = serde_json::from_str(json).map_err(invalid)?;
        if header.format.as_deref() != Some(PLAN_FORMAT) {
            return Err(MigrateError::invalid_plan(format!(
                "it is not a saved plan (its `format` is not \"{PLAN_FORMAT}\")"
            )));
        }
        if header.version != Some(PLAN_VERSION) {
            return Err(MigrateError::invalid_plan(format!(
                "version {} is not supported (this crate reads version {PLAN_VERSION})",
                header
                    .version
                    .map_or_else(|| "(none)".to_owned(), |v| v.to_string())
            )));
        }
        let plan: Plan = serde_json::from_str(json).map_err(invalid)?;
        let definitions: Vec<ManifestConnector> = plan
            .changes
            .iter()
            .filter_map(|change| match change {
                Change::Create { definition, .. } | Change::Update { definition, .. } => {
                    Some((**definition).clone())
                }
                Change::Delete { .. } => None,
            })
            .collect();
        if let Some(field) = definitions.iter().find_map(secret_in_clear) {
            return Err(MigrateError::invalid_plan(format!(
                "a definition holds its {field} in clear: a saved plan never holds a secret"
            )));
        }
        Manifest::new(definitions)
            .validate()
            .map_err(|error| MigrateError::invalid_plan(error.to_string()))?;
        Ok(Self { plan })
    }

    /// The plan, to show before applying it.
    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Applies the plan to the account of `client`, the secrets of its changes resolved with
    /// `secrets` from the references the manifest had. Nothing is done when the client is
    /// for another API than the plan was made for, a secret cannot be resolved, or the account
    /// changed since the plan in a way that matters (a connector it acts on differs, one
    /// appeared that a prune would have deleted or a create would collide with); each update
    /// and delete is checked again just before it is made (see [`Plan::apply`]).
    ///
    /// # Errors
    ///
    /// [`ApplyError`], with the report of what was done, what failed, and what was not
    /// attempted.
    pub async fn apply(
        &self,
        client: &Client,
        secrets: &Secrets,
    ) -> Result<ApplyReport, ApplyError> {
        super::apply::execute(&self.plan, client, secrets).await
    }
}

/// A change's definition in a plan file: secrets that are references as they are, an inline
/// value or a URL password (which [`Plan::to_json`] refuses to save, and `plan --json` shows)
/// as `[redacted]`.
pub(crate) mod definition {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::{ManifestConnector, SecretRef};
    use cohere_connectors::Secret;
    use cohere_connectors::text::REDACTED;

    #[allow(clippy::borrowed_box)]
    pub(crate) fn serialize<S: Serializer>(
        definition: &Box<ManifestConnector>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        let mut shown = (**definition).clone();
        let hide = |reference: &mut SecretRef| {
            if let SecretRef::Value(_) = reference {
                *reference = SecretRef::Value(Secret::new(REDACTED));
            }
        };
        if let Some(auth) = &mut shown.definition.service_auth {
            hide(&mut auth.token);
        }
        if let Some(oauth) = &mut shown.definition.oauth {
            hide(&mut oauth.client_secret);
        }
        if let Some(password) = &mut shown.url_password {
            hide(password);
        }
        if let Some(url) = &shown.definition.url {
            shown.definition.url = Some(url.redacted().into_owned().into());
        }
        shown.serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Box<ManifestConnector>, D::Error> {
        ManifestConnector::deserialize(deserializer).map(Box::new)
    }
}
