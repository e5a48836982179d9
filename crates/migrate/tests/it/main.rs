//! Migration and management through the public API: export, manifests, files, tools, plan and
//! apply.

mod manifests;
mod migrate;
mod sync;
