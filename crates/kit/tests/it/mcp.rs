//! MCP beside `/search`, through rmcp's own client: the handshake of the earlier revisions
//! and the current revision's per-request metadata, the `search` tool, its answers and
//! citations, its errors, and a handler that fails, panics or sleeps.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::server::mcp::{Citations, McpEndpoint};
use cohere_connectors_kit::server::{
    Access, Caller, ConnectorService, RunningConnector, SearchFailure,
};
use cohere_connectors_kit::{ConnectorSearch, Document};
use rmcp::RoleClient;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode, ProtocolVersion};
use rmcp::service::{ClientLifecycleMode, ClientServiceExt, RunningService, ServiceError};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::{Value, json};

pub const TOKEN: &str = "mcp-service-token-0123456789";
const OLD_TOKEN: &str = "mcp-old-token-9876543210";

/// The MCP URL of a running service.
pub fn mcp_url(running: &RunningConnector) -> String {
    format!("http://{}/mcp", running.addr())
}

/// The lifecycle of the revisions before 2026-07-28: `initialize`, then requests.
pub fn handshake() -> ClientLifecycleMode {
    ClientLifecycleMode::Initialize
}

/// The current revision: `server/discover`, then self-contained requests.
pub fn current() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

/// rmcp's client on `url`, with `token` as `Authorization: Bearer <token>`.
pub async fn client(
    url: &str,
    token: Option<&str>,
    lifecycle: ClientLifecycleMode,
) -> RunningService<RoleClient, ()> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_owned());
    if let Some(token) = token {
        config = config.auth_header(token.to_owned());
    }
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    ().serve_with_lifecycle(transport, lifecycle).await.unwrap()
}

/// Calls `name` with `arguments`.
pub async fn call(
    client: &RunningService<RoleClient, ()>,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let mut params = CallToolRequestParams::new(name.to_owned());
    if let Value::Object(arguments) = arguments {
        params = params.with_arguments(arguments);
    }
    client.call_tool(params).await
}

/// The text of a result's first block.
pub fn first_text(result: &CallToolResult) -> String {
    result
        .content
        .first()
        .and_then(|block| block.as_text())
        .map(|text| text.text.clone())
        .unwrap_or_default()
}

/// A service that records each caller and answers two documents.
async fn recording(
    access: Access,
    endpoint: McpEndpoint,
) -> (RunningConnector, Arc<Mutex<Vec<Caller>>>) {
    let callers = Arc::new(Mutex::new(Vec::new()));
    let running = ConnectorService::new(access, {
        let callers = Arc::clone(&callers);
        move |request, caller| {
            callers.lock().unwrap().push(caller);
            async move {
                Ok(vec![
                    Document::new()
                        .with_id("hr-1")
                        .with_title("Holidays")
                        .with_url("https://hr.example.com/1")
                        .with_text(format!("25 days, for {}", request.query))
                        .with_timestamp("2024-01-15T00:00:00Z"),
                    Document::new()
                        .with_title("Untitled id")
                        .with_text("second"),
                ])
            }
        }
    })
    .mcp(endpoint)
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    (running, callers)
}

fn rotating() -> Access {
    Access::service_any([ServiceAuth::bearer(TOKEN), ServiceAuth::bearer(OLD_TOKEN)]).unwrap()
}

