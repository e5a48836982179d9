//! Faults on `/v2/chat`: the server loop's (latency, error statuses, dropped connections)
//! apply to it as to every route, and the stream faults a streaming client must survive:
//! a stream cut before `message-end`, a connection reset mid-body, a stall, a stream without
//! end, an event over any sane bound.

use std::time::{Duration, Instant};

use cohere_connectors_emulator::{Emulator, MAX_OVERSIZED_EVENT_BYTES, StreamFault};
use cohere_connectors_testing::upstream::assert_conforms;
use serde_json::{Value, json};

use super::chat_client::{Chat, assemble, conforms_event, parse_sse, user, without_id};

fn question(stream: bool) -> Value {
    json!({
        "model": "command-a-03-2025",
        "messages": [user("Where do penguins live?")],
        "documents": [{"data": {"title": "Habitats", "text": "Penguins live in Antarctica."}}],
        "stream": stream,
    })
}

/// What a streaming client reads until the body ends, breaks, or nothing comes for `quiet`.
struct Read {
    text: String,
    ended: Result<(), String>,
    stalled: bool,
}

async fn read(chat: &Chat, body: &Value, quiet: Duration, at_most: usize) -> Read {
    let mut response = chat.request().body(body.to_string()).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let mut bytes = Vec::new();
    loop {
        match tokio::time::timeout(quiet, response.chunk()).await {
            Err(_) => {
                return Read {
                    text: String::from_utf8(bytes).unwrap(),
                    ended: Ok(()),
                    stalled: true,
                };
            }
            Ok(Ok(Some(chunk))) => {
                bytes.extend_from_slice(&chunk);
                if bytes.len() >= at_most {
                    return Read {
                        text: String::from_utf8_lossy(&bytes).into_owned(),
                        ended: Ok(()),
                        stalled: false,
                    };
                }
            }
            Ok(Ok(None)) => {
                return Read {
                    text: String::from_utf8(bytes).unwrap(),
                    ended: Ok(()),
                    stalled: false,
                };
            }
            Ok(Err(error)) => {
                return Read {
                    text: String::from_utf8(bytes).unwrap(),
                    ended: Err(error.to_string()),
                    stalled: false,
                };
            }
        }
    }
}

fn event_types(text: &str) -> Vec<String> {
    parse_sse(text)
        .into_iter()
        .map(|frame| frame.event.unwrap_or(frame.data))
        .collect()
}

#[tokio::test]
async fn injected_statuses_drops_and_latency_apply_to_the_chat() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator.faults().fail_next(1, 503).fail_next(1, 429);
    for (stream, status) in [(false, 503), (true, 429)] {
        let answer = chat.send(&question(stream)).await;
        assert_eq!(answer.status, status);
        assert_eq!(answer.refusal(), "injected failure");
    }
    emulator.faults().drop_next(1);
    let dropped = chat.request().body(question(true).to_string()).send().await;
    assert!(dropped.is_err(), "the connection closes without an answer");
    emulator.faults().set_latency(Duration::from_millis(150));
    let started = Instant::now();
    assert_eq!(chat.send(&question(false)).await.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(emulator.faults().pending(), 0);
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn a_cut_stream_ends_cleanly_without_message_end_or_done() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Cut { after_events: 3 })
        .fault_next_streams(
            1,
            StreamFault::Cut {
                after_events: 10_000,
            },
        );
    let cut = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    assert_eq!(cut.ended, Ok(()), "the HTTP body ends normally");
    assert_eq!(
        event_types(&cut.text),
        ["message-start", "content-start", "content-delta"]
    );
    // However many events are asked for, the end is never sent.
    let whole = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    let types = event_types(&whole.text);
    assert_eq!(types.last().unwrap(), "content-end");
    assert!(!whole.text.contains("message-end") && !whole.text.contains("[DONE]"));
    for frame in parse_sse(&whole.text) {
        conforms_event(&serde_json::from_str(&frame.data).unwrap());
    }
    // The next stream is whole again.
    let after = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    assert!(after.text.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn a_reset_stream_breaks_the_body() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Reset { after_events: 2 });
    let reset = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    assert!(reset.ended.is_err(), "a broken body, not an end");
    assert_eq!(event_types(&reset.text), ["message-start", "content-start"]);
    // The emulator serves on.
    assert_eq!(chat.send(&question(false)).await.status, 200);
}

/// A stalled stream holds its connection past the emulator's request timeout: the 408 of the
/// server loop is for requests slow to arrive, never for an answer being streamed.
#[tokio::test]
async fn a_stalled_stream_sends_nothing_more_and_keeps_the_connection() {
    let emulator = Emulator::builder()
        .request_timeout(Duration::from_millis(100))
        .start()
        .await
        .unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Stall { after_events: 1 });
    let stalled = read(
        &chat,
        &question(true),
        Duration::from_millis(600),
        usize::MAX,
    )
    .await;
    assert!(stalled.stalled);
    assert_eq!(event_types(&stalled.text), ["message-start"]);
    let whole = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    assert!(whole.text.ends_with("data: [DONE]\n\n"));
}

