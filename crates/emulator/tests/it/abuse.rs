//! The emulator as a hostile client would try it: half-sent requests, idle and slow
//! connections, garbage, more connections than it serves, and secrets in places they do not
//! belong. It must stay responsive and never echo a secret.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::{assert_conforms, upstream};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Reads until the server closes the connection; what it sent.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut seen = Vec::new();
    let _ = stream.read_to_end(&mut seen).await;
    seen
}

fn address(emulator: &Emulator) -> String {
    emulator.base_url().trim_start_matches("http://").to_owned()
}

#[tokio::test]
async fn half_sent_requests_are_closed_and_others_are_still_served() {
    let emulator = Emulator::builder()
        .seed(2)
        .max_connections(4)
        .header_timeout(Duration::from_millis(200))
        .journal(100)
        .start()
        .await
        .unwrap();
    let mut stalled = Vec::new();
    for _ in 0..40 {
        let mut stream = TcpStream::connect(address(&emulator)).await.unwrap();
        stream
            .write_all(b"GET /v1/connectors HTTP/1.1\r\nHost: x\r\nAuthori")
            .await
            .unwrap();
        stalled.push(stream);
    }
    // Ten times the connection limit is waiting; a real client still gets through, once
    // the server has closed the half-sent ones it accepted.
    let page = emulator
        .client()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap();
    assert_eq!(page.connectors.len(), 2);
    for stream in &mut stalled[..4] {
        read_to_close(stream).await;
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let emulator = Emulator::builder()
        .header_timeout(Duration::from_millis(150))
        .start()
        .await
        .unwrap();
    let mut idle = TcpStream::connect(address(&emulator)).await.unwrap();
    assert!(
        read_to_close(&mut idle).await.is_empty(),
        "closed without a word"
    );

    let mut used = TcpStream::connect(address(&emulator)).await.unwrap();
    let request = format!(
        "GET /v1/connectors HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        emulator.api_key()
    );
    used.write_all(request.as_bytes()).await.unwrap();
    let answered = read_to_close(&mut used).await;
    assert!(
        answered.starts_with(b"HTTP/1.1 200"),
        "{:?}",
        String::from_utf8_lossy(&answered)
    );
}

#[tokio::test]
async fn a_body_that_never_finishes_gets_a_408() {
    let emulator = Emulator::builder()
        .request_timeout(Duration::from_millis(200))
        .journal(10)
        .start()
        .await
        .unwrap();
    let mut stream = TcpStream::connect(address(&emulator)).await.unwrap();
    let head = format!(
        "POST /v1/connectors HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"name\":",
        emulator.api_key()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = stream.read(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer[..read]);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn garbage_is_refused_and_the_emulator_carries_on() {
    let emulator = Emulator::builder().seed(1).start().await.unwrap();
    for garbage in [
        &b"\x00\x01\x02\xff\xfe garbage\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /v1/connectors HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        &[b'A'; 200_000][..],
    ] {
        let mut stream = TcpStream::connect(address(&emulator)).await.unwrap();
        let _ = stream.write_all(garbage).await;
        let _ = stream.shutdown().await;
        let answer = read_to_close(&mut stream).await;
        assert!(
            answer.is_empty() || answer.starts_with(b"HTTP/1.1 4"),
            "{:?}",
            String::from_utf8_lossy(&answer[..answer.len().min(200)])
        );
    }
    let page = emulator
        .client()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap();
    assert_eq!(page.connectors.len(), 1);
}

#[tokio::test]
async fn refusals_name_fields_and_never_echo_values() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let http = reqwest::Client::new();
    let secret = "sk-live-MISPLACED-0123456789";
    for body in [
        json!({"name": "a", "url": "https://a.example", "service_auth": {"type": secret, "token": "t"}}),
        json!({"name": "a", "url": "https://a.example", "oauth": {"client_id": "c", "client_secret": 1234567890123_u64,
            "authorize_url": "https://a.example", "token_url": "https://a.example"}}),
        json!({"name": secret.len(), "url": secret}),
        json!({"name": "a", "url": "https://a.example", "excludes": [secret, 7]}),
    ] {
        let response = http
            .post(format!("{}/v1/connectors", emulator.base_url()))
            .bearer_auth(emulator.api_key())
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        assert!(matches!(status, 400 | 422), "{status} {text}");
        assert!(
            !text.contains(secret) && !text.contains("1234567890123"),
            "{text}"
        );
    }
    let listed = http
        .get(format!(
            "{}/v1/connectors?limit={secret}",
            emulator.base_url()
        ))
        .bearer_auth(emulator.api_key())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!listed.contains(secret), "{listed}");
    assert_conforms(&emulator.journal());
}

#[test]
fn the_binary_logs_method_path_and_status_never_a_query_or_a_key() {
    let binary = env!("CARGO_BIN_EXE_cohere-connectors-emulator");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(binary)
        .args([
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--api-key",
            "log-test-key-0123456789",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("listening") {
        line.clear();
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        http.get(format!("{base}/v1/connectors?api_key=sk-QUERY-SECRET-0123456789"))
            .bearer_auth("log-test-key-0123456789")
            .send()
            .await
            .unwrap();
        http.post(format!("{base}/v1/connectors"))
            .bearer_auth("log-test-key-0123456789")
            .json(&json!({"name": "a", "url": "https://a", "service_auth": {"type": "sk-BODY-SECRET", "token": "t"}}))
            .send()
            .await
            .unwrap();
    });
    child.kill().unwrap();
    let _ = child.wait();
    let mut log = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut log).unwrap();
    assert!(log.contains("GET /v1/connectors -> 200"), "{log}");
    assert!(log.contains("POST /v1/connectors -> 400"), "{log}");
    for secret in ["QUERY-SECRET", "BODY-SECRET", "log-test-key"] {
        assert!(!log.contains(secret), "{log}");
    }
}

/// The conformance checker itself: it must refuse what the API would not send, or passing it
/// would mean nothing.
#[test]
fn the_checker_refuses_answers_outside_the_schema() {
    let Some(upstream) = upstream() else { return };
    let connector = json!({
        "id": "a", "name": "A", "organization_id": "o", "url": "https://a.example",
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
        "excludes": [], "active": true, "continue_on_failure": false,
        "auth_type": "oauth",
        "oauth": {"client_id": "c", "authorize_url": "https://a", "token_url": "https://t"},
    });
    let get = "/paths/~1v1~1connectors~1{id}/get/responses/200/content/application~1json/schema";
    assert!(
        upstream
            .check(get, &json!({"connector": connector}))
            .is_ok()
    );
    for (field, bad) in [
        ("auth_status", json!("")),
        ("auth_status", json!("revoked")),
        ("created_at", json!("yesterday")),
        ("active", json!("yes")),
        ("excludes", json!([1])),
    ] {
        let mut wrong = connector.clone();
        wrong[field] = bad.clone();
        assert!(
            upstream.check(get, &json!({"connector": wrong})).is_err(),
            "{field}: {bad} passed"
        );
    }
    let mut missing = connector.clone();
    missing.as_object_mut().unwrap().remove("name");
    assert!(upstream.check(get, &json!({"connector": missing})).is_err());
}

/// With few file descriptors, stalled clients exhaust them; `accept` then fails with EMFILE.
/// The emulator backs off instead of spinning and serves again once they are gone.
#[test]
fn running_out_of_file_descriptors_is_survived() {
    let binary = env!("CARGO_BIN_EXE_cohere-connectors-emulator");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let command = format!(
        "ulimit -n 48 && exec '{binary}' --addr 127.0.0.1:{port} --api-key fd-key --quiet --header-timeout-ms 300"
    );
    let mut child = Command::new("sh")
        .args(["-c", &command])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("listening") {
        line.clear();
    }
    let mut stalled = Vec::new();
    for _ in 0..120 {
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        std::io::Write::write_all(&mut stream, b"GET /v1/connectors HTTP/1.1\r\nHost: x\r\nAu")
            .unwrap();
        stalled.push(stream);
    }
    drop(stalled);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/v1/connectors"))
            .bearer_auth("fd-key")
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map(|response| response.status().as_u16())
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert_eq!(status.unwrap(), 200);
}
