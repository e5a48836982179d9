//! What `client.chat(..)` sends: the exact JSON of each builder field, the headers and the
//! path the connectors client sends, and what is refused before anything is sent.

use std::sync::{Arc, Mutex};

use cohere_connectors::Error;
use cohere_connectors::chat::{
    AssistantMessage, CitationMode, Document, Message, ResponseFormat, SafetyMode, ToolCall,
    ToolChoice, ToolContent, ToolDefinition, ToolDocument, ToolMessage,
};
use httpmock::Method::POST;
use httpmock::MockServer;
use serde_json::{Value, json};

use crate::common::{client, exact_path, exact_query, standard_headers};

/// A minimal answer of Cohere's, for the tests that look at the request.
pub fn plain_answer() -> Value {
    json!({
        "id": "r-1",
        "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": "ok"}]},
    })
}

/// A mock of `POST /v2/chat` that keeps every body it receives.
pub async fn recording(server: &MockServer) -> Arc<Mutex<Vec<Value>>> {
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let kept = bodies.clone();
    server
        .mock_async(move |when, then| {
            let when =
                standard_headers(exact_query(exact_path(when.method(POST), "/v2/chat"), None))
                    .header("content-type", "application/json")
                    .header("accept", "application/json");
            when.is_true(move |request| {
                let body = serde_json::from_slice(request.body_ref()).unwrap_or(Value::Null);
                kept.lock().unwrap().push(body);
                true
            });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(plain_answer());
        })
        .await;
    bodies
}

pub fn search_tool() -> ToolDefinition {
    ToolDefinition::function(
        "search_wiki",
        "Searches the wiki",
        json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
    )
}

/// A conversation with a message of each role: a tool-call turn replayed with its plan and
/// calls, and the tool's answer as a document block and a text block.
pub fn conversation() -> Vec<Message> {
    let call = ToolCall::new("search_wiki_1", "search_wiki", &json!({"query": "tea"}));
    let document =
        ToolDocument::new(json!({"title": "Tea", "text": "Fridays."})).with_id("wiki:tea");
    vec![
        Message::system("Answer from the wiki."),
        Message::user("When is tea?"),
        AssistantMessage::tool_turn("I will search the wiki.", vec![call]).into(),
        ToolMessage::new(
            "search_wiki_1",
            vec![
                ToolContent::document(document),
                ToolContent::text("one result"),
            ],
        )
        .into(),
    ]
}

/// The JSON of [`conversation`], as Cohere's schemas spell it.
pub fn conversation_json() -> Value {
    json!([
        {"role": "system", "content": "Answer from the wiki."},
        {"role": "user", "content": "When is tea?"},
        {"role": "assistant", "tool_plan": "I will search the wiki.", "tool_calls": [
            {"id": "search_wiki_1", "type": "function",
             "function": {"name": "search_wiki", "arguments": "{\"query\":\"tea\"}"}}
        ]},
        {"role": "tool", "tool_call_id": "search_wiki_1", "content": [
            {"type": "document", "document": {"data": {"title": "Tea", "text": "Fridays."}, "id": "wiki:tea"}},
            {"type": "text", "text": "one result"}
        ]}
    ])
}

#[tokio::test]
async fn every_builder_field_is_sent_as_cohere_names_it() {
    let server = MockServer::start_async().await;
    let bodies = recording(&server).await;
    client(&server)
        .chat("command-a-plus-05-2026")
        .messages(conversation())
        .tool(search_tool())
        .strict_tools(true)
        .document("Green tea on Fridays.")
        .document(Document::with_id(
            "policy-7",
            json!({"title": "Policy", "text": "Oolong."}),
        ))
        .citation_mode(CitationMode::Fast)
        .tool_choice(ToolChoice::Required)
        .response_format(ResponseFormat::json_schema(json!({"type": "object"})))
        .safety_mode(SafetyMode::Strict)
        .max_tokens(300)
        .stop_sequences(["END", "STOP"])
        .temperature(0.25)
        .seed(42)
        .frequency_penalty(0.5)
        .presence_penalty(0.75)
        .k(40)
        .p(0.9)
        .send()
        .await
        .unwrap();
    let bodies = bodies.lock().unwrap();
    assert_eq!(
        *bodies,
        [json!({
            "model": "command-a-plus-05-2026",
            "messages": conversation_json(),
            "tools": [{"type": "function", "function": {
                "name": "search_wiki",
                "description": "Searches the wiki",
                "parameters": {"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}
            }}],
            "strict_tools": true,
            "documents": [
                "Green tea on Fridays.",
                {"data": {"title": "Policy", "text": "Oolong."}, "id": "policy-7"}
            ],
            "citation_options": {"mode": "FAST"},
            "tool_choice": "REQUIRED",
            "response_format": {"type": "json_object", "json_schema": {"type": "object"}},
            "safety_mode": "STRICT",
            "max_tokens": 300,
            "stop_sequences": ["END", "STOP"],
            "temperature": 0.25,
            "seed": 42,
            "frequency_penalty": 0.5,
            "presence_penalty": 0.75,
            "k": 40,
            "p": 0.9
        })]
    );
}

#[tokio::test]
async fn a_bare_request_sends_its_model_and_messages_and_nothing_else() {
    let server = MockServer::start_async().await;
    let bodies = recording(&server).await;
    let response = client(&server).chat("m").user("Hi").await.unwrap();
    assert_eq!(response.text(), "ok");
    assert_eq!(
        *bodies.lock().unwrap(),
        [json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}]})]
    );
}

