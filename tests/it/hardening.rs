//! The client as a hostile server, a careless caller and a load generator would try it: no
//! panic, no request outside its path, no endless stream, no secret or raw control
//! character in any output, whatever either side sends.

use std::collections::HashSet;
use std::time::Duration;

use crate::common::connector_json;
use cohere_connectors::{Client, ConnectorUpdate, Error, NewConnector, OAuthConfig, raw};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;

fn client(url: &str) -> Client {
    Client::builder()
        .api_key("hardening-key-0123456789")
        .base_url(url)
        .max_retries(0)
        .http_client(shared_http())
        .build()
        .unwrap()
}

/// One HTTP client and one runtime for the property tests: building a client loads the TLS
/// roots (tens of milliseconds), which hundreds of cases should not pay each.
fn shared_http() -> reqwest::Client {
    static HTTP: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    HTTP.get_or_init(|| {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    })
    .clone()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    })
}

fn page(ids: &[String], total: usize) -> Reply {
    let connectors: Vec<_> = ids.iter().map(|id| connector_json(id)).collect();
    Reply::json(200, json!({"connectors": connectors, "total_count": total}))
}

fn ids(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}-{i:03}")).collect()
}

// ---- arithmetic on what a caller or a server chose --------------------------------------

#[tokio::test]
async fn extreme_durations_build_and_calls_complete() {
    let server = ScriptedServer::start(vec![page(&ids("a", 1), 1)]).await;
    for duration in [
        Duration::from_nanos(1),
        Duration::from_secs(u64::from(u32::MAX)),
        Duration::from_secs(u64::MAX),
        Duration::MAX,
    ] {
        let client = Client::builder()
            .api_key("k")
            .base_url(&server.url)
            .timeout(duration.max(Duration::from_secs(5)))
            .connect_timeout(duration.max(Duration::from_secs(5)))
            .deadline(duration.max(Duration::from_secs(5)))
            .retry_base_delay(duration)
            .retry_max_delay(duration)
            .max_retry_after(duration)
            .max_retries(u32::MAX)
            .max_response_bytes(usize::MAX)
            .build()
            .unwrap();
        let listed = client.connectors().list().await.unwrap();
        assert_eq!(listed.connectors.len(), 1, "{duration:?}");
    }
}

#[tokio::test]
async fn a_huge_retry_after_with_a_deadline_returns_the_429_at_once() {
    let server = ScriptedServer::start(vec![Reply::Body {
        status: 429,
        headers: vec![("retry-after", "10000000000000000000".into())],
        body: r#"{"message": "later"}"#.into(),
    }])
    .await;
    let error = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .deadline(Duration::from_secs(30))
        .max_retry_after(Duration::MAX)
        .build()
        .unwrap()
        .connectors()
        .list()
        .await
        .unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    assert_eq!(server.requests(), 1);
    let Error::Api(api) = error else { panic!() };
    assert!(api.retry_after().unwrap() > Duration::from_secs(1 << 60));
}

