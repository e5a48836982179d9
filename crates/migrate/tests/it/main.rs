//! Migration and management through the public API: export, manifests, files, tools, plan and
//! apply.

mod common;
mod files;
mod manifests;
mod migrate;
mod oauth_callback;
mod oauth_flows;
mod oauth_setup;
mod oauth_store;
mod oauth_token_endpoint;
mod sync;
mod tools;
mod world;
