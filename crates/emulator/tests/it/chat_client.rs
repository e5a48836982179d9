//! What the chat tests share: a raw client for `POST /v2/chat` (the emulator's JSON, not any
//! SDK's types), an SSE parser written from the WHATWG rules, the assembly of a stream's
//! events into a response, and the checks against Cohere's own schemas.

use std::time::Duration;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::upstream;
use serde_json::{Value, json};

pub const REQUEST_SCHEMA: &str =
    "/paths/~1v2~1chat/post/requestBody/content/application~1json/schema";
pub const RESPONSE_SCHEMA: &str = "/components/schemas/ChatResponseV2";
pub const ERROR_SCHEMA: &str = "/components/responses/BadRequest/content/application~1json/schema";
pub const UNAUTHORIZED_SCHEMA: &str =
    "/components/responses/Unauthorized/content/application~1json/schema";

/// The schema the stream's discriminator maps each event type to (the `oneOf` itself accepts
/// any object with a valid `type`).
fn event_schema(kind: &str) -> String {
    let name = match kind {
        "message-start" => "ChatMessageStartEvent",
        "content-start" => "ChatContentStartEvent",
        "content-delta" => "ChatContentDeltaEvent",
        "content-end" => "ChatContentEndEvent",
        "tool-plan-delta" => "ChatToolPlanDeltaEvent",
        "tool-call-start" => "ChatToolCallStartEvent",
        "tool-call-delta" => "ChatToolCallDeltaEvent",
        "tool-call-end" => "ChatToolCallEndEvent",
        "citation-start" => "CitationStartEvent",
        "citation-end" => "CitationEndEvent",
        "message-end" => "ChatMessageEndEvent",
        other => panic!("an event type Cohere does not stream: {other}"),
    };
    format!("/components/schemas/{name}")
}

/// Checks `value` against Cohere's schema at `pointer` (nothing without the upstream file).
///
/// A citation's `sources` are a `oneOf` of two schemas that both accept any object (only
/// OpenAPI's discriminator, `type`, tells them apart), so each source is checked against the
/// schema its `type` maps to, and the rest of `value` without them.
pub fn conforms(pointer: &str, value: &Value) {
    let Some(upstream) = upstream() else { return };
    let mut rest = value.clone();
    for source in take_sources(&mut rest) {
        let schema = match source["type"].as_str() {
            Some("tool") => "/components/schemas/ChatToolSource",
            Some("document") => "/components/schemas/ChatDocumentSource",
            _ => panic!("a source of no known type: {source}"),
        };
        if let Err(error) = upstream.check(schema, &source) {
            panic!("{error}\n{source:#}");
        }
    }
    if let Err(error) = upstream.check(pointer, &rest) {
        panic!("{error}\n{value:#}");
    }
}

/// Empties every `sources` array under `value`, returning what they held.
fn take_sources(value: &mut Value) -> Vec<Value> {
    match value {
        Value::Object(object) => {
            let mut taken = match object.get_mut("sources") {
                Some(Value::Array(sources)) => std::mem::take(sources),
                _ => Vec::new(),
            };
            for child in object.values_mut() {
                taken.extend(take_sources(child));
            }
            taken
        }
        Value::Array(items) => items.iter_mut().flat_map(take_sources).collect(),
        _ => Vec::new(),
    }
}

pub fn conforms_event(event: &Value) {
    let kind = event["type"].as_str().expect("an event has a type");
    conforms(&event_schema(kind), event);
}

/// A tool with one required string parameter, as the connectors' toolbox writes them.
pub fn search_tool(name: &str) -> Value {
    json!({
        "type": "function",
        "function": {
            "name": name,
            "description": "Searches a connector.",
            "parameters": {
                "type": "object",
                "properties": {"query": {"type": "string", "description": "what to look for"}},
                "required": ["query"],
            },
        },
    })
}

pub fn user(text: &str) -> Value {
    json!({"role": "user", "content": text})
}

