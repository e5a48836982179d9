//! `stream()`: Cohere's events typed, the same response as the call without `stream`, and
//! a stream that never ends quietly, never grows without bound and never hangs.

use std::time::Duration;

use cohere_connectors::chat::{
    ChatEvent, ChatRequest, ChatResponse, Document, ToolContent, ToolMessage,
};
use cohere_connectors::{Client, Error};
use cohere_connectors_emulator::{Emulator, StreamFault};
use futures_util::StreamExt;
use serde_json::json;

use super::requests::search_tool;
use super::sse_server::{SseServer, Step, answer_frames, frame};

/// The requests of the emulator's scripts: a plain answer, a grounded one with citations,
/// a tool-call turn, and the answer after the tool results.
async fn scripts(client: &Client) -> Vec<fn(&Client) -> ChatRequest> {
    let _ = client;
    vec![
        |client| client.chat("m").user("Hello there"),
        |client| {
            client
                .chat("m")
                .user("tea")
                .document(Document::with_id(
                    "policy-7",
                    json!({"title": "Tea", "text": "Fridays at four."}),
                ))
                .document("Oolong, \u{b0} on Mondays.")
        },
        |client| client.chat("m").user("tea policy").tool(search_tool()),
        |client| {
            let call = cohere_connectors::chat::ToolCall::new(
                "search_wiki_abc",
                "search_wiki",
                &json!({"query": "tea"}),
            );
            client
                .chat("m")
                .user("tea policy")
                .tool(search_tool())
                .message(cohere_connectors::chat::AssistantMessage::tool_turn(
                    "I will search.",
                    vec![call],
                ))
                .message(ToolMessage::new(
                    "search_wiki_abc",
                    vec![ToolContent::text("Green tea on Fridays.")],
                ))
        },
        |client| client.chat("m").user("one two three").max_tokens(2),
    ]
}

/// Each response has a new id: compared without it.
fn without_id(mut response: ChatResponse) -> ChatResponse {
    response.id = String::new();
    response
}

#[tokio::test]
async fn a_streamed_answer_assembles_into_the_response_the_call_answers() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    for (index, script) in scripts(&client).await.into_iter().enumerate() {
        let whole = script(&client).await.unwrap();
        let stream = script(&client).stream().await.unwrap();
        assert_eq!(stream.meta().status(), 200);
        let streamed = stream.response().await.unwrap();
        assert!(!streamed.id.is_empty());
        assert_eq!(without_id(streamed), without_id(whole), "script {index}");
    }
}

#[tokio::test]
async fn the_events_come_typed_in_cohere_s_order() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let mut stream = client
        .chat("m")
        .user("tea")
        .document("Green tea on Fridays.")
        .stream()
        .await
        .unwrap();
    let mut kinds = Vec::new();
    let mut text = String::new();
    while let Some(event) = stream.next().await {
        let event = event.unwrap();
        text.push_str(event.text().unwrap_or(""));
        kinds.push(event.kind().to_owned());
    }
    assert_eq!(kinds.first().map(String::as_str), Some("message-start"));
    assert_eq!(kinds.last().map(String::as_str), Some("message-end"));
    for kind in [
        "content-start",
        "content-delta",
        "citation-start",
        "citation-end",
        "content-end",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "no {kind} in {kinds:?}");
    }
    assert!(text.contains("Green tea on Fridays."), "{text}");
    assert!(stream.next().await.is_none(), "fused after the end");

    let mut tools = client
        .chat("m")
        .user("tea")
        .tool(search_tool())
        .stream()
        .await
        .unwrap();
    let mut calls = 0;
    let mut plan = String::new();
    while let Some(event) = tools.next().await {
        match event.unwrap() {
            ChatEvent::ToolPlanDelta { text } => plan.push_str(&text),
            ChatEvent::ToolCallStart { call, .. } => {
                assert_eq!(call.name(), Some("search_wiki"));
                calls += 1;
            }
            _ => {}
        }
    }
    assert_eq!(calls, 1);
    assert!(!plan.is_empty());
}

fn expect_cut(error: &Error) {
    let Error::Transport(transport) = error else {
        panic!("a cut stream is a transport error: {error:?}")
    };
    assert!(transport.is_body(), "{error:?}");
}

/// Reads `stream` to its end: the error it ends with, and how many events came before it.
async fn failure(client: &Client) -> (Error, usize) {
    let mut stream = client
        .chat("m")
        .user("one two three four")
        .stream()
        .await
        .unwrap();
    let mut events = 0;
    while let Some(event) = stream.next().await {
        match event {
            Ok(_) => events += 1,
            Err(error) => {
                assert!(stream.next().await.is_none(), "nothing after the error");
                return (error, events);
            }
        }
    }
    panic!("the stream ended quietly after {events} events")
}

