//! Declarative management: compare an account with a set of connector
//! definitions (a [`Manifest`](crate::Manifest)), and make it match.
//!
//! [`plan`] lists the creates, the updates (field by field), the deletes (only with
//! [`PlanOptions::prune`]), and what cannot be compared or changed in place: secrets, which
//! the API never returns (re-send them with [`PlanOptions::resend_secrets`]); descriptions
//! and removing credentials, which its update cannot do. The plan records what it saw of the
//! account. [`Plan::apply`] acts only on the connectors the plan saw, in a safe order, stops
//! at the first error, and reports what was done, what failed and what was not attempted
//! ([`ApplyReport`], also inside [`ApplyError`]); applying twice changes nothing the second
//! time.
//!
//! # Saved plans
//!
//! [`Plan::save`] writes a plan after review, and [`SavedPlan::apply`] applies that plan,
//! not a fresh one (as `terraform plan -out` and `apply`). The file is JSON, 0600, written
//! whole or not at all, and never holds a secret:
//!
//! ```json
//! {
//!   "format": "cohere-connectors plan",
//!   "version": 1,
//!   "made_at": "2025-10-01T12:00:00Z",
//!   "base_url": "https://api.cohere.com",
//!   "manifest": "sha256:…",
//!   "prune": true,
//!   "resend_secrets": false,
//!   "account": [
//!     {"id": "legacy", "name": "Legacy", "created_at": "…", "updated_at": "…",
//!      "url": "https://legacy.example.com/search", "active": true}
//!   ],
//!   "changes": [
//!     {"action": "create", "name": "Wiki", "url": "https://wiki.example.com/search",
//!      "definition": {"name": "Wiki", "url": "https://wiki.example.com/search",
//!        "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}},
//!     {"action": "delete", "id": "legacy", "name": "Legacy"}
//!   ],
//!   "notices": [],
//!   "counts": [1, 1]
//! }
//! ```
//!
//! - `account`: every connector as the plan saw it: id, `created_at`, `updated_at` and the
//!   fields a plan compares (URLs with a password hidden).
//! - `changes`: each with the definition it comes from, secrets as the manifest's references;
//!   updates list the fields they send. A plan whose changes need a secret the manifest holds
//!   in clear (an inline value, a password in a URL) is not saved.
//! - `base_url` (the API the plan was made against) and `manifest` (its digest) say what the
//!   plan is for.
//!
//! Applying a saved plan refuses, doing nothing, when the client is for another API, a secret
//! of its changes does not resolve from its reference, or the account changed since in a way
//! that matters: a connector it updates or deletes differs from what it saw (another
//! `created_at`: deleted and created again; another `updated_at` or field: changed), or a
//! connector appeared that a prune would have deleted or a create would collide with. A plan
//! file of another format or version is refused as it is read. `plan --json` prints this
//! document (an inline secret shown as `[redacted]`).

mod apply;
mod diff;
mod plan;
mod request;
mod saved;
mod seen;

pub use apply::{Applied, ApplyError, ApplyReport, Failure, Step};
pub use diff::FieldChange;
pub use plan::{Change, LineKind, Notice, Plan, PlanOptions, plan};
pub use saved::SavedPlan;
pub use seen::{Seen, SeenOAuth};

use crate::MigrateError;

/// The `format` of a saved plan.
pub const PLAN_FORMAT: &str = "cohere-connectors plan";

/// The version of the saved-plan format this crate writes (and the only one it reads).
pub const PLAN_VERSION: u32 = 1;

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
    /// The account is not the one the plan saw (a connector it acts on changed, was deleted
    /// or created again, or one appeared that it would have acted on): nothing was done to
    /// the connectors named.
    #[error("{message}")]
    Changed {
        /// Which connectors, and what changed.
        message: String,
    },
    /// The plan was made for another API than the client calls.
    #[error("the plan was made for {planned}, and the client is for {client}: nothing was applied")]
    OtherAccount {
        /// The base URL the plan was made against.
        planned: String,
        /// The client's.
        client: String,
    },
    /// A plan read with serde has no client: apply it with [`SavedPlan::apply`].
    #[error(
        "this plan has no client: read it with SavedPlan::read and apply it with SavedPlan::apply"
    )]
    Unbound,
}
