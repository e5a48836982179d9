//! The heap a tool-loop turn holds, for N = 1, 4 and 16 connectors: its peak above the level
//! before the turn, what it allocated, and how many allocations, per turn.
//!
//! ```sh
//! cargo run --release -p cohere-connectors-benches --bin loop_memory
//! ```
//!
//! The model (the emulator) and the connectors (the kit's) run on a runtime of their own, on
//! other threads; the loop runs on this thread's runtime, and only this thread's allocations
//! are counted, so the figures are the loop's and its HTTP client's, not the servers'.
//! Each connector answers five documents of about 1 KiB of text, as a wiki search would.
// A counting allocator is the one unsafe thing here (GlobalAlloc is an unsafe trait); it
// is allowed where it is implemented and nowhere else.
#![deny(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector};
use cohere_connectors_migrate::tool_loop::ConnectorChat;
use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, Toolbox};

const MODEL: &str = "command-a-plus-05-2026";
const DOCUMENTS_PER_CONNECTOR: usize = 5;
const TURNS: usize = 20;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // `const` so that reading it allocates nothing (the allocator reads it).
    static COUNTED: Cell<bool> = const { Cell::new(false) };
}

fn counted() -> bool {
    COUNTED.with(Cell::get)
}

fn grow(bytes: usize) {
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

// SAFETY: forwards every call to the system allocator unchanged; only counts.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if counted() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
            grow(layout.size());
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if counted() {
            // Saturating: a block allocated before counting began may be freed during it.
            let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| {
                Some(live.saturating_sub(layout.size()))
            });
        }
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if counted() {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
            if new_size > layout.size() {
                ALLOCATED.fetch_add(new_size - layout.size(), Ordering::Relaxed);
                grow(new_size - layout.size());
            } else {
                let shrunk = layout.size() - new_size;
                let _ = LIVE.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |live| {
                    Some(live.saturating_sub(shrunk))
                });
            }
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A connector answering five documents of about 1 KiB each.
async fn connector() -> RunningConnector {
    let text = "The travel policy covers flights, trains and hotels booked for work. ".repeat(15);
    ConnectorService::new(Access::open(), move |request, _| {
        let text = text.clone();
        async move {
            Ok((0..DOCUMENTS_PER_CONNECTOR)
                .map(|i| {
                    Document::new()
                        .with_id(i)
                        .with_title(format!("Handbook page {i}: {}", request.query))
                        .with_url(format!("https://wiki.example.com/pages/{i}"))
                        .with_text(text.clone())
                })
                .collect())
        }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

/// One turn's cost on the heap of this thread.
struct Cost {
    allocations: usize,
    allocated: usize,
    peak_median: usize,
    peak_max: usize,
}

fn measure(runtime: &tokio::runtime::Runtime, chat: &ConnectorChat) -> Cost {
    // Warm: connections opened, pools and caches filled.
    for _ in 0..3 {
        runtime.block_on(chat.ask("travel")).unwrap();
    }
    COUNTED.with(|counted| counted.set(true));
    let (allocations, allocated) = (
        ALLOCATIONS.load(Ordering::Relaxed),
        ALLOCATED.load(Ordering::Relaxed),
    );
    let mut peaks = Vec::with_capacity(TURNS);
    for _ in 0..TURNS {
        let before = LIVE.load(Ordering::Relaxed);
        PEAK.store(before, Ordering::Relaxed);
        let answer = runtime.block_on(chat.ask("travel")).unwrap();
        drop(answer);
        peaks.push(PEAK.load(Ordering::Relaxed).saturating_sub(before));
    }
    COUNTED.with(|counted| counted.set(false));
    peaks.sort_unstable();
    Cost {
        allocations: (ALLOCATIONS.load(Ordering::Relaxed) - allocations) / TURNS,
        allocated: (ALLOCATED.load(Ordering::Relaxed) - allocated) / TURNS,
        peak_median: peaks[TURNS / 2],
        peak_max: peaks[TURNS - 1],
    }
}

fn main() {
    // The servers' runtime: its workers run the emulator and the connectors on their threads.
    let servers = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = servers.block_on(Emulator::start()).unwrap();
    // The loop's runtime: this thread only.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    println!(
        "| connectors | documents per turn | allocations per turn | KiB allocated per turn | peak heap per turn, median (KiB) | largest (KiB) | median peak per connector (KiB) |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for n in [1usize, 4, 16] {
        let mut running = Vec::new();
        let mut toolbox = Toolbox::new();
        for index in 0..n {
            let served = servers.block_on(connector());
            let entry: ManifestConnector = serde_json::from_value(serde_json::json!({
                "id": format!("c{index}"), "name": format!("C{index}"), "url": served.url()
            }))
            .unwrap();
            toolbox.add(ConnectorTool::from_manifest(&entry, &Secrets::none()).unwrap());
            running.push(served);
        }
        let chat = ConnectorChat::new(emulator.client().unwrap(), MODEL, toolbox);
        let cost = measure(&runtime, &chat);
        println!(
            "| {n} | {} | {} | {} | {} | {} | {} |",
            n * DOCUMENTS_PER_CONNECTOR,
            cost.allocations,
            cost.allocated / 1024,
            cost.peak_median / 1024,
            cost.peak_max / 1024,
            cost.peak_median / 1024 / n,
        );
        drop(running);
    }
}
