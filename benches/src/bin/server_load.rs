//! Requests per second and peak memory of the project's other servers under load, measured as
//! `emulator_load` measures the emulator's connector routes: the server in a process of its
//! own, REQUESTS requests from 64 tasks of this process on one shared `reqwest::Client`, and
//! the server's resident memory before and after (`VmRSS`) and at its peak (`VmHWM`, Linux).
//!
//! ```sh
//! cargo build --release -p cohere-connectors-emulator --features cli --bin cohere-connectors-emulator
//! cargo build --release -p cohere-connectors-benches --bins
//! target/release/server_load chat target/release/cohere-connectors-emulator   # POST /v2/chat
//! target/release/server_load chat-stream target/release/cohere-connectors-emulator
//! target/release/server_load search        # the kit's POST /search (kit_server)
//! target/release/server_load mcp           # the kit's POST /mcp, a tools/call
//! ```
//!
//! A third argument sets the number of requests (20,000 unless given).
#![forbid(unsafe_code)]

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

const TASKS: usize = 64;
const DEFAULT_REQUESTS: usize = 20_000;
/// The service token `kit_server` accepts.
const KIT_TOKEN: &str = "kit-load-token-0123456789";
const EMULATOR_KEY: &str = "load";

/// The server, killed when this ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What is measured.
#[derive(Clone, Copy, PartialEq)]
enum Route {
    Chat,
    ChatStream,
    Search,
    Mcp,
}

impl Route {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "chat" => Some(Self::Chat),
            "chat-stream" => Some(Self::ChatStream),
            "search" => Some(Self::Search),
            "mcp" => Some(Self::Mcp),
            _ => None,
        }
    }

    /// The request, ready to send.
    fn request(self, http: &reqwest::Client, base: &str, n: usize) -> reqwest::RequestBuilder {
        let question = format!("What does the handbook say about holidays, question {n}?");
        match self {
            Self::Chat | Self::ChatStream => http
                .post(format!("{base}/v2/chat"))
                .bearer_auth(EMULATOR_KEY)
                .json(&json!({
                    "model": "command-a-03-2025",
                    "stream": self == Self::ChatStream,
                    "messages": [{"role": "user", "content": question}],
                })),
            Self::Search => http
                .post(format!("{base}/search"))
                .bearer_auth(KIT_TOKEN)
                .json(&json!({"query": question})),
            Self::Mcp => http
                .post(format!("{base}/mcp"))
                .bearer_auth(KIT_TOKEN)
                .header("accept", "application/json, text/event-stream")
                .header("mcp-protocol-version", "2026-07-28")
                .header("mcp-method", "tools/call")
                .header("mcp-name", "search")
                .json(&json!({
                    "jsonrpc": "2.0", "id": n, "method": "tools/call",
                    "params": {
                        "name": "search", "arguments": {"query": question},
                        "_meta": {
                            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                            "io.modelcontextprotocol/clientInfo": {"name": "server_load", "version": "1"},
                            "io.modelcontextprotocol/clientCapabilities": {}
                        }
                    }
                })),
        }
    }

    /// Whether `body` is a real answer (not an error the server answered 200 with).
    fn answered(self, body: &[u8]) -> bool {
        let text = String::from_utf8_lossy(body);
        match self {
            Self::Chat => text.contains("\"finish_reason\""),
            Self::ChatStream => text.contains("message-end"),
            Self::Search => text.contains("\"results\""),
            Self::Mcp => text.contains("\"result\"") && !text.contains("\"isError\":true"),
        }
    }
}

fn memory_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with(field))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Starts the server for `route`: the emulator binary given, or `kit_server` beside this one.
fn start(route: Route, binary: Option<String>) -> (Server, String) {
    match route {
        Route::Chat | Route::ChatStream => {
            let binary =
                binary.unwrap_or_else(|| "target/release/cohere-connectors-emulator".into());
            let port = 20_000 + (std::process::id() % 20_000) as u16;
            let addr = format!("127.0.0.1:{port}");
            let child = Command::new(&binary)
                .args(["--addr", &addr, "--api-key", EMULATOR_KEY, "--quiet"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
            (Server(child), format!("http://{addr}"))
        }
        Route::Search | Route::Mcp => {
            let binary = binary.unwrap_or_else(|| {
                let exe = std::env::current_exe().expect("this program's path");
                exe.with_file_name("kit_server").display().to_string()
            });
            let mut child = Command::new(&binary)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
            let mut line = String::new();
            std::io::BufReader::new(child.stdout.take().expect("its stdout"))
                .read_line(&mut line)
                .expect("it prints its address");
            (Server(child), line.trim().to_owned())
        }
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let route = args
        .next()
        .as_deref()
        .and_then(Route::parse)
        .expect("the first argument: chat, chat-stream, search or mcp");
    let binary = args.next().filter(|binary| binary != "-");
    let requests: usize = args
        .next()
        .and_then(|count| count.parse().ok())
        .unwrap_or(DEFAULT_REQUESTS);
    let (server, base) = start(route, binary);
    let pid = server.0.id();
    let http = reqwest::Client::new();
    // Wait until it answers, then once more for good measure.
    let mut ready = false;
    for _ in 0..200 {
        if let Ok(response) = route.request(&http, &base, 0).send().await {
            let ok = response.status().is_success();
            let body = response.bytes().await.unwrap_or_default();
            assert!(
                ok && route.answered(&body),
                "the server's answer: {}",
                String::from_utf8_lossy(&body)
            );
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(ready, "the server at {base} never answered");
    let rss_before = memory_kib(pid, "VmRSS:");
    let next = Arc::new(AtomicUsize::new(1));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (http, base, next, failures) =
                (http.clone(), base.clone(), next.clone(), failures.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n > requests {
                        break;
                    }
                    let ok = match route.request(&http, &base, n).send().await {
                        Ok(response) => {
                            let ok = response.status().is_success();
                            let body = response.bytes().await.unwrap_or_default();
                            ok && route.answered(&body)
                        }
                        Err(_) => false,
                    };
                    if !ok {
                        failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let elapsed = started.elapsed();
    let name = match route {
        Route::Chat => "POST /v2/chat",
        Route::ChatStream => "POST /v2/chat (stream: true)",
        Route::Search => "POST /search",
        Route::Mcp => "POST /mcp (tools/call)",
    };
    println!(
        "{name}: {requests} requests from {TASKS} tasks: {:.0} requests/s, {} failed",
        requests as f64 / elapsed.as_secs_f64(),
        failures.load(Ordering::Relaxed)
    );
    println!(
        "server memory: VmRSS before {rss_before} KiB, after {} KiB; peak (VmHWM) {} KiB",
        memory_kib(pid, "VmRSS:"),
        memory_kib(pid, "VmHWM:")
    );
    assert_eq!(
        failures.load(Ordering::Relaxed),
        0,
        "every request is answered"
    );
}
