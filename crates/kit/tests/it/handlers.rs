//! Handlers that misbehave: they panic, sleep past the deadline, block their thread (and how
//! to keep the deadline when they must), return a lot. The service answers each as JSON and
//! keeps serving.

use std::time::{Duration, Instant};

use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector, SearchFailure};
use cohere_connectors_testing::logs::Logs;
use serde_json::json;

use crate::wire::{addr_of, exchange, post};

async fn search(running: &RunningConnector, query: &str) -> (u16, serde_json::Value) {
    let body = json!({ "query": query }).to_string();
    let answer = exchange(addr_of(&running.url()), &post("/search", &[], &body)).await;
    (answer.status, answer.json())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_bounds_sleeping_and_offloaded_blocking_work() {
    let running = ConnectorService::new(Access::open(), |request, _| async move {
        match request.query.as_str() {
            "sleep" => tokio::time::sleep(Duration::from_secs(30)).await,
            // What the docs ask of blocking work: off the async threads.
            "blocking" => {
                tokio::task::spawn_blocking(|| std::thread::sleep(Duration::from_secs(2)))
                    .await
                    .map_err(SearchFailure::internal)?
            }
            _ => {}
        }
        Ok(vec![Document::new().with_title("done")])
    })
    .deadline(Duration::from_millis(200))
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    for query in ["sleep", "blocking"] {
        let started = Instant::now();
        let (status, body) = search(&running, query).await;
        assert_eq!(status, 504, "{query}");
        assert_eq!(body["message"], "the search did not finish within 200 ms");
        assert!(started.elapsed() < Duration::from_millis(1500), "{query}");
    }
    assert_eq!(search(&running, "fine").await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panic_anywhere_in_the_handler_is_a_500_and_the_service_carries_on() {
    let running = ConnectorService::new(Access::open(), |request, _| {
        if request.query == "before" {
            panic!("a bug before the future");
        }
        async move {
            if request.query == "inside" {
                panic!("a bug in the future");
            }
            Ok(vec![Document::new().with_title("fine")])
        }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    for query in ["before", "inside", "before", "inside"] {
        let (status, body) = search(&running, query).await;
        assert_eq!(
            (status, body),
            (500, json!({"message": "the search failed"}))
        );
    }
    assert_eq!(search(&running, "ok").await.0, 200);
}

#[tokio::test]
async fn a_large_answer_is_sent_whole() {
    let running = ConnectorService::new(Access::open(), |_, _| async {
        Ok((0..2_000)
            .map(|index| {
                Document::new()
                    .with_id(index)
                    .with_text("word ".repeat(200))
                    .with("control", "\u{1b}[2J\u{0}")
            })
            .collect())
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let (status, body) = search(&running, "everything").await;
    assert_eq!(status, 200);
    let results = body["results"].as_array().unwrap();
    assert_eq!(results.len(), 2_000);
    assert_eq!(results[1_999]["id"], "1999");
    // Data is the handler's: sent as it is, JSON-escaped by serde.
    assert_eq!(results[0]["control"], "\u{1b}[2J\u{0}");
}

/// The forms a token may be echoed in: as is, JSON-escaped, percent-encoded.
fn forms(token: &str) -> Vec<String> {
    let json = serde_json::to_string(token).unwrap();
    let percent: String = url::form_urlencoded::byte_serialize(token.as_bytes()).collect();
    vec![token.to_owned(), json.trim_matches('"').to_owned(), percent]
}

/// A handler that echoes every token it can see, in every form, in documents (values and
/// keys) and in its failures.
fn echoing(access: Access, configured: &'static [&'static str]) -> ConnectorService {
    ConnectorService::new(access, move |request, caller| async move {
        let mut tokens: Vec<String> = configured.iter().map(|token| (*token).to_owned()).collect();
        tokens.extend(caller.user_token().map(|token| token.expose().to_owned()));
        let echoed: Vec<String> = tokens.iter().flat_map(|token| forms(token)).collect();
        if request.query == "fail" {
            return Err(SearchFailure::new(
                502,
                format!("upstream said {}", echoed.join(" ")),
            ));
        }
        if request.query == "internal" {
            return Err(SearchFailure::internal(format!(
                "detail {}",
                echoed.join(" ")
            )));
        }
        let mut document = Document::new()
            .with_text(format!("your token is {}", echoed.join(" and ")))
            .with_url(format!(
                "https://data.example.com/?t={}",
                forms(&tokens[0])[2]
            ));
        for (index, form) in echoed.iter().enumerate() {
            document.insert(format!("{form}-{index}"), form.as_str());
        }
        Ok(vec![document])
    })
}

#[tokio::test]
async fn tokens_of_any_length_are_scrubbed_from_answers_and_logs_in_every_form() {
    let (captured, _guard) = Logs::capture(tracing::Level::INFO);

    // Short configured tokens, of every scheme; short user tokens with characters JSON and
    // URLs escape.
    use cohere_connectors::ServiceAuth;
    let cases: Vec<(ConnectorService, String, Vec<&str>)> = vec![
        (
            echoing(
                Access::service(ServiceAuth::noscheme("t0k")).unwrap(),
                &["t0k"],
            ),
            "Authorization: t0k".to_owned(),
            vec!["t0k"],
        ),
        (
            echoing(
                Access::service_any([ServiceAuth::bearer("b1"), ServiceAuth::basic("q\"/\\z")])
                    .unwrap(),
                &["b1", "q\"/\\z"],
            ),
            "Authorization: Basic q\"/\\z".to_owned(),
            vec!["b1", "q\"/\\z"],
        ),
        // A Basic token's decoded `user:password` and password, as a handler that decoded
        // the header would echo them.
        (
            echoing(
                Access::service(ServiceAuth::basic("YWxpY2U6czNjcmV0")).unwrap(),
                &["YWxpY2U6czNjcmV0", "alice:s3cret", "s3cret"],
            ),
            "Authorization: Basic YWxpY2U6czNjcmV0".to_owned(),
            vec!["YWxpY2U6czNjcmV0", "alice:s3cret", "s3cret"],
        ),
        (
            echoing(Access::user_token(), &[]),
            "Authorization: Bearer abcde".to_owned(),
            vec!["abcde"],
        ),
        (
            echoing(Access::user_token(), &[]),
            "Authorization: Bearer u\"/%+".to_owned(),
            vec!["u\"/%+"],
        ),
    ];
    for (service, authorization, tokens) in cases {
        let running = service.bind("127.0.0.1:0").await.unwrap();
        for query in ["search", "fail", "internal"] {
            let body = json!({ "query": query }).to_string();
            let answer = exchange(
                addr_of(&running.url()),
                &post("/search", &[&authorization], &body),
            )
            .await;
            let status = answer.status;
            assert_eq!(
                status,
                match query {
                    "search" => 200,
                    "fail" => 502,
                    _ => 500,
                },
                "{answer:?}"
            );
            let wire = String::from_utf8_lossy(&answer.body).into_owned();
            let parsed = answer.json().to_string();
            for token in &tokens {
                for form in forms(token) {
                    assert!(!wire.contains(&form), "{form:?} in {wire}");
                    assert!(!parsed.contains(&form), "{form:?} in {parsed}");
                }
            }
            if query != "internal" {
                assert!(wire.contains("[redacted]"), "{wire}");
            }
        }
    }
    let logs = captured.text();
    assert!(logs.contains("detail [redacted]"), "{logs}");
    for token in ["t0k", "abcde", "q\"/\\z"] {
        assert!(!logs.contains(token), "{token} in {logs}");
    }
}
