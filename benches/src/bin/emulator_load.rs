//! Requests per second and memory of the emulator binary under load, from another process:
//!
//! ```sh
//! cargo build --release -p cohere-connectors-emulator --features cli --bin cohere-connectors-emulator
//! cargo run --release -p cohere-connectors-benches --bin emulator_load -- target/release/cohere-connectors-emulator
//! ```
//!
//! Starts the emulator with 50,000 connectors, sends 100,000 requests from 64 tasks (a mix of
//! `get`, `list(limit=100)` at varied offsets, and create + delete), and prints requests per
//! second and the emulator's resident memory before and after (`VmRSS`, `VmHWM`, Linux).
#![forbid(unsafe_code)]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

const CONNECTORS: usize = 50_000;
const REQUESTS: usize = 100_000;
const TASKS: usize = 64;

struct Emulator(Child);

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|line| line.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[tokio::main]
async fn main() {
    let binary = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "target/release/cohere-connectors-emulator".into());
    let port = 20_000 + (std::process::id() % 20_000) as u16;
    let addr = format!("127.0.0.1:{port}");
    let child = Command::new(&binary)
        .args(["--addr", &addr, "--api-key", "load", "--seed"])
        .arg(CONNECTORS.to_string())
        .arg("--quiet")
        .stdout(Stdio::null())
        .spawn()
        .unwrap_or_else(|error| panic!("cannot start {binary}: {error}"));
    let emulator = Emulator(child);
    let pid = emulator.0.id();
    let base = format!("http://{addr}");
    let http = reqwest::Client::new();
    for _ in 0..200 {
        let ready = http
            .get(format!("{base}/v1/connectors?limit=1"))
            .bearer_auth("load")
            .send()
            .await;
        if ready.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rss_before = memory_kib(pid, "VmRSS:");
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let (http, base, next, failures) =
                (http.clone(), base.clone(), next.clone(), failures.clone());
            tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= REQUESTS {
                        break;
                    }
                    let ok = match n % 10 {
                        0..=5 => {
                            let id = n % CONNECTORS + 1;
                            send(http.get(format!("{base}/v1/connectors/sample-connector-{id}")))
                                .await
                        }
                        6..=8 => {
                            let offset = (n * 7919) % CONNECTORS;
                            send(
                                http.get(format!("{base}/v1/connectors?limit=100&offset={offset}")),
                            )
                            .await
                        }
                        _ => {
                            let body = format!(
                                r#"{{"name":"load {n}","url":"https://load.example.com/search"}}"#
                            );
                            let created = http
                                .post(format!("{base}/v1/connectors"))
                                .bearer_auth("load")
                                .header("content-type", "application/json")
                                .body(body)
                                .send()
                                .await;
                            match created {
                                Ok(response) if response.status().is_success() => {
                                    let value: serde_json::Value =
                                        response.json().await.unwrap_or_default();
                                    let id = value["connector"]["id"]
                                        .as_str()
                                        .unwrap_or_default()
                                        .to_owned();
                                    send(http.delete(format!("{base}/v1/connectors/{id}"))).await
                                }
                                _ => false,
                            }
                        }
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
    println!(
        "{REQUESTS} requests (create + delete counted as one) from {TASKS} tasks against {CONNECTORS} connectors: {:.0} requests/s, {} failed",
        REQUESTS as f64 / elapsed.as_secs_f64(),
        failures.load(Ordering::Relaxed)
    );
    println!(
        "emulator memory: VmRSS before {} KiB, after {} KiB; peak (VmHWM) {} KiB",
        rss_before.unwrap_or(0),
        memory_kib(pid, "VmRSS:").unwrap_or(0),
        memory_kib(pid, "VmHWM:").unwrap_or(0)
    );
}

async fn send(request: reqwest::RequestBuilder) -> bool {
    match request.bearer_auth("load").send().await {
        Ok(response) => {
            let ok = response.status().is_success();
            let _ = response.bytes().await;
            ok
        }
        Err(_) => false,
    }
}
