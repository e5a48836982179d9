//! The emulator behaves like the API: through the facade, through the raw bindings, and on
//! the wire for what the clients never send. Every answer it gives in these tests is checked
//! against Cohere's own OpenAPI definition (`common::upstream`), not the crate's types.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use cohere_connectors::{ApiErrorKind, AuthType, Client, Error, OAuthConfig, ServiceAuth, raw};
use cohere_connectors_emulator::{Emulator, EmulatorBuilder};
use cohere_connectors_testing::upstream::assert_conforms;
use futures_util::TryStreamExt;
use serde_json::{Value, json};

/// An emulator that journals what it answers, for the conformance check at the end of each
/// test.
fn journaled() -> EmulatorBuilder {
    Emulator::builder().journal(100_000)
}

fn oauth() -> OAuthConfig {
    OAuthConfig {
        client_id: "client-1".into(),
        client_secret: "oauth-secret-value".into(),
        authorize_url: "https://auth.example.com/authorize".into(),
        token_url: "https://auth.example.com/token".into(),
        scope: Some("read".into()),
    }
}

fn fast_client(emulator: &Emulator, max_retries: u32) -> Client {
    Client::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .max_retries(max_retries)
        .retry_base_delay(Duration::from_millis(5))
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_whole_lifecycle_through_the_facade() {
    let emulator = journaled().start().await.unwrap();
    let client = emulator.client().unwrap();
    let connectors = client.connectors();

    let wiki = connectors
        .create("Company Wiki", "https://wiki.example.com/search")
        .description("docs")
        .excludes(["author"])
        .service_auth(ServiceAuth::bearer("token"))
        .await
        .unwrap();
    assert_eq!(wiki.id, "company-wiki");
    assert_eq!(wiki.created_at, wiki.updated_at);
    assert_eq!(
        (wiki.active, wiki.continue_on_failure),
        (Some(true), Some(false))
    );
    assert_eq!(wiki.auth_type, Some(AuthType::ServiceAuth));
    assert_eq!(wiki.excludes, ["author"]);

    let crm = connectors
        .create("CRM", "https://crm.example.com/search")
        .oauth(oauth())
        .await
        .unwrap();
    assert_eq!(crm.auth_type, Some(AuthType::OAuth));
    assert_eq!(crm.auth_status, None, "absent until the caller authorizes");
    assert_eq!(crm.oauth.as_ref().unwrap().client_secret, None);

    let page = connectors.list().await.unwrap();
    let ids: Vec<&str> = page.connectors.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["crm", "company-wiki"], "newest first");
    assert_eq!(page.total_count, Some(2));

    assert_eq!(connectors.get("crm").await.unwrap(), crm);

    let updated = connectors
        .update("company-wiki")
        .name("Wiki")
        .excludes(Vec::<String>::new())
        .active(false)
        .await
        .unwrap();
    assert_eq!(updated.name, "Wiki");
    assert!(updated.excludes.is_empty());
    assert_eq!(updated.active, Some(false));
    assert_eq!(updated.description.as_deref(), Some("docs"), "untouched");
    assert!(updated.updated_at > wiki.updated_at);

    let redirect = connectors
        .authorize_oauth("crm")
        .after_token_redirect("https://app.example.com/done")
        .await
        .unwrap();
    let redirect = reqwest::Url::parse(&redirect).unwrap();
    let query: std::collections::HashMap<_, _> = redirect.query_pairs().into_owned().collect();
    assert_eq!(redirect.host_str(), Some("auth.example.com"));
    assert_eq!(query["client_id"], "client-1");
    assert_eq!(query["scope"], "read");
    assert!(query["redirect_uri"].starts_with(emulator.base_url()));
    assert_eq!(query["state"].len(), 32);

    connectors.delete("company-wiki").await.unwrap();
    connectors.delete("crm").await.unwrap();
    let error = connectors.get("crm").await.unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.kind(), ApiErrorKind::NotFound);
    assert_eq!(api.message(), Some("connector not found"));
    assert_eq!(connectors.list().await.unwrap().total_count, Some(0));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn two_hundred_fifty_connectors_page_through_newest_first() {
    let emulator = journaled().seed(250).start().await.unwrap();
    let client = emulator.client().unwrap();
    let ids: Vec<String> = client
        .connectors()
        .list()
        .limit(100)
        .stream()
        .map_ok(|connector| connector.id.into_string())
        .try_collect()
        .await
        .unwrap();
    let expected: Vec<String> = (1..=250)
        .rev()
        .map(|i| format!("sample-connector-{i}"))
        .collect();
    assert_eq!(ids, expected);
    assert_conforms(&emulator.journal());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_creates_lose_nothing() {
    let emulator = journaled().start().await.unwrap();
    let client = emulator.client().unwrap();
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .connectors()
                    .create("Same name", "https://x.example.com/search")
                    .await
            })
        })
        .collect();
    let mut ids = HashSet::new();
    for task in tasks {
        ids.insert(task.await.unwrap().unwrap().id);
    }
    assert_eq!(ids.len(), 200, "every create got its own id");
    let page = client.connectors().list().limit(0).await.unwrap();
    assert_eq!(page.total_count, Some(200));
    assert_conforms(&emulator.journal());
}

