//! An account's connectors as one MCP server: a tool per active connector, each call made to
//! the connector exactly as the [`Toolbox`](crate::Toolbox) makes it (as Cohere did: service
//! auth, `excludes`, the 30-second deadline), its documents scrubbed of the connector's
//! secrets and escaped.
//!
//! - [`McpServer`] is the server, built from a toolbox or a manifest and its secrets. It is
//!   an rmcp [`ServerHandler`](rmcp::ServerHandler): [`serve_stdio`](McpServer::serve_stdio)
//!   serves it to a desktop client (no authentication: the client started the process),
//!   and any rmcp transport serves it too.
//! - [`McpServer::http`] serves it over Streamable HTTP behind a bearer token (compared in
//!   constant time; several while one is rotated; a blank one refused when it is built),
//!   with the connector kit's limits and layers: [`McpHttp`] as an axum router to mount in
//!   an application, or bound to an address.
//! - A connector that fails (down, slow, refusing its token, answering garbage) answers its
//!   call with a tool error (`isError: true`) whose text, scrubbed and escaped, a client
//!   shows; the other tools keep working. A tool no connector has is a protocol error.
//! - A tool of an OAuth connector needs the user's token: [`UserTokens`] gives it, call by
//!   call. Without one, the call answers a tool error saying the user must sign in.
//!
//! The answers are the kit's ([`search_result`](cohere_connectors_kit::server::mcp::search_result)):
//! a text block per document and `{"documents": [...]}` as structured content, each document
//! with its citation id (the tool's name and the connector's id of it, as the toolbox writes
//! it), and its fields but the connector's `excludes`.

mod http;
mod oauth;
mod server;
mod tokens;

pub use http::McpHttp;
pub use oauth::BrokerTokens;
pub use server::McpServer;
pub use tokens::UserTokens;
