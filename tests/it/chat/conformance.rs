//! Our side of the chat's contract with Cohere's own spec (read by
//! `cohere_connectors_testing::upstream`, validated with an independent JSON Schema
//! validator): every request the builder writes validates against the upstream request
//! schema, and every response shape the upstream schema admits that we can build decodes.

use cohere_connectors::Operation;
use cohere_connectors::chat::{ChatResponse, ContentBlock, FinishReason, Source};
use cohere_connectors_testing::upstream::upstream;
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::{Value, json};

use super::requests::{conversation, recording, search_tool};
use super::sse_server::answer_frames;
use crate::common::client;

const RESPONSE: &str = "/components/schemas/ChatResponseV2";

/// Checks `value` against Cohere's schema at `pointer`. Cohere's `oneOf`s of a citation's
/// sources and of `response_format` have members that each accept the other's objects (only
/// OpenAPI's discriminator, `type`, tells them apart, which JSON Schema does not read): those
/// are checked against the member their `type` maps to, and the rest without them.
fn conforms(pointer: &str, value: &Value) {
    let Some(upstream) = upstream() else { return };
    let mut rest = value.clone();
    let mut parts = take_all(&mut rest, "sources");
    if let Some(format) = rest
        .as_object_mut()
        .and_then(|body| body.remove("response_format"))
    {
        parts.push(format);
    }
    for part in parts {
        let member = match part["type"].as_str() {
            Some("tool") => "ChatToolSource",
            Some("document") => "ChatDocumentSource",
            Some("text") => "ChatTextResponseFormatV2",
            Some("json_object") => "JsonResponseFormatV2",
            other => panic!("no member of Cohere's for {other:?}: {part}"),
        };
        upstream
            .check(&format!("/components/schemas/{member}"), &part)
            .unwrap_or_else(|error| panic!("{error}\n{part:#}"));
    }
    upstream
        .check(pointer, &rest)
        .unwrap_or_else(|error| panic!("{error}\n{value:#}"));
}

/// Takes the items of every array named `key` under `value`.
fn take_all(value: &mut Value, key: &str) -> Vec<Value> {
    match value {
        Value::Object(object) => {
            let mut taken = match object.get_mut(key) {
                Some(Value::Array(items)) => std::mem::take(items),
                _ => Vec::new(),
            };
            for child in object.values_mut() {
                taken.extend(take_all(child, key));
            }
            taken
        }
        Value::Array(items) => items
            .iter_mut()
            .flat_map(|item| take_all(item, key))
            .collect(),
        _ => Vec::new(),
    }
}

/// The member of `StreamedChatResponseV2` Cohere's discriminator maps an event type to.
fn event_schema(kind: &str) -> String {
    let name = match kind {
        "message-start" => "ChatMessageStartEvent",
        "content-start" => "ChatContentStartEvent",
        "content-delta" => "ChatContentDeltaEvent",
        "content-end" => "ChatContentEndEvent",
        "message-end" => "ChatMessageEndEvent",
        other => panic!("no event of this type in the fixture: {other}"),
    };
    format!("/components/schemas/{name}")
}

#[tokio::test]
async fn every_request_the_builder_writes_validates_against_cohere_s_schema() {
    let Some(upstream) = upstream() else { return };
    let server = MockServer::start_async().await;
    let bodies = recording(&server).await;
    let client = client(&server);
    use cohere_connectors::chat::{CitationMode, Document, ResponseFormat, SafetyMode, ToolChoice};
    client.chat("m").user("Hi").await.unwrap();
    client
        .chat("command-a-plus-05-2026")
        .messages(conversation())
        .message(cohere_connectors::chat::Message::assistant(
            "An earlier answer.",
        ))
        .user("And now?")
        .tool(search_tool())
        .strict_tools(false)
        .document("A text document.")
        .document(Document::with_id(
            "d-1",
            json!({"title": "T", "text": "x", "n": 3}),
        ))
        .citation_mode(CitationMode::Accurate)
        .tool_choice(ToolChoice::None)
        .response_format(ResponseFormat::json())
        .safety_mode(SafetyMode::Off)
        .max_tokens(10)
        .stop_sequence("END")
        .temperature(0.0)
        .seed(7)
        .frequency_penalty(0.0)
        .presence_penalty(1.0)
        .k(0)
        .p(0.99)
        .await
        .unwrap();
    let stream_server = MockServer::start_async().await;
    let streamed = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = streamed.clone();
    stream_server
        .mock_async(move |when, then| {
            when.method(POST).path("/v2/chat").is_true(move |request| {
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_slice::<Value>(request.body_ref()).unwrap());
                true
            });
            then.status(200)
                .header("content-type", "text/event-stream")
                .body(answer_frames().concat());
        })
        .await;
    crate::common::client(&stream_server)
        .chat("m")
        .user("Hi")
        .stream()
        .await
        .unwrap()
        .response()
        .await
        .unwrap();
    let pointer = upstream.request_schema(Operation::Chat);
    let mut all = bodies.lock().unwrap().clone();
    all.extend(streamed.lock().unwrap().iter().cloned());
    assert_eq!(all.len(), 3);
    assert_eq!(all[2]["stream"], true);
    for body in &all {
        conforms(&pointer, body);
    }
}