// ---- the wire, for what the clients refuse to send ----------------------------------------

struct Wire {
    http: reqwest::Client,
    base: String,
    key: String,
}

impl Wire {
    fn new(emulator: &Emulator) -> Self {
        Self {
            http: reqwest::Client::new(),
            base: emulator.base_url().to_owned(),
            key: emulator.api_key().to_owned(),
        }
    }

    async fn send(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method.parse().unwrap(), format!("{}{path}", self.base))
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }
}

/// An error answer: the status, and a JSON body with a message and an id.
fn assert_error(answer: &(u16, Value), status: u16, message_part: &str) {
    assert_eq!(answer.0, status, "{answer:?}");
    let message = answer.1["message"].as_str().unwrap_or_default();
    assert!(message.contains(message_part), "{answer:?}");
    assert!(answer.1["id"].is_string(), "{answer:?}");
}

#[tokio::test]
async fn list_parameters_are_checked_like_the_api() {
    let emulator = journaled().seed(12).start().await.unwrap();
    let wire = Wire::new(&emulator);
    for bad in ["101", "-1", "abc", "2.5"] {
        let answer = wire
            .send("GET", &format!("/v1/connectors?limit={bad}"), None)
            .await;
        assert_error(&answer, 400, "limit must be a whole number");
    }
    let answer = wire.send("GET", "/v1/connectors?offset=-1", None).await;
    assert_error(&answer, 400, "offset must be a whole number");

    let (status, body) = wire
        .send("GET", "/v1/connectors?limit=10.0&offset=5", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["connectors"].as_array().unwrap().len(), 7);
    assert_eq!(
        body["total_count"],
        json!(12),
        "an integer, as the API sends it"
    );

    let (_, body) = wire.send("GET", "/v1/connectors", None).await;
    assert_eq!(body["connectors"].as_array().unwrap().len(), 12);
    let (_, body) = wire.send("GET", "/v1/connectors?offset=50", None).await;
    assert_eq!(body["connectors"], json!([]));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn bodies_are_checked_like_the_api() {
    let emulator = journaled().start().await.unwrap();
    let wire = Wire::new(&emulator);
    let create = |body: &'static str| wire.send("POST", "/v1/connectors", Some(body));

    assert_error(
        &create(r#"{"name": "x""#).await,
        400,
        "the request body is not valid JSON (line 1, column 12)",
    );
    assert_error(
        &create(r#"{"url": "https://a.example"}"#).await,
        400,
        "`name` is required",
    );
    assert_error(&create(r#"{"name": "a"}"#).await, 400, "`url` is required");
    assert_error(
        &create(r#"{"name": "a", "url": "https://a.example", "active": "yes"}"#).await,
        400,
        "`active` must be true or false",
    );
    assert_error(
        &create(r#"{"name": "a", "url": "not a url"}"#).await,
        422,
        "url",
    );
    assert_error(
        &create(r#"{"name": " ", "url": "https://a.example"}"#).await,
        422,
        "name",
    );
    assert_error(
        &create(
            r#"{"name": "a", "url": "https://a.example",
                "oauth": {"client_id": "c", "client_secret": "s",
                          "authorize_url": "https://a.example/auth", "token_url": "https://a.example/token"},
                "service_auth": {"type": "bearer", "token": "t"}}"#,
        )
        .await,
        422,
        "cannot both",
    );
    let huge = format!(
        r#"{{"name": "{}", "url": "https://a.example"}}"#,
        "n".repeat(1_100_000)
    );
    assert_error(
        &wire.send("POST", "/v1/connectors", Some(&huge)).await,
        413,
        "larger than",
    );

    for (method, body) in [("GET", None), ("PATCH", Some("{}")), ("DELETE", None)] {
        assert_error(
            &wire.send(method, "/v1/connectors/missing", body).await,
            404,
            "connector not found",
        );
    }

    let (status, _) = create(r#"{"name": "plain", "url": "https://a.example"}"#).await;
    assert_eq!(status, 200);
    let answer = wire
        .send("POST", "/v1/connectors/plain/oauth/authorize", None)
        .await;
    assert_error(&answer, 400, "does not use OAuth");
    assert_eq!(
        wire.send("DELETE", "/v1/connectors/plain", None).await,
        (200, json!({}))
    );
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn authentication_routes_and_methods_like_the_api() {
    let emulator = journaled()
        .api_key("first")
        .api_key("second")
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/v1/connectors", emulator.base_url());
    let status_and_body = |request: reqwest::RequestBuilder| async move {
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json::<Value>().await.unwrap())
    };

    let none = status_and_body(http.get(&url)).await;
    assert_error(&none, 401, "no api key");
    let wrong = status_and_body(http.get(&url).bearer_auth("third")).await;
    assert_error(&wrong, 401, "invalid api token");
    for key in ["first", "second"] {
        assert_eq!(
            status_and_body(http.get(&url).bearer_auth(key)).await.0,
            200
        );
    }
    let unknown = status_and_body(
        http.get(format!("{}/v2/nothing", emulator.base_url()))
            .bearer_auth("first"),
    )
    .await;
    assert_error(&unknown, 404, "no such endpoint");
    let wrong_method = status_and_body(http.put(&url).bearer_auth("first")).await;
    assert_error(&wrong_method, 405, "method not allowed");
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn secrets_are_stored_but_never_returned() {
    let emulator = journaled().start().await.unwrap();
    let client = emulator.client().unwrap();
    client
        .connectors()
        .create("O", "https://o.example/search")
        .oauth(oauth())
        .await
        .unwrap();
    client
        .connectors()
        .create("S", "https://s.example/search")
        .service_auth(ServiceAuth::basic("service-token-value"))
        .await
        .unwrap();
    let wire = Wire::new(&emulator);
    let (_, listed) = wire.send("GET", "/v1/connectors", None).await;
    let text = listed.to_string();
    assert!(
        !text.contains("oauth-secret-value") && !text.contains("service-token-value"),
        "{text}"
    );
    assert!(!format!("{emulator:?}").contains(emulator.api_key()));
    assert_conforms(&emulator.journal());
}

// ---- fault injection drives the client's retries end to end ----------------------------------

#[tokio::test]
async fn injected_503s_are_ridden_out_within_the_retry_budget() {
    let emulator = journaled().seed(1).start().await.unwrap();
    emulator.faults().fail_next(2, 503);
    fast_client(&emulator, 2).connectors().list().await.unwrap();

    emulator.faults().fail_next(3, 503);
    let error = fast_client(&emulator, 2)
        .connectors()
        .list()
        .await
        .unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!((api.status(), api.attempts()), (503, 3));
    assert_eq!(api.message(), Some("injected failure"));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn an_injected_retry_after_is_honoured() {
    let emulator = journaled().seed(1).start().await.unwrap();
    emulator
        .faults()
        .fail_next_with_retry_after(1, 429, Duration::from_secs(1));
    let started = Instant::now();
    fast_client(&emulator, 2).connectors().list().await.unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test]
async fn a_dropped_connection_is_retried_for_get_but_not_for_create() {
    let emulator = journaled().seed(1).start().await.unwrap();
    emulator.faults().drop_next(1);
    fast_client(&emulator, 2).connectors().list().await.unwrap();

    emulator.faults().drop_next(1);
    let error = fast_client(&emulator, 2)
        .connectors()
        .create("A", "https://a.example/search")
        .await
        .unwrap_err();
    let Error::Transport(transport) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        transport.attempts(),
        1,
        "the server may have created it: {error}"
    );
}

#[tokio::test]
async fn injected_latency_runs_into_the_timeout() {
    let emulator = journaled().seed(1).start().await.unwrap();
    emulator.faults().set_latency(Duration::from_millis(500));
    let client = Client::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .timeout(Duration::from_millis(100))
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.connectors().list().await.unwrap_err();
    assert!(
        matches!(&error, Error::Transport(t) if t.is_timeout()),
        "{error:?}"
    );
}

#[tokio::test]
async fn after_shutdown_nothing_answers() {
    let emulator = journaled().start().await.unwrap();
    let client = fast_client(&emulator, 0);
    emulator.shutdown().await;
    let error = client.connectors().list().await.unwrap_err();
    assert!(
        matches!(&error, Error::Transport(t) if t.is_connect()),
        "{error:?}"
    );
}

// ---- the answers fit the OpenAPI fragment ----------------------------------------------------

#[tokio::test]
async fn every_answer_decodes_with_the_raw_types() {
    use raw::types::{
        AuthTokenType, CreateConnectorOAuth, CreateConnectorRequest, CreateConnectorServiceAuth,
        UpdateConnectorRequest, UpdateConnectorRequestExcludes,
    };
    let emulator = journaled().start().await.unwrap();
    let client = emulator.client().unwrap();
    let raw = client.raw();

    // Everything the spec allows is accepted: only the required fields, each token type...
    let minimal = CreateConnectorRequest {
        name: "Minimal".into(),
        url: "https://m.example/search".into(),
        description: None,
        excludes: vec![],
        active: true,
        continue_on_failure: false,
        oauth: None,
        service_auth: None,
    };
    raw.create_connector()
        .body(minimal.clone())
        .send()
        .await
        .unwrap();
    for (index, token_type) in [
        AuthTokenType::Bearer,
        AuthTokenType::Basic,
        AuthTokenType::Noscheme,
    ]
    .into_iter()
    .enumerate()
    {
        let mut body = minimal.clone();
        body.name = format!("Token {index}");
        body.service_auth = Some(CreateConnectorServiceAuth {
            type_: token_type,
            token: "t".into(),
        });
        raw.create_connector().body(body).send().await.unwrap();
    }
    let mut with_oauth = minimal.clone();
    with_oauth.name = "OAuth".into();
    with_oauth.oauth = Some(CreateConnectorOAuth {
        client_id: "c".into(),
        client_secret: "s".into(),
        authorize_url: "https://a.example/auth".into(),
        token_url: "https://a.example/token".into(),
        scope: None,
    });
    let created = raw
        .create_connector()
        .body(with_oauth)
        .send()
        .await
        .unwrap();
    assert_eq!(created.connector.auth_status, None);

    // ...and every answer decodes into the fragment's types.
    let page = raw.list_connectors().limit(0).send().await.unwrap();
    assert_eq!(page.total_count, Some(5.0));
    assert!(page.connectors.is_empty());
    let page = raw.list_connectors().offset(2).send().await.unwrap();
    assert_eq!(page.connectors.len(), 3);
    raw.get_connector().id("oauth").send().await.unwrap();
    raw.update_connector()
        .id("minimal")
        .body(UpdateConnectorRequest::default())
        .send()
        .await
        .unwrap();
    raw.update_connector()
        .id("minimal")
        .body(UpdateConnectorRequest {
            excludes: Some(UpdateConnectorRequestExcludes(vec!["a".into()])),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    raw.o_auth_authorize_connector()
        .id("oauth")
        .send()
        .await
        .unwrap();
    raw.delete_connector().id("minimal").send().await.unwrap();

    // Errors decode as the shared error body.
    match raw.get_connector().id("minimal").send().await {
        Err(raw::Error::ErrorResponse(body)) => {
            assert_eq!(body.status().as_u16(), 404);
            assert!(body.message.is_some() && body.id.is_some());
        }
        other => panic!("expected a documented 404, got {other:?}"),
    }
    assert_conforms(&emulator.journal());
}
