//! What the Chat v2 tool loop costs: a step with N connectors against one connector's time,
//! and the loop's own work against the raw calls it makes.
//!
//! `cargo bench -p cohere-connectors-benches --bench tool_loop` runs them. The model is the
//! emulator's (in this process); the connectors are the kit's, each on its own port.
//!
//! 1. `tool_loop_step/ratio_n{1,4,16}_vs_one`: a whole turn (the tool-call response, one
//!    step calling N connectors that each take 20 ms, the answer) against the same turn with
//!    one such connector, paired. Concurrent calls make it about 1, not N.
//! 2. `tool_loop_overhead/ratio_n{1,4,16}_vs_raw`: a turn over N connectors that answer at
//!    once, against doing its work by hand: the same two chat requests sent with the SDK,
//!    and the N searches joined, also paired. Above 1 is the loop's own cost (bookkeeping,
//!    ids, chunking, the copies of the conversation).

use std::time::{Duration, Instant};

use cohere_connectors::chat::Message;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector};
use cohere_connectors_kit::{ConnectorSearch, Document};
use cohere_connectors_migrate::tool_loop::ConnectorChat;
use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, Toolbox};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future::join_all;

const MODEL: &str = "command-a-plus-05-2026";
const CONNECTOR_TIME: Duration = Duration::from_millis(20);

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// A connector answering three short documents after `delay`.
async fn connector(delay: Duration) -> RunningConnector {
    ConnectorService::new(Access::open(), move |request, _| async move {
        tokio::time::sleep(delay).await;
        Ok((0..3)
            .map(|i| {
                Document::new()
                    .with_id(i)
                    .with_title(format!("Page {i}"))
                    .with_text(format!("What the handbook says about {}.", request.query))
            })
            .collect())
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

/// A chat over `n` connectors taking `delay` each, the connectors kept running.
async fn chat_over(
    emulator: &Emulator,
    n: usize,
    delay: Duration,
) -> (ConnectorChat, Vec<RunningConnector>) {
    let mut running = Vec::new();
    let mut toolbox = Toolbox::new();
    for index in 0..n {
        let served = connector(delay).await;
        let entry: ManifestConnector = serde_json::from_value(serde_json::json!({
            "id": format!("c{index}"), "name": format!("C{index}"), "url": served.url()
        }))
        .unwrap();
        toolbox.add(ConnectorTool::from_manifest(&entry, &Secrets::none()).unwrap());
        running.push(served);
    }
    (
        ConnectorChat::new(emulator.client().unwrap(), MODEL, toolbox),
        running,
    )
}

/// `candidate / baseline` as criterion's "time": the ratio in milliseconds times `rounds`.
fn ratio_as_time(candidate: Duration, baseline: Duration, rounds: u64) -> Duration {
    let ratio = candidate.as_secs_f64() / baseline.as_secs_f64();
    Duration::from_secs_f64(ratio * 1e-3 * rounds as f64)
}

/// `rounds` pairs, alternating which goes first; their ratio.
async fn paired<B, BF, C, CF>(rounds: u64, baseline: B, candidate: C) -> Duration
where
    B: Fn() -> BF,
    BF: Future<Output = ()>,
    C: Fn() -> CF,
    CF: Future<Output = ()>,
{
    let (mut base, mut cand) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        let order = [round % 2 == 0, round % 2 != 0];
        for baseline_first in order {
            let started = Instant::now();
            if baseline_first {
                baseline().await;
                base += started.elapsed();
            } else {
                candidate().await;
                cand += started.elapsed();
            }
        }
    }
    ratio_as_time(cand, base, rounds)
}

fn step_against_one_connector(c: &mut Criterion) {
    let runtime = runtime();
    let emulator = runtime.block_on(Emulator::start()).unwrap();
    let (one, _one) = runtime.block_on(chat_over(&emulator, 1, CONNECTOR_TIME));
    let mut group = c.benchmark_group("tool_loop_step");
    group.sample_size(10);
    for n in [1, 4, 16] {
        let (many, _running) = runtime.block_on(chat_over(&emulator, n, CONNECTOR_TIME));
        group.bench_function(format!("ratio_n{n}_vs_one"), |b| {
            b.to_async(&runtime).iter_custom(|rounds| {
                let (one, many) = (one.clone(), many.clone());
                async move {
                    paired(
                        rounds,
                        || async { one.ask("travel").await.map(drop).unwrap() },
                        || async { many.ask("travel").await.map(drop).unwrap() },
                    )
                    .await
                }
            });
        });
    }
    group.finish();
}

/// The loop's work by hand: the first request, the searches joined, the second request with
/// the turn's messages (taken from a turn the loop ran).
async fn by_hand(
    client: &cohere_connectors::Client,
    chat: &ConnectorChat,
    searches: &[ConnectorSearch],
    second: &[Message],
) {
    let tools = chat.toolbox().definitions();
    client
        .chat(MODEL)
        .messages(second[..1].iter().cloned())
        .tools(tools.clone())
        .send()
        .await
        .unwrap();
    for found in join_all(searches.iter().map(|search| search.search("travel"))).await {
        found.unwrap();
    }
    client
        .chat(MODEL)
        .messages(second.iter().cloned())
        .tools(tools)
        .send()
        .await
        .unwrap();
}

fn overhead_against_raw_calls(c: &mut Criterion) {
    let runtime = runtime();
    let emulator = runtime.block_on(Emulator::start()).unwrap();
    let client = emulator.client().unwrap();
    let mut group = c.benchmark_group("tool_loop_overhead");
    group.sample_size(20);
    for n in [1, 4, 16] {
        let (chat, running) = runtime.block_on(chat_over(&emulator, n, Duration::ZERO));
        let searches: Vec<ConnectorSearch> = running
            .iter()
            .map(|served| ConnectorSearch::new(&served.url()).unwrap())
            .collect();
        let answer = runtime.block_on(chat.ask("travel")).unwrap();
        // The turn's messages before its answer: the question, the model's turn, the results.
        let mut second = answer.conversation.messages.clone();
        second.pop();
        group.bench_function(format!("ratio_n{n}_vs_raw"), |b| {
            b.to_async(&runtime).iter_custom(|rounds| {
                let (client, chat, searches, second) = (
                    client.clone(),
                    chat.clone(),
                    searches.clone(),
                    second.clone(),
                );
                async move {
                    paired(
                        rounds,
                        || by_hand(&client, &chat, &searches, &second),
                        || async { chat.ask("travel").await.map(drop).unwrap() },
                    )
                    .await
                }
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = step_against_one_connector, overhead_against_raw_calls
}
criterion_main!(benches);