#[tokio::test]
async fn a_retry_too_far_in_the_future_is_not_slept_through_under_a_deadline() {
    let server = ScriptedServer::start(vec![Reply::json(503, json!({"message": "busy"}))]).await;
    let error = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .deadline(Duration::from_secs(30))
        .retry_base_delay(Duration::MAX)
        .retry_max_delay(Duration::MAX)
        .build()
        .unwrap()
        .connectors()
        .get("a")
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_offset_near_the_top_ends_with_an_error_and_never_wraps() {
    let server = ScriptedServer::start(vec![page(&ids("a", 100), 1000)]).await;
    let items: Vec<_> = client(&server.url)
        .connectors()
        .list()
        .offset(u64::MAX - 5)
        .stream()
        .collect()
        .await;
    assert_eq!(items.len(), 101);
    assert!(items[..100].iter().all(Result::is_ok));
    let error = items[100].as_ref().unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert_eq!(
        server.targets(),
        [format!("/v1/connectors?limit=100&offset={}", u64::MAX - 5)]
    );
}

mod retry_after_values {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Whatever a server puts in `Retry-After` or `X-RateLimit-Reset`, the call ends
        /// without a panic, within its retry budget.
        #[test]
        fn never_panic_and_stay_within_the_budget(
            value in prop_oneof![
                "[0-9]{1,25}",
                "-?[0-9]{0,5}\\.[0-9]{0,5}(e[+-]?[0-9]{1,4})?",
                "[A-Za-z]{3}, [0-9]{2} [A-Za-z]{3} [0-9]{1,6} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
                "\\PC{0,30}",
            ],
            header in prop_oneof![Just("retry-after"), Just("x-ratelimit-reset")],
        ) {
            runtime().block_on(async {
                let server = ScriptedServer::start(vec![Reply::Body {
                    status: 429,
                    headers: vec![(header, value.clone())],
                    body: "{}".into(),
                }])
                .await;
                let outcome = Client::builder()
                    .api_key("k")
                    .base_url(&server.url)
                    .http_client(shared_http())
                    .max_retries(2)
                    .retry_base_delay(Duration::from_millis(1))
                    .retry_max_delay(Duration::from_millis(2))
                    .max_retry_after(Duration::from_millis(5))
                    .build()
                    .unwrap()
                    .connectors()
                    .list()
                    .await;
                prop_assert!(outcome.is_err());
                prop_assert!((1..=3).contains(&server.requests()));
                Ok(())
            })?;
        }
    }
}

// ---- ids never leave their path segment -------------------------------------------------

#[tokio::test]
async fn backslash_ids_are_refused_before_anything_is_sent() {
    let server = ScriptedServer::start(vec![Reply::json(200, json!({}))]).await;
    let client = client(&server.url);
    for id in ["x\\..\\victim", "x\\..\\..\\datasets\\ds-123", "\\", "a\\b"] {
        let error = client.connectors().delete(id).await.unwrap_err();
        assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
        let raw = client
            .raw()
            .delete_connector()
            .id(id)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(raw, raw::Error::InvalidRequest(_)), "{raw:?}");
    }
    assert_eq!(server.requests(), 0);
}

#[tokio::test]
async fn an_id_over_the_bound_is_refused_and_errors_stay_short() {
    let server = ScriptedServer::start(vec![Reply::json(200, json!({}))]).await;
    let long = "x".repeat(70 * 1024);
    let error = client(&server.url)
        .connectors()
        .get(long.as_str())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::InvalidArgument { .. }), "{error:?}");
    assert!(format!("{error} {error:?}").len() < 300, "{error:?}");
    assert_eq!(server.requests(), 0);
}

/// What the operations on one connector send for `id`: (path suffix, facade call, raw call).
async fn send_all(client: &Client, id: &str) -> Vec<(&'static str, Result<(), Error>, bool)> {
    let connectors = client.connectors();
    let raw = client.raw();
    vec![
        (
            "",
            connectors.get(id).await.map(drop),
            raw.get_connector().id(id).send().await.is_ok(),
        ),
        (
            "",
            connectors.delete(id).await,
            raw.delete_connector().id(id).send().await.is_ok(),
        ),
        (
            "",
            connectors.update(id).active(true).await.map(drop),
            raw.update_connector()
                .id(id)
                .body(raw::types::UpdateConnectorRequest::default())
                .send()
                .await
                .is_ok(),
        ),
        (
            "/oauth/authorize",
            connectors.authorize_oauth(id).await.map(drop),
            raw.o_auth_authorize_connector().id(id).send().await.is_ok(),
        ),
    ]
}

mod arbitrary_ids {
    use super::*;
    use proptest::prelude::*;

