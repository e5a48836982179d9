//! An account's connectors as one MCP server, through rmcp's own client: over Streamable
//! HTTP (alone, and mounted in an application) and over a pipe as over stdio. One tool per
//! active connector, each call as the toolbox makes it, a connector that is down answering a
//! tool error while the others keep working, and OAuth connectors asking the user to sign in.

use std::sync::Arc;

use axum::Router;
use cohere_connectors::{Secret, ServiceAuth};
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::mcp::caller;
use cohere_connectors_kit::server::{
    Access, AccessError, Caller, ConnectorService, RunningConnector,
};
use cohere_connectors_migrate::mcp::{McpServer, UserTokens};
use cohere_connectors_migrate::{ConnectorTool, Manifest, Secrets};
use futures_util::future::BoxFuture;
use rmcp::model::{CallToolRequestParams, CallToolResult, ErrorCode, ProtocolVersion};
use rmcp::service::{
    ClientLifecycleMode, ClientServiceExt, RequestContext, RunningService, ServiceError,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, RoleServer, ServiceExt};
use serde_json::{Value, json};

const WIKI_TOKEN: &str = "wiki-service-token-0123";
const MCP_TOKEN: &str = "mcp-bearer-token-0123456789";
const USER_TOKEN: &str = "ya29.the-users-drive-token";

/// The account: a wiki with service auth (it echoes its token), an open HR connector, one
/// that is down, an OAuth drive, and an inactive one.
struct Account {
    _connectors: Vec<RunningConnector>,
    manifest: Manifest,
}

async fn account() -> Account {
    let wiki = ConnectorService::new(
        Access::service(ServiceAuth::bearer(WIKI_TOKEN)).unwrap(),
        |request, _| async move {
            Ok(vec![
                Document::new()
                    .with_id("w1")
                    .with_title("Deploys")
                    .with_url("https://wiki.example.com/w1")
                    .with_text(format!("how to deploy, for {}", request.query))
                    .with("score", 0.9),
            ])
        },
    )
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let hr = ConnectorService::new(Access::open(), |_, _| async {
        Ok(vec![
            Document::new()
                .with_id("h1")
                .with_title("Holidays")
                .with_text("25 days"),
        ])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let drive = ConnectorService::new(Access::user_token(), |_, caller: Caller| async move {
        let token = caller.user_token().unwrap().expose().to_owned();
        Ok(vec![
            Document::new()
                .with_id("d1")
                .with_title(format!("opened with {token}")),
        ])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    // A port nothing listens on: bound, then let go.
    let down = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": "wiki", "name": "Wiki", "url": wiki.url(), "description": "The engineering wiki",
             "excludes": ["score"],
             "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}},
            {"id": "hr", "name": "HR", "url": hr.url()},
            {"id": "down", "name": "Down", "url": down},
            {"id": "drive", "name": "Drive", "url": drive.url(),
             "oauth": {"client_id": "c", "client_secret": {"env": "DRIVE_CLIENT_SECRET"},
                       "authorize_url": "https://login.example.com/a", "token_url": "https://login.example.com/t"}},
            {"id": "old", "name": "Old", "url": "https://old.example.com/search", "active": false}
        ]})
        .to_string(),
    )
    .unwrap();
    Account {
        _connectors: vec![wiki, hr, drive],
        manifest,
    }
}

fn server(account: &Account) -> McpServer {
    McpServer::from_manifest(
        &account.manifest,
        &Secrets::none().with("WIKI_TOKEN", WIKI_TOKEN),
    )
    .unwrap()
}

async fn http_client(
    url: &str,
    token: &str,
    lifecycle: ClientLifecycleMode,
) -> RunningService<RoleClient, ()> {
    let config =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).auth_header(token.to_owned());
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    ().serve_with_lifecycle(transport, lifecycle).await.unwrap()
}

fn current() -> ClientLifecycleMode {
    ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    }
}

async fn call(
    client: &RunningService<RoleClient, ()>,
    name: &str,
    arguments: Value,
) -> Result<CallToolResult, ServiceError> {
    let Value::Object(arguments) = arguments else {
        unreachable!()
    };
    client
        .call_tool(CallToolRequestParams::new(name.to_owned()).with_arguments(arguments))
        .await
}

