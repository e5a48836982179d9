//! Peak resident memory while `.stream()` walks an account: it should not grow with the
//! number of connectors, since one page is in memory at a time.
//!
//! ```sh
//! cargo run --release -p cohere-connectors-benches --bin stream_memory              # 1,000, 10,000 and 100,000
//! cargo run --release -p cohere-connectors-benches --bin stream_memory -- 250000    # one size
//! ```
//!
//! Each size runs in a child process, so each peak (`VmHWM`, Linux) is its own. The pages
//! come from an in-process server that renders each page on request, holding none.
#![forbid(unsafe_code)]

use std::process::{Command, ExitCode};

use cohere_connectors::Client;
use cohere_connectors_benches::fixture::{Fixture, Pages};
use futures_util::StreamExt;

const SIZES: [usize; 3] = [1_000, 10_000, 100_000];

fn main() -> ExitCode {
    match std::env::args().nth(1) {
        Some(size) => match size.parse() {
            Ok(total) => {
                let peak = walk(total);
                println!(
                    "{total} {}",
                    peak.map_or("unknown".into(), |kib| kib.to_string())
                );
                ExitCode::SUCCESS
            }
            Err(_) => {
                eprintln!("usage: stream_memory [NUMBER_OF_CONNECTORS]");
                ExitCode::from(2)
            }
        },
        None => compare(),
    }
}

/// Streams `total` connectors and returns the process's peak resident set, in KiB.
fn walk(total: usize) -> Option<u64> {
    let fixture = Fixture::start(total, Pages::Generated);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::builder()
        .api_key("memory-probe")
        .base_url(&fixture.base_url)
        .build()
        .unwrap();
    let seen = runtime.block_on(async {
        let mut connectors = client.connectors().list().limit(100).stream();
        let mut seen = 0;
        while let Some(connector) = connectors.next().await {
            std::hint::black_box(connector.unwrap());
            seen += 1;
        }
        seen
    });
    assert_eq!(seen, total);
    peak_rss_kib()
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn compare() -> ExitCode {
    let program = std::env::current_exe().unwrap();
    println!("| connectors streamed | peak RSS (KiB) | vs 1,000 |");
    println!("|--------------------:|---------------:|---------:|");
    let mut first = None;
    for size in SIZES {
        let output = Command::new(&program)
            .arg(size.to_string())
            .output()
            .unwrap();
        if !output.status.success() {
            eprintln!("{size}: {}", String::from_utf8_lossy(&output.stderr));
            return ExitCode::FAILURE;
        }
        let text = String::from_utf8_lossy(&output.stdout);
        let peak: Option<u64> = text
            .split_whitespace()
            .nth(1)
            .and_then(|kib| kib.parse().ok());
        let ratio = match (first, peak) {
            (Some(base), Some(peak)) => format!("{:.2}x", peak as f64 / base as f64),
            (None, Some(peak)) => {
                first = Some(peak);
                "1.00x".to_owned()
            }
            _ => "-".to_owned(),
        };
        let shown = peak.map_or("unknown".to_owned(), |kib| kib.to_string());
        println!("| {size:>19} | {shown:>14} | {ratio:>8} |");
    }
    ExitCode::SUCCESS
}
