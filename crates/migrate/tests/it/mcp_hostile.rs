//! The account's MCP server against hostile connectors (one that hangs, floods, echoes its
//! token, sends controls) and hostile HTTP clients (doubled credentials, bodies over the cap,
//! other methods and paths).

use std::time::Duration;

use cohere_connectors_migrate::mcp::McpServer;
use cohere_connectors_migrate::{ConnectorTool, Manifest, Secrets, Toolbox};
use httpmock::MockServer;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

const TOKEN: &str = "hostile-wiki-token-0123";
const MCP_TOKEN: &str = "hostile-mcp-token-0123456789";

fn tool(id: &str, url: &str) -> ConnectorTool {
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": id, "name": id, "url": url,
             "service_auth": {"type": "bearer", "token": {"env": "T"}}}
        ]})
        .to_string(),
    )
    .unwrap();
    ConnectorTool::from_manifest(&manifest.connectors[0], &Secrets::none().with("T", TOKEN))
        .unwrap()
}

async fn hostile_connectors() -> (MockServer, Toolbox) {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/echo");
            then.status(200).json_body(json!({"results": [{
                "id": format!("doc-{TOKEN}"),
                "title": format!("Bearer {TOKEN}"),
                "text": "a\u{1b}]0;title\u{7}b\u{202e}c",
                TOKEN: "a field named after it"
            }]}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/hang");
            then.status(200)
                .delay(Duration::from_secs(10))
                .json_body(json!({"results": []}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/flood");
            then.status(200).body(format!(
                r#"{{"results": [{{"text": "{}"}}]}}"#,
                "x".repeat(12 * 1024 * 1024)
            ));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/refuses");
            then.status(401).body(format!("token {TOKEN} refused"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.path("/numbers");
            then.status(200)
                .json_body(json!({"results": [{"views": 12}]}));
        })
        .await;
    let mut toolbox = Toolbox::new();
    toolbox
        .add(tool("echo", &server.url("/echo")))
        .add(tool("hang", &server.url("/hang")).timeout(Duration::from_millis(300)))
        .add(tool("flood", &server.url("/flood")))
        .add(tool("refuses", &server.url("/refuses")))
        .add(tool("numbers", &server.url("/numbers")));
    (server, toolbox)
}

#[tokio::test]
async fn a_hostile_connector_answers_a_tool_error_or_scrubbed_documents_never_its_token() {
    let (_server, toolbox) = hostile_connectors().await;
    let (server_end, client_end) = tokio::io::duplex(1024 * 1024);
    let (read, write) = tokio::io::split(server_end);
    tokio::spawn(McpServer::new(toolbox).serve_io(read, write));
    let (read, write) = tokio::io::split(client_end);
    let client = ().serve((read, write)).await.unwrap();
    let mut results = Vec::new();
    for name in [
        "search_echo",
        "search_hang",
        "search_flood",
        "search_refuses",
        "search_numbers",
    ] {
        let Value::Object(arguments) = json!({"query": "q"}) else {
            unreachable!()
        };
        let params = CallToolRequestParams::new(name.to_owned()).with_arguments(arguments);
        let result = client.call_tool(params).await.unwrap();
        let shown = serde_json::to_string(&result).unwrap();
        assert!(!shown.contains(TOKEN), "{name}: {shown}");
        assert!(
            !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
            "{name}: {shown}"
        );
        results.push((name, result));
    }
    let echo = &results[0].1;
    assert_eq!(echo.is_error, Some(false));
    assert_eq!(
        echo.structured_content.as_ref().unwrap()["documents"][0],
        json!({"id": "search_echo:doc-[redacted]", "title": "Bearer [redacted]",
               "text": "a\\u{1b}]0;title\\u{7}b\\u{202e}c", "[redacted]": "a field named after it"})
    );
    for (name, result) in &results[1..] {
        assert_eq!(result.is_error, Some(true), "{name}");
    }
    let said = |index: usize| results[index].1.content[0].as_text().unwrap().text.clone();
    assert_eq!(said(1), "the connector did not answer within 300 ms");
    assert!(said(2).contains("larger than"), "{}", said(2));
    assert!(
        said(3).starts_with("the connector refused the credentials with 401"),
        "{}",
        said(3)
    );
    assert!(said(4).contains("`views`"), "{}", said(4));
}

#[tokio::test]
async fn hostile_http_clients_get_the_kits_refusals() {
    let running = McpServer::new(Toolbox::new())
        .http([MCP_TOKEN])
        .unwrap()
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let post = |body: Vec<u8>| {
        http.post(running.url())
            .header("authorization", format!("Bearer {MCP_TOKEN}"))
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(body)
    };
    // Two Authorization headers.
    let doubled = post(b"{}".to_vec())
        .header("authorization", "Bearer other")
        .send()
        .await
        .unwrap();
    assert_eq!(doubled.status(), 401);
    // One byte over the 64 KiB cap.
    let over = post(vec![b' '; 64 * 1024 + 1]).send().await.unwrap();
    assert_eq!(over.status(), 413);
    assert_eq!(
        over.json::<Value>().await.unwrap()["message"],
        "the request body is larger than 65536 bytes"
    );
    // Other methods and paths.
    let get = http
        .get(running.url())
        .header("authorization", format!("Bearer {MCP_TOKEN}"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 405);
    assert_eq!(get.headers()["allow"], "POST");
    for path in ["/mcp/", "/MCP", "//mcp"] {
        let url = running.url().replace("/mcp", path);
        assert_eq!(http.post(url).send().await.unwrap().status(), 404, "{path}");
    }
}