fn text(result: &CallToolResult) -> String {
    result.content[0].as_text().unwrap().text.clone()
}

/// Every check of the account's tools, whatever the transport.
async fn the_account_is_served(client: &RunningService<RoleClient, ()>) {
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(
        names,
        ["search_wiki", "search_hr", "search_down", "search_drive"]
    );
    assert_eq!(
        tools[0].description.as_deref(),
        Some("Searches Wiki: The engineering wiki")
    );
    assert_eq!(tools[0].input_schema["required"], json!(["query"]));

    let wiki = call(client, "search_wiki", json!({"query": "prod"}))
        .await
        .unwrap();
    assert_eq!(wiki.is_error, Some(false));
    assert_eq!(
        wiki.structured_content,
        Some(json!({"documents": [{
            "id": "search_wiki:w1", "title": "Deploys", "url": "https://wiki.example.com/w1",
            "text": "how to deploy, for prod"
        }]})),
        "the citation id is the toolbox's; `score` is excluded"
    );

    // A connector that is down: a tool error a client can show, and the others carry on.
    let down = call(client, "search_down", json!({"query": "x"}))
        .await
        .unwrap();
    assert_eq!(down.is_error, Some(true));
    assert!(
        text(&down).starts_with("the connector could not be reached"),
        "{}",
        text(&down)
    );
    let hr = call(client, "search_hr", json!({"query": "holidays"}))
        .await
        .unwrap();
    assert_eq!(
        hr.structured_content.unwrap()["documents"][0]["id"],
        "search_hr:h1"
    );

    // Arguments the toolbox refuses, and a tool no connector has.
    let no_query = call(client, "search_hr", json!({"q": "x"})).await.unwrap();
    assert_eq!(no_query.is_error, Some(true));
    assert_eq!(
        text(&no_query),
        "the arguments must be {\"query\": \"<text>\"}: there is no string `query`"
    );
    let unknown = call(client, "search_old", json!({"query": "x"}))
        .await
        .unwrap_err();
    let ServiceError::McpError(error) = unknown else {
        panic!("{unknown:?}")
    };
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
}

#[tokio::test]
async fn over_http_each_active_connector_is_a_tool_and_a_failing_one_leaves_the_others_working() {
    let account = account().await;
    let running = server(&account)
        .http([MCP_TOKEN])
        .unwrap()
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    for lifecycle in [ClientLifecycleMode::Initialize, current()] {
        let client = http_client(&running.url(), MCP_TOKEN, lifecycle).await;
        the_account_is_served(&client).await;
        // No sign-in source: the OAuth connector's tool says so.
        let drive = call(&client, "search_drive", json!({"query": "x"}))
            .await
            .unwrap();
        assert_eq!(drive.is_error, Some(true));
        assert_eq!(
            text(&drive),
            "the connector `drive` needs the user to sign in (it uses OAuth), and this server has no token of theirs for it"
        );
        client.cancel().await.unwrap();
    }
}

/// The user's token from a header the application sets (a stand-in for an OAuth broker).
struct FromHeader;

impl UserTokens for FromHeader {
    fn user_token<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        request: &'a RequestContext<RoleServer>,
    ) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move {
            assert_eq!(tool.name(), "search_drive", "asked only for OAuth tools");
            assert!(matches!(
                caller(request),
                Some(Caller::Service { token_index: 0 })
            ));
            let parts = cohere_connectors_kit::server::mcp::request_parts(request)?;
            let token = parts.headers.get("x-user-token")?.to_str().ok()?;
            Some(Secret::from(token))
        })
    }
}

#[tokio::test]
async fn a_user_token_source_plugs_in_per_call_and_its_token_is_scrubbed() {
    let account = account().await;
    let running = server(&account)
        .user_tokens(FromHeader)
        .http([MCP_TOKEN])
        .unwrap()
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let mut headers = std::collections::HashMap::new();
    headers.insert(
        reqwest::header::HeaderName::from_static("x-user-token"),
        reqwest::header::HeaderValue::from_static(USER_TOKEN),
    );
    let config = StreamableHttpClientTransportConfig::with_uri(running.url())
        .auth_header(MCP_TOKEN)
        .custom_headers(headers);
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    let client = ().serve_with_lifecycle(transport, current()).await.unwrap();
    let drive = call(&client, "search_drive", json!({"query": "x"}))
        .await
        .unwrap();
    assert_eq!(drive.is_error, Some(false), "{drive:?}");
    assert_eq!(
        drive.structured_content.unwrap()["documents"][0]["title"],
        "opened with [redacted]"
    );
    // The others are not asked for a token.
    let hr = call(&client, "search_hr", json!({"query": "x"}))
        .await
        .unwrap();
    assert_eq!(hr.is_error, Some(false));
}

