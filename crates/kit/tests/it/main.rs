//! The connector kit through its public API: the server, the search client and the checker.
#![forbid(unsafe_code)]

mod checker;
mod composition;
mod connections;
mod credentials;
mod handlers;
mod kit;
mod logging;
#[cfg(feature = "mcp")]
mod mcp;
#[cfg(feature = "mcp")]
mod mcp_hostile;
mod requests;
mod wire;
