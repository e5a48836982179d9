//! How a chat fails and retries: Cohere's refusals typed, with the server's text escaped and
//! scrubbed; the retry rules of a create (a chat is not idempotent); tracing as the
//! connectors' calls.

use std::time::Duration;

use cohere_connectors::chat::ToolDefinition;
use cohere_connectors::{ApiErrorKind, Client, Error, Operation};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use serde_json::json;

use super::requests::plain_answer;

const KEY: &str = "sk-CHAT-never-show-me";

fn fast(url: &str, retries: u32) -> cohere_connectors::ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(url)
        .max_retries(retries)
        .retry_base_delay(Duration::from_millis(1))
        .retry_max_delay(Duration::from_millis(5))
}

async fn chat(client: &Client) -> cohere_connectors::Result<cohere_connectors::chat::ChatResponse> {
    client.chat("m").user("Hi").await
}

#[tokio::test]
async fn a_refusal_of_the_emulator_is_an_api_error_with_cohere_s_message() {
    let emulator = Emulator::start().await.unwrap();
    // Not a rule the client checks: the parameters must be an object, says the API.
    let tool = ToolDefinition::function("search", "", json!("not an object"));
    let error = emulator
        .client()
        .unwrap()
        .chat("m")
        .user("Hi")
        .tool(tool)
        .await
        .unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!((api.status(), api.kind()), (400, ApiErrorKind::BadRequest));
    assert_eq!(api.operation(), Operation::Chat);
    assert!(!api.message().unwrap_or("").is_empty(), "{api:?}");
    assert!(error.to_string().starts_with("chatv2: 400"), "{error}");
}

#[tokio::test]
async fn a_wrong_key_is_a_401_and_the_key_is_nowhere_in_the_error() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client_builder().api_key(KEY).build().unwrap();
    let error = chat(&client).await.unwrap_err();
    let Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        (api.status(), api.kind()),
        (401, ApiErrorKind::Unauthorized)
    );
    assert!(!format!("{error} {error:?}").contains(KEY));
}

#[tokio::test]
async fn server_text_in_a_refusal_is_escaped_and_scrubbed() {
    let echo = format!("\u{1b}]0;owned\u{7}bad \u{202e}request\r for Bearer {KEY}");
    let server = ScriptedServer::start(vec![Reply::json(400, json!({"message": echo}))]).await;
    let client = fast(&server.url, 2).build().unwrap();
    let error = chat(&client).await.unwrap_err();
    assert_eq!(error.status(), Some(400));
    for shown in [error.to_string(), format!("{error:?}")] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
        for raw in ['\u{1b}', '\u{7}', '\u{202e}', '\r'] {
            assert!(!shown.contains(raw), "{raw:?} in {shown:?}");
        }
    }
    assert_eq!(server.requests(), 1, "a 400 is never retried");
}

#[tokio::test]
async fn a_chat_is_retried_on_429_but_not_on_500_or_503() {
    let server = ScriptedServer::start(vec![
        Reply::json(429, json!({"message": "slow down"})),
        Reply::json(200, plain_answer()),
    ])
    .await;
    let response = chat(&fast(&server.url, 2).build().unwrap()).await.unwrap();
    assert_eq!(response.text(), "ok");
    assert_eq!(server.requests(), 2);

    for status in [500, 503] {
        let server = ScriptedServer::start(vec![
            Reply::json(status, json!({"message": "boom"})),
            Reply::json(200, plain_answer()),
        ])
        .await;
        let error = chat(&fast(&server.url, 2).build().unwrap())
            .await
            .unwrap_err();
        assert_eq!(error.status(), Some(status));
        assert_eq!(
            server.requests(),
            1,
            "{status}: the model may have answered (and billed)"
        );
    }
}