    fn id() -> impl Strategy<Value = String> {
        prop_oneof![
            "\\PC{0,40}",
            "[\\\\/%.?#]{0,8}",
            prop::sample::select(vec![
                "",
                ".",
                "..",
                "...",
                "%2F",
                "%2f",
                "%5C",
                "%2e%2e",
                "a/../b",
                "./a",
                "a?b#c",
                "\u{0}\u{1b}[31m\u{7f}",
                "\t\n",
                " ",
                "%",
                "%%",
                "😀/..",
                "a%2F..%2Fb",
            ])
            .prop_map(str::to_owned),
            "[a-z]{1,3}".prop_map(|s| s.repeat(300)),
            any::<Vec<char>>().prop_map(|chars| chars.into_iter().take(60).collect()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Whatever bytes an id holds, the request is refused before sending or reaches the
        /// server on exactly the operation's path, the id one segment that decodes to itself.
        #[test]
        fn stay_in_their_segment(id in id()) {
            runtime().block_on(async {
                let server = ScriptedServer::start(vec![Reply::json(404, json!({"message": "no"}))]).await;
                let client = client(&server.url);
                let outcomes = send_all(&client, &id).await;
                let valid = cohere_connectors::ConnectorId::new(id.as_str()).is_ok();
                let targets = server.targets();
                if !valid {
                    for (_, facade, _) in &outcomes {
                        let refused = matches!(facade, Err(Error::InvalidArgument { .. }));
                        prop_assert!(refused, "{facade:?}");
                    }
                    prop_assert!(targets.is_empty(), "{targets:?}");
                    return Ok(());
                }
                prop_assert_eq!(targets.len(), outcomes.len() * 2);
                for (target, (suffix, facade, _)) in targets.iter().zip(outcomes.iter().flat_map(|o| [o, o])) {
                    prop_assert!(facade.as_ref().is_err_and(Error::is_not_found), "{facade:?}");
                    let segment = target
                        .strip_prefix("/v1/connectors/")
                        .and_then(|rest| rest.strip_suffix(suffix))
                        .unwrap_or_else(|| panic!("{target} is not the operation's path"));
                    prop_assert!(!segment.contains('/') && !segment.contains('?'), "{target}");
                    let decoded = percent_encoding::percent_decode_str(segment).decode_utf8().unwrap();
                    prop_assert_eq!(decoded.as_ref(), id.as_str());
                }
                Ok(())
            })?;
        }
    }
}

// ---- pagination ends, and never yields a connector twice --------------------------------

#[tokio::test]
async fn pages_that_alternate_end_the_stream_without_duplicates() {
    let (a, b) = (ids("a", 100), ids("b", 100));
    let server = ScriptedServer::start(
        std::iter::repeat_n([page(&a, 10_000), page(&b, 10_000)], 50)
            .flatten()
            .collect(),
    )
    .await;
    let items: Vec<_> = client(&server.url)
        .connectors()
        .list()
        .stream()
        .collect()
        .await;
    let (ok, errors): (Vec<_>, Vec<_>) = items.into_iter().partition(Result::is_ok);
    let yielded: Vec<String> = ok
        .into_iter()
        .map(|c| c.unwrap().id.into_string())
        .collect();
    assert_eq!(yielded.len(), 200);
    assert_eq!(yielded.iter().collect::<HashSet<_>>().len(), 200);
    assert_eq!(errors.len(), 1);
    assert!(
        matches!(errors[0], Err(Error::Protocol { .. })),
        "{errors:?}"
    );
    assert_eq!(
        server.requests(),
        5,
        "two new pages, then three with nothing new"
    );
}

#[tokio::test]
async fn a_longer_cycle_ends_the_same_way() {
    let sets: Vec<Vec<String>> = (0..5).map(|i| ids(&format!("s{i}"), 10)).collect();
    let script: Vec<Reply> = (0..40).map(|i| page(&sets[i % 5], 10_000)).collect();
    let server = ScriptedServer::start(script).await;
    let items: Vec<_> = client(&server.url)
        .connectors()
        .list()
        .limit(10)
        .stream()
        .collect()
        .await;
    assert_eq!(items.iter().filter(|item| item.is_ok()).count(), 50);
    assert!(matches!(items.last(), Some(Err(Error::Protocol { .. }))));
    assert_eq!(server.requests(), 8);
}

#[tokio::test]
async fn one_page_of_repeats_from_concurrent_creates_is_skipped_not_fatal() {
    // Page size 1: a create between two requests pushes the first connector to offset 1.
    let script = vec![
        page(&["first".into()], 3),
        page(&["first".into()], 4),
        page(&["second".into()], 4),
        page(&["third".into()], 4),
        page(&[], 4),
    ];
    let server = ScriptedServer::start(script).await;
    let ids: Vec<String> = client(&server.url)
        .connectors()
        .list()
        .limit(1)
        .stream()
        .map_ok(|c| c.id.into_string())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["first", "second", "third"]);
}

// ---- responses the API may legitimately send ---------------------------------------------

#[tokio::test]
async fn a_delete_succeeds_on_any_2xx_with_an_empty_or_object_body() {
    for (status, body) in [
        (204, ""),
        (200, ""),
        (200, "{}"),
        (200, r#"{"deleted": true}"#),
        (202, "{}"),
        (200, "  \n"),
    ] {
        let server = ScriptedServer::start(vec![Reply::Body {
            status,
            headers: vec![],
            body: body.into(),
        }])
        .await;
        let outcome = client(&server.url).connectors().delete("c").await;
        assert!(outcome.is_ok(), "{status} {body:?}: {outcome:?}");
    }
    for body in ["[]", "null", "deleted"] {
        let server = ScriptedServer::start(vec![Reply::Body {
            status: 200,
            headers: vec![],
            body: body.into(),
        }])
        .await;
        let error = client(&server.url)
            .connectors()
            .delete("c")
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{body}: {error:?}");
    }
}

fn redirect(status: u16, location: &str) -> Reply {
    Reply::Body {
        status,
        headers: vec![("location", location.into())],
        body: String::new(),
    }
}

#[tokio::test]
async fn a_redirect_on_a_write_is_an_error_and_never_a_get() {
    for status in [301, 302, 303, 307, 308] {
        let server =
            ScriptedServer::start(vec![redirect(status, "/v1/connectors/elsewhere")]).await;
        let client = Client::builder()
            .api_key("k")
            .base_url(&server.url)
            .retry_non_idempotent(true)
            .build()
            .unwrap();
        let created = client.connectors().create("A", "https://a.example/s").await;
        let error = created.unwrap_err();
        assert!(
            matches!(error, Error::Protocol { .. }),
            "{status}: {error:?}"
        );
        assert!(error.to_string().contains("redirect"), "{error}");
        assert!(!error.is_retryable());
        let updated = client.connectors().update("a").active(false).await;
        assert!(
            matches!(updated, Err(Error::Protocol { .. })),
            "{updated:?}"
        );
        let lines = server.request_lines();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].starts_with("POST /v1/connectors "), "{lines:?}");
        assert!(lines[1].starts_with("PATCH /v1/connectors/a "), "{lines:?}");
    }
}