#[tokio::test]
async fn the_other_enum_values_are_sent_as_cohere_spells_them() {
    let server = MockServer::start_async().await;
    let bodies = recording(&server).await;
    let client = client(&server);
    let choices = [
        (
            CitationMode::Enabled,
            ToolChoice::None,
            SafetyMode::Contextual,
            "ENABLED",
            "NONE",
            "CONTEXTUAL",
        ),
        (
            CitationMode::Disabled,
            ToolChoice::None,
            SafetyMode::Off,
            "DISABLED",
            "NONE",
            "OFF",
        ),
        (
            CitationMode::Accurate,
            ToolChoice::Required,
            SafetyMode::Off,
            "ACCURATE",
            "REQUIRED",
            "OFF",
        ),
        (
            CitationMode::Off,
            ToolChoice::Required,
            SafetyMode::Off,
            "OFF",
            "REQUIRED",
            "OFF",
        ),
    ];
    for (mode, choice, safety, ..) in choices {
        client
            .chat("m")
            .user("Hi")
            .citation_mode(mode)
            .tool_choice(choice)
            .safety_mode(safety)
            .response_format(ResponseFormat::Text)
            .send()
            .await
            .unwrap();
    }
    let bodies = bodies.lock().unwrap();
    for (body, (.., mode, choice, safety)) in bodies.iter().zip(choices) {
        assert_eq!(body["citation_options"], json!({"mode": mode}));
        assert_eq!(body["tool_choice"], choice);
        assert_eq!(body["safety_mode"], safety);
        assert_eq!(body["response_format"], json!({"type": "text"}));
    }
}

#[tokio::test]
async fn requests_cohere_would_refuse_are_refused_before_anything_is_sent() {
    let server = MockServer::start_async().await;
    let bodies = recording(&server).await;
    let client = client(&server);
    let bad_tool = ToolDefinition::function("search-wiki", "", json!({"type": "object"}));
    let unanswered_id = Message::tool("not_a_call", vec![ToolContent::text("x")]);
    let twice = || ToolDocument::new(json!({"text": "a"})).with_id("same");
    let attempts = [
        client.chat("m"),
        client.chat(" ").user("Hi"),
        client.chat("m").user("Hi").tool(bad_tool),
        client.chat("m").user("Hi").message(unanswered_id),
        client.chat("m").user("Hi").temperature(f64::NAN),
        client
            .chat("m")
            .user("Hi")
            .document(twice())
            .document(twice()),
    ];
    for (index, attempt) in attempts.into_iter().enumerate() {
        let error = attempt.send().await.unwrap_err();
        assert!(
            matches!(error, Error::InvalidArgument { .. }),
            "{index}: {error:?}"
        );
        assert_eq!(error.operation(), Some(cohere_connectors::Operation::Chat));
    }
    assert!(bodies.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_refused_value_is_quoted_escaped_in_the_error() {
    let server = MockServer::start_async().await;
    let tool = ToolDefinition::function("bad\u{1b}[31mname\u{202e}", "", json!({"type": "object"}));
    let error = client(&server)
        .chat("m")
        .user("Hi")
        .tool(tool)
        .send()
        .await
        .unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{202e}'),
        "{shown}"
    );
}
