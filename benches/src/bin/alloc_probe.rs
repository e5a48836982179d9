//! Allocations and peak heap per `list(limit=100)` call, for the facade, the raw bindings and
//! a hand-written reqwest + serde_json client, then per small call (`get`, `update`, `delete`
//! of one heavy connector), against the fixture in another process (so that only the
//! client's allocations are counted).
//!
//! ```sh
//! cargo run --release -p cohere-connectors-benches --bin alloc_probe
//! ```
// A counting allocator is the one unsafe thing here (GlobalAlloc is an unsafe trait); it
// is allowed where it is implemented and nowhere else.
#![deny(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use cohere_connectors::Client;
use cohere_connectors_benches::fixture::{OutOfProcess, Shape};
use cohere_connectors_benches::plain::{self, PlainGet, PlainPage, PlainUpdate};

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        if new_size > layout.size() {
            let grown = new_size - layout.size();
            ALLOCATED.fetch_add(grown, Ordering::Relaxed);
            let live = LIVE.fetch_add(grown, Ordering::Relaxed) + grown;
            PEAK.fetch_max(live, Ordering::Relaxed);
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CALLS: usize = 50;

/// What one call costs on the heap.
struct Cost {
    allocations: usize,
    allocated: usize,
    /// The median and the largest peak of the heap above its level at the start of a call.
    /// The peak varies from call to call with how the body arrives: a body read in several
    /// chunks is copied once more when they are joined.
    peak_median: usize,
    peak_max: usize,
}

fn measure(
    runtime: &tokio::runtime::Runtime,
    call: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>,
) -> Cost {
    for _ in 0..5 {
        runtime.block_on(call());
    }
    let (allocations, allocated) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED.load(Ordering::Relaxed),
    );
    let mut peaks = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        runtime.block_on(call());
        peaks.push(PEAK.load(Ordering::Relaxed).saturating_sub(before));
    }
    peaks.sort_unstable();
    Cost {
        allocations: (ALLOCATIONS.load(Ordering::Relaxed) - allocations) / CALLS,
        allocated: (ALLOCATED.load(Ordering::Relaxed) - allocated) / CALLS,
        peak_median: peaks[CALLS / 2],
        peak_max: peaks[CALLS - 1],
    }
}

fn main() {
    let server_binary = std::env::current_exe()
        .expect("the probe's path")
        .with_file_name("fixture_server");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| page | client | allocations per call | KiB allocated per call | peak heap per call, median (KiB) | largest (KiB) |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for shape in [Shape::Heavy, Shape::Light] {
        let server = OutOfProcess::start(server_binary.to_str().unwrap(), 100, shape);
        let url = format!("{}/v1/connectors?limit=100&offset=0", server.base_url);
        let http = reqwest::Client::new();
        let facade = Client::builder()
            .api_key("probe")
            .base_url(&server.base_url)
            .build()
            .unwrap();
        let floor = {
            let (http, url) = (http.clone(), url.clone());
            move || -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
                let (http, url) = (http.clone(), url.clone());
                Box::pin(async move {
                    std::hint::black_box(plain::get::<PlainPage>(&http, &url, "probe").await);
                })
            }
        };
        let raw = {
            let facade = facade.clone();
            move || -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
                let facade = facade.clone();
                Box::pin(async move {
                    std::hint::black_box(
                        facade
                            .raw()
                            .list_connectors()
                            .limit(100)
                            .offset(0)
                            .send()
                            .await
                            .unwrap(),
                    );
                })
            }
        };
        let facade_call = {
            let facade = facade.clone();
            move || -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> {
                let facade = facade.clone();
                Box::pin(async move {
                    std::hint::black_box(
                        facade
                            .connectors()
                            .list()
                            .limit(100)
                            .offset(0)
                            .send()
                            .await
                            .unwrap(),
                    );
                })
            }
        };
        for (name, call) in [
            ("reqwest + serde_json (floor)", &floor as &dyn Fn() -> _),
            ("raw bindings", &raw),
            ("facade", &facade_call),
        ] {
            let cost = measure(&runtime, call);
            println!(
                "| {} | {name} | {} | {} | {} | {} |",
                shape.name(),
                cost.allocations,
                cost.allocated / 1024,
                cost.peak_median / 1024,
                cost.peak_max / 1024
            );
        }
    }
    small_calls(&runtime, server_binary.to_str().unwrap());
}

type Call = Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>>;

/// Allocations per small call: the hand-written client against the facade, one heavy
/// connector, against the fixture in another process.
fn small_calls(runtime: &tokio::runtime::Runtime, server_binary: &str) {
    let server = OutOfProcess::start(server_binary, 1, Shape::Heavy);
    let url = format!("{}/v1/connectors/connector-1", server.base_url);
    let http = reqwest::Client::new();
    let facade = Client::builder()
        .api_key("probe")
        .base_url(&server.base_url)
        .build()
        .unwrap();
    println!();
    println!("| call | client | allocations per call | bytes allocated per call |");
    println!("|---|---|---:|---:|");
    let floor = |kind: &'static str| -> Call {
        let (http, url) = (http.clone(), url.clone());
        Box::new(move || {
            let (http, url) = (http.clone(), url.clone());
            Box::pin(async move {
                match kind {
                    "get" => {
                        std::hint::black_box(plain::get::<PlainGet>(&http, &url, "probe").await);
                    }
                    "update" => {
                        let body = PlainUpdate { active: false };
                        std::hint::black_box(plain::patch(&http, &url, "probe", &body).await);
                    }
                    _ => plain::delete(&http, &url, "probe").await,
                }
            })
        })
    };
    let facade_call = |kind: &'static str| -> Call {
        let facade = facade.clone();
        Box::new(move || {
            let connectors = facade.connectors();
            Box::pin(async move {
                match kind {
                    "get" => {
                        std::hint::black_box(connectors.get("connector-1").send().await.unwrap());
                    }
                    "update" => {
                        std::hint::black_box(
                            connectors
                                .update("connector-1")
                                .active(false)
                                .send()
                                .await
                                .unwrap(),
                        );
                    }
                    _ => connectors.delete("connector-1").send().await.unwrap(),
                }
            })
        })
    };
    for kind in ["get", "update", "delete"] {
        for (name, call) in [
            ("reqwest + serde_json (floor)", floor(kind)),
            ("facade", facade_call(kind)),
        ] {
            let cost = measure(runtime, call);
            println!(
                "| {kind} | {name} | {} | {} |",
                cost.allocations, cost.allocated
            );
        }
    }
}
