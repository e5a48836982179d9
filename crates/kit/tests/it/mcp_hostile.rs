//! The MCP endpoint as a hostile client meets it, byte for byte: credentials, bodies, paths
//! and methods, connections, the router composed into an application, what is logged, and
//! the health check.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::server::{
    Access, ConnectionLimits, ConnectorService, RunningConnector, SearchFailure,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::mcp::{call, client, current, first_text, handshake};
use crate::wire::{Answer, exchange};

const TOKEN: &str = "mcp-hostile-token-0123456789";
const LIMIT: usize = 1024;

/// A `tools/call` of the current revision: self-contained, so each one reaches the handler.
fn call_body(query: &str) -> String {
    json!({
        "jsonrpc": "2.0", "id": 2, "method": "tools/call",
        "params": {
            "name": "search", "arguments": {"query": query},
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
                "io.modelcontextprotocol/clientCapabilities": {}
            }
        }
    })
    .to_string()
}

/// `POST <target>` as an MCP client sends it, with these extra header lines.
fn mcp_post(target: &str, headers: &[&str], body: &[u8]) -> Vec<u8> {
    let mut request = format!(
        "POST {target} HTTP/1.1\r\nHost: connector\r\nConnection: close\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: search\r\n"
    );
    for line in headers {
        request.push_str(line);
        request.push_str("\r\n");
    }
    if !headers
        .iter()
        .any(|line| line.to_ascii_lowercase().starts_with("content-type"))
    {
        request.push_str("Content-Type: application/json\r\n");
    }
    if !headers.iter().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("content-length") || line.starts_with("transfer-encoding")
    }) {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    let mut request = request.into_bytes();
    request.extend_from_slice(body);
    request
}

fn auth() -> String {
    format!("Authorization: Bearer {TOKEN}")
}

/// A service with MCP whose handler counts its searches.
struct Counted {
    running: RunningConnector,
    calls: Arc<AtomicUsize>,
}

impl Counted {
    async fn start(access: Access) -> Self {
        let calls = Arc::new(AtomicUsize::new(0));
        let running = ConnectorService::new(access, {
            let calls = Arc::clone(&calls);
            move |request, _| {
                calls.fetch_add(1, Ordering::SeqCst);
                async move { Ok(vec![Document::new().with_text(request.query)]) }
            }
        })
        .max_body_bytes(LIMIT)
        .deadline(Duration::from_millis(500))
        .mcp(McpEndpoint::new())
        .health()
        .bind("127.0.0.1:0")
        .await
        .unwrap();
        Self { running, calls }
    }

