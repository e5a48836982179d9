//! The memory one call can take, whatever the server sends: a counting allocator measures the
//! peak of the heap during a call that receives the worst bodies under the size cap.
//!
//! The bound stated in the README ("Limits") is checked here: a call that accepts a body of
//! `max_response_bytes` never holds more than 32 times that on the heap.
// A counting allocator is the one unsafe thing here (GlobalAlloc is an unsafe trait); it
// is allowed where it is implemented and nowhere else.
#![deny(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cohere_connectors::Client;
use cohere_connectors_testing::scripted::{Reply, ScriptedServer};
use serde_json::json;

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only counters are kept.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(now, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            let grown = new_size - layout.size();
            let now = CURRENT.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(now, Ordering::Relaxed);
        } else {
            CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CAP: usize = 1024 * 1024;
/// The bound the README states: the heap one call takes, as a multiple of the body cap.
const BOUND_FACTOR: usize = 20;

/// The tests here measure one heap: they must not run at the same time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The largest JSON body under `CAP` made of `item` repeated inside `wrap`.
fn fill(wrap: impl Fn(&str) -> String, item: &str) -> String {
    let empty = wrap("").len();
    let count = (CAP - empty - 1024) / (item.len() + 1);
    let items = vec![item; count].join(",");
    let body = wrap(&items);
    assert!(body.len() <= CAP, "{}", body.len());
    body
}

fn worst_bodies() -> Vec<(&'static str, String)> {
    let connector = |extra: &str| {
        format!(
            r#"{{"id":"","name":"","created_at":"2024-01-01T00:00:00Z","updated_at":"2024-01-01T00:00:00Z"{extra}}}"#
        )
    };
    let page = |items: &str| format!(r#"{{"connectors":[{items}]}}"#);
    vec![
        (
            "empty excludes",
            fill(
                |items| page(&connector(&format!(r#","excludes":[{items}]"#))),
                r#""""#,
            ),
        ),
        (
            "one-letter excludes",
            fill(
                |items| page(&connector(&format!(r#","excludes":[{items}]"#))),
                r#""x""#,
            ),
        ),
        ("minimal connectors", fill(page, &connector(""))),
        (
            "connectors with empty oauth",
            fill(
                page,
                &connector(
                    r#","auth_type":"","auth_status":"","oauth":{"authorize_url":"","token_url":""}"#,
                ),
            ),
        ),
        (
            "unknown fields",
            fill(
                page,
                &connector(r#","x":[[[[[[[[[[{"y":[1,2,3]}]]]]]]]]]]"#),
            ),
        ),
    ]
}

#[tokio::test]
async fn one_call_takes_at_most_the_stated_multiple_of_the_cap() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let bodies = worst_bodies();
    let mut report = Vec::new();
    for (name, body) in &bodies {
        let server =
            ScriptedServer::start(vec![Reply::json(200, serde_json::from_str(body).unwrap())])
                .await;
        let client = Client::builder()
            .api_key("k")
            .base_url(&server.url)
            .max_response_bytes(CAP)
            .build()
            .unwrap();
        // Warm the connection pool and the runtime, then measure one call alone.
        let _ = client.connectors().get("warm").await;
        let before = CURRENT.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let outcome = client.connectors().list().await;
        let peak = PEAK.load(Ordering::Relaxed) - before;
        report.push(format!(
            "{name}: {} KiB body, peak {} KiB ({:.1}x), {}",
            body.len() / 1024,
            peak / 1024,
            peak as f64 / CAP as f64,
            if outcome.is_ok() { "ok" } else { "error" }
        ));
        assert!(
            peak <= BOUND_FACTOR * CAP,
            "{name}: {peak} bytes for a {} byte body\n{}",
            body.len(),
            report.join("\n")
        );
    }
    println!("{}", report.join("\n"));
}

#[tokio::test]
async fn a_body_over_the_cap_takes_no_more_than_the_cap() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let body = json!({"connectors": [], "padding": "x".repeat(8 * CAP)});
    let server = ScriptedServer::start(vec![Reply::json(200, body)]).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .max_response_bytes(CAP)
        .build()
        .unwrap();
    let _ = client.connectors().get("warm").await;
    let before = CURRENT.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let error = client.connectors().list().await.unwrap_err();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert!(
        matches!(error, cohere_connectors::Error::Decode(_)),
        "{error:?}"
    );
    assert!(peak < 2 * CAP, "{peak}");
}

#[tokio::test]
async fn the_heaviest_legitimate_page_fits_six_times_under_the_default_cap() {
    const DEFAULT_CAP: usize = 2 * 1024 * 1024;
    let page = json!({
        "connectors": (0..100).map(cohere_connectors_testing::shapes::heavy_connector_json).collect::<Vec<_>>(),
        "total_count": 100
    });
    let size = page.to_string().len();
    println!("heaviest page: {size} bytes");
    assert!(size * 6 <= DEFAULT_CAP, "{size}");
    let server = ScriptedServer::start(vec![Reply::json(200, page)]).await;
    let client = Client::builder()
        .api_key("k")
        .base_url(&server.url)
        .build()
        .unwrap();
    let listed = client.connectors().list().limit(100).await.unwrap();
    assert_eq!(listed.connectors.len(), 100);
}
