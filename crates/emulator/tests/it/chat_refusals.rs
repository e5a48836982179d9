//! The chat's refusals: Cohere's rules, in Cohere's words where its errors page gives them,
//! each body checked against Cohere's error schema (and journaled answers against the
//! whole upstream at the end).

use cohere_connectors_emulator::{Emulator, MAX_CHAT_BODY_BYTES};
use cohere_connectors_testing::upstream::assert_conforms;
use serde_json::{Value, json};

use super::chat_client::{Chat, answer, search_tool, user};

const MODEL: &str = "command-a-03-2025";

/// An assistant turn that called `ids`.
fn called(ids: &[&str]) -> Value {
    let calls: Vec<Value> = ids
        .iter()
        .map(|id| {
            json!({"id": id, "type": "function",
            "function": {"name": "search_wiki", "arguments": "{\"query\":\"q\"}"}})
        })
        .collect();
    json!({"role": "assistant", "tool_plan": "I will search.", "tool_calls": calls})
}

fn with_messages(messages: Value) -> Value {
    json!({"model": MODEL, "messages": messages, "tools": [search_tool("search_wiki")]})
}

/// Every refusal: the body, the status and the message the API answers.
fn refusals() -> Vec<(Value, u16, String)> {
    let tool = |id: Value| json!({"role": "tool", "tool_call_id": id, "content": "r"});
    let bad_tool =
        |name: &str| json!({"model": MODEL, "messages": [user("q")], "tools": [search_tool(name)]});
    let tool_with = |parameters: Value| {
        json!({"model": MODEL, "messages": [user("q")],
        "tools": [{"type": "function", "function": {"name": "t", "parameters": parameters}}]})
    };
    vec![
        // Cohere's wording.
        (
            with_messages(json!([user("q"), called(&["a"]), {"role": "tool", "content": "r"}])),
            400,
            "tool call id must be provided with tool message".into(),
        ),
        (
            with_messages(json!([user("q"), called(&["a"]), tool(json!(""))])),
            400,
            "tool call id must be provided with tool message".into(),
        ),
        (
            with_messages(json!([user("q"), called(&["a"]), tool(json!("b"))])),
            400,
            "tool call id not found in previous tool calls".into(),
        ),
        // Only the previous assistant turn's calls may be answered.
        (
            with_messages(json!([user("q"), called(&["a"]), tool(json!("a")), user("again"), called(&["b"]), tool(json!("a"))])),
            400,
            "tool call id not found in previous tool calls".into(),
        ),
        (
            with_messages(json!([user("q"), tool(json!("a"))])),
            400,
            "tool call id not found in previous tool calls".into(),
        ),
        (
            with_messages(json!([user("q"), called(&["a", "a"])])),
            400,
            "cannot have duplicate tool ids".into(),
        ),
        (
            with_messages(json!([user("q"), called(&["a"]), tool(json!("a")), called(&["a"])])),
            400,
            "cannot have duplicate tool ids".into(),
        ),
        (
            with_messages(json!([user("q"), {"role": "assistant", "tool_calls": [{"id": "a", "type": "other",
                "function": {"name": "x", "arguments": "{}"}}]}])),
            400,
            "tool call must be of type function".into(),
        ),
        (
            bad_tool("9lives"),
            400,
            "invalid request: tool names can only contain certain characters (A-Za-z0-9_) and can't begin with a digit (provided name: '9lives').".into(),
        ),
        (
            bad_tool("search-wiki"),
            400,
            "invalid request: tool names can only contain certain characters (A-Za-z0-9_) and can't begin with a digit (provided name: 'search-wiki').".into(),
        ),
        (
            bad_tool(""),
            400,
            "invalid request: tool names can only contain certain characters (A-Za-z0-9_) and can't begin with a digit (provided name: '').".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "documents": [
                {"id": "adfasd", "data": {"text": "a"}}, {"id": "adfasd", "data": {"text": "b"}}]}),
            400,
            "invalid request: duplicate document ID adfasd at index 1 and 0".into(),
        ),
        // A given id that collides with a generated one.
        (
            json!({"model": MODEL, "messages": [user("q")], "documents": [
                {"data": {"text": "a"}}, {"id": "doc:0", "data": {"text": "b"}}]}),
            400,
            "invalid request: duplicate document ID doc:0 at index 1 and 0".into(),
        ),
        // Tool results count too: a request document and a tool result with one id.
        (
            json!({"model": MODEL, "documents": [{"id": "x", "data": {}}], "messages": [user("q"), called(&["a"]),
                {"role": "tool", "tool_call_id": "a", "content": [{"type": "document", "document": {"id": "x", "data": {}}}]}]}),
            400,
            "invalid request: duplicate document ID x at index 1 and 0".into(),
        ),
        // A call answered twice gives its generated document id twice.
        (
            with_messages(json!([user("q"), called(&["a"]), tool(json!("a")), tool(json!("a"))])),
            400,
            "invalid request: duplicate document ID a:0 at index 1 and 0".into(),
        ),
        (
            json!({"messages": [user("q")]}),
            400,
            "a model parameter is required for this endpoint.".into(),
        ),
        (
            json!({"model": " ", "messages": [user("q")]}),
            400,
            "a model parameter is required for this endpoint.".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "temperature": 1.5}),
            400,
            "invalid request: temperature must be between 0 and 1.0 inclusive.".into(),
        ),
        (tool_with(json!("object")), 400, "schema must be an object".into()),
        (
            tool_with(json!({"type": "object", "properties": {"title": {"description": "no type"}}})),
            400,
            "property title must have a type".into(),
        ),
        (
            tool_with(json!({"type": "object", "properties": {}, "required": ["name"]})),
            400,
            "required field name not found in properties".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "connectors": [{"id": "web-search"}]}),
            422,
            "unknown field: parameter 'connectors' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tools": [{"type": "function", "function": {
                "name": "t", "parameters": {}, "requires_confirmation": true}}]}),
            422,
            "unknown field: parameter 'requires_confirmation' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat".into(),
        ),
        // The emulator's words.
        (
            json!({"model": MODEL}),
            400,
            "invalid request: messages must be a non-empty array of messages".into(),
        ),
        (
            json!({"model": MODEL, "messages": []}),
            400,
            "invalid request: messages must be a non-empty array of messages".into(),
        ),
        (
            json!({"model": MODEL, "messages": [{"role": "chatbot", "content": "x"}]}),
            400,
            "invalid request: Invalid role in messages at index 0. Role must be one of the following: user, assistant, system, tool".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tool_choice": "REQUIRED"}),
            400,
            "invalid request: tool_choice REQUIRED needs at least one tool in tools".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "citation_options": {"mode": "LOUD"}}),
            400,
            "invalid request: citation_options.mode must be one of ENABLED, DISABLED, FAST, ACCURATE, OFF".into(),
        ),
        (
            with_messages(json!([user("q"), {"role": "assistant", "tool_calls": [{"id": "a", "type": "function",
                "function": {"name": "search_wiki", "arguments": "{\"query\": "}}]}])),
            400,
            "invalid request: messages[1].tool_calls[0].function.arguments must be a JSON object, as text".into(),
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "stream": "yes"}),
            400,
            "invalid request: stream must be true or false".into(),
        ),
    ]
}

