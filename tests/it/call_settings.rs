//! Per-call settings (timeout, deadline, retries, headers) and response metadata, checked on
//! the wire.

use std::time::Duration;

use crate::common::connector_json;
use cohere_connectors::{Client, Error, RequestOptions};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use futures_util::TryStreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

fn client(url: &str) -> Client {
    Client::builder()
        .api_key("settings-key-0123456789")
        .base_url(url)
        .client_name("client-wide")
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(2))
        .build()
        .unwrap()
}

#[tokio::test]
async fn headers_of_one_call_reach_the_wire_over_the_clients() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/connectors/c")
                .header("x-client-name", "this-call")
                .header("x-request-origin", "nightly")
                .header("authorization", "Bearer settings-key-0123456789");
            then.status(200)
                .json_body(json!({"connector": connector_json("c")}));
        })
        .await;
    let plain = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/connectors/d")
                .header("x-client-name", "client-wide")
                .header_missing("x-request-origin");
            then.status(200)
                .json_body(json!({"connector": connector_json("d")}));
        })
        .await;
    let client = client(&server.base_url());
    client
        .connectors()
        .get("c")
        .header("X-Client-Name", "this-call")
        .header("x-request-origin", "nightly")
        .await
        .unwrap();
    client.connectors().get("d").await.unwrap();
    mock.assert_async().await;
    plain.assert_async().await;
}

#[tokio::test]
async fn reserved_or_bad_headers_are_refused_before_sending() {
    let server = ScriptedServer::start(vec![Reply::json(200, json!({}))]).await;
    let client = client(&server.url);
    for (name, value) in [
        ("Authorization", "Bearer someone-else"),
        ("host", "evil.example"),
        ("content-type", "text/plain"),
        ("x-ok", "two\nlines"),
        ("bad header", "x"),
    ] {
        let error = client
            .connectors()
            .delete("c")
            .header(name, value)
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidArgument { .. }),
            "{name}: {error:?}"
        );
    }
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn retries_and_deadline_of_one_call() {
    let failing = || Reply::json(503, json!({"message": "busy"}));
    let server = ScriptedServer::start(vec![failing()]).await;
    let client = client(&server.url);
    let error = client
        .connectors()
        .get("c")
        .max_retries(0)
        .await
        .unwrap_err();
    assert_eq!((error.status(), server.requests()), (Some(503), 1));
    let error = client.connectors().get("c").await.unwrap_err();
    assert_eq!(
        server.requests(),
        4,
        "the client's two retries apply to the next call"
    );
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.attempts(), 3);

    let silent = ScriptedServer::start(vec![Reply::Silence]).await;
    let quiet = self::client(&silent.url);
    let error = quiet
        .clone()
        .connectors()
        .list()
        .max_retries(0)
        .timeout(Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    let error = quiet
        .connectors()
        .list()
        .deadline(Duration::from_millis(150))
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn metadata_comes_with_the_value_after_retries() {
    let ok = Reply::Body {
        status: 200,
        headers: vec![
            ("content-type", "application/json".into()),
            ("x-request-id", "req-42".into()),
            ("x-ratelimit-limit", "1000".into()),
            ("x-ratelimit-remaining", "998".into()),
            ("x-ratelimit-reset", "20".into()),
        ],
        body: json!({"connectors": [connector_json("a")], "total_count": 1}).to_string(),
    };
    let server = ScriptedServer::start(vec![
        Reply::json(503, json!({"message": "busy"})),
        Reply::json(429, json!({"message": "slow"})),
        ok,
    ])
    .await;
    let answer = client(&server.url)
        .connectors()
        .list()
        .send_with_meta()
        .await
        .unwrap();
    let meta = answer.meta();
    assert_eq!(meta.status(), 200);
    assert_eq!(meta.attempts(), 3);
    assert_eq!(meta.request_id(), Some("req-42"));
    let limit = meta.rate_limit().unwrap();
    assert_eq!(
        (limit.limit, limit.remaining, limit.reset),
        (Some(1000), Some(998), Some(Duration::from_secs(20)))
    );
    assert_eq!(meta.headers()["x-request-id"], "req-42");
    assert_eq!(answer.connectors.len(), 1);
    let (page, _) = answer.into_parts();
    assert_eq!(page.total_count, Some(1));
}

#[tokio::test]
async fn every_operation_offers_metadata() {
    let connector = || Reply::json(200, json!({"connector": connector_json("c")}));
    let server = ScriptedServer::start(vec![
        connector(),
        connector(),
        connector(),
        Reply::Body {
            status: 204,
            headers: vec![("x-request-id", "del-1".into())],
            body: String::new(),
        },
        Reply::json(200, json!({"redirect_url": "https://login.example.com/a"})),
    ])
    .await;
    let connectors = client(&server.url).connectors();
    let created = connectors
        .create("C", "https://c.example/search")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(created.meta().status(), 200);
    connectors.get("c").send_with_meta().await.unwrap();
    connectors
        .update("c")
        .active(true)
        .send_with_meta()
        .await
        .unwrap();
    let deleted = connectors.delete("c").send_with_meta().await.unwrap();
    assert_eq!(
        (deleted.meta().status(), deleted.meta().request_id()),
        (204, Some("del-1"))
    );
    let redirect = connectors
        .authorize_oauth("c")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(redirect.value(), "https://login.example.com/a");
}

#[tokio::test]
async fn a_stream_applies_its_settings_to_every_page() {
    let server = MockServer::start_async().await;
    for offset in [0, 2] {
        let ids = if offset == 0 {
            vec!["a", "b"]
        } else {
            vec!["c"]
        };
        let connectors: Vec<_> = ids.iter().map(|id| connector_json(id)).collect();
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/connectors")
                    .query_param("offset", offset.to_string())
                    .header("x-walk", "all");
                then.status(200)
                    .json_body(json!({"connectors": connectors, "total_count": 3}));
            })
            .await;
    }
    let ids: Vec<String> = client(&server.base_url())
        .connectors()
        .list()
        .limit(2)
        .options(RequestOptions::new().header("x-walk", "all").max_retries(0))
        .stream()
        .map_ok(|connector| connector.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["a", "b", "c"]);
}
