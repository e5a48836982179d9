//! The scripted model's promises as properties: whatever the messages, tools and documents,
//! the answer's citations index its text exactly, every source names a document it was
//! given, every response and event conforms to Cohere's schemas, and the stream assembles
//! into the response.

use std::sync::OnceLock;

use cohere_connectors_emulator::Emulator;
use proptest::prelude::*;
use serde_json::{Value, json};

use super::chat_client::{Chat, assemble, citations_hold, search_tool, without_id};

/// One emulator for every case, on a runtime that outlives them.
fn served() -> &'static (tokio::runtime::Runtime, Emulator) {
    static SERVED: OnceLock<(tokio::runtime::Runtime, Emulator)> = OnceLock::new();
    SERVED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let emulator = runtime.block_on(Emulator::start()).unwrap();
        (runtime, emulator)
    })
}

/// Any text: every Unicode scalar, controls, bidi overrides and astral ones included.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z ]{0,30}",
        "[\u{0}-\u{1f}\u{202a}-\u{202e}\u{1f600}-\u{1f64f}é ]{0,20}",
    ]
}

/// A document's fields, sometimes without any text to quote, sometimes nested.
fn data() -> impl Strategy<Value = Value> {
    (
        proptest::option::of(text()),
        proptest::option::of(text()),
        proptest::option::of(text()),
        any::<bool>(),
    )
        .prop_map(|(title, body, snippet, nested)| {
            let mut data = json!({});
            if let Some(title) = title {
                data["title"] = json!(title);
            }
            if let Some(body) = body {
                data["text"] = json!(body);
            }
            if let Some(snippet) = snippet {
                data["snippet"] = json!(snippet);
            }
            if nested {
                data["meta"] = json!({"n": 1, "list": [true, null]});
            }
            data
        })
}

/// A tool result: a string, or blocks of text and documents with or without their own id.
#[derive(Clone, Debug)]
enum Result_ {
    Text(String),
    Blocks(Vec<(Value, bool)>),
}

fn result() -> impl Strategy<Value = Result_> {
    prop_oneof![
        text().prop_map(Result_::Text),
        proptest::collection::vec((data(), any::<bool>()), 0..4).prop_map(Result_::Blocks),
    ]
}

#[derive(Clone, Debug)]
struct Case {
    question: String,
    tools: usize,
    documents: Vec<(Value, bool)>,
    results: Vec<Result_>,
    mode: &'static str,
    max_tokens: Option<u64>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        text(),
        0..4_usize,
        proptest::collection::vec((data(), any::<bool>()), 0..5),
        proptest::collection::vec(result(), 4),
        prop_oneof![Just("ENABLED"), Just("OFF"), Just("DISABLED"), Just("FAST")],
        proptest::option::of(0..40_u64),
    )
        .prop_map(
            |(question, tools, documents, results, mode, max_tokens)| Case {
                question,
                tools,
                documents,
                results,
                mode,
                max_tokens,
            },
        )
}

/// The request's documents, and their ids as Cohere gives them.
fn documents(case: &Case) -> (Vec<Value>, Vec<String>) {
    case.documents
        .iter()
        .enumerate()
        .map(|(index, (data, own_id))| {
            if *own_id {
                let id = format!("given-{index}");
                (json!({"id": id, "data": data}), id)
            } else {
                (json!({"data": data}), format!("doc:{index}"))
            }
        })
        .unzip()
}

/// The tool message answering `call_id` with `result`, and the ids of its documents.
fn tool_message(call_id: &str, step: usize, result: &Result_) -> (Value, Vec<String>) {
    match result {
        Result_::Text(text) => (
            json!({"role": "tool", "tool_call_id": call_id, "content": text}),
            vec![format!("{call_id}:0")],
        ),
        Result_::Blocks(blocks) => {
            let mut ids = Vec::new();
            let content: Vec<Value> = blocks
                .iter()
                .enumerate()
                .map(|(index, (data, own_id))| {
                    if *own_id {
                        let id = format!("{call_id}-own-{step}-{index}");
                        ids.push(id.clone());
                        json!({"type": "document", "document": {"id": id, "data": data}})
                    } else {
                        ids.push(format!("{call_id}:{index}"));
                        json!({"type": "document", "document": {"data": data}})
                    }
                })
                .collect();
            (
                json!({"role": "tool", "tool_call_id": call_id, "content": content}),
                ids,
            )
        }
    }
}

/// Asks `body` plainly and streamed; checks the promises; the response.
async fn ask(chat: &Chat, body: &Value, given: &[String]) -> Value {
    let response = chat.chat(body).await;
    citations_hold(&response, given);
    let events = chat.stream(body).await;
    assert_eq!(without_id(&assemble(&events)), without_id(&response));
    response
}

async fn run(case: Case) {
    let chat = Chat::new(&served().1);
    let tools: Vec<Value> = (0..case.tools)
        .map(|n| search_tool(&format!("tool_{n}")))
        .collect();
    let (documents, mut given) = documents(&case);
    let mut body = json!({
        "model": "command-a-03-2025",
        "messages": [{"role": "user", "content": case.question}],
        "citation_options": {"mode": case.mode},
    });
    if !tools.is_empty() {
        body["tools"] = json!(tools);
    }
    if !documents.is_empty() {
        body["documents"] = json!(documents);
    }
    if let Some(max) = case.max_tokens {
        body["max_tokens"] = json!(max);
    }
    let first = ask(&chat, &body, &given).await;
    if tools.is_empty() {
        assert_ne!(first["finish_reason"], "TOOL_CALL");
        return;
    }
    assert_eq!(first["finish_reason"], "TOOL_CALL");
    let calls = first["message"]["tool_calls"].as_array().unwrap().clone();
    assert_eq!(calls.len(), case.tools);
    let messages = body["messages"].as_array_mut().unwrap();
    messages.push(json!({"role": "assistant", "tool_plan": first["message"]["tool_plan"], "tool_calls": calls}));
    for (call, result) in calls.iter().zip(&case.results) {
        let (message, ids) = tool_message(call["id"].as_str().unwrap(), 0, result);
        messages.push(message);
        given.extend(ids);
    }
    let answer = ask(&chat, &body, &given).await;
    assert_ne!(answer["finish_reason"], "TOOL_CALL");
    let cited = answer["message"]["citations"]
        .as_array()
        .map_or(0, Vec::len);
    if matches!(case.mode, "OFF" | "DISABLED") {
        assert_eq!(cited, 0);
    } else if case.max_tokens.is_none() {
        assert_eq!(cited, given.len().min(50), "every document given is cited");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn citations_index_the_text_and_name_given_documents_and_streams_assemble(case in case()) {
        served().0.block_on(run(case));
    }
}
