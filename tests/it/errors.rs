//! What each kind of failure looks like to the caller.

use std::time::Duration;

use crate::common::{client, connector_json};
use cohere_connectors::{ApiErrorKind, Error, Operation};
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use serde_json::json;

const DOCUMENTED: [(u16, ApiErrorKind); 12] = [
    (400, ApiErrorKind::BadRequest),
    (401, ApiErrorKind::Unauthorized),
    (403, ApiErrorKind::Forbidden),
    (404, ApiErrorKind::NotFound),
    (422, ApiErrorKind::UnprocessableEntity),
    (429, ApiErrorKind::TooManyRequests),
    (498, ApiErrorKind::InvalidToken),
    (499, ApiErrorKind::ClientClosedRequest),
    (500, ApiErrorKind::InternalServerError),
    (501, ApiErrorKind::NotImplemented),
    (503, ApiErrorKind::ServiceUnavailable),
    (504, ApiErrorKind::GatewayTimeout),
];

#[tokio::test]
async fn every_documented_status_maps_to_its_kind_with_message_and_id() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    for (status, kind) in DOCUMENTED {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors/c");
                then.status(status)
                    .json_body(json!({"message": format!("failed with {status}"), "id": "err-42"}));
            })
            .await;
        let error = client.connectors().get("c").send().await.unwrap_err();
        mock.assert_async().await;
        mock.delete_async().await;

        let Error::Api(api) = &error else {
            panic!("{status}: expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), status);
        assert_eq!(api.kind(), kind, "{status}");
        assert_eq!(
            api.message(),
            Some(format!("failed with {status}").as_str())
        );
        assert_eq!(api.id(), Some("err-42"));
        assert_eq!(api.body(), None);
        assert_eq!(api.operation(), Operation::GetConnector);
        assert_eq!(error.status(), Some(status));
        let line = error.to_string();
        assert!(
            line.starts_with(&format!("get-connector: {status}")),
            "{line}"
        );
        assert!(line.contains(&format!("failed with {status}")), "{line}");
        assert!(!line.contains('\n'), "{line}");
    }
}

#[tokio::test]
async fn an_html_page_from_a_proxy_still_gives_the_status() {
    // 502 is not a status the API documents; 503 is, and progenitor would try to decode its
    // body as the API's JSON error.
    for (status, kind) in [
        (502, ApiErrorKind::Other),
        (503, ApiErrorKind::ServiceUnavailable),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors");
                then.status(status)
                    .header("content-type", "text/html")
                    .body("<html><body><h1>Bad Gateway</h1></body></html>");
            })
            .await;
        let error = client(&server)
            .connectors()
            .list()
            .send()
            .await
            .unwrap_err();
        let Error::Api(api) = &error else {
            panic!("{status}: expected an API error, got {error:?}");
        };
        assert_eq!(api.status(), status);
        assert_eq!(api.kind(), kind);
        assert_eq!(api.message(), None);
        assert_eq!(
            api.body(),
            Some("<html><body><h1>Bad Gateway</h1></body></html>")
        );
        assert!(error.to_string().contains("Bad Gateway"), "{error}");
    }
}

#[tokio::test]
async fn json_of_another_shape_and_empty_bodies_keep_the_status() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors/other-shape");
            then.status(400).json_body(json!({"error": {"code": 7}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors/empty");
            then.status(401);
        })
        .await;
    let client = client(&server);

    let error = client.connectors().get("other-shape").await.unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.kind(), ApiErrorKind::BadRequest);
    assert_eq!(api.body(), Some(r#"{"error":{"code":7}}"#));

    let error = client.connectors().get("empty").await.unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.kind(), ApiErrorKind::Unauthorized);
    assert_eq!((api.message(), api.body()), (None, None));
}

#[tokio::test]
async fn a_huge_error_body_is_cut_to_a_snippet() {
    let server = MockServer::start_async().await;
    let page = "<p>sorry</p>".repeat(100_000);
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(500).body(page);
        })
        .await;
    let error = client(&server).connectors().list().await.unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.status(), 500);
    let body = api.body().unwrap();
    assert!(body.len() <= 4096, "{}", body.len());
    assert!(body.starts_with("<p>sorry</p>"));
}

#[tokio::test]
async fn a_success_with_a_malformed_body_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200).body(r#"{"connectors": "not a list"}"#);
        })
        .await;
    let error = client(&server).connectors().list().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert_eq!(decode.status(), 200);
    assert_eq!(decode.snippet(), r#"{"connectors": "not a list"}"#);
    assert_eq!(error.status(), Some(200));
    assert!(!error.is_retryable());
    assert!(
        error
            .to_string()
            .starts_with("list-connectors: the 200 response"),
        "{error}"
    );
}

#[tokio::test]
async fn a_fractional_total_count_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200)
                .json_body(json!({"connectors": [], "total_count": 2.5}));
        })
        .await;
    let error = client(&server).connectors().list().await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("total_count 2.5"), "{error}");
}

#[tokio::test]
async fn an_undocumented_success_status_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/connectors");
            then.status(201)
                .json_body(json!({"connector": connector_json("c")}));
        })
        .await;
    let error = client(&server)
        .connectors()
        .create("C", "https://c.example/search")
        .await
        .unwrap_err();
    let Error::Decode(decode) = error else {
        panic!()
    };
    assert_eq!(decode.status(), 201);
}

#[tokio::test]
async fn a_body_over_the_size_limit_is_refused() {
    let server = MockServer::start_async().await;
    let many: Vec<_> = (0..50).map(|i| connector_json(&format!("c-{i}"))).collect();
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200)
                .json_body(json!({"connectors": many, "total_count": 50}));
        })
        .await;
    let small = cohere_connectors::Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .max_response_bytes(4 * 1024)
        .build()
        .unwrap();
    let error = small.connectors().list().await.unwrap_err();
    let Error::Decode(decode) = &error else {
        panic!("expected a decode error, got {error:?}")
    };
    assert!(decode.reason().contains("length limit exceeded"), "{error}");
}

#[tokio::test]
async fn retry_after_is_reported() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(429)
                .header("retry-after", "7")
                .json_body(json!({"message": "slow down"}));
        })
        .await;
    let error = client(&server).connectors().list().await.unwrap_err();
    assert!(error.is_retryable());
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_missing_redirect_url_is_a_decode_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/connectors/c/oauth/authorize");
            then.status(200).json_body(json!({}));
        })
        .await;
    let error = client(&server)
        .connectors()
        .authorize_oauth("c")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("no redirect_url"), "{error}");
}

#[tokio::test]
async fn a_refused_connection_is_a_connect_error() {
    // Bind, learn the port, close: nothing listens there now.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = cohere_connectors::Client::builder()
        .api_key("k")
        .base_url(format!("http://127.0.0.1:{port}"))
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.connectors().list().await.unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("expected a transport error, got {error:?}")
    };
    assert!(transport.is_connect(), "{error}");
    assert!(!transport.is_timeout());
    assert!(error.is_retryable());
    assert_eq!(error.status(), None);
    assert!(
        error
            .to_string()
            .starts_with("list-connectors: could not connect"),
        "{error}"
    );
}
