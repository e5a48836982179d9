//! [`McpServer`]: a toolbox as an MCP server.

use std::fmt;
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};
use serde_json::Value;

use super::http::McpHttp;
use super::tokens::UserTokens;
use crate::{
    Manifest, MigrateError, Secrets, ToolCall, ToolContent, ToolError, ToolMessage, Toolbox,
};
use cohere_connectors::Secret;
use cohere_connectors::text::one_line;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::AccessError;
use cohere_connectors_kit::server::mcp::{Citations, search_result, search_tool, tool_error};

/// What a client is told the server is for.
const INSTRUCTIONS: &str = "Each tool searches one of the account's connectors (a company's \
     knowledge sources) for documents relevant to a query; cite the documents by their `id`.";

/// An account's connectors as one MCP server: one tool per tool of its [`Toolbox`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::{Manifest, Secrets};
/// use cohere_connectors_migrate::mcp::McpServer;
///
/// let manifest: Manifest = serde_json::from_value(serde_json::json!({
///     "version": 1,
///     "connectors": [
///         {"id": "wiki", "name": "Wiki", "url": "https://wiki.example.com/search",
///          "description": "The engineering wiki",
///          "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}},
///         {"id": "old", "name": "Old", "url": "https://old.example.com/search", "active": false}
///     ]
/// }))?;
/// let server = McpServer::from_manifest(&manifest, &Secrets::none().with("WIKI_TOKEN", "t0ken-123"))?;
/// assert_eq!(server.toolbox().tools().len(), 1, "inactive connectors are left out");
///
/// // Over stdio, for a desktop client: `server.serve_stdio().await?`.
/// // Over Streamable HTTP, behind a bearer token, mounted in an app or bound:
/// let http = server.http(["an-mcp-bearer-token"])?;
/// let app: axum::Router = http.router();
/// # drop(app);
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use = "a server does nothing until it is served"]
pub struct McpServer {
    toolbox: Arc<Toolbox>,
    tokens: Option<Arc<dyn UserTokens>>,
    citations: Citations,
    info: Implementation,
}

impl McpServer {
    /// A server of `toolbox`'s tools.
    pub fn new(toolbox: Toolbox) -> Self {
        Self {
            toolbox: Arc::new(toolbox),
            tokens: None,
            citations: Citations::default(),
            info: Implementation::new("cohere-connectors", env!("CARGO_PKG_VERSION")),
        }
    }

    /// A server of a manifest's active connectors, their secrets resolved with `secrets`.
    ///
    /// # Errors
    ///
    /// The first connector whose URL or secrets are not usable (as [`Toolbox::from_manifest`]).
    pub fn from_manifest(manifest: &Manifest, secrets: &Secrets) -> Result<Self, MigrateError> {
        Toolbox::from_manifest(manifest, secrets).map(Self::new)
    }

    /// Where the tools of OAuth connectors get the user's token (none by default: their
    /// calls answer that the user must sign in).
    pub fn user_tokens(mut self, source: impl UserTokens) -> Self {
        self.tokens = Some(Arc::new(source));
        self
    }

    /// How documents are cited (default [`Citations::Fields`]; [`Citations::North`] adds
    /// North's citation metadata).
    pub fn citations(mut self, citations: Citations) -> Self {
        self.citations = citations;
        self
    }

    /// The name and version given to clients (default `cohere-connectors` and this crate's
    /// version).
    pub fn server_info(mut self, name: impl Into<String>, version: impl Into<String>) -> Self {
        self.info = Implementation::new(name, version);
        self
    }

    /// The tools it serves.
    pub fn toolbox(&self) -> &Toolbox {
        &self.toolbox
    }

    /// Serves one client over stdin and stdout (MCP's stdio transport, for desktop clients
    /// that start the server themselves) until stdin closes. Only protocol messages are
    /// written to stdout: log elsewhere.
    ///
    /// # Errors
    ///
    /// If the client never starts the protocol, or stdio fails.
    pub async fn serve_stdio(self) -> std::io::Result<()> {
        self.serve_io(tokio::io::stdin(), tokio::io::stdout()).await
    }

