//! A TCP server that answers every request with one scripted server-sent-events body, for
//! the streams the emulator does not play: a frame cut in the middle, `[DONE]` too early,
//! bytes dribbled, comments without end, unknown event types.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// One step of a scripted body.
#[derive(Clone, Debug)]
pub enum Step {
    /// Sends these bytes as one chunk.
    Send(String),
    /// Sends these bytes one at a time, `every` apart.
    Dribble(String, Duration),
    /// Sends this chunk again and again, for as long as the client reads.
    Flood(String),
    /// Sends nothing more, keeping the connection open.
    Hold,
}

/// A running server; stops when dropped.
pub struct SseServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl SseServer {
    /// Answers each request with a 200 `text/event-stream` of `steps`, then a clean end of
    /// the chunked body (unless a step never ends).
    pub async fn start(steps: Vec<Step>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let steps = Arc::new(steps);
        let task = tokio::spawn({
            let requests = requests.clone();
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    requests.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(serve(stream, steps.clone()));
                }
            }
        });
        Self {
            url,
            requests,
            task,
        }
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

impl Drop for SseServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, steps: Arc<Vec<Step>>) {
    if read_request(&mut stream).await.is_none() {
        return;
    }
    let head =
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    for step in steps.iter() {
        let sent = match step {
            Step::Send(bytes) => chunk(&mut stream, bytes.as_bytes()).await,
            Step::Dribble(bytes, every) => {
                let mut sent = true;
                for byte in bytes.as_bytes() {
                    tokio::time::sleep(*every).await;
                    if !chunk(&mut stream, std::slice::from_ref(byte)).await {
                        sent = false;
                        break;
                    }
                }
                sent
            }
            Step::Flood(bytes) => {
                while chunk(&mut stream, bytes.as_bytes()).await {}
                false
            }
            Step::Hold => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                false
            }
        };
        if !sent {
            return;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let _ = stream.flush().await;
}

async fn chunk(stream: &mut TcpStream, bytes: &[u8]) -> bool {
    let mut framed = format!("{:x}\r\n", bytes.len()).into_bytes();
    framed.extend_from_slice(bytes);
    framed.extend_from_slice(b"\r\n");
    stream.write_all(&framed).await.is_ok() && stream.flush().await.is_ok()
}

/// Reads a request's head and its `Content-Length` body.
async fn read_request(stream: &mut TcpStream) -> Option<()> {
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    let head_end = loop {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        received.extend_from_slice(&buffer[..read]);
        if let Some(at) = received.windows(4).position(|window| window == b"\r\n\r\n") {
            break at + 4;
        }
    };
    let head = String::from_utf8_lossy(&received[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while received.len() < head_end + length {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        received.extend_from_slice(&buffer[..read]);
    }
    Some(())
}

/// One frame as Cohere writes it: `event: <type>` and one line of JSON data.
pub fn frame(data: &serde_json::Value) -> String {
    let kind = data["type"].as_str().unwrap_or("message");
    format!("event: {kind}\ndata: {data}\n\n")
}

/// The frames of a complete answer, "Hi there", split in two deltas.
pub fn answer_frames() -> Vec<String> {
    use serde_json::json;
    [
        json!({"type": "message-start", "id": "r-1", "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "", "tool_calls": [], "citations": []}}}),
        json!({"type": "content-start", "index": 0, "delta": {"message": {"content": {"type": "text", "text": ""}}}}),
        json!({"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": "Hi"}}}}),
        json!({"type": "content-delta", "index": 0, "delta": {"message": {"content": {"text": " there"}}}}),
        json!({"type": "content-end", "index": 0}),
        json!({"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": {"billed_units": {"input_tokens": 1, "output_tokens": 2}, "tokens": {"input_tokens": 1, "output_tokens": 2}}}}),
    ]
    .iter()
    .map(frame)
    .collect()
}