/// A raw client of the emulator's `/v2/chat`.
pub struct Chat {
    url: String,
    key: String,
    http: reqwest::Client,
    check_requests: bool,
}

/// An answer: status, content type and body.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    /// The refusal's message, after checking the body against Cohere's error schema.
    pub fn refusal(&self) -> String {
        let body = self.json();
        let schema = if self.status == 401 {
            UNAUTHORIZED_SCHEMA
        } else {
            ERROR_SCHEMA
        };
        conforms(schema, &body);
        assert!(
            body["id"].as_str().is_some_and(|id| !id.is_empty()),
            "{body}"
        );
        body["message"].as_str().expect("a message").to_owned()
    }
}

impl Chat {
    pub fn new(emulator: &Emulator) -> Self {
        Self {
            url: format!("{}/v2/chat", emulator.base_url()),
            key: emulator.api_key().to_owned(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            check_requests: true,
        }
    }

    /// A client that does not check its requests against Cohere's schema (for huge ones,
    /// checked once by the test).
    pub fn unchecked(mut self) -> Self {
        self.check_requests = false;
        self
    }

    pub fn request(&self) -> reqwest::RequestBuilder {
        self.http
            .post(&self.url)
            .bearer_auth(&self.key)
            .header("content-type", "application/json")
    }

    pub async fn send_bytes(&self, body: impl Into<reqwest::Body>) -> Answer {
        let response = self.request().body(body).send().await.unwrap();
        answer(response).await
    }

    /// Posts a request Cohere's schema accepts (checked first).
    pub async fn send(&self, body: &Value) -> Answer {
        if self.check_requests {
            conforms(REQUEST_SCHEMA, body);
        }
        self.send_bytes(body.to_string()).await
    }

    /// Posts a request that may break Cohere's schema on purpose.
    pub async fn send_any(&self, body: &Value) -> Answer {
        self.send_bytes(body.to_string()).await
    }

    /// The non-streamed response, checked against `ChatResponseV2`.
    pub async fn chat(&self, body: &Value) -> Value {
        let answer = self.send(body).await;
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.content_type, "application/json");
        let response = answer.json();
        conforms(RESPONSE_SCHEMA, &response);
        response
    }

