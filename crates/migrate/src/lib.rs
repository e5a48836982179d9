//! Carrying connectors past the shutdown: export an account, recreate
//! it, and serve its connectors as Chat v2 tools.
//!
//! Cohere deprecated the Connectors API on 2025-09-15. It is closed to new accounts and kept
//! for existing ones until a shutdown date not yet announced; some accounts already get 404
//! on `GET /v1/connectors`, which this crate reports as
//! [`Error::is_retired`](cohere_connectors::Error::is_retired), without retrying. The way forward is
//! user-defined tools in Chat v2. The connector services themselves keep working: what goes
//! is Cohere calling them. This module moves that call into your code:
//!
//! 1. [`export`] (or [`export_file`]) writes every connector of an account to a
//!    [`Manifest`], secrets the API never returns as references to fill ([`SecretRef`]).
//! 2. [`ConnectorSearch`](cohere_connectors_kit::ConnectorSearch) calls a connector exactly as Cohere
//!    did; [`ConnectorTool`] and [`Toolbox`] wrap it as Chat v2 tools: a [`ToolDefinition`]
//!    per connector for the chat request, and an executor that answers the model's
//!    [`ToolCall`] with a [`ToolMessage`] of `document` blocks, `excludes` applied.
//! 3. A manifest also recreates an account ([`ManifestConnector::to_new_connector`]), for
//!    audits, copies, and the emulator.
//!
//! The shapes are the SDK's Chat v2 types (`cohere_connectors::chat`), re-exported here,
//! and checked against Cohere's own schemas (`ToolV2`, `ToolCallV2`, `ToolMessageV2`,
//! `ToolContent`, `DocumentContent`, `Document`) in the crate's tests.
//!
//! [`sync`] compares an account with a manifest and makes it match (plan and apply).
//!
//! [`mcp`] serves an account's connectors as one MCP server, over stdio or Streamable HTTP.
//!
//! [`oauth`] does what Cohere did for OAuth connectors: each user's consent, their tokens, kept
//! and refreshed, and the user's token in each tool call.
//!
//! [`tool_loop`] runs a chat over the connectors on Chat v2 ([`tool_loop::ConnectorChat`]):
//! the tool calls, the documents and the citations resolved to their connectors, as Cohere
//! did for v1 connectors.
//!
//! Depends on the SDK (`cohere-connectors`) and the connector kit (`cohere-connectors-kit`,
//! whose search client calls the connectors). The layers, bottom up: errors, files and
//! secrets; the manifest; export and the tools; the MCP server and the tool loop (over the
//! tools, taking users' tokens from the OAuth broker); plan and apply.
#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![deny(clippy::arithmetic_side_effects)]

mod error;
mod export;
mod fs;
mod manifest;
pub mod mcp;
pub mod oauth;
mod secrets;
pub mod sync;
pub mod tool_loop;
mod toolbox;
mod tools;

pub use error::MigrateError;
pub use export::{ExportSummary, export, export_file};
pub use fs::{MAX_MANIFEST_BYTES, MAX_SECRET_FILE_BYTES};
pub use manifest::{
    InManifest, MANIFEST_VERSION, Manifest, ManifestConnector, ManifestOAuth, ManifestServiceAuth,
};
pub use secrets::{SecretRef, Secrets};
pub use toolbox::{ConnectorTool, ToolError, Toolbox};
pub use tools::{
    FunctionDefinition, FunctionKind, MAX_TOOL_NAME_CHARS, ToolCall, ToolCallFunction, ToolContent,
    ToolDefinition, ToolDocument, ToolMessage, ToolRole, is_valid_tool_name, tool_name,
};