#[tokio::test]
async fn a_redirect_loop_is_one_request_not_eighteen() {
    let server = ScriptedServer::start(vec![redirect(302, "/v1/connectors/c")]).await;
    let error = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .build()
        .unwrap()
        .connectors()
        .get("c")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert_eq!(server.requests(), 1);

    // A caller's own client that follows redirects: its loop ends in reqwest's error, which
    // is not retried either.
    let looping = ScriptedServer::start(vec![redirect(302, "/v1/connectors/c")]).await;
    let error = Client::builder()
        .api_key("k")
        .base_url(&looping.url)
        .http_client(reqwest::Client::new())
        .build()
        .unwrap()
        .connectors()
        .get("c")
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert_eq!(
        looping.requests(),
        11,
        "reqwest's own limit of 10 redirects, once"
    );
}

// ---- server text and secrets in output ---------------------------------------------------

const KEY: &str = "sk-live-ECHOED-key-0123456789";
const SECRET: &str = "oauth-ECHOED-secret-0123456789";
const TOKEN: &str = "svc-ECHOED-token-0123456789";

fn assert_clean(what: &str, text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
        assert!(
            !text.contains(&secret[..secret.len().min(12)]),
            "{what} shows part of a secret: {text}"
        );
    }
    for control in ['\u{1b}', '\u{7}', '\u{0}', '\u{202e}'] {
        assert!(
            !text.contains(control),
            "{what} holds {control:?}: {text:?}"
        );
    }
}

