//! The generated layer on the wire: what `cohere_connectors::raw` sends and decodes.

use cohere_connectors::raw;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn list_sends_integer_pagination_and_no_progenitor_header() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/connectors")
                .is_true(|request| request.uri().query() == Some("limit=10&offset=20"))
                .header_missing("api-version");
            then.status(200).json_body(json!({
                "connectors": [{
                    "id": "c-1",
                    "name": "C",
                    "created_at": "2024-01-02T03:04:05Z",
                    "updated_at": "2024-01-02T03:04:05Z",
                    "auth_status": "",
                }],
                "total_count": 1.0,
            }));
        })
        .await;

    let client = raw::Client::new(&server.base_url(), raw::Transport::default());
    let page = client
        .list_connectors()
        .limit(10)
        .offset(20)
        .send()
        .await
        .expect("the mock answers 200")
        .into_inner();

    mock.assert_async().await;
    assert_eq!(page.total_count, Some(1.0));
    assert_eq!(page.connectors[0].id, "c-1");
    assert_eq!(page.connectors[0].auth_status.as_deref(), Some(""));
}

#[tokio::test]
async fn every_documented_error_status_decodes_its_body() {
    let server = MockServer::start_async().await;
    let statuses = [400, 401, 403, 404, 422, 429, 498, 499, 500, 501, 503, 504];
    let client = raw::Client::new(&server.base_url(), raw::Transport::default());
    for status in statuses {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors/missing");
                then.status(status)
                    .json_body(json!({"message": format!("status {status}"), "id": "req-1"}));
            })
            .await;
        let error = client
            .get_connector()
            .id("missing")
            .send()
            .await
            .expect_err("an error status");
        let raw::Error::ErrorResponse(body) = error else {
            panic!("{status} should be a documented error response, got {error:?}");
        };
        assert_eq!(body.status().as_u16(), status);
        assert_eq!(
            body.message.as_deref(),
            Some(format!("status {status}").as_str())
        );
        assert_eq!(body.id.as_deref(), Some("req-1"));
        mock.delete_async().await;
    }
}

// ---- progenitor's errors, as progenitor reports them, under the transport's rules ---------

use cohere_connectors::Client;
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};

fn raw_client(url: &str) -> Client {
    Client::builder()
        .api_key("raw-key-0123456789")
        .base_url(url)
        .max_retries(0)
        .build()
        .unwrap()
}

fn html(status: u16) -> Reply {
    Reply::Body {
        status,
        headers: vec![("content-type", "text/html".into())],
        body: "<html><h1>Bad Gateway</h1></html>".into(),
    }
}

#[tokio::test]
async fn an_undocumented_status_is_progenitors_unexpected_response_with_its_body() {
    let server = ScriptedServer::start(vec![html(502)]).await;
    let client = raw_client(&server.url);
    let error = client.raw().list_connectors().send().await.unwrap_err();
    let raw::Error::UnexpectedResponse(response) = error else {
        panic!("{error:?}");
    };
    assert_eq!(response.status(), 502);
    assert_eq!(
        response.text().await.unwrap(),
        "<html><h1>Bad Gateway</h1></html>"
    );
}

#[tokio::test]
async fn a_documented_status_with_a_body_not_json_is_progenitors_payload_error() {
    let server = ScriptedServer::start(vec![html(503)]).await;
    let client = raw_client(&server.url);
    let error = client.raw().list_connectors().send().await.unwrap_err();
    let raw::Error::InvalidResponsePayload(body, _) = error else {
        panic!("{error:?}");
    };
    assert_eq!(body, "<html><h1>Bad Gateway</h1></html>");
}

#[tokio::test]
async fn a_redirect_is_an_unexpected_response_and_is_not_followed() {
    let target = ScriptedServer::start(vec![Reply::json(200, json!({"connectors": []}))]).await;
    let origin = ScriptedServer::start(vec![Reply::Body {
        status: 307,
        headers: vec![("location", format!("{}/v1/connectors", target.url))],
        body: String::new(),
    }])
    .await;
    let error = raw_client(&origin.url)
        .raw()
        .create_connector()
        .body(raw::types::CreateConnectorRequest {
            name: "A".into(),
            url: "https://a.example/search".into(),
            description: None,
            excludes: vec![],
            active: true,
            continue_on_failure: false,
            oauth: None,
            service_auth: None,
        })
        .send()
        .await
        .unwrap_err();
    let raw::Error::UnexpectedResponse(response) = error else {
        panic!("{error:?}");
    };
    assert_eq!(response.status(), 307);
    assert_eq!((origin.requests(), target.requests()), (1, 0));
}

#[tokio::test]
async fn an_answer_a_following_client_got_from_another_url_is_refused() {
    let target = ScriptedServer::start(vec![Reply::json(200, json!({"connectors": []}))]).await;
    let origin = ScriptedServer::start(vec![Reply::Body {
        status: 302,
        headers: vec![("location", format!("{}/v1/connectors", target.url))],
        body: String::new(),
    }])
    .await;
    let client = Client::builder()
        .api_key("raw-key-0123456789")
        .base_url(&origin.url)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap();
    let error = client.raw().list_connectors().send().await.unwrap_err();
    let raw::Error::Custom(message) = error else {
        panic!("{error:?}");
    };
    assert!(message.contains("followed a redirect"), "{message}");
    assert_eq!(target.requests(), 1, "the caller's client followed it");
}

#[tokio::test]
async fn bodies_over_their_limit_are_refused_as_they_arrive() {
    for (reply, limit) in [
        (
            Reply::Junk {
                bytes: 64 * 1024 * 1024,
                declared: false,
            },
            "4096 bytes",
        ),
        (
            Reply::Junk {
                bytes: 64 * 1024 * 1024,
                declared: true,
            },
            "4096 bytes",
        ),
        (
            Reply::Body {
                status: 500,
                headers: vec![],
                body: "x".repeat(65 * 1024),
            },
            "65536 bytes",
        ),
    ] {
        let server = ScriptedServer::start(vec![reply]).await;
        let client = Client::builder()
            .api_key("raw-key-0123456789")
            .base_url(&server.url)
            .max_response_bytes(4096)
            .build()
            .unwrap();
        let started = std::time::Instant::now();
        let error = client.raw().list_connectors().send().await.unwrap_err();
        let raw::Error::Custom(message) = error else {
            panic!("{error:?}");
        };
        assert!(message.contains("length limit exceeded"), "{message}");
        assert!(message.contains(limit), "{message}");
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}

#[tokio::test]
async fn a_body_cut_off_is_progenitors_communication_error() {
    let server = ScriptedServer::start(vec![Reply::CutMidBody]).await;
    let error = raw_client(&server.url)
        .raw()
        .list_connectors()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(error, raw::Error::CommunicationError(_)),
        "{error:?}"
    );
}