    /// Serves one client over `input` and `output` (a pipe, a socket), as
    /// [`serve_stdio`](Self::serve_stdio) does over stdio.
    ///
    /// # Errors
    ///
    /// If the client never starts the protocol, or reading or writing fails.
    pub async fn serve_io<R, W>(self, input: R, output: W) -> std::io::Result<()>
    where
        R: tokio::io::AsyncRead + Send + Unpin + 'static,
        W: tokio::io::AsyncWrite + Send + Unpin + 'static,
    {
        let running = rmcp::serve_server(self, (input, output))
            .await
            .map_err(|error| std::io::Error::other(one_line(&error.to_string(), 200)))?;
        running
            .waiting()
            .await
            .map(drop)
            .map_err(|error| std::io::Error::other(one_line(&error.to_string(), 200)))
    }

    /// The server over Streamable HTTP, for requests that carry `Authorization: Bearer
    /// <token>` with one of `tokens` (several while one is rotated).
    ///
    /// # Errors
    ///
    /// When no token is given, or one is empty, blank or holds whitespace (an unset
    /// variable must never become a server anyone can call).
    pub fn http<T: Into<Secret>>(
        self,
        tokens: impl IntoIterator<Item = T>,
    ) -> Result<McpHttp, AccessError> {
        McpHttp::new(self, tokens.into_iter().map(Into::into).collect())
    }

    /// Answers a call of `tool` as the toolbox does, the toolbox's failure as a tool error.
    async fn answer(
        &self,
        request: CallToolRequestParams,
        context: &RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let Some(tool) = self.toolbox.get(&request.name) else {
            return Err(ErrorData::invalid_params(
                format!("no tool is named `{}`", one_line(&request.name, 80)),
                None,
            ));
        };
        let arguments = Value::Object(request.arguments.unwrap_or_default());
        let call = ToolCall::new(format!("mcp-{}", context.id), tool.name(), &arguments);
        let token = match (&self.tokens, tool.needs_user_token()) {
            (Some(source), true) => source.user_token(tool, context).await,
            _ => None,
        };
        let (mut message, mut failed) = self.toolbox.call(&call, token.as_ref()).await;
        // A refused user token: one new one from the source (a refresh), one more call.
        if let (Some(source), Some(token)) = (&self.tokens, &token)
            && crate::oauth::refused(failed.as_ref())
            && let Some(renewed) = source.rejected(tool, context, token).await
        {
            (message, failed) = self.toolbox.call(&call, Some(&renewed)).await;
        }
        Ok(match failed {
            None => search_result(documents(message), self.citations),
            Some(error) => {
                let told = match &error {
                    ToolError::NeedsUserToken { connector } => format!(
                        "the connector `{connector}` needs the user to sign in (it uses OAuth), \
                         and this server has no token of theirs for it"
                    ),
                    _ => told(&message),
                };
                tracing::warn!(tool = %tool.name(), error = %told, "a connector's tool call failed");
                tool_error(&told)
            }
        })
    }
}

/// The documents of a tool's answer, each with the toolbox's citation id.
fn documents(message: ToolMessage) -> Vec<(String, Document)> {
    message
        .content
        .into_iter()
        .filter_map(|content| match content {
            ToolContent::Document { document } => Some(document),
            _ => None,
        })
        .map(|document| {
            let fields = document
                .data
                .into_iter()
                .fold(Document::new(), |fields, (key, value)| match value {
                    Value::String(text) => fields.with(key, text),
                    other => fields.with(key, other.to_string()),
                });
            (document.id.unwrap_or_default(), fields)
        })
        .collect()
}

/// What the toolbox told the model of a failure (`{"error": "..."}`), scrubbed and escaped
/// by the toolbox.
fn told(message: &ToolMessage) -> String {
    let text = match message.content.first() {
        Some(ToolContent::Text { text }) => text.as_str(),
        _ => return "the tool failed".to_owned(),
    };
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|value| value.get("error")?.as_str().map(str::to_owned))
        .unwrap_or_else(|| text.to_owned())
}

impl ServerHandler for McpServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(self.info.clone())
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let tools = self
            .toolbox
            .definitions()
            .into_iter()
            .map(|definition| {
                let description = definition.function.description.unwrap_or_default();
                search_tool(&definition.function.name, &description)
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        self.answer(request, &context).await.map(Into::into)
    }
}

impl fmt::Debug for McpServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("McpServer")
            .field("toolbox", &self.toolbox)
            .field("user_tokens", &self.tokens.is_some())
            .field("citations", &self.citations)
            .finish_non_exhaustive()
    }
}
