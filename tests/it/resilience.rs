//! Retries, timeouts, bodies that go wrong, pagination and concurrency. Every test finishes in
//! a few seconds: waits are asserted as lower bounds, and backoff is shortened.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::common::connector_json;
use cohere_connectors::{ApiErrorKind, Client, Error};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use futures_util::{StreamExt, TryStreamExt};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

/// A client for `base_url` with short backoff, so retries cost milliseconds.
fn fast(base_url: &str, max_retries: u32) -> cohere_connectors::ClientBuilder {
    Client::builder()
        .api_key("k")
        .base_url(base_url)
        .max_retries(max_retries)
        .retry_base_delay(Duration::from_millis(5))
        .retry_max_delay(Duration::from_millis(20))
}

/// Creates the connector the retry tests send: a POST, so the non-idempotent rules apply.
async fn create_one(client: &Client) -> cohere_connectors::Result<cohere_connectors::Connector> {
    client
        .connectors()
        .create("A", "https://a.example/search")
        .await
}

fn page_body(ids: impl IntoIterator<Item = usize>, total: usize) -> serde_json::Value {
    let connectors: Vec<_> = ids
        .into_iter()
        .map(|i| connector_json(&format!("c-{i:03}")))
        .collect();
    json!({"connectors": connectors, "total_count": total})
}

// ---- retries ----------------------------------------------------------------------------

#[tokio::test]
async fn a_429_with_retry_after_is_retried_once_after_the_wait() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(429)
                .header("retry-after", "1")
                .json_body(json!({"message": "slow down"}))
                .up_to_n_times(1);
        })
        .await;
    let ok = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200).json_body(page_body(0..1, 1));
        })
        .await;

    let started = Instant::now();
    let page = fast(&server.base_url(), 2)
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap();

    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(page.connectors.len(), 1);
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

async fn two_503s_then_ok(max_retries: u32) -> (cohere_connectors::Result<()>, usize) {
    let server = ScriptedServer::start(vec![
        Reply::json(503, json!({"message": "busy"})),
        Reply::json(503, json!({"message": "busy"})),
        Reply::json(200, page_body(0..1, 1)),
    ])
    .await;
    let outcome = fast(&server.url, max_retries)
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .map(|_| ());
    (outcome, server.requests())
}

#[tokio::test]
async fn two_503s_then_200_succeeds_with_two_retries_and_fails_with_one() {
    let (outcome, requests) = two_503s_then_ok(2).await;
    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(requests, 3);

    let (outcome, requests) = two_503s_then_ok(1).await;
    let error = outcome.unwrap_err();
    assert_eq!(requests, 2);
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.kind(), ApiErrorKind::ServiceUnavailable);
    assert_eq!(api.attempts(), 2);
    assert!(error.to_string().ends_with("(after 2 attempts)"), "{error}");
}

#[tokio::test]
async fn the_error_returned_is_the_last_one() {
    let server = ScriptedServer::start(vec![
        Reply::json(503, json!({"message": "first"})),
        Reply::json(500, json!({"message": "second"})),
        Reply::json(504, json!({"message": "third"})),
    ])
    .await;
    let error = fast(&server.url, 2)
        .build()
        .unwrap()
        .connectors()
        .get("c")
        .await
        .unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(
        (api.status(), api.message(), api.attempts()),
        (504, Some("third"), 3)
    );
}

#[tokio::test]
async fn create_is_not_retried_on_500_but_is_on_429() {
    let server = ScriptedServer::start(vec![Reply::json(500, json!({"message": "boom"}))]).await;
    let client = fast(&server.url, 2).build().unwrap();
    let error = create_one(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(500));
    assert_eq!(server.requests(), 1);

    let server = ScriptedServer::start(vec![
        Reply::json(429, json!({"message": "slow down"})),
        Reply::json(200, json!({"connector": connector_json("a")})),
    ])
    .await;
    let client = fast(&server.url, 2).build().unwrap();
    create_one(&client).await.unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn create_is_retried_on_500_when_the_caller_opts_in() {
    let server = ScriptedServer::start(vec![
        Reply::json(500, json!({"message": "boom"})),
        Reply::json(200, json!({"connector": connector_json("a")})),
    ])
    .await;
    let client = fast(&server.url, 2)
        .retry_non_idempotent(true)
        .build()
        .unwrap();
    create_one(&client).await.unwrap();
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn client_errors_are_never_retried() {
    for status in [400, 401, 403, 404, 422, 498, 499, 501] {
        let server =
            ScriptedServer::start(vec![Reply::json(status, json!({"message": "no"}))]).await;
        let error = fast(&server.url, 2)
            .build()
            .unwrap()
            .connectors()
            .get("c")
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(server.requests(), 1, "{status} was retried");
    }
}

#[tokio::test]
async fn a_wait_beyond_the_cap_returns_the_429_at_once() {
    let server = ScriptedServer::start(vec![Reply::Body {
        status: 429,
        headers: vec![("retry-after", "120".into())],
        body: r#"{"message": "come back later"}"#.into(),
    }])
    .await;
    let started = Instant::now();
    let error = fast(&server.url, 2)
        .max_retry_after(Duration::from_secs(10))
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(server.requests(), 1);
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(120)));
}

