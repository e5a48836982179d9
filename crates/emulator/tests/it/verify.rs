//! Verification of connectors on create (`verify_connectors`): a refusal says why in the
//! emulator's own words, and never carries what the target answered.

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use serde_json::json;

/// What a hostile or careless target answers, and the reason the refusal gives instead.
fn targets() -> Vec<(Reply, &'static str)> {
    let page = |status: u16, body: &str| Reply::Body {
        status,
        headers: vec![("content-type", "text/html".into())],
        body: body.to_owned(),
    };
    vec![
        (
            page(
                500,
                "<h1>internal admin page</h1> db password sk-live-0123456789",
            ),
            "it answered 500",
        ),
        (
            Reply::json(
                401,
                json!({"message": "bad token; expected sk-live-0123456789"}),
            ),
            "it refused the service credentials with 401",
        ),
        (
            // serde's message for this quotes the value: "invalid type: string ..."
            Reply::json(200, json!({"results": "sk-live-0123456789"})),
            "its answer is not a search response",
        ),
        (
            Reply::Body {
                status: 302,
                headers: vec![(
                    "location",
                    "https://internal.example.com/?token=sk-live-0123456789".into(),
                )],
                body: String::new(),
            },
            "it answered 302 with a redirect",
        ),
    ]
}

#[tokio::test]
async fn a_refused_connector_is_told_why_without_the_targets_answer() {
    let emulator = Emulator::builder()
        .verify_connectors(true)
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    for (reply, reason) in targets() {
        let target = ScriptedServer::start(vec![reply]).await;
        let url = format!("{}/search", target.url);
        let error = client
            .connectors()
            .create("Docs", url.as_str())
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(400), "{error}");
        let text = error.to_string();
        assert!(
            text.contains(&format!("connector {url} is not reachable: {reason}")),
            "{text}"
        );
        for leaked in ["sk-live", "admin page", "internal.example.com", "expected"] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert_eq!(target.requests(), 1);
    }
    assert_eq!(emulator.connector_count(), 0);
}