fn oauth() -> OAuthConfig {
    OAuthConfig {
        client_id: "id".into(),
        client_secret: SECRET.into(),
        authorize_url: "https://login.example.com/a".into(),
        token_url: "https://login.example.com/t".into(),
        scope: None,
    }
}

#[tokio::test]
async fn server_text_is_escaped_and_scrubbed_everywhere() {
    let echo = format!("bad \u{1b}[2J\u{7}\u{0}\u{202e} you sent {KEY} and {SECRET} and {TOKEN}");
    let script = vec![
        Reply::json(
            400,
            json!({"message": echo, "id": format!("\u{1b}]0;{KEY}")}),
        ),
        Reply::Body {
            status: 502,
            headers: vec![],
            body: format!("<html>{echo}</html>"),
        },
        Reply::json(200, json!({"connector": format!("{KEY}\u{1b}")})),
        Reply::json(200, json!({"connectors": [], "total_count": -1})),
        Reply::Body {
            status: 500,
            headers: vec![],
            // A body cut at the read limit, in the middle of the key.
            body: format!("{}Authorization: Bearer {}", "x".repeat(65_536 - 30), KEY),
        },
    ];
    let server = ScriptedServer::start(script).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut new = NewConnector::new("A", "https://a.example/s");
    new.oauth = Some(oauth());
    let mut update = ConnectorUpdate::default();
    update.service_auth = Some(cohere_connectors::ServiceAuth::bearer(TOKEN));
    let errors = [
        client
            .connectors()
            .create_from(new.clone())
            .await
            .unwrap_err(),
        client.connectors().create_from(new).await.unwrap_err(),
        client
            .connectors()
            .update_from("a", update)
            .await
            .unwrap_err(),
        client.connectors().list().await.unwrap_err(),
        client.connectors().list().await.unwrap_err(),
    ];
    // Each request hides the key and the secrets it sends itself.
    let hidden: [&[&str]; 5] = [
        &[KEY, SECRET],
        &[KEY, SECRET],
        &[KEY, TOKEN],
        &[KEY],
        &[KEY],
    ];
    for (error, secrets) in errors.iter().zip(hidden) {
        assert_clean(
            "error",
            &format!("{error} | {error:?} | {error:#?}"),
            secrets,
        );
        if let Error::Api(api) = error {
            for part in [api.message(), api.id(), api.body()].into_iter().flatten() {
                assert_clean("accessor", part, secrets);
            }
        }
    }
    let Error::Api(api) = &errors[0] else {
        panic!()
    };
    assert!(api.message().unwrap().contains("\\u{1b}[2J"), "{api:?}");
    assert!(api.message().unwrap().contains("[redacted]"), "{api:?}");
}

