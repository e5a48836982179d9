//! Applying a plan: creates, then updates, then deletes; stop at the first error.

use std::fmt;

use serde::Serialize;

use super::SyncError;
use super::plan::{Change, Plan};

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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Created { id, name } => write!(f, "created {id} ({name:?})"),
            Self::Updated { id, fields } => write!(f, "updated {id}: {}", fields.join(", ")),
            Self::Deleted { id } => write!(f, "deleted {id}"),
        }
    }
}

/// A plan stopped by an error: what was done before it, and the error.
#[derive(Debug, thiserror::Error)]
#[error("{error} (after {} change(s) applied)", done.len())]
pub struct ApplyError {
    /// The changes made before the failure.
    pub done: Vec<Applied>,
    /// The failure.
    #[source]
    pub error: SyncError,
}

impl Plan {
    /// Makes the changes in a safe order: creates, then updates, then deletes (nothing is
    /// deleted unless everything else worked). Stops at the first error, with what was done.
    /// Applying a plan made from the result changes nothing.
    ///
    /// # Errors
    ///
    /// [`ApplyError`] with the changes made and the error that stopped the rest.
    pub async fn apply(&self) -> Result<Vec<Applied>, ApplyError> {
        let mut done = Vec::new();
        let Some(client) = &self.client else {
            return Ok(done);
        };
        let connectors = client.connectors();
        for change in &self.changes {
            let outcome = match change {
                Change::Create { name, request, .. } => connectors
                    .create_from((**request).clone())
                    .send()
                    .await
                    .map(|created| Applied::Created {
                        id: created.id.into_string(),
                        name: name.clone(),
                    }),
                Change::Update {
                    id,
                    fields,
                    request,
                    ..
                } => connectors
                    .update_from(id.clone(), (**request).clone())
                    .send()
                    .await
                    .map(|_| Applied::Updated {
                        id: id.clone(),
                        fields: fields.iter().map(|field| field.field.clone()).collect(),
                    }),
                Change::Delete { id, .. } => connectors
                    .delete(id.clone())
                    .send()
                    .await
                    .map(|()| Applied::Deleted { id: id.clone() }),
            };
            match outcome {
                Ok(applied) => done.push(applied),
                Err(error) => {
                    return Err(ApplyError {
                        done,
                        error: error.into(),
                    });
                }
            }
        }
        Ok(done)
    }
}