#[tokio::test]
async fn a_refused_connection_is_retried_even_for_create() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let error = create_one(
        &fast(&format!("http://127.0.0.1:{port}"), 2)
            .build()
            .unwrap(),
    )
    .await
    .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert!(transport.is_connect());
    assert_eq!(transport.attempts(), 3);
    assert!(error.to_string().ends_with("(after 3 attempts)"), "{error}");
}

// ---- timeouts and broken responses ------------------------------------------------------------

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_bound() {
    let server = ScriptedServer::start(vec![Reply::Silence]).await;
    let started = Instant::now();
    let error = fast(&server.url, 1)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert!(transport.is_timeout(), "{error}");
    assert_eq!(transport.attempts(), 2);
    assert!(elapsed >= Duration::from_millis(600), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(3), "{elapsed:?}");
}

#[tokio::test]
async fn the_deadline_bounds_the_whole_call() {
    let server = ScriptedServer::start(vec![Reply::Silence]).await;
    let started = Instant::now();
    let error = fast(&server.url, 5)
        .timeout(Duration::from_secs(30))
        .deadline(Duration::from_millis(400))
        .build()
        .unwrap()
        .connectors()
        .get("c")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert!(transport.is_timeout());
    assert!(error.to_string().contains("deadline"), "{error}");
    assert!(elapsed >= Duration::from_millis(400), "{elapsed:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
}

#[tokio::test]
async fn a_connection_cut_mid_body_is_a_transport_error_and_get_is_retried() {
    let server = ScriptedServer::start(vec![Reply::CutMidBody]).await;
    let error = fast(&server.url, 1)
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert!(transport.is_body(), "{error}");
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_truncated_json_body_is_a_decode_error_and_not_retried() {
    let server = ScriptedServer::start(vec![Reply::Body {
        status: 200,
        headers: vec![("content-type", "application/json".into())],
        body: r#"{"connectors": [{"id": "c-1", "na"#.into(),
    }])
    .await;
    let error = fast(&server.url, 2)
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn fifty_megabytes_of_junk_end_cleanly() {
    for declared in [true, false] {
        let server = ScriptedServer::start(vec![Reply::Junk {
            bytes: 50 * 1024 * 1024,
            declared,
        }])
        .await;
        let started = Instant::now();
        let error = fast(&server.url, 2)
            .build()
            .unwrap()
            .connectors()
            .list()
            .await
            .unwrap_err();
        let Error::Decode(decode) = &error else {
            panic!("declared {declared}: {error:?}")
        };
        assert!(decode.reason().contains("length limit exceeded"), "{error}");
        assert_eq!(server.requests(), 1, "a decode error is not retried");
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

// ---- pagination ---------------------------------------------------------------------------------

/// Answers `GET /v1/connectors?...offset=<offset>` with `status` and `body`.
async fn at_offset(
    server: &MockServer,
    offset: u64,
    status: u16,
    body: serde_json::Value,
) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/connectors")
                .query_param("offset", offset.to_string());
            then.status(status).json_body(body);
        })
        .await
}

async fn paged_server(total: usize, page: usize) -> MockServer {
    let server = MockServer::start_async().await;
    for offset in (0..total).step_by(page) {
        let body = page_body(offset..(offset + page).min(total), total);
        let query = format!("limit={page}&offset={offset}");
        server
            .mock_async(move |when, then| {
                when.method(GET)
                    .path("/v1/connectors")
                    .is_true(move |request| request.uri().query() == Some(query.as_str()));
                then.status(200).json_body(body);
            })
            .await;
    }
    server
}

#[tokio::test]
async fn two_hundred_fifty_connectors_arrive_in_order_without_duplicates() {
    let server = paged_server(250, 100).await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let connectors: Vec<_> = client
        .connectors()
        .list()
        .limit(100)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<String> = connectors.into_iter().map(|c| c.id.into_string()).collect();
    let expected: Vec<String> = (0..250).map(|i| format!("c-{i:03}")).collect();
    assert_eq!(ids, expected);

    let sizes: Vec<usize> = client
        .connectors()
        .list()
        .limit(100)
        .pages()
        .map_ok(|page| page.connectors.len())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(sizes, [100, 100, 50]);
}

#[tokio::test]
async fn the_walk_stops_at_total_count_without_an_extra_request() {
    let server = paged_server(200, 100).await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let count = client.connectors().list().stream().count().await;
    assert_eq!(count, 200);
    // Two pages were served; asking for a third would have hit no mock (a 404).
}

#[tokio::test]
async fn a_server_that_ignores_the_offset_ends_with_an_error_not_a_hang() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200).json_body(page_body(0..100, 1000));
        })
        .await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let items: Vec<_> = tokio::time::timeout(
        Duration::from_secs(5),
        client.connectors().list().stream().collect::<Vec<_>>(),
    )
    .await
    .expect("the stream ends");
    assert_eq!(items.len(), 101);
    assert!(items[..100].iter().all(Result::is_ok));
    let error = items[100].as_ref().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert!(error.to_string().contains("ignore the offset"), "{error}");
}