/// A batch of calls (a plan applied) hides every secret of the batch from each call's errors,
/// and a request's own secrets are hidden however short they are.
#[tokio::test]
async fn a_call_hides_the_secrets_it_is_given_and_short_ones_it_sends() {
    const OTHER: &str = "tok-of-another-connector";
    const SHORT: &str = "k9!";
    let echo = format!("you sent {OTHER} and {SHORT}");
    let script = vec![
        Reply::json(400, json!({"message": echo})),
        Reply::json(400, json!({"message": echo})),
        Reply::json(400, json!({"message": echo})),
    ];
    let server = ScriptedServer::start(script).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut update = ConnectorUpdate::default();
    update.service_auth = Some(cohere_connectors::ServiceAuth::bearer(SHORT));
    let secret = cohere_connectors::Secret::from(OTHER);
    let errors = [
        client
            .connectors()
            .update_from("a", update)
            .redact(&secret)
            .await
            .unwrap_err(),
        client
            .connectors()
            .delete("a")
            .redact(&secret)
            .await
            .unwrap_err(),
        client.connectors().get("a").await.unwrap_err(),
    ];
    assert_clean(
        "update",
        &format!("{} {:?}", errors[0], errors[0]),
        &[OTHER, SHORT],
    );
    assert_clean(
        "delete",
        &format!("{} {:?}", errors[1], errors[1]),
        &[OTHER],
    );
    // Without being told, a call cannot know what another call sent.
    assert!(errors[2].to_string().contains(OTHER), "{}", errors[2]);
    assert_eq!(
        server.request_lines(),
        [
            "PATCH /v1/connectors/a HTTP/1.1",
            "DELETE /v1/connectors/a HTTP/1.1",
            "GET /v1/connectors/a HTTP/1.1"
        ],
        "each call sent once"
    );
}

/// A `Basic` token is base64 of `user:password`: a server that decoded it and echoes what it
/// found (the pair, or the password) must not put either in an error.
#[tokio::test]
async fn a_basic_tokens_decoded_credentials_are_hidden_too() {
    const TOKEN: &str = "YWxpY2U6czNjcmV0"; // alice:s3cret
    let echo = "no user alice:s3cret; the password s3cret is wrong";
    let server = ScriptedServer::start(vec![
        Reply::json(400, json!({"message": echo})),
        Reply::json(400, json!({"message": echo})),
    ])
    .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .max_retries(0)
        .build()
        .unwrap();
    let mut update = ConnectorUpdate::default();
    update.service_auth = Some(cohere_connectors::ServiceAuth::basic(TOKEN));
    let error = client
        .connectors()
        .update_from("a", update)
        .await
        .unwrap_err();
    assert_clean(
        "update",
        &format!("{error} {error:?}"),
        &[TOKEN, "alice:s3cret", "s3cret"],
    );
    // A bearer token is not decoded: its text is hidden, nothing else.
    let mut update = ConnectorUpdate::default();
    update.service_auth = Some(cohere_connectors::ServiceAuth::bearer(TOKEN));
    let error = client
        .connectors()
        .update_from("a", update)
        .await
        .unwrap_err();
    assert!(error.to_string().contains("alice:s3cret"), "{error}");
}

#[test]
fn url_passwords_never_show_in_debug() {
    const PASSWORD: &str = "hunter2-url-password";
    let url = format!("https://user:{PASSWORD}@search.example.com/search");
    let builder = Client::builder().api_key("k").base_url(&url);
    let mut new = NewConnector::new("A", &url);
    new.oauth = Some(OAuthConfig {
        authorize_url: url.clone().into(),
        token_url: url.clone().into(),
        ..oauth()
    });
    let mut update = ConnectorUpdate::default();
    update.url = Some(url.clone().into());
    let mut returned = connector_json("c");
    returned["url"] = json!(url);
    returned["oauth"]["authorize_url"] = json!(url);
    returned["oauth"]["token_url"] = json!(url);
    let connector: cohere_connectors::Connector = serde_json::from_value(returned).unwrap();
    let client = Client::builder().api_key("k").build().unwrap();
    let outputs = [
        format!("{builder:?}"),
        format!("{new:?} {new:#?}"),
        format!("{:?}", client.connectors().create_from(new.clone())),
        format!("{update:?}"),
        format!("{:?}", client.connectors().update_from("c", update.clone())),
        format!("{connector:?} {connector:#?}"),
        format!("{:?}", connector.oauth),
    ];
    for output in outputs {
        assert!(!output.contains(PASSWORD), "{output}");
        assert!(
            output.contains("user:[redacted]@search.example.com"),
            "{output}"
        );
    }
}