#[tokio::test]
async fn a_stream_cut_or_reset_before_message_end_is_an_error() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    for fault in [
        StreamFault::Cut { after_events: 3 },
        StreamFault::Reset { after_events: 3 },
        StreamFault::Cut { after_events: 1 },
    ] {
        emulator.faults().fault_next_streams(1, fault);
        let (error, events) = failure(&client).await;
        assert!(events <= 3, "{fault:?}: {events}");
        expect_cut(&error);
    }
}

#[tokio::test]
async fn a_stream_cut_mid_event_after_content_end_or_by_an_early_done_is_an_error() {
    let frames = answer_frames();
    let half = &frames[3][..frames[3].len() / 2];
    let scripts = [
        // Cut in the middle of an event.
        vec![
            frames[0].clone(),
            frames[1].clone(),
            frames[2].clone(),
            half.to_owned(),
        ],
        // Every content event, no message-end.
        frames[..5].to_vec(),
        // [DONE] before message-end.
        [&frames[..5], &["data: [DONE]\n\n".to_owned()]].concat(),
    ];
    for (index, frames) in scripts.into_iter().enumerate() {
        let server = SseServer::start(frames.into_iter().map(Step::Send).collect()).await;
        let client = Client::builder()
            .api_key("k")
            .base_url(&server.url)
            .build()
            .unwrap();
        let (error, _) = failure(&client).await;
        expect_cut(&error);
        assert!(
            error.to_string().contains("message-end"),
            "{index}: {error}"
        );
    }
}

#[tokio::test]
async fn a_stream_ends_at_message_end_even_when_the_server_keeps_the_connection_open() {
    let mut steps: Vec<Step> = answer_frames().into_iter().map(Step::Send).collect();
    steps.push(Step::Hold);
    let server = SseServer::start(steps).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let response = tokio::time::timeout(
        Duration::from_secs(10),
        client
            .chat("m")
            .user("Hi")
            .stream()
            .await
            .unwrap()
            .response(),
    )
    .await
    .expect("no wait for what follows message-end")
    .unwrap();
    assert_eq!(response.text(), "Hi there");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn unknown_event_types_are_yielded_and_left_out_of_the_response() {
    let mut frames = answer_frames();
    let novel = frame(&json!({"type": "reasoning-summary", "delta": {"text": "\u{1b}[2J"}}));
    frames.insert(2, novel);
    frames.insert(3, ": a comment\n\n".to_owned());
    let server = SseServer::start(frames.into_iter().map(Step::Send).collect()).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .build()
        .unwrap();
    let mut stream = client.chat("m").user("Hi").stream().await.unwrap();
    let mut others = Vec::new();
    while let Some(event) = stream.next().await {
        if let ChatEvent::Other { kind, .. } = event.unwrap() {
            others.push(kind);
        }
    }
    assert_eq!(others, ["reasoning-summary"]);
    let again = SseServer::start(answer_frames().into_iter().map(Step::Send).collect()).await;
    let plain = Client::builder()
        .api_key("k")
        .base_url(&again.url)
        .build()
        .unwrap();
    let response = plain
        .chat("m")
        .user("Hi")
        .stream()
        .await
        .unwrap()
        .response()
        .await
        .unwrap();
    assert_eq!(response.text(), "Hi there");
}

#[tokio::test]
async fn a_stalled_or_dribbling_stream_is_bounded_by_the_timeout() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator
        .client_builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Stall { after_events: 2 });
    let (error, events) = failure(&client).await;
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(events, 2);

    // Bytes keep coming, one every 20 ms, but no event ends: the wait for an event is
    // what the timeout bounds, not the wait for a byte.
    let frames = answer_frames();
    let server = SseServer::start(vec![
        Step::Send(frames[0].clone()),
        Step::Dribble(
            ": ".to_owned() + &"x".repeat(10_000),
            Duration::from_millis(20),
        ),
    ])
    .await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .timeout(Duration::from_millis(300))
        .max_retries(0)
        .build()
        .unwrap();
    let (error, events) = failure(&client).await;
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(events, 1);
}

#[tokio::test]
async fn a_deadline_bounds_the_whole_stream() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator
        .client_builder()
        .deadline(Duration::from_millis(300))
        .max_response_bytes(usize::MAX / 2)
        .build()
        .unwrap();
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Endless);
    let request = client.chat("m").user("Hi").max_stream_bytes(usize::MAX);
    let mut stream = request.stream().await.unwrap();
    let error = loop {
        match stream.next().await {
            Some(Ok(_)) => {}
            Some(Err(error)) => break error,
            None => panic!("an endless stream ended quietly"),
        }
    };
    assert!(error.is_timeout(), "{error:?}");
}

#[tokio::test]
async fn an_endless_stream_is_bounded_by_the_response_it_may_assemble() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator
        .client_builder()
        .max_response_bytes(64 * 1024)
        .build()
        .unwrap();
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Endless);
    let (error, events) = failure(&client).await;
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("max_response_bytes"), "{error}");
    assert!(events > 100, "{events}");
}