#[tokio::test]
async fn the_bearer_token_is_required_and_a_blank_one_refused_when_built() {
    let account = account().await;
    for blank in ["", " ", "\n"] {
        assert_eq!(
            server(&account).http([blank]).unwrap_err(),
            AccessError::BlankToken { index: 0 }
        );
    }
    assert_eq!(
        server(&account).http(Vec::<String>::new()).unwrap_err(),
        AccessError::NoTokens
    );
    // Two tokens while one is rotated.
    let running = server(&account)
        .http([MCP_TOKEN, "the-old-mcp-token-42"])
        .unwrap()
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let old = http_client(&running.url(), "the-old-mcp-token-42", current()).await;
    assert_eq!(old.list_all_tools().await.unwrap().len(), 4);
    let http = reqwest::Client::new();
    for authorization in [
        None,
        Some("Bearer wrong-token-000"),
        Some(&*format!("Basic {MCP_TOKEN}")),
    ] {
        let mut request = http
            .post(running.url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(r#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#);
        if let Some(value) = authorization {
            request = request.header("authorization", value);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(answer.status(), 401, "{authorization:?}");
        assert!(answer.headers().contains_key("www-authenticate"));
        let body = answer.text().await.unwrap();
        assert!(!body.contains(MCP_TOKEN), "{body}");
    }
    // Elsewhere: the kit's 404.
    let url = running.url().replace("/mcp", "/other");
    let elsewhere = http.post(url).send().await.unwrap();
    assert_eq!(elsewhere.status(), 404);
    assert_eq!(
        elsewhere.json::<Value>().await.unwrap()["message"],
        "no such endpoint"
    );
}

#[tokio::test]
async fn mounted_in_an_application_with_its_own_routes_and_fallback() {
    let account = account().await;
    let mcp = server(&account).http([MCP_TOKEN]).unwrap();
    let app = Router::new()
        .route("/", axum::routing::get(|| async { "home" }))
        .nest("/tools", mcp.router())
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "the app's own 404") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let client = http_client(&format!("http://{addr}/tools/mcp"), MCP_TOKEN, current()).await;
    the_account_is_served(&client).await;
    let other = reqwest::get(format!("http://{addr}/tools/other"))
        .await
        .unwrap();
    assert_eq!(other.text().await.unwrap(), "the app's own 404");
}

#[tokio::test]
async fn over_a_pipe_as_over_stdio_without_authentication() {
    let account = account().await;
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    let (server_read, server_write) = tokio::io::split(server_end);
    let served = tokio::spawn(server(&account).serve_io(server_read, server_write));
    let (client_read, client_write) = tokio::io::split(client_end);
    let client = ().serve((client_read, client_write)).await.unwrap();
    the_account_is_served(&client).await;
    let drive = call(&client, "search_drive", json!({"query": "x"}))
        .await
        .unwrap();
    assert_eq!(drive.is_error, Some(true));
    client.cancel().await.unwrap();
    // The client gone, the server ends.
    tokio::time::timeout(std::time::Duration::from_secs(5), served)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}

#[test]
fn a_server_shows_no_secret_in_debug() {
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": "wiki", "name": "Wiki", "url": "https://wiki.example.com/search",
             "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}
        ]})
        .to_string(),
    )
    .unwrap();
    let server =
        McpServer::from_manifest(&manifest, &Secrets::none().with("WIKI_TOKEN", WIKI_TOKEN))
            .unwrap();
    let http = server.clone().http([MCP_TOKEN]).unwrap();
    let shown = format!("{server:?} {http:?}");
    assert!(
        !shown.contains(WIKI_TOKEN) && !shown.contains(MCP_TOKEN),
        "{shown}"
    );
    let _ = Arc::new(server);
}
