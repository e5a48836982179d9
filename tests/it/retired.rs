//! A Connectors API retired for the account (404 on the collection, or 410) is its own error
//! kind, never retried, with a message that says where to go; a 404 on one id stays
//! "not found".

use std::time::Duration;

use cohere_connectors::{ApiErrorKind, Client, Error};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use futures_util::StreamExt;
use serde_json::json;

fn client(url: &str) -> Client {
    // The default retry policy (two retries), with short waits: a retry would show as a
    // second request.
    Client::builder()
        .api_key("test-key-0123456789")
        .base_url(url)
        .retry_base_delay(Duration::from_millis(1))
        .build()
        .unwrap()
}

fn assert_retired(error: &Error, operation: &str, status: u16) {
    assert!(error.is_retired(), "{error}");
    assert!(!error.is_retryable() && !error.is_not_found(), "{error}");
    assert_eq!(error.status(), Some(status));
    match error {
        Error::Api(api) => assert_eq!(api.kind(), ApiErrorKind::Retired),
        other => panic!("{other:?}"),
    }
    let text = error.to_string();
    assert!(
        text.starts_with(&format!("{operation}: {status}")),
        "{text}"
    );
    assert!(
        text.contains("the Connectors API is not available to this account"),
        "{text}"
    );
    assert!(text.contains("migration guide"), "{text}");
    assert!(!text.contains("attempts"), "{text}");
}

#[tokio::test]
async fn a_404_on_the_collection_is_retired_and_answered_once() {
    for status in [404, 410] {
        let server =
            ScriptedServer::start(vec![Reply::json(status, json!({"message": "Not Found"}))]).await;
        let client = client(&server.url);
        let error = client.connectors().list().send().await.unwrap_err();
        assert_retired(&error, "list-connectors", status);
        assert_eq!(server.requests(), 1, "a retired API is not retried");
        // The server's own words are kept after the advice.
        assert!(error.to_string().ends_with(": Not Found"), "{error}");

        let mut stream = client.connectors().list().stream();
        let first = stream.next().await.unwrap().unwrap_err();
        assert_retired(&first, "list-connectors", status);
        assert!(stream.next().await.is_none());
        assert_eq!(server.requests(), 2);

        let error = client
            .connectors()
            .create("Wiki", "https://wiki.example.com/search")
            .send()
            .await
            .unwrap_err();
        assert_retired(&error, "create-connector", status);
        assert_eq!(server.requests(), 3);
    }
}

#[tokio::test]
async fn a_404_on_one_connector_stays_not_found_and_410_anywhere_is_retired() {
    let server = ScriptedServer::start(vec![
        Reply::json(404, json!({"message": "connector not found"})),
        Reply::json(410, json!({"message": "Gone"})),
        Reply::json(404, json!({"message": "connector not found"})),
        Reply::json(410, json!({"message": "Gone"})),
    ])
    .await;
    let client = client(&server.url);
    let missing = client.connectors().get("wiki").await.unwrap_err();
    assert!(missing.is_not_found() && !missing.is_retired(), "{missing}");
    let gone = client.connectors().get("wiki").await.unwrap_err();
    assert_retired(&gone, "get-connector", 410);
    let missing = client.connectors().delete("wiki").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
    let gone = client
        .connectors()
        .update("wiki")
        .name("x")
        .send()
        .await
        .unwrap_err();
    assert_retired(&gone, "update-connector", 410);
    assert_eq!(server.requests(), 4);
}