#[tokio::test]
async fn a_failure_on_page_two_comes_after_page_one() {
    let server = MockServer::start_async().await;
    at_offset(&server, 0, 200, page_body(0..100, 300)).await;
    let failing = at_offset(&server, 100, 500, json!({"message": "page two broke"})).await;
    let client = fast(&server.base_url(), 1).build().unwrap();
    let items: Vec<_> = client.connectors().list().stream().collect().await;
    assert_eq!(items.len(), 101);
    assert!(items[..100].iter().all(Result::is_ok));
    assert_eq!(items[100].as_ref().unwrap_err().status(), Some(500));
    failing.assert_calls_async(2).await; // retries apply per page
}

#[tokio::test]
async fn concurrent_creates_shifting_the_pages_yield_no_duplicates() {
    // Newest first: a connector created between two pages pushes the last one of page 1 to
    // the top of page 2.
    let server = MockServer::start_async().await;
    at_offset(&server, 0, 200, page_body(0..100, 150)).await;
    at_offset(&server, 100, 200, page_body(99..150, 151)).await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let ids: Vec<String> = client
        .connectors()
        .list()
        .stream()
        .map_ok(|c| c.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 150);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 150);
}

#[tokio::test]
async fn a_connector_listed_twice_in_one_page_is_yielded_once() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200).json_body(page_body([0, 1, 1, 2], 4));
        })
        .await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let ids: Vec<String> = client
        .connectors()
        .list()
        .stream()
        .map_ok(|c| c.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["c-000", "c-001", "c-002"]);
}

#[tokio::test]
async fn a_page_larger_than_asked_is_an_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/connectors");
            then.status(200).json_body(page_body(0..11, 11));
        })
        .await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let first = client
        .connectors()
        .list()
        .limit(10)
        .stream()
        .next()
        .await
        .unwrap();
    let error = first.unwrap_err();
    assert!(
        error.to_string().contains("returned 11 connectors"),
        "{error}"
    );
}

#[tokio::test]
async fn a_page_size_of_zero_is_refused_before_any_request() {
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).json_body(page_body(0..0, 0));
        })
        .await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let items: Vec<_> = client.connectors().list().limit(0).stream().collect().await;
    assert_eq!(items.len(), 1);
    assert!(matches!(items[0], Err(Error::InvalidArgument { .. })));
    anything.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_stream_can_move_into_a_spawned_task() {
    let server = paged_server(30, 100).await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let stream = client.connectors().list().stream();
    drop(client);
    let count = tokio::spawn(stream.count()).await.unwrap();
    assert_eq!(count, 30);
}

// ---- a listing that ends short of its total_count ----------------------------------------

/// A page of connectors `ids`, with `total_count` when given.
fn page_reply(ids: std::ops::Range<usize>, total: Option<usize>) -> Reply {
    let mut body = page_body(ids, 0);
    match total {
        Some(total) => body["total_count"] = json!(total),
        None => {
            body.as_object_mut().unwrap().remove("total_count");
        }
    }
    Reply::json(200, body)
}