#[tokio::test]
async fn a_chat_is_retried_on_500_when_the_caller_opts_in() {
    let server = ScriptedServer::start(vec![
        Reply::json(500, json!({"message": "boom"})),
        Reply::json(200, plain_answer()),
    ])
    .await;
    let client = fast(&server.url, 2)
        .retry_non_idempotent(true)
        .build()
        .unwrap();
    let answer = client.chat("m").user("Hi").send_with_meta().await.unwrap();
    assert_eq!(answer.meta().attempts(), 2);
    assert_eq!(server.requests(), 2);
}

#[tokio::test]
async fn a_connection_dropped_after_the_request_is_not_retried() {
    let emulator = Emulator::start().await.unwrap();
    emulator.faults().drop_next(1);
    let client = emulator.client().unwrap();
    let error = chat(&client).await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(emulator.faults().pending(), 0);
    // The next call is answered: the drop was the only attempt made.
    chat(&client).await.unwrap();
}

#[tokio::test]
async fn a_5xx_answer_to_a_stream_is_an_api_error_not_retried() {
    let emulator = Emulator::start().await.unwrap();
    emulator.faults().fail_next(1, 503);
    let client = emulator.client().unwrap();
    let error = client.chat("m").user("Hi").stream().await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    let answer = client.chat("m").user("Hi").stream().await.unwrap();
    assert_eq!(answer.response().await.unwrap().text(), "You said: Hi");
}

#[cfg(feature = "tracing")]
#[tokio::test]
async fn a_chat_is_traced_as_a_call_without_secrets() {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer({
            let captured = captured.clone();
            move || captured.clone()
        })
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = ScriptedServer::start(vec![
        Reply::json(429, json!({"message": format!("slow down {KEY}")})),
        Reply::json(200, plain_answer()),
    ])
    .await;
    chat(&fast(&server.url, 2).build().unwrap()).await.unwrap();

    let output = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // The attempt events, which name the operation in their error. (The call's span is
    // checked in tests/it/tracing.rs: a span's callsite interest is cached process-wide,
    // and other tests of this binary racing to register it make its line unreliable here.)
    for expected in [
        "retrying attempt=1",
        "error=chatv2: 429",
        "attempt succeeded attempt=2 status=200",
    ] {
        assert!(output.contains(expected), "no {expected:?} in:\n{output}");
    }
    assert!(!output.contains(KEY), "{output}");
}

#[tokio::test]
async fn what_a_hostile_server_answers_a_chat_is_a_typed_error_never_retried() {
    let html = Reply::Body {
        status: 200,
        headers: vec![("content-type", "text/html".into())],
        body: "<html>\u{1b}[2J a proxy's page</html>".into(),
    };
    let redirect = Reply::Body {
        status: 307,
        headers: vec![("location", "http://elsewhere.example/v2/chat".into())],
        body: String::new(),
    };
    let endless = Reply::Junk {
        bytes: 3 * 1024 * 1024,
        declared: false,
    };
    let far_retry = Reply::Body {
        status: 429,
        headers: vec![
            ("content-type", "application/json".into()),
            ("retry-after", "86400".into()),
        ],
        body: json!({"message": "come back tomorrow"}).to_string(),
    };
    for (name, reply) in [
        ("html", html),
        ("redirect", redirect),
        ("cut", Reply::CutMidBody),
        ("endless", endless),
        ("absurd retry-after", far_retry),
    ] {
        let server = ScriptedServer::start(vec![reply, Reply::json(200, plain_answer())]).await;
        let client = fast(&server.url, 2).build().unwrap();
        let error = tokio::time::timeout(Duration::from_secs(10), chat(&client))
            .await
            .unwrap_or_else(|_| panic!("{name}: the call hung"))
            .unwrap_err();
        assert_eq!(server.requests(), 1, "{name}: {error:?}");
        let expected = match name {
            "html" | "endless" => matches!(error, Error::Decode(_)),
            "cut" => matches!(&error, Error::Transport(transport) if transport.is_body()),
            "redirect" => error.status() == Some(307) || matches!(error, Error::Protocol { .. }),
            _ => error.status() == Some(429),
        };
        assert!(expected, "{name}: {error:?}");
        assert!(!format!("{error} {error:?}").contains('\u{1b}'), "{name}");
    }
}
