//! A model that says what the test scripts, and keeps every request it was sent: for the
//! turns the emulator's model never takes (unknown tools, repeated ids, endless calls).

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::State;
use axum::routing::post;
use cohere_connectors::Client;
use serde_json::{Value, json};

type Script = Arc<dyn Fn(usize, &Value) -> Value + Send + Sync>;

#[derive(Clone)]
struct Shared {
    script: Script,
    requests: Arc<Mutex<Vec<Value>>>,
}

/// A running scripted model.
pub struct ScriptedModel {
    url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl ScriptedModel {
    /// Answers the `n`-th request (from 0) with `script(n, request)`: a `ChatResponseV2`.
    pub async fn start(script: impl Fn(usize, &Value) -> Value + Send + Sync + 'static) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            script: Arc::new(script),
            requests: requests.clone(),
        };
        let app = axum::Router::new()
            .route("/v2/chat", post(answer))
            .with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { url, requests }
    }

    /// A client of it that never retries.
    pub fn client(&self) -> Client {
        Client::builder()
            .api_key("model-key-0123")
            .base_url(&self.url)
            .max_retries(0)
            .build()
            .unwrap()
    }

    /// The request bodies it was sent, in order.
    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer(State(shared): State<Shared>, Json(request): Json<Value>) -> Json<Value> {
    let n = {
        let mut requests = shared.requests.lock().unwrap();
        requests.push(request.clone());
        requests.len() - 1
    };
    Json((shared.script)(n, &request))
}

/// A tool-call turn: `plan` and calls `(id, tool, arguments)`.
pub fn tool_turn(plan: &str, calls: &[(&str, &str, Value)]) -> Value {
    let calls: Vec<Value> = calls
        .iter()
        .map(|(id, name, arguments)| {
            json!({"id": id, "type": "function", "function": {"name": name, "arguments": arguments.to_string()}})
        })
        .collect();
    json!({
        "id": "r-tools", "finish_reason": "TOOL_CALL",
        "message": {"role": "assistant", "tool_plan": plan, "tool_calls": calls}
    })
}

/// An answer citing each id of `cited` over the whole text.
pub fn answer_citing(text: &str, cited: &[&str]) -> Value {
    let sources: Vec<Value> = cited
        .iter()
        .map(|id| json!({"type": "tool", "id": id, "tool_output": {}}))
        .collect();
    let citations = if sources.is_empty() {
        json!([])
    } else {
        json!([{"start": 0, "end": text.chars().count(), "text": text, "sources": sources, "type": "TEXT_CONTENT"}])
    };
    json!({
        "id": "r-answer", "finish_reason": "COMPLETE",
        "message": {"role": "assistant", "content": [{"type": "text", "text": text}], "citations": citations}
    })
}

/// The tool messages of a request, by the call they answer.
pub fn tool_messages(request: &Value) -> Vec<&Value> {
    request["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|message| message["role"] == "tool")
        .collect()
}