#[tokio::test]
async fn pages_that_end_short_of_total_count_are_an_error_not_a_smaller_account() {
    let script = || {
        vec![
            page_reply(0..100, Some(250)),
            page_reply(100..150, Some(250)),
        ]
    };
    let server = ScriptedServer::start(script()).await;
    let client = fast(&server.url, 0).build().unwrap();
    let items: Vec<_> = client.connectors().list().stream().collect().await;
    assert_eq!(items.len(), 151);
    assert!(items[..150].iter().all(Result::is_ok));
    let error = items[150].as_ref().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    let text = error.to_string();
    assert!(text.contains("150 of 250"), "{text}");
    assert_eq!(server.requests(), 2, "no request after the short page");

    let server = ScriptedServer::start(script()).await;
    let client = fast(&server.url, 0).build().unwrap();
    let pages: Vec<_> = client.connectors().list().pages().collect().await;
    let sizes: Vec<_> = pages
        .iter()
        .map(|page| page.as_ref().map(|page| page.connectors.len()))
        .collect();
    assert!(
        matches!(sizes[..], [Ok(100), Ok(50), Err(Error::Protocol { .. })]),
        "{sizes:?}"
    );
    assert_eq!(pages.len(), 3);
    // What callers collect with `try_collect` is the error, never 150 connectors.
    let server = ScriptedServer::start(script()).await;
    let collected: cohere_connectors::Result<Vec<_>> = fast(&server.url, 0)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .try_collect()
        .await;
    assert!(
        matches!(collected, Err(Error::Protocol { .. })),
        "{collected:?}"
    );
}

#[tokio::test]
async fn an_empty_page_before_total_count_is_an_error_too() {
    let server = ScriptedServer::start(vec![
        page_reply(0..100, Some(300)),
        page_reply(100..200, Some(300)),
        page_reply(0..0, Some(300)),
    ])
    .await;
    let items: Vec<_> = fast(&server.url, 0)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 201);
    let error = items[200].as_ref().unwrap_err();
    assert!(error.to_string().contains("200 of 300"), "{error}");
}

#[tokio::test]
async fn connectors_deleted_during_the_walk_shrink_the_total_and_the_walk_ends_cleanly() {
    // 10 connectors are deleted between the first and second pages: the server reports the
    // new total on the pages after, and the last page is short of the first total only.
    let server = ScriptedServer::start(vec![
        page_reply(0..100, Some(250)),
        page_reply(110..210, Some(240)),
        page_reply(210..250, Some(240)),
    ])
    .await;
    let ids: Vec<String> = fast(&server.url, 0)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .map_ok(|c| c.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 240);
    assert_eq!(server.requests(), 3);
}

#[tokio::test]
async fn without_a_total_count_a_short_page_ends_the_walk() {
    let server =
        ScriptedServer::start(vec![page_reply(0..100, None), page_reply(100..150, None)]).await;
    let ids: Vec<String> = fast(&server.url, 0)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .map_ok(|c| c.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids.len(), 150);
}

#[tokio::test]
async fn a_total_count_sent_once_still_counts_when_later_pages_omit_it() {
    let server = ScriptedServer::start(vec![
        page_reply(0..100, Some(250)),
        page_reply(100..150, None),
    ])
    .await;
    let outcome: cohere_connectors::Result<Vec<_>> = fast(&server.url, 0)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .try_collect()
        .await;
    let error = outcome.unwrap_err();
    assert!(error.to_string().contains("150 of 250"), "{error}");
}

#[tokio::test]
async fn a_500_on_page_three_is_an_error_after_the_retries_never_a_smaller_truth() {
    let server = ScriptedServer::start(vec![
        page_reply(0..100, Some(300)),
        page_reply(100..200, Some(300)),
        Reply::json(500, json!({"message": "page three broke"})),
    ])
    .await;
    let outcome: cohere_connectors::Result<Vec<_>> = fast(&server.url, 2)
        .build()
        .unwrap()
        .connectors()
        .list()
        .stream()
        .try_collect()
        .await;
    let error = outcome.unwrap_err();
    assert_eq!(error.status(), Some(500), "{error}");
    assert_eq!(
        server.requests(),
        5,
        "two pages, then page three and its two retries"
    );
}

// ---- concurrency --------------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_tasks_share_one_client() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path_prefix("/v1/connectors/");
            then.status(200)
                .json_body(json!({"connector": connector_json("shared")}));
        })
        .await;
    let client = fast(&server.base_url(), 0).build().unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move { client.connectors().get(format!("c-{i}")).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    mock.assert_calls_async(200).await;
}

#[test]
fn the_client_and_its_streams_are_send_and_sync_where_it_matters() {
    fn send_sync<T: Send + Sync + Clone + 'static>() {}
    fn send_static<T: Send + 'static>() {}
    send_sync::<Client>();
    send_static::<cohere_connectors::ConnectorStream>();
    send_static::<cohere_connectors::Pages>();
}
