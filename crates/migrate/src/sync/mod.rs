//! Declarative management: compare an account with a set of connector
//! definitions (a [`Manifest`](crate::Manifest)), and make it match.
//!
//! [`plan`] lists the creates, the updates (field by field), the deletes (only with
//! [`PlanOptions::prune`]), and what cannot be compared or changed in place: secrets, which
//! the API never returns (re-send them with [`PlanOptions::resend_secrets`]); descriptions
//! and removing credentials, which its update cannot do. [`Plan::apply`] carries it out in a
//! safe order and stops at the first error with what was done; applying twice changes
//! nothing the second time.

mod apply;
mod diff;
mod plan;

pub use apply::{Applied, ApplyError};
pub use diff::FieldChange;
pub use plan::{Change, LineKind, Notice, Plan, PlanOptions, plan};

use crate::MigrateError;

/// Why a plan could not be made or applied.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// A call to the API failed.
    #[error(transparent)]
    Api(#[from] cohere_connectors::Error),
    /// The definitions are invalid or a secret they need cannot be resolved.
    #[error(transparent)]
    Definitions(#[from] MigrateError),
}
