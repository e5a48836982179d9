//! The connector side: the server kit, the search client and the checker against each other
//! and against servers that misbehave; the emulator's verification on create and update.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cohere_connectors::{AuthType, OAuthConfig, ServiceAuth};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::server::{
    Access, Caller, ConnectorService, RunningConnector, SearchFailure,
};
use cohere_connectors_kit::{
    Checker, ConnectorSearch, Document, Rule, SearchAuth, SearchError, Severity, check_connector,
};
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use httpmock::MockServer;
use serde_json::{Value, json};

const TOKEN: &str = "svc-token-0123456789";

fn documents(query: &str) -> Vec<Document> {
    vec![
        Document::new()
            .with_id("doc-1")
            .with_title("Travel policy")
            .with_text(format!("Matched {query}"))
            .with_url("https://wiki.example.com/travel")
            .with_timestamp("2024-05-06T07:08:09Z"),
    ]
}

async fn serve(access: Access) -> RunningConnector {
    ConnectorService::new(access, |request, _caller| async move {
        Ok(documents(&request.query))
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

/// A raw request to a running service: status, headers, JSON body.
async fn post(
    url: &str,
    authorization: Option<&str>,
    body: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, headers, body)
}

#[tokio::test]
async fn each_scheme_round_trips_and_wrong_or_missing_tokens_get_a_json_401() {
    for auth in [
        ServiceAuth::bearer(TOKEN),
        ServiceAuth::basic(TOKEN),
        ServiceAuth::noscheme(TOKEN),
    ] {
        let running = serve(Access::service(auth.clone()).unwrap()).await;
        let search = ConnectorSearch::new(&running.url())
            .unwrap()
            .service_auth(auth.clone());
        let found = search.search("visa").await.unwrap();
        assert_eq!(found.results, documents("visa"));

        for presented in [
            None,
            Some("Bearer nope-nope-nope"),
            Some("svc-token-01234567890"),
            Some(TOKEN).filter(|_| auth.token_type != cohere_connectors::AuthTokenType::NoScheme),
        ] {
            let (status, headers, body) = post(&running.url(), presented, r#"{"query":"x"}"#).await;
            assert_eq!(status, 401, "{auth:?} {presented:?}");
            assert!(body["message"].is_string(), "{body}");
            assert!(headers.contains_key("www-authenticate"));
            assert!(!body.to_string().contains(TOKEN));
        }
        let error = ConnectorSearch::new(&running.url())
            .unwrap()
            .search("x")
            .await
            .unwrap_err();
        assert!(
            matches!(error, SearchError::Unauthorized { status: 401, .. }),
            "{error}"
        );
    }
}

#[tokio::test]
async fn the_search_client_sends_exactly_what_cohere_sends() {
    let server = MockServer::start_async().await;
    for (auth, header) in [
        (
            SearchAuth::Service(ServiceAuth::bearer(TOKEN)),
            format!("Bearer {TOKEN}"),
        ),
        (
            SearchAuth::Service(ServiceAuth::basic(TOKEN)),
            format!("Basic {TOKEN}"),
        ),
        (
            SearchAuth::Service(ServiceAuth::noscheme(TOKEN)),
            TOKEN.to_owned(),
        ),
        (
            SearchAuth::user_token("ya29.user-token"),
            "Bearer ya29.user-token".to_owned(),
        ),
    ] {
        let mock = server
            .mock_async(|when, then| {
                when.method("POST")
                    .path("/search")
                    .is_true(|request| request.uri().query().is_none())
                    .header("content-type", "application/json")
                    .header("authorization", header.as_str())
                    .body(r#"{"query":"green \"tea\""}"#);
                then.status(200)
                    .json_body(json!({"results": [{"title": "Tea"}]}));
            })
            .await;
        let found = ConnectorSearch::new(&server.url("/search"))
            .unwrap()
            .auth(auth)
            .search("green \"tea\"")
            .await
            .unwrap();
        assert_eq!(found.results[0].title(), Some("Tea"));
        mock.assert_async().await;
        mock.delete_async().await;
    }
    let anonymous = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/search")
                .header_missing("authorization");
            then.status(200).json_body(json!({"results": []}));
        })
        .await;
    ConnectorSearch::new(&server.url("/search"))
        .unwrap()
        .search("q")
        .await
        .unwrap();
    anonymous.assert_async().await;
}

#[tokio::test]
async fn user_tokens_reach_the_handler_and_never_the_logs_or_answers() {
    let seen = Arc::new(std::sync::Mutex::new(None));
    let running = ConnectorService::new(Access::user_token(), {
        let seen = seen.clone();
        move |_request, caller: Caller| {
            let seen = seen.clone();
            async move {
                let token = caller.user_token().unwrap().expose().to_owned();
                *seen.lock().unwrap() = Some(token.clone());
                // A data source that echoes the token in its error.
                Err::<Vec<Document>, _>(SearchFailure::new(
                    502,
                    format!("upstream refused {token}"),
                ))
            }
        }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let error = ConnectorSearch::new(&running.url())
        .unwrap()
        .user_token("ya29.secret-user-token")
        .search("q")
        .await
        .unwrap_err();
    assert_eq!(
        seen.lock().unwrap().as_deref(),
        Some("ya29.secret-user-token")
    );
    assert_eq!(error.status(), Some(502));
    let text = format!("{error} {error:?}");
    assert!(!text.contains("ya29.secret-user-token"), "{text}");
    assert!(text.contains("[redacted]"), "{text}");
}

#[tokio::test]
async fn a_slow_handler_gets_a_504_and_a_panicking_one_a_500_and_the_service_keeps_serving() {
    let calls = Arc::new(AtomicUsize::new(0));
    let running = ConnectorService::new(Access::open(), {
        let calls = calls.clone();
        move |request, _| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                match request.query.as_str() {
                    "hang" => std::future::pending().await,
                    "panic" => panic!("handler bug"),
                    "io" => Err(std::io::Error::other("disk on fire").into()),
                    _ => Ok(vec![Document::new().with_title("fine")]),
                }
            }
        }
    })
    .deadline(Duration::from_millis(50))
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let (status, _, body) = post(&running.url(), None, r#"{"query":"hang"}"#).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (504, Some("the search did not finish within 50 ms"))
    );
    let (status, _, body) = post(&running.url(), None, r#"{"query":"panic"}"#).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (500, Some("the search failed"))
    );
    let (status, _, body) = post(&running.url(), None, r#"{"query":"io"}"#).await;
    assert_eq!(
        (status, body["message"].as_str()),
        (500, Some("the search failed"))
    );
    let (status, _, body) = post(&running.url(), None, r#"{"query":"ok"}"#).await;
    assert_eq!(
        (status, body),
        (200, json!({"results": [{"title": "fine"}]}))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 4);
}

#[tokio::test]
async fn bad_requests_get_json_errors_before_the_handler_runs() {
    let calls = Arc::new(AtomicUsize::new(0));
    let running = ConnectorService::new(Access::service(ServiceAuth::bearer(TOKEN)).unwrap(), {
        let calls = calls.clone();
        move |request, _| {
            let calls = calls.clone();
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                Ok(vec![Document::new().with_text(request.query)])
            }
        }
    })
    .max_body_bytes(1024)
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let url = running.url();
    let bearer = format!("Bearer {TOKEN}");
    for body in ["", "not json", "[]", r#"{"q": "x"}"#, r#"{"query": 12}"#] {
        let (status, _, answer) = post(&url, Some(&bearer), body).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(answer["message"], r#"the body must be {"query": "<text>"}"#);
    }
    // Too large, declared and not declared (chunked).
    let big = format!(r#"{{"query": "{}"}}"#, "x".repeat(2000));
    let (status, _, answer) = post(&url, Some(&bearer), &big).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (413, Some("the request body is larger than 1024 bytes"))
    );
    let chunks: Vec<Result<String, std::io::Error>> = vec![Ok(big.clone())];
    let response = reqwest::Client::new()
        .post(&url)
        .header("authorization", &bearer)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(futures_util::stream::iter(
            chunks,
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    // Wrong method, wrong path.
    let response = reqwest::Client::new().get(&url).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let other = url.replace("/search", "/elsewhere");
    let (status, _, answer) = post(&other, Some(&bearer), r#"{"query":"x"}"#).await;
    assert_eq!(
        (status, answer["message"].as_str()),
        (404, Some("no such endpoint"))
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // A form-encoded query, as some clients send it, is read.
    let response = reqwest::Client::new()
        .post(&url)
        .header("authorization", &bearer)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("query=green+tea")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"results": [{"text": "green tea"}]})
    );
}

#[tokio::test]
async fn the_search_client_types_every_failure() {
    // Nothing listens.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    let error = ConnectorSearch::new(&closed)
        .unwrap()
        .search("q")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SearchError::Unreachable { .. }) && error.is_transient(),
        "{error}"
    );

    // Silence: the timeout.
    let silent = ScriptedServer::start(vec![Reply::Silence]).await;
    let error = ConnectorSearch::new(&format!("{}/search", silent.url))
        .unwrap()
        .timeout(Duration::from_millis(100))
        .search("q")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        SearchError::Timeout {
            after: Duration::from_millis(100)
        }
    );

    // A body cut short, a body too large (declared or not).
    let cut = ScriptedServer::start(vec![Reply::CutMidBody]).await;
    let error = ConnectorSearch::new(&format!("{}/search", cut.url))
        .unwrap()
        .search("q")
        .await
        .unwrap_err();
    assert!(matches!(error, SearchError::Unreachable { .. }), "{error}");
    for declared in [true, false] {
        let junk = ScriptedServer::start(vec![Reply::Junk {
            bytes: 10_000,
            declared,
        }])
        .await;
        let error = ConnectorSearch::new(&format!("{}/search", junk.url))
            .unwrap()
            .max_response_bytes(1000)
            .search("q")
            .await
            .unwrap_err();
        assert_eq!(error, SearchError::TooLarge { limit: 1000 });
    }

    let server = MockServer::start_async().await;
    let script = [
        (
            302,
            Some("https://user:hunter22@elsewhere.example.com/search"),
            "".to_owned(),
        ),
        (
            500,
            None,
            json!({"message": format!("backend said {TOKEN}")}).to_string(),
        ),
        (200, None, "<html>".to_owned()),
        (200, None, json!({"results": [{"views": 3}]}).to_string()),
        (200, None, json!({"documents": []}).to_string()),
    ];
    for (index, (status, location, body)) in script.into_iter().enumerate() {
        let path = format!("/case-{index}/search");
        server
            .mock_async(|when, then| {
                when.path(path.as_str());
                let then = then.status(status).body(body.as_str());
                if let Some(location) = location {
                    then.header("location", location);
                }
            })
            .await;
        let error = ConnectorSearch::new(&server.url(&path))
            .unwrap()
            .service_auth(ServiceAuth::bearer(TOKEN))
            .search("q")
            .await
            .unwrap_err();
        let text = error.to_string();
        assert!(
            !text.contains(TOKEN) && !text.contains("hunter22"),
            "{text}"
        );
        match index {
            0 => assert_eq!(
                text,
                "the connector answered 302 with a redirect to https://user:[redacted]@elsewhere.example.com/search"
            ),
            1 => assert_eq!(text, "the connector answered 500: backend said [redacted]"),
            2 => assert!(matches!(error, SearchError::Malformed { .. }), "{text}"),
            3 => assert!(
                text.contains("field `views` of a document: is a number, not a string"),
                "{text}"
            ),
            _ => assert!(text.contains("missing field `results`"), "{text}"),
        }
    }
}

#[tokio::test]
async fn a_good_connector_passes_the_checker_with_only_local_warnings() {
    let running = serve(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let report = check_connector(&running.url(), ServiceAuth::bearer(TOKEN)).await;
    assert!(report.is_ok(), "{report}");
    let warned: Vec<Rule> = report.warnings().map(|finding| finding.rule).collect();
    assert_eq!(
        warned,
        [Rule::PublicAddress, Rule::Https, Rule::Port],
        "{report}"
    );
    assert_eq!(report.documents, Some(1));
    let text = report.to_string();
    assert!(
        text.contains("Cohere would accept this connector (0 errors, 3 warnings; 1 document in"),
        "{text}"
    );
    assert!(!text.contains(TOKEN) && !format!("{report:?}").contains(TOKEN));
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["findings"][0]["rule"], "public_address");
    assert_eq!(
        json["findings"][0]["source"],
        "https://docs.cohere.com/v1/docs/connector-faqs"
    );
}

#[tokio::test]
async fn a_connector_that_ignores_its_token_fails_both_refusal_rules() {
    // Registered with service auth, but the service lets anyone in.
    let running = serve(Access::open()).await;
    let report = check_connector(&running.url(), ServiceAuth::bearer(TOKEN)).await;
    assert!(!report.is_ok());
    for rule in [Rule::RefusesMissingToken, Rule::RefusesWrongToken] {
        let finding = report
            .finding(rule)
            .unwrap_or_else(|| panic!("{rule}: {report}"));
        assert_eq!(finding.severity, Severity::Error);
        assert!(
            finding.message.contains("anyone who finds the URL"),
            "{}",
            finding.message
        );
    }
    // Checked without credentials, it is only a warning that it has none.
    let report = check_connector(&running.url(), SearchAuth::None).await;
    assert!(report.is_ok(), "{report}");
    assert_eq!(
        report.finding(Rule::Authentication).unwrap().severity,
        Severity::Warning
    );
}

#[tokio::test]
async fn the_checker_reports_the_failures_cohere_would_refuse() {
    // Wrong token scheme: the connector refuses the search itself.
    let running = serve(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let report = check_connector(&running.url(), ServiceAuth::noscheme(TOKEN)).await;
    let answers = report.finding(Rule::Answers).unwrap();
    assert!(
        answers
            .message
            .starts_with("the connector refused the search with 401"),
        "{report}"
    );
    assert!(
        answers.fix.contains("`Authorization: <token>`"),
        "{}",
        answers.fix
    );

    // Too slow.
    let silent = ScriptedServer::start(vec![Reply::Silence]).await;
    let report = Checker::new(format!("{}/search", silent.url))
        .timeout(Duration::from_millis(100))
        .run()
        .await;
    assert_eq!(
        report.finding(Rule::Deadline).unwrap().message,
        "no answer within 100 ms"
    );
    assert!(report.elapsed_ms.is_none());

    // Values that are not strings, on a hand-written connector.
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/search");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"results": [{"id": 7, "title": "T", "text": "x", "url": "u", "timestamp": "t"}]}));
        })
        .await;
    let report = check_connector(&server.url("/search"), SearchAuth::None).await;
    let strings = report.finding(Rule::StringValues).unwrap();
    assert_eq!(
        strings.message,
        "1 values are not strings: results[0].id is a number"
    );
    assert_eq!(strings.severity, Severity::Error);

    // A query string: refused before any call.
    let report = check_connector(
        &format!("{}?index=a", server.url("/search")),
        SearchAuth::None,
    )
    .await;
    assert_eq!(report.findings.len(), 1, "{report}");
    assert_eq!(report.findings[0].rule, Rule::NoQueryString);

    // A redirect.
    server
        .mock_async(|when, then| {
            when.path("/moved/search");
            then.status(301)
                .header("location", "https://new.example.com/search");
        })
        .await;
    let report = check_connector(&server.url("/moved/search"), SearchAuth::None).await;
    assert!(
        report
            .finding(Rule::Answers)
            .unwrap()
            .message
            .contains("redirect to https://new.example.com/search")
    );
}

#[tokio::test]
async fn the_emulator_verifies_connectors_on_create_and_on_a_move_when_asked() {
    let good = serve(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let oauth_connector = serve(Access::user_token()).await;
    let broken = ScriptedServer::start(vec![Reply::json(200, json!({"documents": []}))]).await;
    let emulator = Emulator::builder()
        .verify_connectors(true)
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let connectors = client.connectors();

    // Refused: no token (401), a connector that answers the wrong shape, nothing listening.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    for (url, auth, why) in [
        (
            good.url(),
            None,
            "it refused the service credentials with 401",
        ),
        (
            format!("{}/search", broken.url),
            None,
            "its answer is not a search response",
        ),
        (closed, None, "the connector could not be reached"),
        (
            good.url(),
            Some(ServiceAuth::bearer("wrong-token-123")),
            "refused the service credentials with 401",
        ),
    ] {
        let mut create = connectors.create("Docs", url.as_str());
        if let Some(auth) = auth {
            create = create.service_auth(auth);
        }
        let error = create.send().await.unwrap_err();
        assert_eq!(error.status(), Some(400), "{error}");
        let text = error.to_string();
        assert!(
            text.contains(&format!("connector {url} is not reachable")),
            "{text}"
        );
        assert!(text.contains(why), "{text}");
        assert!(!text.contains("wrong-token-123"));
    }
    assert_eq!(emulator.connector_count(), 0);

    // Accepted with its token; an OAuth connector's 401 is expected before anyone authorizes.
    let created = connectors
        .create("Docs", good.url())
        .service_auth(ServiceAuth::bearer(TOKEN))
        .send()
        .await
        .unwrap();
    let oauth = connectors
        .create("Per user", oauth_connector.url())
        .oauth(OAuthConfig::new(
            "client",
            "client-secret-123",
            "https://auth.example.com/a",
            "https://auth.example.com/t",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(oauth.auth_type, Some(AuthType::OAuth));

    // A move to a broken URL is refused and changes nothing; a rename is not verified.
    let moved = connectors
        .update(&created.id)
        .url(format!("{}/search", broken.url))
        .send()
        .await
        .unwrap_err();
    assert_eq!(moved.status(), Some(400));
    assert_eq!(
        connectors.get(&created.id).await.unwrap().url.as_deref(),
        Some(good.url().as_str())
    );
    connectors
        .update(&created.id)
        .name("Renamed")
        .send()
        .await
        .unwrap();
    // A new token is tried before it is kept.
    let rotated = connectors
        .update(&created.id)
        .service_auth(ServiceAuth::bearer("not-the-token-123"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(rotated.status(), Some(400));

    // Off by default: made-up URLs are fine.
    let plain = Emulator::start().await.unwrap();
    plain
        .client()
        .unwrap()
        .connectors()
        .create("Made up", "https://nowhere.example.com/search")
        .send()
        .await
        .unwrap();
}
