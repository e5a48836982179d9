//! A call is one span with the operation, attempts and final status; no secret is ever logged.
#![cfg(feature = "tracing")]

use std::time::Duration;

use crate::common::connector_json;
use cohere_connectors::{Client, ServiceAuth};
use cohere_connectors_testing::logs::Logs;
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use serde_json::json;

const KEY: &str = "sk-TRACE-never-log-me";
const TOKEN: &str = "service-TRACE-never-log-me";

#[tokio::test]
async fn a_retried_call_is_traced_without_secrets() {
    let (captured, _guard) = Logs::capture(tracing::Level::DEBUG);

    let server = ScriptedServer::start(vec![
        Reply::json(429, json!({"message": "slow down"})),
        Reply::json(200, json!({"connector": connector_json("wiki")})),
    ])
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    client
        .connectors()
        .create("Wiki", "https://wiki.example.com/search")
        .service_auth(ServiceAuth::bearer(TOKEN))
        .await
        .unwrap();

    let output = captured.text();
    for expected in [
        "cohere_connectors.call",
        "operation=\"create-connector\"",
        "method=\"POST\"",
        "attempt failed",
        "retrying",
        "attempt succeeded",
        "attempts=2",
        "status=200",
        "elapsed_ms=",
    ] {
        assert!(output.contains(expected), "no {expected:?} in:\n{output}");
    }
    assert!(!output.contains(KEY) && !output.contains(TOKEN), "{output}");
}

#[tokio::test]
async fn server_text_reaches_the_log_escaped_and_without_the_key() {
    let (captured, _guard) = Logs::capture(tracing::Level::DEBUG);

    let echo = format!("\u{1b}[2J\u{7}rejected Bearer {KEY}");
    let server = ScriptedServer::start(vec![
        Reply::json(503, json!({"message": echo})),
        Reply::json(400, json!({"message": echo})),
    ])
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap();
    client.connectors().get("c").await.unwrap_err();

    let output = captured.text();
    assert!(output.contains("retrying"), "{output}");
    assert!(output.contains("[redacted]"), "{output}");
    assert!(output.contains("\\u{1b}[2J"), "{output}");
    assert!(!output.contains(KEY), "{output}");
    assert!(
        !output.contains('\u{1b}') && !output.contains('\u{7}'),
        "{output:?}"
    );
}