/// With the journal on, a stream still reaches the client as it is made (the journal records
/// the exchange without collecting its body): a stalled one shows its first events.
#[tokio::test]
async fn the_journal_never_holds_a_stream_back() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Stall { after_events: 1 });
    let stalled = read(
        &chat,
        &question(true),
        Duration::from_millis(600),
        usize::MAX,
    )
    .await;
    assert!(stalled.stalled);
    assert_eq!(event_types(&stalled.text), ["message-start"]);
    let journal = emulator.journal();
    assert_eq!(journal.len(), 1);
    assert_eq!(
        (journal[0].path.as_str(), journal[0].status),
        ("/v2/chat", 200)
    );
    assert!(journal[0].body.is_none());
}

#[tokio::test]
async fn an_endless_stream_keeps_sending_content() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Endless);
    let endless = read(&chat, &question(true), Duration::from_secs(10), 2_000_000).await;
    assert!(!endless.stalled && endless.ended.is_ok());
    let frames = parse_sse(&endless.text);
    assert!(frames.len() > 10_000, "{}", frames.len());
    assert_eq!(frames[0].event.as_deref(), Some("message-start"));
    assert_eq!(frames[1].event.as_deref(), Some("content-start"));
    // All but the last, which the read may have cut in two.
    for frame in &frames[2..frames.len() - 1] {
        assert_eq!(frame.event.as_deref(), Some("content-delta"));
        conforms_event(&serde_json::from_str(&frame.data).unwrap());
    }
    // Dropping the client ends it; the emulator serves on.
    assert_eq!(chat.send(&question(false)).await.status, 200);
}

#[tokio::test]
async fn an_oversized_event_is_one_frame_of_at_least_the_size_asked() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let normal = assemble(&chat.stream(&question(true)).await);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Oversized { bytes: 3_000_000 })
        .fault_next_streams(1, StreamFault::Oversized { bytes: usize::MAX });
    let big = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    let frames = parse_sse(&big.text);
    let sizes: Vec<usize> = frames.iter().map(|frame| frame.data.len()).collect();
    assert!(sizes[2] >= 3_000_000 && sizes[2] < 3_000_100, "{sizes:?}");
    assert_eq!(sizes.iter().filter(|size| **size > 10_000).count(), 1);
    assert!(big.text.ends_with("data: [DONE]\n\n"));
    // The padding aside, the same response.
    let events: Vec<Value> = frames[..frames.len() - 1]
        .iter()
        .map(|frame| serde_json::from_str(&frame.data).unwrap())
        .collect();
    let mut padded = assemble(&events);
    let text = |response: &Value| {
        response["message"]["content"][0]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let padding = " ".repeat(text(&padded).len() - text(&normal).len());
    padded["message"]["content"][0]["text"] = json!(text(&padded).replacen(&padding, "", 1));
    assert_eq!(without_id(&padded), without_id(&normal));
    // An absurd size is held to the emulator's bound.
    let capped = read(&chat, &question(true), Duration::from_secs(30), usize::MAX).await;
    let largest = capped.text.split('\n').map(str::len).max().unwrap();
    let data = "data: ".len();
    assert!(
        (MAX_OVERSIZED_EVENT_BYTES..MAX_OVERSIZED_EVENT_BYTES + 100).contains(&(largest - data))
    );
    assert!(capped.text.ends_with("data: [DONE]\n\n"));
}

#[tokio::test]
async fn stream_faults_wait_for_a_stream() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    emulator
        .faults()
        .fault_next_streams(1, StreamFault::Cut { after_events: 1 });
    // A refused stream and a non-streamed chat take no stream fault.
    let refused = chat
        .send_any(&json!({"model": "m", "messages": [], "stream": true}))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(chat.send(&question(false)).await.status, 200);
    assert_eq!(emulator.faults().pending(), 1);
    let cut = read(&chat, &question(true), Duration::from_secs(10), usize::MAX).await;
    assert_eq!(event_types(&cut.text), ["message-start"]);
    assert_eq!(emulator.faults().pending(), 0);
}

/// A client that gives up on a stalled or endless stream frees its connection: the emulator
/// does not hold a slot for a stream nobody reads.
#[tokio::test]
async fn streams_given_up_free_their_connection() {
    let emulator = Emulator::builder()
        .max_connections(1)
        .start()
        .await
        .unwrap();
    let chat = Chat::new(&emulator);
    for fault in [StreamFault::Stall { after_events: 1 }, StreamFault::Endless] {
        emulator.faults().fault_next_streams(1, fault);
        let given_up = read(&chat, &question(true), Duration::from_millis(300), 100_000).await;
        assert!(!given_up.text.is_empty());
        drop(given_up);
        // A new client (its own connection) is served once the first is gone.
        let fresh = Chat::new(&emulator);
        let served =
            tokio::time::timeout(Duration::from_secs(10), fresh.send(&question(false))).await;
        assert_eq!(served.expect("served in time").status, 200, "{fault:?}");
    }
}