#[tokio::test]
async fn the_handshake_lists_one_search_tool_and_calls_it_with_the_callers_token() {
    let (running, callers) = recording(rotating(), McpEndpoint::new()).await;
    let client = client(&mcp_url(&running), Some(OLD_TOKEN), handshake()).await;
    let info = client.peer_info().unwrap();
    assert!(info.protocol_version.has_initialize(), "{info:?}");

    let tools = client.list_all_tools().await.unwrap();
    assert_eq!(tools.len(), 1);
    assert_eq!(tools[0].name, "search");
    let schema = Value::Object((*tools[0].input_schema).clone());
    assert_eq!(schema["required"], json!(["query"]));
    assert_eq!(schema["properties"]["query"]["type"], "string");
    assert_eq!(
        tools[0].annotations.as_ref().unwrap().read_only_hint,
        Some(true)
    );

    let result = call(&client, "search", json!({"query": "tea"}))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(
        result.structured_content,
        Some(json!({"documents": [
            {"id": "hr-1", "title": "Holidays", "url": "https://hr.example.com/1",
             "text": "25 days, for tea", "timestamp": "2024-01-15T00:00:00Z"},
            {"id": "1", "title": "Untitled id", "text": "second"}
        ]}))
    );
    // A text block per document: its JSON, the same as the structured content's.
    let texts: Vec<Value> = result
        .content
        .iter()
        .map(|block| serde_json::from_str(&block.as_text().unwrap().text).unwrap())
        .collect();
    assert_eq!(
        Value::Array(texts),
        result.structured_content.unwrap()["documents"]
    );
    // The rotated-out token still gets in, and the handler is told which one it was.
    assert_eq!(
        *callers.lock().unwrap(),
        vec![Caller::Service { token_index: 1 }]
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_current_revision_is_served_without_a_handshake() {
    let (running, callers) = recording(rotating(), McpEndpoint::new()).await;
    let client = client(&mcp_url(&running), Some(TOKEN), current()).await;
    assert_eq!(
        client.peer_info().unwrap().protocol_version,
        ProtocolVersion::V_2026_07_28
    );
    let result = call(&client, "search", json!({"query": "tea"}))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(false));
    assert_eq!(result.content.len(), 2);
    assert_eq!(
        *callers.lock().unwrap(),
        vec![Caller::Service { token_index: 0 }]
    );
    // The same service still answers Cohere at /search.
    let search = ConnectorSearch::new(&running.url())
        .unwrap()
        .service_auth(ServiceAuth::bearer(TOKEN));
    assert_eq!(search.search("tea").await.unwrap().results.len(), 2);
}

#[tokio::test]
async fn north_citations_carry_the_documented_metadata() {
    let (running, _) = recording(rotating(), McpEndpoint::new().citations(Citations::North)).await;
    let client = client(&mcp_url(&running), Some(TOKEN), current()).await;
    let result = call(&client, "search", json!({"query": "tea"}))
        .await
        .unwrap();
    let documents = &result.structured_content.unwrap()["documents"];
    assert_eq!(
        documents[0]["_north_metadata"],
        json!({
            "renderer": "document",
            "content": "25 days, for tea",
            "title": "Holidays",
            "url": "https://hr.example.com/1",
            "meta": {"last_updated": "1705276800"}
        })
    );
    assert_eq!(documents[0]["title"], "Holidays");
    assert_eq!(documents[1]["_north_metadata"]["content"], "second");
}

#[tokio::test]
async fn a_users_token_reaches_the_handler_and_never_the_answer() {
    const USER: &str = "ya29.user-token-abc";
    let running =
        ConnectorService::new(Access::user_token(), |request, caller: Caller| async move {
            let token = caller.user_token().unwrap().expose().to_owned();
            Ok(vec![
                Document::new()
                    .with_title(format!("for {token}"))
                    .with_text(request.query)
                    .with(token.clone(), "key"),
            ])
        })
        .mcp(McpEndpoint::new())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = client(&mcp_url(&running), Some(USER), handshake()).await;
    let result = call(&client, "search", json!({"query": "tea"}))
        .await
        .unwrap();
    let answered = serde_json::to_string(&result).unwrap();
    assert!(!answered.contains(USER), "{answered}");
    assert_eq!(
        result.structured_content.unwrap()["documents"][0]["title"],
        "for [redacted]"
    );
}

#[tokio::test]
async fn errors_a_client_can_show_and_protocol_errors_for_what_no_tool_can_answer() {
    let running = ConnectorService::new(rotating(), |request, _| async move {
        match request.query.as_str() {
            "down" => Err(SearchFailure::unavailable(
                "the index is rebuilding\u{1b}[2J",
            )),
            "leak" => Err(SearchFailure::internal(format!(
                "backend said Bearer {TOKEN}"
            ))),
            "echo" => Err(SearchFailure::bad_request(format!("bad query for {TOKEN}"))),
            "panic" => panic!("the handler broke"),
            "slow" => {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(Vec::new())
            }
            "" => Ok(Vec::new()),
            _ => Ok(vec![Document::new().with_text("fine")]),
        }
    })
    .deadline(Duration::from_millis(300))
    .mcp(McpEndpoint::new())
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let client = client(&mcp_url(&running), Some(TOKEN), current()).await;

    for (arguments, expected) in [
        (
            json!({"query": "down"}),
            "the index is rebuilding\\u{1b}[2J",
        ),
        (json!({"query": "leak"}), "the search failed"),
        (json!({"query": "echo"}), "bad query for [redacted]"),
        (json!({"query": "panic"}), "the search failed"),
        (
            json!({"query": "slow"}),
            "the search did not finish within 300 ms",
        ),
        (
            json!({}),
            "the arguments must be {\"query\": \"<text>\"}: there is no `query`",
        ),
        (
            json!({"query": 7}),
            "the arguments must be {\"query\": \"<text>\"}: `query` is not a string",
        ),
    ] {
        let result = call(&client, "search", arguments.clone()).await.unwrap();
        assert_eq!(result.is_error, Some(true), "{arguments}");
        assert_eq!(first_text(&result), expected, "{arguments}");
        assert!(result.structured_content.is_none());
    }
    // A blank query is the handler's to answer, as on /search.
    let blank = call(&client, "search", json!({"query": ""})).await.unwrap();
    assert_eq!(blank.is_error, Some(false));
    assert_eq!(blank.structured_content, Some(json!({"documents": []})));

    // No such tool: a protocol error (invalid params), the name quoted escaped.
    let unknown = call(&client, "lookup\u{1b}", json!({"query": "x"}))
        .await
        .unwrap_err();
    let ServiceError::McpError(error) = unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert_eq!(error.message, "no tool is named `lookup\\u{1b}`");

    // After a panic and a timeout, the service carries on.
    let fine = call(&client, "search", json!({"query": "again"}))
        .await
        .unwrap();
    assert_eq!(fine.is_error, Some(false));
}