/// Response shapes the upstream schema admits, built by hand (each checked against it
/// first): a tool-call turn, an answer citing a document and a tool result, reasoning,
/// counts written as floats, every finish reason, and fields this version does not know.
fn response_shapes() -> Vec<Value> {
    let usage = json!({
        "billed_units": {"input_tokens": 12.0, "output_tokens": 3, "search_units": 0, "classifications": 0},
        "tokens": {"input_tokens": 40, "output_tokens": 9.0},
        "cached_tokens": 0
    });
    let mut shapes = vec![
        json!({
            "id": "r-tools", "finish_reason": "TOOL_CALL",
            "message": {"role": "assistant", "tool_plan": "I will search.", "tool_calls": [
                {"id": "search_wiki_a1", "type": "function", "function": {"name": "search_wiki", "arguments": "{\"query\":\"tea\"}"}}
            ]},
            "usage": usage,
        }),
        json!({
            "id": "r-cited", "finish_reason": "COMPLETE",
            "message": {"role": "assistant",
                "content": [{"type": "text", "text": "Tea is on Fridays, says the wiki."}],
                "citations": [
                    {"start": 0, "end": 17, "text": "Tea is on Fridays", "content_index": 0, "type": "TEXT_CONTENT",
                     "sources": [{"type": "document", "id": "doc:0", "document": {"id": "doc:0", "text": "Tea is on Fridays"}}]},
                    {"start": 24, "end": 32, "text": "the wiki",
                     "sources": [{"type": "tool", "id": "search_wiki_a1:0", "tool_output": {"title": "Wiki"}}]}
                ]},
            "usage": {"billed_units": {"input_tokens": 5}},
            // Cohere's LogprobItem requires `token` and `logprob`, which it does not define.
            "logprobs": [{"token": "Tea", "logprob": -0.5, "token_ids": [1, 2], "text": "Tea", "logprobs": [-0.5]}]
        }),
        json!({
            "id": "r-thinking", "finish_reason": "COMPLETE",
            "message": {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "The user asks about tea."},
                {"type": "text", "text": "Fridays."}
            ]}
        }),
    ];
    for reason in ["STOP_SEQUENCE", "MAX_TOKENS", "ERROR", "TIMEOUT"] {
        shapes.push(json!({
            "id": format!("r-{reason}"), "finish_reason": reason,
            "message": {"role": "assistant", "content": [{"type": "text", "text": "Cut"}]}
        }));
    }
    shapes
}

#[test]
fn every_response_shape_cohere_admits_decodes() {
    let decoded: Vec<ChatResponse> = response_shapes()
        .into_iter()
        .map(|shape| {
            conforms(RESPONSE, &shape);
            serde_json::from_value(shape.clone()).unwrap_or_else(|error| panic!("{error}: {shape}"))
        })
        .collect();
    let [tools, cited, thinking, ..] = &decoded[..] else {
        unreachable!()
    };
    assert_eq!(tools.finish_reason, FinishReason::ToolCall);
    assert_eq!(tools.tool_calls()[0].name(), Some("search_wiki"));
    let usage = tools.usage.as_ref().unwrap();
    assert_eq!(usage.billed_units.as_ref().unwrap().input_tokens, Some(12));
    assert_eq!(usage.tokens.as_ref().unwrap().output_tokens, Some(9));
    assert!(matches!(
        cited.message.citations[0].sources[0],
        Source::Document { .. }
    ));
    assert!(matches!(
        cited.message.citations[1].sources[0],
        Source::Tool { .. }
    ));
    assert_eq!(
        cited.message.citations[1].sources[0].id(),
        Some("search_wiki_a1:0")
    );
    assert!(matches!(
        thinking.message.content[0],
        ContentBlock::Thinking { .. }
    ));
    assert_eq!(thinking.text(), "Fridays.");
    let reasons: Vec<_> = decoded[3..]
        .iter()
        .map(|r| r.finish_reason.clone())
        .collect();
    assert_eq!(
        reasons,
        [
            FinishReason::StopSequence,
            FinishReason::MaxTokens,
            FinishReason::Error,
            FinishReason::Timeout
        ]
    );
}

#[test]
fn the_event_frames_the_stream_tests_use_are_cohere_s_shapes() {
    for frame in answer_frames() {
        let data = frame
            .lines()
            .find_map(|line| line.strip_prefix("data: "))
            .unwrap();
        let event: Value = serde_json::from_str(data).unwrap();
        conforms(&event_schema(event["type"].as_str().unwrap()), &event);
    }
}
