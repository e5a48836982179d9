//! Connections as an attacker holds them: a head dripped a byte at a time, idle keep-alive
//! sockets, thousands of half-open connections, a process out of file descriptors, cleartext
//! HTTP/2. The service closes what it must, caps what it holds, and serves a legitimate
//! search again once the attacker leaves.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cohere_connectors_kit::server::{Access, ConnectionLimits, ConnectorService, RunningConnector};
use cohere_connectors_kit::{ConnectorSearch, Document};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::wire::{addr_of, exchange, post};

async fn serve(limits: ConnectionLimits) -> RunningConnector {
    ConnectorService::new(Access::open(), |_, _| async {
        Ok(vec![Document::new().with_title("found")])
    })
    .connection_limits(limits)
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

/// How long until the server closes `stream` (reading and discarding what it sends), if it
/// does within `within`.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut sink = vec![0; 4096];
    tokio::time::timeout(within, async {
        loop {
            match stream.read(&mut sink).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(_) => {}
            }
        }
    })
    .await
    .ok()
}

async fn search_succeeds(running: &RunningConnector, within: Duration) -> bool {
    let search = ConnectorSearch::new(&running.url())
        .unwrap()
        .timeout(within);
    search.search("travel").await.is_ok()
}

#[tokio::test]
async fn a_head_dripped_a_byte_at_a_time_is_closed_at_the_header_timeout() {
    let running =
        serve(ConnectionLimits::default().header_read_timeout(Duration::from_millis(300))).await;
    let stream = TcpStream::connect(addr_of(&running.url())).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // A byte every 50 ms, for up to 10 s: each byte arrives well within any read timeout, but
    // the head as a whole never does.
    let dripper = tokio::spawn(async move {
        let head = b"POST /search HTTP/1.1\r\nHost: connector\r\nX-Padding: "
            .iter()
            .chain([b'a'; 200].iter());
        for byte in head {
            if writer.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    });
    let started = Instant::now();
    let mut sink = vec![0; 1024];
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match reader.read(&mut sink).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "still open after 5 s");
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    dripper.abort();
    assert!(search_succeeds(&running, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn idle_connections_are_closed_fresh_or_kept_alive() {
    let running =
        serve(ConnectionLimits::default().header_read_timeout(Duration::from_millis(200))).await;
    let addr = addr_of(&running.url());

    // Connected, never a byte.
    let mut fresh = TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_within(&mut fresh, Duration::from_secs(3))
            .await
            .is_some()
    );

    // One search answered, then left idle on keep-alive: closed too.
    let mut kept = TcpStream::connect(addr).await.unwrap();
    let body = r#"{"query":"x"}"#;
    let request = format!(
        "POST /search HTTP/1.1\r\nHost: c\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    kept.write_all(request.as_bytes()).await.unwrap();
    let mut first = vec![0; 4096];
    let read = kept.read(&mut first).await.unwrap();
    assert!(first[..read].starts_with(b"HTTP/1.1 200"));
    let idle = closed_within(&mut kept, Duration::from_secs(3)).await;
    assert!(idle.is_some(), "an idle keep-alive connection stayed open");
}

#[tokio::test]
async fn past_the_cap_connections_wait_and_are_served_once_the_attacker_leaves() {
    // One connection at a time, and a long header timeout: the cap alone must hold.
    let running = serve(
        ConnectionLimits::default()
            .max_connections(1)
            .header_read_timeout(Duration::from_secs(30)),
    )
    .await;
    let addr = addr_of(&running.url());
    let mut attacker = TcpStream::connect(addr).await.unwrap();
    attacker
        .write_all(b"POST /search HTTP/1.1\r\nHo")
        .await
        .unwrap();
    // Give the server time to accept it and take the only slot.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !search_succeeds(&running, Duration::from_millis(500)).await,
        "a second connection was served past the cap"
    );
    drop(attacker);
    assert!(search_succeeds(&running, Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_thousand_half_open_connections_are_closed_and_do_not_keep_a_search_out() {
    let running = serve(
        ConnectionLimits::default()
            .max_connections(64)
            .header_read_timeout(Duration::from_millis(200)),
    )
    .await;
    let addr = addr_of(&running.url());
    let mut held = Vec::new();
    for _ in 0..1_000 {
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let _ = stream
            .write_all(b"POST /search HTTP/1.1\r\nHost: c\r\nX-A: ")
            .await;
        held.push(stream);
    }
    // While they are held, the header timeout frees a slot every 200 ms per slot, so a
    // search gets its turn...
    assert!(search_succeeds(&running, Duration::from_secs(30)).await);
    // ...and every one of them is closed by the server, not held.
    let closing = held
        .iter_mut()
        .map(|stream| closed_within(stream, Duration::from_secs(30)));
    let closed = futures_util::future::join_all(closing).await;
    let open = closed.iter().filter(|closed| closed.is_none()).count();
    assert_eq!(open, 0, "{open} of 1000 half-open connections still held");
    drop(held);
    let answer = exchange(addr, &post("/search", &[], r#"{"query":"x"}"#)).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn a_head_over_the_limit_is_a_431() {
    let running = serve(ConnectionLimits::default().max_header_bytes(16 * 1024)).await;
    let addr = addr_of(&running.url());
    let big = format!("X-Big: {}", "a".repeat(20 * 1024));
    let answer = exchange(addr, &post("/search", &[&big], r#"{"query":"x"}"#)).await;
    assert_eq!(answer.status, 431);
    let fits = format!("X-Big: {}", "a".repeat(12 * 1024));
    let answer = exchange(addr, &post("/search", &[&fits], r#"{"query":"x"}"#)).await;
    assert_eq!(answer.status, 200);
}

#[tokio::test]
async fn cleartext_http2_is_not_spoken() {
    let running = serve(ConnectionLimits::default()).await;
    let addr = addr_of(&running.url());
    // Prior knowledge: the HTTP/2 preface. No SETTINGS frame comes back.
    let answer = exchange(addr, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").await;
    assert!(
        answer.raw.is_empty() || answer.raw.starts_with(b"HTTP/1.1 4"),
        "{:?}",
        answer.raw
    );
    // Upgrade: answered as HTTP/1.1, not switched.
    let body = r#"{"query":"x"}"#;
    let upgrade = post(
        "/search",
        &["Upgrade: h2c", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA"],
        body,
    );
    let answer = exchange(addr, &upgrade).await;
    assert_eq!(answer.status, 200);
    assert!(answer.raw.starts_with(b"HTTP/1.1 200"));
}

/// The environment variable that makes [`serves_for_a_parent_under_a_descriptor_limit`] serve.
const CHILD: &str = "COHERE_KIT_TEST_DESCRIPTOR_CHILD";

/// The child half of [`running_out_of_file_descriptors_is_survived`]: serves a connector
/// until killed, when run by it (ignored otherwise).
#[test]
#[ignore = "run by running_out_of_file_descriptors_is_survived, in a process of its own"]
fn serves_for_a_parent_under_a_descriptor_limit() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let running = serve(
            ConnectionLimits::default()
                .max_connections(10_000)
                .header_read_timeout(Duration::from_millis(300)),
        )
        .await;
        println!("listening {}", running.url());
        std::future::pending::<()>().await;
    });
}

/// A child process, killed however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// With few descriptors, stalled clients exhaust them before the cap does; `accept` then
/// fails with EMFILE. The service backs off instead of spinning and serves again once they
/// are gone. The service runs in a child process (this test binary again) under `ulimit -n`.
#[test]
fn running_out_of_file_descriptors_is_survived() {
    let binary = std::env::current_exe().unwrap();
    let command = format!(
        "ulimit -n 64 && exec '{}' --ignored --exact connections::serves_for_a_parent_under_a_descriptor_limit --nocapture --test-threads=1",
        binary.display()
    );
    let mut child = KillOnDrop(
        Command::new("sh")
            .args(["-c", &command])
            .env(CHILD, "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut line = String::new();
    let url = loop {
        line.clear();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "the child ended");
        // The test harness prints its own words before ours on the same line.
        if let Some((_, url)) = line.trim().split_once("listening ") {
            break url.to_owned();
        }
    };
    let addr = addr_of(&url);
    let mut stalled = Vec::new();
    for _ in 0..150 {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        std::io::Write::write_all(&mut stream, b"POST /search HTTP/1.1\r\nHost: c\r\nX").unwrap();
        stalled.push(stream);
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let search = ConnectorSearch::new(&url)
        .unwrap()
        .timeout(Duration::from_secs(30));
    // While they are held (more than the child has descriptors for): the header timeout
    // frees descriptors, the backoff waits for that, and the search gets its turn.
    let while_held = runtime.block_on(search.search("travel"));
    // Once they are gone, at once.
    drop(stalled);
    let after = runtime.block_on(search.search("travel"));
    drop(child);
    assert_eq!(while_held.unwrap().results[0].title(), Some("found"));
    assert_eq!(after.unwrap().results[0].title(), Some("found"));
}