#[tokio::test]
async fn a_flood_that_adds_nothing_to_the_response_is_bounded_by_max_stream_bytes() {
    let frames = answer_frames();
    let keep = frame(&json!({"type": "citation-end", "index": 0}));
    for flood in [keep, ": keep-alive\n\n".to_owned()] {
        let server =
            SseServer::start(vec![Step::Send(frames[0].clone()), Step::Flood(flood)]).await;
        let client = Client::builder()
            .api_key("k")
            .base_url(&server.url)
            .build()
            .unwrap();
        let mut stream = client
            .chat("m")
            .user("Hi")
            .max_stream_bytes(256 * 1024)
            .stream()
            .await
            .unwrap();
        let failed = async {
            loop {
                match stream.next().await {
                    Some(Ok(_)) => {}
                    Some(Err(error)) => break error,
                    None => panic!("a flood ended quietly"),
                }
            }
        };
        let error = tokio::time::timeout(Duration::from_secs(20), failed)
            .await
            .expect("the flood is cut off by its bytes, not left to run");
        assert!(matches!(error, Error::Decode(_)), "{error:?}");
        assert!(error.to_string().contains("max_stream_bytes"), "{error}");
    }
}

#[tokio::test]
async fn an_event_over_the_event_limit_fails_and_the_limit_is_the_caller_s() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    emulator.faults().fault_next_streams(
        1,
        StreamFault::Oversized {
            bytes: 2 * 1024 * 1024,
        },
    );
    let (error, _) = failure(&client).await;
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    assert!(error.to_string().contains("1048576 bytes"), "{error}");

    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Oversized { bytes: 16 * 1024 });
    let mut stream = client
        .chat("m")
        .user("one two")
        .max_event_bytes(8 * 1024)
        .stream()
        .await
        .unwrap();
    let mut failed = None;
    while let Some(event) = stream.next().await {
        if let Err(error) = event {
            failed = Some(error);
        }
    }
    assert!(failed.unwrap().to_string().contains("8192 bytes"));

    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Oversized { bytes: 16 * 1024 });
    let big = client
        .chat("m")
        .user("one two")
        .max_event_bytes(64 * 1024)
        .stream()
        .await
        .unwrap();
    let response = big.response().await.unwrap();
    assert_eq!(
        response.finish_reason,
        cohere_connectors::chat::FinishReason::Complete
    );
    assert!(
        response.text().len() >= 16 * 1024 - 200,
        "{}",
        response.text().len()
    );
}

#[tokio::test]
async fn server_text_in_events_is_scrubbed_of_the_key() {
    let emulator = Emulator::start().await.unwrap();
    let key = emulator.api_key().to_owned();
    let client = emulator.client().unwrap();
    let stream = client
        .chat("m")
        .user(format!("key {key}"))
        .stream()
        .await
        .unwrap();
    let response = stream.response().await.unwrap();
    assert_eq!(response.text(), "You said: key [redacted]");
}

#[tokio::test]
async fn a_body_that_is_not_a_stream_is_a_decode_error_with_its_start_escaped() {
    let server = cohere_connectors_testing::scripted::ScriptedServer::start(vec![
        cohere_connectors_testing::scripted::Reply::Body {
            status: 200,
            headers: vec![("content-type", "text/html".into())],
            body: "<html>\u{1b}[2J proxy says no</html>".into(),
        },
    ])
    .await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .build()
        .unwrap();
    let error = client.chat("m").user("Hi").stream().await.unwrap_err();
    assert!(matches!(error, Error::Decode(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("text/event-stream") && !shown.contains('\u{1b}'),
        "{shown}"
    );
}

#[tokio::test]
async fn a_failed_generation_s_error_text_is_escaped_and_scrubbed() {
    const KEY: &str = "sk-STREAM-never-show-me";
    let mut frames = answer_frames();
    frames[5] = frame(&json!({"type": "message-end", "delta": {
        "finish_reason": "ERROR",
        "error": format!("\u{1b}]0;owned\u{7} \u{202e}failed for {KEY}")
    }}));
    let server = SseServer::start(frames.into_iter().map(Step::Send).collect()).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(&server.url)
        .build()
        .unwrap();
    let mut stream = client.chat("m").user("Hi").stream().await.unwrap();
    let mut error_text = None;
    while let Some(event) = stream.next().await {
        if let ChatEvent::MessageEnd {
            finish_reason,
            error,
            ..
        } = event.unwrap()
        {
            assert_eq!(finish_reason, cohere_connectors::chat::FinishReason::Error);
            error_text = error;
        }
    }
    let text = error_text.expect("the error's text");
    assert!(text.contains("[redacted]") && !text.contains(KEY), "{text}");
    for raw in ['\u{1b}', '\u{7}', '\u{202e}'] {
        assert!(!text.contains(raw), "{raw:?} in {text:?}");
    }
}
