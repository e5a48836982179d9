//! `/v2/chat` as a careless or hostile client would try it (`shared/checklists/hostile.md`,
//! an HTTP server we ship): bodies declared huge or never finished, not UTF-8, nested without
//! end, of the wrong shape, with duplicate keys; unknown roles, garbled tool arguments, ten
//! thousand documents. Each is answered, in bounded time and size, and the emulator serves on.

use std::time::Duration;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::assert_conforms;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::chat_client::{Chat, REQUEST_SCHEMA, citations_hold, conforms, search_tool, user};

const MODEL: &str = "command-a-03-2025";

fn address(emulator: &Emulator) -> String {
    emulator.base_url().trim_start_matches("http://").to_owned()
}

/// Writes `head` (and nothing more) and reads what comes back within `wait`.
async fn raw(emulator: &Emulator, head: String, wait: Duration) -> String {
    let mut stream = TcpStream::connect(address(emulator)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let read = tokio::time::timeout(wait, stream.read(&mut answer))
        .await
        .expect("an answer in time")
        .unwrap();
    String::from_utf8_lossy(&answer[..read]).into_owned()
}

/// Refused at once, not after waiting for a body it will refuse (the connector routes too).
#[tokio::test]
async fn a_body_declared_huge_is_refused_before_it_is_sent() {
    let emulator = Emulator::builder().journal(10).start().await.unwrap();
    for (path, length) in [
        ("/v2/chat", 1_000_000_000_000_u64),
        ("/v2/chat", 8 * 1024 * 1024 + 1),
        ("/v1/connectors", 1024 * 1024 + 1),
    ] {
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{",
            emulator.api_key()
        );
        let answer = raw(&emulator, head, Duration::from_secs(5)).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{path} {answer}");
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn a_chunked_body_that_never_ends_gets_a_408() {
    let emulator = Emulator::builder()
        .request_timeout(Duration::from_millis(200))
        .journal(10)
        .start()
        .await
        .unwrap();
    let head = format!(
        "POST /v2/chat HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{{\"mod\r\n",
        emulator.api_key()
    );
    let answer = raw(&emulator, head, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn bytes_that_are_not_utf8_or_nest_without_end_are_invalid_json() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    let mut bodies: Vec<Vec<u8>> = vec![
        b"{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"\xff\xfe\"}]}"
            .to_vec(),
        b"\xef\xbb\xbf{}".to_vec(),
        b"{\"model\": \"m\xc3\"}".to_vec(),
        "{\"model\": \"\\ud800\"}".as_bytes().to_vec(),
    ];
    bodies.push(vec![b'['; 1_000_000]);
    let mut nested = String::from(r#"{"model": "m", "messages": [{"role": "user", "content": "#);
    nested.push_str(&"[".repeat(200_000));
    bodies.push(nested.into_bytes());
    for body in bodies {
        let answer = chat.send_bytes(body).await;
        assert_eq!(answer.status, 400);
        let message = answer.refusal();
        assert!(message.starts_with("invalid json syntax: "), "{message}");
        assert!(message.len() < 200, "{message}");
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn nesting_within_bounds_is_read_and_quoted_as_json() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let mut deep = json!("bottom");
    for _ in 0..100 {
        deep = json!({"down": deep});
    }
    let body =
        json!({"model": MODEL, "messages": [user("q")], "documents": [{"data": {"deep": deep}}]});
    let response = chat.chat(&body).await;
    assert_eq!(citations_hold(&response, &["doc:0".into()]), 1);
    let source = &response["message"]["citations"][0]["sources"][0]["document"];
    let written = source["deep"].as_str().unwrap();
    assert!(serde_json::from_str::<Value>(written).unwrap()["down"]["down"].is_object());
}

#[tokio::test]
async fn the_wrong_shapes_are_refused_by_path_without_their_values() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    let secret = "sk-MISPLACED-0123456789";
    let calls = |call: Value| json!([user("q"), {"role": "assistant", "tool_calls": [call]}]);
    let call = |arguments: Value| {
        json!({"id": "a", "type": "function",
        "function": {"name": "search_wiki", "arguments": arguments}})
    };
    let cases = [
        (
            json!([{"model": MODEL}]),
            "invalid request: the request body must be a JSON object",
        ),
        (
            json!(secret),
            "invalid request: the request body must be a JSON object",
        ),
        (
            json!({"model": MODEL, "messages": {"role": "user"}}),
            "invalid request: messages must be a non-empty array of messages",
        ),
        (
            json!({"model": MODEL, "messages": [[user(secret)]]}),
            "invalid request: messages[0] must be an object",
        ),
        (
            json!({"model": MODEL, "messages": [{"role": "user", "content": {"text": secret}}]}),
            "invalid request: messages[0].content must be a string or an array of content blocks",
        ),
        (
            json!({"model": MODEL, "messages": [{"role": "user", "content": [[secret]]}]}),
            "invalid request: messages[0].content[0] must be a content block",
        ),
        (
            json!({"model": MODEL, "messages": [{"role": "user", "content": [{"type": secret}]}]}),
            "invalid request: messages[0].content[0].type must be one of text, image_url",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tools": {"type": "function"}}),
            "invalid request: tools must be an array of tools",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tools": [[secret]]}),
            "invalid request: tools[0] must be an object",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tools": [{"type": "function", "function": [secret]}]}),
            "invalid request: tools[0].function must be an object",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "documents": {"data": {}}}),
            "invalid request: documents must be an array of documents",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "documents": [[secret]]}),
            "invalid request: documents[0] must be a string or a document",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "documents": [{"data": [secret]}]}),
            "invalid request: documents[0].data must be an object",
        ),
        (
            json!({"model": MODEL, "messages": calls(json!([secret]))}),
            "invalid request: messages[1].tool_calls[0] must be an object",
        ),
        (
            json!({"model": MODEL, "messages": [user("q"), {"role": "assistant", "tool_calls": {"id": secret}}]}),
            "invalid request: messages[1].tool_calls must be an array of tool calls",
        ),
        (
            json!({"model": MODEL, "messages": calls(call(json!({"query": secret})))}),
            "invalid request: messages[1].tool_calls[0].function.arguments must be a string",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "max_tokens": secret}),
            "invalid request: max_tokens must be a whole number of at least 0",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "max_tokens": -1}),
            "invalid request: max_tokens must be a whole number of at least 0",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "stop_sequences": [secret, 1]}),
            "invalid request: stop_sequences must be an array of strings",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "citation_options": [secret]}),
            "invalid request: citation_options must be an object",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "tool_choice": secret}),
            "invalid request: tool_choice must be REQUIRED or NONE",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], secret: 1}),
            "unknown field: parameter 'sk-MISPLACED-0123456789' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat",
        ),
        (
            json!({"model": MODEL, "messages": [user("q")], "bad key\u{202e}": 1}),
            "unknown field: parameter '?' is not a valid field. For proper usage, please refer to https://docs.cohere.com/reference/chat",
        ),
    ];
    for (body, message) in cases {
        let answer = chat.send_any(&body).await;
        assert!(matches!(answer.status, 400 | 422), "{body}");
        let refusal = answer.refusal();
        assert_eq!(refusal, message, "{body}");
        // Field names are quoted as Cohere quotes them; values never are.
        if !message.starts_with("unknown field") {
            assert!(!refusal.contains(secret), "{refusal}");
        }
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn unknown_roles_are_refused() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    for role in [
        json!("developer"),
        json!("USER"),
        json!(""),
        json!(5),
        json!(null),
        json!(["user"]),
    ] {
        let body = json!({"model": MODEL, "messages": [user("q"), {"role": role, "content": "x"}]});
        let answer = chat.send_any(&body).await;
        assert_eq!(answer.status, 400);
        assert_eq!(
            answer.refusal(),
            "invalid request: Invalid role in messages at index 1. Role must be one of the following: user, assistant, system, tool"
        );
    }
    let body = json!({"model": MODEL, "messages": [{"content": "no role"}]});
    assert_eq!(chat.send_any(&body).await.status, 400);
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn tool_arguments_that_are_not_a_json_object_are_refused() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let chat = Chat::new(&emulator);
    for arguments in [
        "",
        "not json",
        "[1, 2]",
        "\"text\"",
        "{\"query\": ",
        "null",
        "{\"a\":1}}",
    ] {
        let body = json!({"model": MODEL, "messages": [user("q"), {"role": "assistant", "tool_calls": [
            {"id": "a", "type": "function", "function": {"name": "search_wiki", "arguments": arguments}}]}]});
        let answer = chat.send(&body).await;
        assert_eq!(answer.status, 400, "{arguments}");
        assert_eq!(
            answer.refusal(),
            "invalid request: messages[1].tool_calls[0].function.arguments must be a JSON object, as text"
        );
    }
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn ten_thousand_documents_get_a_bounded_answer() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let documents: Vec<Value> = (0..10_000)
        .map(|n| json!({"id": format!("d{n}"), "data": {"title": format!("Doc {n}"), "text": "x".repeat(200)}}))
        .collect();
    let ids: Vec<String> = (0..10_000).map(|n| format!("d{n}")).collect();
    let body = json!({"model": MODEL, "messages": [user("q")], "documents": documents});
    conforms(REQUEST_SCHEMA, &body);
    let chat = chat.unchecked();
    let response = chat.chat(&body).await;
    assert_eq!(citations_hold(&response, &ids), 50);
    assert!(response.to_string().len() < 100_000);
    let events = chat.stream(&body).await;
    assert!(events.len() < 2_000, "{}", events.len());
    // Ten thousand tools: the calls are bounded too.
    let tools: Vec<Value> = (0..10_000).map(|n| search_tool(&format!("t{n}"))).collect();
    let calls = chat
        .chat(&json!({"model": MODEL, "messages": [user("q")], "tools": tools}))
        .await;
    assert_eq!(calls["message"]["tool_calls"].as_array().unwrap().len(), 32);
}

