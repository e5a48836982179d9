//! A TCP server that plays a script of replies, one per request: for the failures a mock
//! HTTP server cannot produce (silence, a connection cut mid-body, an endless body).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does with one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response with a body (and `Content-Length`).
    Body {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// Reads the request and never answers.
    Silence,
    /// Promises a body of 1000 bytes, sends 10, and closes the connection.
    CutMidBody,
    /// A 200 with `bytes` of junk, declared in `Content-Length` or not.
    Junk { bytes: usize, declared: bool },
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::Body {
            status,
            headers: vec![("content-type", "application/json".into())],
            body: body.to_string(),
        }
    }
}

/// A running scripted server; stops when dropped.
pub struct ScriptedServer {
    pub url: String,
    requests: Arc<AtomicUsize>,
    connections: Arc<AtomicUsize>,
    lines: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl ScriptedServer {
    /// Serves `script` in order; once it runs out, its last reply repeats.
    pub async fn start(script: Vec<Reply>) -> Self {
        assert!(!script.is_empty(), "a script needs at least one reply");
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(AtomicUsize::new(0));
        let connections = Arc::new(AtomicUsize::new(0));
        let lines = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(script);
        let task = tokio::spawn({
            let (requests, connections, lines) =
                (requests.clone(), connections.clone(), lines.clone());
            async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let _ = stream.set_nodelay(true);
                    connections.fetch_add(1, Ordering::SeqCst);
                    tokio::spawn(serve(
                        stream,
                        script.clone(),
                        requests.clone(),
                        lines.clone(),
                    ));
                }
            }
        });
        Self {
            url,
            requests,
            connections,
            lines,
            task,
        }
    }

    /// The request lines received (`GET /v1/connectors?limit=1 HTTP/1.1`), in order.
    pub fn request_lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// The request targets received (`/v1/connectors?limit=1`), in order.
    pub fn targets(&self) -> Vec<String> {
        self.request_lines()
            .iter()
            .map(|line| line.split(' ').nth(1).unwrap_or_default().to_owned())
            .collect()
    }

    /// How many requests arrived.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// How many TCP connections were opened.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for ScriptedServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Arc<Vec<Reply>>,
    requests: Arc<AtomicUsize>,
    lines: Arc<Mutex<Vec<String>>>,
) {
    while let Some(line) = read_request(&mut stream).await {
        lines.lock().unwrap().push(line);
        let index = requests.fetch_add(1, Ordering::SeqCst);
        let reply = &script[index.min(script.len() - 1)];
        if !answer(&mut stream, reply).await {
            return;
        }
    }
}

/// Reads one request (head and `Content-Length` body) and gives its request line; `None`
/// when the client is done.
async fn read_request(stream: &mut TcpStream) -> Option<String> {
    let mut data = Vec::new();
    let mut buffer = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = find(&data, b"\r\n\r\n") {
            break end + 4;
        }
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..read]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let line = head.lines().next().unwrap_or_default().to_owned();
    let head = head.to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or(0);
    while data.len() < head_end + length {
        let read = stream.read(&mut buffer).await.ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&buffer[..read]);
    }
    Some(line)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Writes the reply; whether the connection can serve another request.
async fn answer(stream: &mut TcpStream, reply: &Reply) -> bool {
    match reply {
        Reply::Body {
            status,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} Scripted\r\ncontent-length: {}\r\n",
                body.len()
            );
            for (name, value) in headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str("\r\n");
            // One write: a head and a body in two small writes would wait out Nagle and
            // delayed ACKs (40 ms a request).
            head.push_str(body);
            stream.write_all(head.as_bytes()).await.is_ok()
        }
        Reply::Silence => {
            std::future::pending::<()>().await;
            false
        }
        Reply::CutMidBody => {
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{\"connecto")
                .await;
            let _ = stream.shutdown().await;
            false
        }
        Reply::Junk { bytes, declared } => {
            let head = if *declared {
                format!("HTTP/1.1 200 OK\r\ncontent-length: {bytes}\r\n\r\n")
            } else {
                "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n".to_owned()
            };
            if stream.write_all(head.as_bytes()).await.is_err() {
                return false;
            }
            let chunk = vec![b'#'; 64 * 1024];
            let mut sent = 0;
            while sent < *bytes {
                let size = chunk.len().min(bytes - sent);
                if stream.write_all(&chunk[..size]).await.is_err() {
                    break;
                }
                sent += size;
            }
            let _ = stream.shutdown().await;
            false
        }
    }
}
