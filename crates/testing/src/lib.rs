//! What the tests of every crate of the workspace share:
//!
//! - [`upstream`]: Cohere's own OpenAPI definition as an independent reference, with a JSON
//!   Schema validator over its schemas (skipped with a printed reason on a developer's
//!   machine without it, a failure in CI);
//! - [`scripted`]: a TCP server that plays a script of replies, for the failures a mock HTTP
//!   server cannot produce;
//! - [`logs`]: what a test's code logs through `tracing`, captured as text;
//! - [`python`]: clients written by others (Cohere's Python SDKs, the MCP Python SDK) run
//!   against our servers, installed in CI and skipped with a printed reason elsewhere;
//! - [`shapes`]: connectors as the API returns them, heavy and light, shared with the
//!   benchmarks.
#![forbid(unsafe_code)]

pub mod logs;
pub mod python;
pub mod scripted;
pub mod shapes;
pub mod upstream;
