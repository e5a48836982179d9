//! Migration and management through the public API: export, manifests, files, tools, plan and
//! apply.
#![forbid(unsafe_code)]

mod chat_loop;
mod common;
mod files;
mod manifests;
mod mcp;
mod mcp_hostile;
mod migrate;
mod oauth_callback;
mod oauth_flows;
mod oauth_mcp;
mod oauth_setup;
mod oauth_store;
mod oauth_token_endpoint;
mod sync;
mod tools;
mod world;
