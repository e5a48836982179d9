//! `POST /v2/chat`: the scripted model's rules, each response checked against Cohere's
//! `ChatResponseV2`, each request against Cohere's request schema, and each streamed event
//! against its own event schema; every request is also streamed, and its events must
//! assemble into the same response.

use std::collections::HashSet;

use cohere_connectors_emulator::{DEFAULT_CHAT_TOOL_CALLS, Emulator};
use serde_json::{Value, json};

use super::chat_client::{Chat, assemble, citations_hold, search_tool, span, user, without_id};

const MODEL: &str = "command-a-03-2025";

/// The response to `body`, which its stream must assemble into too.
async fn both(chat: &Chat, body: &Value) -> Value {
    let response = chat.chat(body).await;
    let events = chat.stream(body).await;
    assert_eq!(without_id(&assemble(&events)), without_id(&response));
    response
}

fn ids_of(response: &Value) -> Vec<String> {
    response["message"]["tool_calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|call| call["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The assistant turn to replay: the plan and the calls exactly as the model gave them.
fn replay(response: &Value) -> Value {
    json!({
        "role": "assistant",
        "tool_plan": response["message"]["tool_plan"],
        "tool_calls": response["message"]["tool_calls"],
    })
}

#[tokio::test]
async fn a_user_turn_with_tools_calls_each_tool_with_the_question() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let typed = json!({"type": "function", "function": {"name": "_lookup2", "parameters": {
        "type": "object",
        "properties": {
            "term": {"type": "string"}, "limit": {"type": "integer"}, "exact": {"type": "boolean"},
            "tags": {"type": ["array", "null"]}, "options": {"type": "object"}, "note": {"type": "string"},
        },
        "required": ["term", "limit", "exact", "tags", "options"],
    }}});
    let body = json!({
        "model": MODEL,
        "messages": [{"role": "system", "content": "Be brief."}, user("Où est le thé ? 🍵")],
        "tools": [search_tool("search_wiki"), typed],
    });
    let response = both(&chat, &body).await;
    assert_eq!(response["finish_reason"], "TOOL_CALL");
    let message = &response["message"];
    assert_eq!(
        message["tool_plan"],
        "I will call search_wiki and _lookup2 to answer this."
    );
    assert!(message.get("content").is_none() && message.get("citations").is_none());
    let calls = message["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 2);
    let arguments: Vec<Value> = calls
        .iter()
        .map(|call| serde_json::from_str(call["function"]["arguments"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(arguments[0], json!({"query": "Où est le thé ? 🍵"}));
    assert_eq!(
        arguments[1],
        json!({"term": "Où est le thé ? 🍵", "limit": 0, "exact": false, "tags": [], "options": {}})
    );
    for (call, name) in calls.iter().zip(["search_wiki", "_lookup2"]) {
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["name"], name);
        let suffix = call["id"]
            .as_str()
            .unwrap()
            .strip_prefix(&format!("{name}_"))
            .unwrap();
        assert_eq!(suffix.len(), 12);
        assert!(
            suffix
                .bytes()
                .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        );
    }
    // Deterministic: the same request, the same calls.
    assert_eq!(ids_of(&chat.chat(&body).await), ids_of(&response));
}

#[tokio::test]
async fn tool_results_are_answered_with_citations_of_cohere_s_tool_sources() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let question = json!({
        "model": MODEL,
        "messages": [user("What's the weather in Madrid and Brasilia?")],
        "tools": [search_tool("get_weather"), search_tool("search_news")],
    });
    let calls = chat.chat(&question).await;
    let [weather, news] = <[String; 2]>::try_from(ids_of(&calls)).unwrap();
    let mut messages = question["messages"].as_array().unwrap().clone();
    messages.push(replay(&calls));
    messages.push(json!({"role": "tool", "tool_call_id": weather, "content": [
        {"type": "document", "document": {"data": {"temperature": {"madrid": "24°C"}, "title": "Madrid"}}},
        {"type": "document", "document": {"id": "brasilia-1", "data": {"text": "28°C in Brasília", "rank": 1}}},
    ]}));
    messages.push(json!({"role": "tool", "tool_call_id": news,
        "content": r#"{"headline": "Heat wave", "text": "Records were broken."}"#}));
    let body = json!({"model": MODEL, "messages": messages, "tools": question["tools"]});
    let response = both(&chat, &body).await;
    assert_eq!(response["finish_reason"], "COMPLETE");
    let text = response["message"]["content"][0]["text"].as_str().unwrap();
    // A document without text is quoted whole; one without a title is named by its id.
    let lines = [
        r#"Madrid says: {"temperature":"{\"madrid\":\"24°C\"}","title":"Madrid"}"#.to_owned(),
        "brasilia-1 says: 28°C in Brasília".to_owned(),
        format!("{news}:0 says: Records were broken."),
    ];
    assert_eq!(text, lines.join("\n"));
    let ids = [
        format!("{weather}:0"),
        "brasilia-1".into(),
        format!("{news}:0"),
    ];
    assert_eq!(citations_hold(&response, &ids), 3);
    let citations = response["message"]["citations"].as_array().unwrap();
    for (citation, id) in citations.iter().zip(&ids) {
        let source = &citation["sources"][0];
        assert_eq!(
            (&source["type"], &source["id"]),
            (&json!("tool"), &json!(id))
        );
        assert_eq!(citation["type"], "TEXT_CONTENT");
    }
    // Nested values are written as compact JSON, every value a string.
    assert_eq!(
        citations[0]["sources"][0]["tool_output"],
        json!({"temperature": "{\"madrid\":\"24°C\"}", "title": "Madrid"})
    );
    assert_eq!(
        citations[1]["sources"][0]["tool_output"],
        json!({"text": "28°C in Brasília", "rank": "1"})
    );
    assert_eq!(
        citations[2]["sources"][0]["tool_output"],
        json!({"headline": "Heat wave", "text": "Records were broken."})
    );
}

#[tokio::test]
async fn request_documents_are_cited_as_document_sources_by_code_point() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({
        "model": MODEL,
        "messages": [user("Where do the tallest penguins live?")],
        "documents": [
            {"data": {"title": "Tall penguins", "snippet": "Emperor penguins — the tallest 🐧."}},
            {"id": "habitat", "data": {"title": "Habitats", "text": "Only in Antarctica ❄️."}},
            "A plain string document, ünïcödé.",
        ],
    });
    let response = both(&chat, &body).await;
    assert_eq!(response["finish_reason"], "COMPLETE");
    let ids = ["doc:0".to_owned(), "habitat".into(), "doc:2".into()];
    assert_eq!(citations_hold(&response, &ids), 3);
    let text = response["message"]["content"][0]["text"].as_str().unwrap();
    let citations = response["message"]["citations"].as_array().unwrap();
    // Offsets count code points, not bytes or UTF-16 units: 🐧 and ❄ are one each.
    let second = &citations[1];
    assert_eq!(second["text"], "Only in Antarctica ❄️.");
    let start = second["start"].as_u64().unwrap() as usize;
    assert_eq!(
        start,
        text.split('\n').next().unwrap().chars().count() + 1 + "Habitats says: ".len()
    );
    assert_eq!(
        span(text, start, second["end"].as_u64().unwrap() as usize),
        "Only in Antarctica ❄️."
    );
    assert_eq!(
        citations[0]["sources"][0],
        json!({"type": "document", "id": "doc:0", "document": {
            "id": "doc:0", "title": "Tall penguins", "snippet": "Emperor penguins — the tallest 🐧."}})
    );
    assert_eq!(
        citations[2]["sources"][0]["document"],
        json!({"id": "doc:2", "text": "A plain string document, ünïcödé."})
    );
}

#[tokio::test]
async fn citations_are_left_out_when_turned_off() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    for (mode, cited) in [
        ("OFF", false),
        ("DISABLED", false),
        ("ENABLED", true),
        ("FAST", true),
        ("ACCURATE", true),
    ] {
        let body = json!({
            "model": MODEL,
            "messages": [user("q")],
            "documents": [{"data": {"text": "fact"}}],
            "citation_options": {"mode": mode},
        });
        let response = both(&chat, &body).await;
        assert_eq!(
            response["message"]["content"][0]["text"],
            "doc:0 says: fact"
        );
        assert_eq!(
            response["message"].get("citations").is_some(),
            cited,
            "{mode}"
        );
    }
}

#[tokio::test]
async fn otherwise_a_plain_answer_from_the_last_user_message() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({
        "model": MODEL,
        "messages": [
            user("first"),
            {"role": "assistant", "content": "an earlier answer"},
            {"role": "user", "content": [{"type": "text", "text": "one two"}, {"type": "text", "text": "three"}]},
        ],
    });
    let response = both(&chat, &body).await;
    assert_eq!(response["finish_reason"], "COMPLETE");
    assert_eq!(
        response["message"]["content"],
        json!([{"type": "text", "text": "You said: one two\nthree"}])
    );
    // Tokens are words: 1 + 3 + 3 read, 5 written, billed as counted.
    let tokens = json!({"input_tokens": 7, "output_tokens": 5});
    assert_eq!(
        response["usage"],
        json!({"billed_units": tokens, "tokens": tokens})
    );
    let silent = both(
        &chat,
        &json!({"model": MODEL, "messages": [{"role": "system", "content": "s"}]}),
    )
    .await;
    assert_eq!(silent["message"]["content"][0]["text"], "You said nothing.");
}

#[tokio::test]
async fn each_response_has_an_id_of_its_own() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({"model": MODEL, "messages": [user("hi")]});
    let mut ids = HashSet::new();
    for _ in 0..20 {
        let id = chat.chat(&body).await["id"].as_str().unwrap().to_owned();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12], "{id}");
        assert!(id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        ids.insert(id);
    }
    assert_eq!(ids.len(), 20);
}

#[tokio::test]
async fn max_tokens_cuts_the_answer_and_its_citations() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({
        "model": MODEL,
        "messages": [user("q")],
        "documents": [{"data": {"text": "alpha"}}, {"data": {"text": "beta gamma delta"}}],
        "max_tokens": 5,
    });
    let response = both(&chat, &body).await;
    assert_eq!(response["finish_reason"], "MAX_TOKENS");
    assert_eq!(
        response["message"]["content"][0]["text"],
        "doc:0 says: alpha\ndoc:1 says:"
    );
    assert_eq!(citations_hold(&response, &["doc:0".into()]), 1);
    assert_eq!(response["usage"]["billed_units"]["output_tokens"], 5);
}

