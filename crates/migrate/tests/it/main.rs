//! Migration and management through the public API: export, manifests, files, tools, plan and
//! apply.

mod common;
mod files;
mod manifests;
mod migrate;
mod oauth_flows;
mod oauth_setup;
mod sync;
mod tools;
mod world;
