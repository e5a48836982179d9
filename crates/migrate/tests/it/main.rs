//! Migration and management through the public API: export, manifests, tools, plan and apply.

mod migrate;
mod sync;