    /// The same request streamed: its events, each checked against its event schema, after
    /// checking the framing (`event:` named as the data's type, one JSON line of `data:`, and
    /// `[DONE]` last).
    pub async fn stream(&self, body: &Value) -> Vec<Value> {
        let mut body = body.clone();
        body["stream"] = json!(true);
        let answer = self.send(&body).await;
        assert_eq!(
            answer.status,
            200,
            "{}",
            String::from_utf8_lossy(&answer.body)
        );
        assert_eq!(answer.content_type, "text/event-stream");
        let text = String::from_utf8(answer.body).expect("a stream is UTF-8");
        let mut frames = parse_sse(&text);
        let done = frames.pop().expect("a stream has frames");
        assert_eq!(
            done,
            Frame {
                event: None,
                data: "[DONE]".into()
            },
            "{text}"
        );
        let events: Vec<Value> = frames
            .into_iter()
            .map(|frame| {
                assert!(!frame.data.contains('\n'), "one line of data: {frame:?}");
                let event: Value = serde_json::from_str(&frame.data).unwrap();
                assert_eq!(frame.event.as_deref(), event["type"].as_str(), "{frame:?}");
                conforms_event(&event);
                event
            })
            .collect();
        assert_eq!(events.last().unwrap()["type"], "message-end");
        events
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap().to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

/// One server-sent event: its `event` field and its `data` lines joined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub event: Option<String>,
    pub data: String,
}

/// Server-sent events as the WHATWG specification reads them: lines end with `\n`, `\r\n`
/// or `\r`; a blank line dispatches; `field: value` with one optional space; comments
/// ignored. A frame left without its blank line at the end is not dispatched.
pub fn parse_sse(text: &str) -> Vec<Frame> {
    let mut frames = Vec::new();
    let mut event = None;
    let mut data: Option<String> = None;
    for line in text.split_inclusive(['\n', '\r']) {
        let line = line.trim_end_matches(['\n', '\r']);
        if line.is_empty() {
            if let Some(data) = data.take() {
                frames.push(Frame {
                    event: event.take(),
                    data,
                });
            }
            event = None;
            continue;
        }
        if line.starts_with(':') {
            continue;
        }
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => event = Some(value.to_owned()),
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    frames
}

/// A stream's events put together into the response they stand for, by Cohere's rules for
/// each event type.
pub fn assemble(events: &[Value]) -> Value {
    let mut id = Value::Null;
    let mut plan: Option<String> = None;
    let mut calls: Vec<Value> = Vec::new();
    let mut content: Vec<Value> = Vec::new();
    let mut citations: Vec<Value> = Vec::new();
    let mut end = Value::Null;
    for event in events {
        let delta = &event["delta"]["message"];
        let index = event["index"].as_u64().map(|index| index as usize);
        match event["type"].as_str().unwrap() {
            "message-start" => id = event["id"].clone(),
            "tool-plan-delta" => plan
                .get_or_insert_default()
                .push_str(delta["tool_plan"].as_str().unwrap()),
            "tool-call-start" => {
                assert_eq!(index, Some(calls.len()), "calls start in order");
                calls.push(delta["tool_calls"].clone());
            }
            "tool-call-delta" => {
                let call = &mut calls[index.unwrap()]["function"]["arguments"];
                let more = delta["tool_calls"]["function"]["arguments"]
                    .as_str()
                    .unwrap();
                *call = json!(format!("{}{more}", call.as_str().unwrap()));
            }
            "content-start" => {
                assert_eq!(index, Some(content.len()), "content starts in order");
                content.push(delta["content"].clone());
            }
            "content-delta" => {
                let text = &mut content[index.unwrap()]["text"];
                let more = delta["content"]["text"].as_str().unwrap();
                *text = json!(format!("{}{more}", text.as_str().unwrap()));
            }
            "citation-start" => {
                assert_eq!(index, Some(citations.len()), "citations start in order");
                citations.push(delta["citations"].clone());
            }
            "message-end" => end = event["delta"].clone(),
            "content-end" | "tool-call-end" | "citation-end" => {}
            other => panic!("unexpected event {other}"),
        }
    }
    let mut message = json!({"role": "assistant"});
    if let Some(plan) = plan {
        message["tool_plan"] = json!(plan);
    }
    for (key, items) in [
        ("tool_calls", calls),
        ("content", content),
        ("citations", citations),
    ] {
        if !items.is_empty() {
            message[key] = Value::Array(items);
        }
    }
    json!({
        "id": id,
        "finish_reason": end["finish_reason"],
        "message": message,
        "usage": end["usage"],
    })
}

/// The response without its `id`, which differs from one response to the next.
pub fn without_id(response: &Value) -> Value {
    let mut response = response.clone();
    response.as_object_mut().unwrap().remove("id");
    response
}

/// The text `[start, end)` of `text`, counting Unicode code points.
pub fn span(text: &str, start: usize, end: usize) -> String {
    text.chars()
        .skip(start)
        .take(end.saturating_sub(start))
        .collect()
}

/// Checks that every citation of `response` quotes its text exactly and names a source
/// among `ids`; the number of citations.
pub fn citations_hold(response: &Value, ids: &[String]) -> usize {
    let text = response["message"]["content"][0]["text"]
        .as_str()
        .unwrap_or_default();
    let citations = response["message"]["citations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for citation in &citations {
        let (start, end) = (
            citation["start"].as_u64().unwrap() as usize,
            citation["end"].as_u64().unwrap() as usize,
        );
        assert!(start < end && end <= text.chars().count(), "{citation}");
        assert_eq!(span(text, start, end), citation["text"].as_str().unwrap());
        for source in citation["sources"].as_array().unwrap() {
            let id = source["id"].as_str().unwrap();
            assert!(
                ids.iter().any(|given| given == id),
                "{id} not among {ids:?}"
            );
        }
    }
    citations.len()
}