#[test]
fn generated_types_never_print_secrets() {
    let request = raw::types::CreateConnectorRequest {
        name: "A".into(),
        url: "https://a.example".into(),
        description: None,
        excludes: vec![],
        active: true,
        continue_on_failure: false,
        oauth: Some(raw::types::CreateConnectorOAuth {
            client_id: "id".into(),
            client_secret: SECRET.into(),
            authorize_url: "https://a".into(),
            token_url: "https://t".into(),
            scope: None,
        }),
        service_auth: Some(raw::types::CreateConnectorServiceAuth {
            type_: raw::types::AuthTokenType::Bearer,
            token: TOKEN.into(),
        }),
    };
    let update = raw::types::UpdateConnectorRequest {
        oauth: request.oauth.clone(),
        service_auth: request.service_auth.clone(),
        ..Default::default()
    };
    let returned: raw::types::ConnectorOAuth = serde_json::from_value(json!({
        "client_secret": SECRET, "authorize_url": "https://a", "token_url": "https://t"
    }))
    .unwrap();
    for output in [
        format!("{request:?} {request:#?}"),
        format!("{update:?}"),
        format!("{returned:?}"),
    ] {
        assert_clean("raw type", &output, &[SECRET, TOKEN]);
    }
    // The wire format is unchanged: the secret is sent as a plain string.
    let body = serde_json::to_value(&request).unwrap();
    assert_eq!(body["oauth"]["client_secret"], SECRET);
    assert_eq!(body["service_auth"]["token"], TOKEN);
}

#[test]
fn non_ascii_keys_and_client_names_are_refused_at_build() {
    for (builder, field) in [
        (Client::builder().api_key("clé-0123456789"), "API key"),
        (
            Client::builder().api_key("k").client_name("appé"),
            "client name",
        ),
        (
            Client::builder().api_key("k").client_name("a\r\nX-Evil: 1"),
            "client name",
        ),
    ] {
        let error = builder.build().unwrap_err();
        assert!(matches!(error, Error::Config { .. }), "{error:?}");
        let text = error.to_string();
        assert!(text.contains(field), "{text}");
        assert!(!text.contains('é') && !text.contains("Evil"), "{text}");
    }
}

// ---- memory ---------------------------------------------------------------------------------

#[tokio::test]
async fn a_body_over_the_default_cap_is_refused() {
    let excludes = vec![""; 5_500_000];
    let body = json!({"connectors": [{
        "id": "a", "name": "a", "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z", "excludes": excludes,
    }]})
    .to_string();
    assert!(body.len() > 16_000_000);
    for declared in [true, false] {
        let server = ScriptedServer::start(vec![if declared {
            Reply::Body {
                status: 200,
                headers: vec![],
                body: body.clone(),
            }
        } else {
            Reply::Junk {
                bytes: body.len(),
                declared: false,
            }
        }])
        .await;
        let error = client(&server.url).connectors().list().await.unwrap_err();
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
    }
}

/// The upstream bug behind the id rule, kept as a canary: progenitor-client's `encode_path`
/// leaves `\` alone, and URL parsers read it as `/` and then resolve `..`. When this test
/// fails, progenitor has fixed it (and the rule in `ConnectorId` can be revisited).
#[test]
fn progenitor_encode_path_leaves_backslashes_which_urls_resolve() {
    let encoded = progenitor_client::encode_path("x\\..\\victim");
    assert_eq!(encoded, "x\\..\\victim");
    let url =
        reqwest::Url::parse(&format!("https://api.example.com/v1/connectors/{encoded}")).unwrap();
    assert_eq!(url.path(), "/v1/connectors/victim");
}