#[tokio::test]
async fn tool_choice_none_answers_and_required_calls() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let mut body = json!({
        "model": MODEL,
        "messages": [user("tea")],
        "tools": [search_tool("search_wiki")],
        "tool_choice": "NONE",
    });
    assert_eq!(both(&chat, &body).await["finish_reason"], "COMPLETE");
    body["tool_choice"] = json!("REQUIRED");
    let calls = both(&chat, &body).await;
    assert_eq!(calls["finish_reason"], "TOOL_CALL");
    // REQUIRED calls again after the results.
    let id = &ids_of(&calls)[0];
    body["messages"] = json!([user("tea"), replay(&calls),
        {"role": "tool", "tool_call_id": id, "content": "green"}]);
    let again = both(&chat, &body).await;
    assert_eq!(again["finish_reason"], "TOOL_CALL");
    assert_ne!(&ids_of(&again)[0], id, "a new step, new ids");
}

/// A tool loop run to its end against the model, as the SDK's loop will run it.
async fn run_loop(chat: &Chat, tools: &[Value], steps: usize) -> (Value, Vec<String>) {
    let mut messages = vec![user("What do the tools say?")];
    let mut seen = Vec::new();
    for _ in 0..steps {
        let body = json!({"model": MODEL, "messages": messages, "tools": tools});
        let response = both(chat, &body).await;
        if response["finish_reason"] != "TOOL_CALL" {
            return (response, seen);
        }
        messages.push(replay(&response));
        for id in ids_of(&response) {
            messages.push(json!({"role": "tool", "tool_call_id": id,
                "content": [{"type": "document", "document": {"data": {"text": format!("result of {id}")}}}]}));
            seen.push(id);
        }
    }
    (Value::Null, seen)
}