    async fn send(&self, request: &[u8]) -> Answer {
        let answer = exchange(self.running.addr(), request).await;
        assert!(
            !String::from_utf8_lossy(&answer.raw).contains(TOKEN),
            "{answer:?}"
        );
        answer
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

fn service() -> Access {
    Access::service(ServiceAuth::bearer(TOKEN)).unwrap()
}

/// Whether `answer` is a JSON-RPC result (the call reached the tool).
fn answered_call(answer: &Answer) -> bool {
    answer.status == 200 && answer.json()["result"].is_object()
}

#[tokio::test]
async fn only_the_exact_token_in_one_header_reaches_the_tool() {
    let service = Counted::start(service()).await;
    let body = call_body("x");
    let big = format!("Authorization: Bearer {}", "a".repeat(60 * 1024));
    let cases: Vec<(String, u16)> = vec![
        (String::new(), 401),
        ("Authorization:".into(), 401),
        ("Authorization: Bearer".into(), 401),
        ("Authorization: Bearer ".into(), 401),
        (format!("Authorization: Basic {TOKEN}"), 401),
        (format!("Authorization: {TOKEN}"), 401),
        (format!("Authorization: bearer {TOKEN}"), 200),
        (
            format!("Authorization: Bearer {}", TOKEN.to_uppercase()),
            401,
        ),
        (
            format!("Authorization: Bearer {}", &TOKEN[..TOKEN.len() - 1]),
            401,
        ),
        (format!("Authorization: Bearer {TOKEN}0"), 401),
        (format!("Authorization: Bearer {TOKEN} {TOKEN}"), 401),
        (format!("Authorization: Bearer\t{TOKEN}"), 401),
        (big, 401),
    ];
    let mut reached = 0;
    for (line, expected) in &cases {
        let lines: Vec<&str> = if line.is_empty() { vec![] } else { vec![line] };
        let answer = service
            .send(&mcp_post("/mcp", &lines, body.as_bytes()))
            .await;
        assert_eq!(
            answer.status,
            *expected,
            "{:?}",
            &line[..line.len().min(60)]
        );
        if *expected == 401 {
            assert_eq!(
                answer.header("www-authenticate"),
                Some("Bearer realm=\"connector\"")
            );
            assert!(!answer.message().is_empty(), "{answer:?}");
        } else {
            assert!(answered_call(&answer), "{answer:?}");
            reached += 1;
        }
    }
    let right = auth();
    let two = service
        .send(&mcp_post(
            "/mcp",
            &[&right, "Authorization: Bearer other"],
            body.as_bytes(),
        ))
        .await;
    assert_eq!(
        (two.status, two.message().as_str()),
        (401, "send one Authorization header, not several")
    );
    assert_eq!(service.calls(), reached);
}

#[tokio::test]
async fn the_token_is_checked_before_the_body_is_read() {
    let service = Counted::start(service()).await;
    let started = Instant::now();
    // A body declared huge and never sent: refused at once, without waiting for it.
    let answer = service
        .send(&mcp_post("/mcp", &["Content-Length: 1000000000"], b""))
        .await;
    assert_eq!(answer.status, 401);
    assert!(started.elapsed() < Duration::from_millis(400));
}

#[tokio::test]
async fn bodies_over_the_limit_or_not_mcp_are_refused_in_the_kits_json() {
    let service = Counted::start(service()).await;
    let right = auth();
    let auth = [right.as_str()];
    // Declared huge: refused before a byte is read.
    let started = Instant::now();
    let declared = service
        .send(&mcp_post(
            "/mcp",
            &[&right, "Content-Length: 1000000000000"],
            b"",
        ))
        .await;
    assert_eq!(
        (declared.status, declared.message().as_str()),
        (413, "the request body is larger than 1024 bytes")
    );
    assert!(started.elapsed() < Duration::from_millis(400));

    // To the byte, declared and chunked: the query pads the body to the limit.
    let padding = LIMIT - call_body("").len();
    let at_limit = call_body(&"q".repeat(padding));
    let over = call_body(&"q".repeat(padding + 1));
    assert_eq!(at_limit.len(), LIMIT);
    assert!(answered_call(
        &service
            .send(&mcp_post("/mcp", &auth, at_limit.as_bytes()))
            .await
    ));
    let refused = service
        .send(&mcp_post("/mcp", &auth, over.as_bytes()))
        .await;
    assert_eq!(
        (refused.status, refused.message().as_str()),
        (413, "the request body is larger than 1024 bytes")
    );
    for (body, fits) in [(&at_limit, true), (&over, false)] {
        let chunked = format!("{:x}\r\n{body}\r\n0\r\n\r\n", body.len());
        let answer = service
            .send(&mcp_post(
                "/mcp",
                &[&right, "Transfer-Encoding: chunked"],
                chunked.as_bytes(),
            ))
            .await;
        if fits {
            assert!(answered_call(&answer), "{answer:?}");
        } else {
            assert_eq!(answer.status, 413, "{answer:?}");
            assert_eq!(
                answer.message(),
                "the request body is larger than 1024 bytes"
            );
        }
    }
    assert_eq!(service.calls(), 2);

    // Not MCP: each refused with a status, as JSON, the tool never reached.
    // 500 levels: past serde_json's recursion limit (128), within the body limit.
    let deep = format!("{}{}", "[".repeat(500), "]".repeat(500));
    let duplicate = br#"{"jsonrpc":"2.0","id":1,"id":2,"method":"tools/call","params":{"name":"search","arguments":{"query":"a"}}}"#;
    for (headers, body, status) in [
        (vec![], b"\xff\xfe not utf-8".to_vec(), 415),
        (
            vec!["Content-Type: text/plain"],
            call_body("x").into_bytes(),
            415,
        ),
        (vec![], b"{}".to_vec(), 415),
        (vec![], b"[]".to_vec(), 415),
        (vec![], b"\"query\"".to_vec(), 415),
        (vec![], deep.into_bytes(), 415),
        (vec![], duplicate.to_vec(), 415),
    ] {
        let mut lines = vec![right.as_str()];
        lines.extend(headers.iter().copied());
        let answer = service.send(&mcp_post("/mcp", &lines, &body)).await;
        assert_eq!(
            answer.status,
            status,
            "{:?}: {answer:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
        assert!(!answer.message().is_empty(), "{answer:?}");
    }
    // Without MCP's Accept: 406, in the same vocabulary.
    let no_accept = format!(
        "POST /mcp HTTP/1.1\r\nHost: c\r\nConnection: close\r\n{right}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        call_body("x").len(),
        call_body("x")
    );
    let answer = service.send(no_accept.as_bytes()).await;
    assert_eq!(answer.status, 406);
    assert_eq!(
        answer.message(),
        "send Accept: application/json, text/event-stream (MCP's Streamable HTTP)"
    );
    assert_eq!(service.calls(), 2);
}

#[tokio::test]
async fn a_chunked_body_without_end_is_cut_off_and_smuggling_ends_the_connection() {
    let service = Counted::start(service()).await;
    let right = auth();
    // A chunk that never finishes: the deadline (plus its grace) answers.
    let started = Instant::now();
    let answer = service
        .send(&mcp_post(
            "/mcp",
            &[&right, "Transfer-Encoding: chunked"],
            b"100\r\n{\"jsonrpc\":",
        ))
        .await;
    assert_eq!(answer.status, 504, "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(4));

    // Content-Length beside Transfer-Encoding: read as chunked, nothing smuggled after it.
    let first = call_body("first");
    let second = call_body("second");
    let smuggled = format!(
        "{:x}\r\n{first}\r\n0\r\n\r\nPOST /mcp HTTP/1.1\r\nHost: c\r\n{right}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{second}",
        first.len(),
        second.len()
    );
    let request = mcp_post(
        "/mcp",
        &[&right, "Content-Length: 4", "Transfer-Encoding: chunked"],
        smuggled.as_bytes(),
    );
    let answer = service.send(&request).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(
        String::from_utf8_lossy(&answer.raw)
            .matches("HTTP/1.1 ")
            .count(),
        1
    );
    assert_eq!(service.calls(), 1);
}

#[tokio::test]
async fn only_the_exact_path_and_post_reach_mcp() {
    let service = Counted::start(service()).await;
    let right = auth();
    let body = call_body("x");
    for target in [
        "/mcp/", "//mcp", "/MCP", "/%6Dcp", "/mcp%2F", "/mcp/x", "/", "*",
    ] {
        let answer = service
            .send(&mcp_post(target, &[&right], body.as_bytes()))
            .await;
        assert!(matches!(answer.status, 400 | 404), "{target}: {answer:?}");
        if answer.status == 404 {
            assert_eq!(answer.message(), "no such endpoint", "{target}");
        }
    }
    // Absolute-form names the same path: served.
    let absolute = service
        .send(&mcp_post(
            "http://connector/mcp",
            &[&right],
            body.as_bytes(),
        ))
        .await;
    assert!(answered_call(&absolute), "{absolute:?}");
    assert_eq!(service.calls(), 1);
    for method in ["GET", "DELETE", "PUT", "OPTIONS", "PATCH"] {
        let request = format!(
            "{method} /mcp HTTP/1.1\r\nHost: c\r\nConnection: close\r\n{right}\r\nAccept: application/json, text/event-stream\r\nContent-Length: 0\r\n\r\n"
        );
        let answer = service.send(request.as_bytes()).await;
        assert_eq!(answer.status, 405, "{method}: {answer:?}");
        assert_eq!(answer.header("allow"), Some("POST"), "{method}");
        assert_eq!(answer.message(), "the MCP endpoint takes POST", "{method}");
    }
    assert_eq!(service.calls(), 1);
}

#[tokio::test]
async fn a_host_the_access_does_not_need_is_accepted_and_an_open_access_guards_against_rebinding() {
    // With a token, the Host does not matter: a rebinding page has no token.
    let service = Counted::start(service()).await;
    let answer = service
        .send(&mcp_post("/mcp", &[&auth()], call_body("x").as_bytes()))
        .await;
    assert!(answered_call(&answer), "Host: connector, {answer:?}");
    // Open: only loopback names.
    let open = Counted::start(Access::open()).await;
    let refused = open
        .send(&mcp_post("/mcp", &[], call_body("x").as_bytes()))
        .await;
    assert_eq!(refused.status, 403, "{refused:?}");
    assert_eq!(refused.message(), "this Host or Origin is not allowed");
    let local = String::from_utf8(mcp_post("/mcp", &[], call_body("x").as_bytes()))
        .unwrap()
        .replace("Host: connector", "Host: 127.0.0.1");
    assert!(answered_call(&open.send(local.as_bytes()).await));
    assert_eq!(open.calls(), 1);
}

#[tokio::test]
async fn tokens_of_any_length_are_scrubbed_from_mcp_answers() {
    for token in ["k3y", "a-much-longer-service-token-0123456789"] {
        let running = ConnectorService::new(
            Access::service(ServiceAuth::bearer(token)).unwrap(),
            move |_, _| async move {
                if token.len() < 5 {
                    return Err(SearchFailure::bad_request(format!("no, {token}")));
                }
                Ok(vec![
                    Document::new()
                        .with_title(format!("t {token}"))
                        .with(token, token),
                ])
            },
        )
        .mcp(McpEndpoint::new())
        .bind("127.0.0.1:0")
        .await
        .unwrap();
        let client = client(&crate::mcp::mcp_url(&running), Some(token), current()).await;
        let result = call(&client, "search", json!({"query": "x"}))
            .await
            .unwrap();
        let answered = serde_json::to_string(&result).unwrap();
        assert!(!answered.contains(token), "{answered}");
        assert!(answered.contains("[redacted]"), "{answered}");
        if token.len() < 5 {
            assert_eq!(first_text(&result), "no, [redacted]");
        }
    }
}

#[tokio::test]
async fn a_large_answer_is_sent_whole() {
    let running = ConnectorService::new(service(), |_, _| async {
        Ok((0..2_000)
            .map(|n| Document::new().with_id(n).with_text("x".repeat(1_000)))
            .collect())
    })
    .mcp(McpEndpoint::new())
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let client = client(&crate::mcp::mcp_url(&running), Some(TOKEN), handshake()).await;
    let result = call(&client, "search", json!({"query": "x"}))
        .await
        .unwrap();
    assert_eq!(result.content.len(), 2_000);
    assert_eq!(
        result.structured_content.unwrap()["documents"][1_999]["id"],
        "1999"
    );
}

/// An application with its own route, fallback and layers.
fn app(connector_routes: Router) -> Router {
    Router::new()
        .route("/status", get(|| async { "app ok" }))
        .merge(connector_routes)
        .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "the app's own 404") })
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(axum::middleware::map_response(
            |mut response: Response| async {
                response
                    .headers_mut()
                    .insert("x-app", HeaderValue::from_static("1"));
                response
            },
        ))
}

async fn serve_app(app: Router) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

fn connector() -> ConnectorService {
    ConnectorService::new(service(), |request, _| async move {
        Ok(vec![Document::new().with_text(request.query)])
    })
    .max_body_bytes(LIMIT)
    .mcp(McpEndpoint::new())
    .health()
}

async fn check_app(addr: SocketAddr, prefix: &str) {
    let url = format!("http://{addr}{prefix}/mcp");
    let client = client(&url, Some(TOKEN), current()).await;
    let found = call(&client, "search", json!({"query": "tea"}))
        .await
        .unwrap();
    assert_eq!(
        found.structured_content.unwrap()["documents"][0]["text"],
        "tea"
    );

    let answer = exchange(
        addr,
        &mcp_post(
            &format!("{prefix}/mcp"),
            &[&auth()],
            call_body("tea").as_bytes(),
        ),
    )
    .await;
    assert!(answered_call(&answer), "{answer:?}");
    assert_eq!(
        answer.header("x-app"),
        Some("1"),
        "the app's layer wraps MCP"
    );
    assert!(
        answer.header("x-request-id").is_some(),
        "the kit's layers too"
    );
    let refused = exchange(
        addr,
        &mcp_post(&format!("{prefix}/mcp"), &[], call_body("tea").as_bytes()),
    )
    .await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.header("x-app"), Some("1"));
    // The kit's limit holds inside an app with a larger one.
    let big = call_body(&"x".repeat(LIMIT));
    let too_large = exchange(
        addr,
        &mcp_post(&format!("{prefix}/mcp"), &[&auth()], big.as_bytes()),
    )
    .await;
    assert_eq!(too_large.status, 413);
    let health = exchange(
        addr,
        format!("GET {prefix}/health HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert_eq!(health.json(), json!({"status": "ok"}));
    let fallback = exchange(addr, &mcp_post(&format!("{prefix}/mcp/other"), &[], b"{}")).await;
    assert_eq!(
        (fallback.status, fallback.body.as_slice()),
        (404, &b"the app's own 404"[..])
    );
}

#[tokio::test]
async fn merged_or_nested_into_an_app_with_its_own_fallback_and_layers() {
    check_app(serve_app(app(connector().router())).await, "").await;
    let nested = Router::new().nest("/connectors/handbook", connector().router());
    check_app(serve_app(app(nested)).await, "/connectors/handbook").await;
    // Two connectors side by side, each with its own MCP path.
    let two = Router::new()
        .merge(
            connector()
                .path("/a/search")
                .mcp(McpEndpoint::new().path("/a/mcp"))
                .health_at("/a/health")
                .router(),
        )
        .merge(
            connector()
                .path("/b/search")
                .mcp(McpEndpoint::new().path("b/mcp"))
                .health_at("/b/health")
                .router(),
        );
    let addr = serve_app(app(two)).await;
    for prefix in ["/a", "/b"] {
        let client = client(
            &format!("http://{addr}{prefix}/mcp"),
            Some(TOKEN),
            handshake(),
        )
        .await;
        assert_eq!(client.list_all_tools().await.unwrap().len(), 1);
    }
}

#[tokio::test]
async fn paths_that_collide_leave_the_later_endpoint_out_and_never_panic() {
    let running = ConnectorService::new(service(), |request, _| async move {
        Ok(vec![Document::new().with_text(request.query)])
    })
    .mcp(McpEndpoint::new().path("/search"))
    .health_at("/search")
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let search = cohere_connectors_kit::ConnectorSearch::new(&running.url())
        .unwrap()
        .service_auth(ServiceAuth::bearer(TOKEN));
    assert_eq!(search.search("tea").await.unwrap().results.len(), 1);
    let health_at_mcp = ConnectorService::new(service(), |_, _| async { Ok(Vec::new()) })
        .mcp(McpEndpoint::new())
        .health_at("/mcp")
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let client = client(&crate::mcp::mcp_url(&health_at_mcp), Some(TOKEN), current()).await;
    assert_eq!(client.list_all_tools().await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_health_check_needs_no_token_and_says_nothing_about_the_data() {
    let service = Counted::start(service()).await;
    let get = service
        .send(b"GET /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(get.status, 200);
    assert_eq!(get.json(), json!({"status": "ok"}));
    assert_eq!(get.header("cache-control"), Some("no-store"));
    let head = service
        .send(b"HEAD /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n")
        .await;
    assert_eq!(head.status, 200);
    for method in ["POST", "DELETE", "OPTIONS"] {
        let request = format!(
            "{method} /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        );
        let answer = service.send(request.as_bytes()).await;
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(answer.header("allow"), Some("GET,HEAD"), "{method}");
    }
    assert_eq!(service.calls(), 0, "a probe never searches");
    // Not served unless asked for.
    let plain = ConnectorService::new(service_access(), |_, _| async { Ok(Vec::new()) })
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    let absent = exchange(
        plain.addr(),
        b"GET /health HTTP/1.1\r\nHost: c\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(absent.status, 404);
}

fn service_access() -> Access {
    service()
}

#[tokio::test]
async fn idle_connections_cannot_keep_mcp_from_being_served() {
    let running = ConnectorService::new(service(), |_, _| async { Ok(vec![Document::new()]) })
        .mcp(McpEndpoint::new())
        .connection_limits(
            ConnectionLimits::default()
                .max_connections(2)
                .header_read_timeout(Duration::from_millis(300)),
        )
        .bind("127.0.0.1:0")
        .await
        .unwrap();
    // An attacker holds every slot with heads that never finish.
    let mut held = Vec::new();
    for _ in 0..2 {
        let mut stream = TcpStream::connect(running.addr()).await.unwrap();
        stream
            .write_all(b"POST /mcp HTTP/1.1\r\nHost: c\r\n")
            .await
            .unwrap();
        held.push(stream);
    }
    let started = Instant::now();
    let answer = exchange(
        running.addr(),
        &mcp_post("/mcp", &[&auth()], call_body("x").as_bytes()),
    )
    .await;
    assert!(answered_call(&answer), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn nothing_logged_at_any_level_shows_a_token() {
    const USER: &str = "ya29.user-token-logged-never";
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let running = ConnectorService::new(Access::user_token(), |request, caller| async move {
        let token = caller.user_token().unwrap().expose().to_owned();
        match request.query.as_str() {
            "fail" => Err(SearchFailure::internal(format!("backend refused {token}"))),
            _ => Ok(vec![Document::new().with_text(format!("for {token}"))]),
        }
    })
    .mcp(McpEndpoint::new())
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    for lifecycle in [handshake(), current()] {
        let client = client(&crate::mcp::mcp_url(&running), Some(USER), lifecycle).await;
        call(&client, "search", json!({"query": "ok"}))
            .await
            .unwrap();
        let failed = call(&client, "search", json!({"query": "fail"}))
            .await
            .unwrap();
        assert_eq!(failed.is_error, Some(true));
        client.cancel().await.unwrap();
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("the connector's search failed"), "{logs}");
    assert!(!logs.contains(USER), "{logs}");
}
