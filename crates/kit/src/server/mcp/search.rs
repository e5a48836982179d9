//! The connector's search as the MCP tool `search`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListToolsResult,
    PaginatedRequestParams, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler};

use super::content::{Citations, query_of, search_result, search_tool, tool_error};
use super::route::caller;
use crate::SearchRequest;
use crate::server::access::Caller;
use crate::server::answer::SEARCH_FAILED;
use crate::server::service::Shared;
use cohere_connectors::text::{Redactor, SNIPPET_CHARS};

/// The tool's name.
const TOOL: &str = "search";

/// The `search` tool of one connector service.
#[derive(Clone)]
pub(crate) struct SearchTool {
    shared: Arc<Shared>,
    citations: Citations,
    deadline: Duration,
    description: Arc<str>,
    info: Implementation,
}

impl SearchTool {
    pub(crate) fn new(
        shared: Arc<Shared>,
        endpoint: &super::McpEndpoint,
        deadline: Duration,
    ) -> Self {
        Self {
            shared,
            citations: endpoint.citation_style(),
            deadline,
            description: Arc::from(endpoint.tool_description()),
            info: Implementation::new(endpoint.name(), endpoint.version()),
        }
    }

    /// The search, as the `/search` endpoint runs it, its failures (a timeout, a panic,
    /// the handler's own) as tool errors.
    async fn search(&self, query: String, caller: Caller) -> CallToolResult {
        let redactor = self.shared.redactor(&caller);
        let run =
            AssertUnwindSafe(self.shared.run(SearchRequest::new(query), caller)).catch_unwind();
        match tokio::time::timeout(self.deadline, run).await {
            Err(_elapsed) => tool_error(&format!(
                "the search did not finish within {} ms",
                self.deadline.as_millis()
            )),
            Ok(Err(_panic)) => {
                tracing::error!("the connector's search handler panicked");
                tool_error(SEARCH_FAILED)
            }
            Ok(Ok(Err(failure))) => {
                if let Some(detail) = failure.detail() {
                    tracing::warn!(
                        status = failure.status(),
                        detail = %redactor.clean(detail, SNIPPET_CHARS),
                        "the connector's search failed"
                    );
                }
                tool_error(&redactor.clean(failure.message(), SNIPPET_CHARS))
            }
            Ok(Ok(Ok(documents))) => self.found(documents, &redactor),
        }
    }

    fn found(&self, documents: Vec<crate::Document>, redactor: &Redactor) -> CallToolResult {
        let cited = documents.into_iter().enumerate().map(|(index, document)| {
            let document = document.scrubbed(redactor);
            let id = document
                .id()
                .map_or_else(|| index.to_string(), str::to_owned);
            (id, document)
        });
        search_result(cited, self.citations)
    }
}

impl ServerHandler for SearchTool {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(self.info.clone())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(vec![search_tool(
            TOOL,
            &self.description,
        )]))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if request.name != TOOL {
            return Err(ErrorData::invalid_params(
                format!("no tool is named `{}`", one_name(&request.name)),
                None,
            ));
        }
        let query = match query_of(request.arguments.as_ref()) {
            Ok(query) => query,
            Err(message) => return Ok(tool_error(message).into()),
        };
        // The kit's access check always names the caller: without one, refuse (fail closed).
        let Some(caller) = caller(&context).cloned() else {
            return Err(ErrorData::internal_error(
                "the request did not pass the access check",
                None,
            ));
        };
        Ok(self.search(query, caller).await.into())
    }
}

/// A tool name a client sent, fit to quote in an error.
fn one_name(name: &str) -> String {
    cohere_connectors::text::one_line(name, 80)
}