#[tokio::test]
async fn cohere_s_refusals_in_cohere_s_words() {
    let emulator = Emulator::builder().journal(1000).start().await.unwrap();
    let chat = Chat::new(&emulator);
    for (body, status, message) in refusals() {
        for stream in [false, true] {
            let mut body = body.clone();
            body["stream"] = json!(stream);
            if message.contains("stream must be") {
                body["stream"] = json!("yes");
            }
            let answer = chat.send_any(&body).await;
            assert_eq!(answer.status, status, "{body}");
            assert_eq!(
                answer.content_type, "application/json",
                "a refusal is never a stream"
            );
            assert_eq!(answer.refusal(), message, "{body}");
        }
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn malformed_json_is_refused_with_cohere_s_prefix() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    for body in [
        &b"{\"model\": \"m\", "[..],
        b"",
        b"not json",
        b"{\"model\": \"m\"} trailing",
        b"{\"a\": \"\x07\"}",
    ] {
        let answer = chat.send_bytes(body.to_vec()).await;
        assert_eq!(answer.status, 400);
        let message = answer.refusal();
        assert!(message.starts_with("invalid json syntax: "), "{message}");
        assert!(message.contains("line 1 column"), "{message}");
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn no_key_or_a_wrong_one_is_a_401() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let url = format!("{}/v2/chat", emulator.base_url());
    let body = json!({"model": MODEL, "messages": [user("q")]}).to_string();
    let http = reqwest::Client::new();
    let cases = [
        (None, "no api key supplied"),
        (Some("Bearer".to_owned()), "no api key supplied"),
        (Some("Bearer ".to_owned()), "no api key supplied"),
        (Some("Bearer    ".to_owned()), "no api key supplied"),
        (Some("Basic abc".to_owned()), "no api key supplied"),
        (Some("Bearer wrong-key".to_owned()), "invalid api token"),
        (
            Some(format!("Bearer {}x", emulator.api_key())),
            "invalid api token",
        ),
        (
            Some(format!("Bearer {}", &emulator.api_key()[1..])),
            "invalid api token",
        ),
    ];
    for (authorization, message) in cases {
        let mut request = http.post(&url).body(body.clone());
        if let Some(value) = &authorization {
            request = request.header("authorization", value);
        }
        let answer = answer(request.send().await.unwrap()).await;
        assert_eq!(answer.status, 401, "{authorization:?}");
        assert_eq!(answer.refusal(), message);
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn a_body_over_the_chat_s_bound_is_a_413_and_one_at_it_is_served() {
    let emulator = Emulator::builder().journal(10).start().await.unwrap();
    let chat = Chat::new(&emulator);
    let frame = |padding: usize| {
        json!({"model": MODEL, "messages": [user(&"a".repeat(padding))]}).to_string()
    };
    let overhead = frame(0).len();
    let at_bound = frame(MAX_CHAT_BODY_BYTES - overhead);
    assert_eq!(at_bound.len(), MAX_CHAT_BODY_BYTES);
    let served = chat.send_bytes(at_bound).await;
    assert_eq!(served.status, 200);
    // The answer is bounded whatever the question: the echo is cut.
    assert!(served.body.len() < 10_000, "{}", served.body.len());
    let over = chat
        .send_bytes(frame(MAX_CHAT_BODY_BYTES - overhead + 1))
        .await;
    assert_eq!(over.status, 413);
    assert_eq!(
        over.refusal(),
        format!("the request body is larger than {MAX_CHAT_BODY_BYTES} bytes")
    );
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn only_post_on_the_exact_path_is_the_chat() {
    let emulator = Emulator::builder().journal(10).start().await.unwrap();
    let http = reqwest::Client::new();
    let body = json!({"model": MODEL, "messages": [user("q")]}).to_string();
    let cases = [
        (reqwest::Method::GET, "/v2/chat", 405),
        (reqwest::Method::PUT, "/v2/chat", 405),
        (reqwest::Method::POST, "/v2/chat/", 404),
        (reqwest::Method::POST, "//v2/chat", 404),
        (reqwest::Method::POST, "/V2/chat", 404),
        (reqwest::Method::POST, "/v2/chat%2F", 404),
        (reqwest::Method::POST, "/v1/chat", 404),
    ];
    for (method, path, status) in cases {
        let response = http
            .request(method.clone(), format!("{}{path}", emulator.base_url()))
            .bearer_auth(emulator.api_key())
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let answer = answer(response).await;
        assert_eq!(answer.status, status, "{method} {path}");
        answer.refusal();
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn an_empty_or_blank_key_is_refused_when_the_emulator_starts() {
    for blank in ["", " ", "\t "] {
        let error = Emulator::builder()
            .api_key(blank)
            .start()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{blank:?}");
        assert!(error.to_string().contains("empty or blank"), "{error}");
        // Beside a good key too: one blank key is enough to let anyone in.
        let error = Emulator::builder()
            .api_key("good-key")
            .api_key(blank)
            .start()
            .await
            .unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput, "{blank:?}");
    }
}
