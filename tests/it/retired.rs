//! A Connectors API retired for the account (410, or a 404 on the collection that only the API
//! can have sent) is its own error kind, never retried, with a message that says where to go;
//! a 404 on one id stays "not found", and so does a 404 from anything that is not the API at
//! the right URL (a wrong base URL path, an HTML server, a mock that matched nothing), whose
//! message says to check the base URL.

use std::time::Duration;

use cohere_connectors::{ApiErrorKind, Client, Error};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use futures_util::StreamExt;
use serde_json::json;

/// The API's own error body: a message and an id.
fn api_error(status: u16, message: &str) -> Reply {
    Reply::json(status, json!({"message": message, "id": "4f2c-err"}))
}

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
        let server = ScriptedServer::start(vec![api_error(status, "Not Found")]).await;
        let client = client(&server.url);
        let error = client.connectors().list().send().await.unwrap_err();
        assert_retired(&error, "list-connectors", status);
        assert_eq!(server.requests(), 1, "a retired API is not retried");
        // The server's own words are kept after the advice.
        assert!(
            error.to_string().ends_with(": Not Found (id 4f2c-err)"),
            "{error}"
        );

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
        api_error(404, "connector not found"),
        Reply::json(410, json!({"message": "Gone"})),
        api_error(404, "connector not found"),
        Reply::Body {
            status: 410,
            headers: vec![],
            body: "<html>Gone</html>".into(),
        },
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

fn assert_plain_not_found(error: &Error) {
    assert!(error.is_not_found() && !error.is_retired(), "{error}");
    let text = error.to_string();
    assert!(
        text.starts_with("list-connectors: 404 Not Found: "),
        "{text}"
    );
    assert!(text.contains("check CO_API_URL"), "{text}");
    assert!(!text.contains("migration guide"), "{text}");
}

#[tokio::test]
async fn a_404_from_what_is_not_the_api_is_not_found_with_a_hint() {
    // An HTML server, a proxy's plain text, an empty body, another framework's JSON, and
    // httpmock's answer to a request no mock matched: none is the API's error body.
    for reply in [
        Reply::Body {
            status: 404,
            headers: vec![("content-type", "text/html".into())],
            body: "<html><body>404 Not Found</body></html>".into(),
        },
        Reply::Body {
            status: 404,
            headers: vec![],
            body: String::new(),
        },
        Reply::json(404, json!({"detail": "Not Found"})),
        Reply::json(
            404,
            json!({"message": "Request did not match any route or mock"}),
        ),
    ] {
        let server = ScriptedServer::start(vec![reply.clone()]).await;
        let error = client(&server.url).connectors().list().await.unwrap_err();
        assert_plain_not_found(&error);
        assert_eq!(server.requests(), 1, "a 404 is not retried: {reply:?}");
    }
}

#[tokio::test]
async fn an_unmatched_httpmock_request_is_not_retirement() {
    let server = httpmock::MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/v1/connectors/elsewhere");
            then.status(200);
        })
        .await;
    let error = client(&server.base_url())
        .connectors()
        .list()
        .await
        .unwrap_err();
    assert_plain_not_found(&error);
}

#[tokio::test]
async fn a_wrong_base_url_path_is_not_retirement_even_with_the_apis_body() {
    // The emulator is the API's double: under a path it does not serve, it answers 404 with
    // the API's own error body, as Cohere does for an endpoint that does not exist.
    let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
    for prefix in ["/wrong", "/v2", "/api/v1/v1"] {
        let client = emulator
            .client_builder()
            .base_url(format!("{}{prefix}", emulator.base_url()))
            .build()
            .unwrap();
        let error = client.connectors().list().await.unwrap_err();
        assert_plain_not_found(&error);
    }
}

#[cfg(feature = "httpmock")]
#[tokio::test]
async fn the_typed_mock_of_a_404_on_the_collection_is_retirement() {
    use cohere_connectors::mock::MockServerExt;
    let server = httpmock::MockServer::start_async().await;
    server.list_connectors(|_, then| {
        then.not_found("Not Found");
    });
    let error = client(&server.base_url())
        .connectors()
        .list()
        .await
        .unwrap_err();
    assert_retired(&error, "list-connectors", 404);
}

#[tokio::test]
async fn on_cohere_hosts_at_their_root_a_404_on_the_collection_is_retirement() {
    // The server is local; Cohere's host names resolve to it (plain http, so no certificate).
    let server = ScriptedServer::start(vec![Reply::Body {
        status: 404,
        headers: vec![("content-type", "text/html".into())],
        body: "<html>Not Found</html>".into(),
    }])
    .await;
    let address: std::net::SocketAddr = server.url.trim_start_matches("http://").parse().unwrap();
    let port = address.port();
    for (host, path, retired) in [
        ("api.cohere.com", "", true),
        ("api.cohere.com", "/v1", true),
        ("eu.api.cohere.ai", "/", true),
        ("api.cohere.com", "/v2", false),
        ("cohere.example.com", "", false),
    ] {
        let http = reqwest::Client::builder()
            .resolve(host, address)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let client = Client::builder()
            .api_key("test-key-0123456789")
            .base_url(format!("http://{host}:{port}{path}"))
            .allow_insecure_http(true)
            .http_client(http)
            .max_retries(0)
            .build()
            .unwrap();
        let error = client.connectors().list().await.unwrap_err();
        if retired {
            assert_retired(&error, "list-connectors", 404);
        } else {
            assert_plain_not_found(&error);
        }
    }
}