#[tokio::test]
async fn the_last_of_duplicate_keys_counts() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let valid = r#"{"model": "m", "messages": [{"role": "user", "content": "q"}]"#;
    let streamed_then_not = format!(r#"{valid}, "stream": true, "stream": false}}"#);
    let answer = chat.send_bytes(streamed_then_not).await;
    assert_eq!(
        (answer.status, answer.content_type.as_str()),
        (200, "application/json")
    );
    let not_then_streamed = format!(r#"{valid}, "stream": false, "stream": true}}"#);
    let answer = chat.send_bytes(not_then_streamed).await;
    assert_eq!(
        (answer.status, answer.content_type.as_str()),
        (200, "text/event-stream")
    );
    let bad_then_good = r#"{"model": 5, "model": "m", "messages": [], "messages": [{"role": "user", "content": "q"}]}"#;
    assert_eq!(chat.send_bytes(bad_then_good).await.status, 200);
    let good_then_bad =
        r#"{"model": "m", "model": 5, "messages": [{"role": "user", "content": "q"}]}"#;
    assert_eq!(chat.send_bytes(good_then_bad).await.status, 400);
}

/// The body is read as JSON whatever its declared type, as the connector routes read theirs.
#[tokio::test]
async fn the_content_type_is_not_what_decides() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let body = json!({"model": MODEL, "messages": [user("q")]}).to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", ""] {
        let response = chat
            .request()
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{content_type}");
    }
}

#[tokio::test]
async fn a_long_tool_name_is_quoted_cut() {
    let emulator = Emulator::start().await.unwrap();
    let chat = Chat::new(&emulator);
    let name = format!("9{}", "x".repeat(100_000));
    let answer = chat
        .send(&json!({"model": MODEL, "messages": [user("q")], "tools": [search_tool(&name)]}))
        .await;
    assert_eq!(answer.status, 400);
    let message = answer.refusal();
    assert!(message.len() < 400, "{}", message.len());
    assert!(message.ends_with("…').") && message.contains("(provided name: '9xxx"));
}
