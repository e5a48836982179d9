//! Migration and management through the public API: export, manifests, files, tools, plan and
//! apply.

mod chat_loop;
mod common;
mod files;
mod manifests;
mod migrate;
mod sync;
mod tools;
mod world;