#[tokio::test]
async fn a_loop_ends_after_one_step_and_every_call_is_cited() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let tools: Vec<Value> = (0..3)
        .map(|n| search_tool(&format!("search_{n}")))
        .collect();
    let (answer, calls) = run_loop(&chat, &tools, 10).await;
    assert_eq!(calls.len(), 3);
    assert_eq!(answer["finish_reason"], "COMPLETE");
    let ids: Vec<String> = calls.iter().map(|id| format!("{id}:0")).collect();
    assert_eq!(citations_hold(&answer, &ids), 3);
}

#[tokio::test]
async fn a_model_that_never_stops_calls_new_ids_at_every_step_up_to_its_bound() {
    let emulator = Emulator::builder()
        .chat_keeps_calling_tools(true)
        .chat_tool_calls(2)
        .start()
        .await
        .unwrap();
    let chat = Chat::new(&emulator);
    let tools: Vec<Value> = (0..5)
        .map(|n| search_tool(&format!("search_{n}")))
        .collect();
    let (answer, calls) = run_loop(&chat, &tools, 6).await;
    assert_eq!(answer, Value::Null, "it never answered");
    assert_eq!(calls.len(), 12, "two calls a step, the first two tools");
    assert_eq!(calls.iter().collect::<HashSet<_>>().len(), 12, "{calls:?}");
    assert!(
        calls
            .iter()
            .all(|id| id.starts_with("search_0_") || id.starts_with("search_1_"))
    );
}

#[tokio::test]
async fn the_default_bound_on_calls_in_a_turn() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let tools: Vec<Value> = (0..DEFAULT_CHAT_TOOL_CALLS + 8)
        .map(|n| search_tool(&format!("t{n}")))
        .collect();
    let body = json!({"model": MODEL, "messages": [user("x")], "tools": tools});
    let calls = ids_of(&chat.chat(&body).await);
    assert_eq!(calls.len(), DEFAULT_CHAT_TOOL_CALLS);
    assert_eq!(
        calls.iter().collect::<HashSet<_>>().len(),
        DEFAULT_CHAT_TOOL_CALLS
    );
}

/// Citations stream right after the delta that completes their text, as Cohere streams them.
#[tokio::test]
async fn citation_events_follow_the_text_they_cite() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({
        "model": MODEL,
        "messages": [user("q")],
        "documents": [{"data": {"text": "one two"}}, {"data": {"text": "three"}}],
    });
    let events = chat.stream(&body).await;
    let kinds: Vec<&str> = events
        .iter()
        .map(|event| event["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds[..2], ["message-start", "content-start"]);
    assert_eq!(kinds[kinds.len() - 2..], ["content-end", "message-end"]);
    let mut text = String::new();
    for (index, event) in events.iter().enumerate() {
        match event["type"].as_str().unwrap() {
            "content-delta" => text.push_str(
                event["delta"]["message"]["content"]["text"]
                    .as_str()
                    .unwrap(),
            ),
            "citation-start" => {
                let end = event["delta"]["message"]["citations"]["end"]
                    .as_u64()
                    .unwrap() as usize;
                assert_eq!(text.chars().count(), end, "cited as soon as written");
                assert_eq!(events[index + 1]["type"], "citation-end");
                assert_eq!(events[index + 1]["index"], event["index"]);
            }
            _ => {}
        }
    }
    assert_eq!(text, "doc:0 says: one two\ndoc:1 says: three");
}
