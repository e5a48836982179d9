//! What the facade costs over a hand-written client, measured as ratios within one run.
//!
//! `cargo bench -p cohere-connectors-benches --bench facade` runs them; `cargo xtask
//! bench-report` turns criterion's estimates into the tables of BENCHMARKS.md. Each group
//! holds a baseline and what is compared with it.
//!
//! Each group has absolute benchmarks (time per call, throughput) and *paired* ones named
//! `ratio_*`: every sample alternates baseline and candidate (ABAB, the order flipped each
//! round) and reports candidate time / baseline time, as milliseconds (1.000 ms = equal). On a
//! shared machine whose speed drifts by several percent between benchmarks run one after the
//! other, only pairing makes a few-percent target measurable.
//!
//! 1. `list_page_100/{heavy,light}/{in_process,out_of_process}`: a 100-connector page, facade
//!    vs raw bindings vs reqwest + serde_json, against a server in this process (its own
//!    thread and runtime) or in another process (`fixture_server`).
//! 2. `decode_page_100/{heavy,light}`: decoding that body, facade types vs a plain struct.
//! 3. `stream_10k`: 10,000 heavy connectors in pages of 100, `.stream()` vs a hand loop.
//! 4. `concurrent_get_10k`: 10,000 gets of a heavy connector from 64 tasks sharing a client.
//! 5. `get_retries`: the success path with retries on (the default) vs `max_retries(0)`.
//! 6. `emulator_50k`: what the emulator answers in, holding 50,000 connectors.
//! 7. `small_calls_64/{get,update,delete}`: 640 small calls from 64 tasks sharing a client,
//!    against the fixture in another process, facade vs reqwest + serde_json, paired; and vs
//!    the same hand-written client sending the facade's headers under its attempt timeout.
#![forbid(unsafe_code)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use cohere_connectors::{Client, ConnectorPage};
use cohere_connectors_benches::fixture::{self, Fixture, OutOfProcess, Pages, Shape};
use cohere_connectors_benches::plain::{self, PlainGet, PlainPage, PlainUpdate};
use cohere_connectors_emulator::Emulator;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use futures_util::StreamExt;

const KEY: &str = "bench-key";

fn client(base_url: &str, max_retries: u32) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .max_retries(max_retries)
        .build()
        .unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `candidate / baseline` as criterion's "time": the ratio in milliseconds times `rounds`.
fn ratio_as_time(candidate: Duration, baseline: Duration, rounds: u64) -> Duration {
    let ratio = candidate.as_secs_f64() / baseline.as_secs_f64();
    Duration::from_secs_f64(ratio * 1e-3 * rounds as f64)
}

/// Runs `rounds` pairs of calls, alternating which goes first, and returns their ratio.
async fn paired<B, BF, C, CF>(rounds: u64, baseline: &B, candidate: &C) -> Duration
where
    B: Fn() -> BF,
    BF: std::future::Future<Output = ()>,
    C: Fn() -> CF,
    CF: std::future::Future<Output = ()>,
{
    let (mut base, mut cand) = (Duration::ZERO, Duration::ZERO);
    for round in 0..rounds {
        let timed_base = async {
            let started = Instant::now();
            baseline().await;
            started.elapsed()
        };
        let timed_cand = async {
            let started = Instant::now();
            candidate().await;
            started.elapsed()
        };
        if round % 2 == 0 {
            base += timed_base.await;
            cand += timed_cand.await;
        } else {
            cand += timed_cand.await;
            base += timed_base.await;
        }
    }
    ratio_as_time(cand, base, rounds)
}

/// [`paired`] for synchronous work.
fn paired_sync(rounds: u64, baseline: impl Fn(), candidate: impl Fn()) -> Duration {
    let (mut base, mut cand) = (Duration::ZERO, Duration::ZERO);
    let time = |work: &dyn Fn()| {
        let started = Instant::now();
        work();
        started.elapsed()
    };
    for round in 0..rounds {
        if round % 2 == 0 {
            base += time(&baseline);
            cand += time(&candidate);
        } else {
            cand += time(&candidate);
            base += time(&baseline);
        }
    }
    ratio_as_time(cand, base, rounds)
}

async fn floor_get<T: serde::de::DeserializeOwned>(http: &reqwest::Client, url: &str) -> T {
    plain::get(http, url, KEY).await
}

/// Where the fixture of a `list_page_100` group runs.
enum Server {
    InProcess(Fixture),
    OutOfProcess(OutOfProcess),
}

impl Server {
    fn start(shape: Shape, out_of_process: bool) -> Self {
        if out_of_process {
            Self::OutOfProcess(OutOfProcess::start(
                env!("CARGO_BIN_EXE_fixture_server"),
                100,
                shape,
            ))
        } else {
            Self::InProcess(Fixture::start_shaped(100, Pages::Prerendered, shape))
        }
    }

    fn base_url(&self) -> &str {
        match self {
            Self::InProcess(fixture) => &fixture.base_url,
            Self::OutOfProcess(server) => &server.base_url,
        }
    }
}

fn list_page(c: &mut Criterion) {
    for shape in [Shape::Heavy, Shape::Light] {
        for out_of_process in [false, true] {
            list_page_against(c, shape, out_of_process);
        }
    }
}

fn list_page_against(c: &mut Criterion, shape: Shape, out_of_process: bool) {
    let server = Server::start(shape, out_of_process);
    let runtime = runtime();
    let facade = client(server.base_url(), 2);
    let http = reqwest::Client::new();
    let url = format!("{}/v1/connectors?limit=100&offset=0", server.base_url());
    let raw = facade.raw();

    let floor_call = || async {
        black_box(floor_get::<PlainPage>(&http, &url).await);
    };
    let raw_call = || async {
        black_box(
            raw.list_connectors()
                .limit(100)
                .offset(0)
                .send()
                .await
                .unwrap(),
        );
    };
    let facade_call = || async {
        black_box(
            facade
                .connectors()
                .list()
                .limit(100)
                .offset(0)
                .send()
                .await
                .unwrap(),
        );
    };

    let place = if out_of_process {
        "out_of_process"
    } else {
        "in_process"
    };
    let mut group = c.benchmark_group(format!("list_page_100/{}/{place}", shape.name()));
    group.throughput(Throughput::Elements(100));
    group.bench_function("baseline_reqwest_serde", |b| {
        b.to_async(&runtime).iter(floor_call)
    });
    group.bench_function("raw", |b| b.to_async(&runtime).iter(raw_call));
    group.bench_function("facade", |b| b.to_async(&runtime).iter(facade_call));
    group.bench_function("ratio_raw", |b| {
        b.to_async(&runtime)
            .iter_custom(|rounds| paired(rounds, &floor_call, &raw_call));
    });
    group.bench_function("ratio_facade", |b| {
        b.to_async(&runtime)
            .iter_custom(|rounds| paired(rounds, &floor_call, &facade_call));
    });
    group.finish();
}

fn decode_page(c: &mut Criterion) {
    for shape in [Shape::Heavy, Shape::Light] {
        let body = fixture::render_page(shape, 100, 100, 0);
        let plain = || {
            black_box(serde_json::from_slice::<PlainPage>(black_box(&body)).unwrap());
        };
        // The facade decodes answers straight into its own types.
        let facade = || {
            black_box(serde_json::from_slice::<ConnectorPage>(black_box(&body)).unwrap());
        };

        let mut group = c.benchmark_group(format!("decode_page_100/{}", shape.name()));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function("baseline_serde_plain", |b| b.iter(plain));
        group.bench_function("facade", |b| b.iter(facade));
        group.bench_function("ratio_facade", |b| {
            b.iter_custom(|rounds| paired_sync(rounds, plain, facade));
        });
        group.finish();
    }
}

fn stream(c: &mut Criterion) {
    const TOTAL: usize = 10_000;
    let fixture = Fixture::start_shaped(TOTAL, Pages::Prerendered, Shape::Heavy);
    let runtime = runtime();
    let facade = client(&fixture.base_url, 2);

    let offset_loop = || async {
        let mut offset = 0;
        let mut seen = 0;
        loop {
            let page = facade
                .connectors()
                .list()
                .limit(100)
                .offset(offset)
                .send()
                .await
                .unwrap();
            let returned = page.connectors.len();
            for connector in page.connectors {
                black_box(connector);
                seen += 1;
            }
            offset += returned as u64;
            if returned < 100 || offset >= page.total_count.unwrap_or(u64::MAX) {
                break;
            }
        }
        assert_eq!(seen, TOTAL);
    };
    let stream = || async {
        let mut connectors = facade.connectors().list().limit(100).stream();
        let mut seen = 0;
        while let Some(connector) = connectors.next().await {
            black_box(connector.unwrap());
            seen += 1;
        }
        assert_eq!(seen, TOTAL);
    };

    let mut group = c.benchmark_group("stream_10k");
    group.throughput(Throughput::Elements(TOTAL as u64));
    group.sample_size(10);
    group.bench_function("baseline_offset_loop", |b| {
        b.to_async(&runtime).iter(offset_loop)
    });
    group.bench_function("stream", |b| b.to_async(&runtime).iter(stream));
    group.bench_function("ratio_stream", |b| {
        b.to_async(&runtime)
            .iter_custom(|rounds| paired(rounds, &offset_loop, &stream));
    });
    group.finish();
}

const CONCURRENT_CALLS: usize = 10_000;
const TASKS: usize = 64;

/// Runs `CONCURRENT_CALLS` calls of `call`, spread over `TASKS` tasks.
async fn spread<F, Fut>(call: Arc<F>) -> Duration
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let call = call.clone();
            tokio::spawn(async move {
                for index in (task..CONCURRENT_CALLS).step_by(TASKS) {
                    call(index).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

/// Runs `calls` calls of `call`, spread over `TASKS` tasks.
async fn spread_n<F, Fut>(calls: usize, call: Arc<F>) -> Duration
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let started = Instant::now();
    let tasks: Vec<_> = (0..TASKS)
        .map(|task| {
            let call = call.clone();
            tokio::spawn(async move {
                for index in (task..calls).step_by(TASKS) {
                    call(index).await;
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    started.elapsed()
}

async fn repeat_spread<F, Fut>(iterations: u64, call: Arc<F>) -> Duration
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let mut total = Duration::ZERO;
    for _ in 0..iterations {
        total += spread(call.clone()).await;
    }
    total
}

fn concurrent_gets(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let floor_fixture = Fixture::start_shaped(1, Pages::Prerendered, Shape::Heavy);
    let facade_fixture = Fixture::start_shaped(1, Pages::Prerendered, Shape::Heavy);
    let http = reqwest::Client::new();
    let floor_base = floor_fixture.base_url.clone();
    let facade = client(&facade_fixture.base_url, 2);

    let floor_call = Arc::new(move |index: usize| {
        let (http, url) = (
            http.clone(),
            format!("{floor_base}/v1/connectors/connector-{index}"),
        );
        async move {
            black_box(floor_get::<PlainGet>(&http, &url).await);
        }
    });
    let facade_call = Arc::new(move |index: usize| {
        let facade = facade.clone();
        async move {
            black_box(
                facade
                    .connectors()
                    .get(format!("connector-{index}"))
                    .send()
                    .await
                    .unwrap(),
            );
        }
    });

    // One round of 10,000 calls on fresh servers: how many connections does it take?
    let (floor_before, facade_before) = (floor_fixture.connections(), facade_fixture.connections());
    runtime.block_on(spread(floor_call.clone()));
    runtime.block_on(spread(facade_call.clone()));
    eprintln!(
        "concurrent_get_10k: TCP connections opened for {CONCURRENT_CALLS} calls from {TASKS} tasks: \
         baseline {}, facade {}",
        floor_fixture.connections() - floor_before,
        facade_fixture.connections() - facade_before
    );

    let mut group = c.benchmark_group("concurrent_get_10k");
    group.throughput(Throughput::Elements(CONCURRENT_CALLS as u64));
    group.sample_size(10);
    group.bench_function("baseline_reqwest_serde", |b| {
        b.to_async(&runtime)
            .iter_custom(|iterations| repeat_spread(iterations, floor_call.clone()));
    });
    group.bench_function("facade", |b| {
        b.to_async(&runtime)
            .iter_custom(|iterations| repeat_spread(iterations, facade_call.clone()));
    });
    let floor_round = || async {
        spread(floor_call.clone()).await;
    };
    let facade_round = || async {
        spread(facade_call.clone()).await;
    };
    group.bench_function("ratio_facade", |b| {
        b.to_async(&runtime)
            .iter_custom(|rounds| paired(rounds, &floor_round, &facade_round));
    });
    group.finish();
}

fn retries(c: &mut Criterion) {
    let fixture = Fixture::start_shaped(1, Pages::Prerendered, Shape::Heavy);
    let runtime = runtime();
    let without = client(&fixture.base_url, 0);
    let with = client(&fixture.base_url, 2);
    let get_without = || async {
        black_box(
            without
                .connectors()
                .get("connector-1")
                .send()
                .await
                .unwrap(),
        );
    };
    let get_with = || async {
        black_box(with.connectors().get("connector-1").send().await.unwrap());
    };

    let mut group = c.benchmark_group("get_retries");
    group.bench_function("baseline_max_retries_0", |b| {
        b.to_async(&runtime).iter(get_without)
    });
    group.bench_function("max_retries_2", |b| b.to_async(&runtime).iter(get_with));
    group.bench_function("ratio_max_retries_2", |b| {
        b.to_async(&runtime)
            .iter_custom(|rounds| paired(rounds, &get_without, &get_with));
    });
    group.finish();
}

/// What a call to the emulator costs when it holds 50,000 connectors: a page is O(limit)
/// wherever it starts, so a deep page costs what the first does.
fn emulator(c: &mut Criterion) {
    const HELD: usize = 50_000;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(Emulator::builder().seed(HELD).start())
        .unwrap();
    let client = emulator.client().unwrap();
    let page = |limit: u32, offset: u64| {
        let client = client.clone();
        move || {
            let client = client.clone();
            async move {
                black_box(
                    client
                        .connectors()
                        .list()
                        .limit(limit)
                        .offset(offset)
                        .send()
                        .await
                        .unwrap(),
                );
            }
        }
    };
    let mut group = c.benchmark_group("emulator_50k");
    group.bench_function("list_limit_1_first", |b| {
        b.to_async(&runtime).iter(page(1, 0))
    });
    group.bench_function("list_limit_1_deep", |b| {
        b.to_async(&runtime).iter(page(1, HELD as u64 - 10))
    });
    group.bench_function("list_limit_100_first", |b| {
        b.to_async(&runtime).iter(page(100, 0))
    });
    group.bench_function("list_limit_100_deep", |b| {
        b.to_async(&runtime).iter(page(100, HELD as u64 - 100))
    });
    group.bench_function("create_then_delete", |b| {
        b.to_async(&runtime).iter(|| async {
            let created = client
                .connectors()
                .create("Bench connector", "https://bench.example.com/search")
                .send()
                .await
                .unwrap();
            client
                .connectors()
                .delete(&created.id)
                .send()
                .await
                .unwrap();
        })
    });
    group.finish();
}

const SMALL_CALLS: usize = 640;

/// `get`, `update` and `delete` of one heavy connector from 64 tasks, against the fixture in
/// another process (so that the server's work and allocations are not the client's): the
/// facade against a hand-written reqwest + serde_json client, paired in each sample.
fn small_calls(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = OutOfProcess::start(env!("CARGO_BIN_EXE_fixture_server"), 1, Shape::Heavy);
    let bare = reqwest::Client::new();
    let same_wire = same_wire_client();
    let facade = client(&server.base_url, 2);
    let base = server.base_url.clone();
    for kind in ["get", "update", "delete"] {
        let floor_call_with = |http: &reqwest::Client| {
            let (http, base) = (http.clone(), base.clone());
            Arc::new(move |index: usize| {
                let (http, url) = (
                    http.clone(),
                    format!("{base}/v1/connectors/connector-{index}"),
                );
                async move {
                    match kind {
                        "get" => {
                            black_box(floor_get::<PlainGet>(&http, &url).await);
                        }
                        "update" => {
                            let body = PlainUpdate { active: false };
                            black_box(plain::patch(&http, &url, KEY, &body).await);
                        }
                        _ => plain::delete(&http, &url, KEY).await,
                    }
                }
            })
        };
        let facade_call = {
            let facade = facade.clone();
            Arc::new(move |index: usize| {
                let connectors = facade.connectors();
                async move {
                    let id = format!("connector-{index}");
                    match kind {
                        "get" => {
                            black_box(connectors.get(id).send().await.unwrap());
                        }
                        "update" => {
                            black_box(connectors.update(id).active(false).send().await.unwrap());
                        }
                        _ => connectors.delete(id).send().await.unwrap(),
                    }
                }
            })
        };
        let (floor_call, same_wire_call) = (floor_call_with(&bare), floor_call_with(&same_wire));
        let floor_round = || async {
            spread_n(SMALL_CALLS, floor_call.clone()).await;
        };
        let same_wire_round = || async {
            spread_n(SMALL_CALLS, same_wire_call.clone()).await;
        };
        let facade_round = || async {
            spread_n(SMALL_CALLS, facade_call.clone()).await;
        };
        let mut group = c.benchmark_group(format!("small_calls_64/{kind}"));
        group.throughput(Throughput::Elements(SMALL_CALLS as u64));
        group.sample_size(20);
        group.bench_function("baseline_reqwest_serde", |b| {
            b.to_async(&runtime).iter(floor_round)
        });
        group.bench_function("facade", |b| b.to_async(&runtime).iter(facade_round));
        group.bench_function("ratio_facade", |b| {
            b.to_async(&runtime)
                .iter_custom(|rounds| paired(rounds, &floor_round, &facade_round));
        });
        group.bench_function("ratio_facade_same_wire", |b| {
            b.to_async(&runtime)
                .iter_custom(|rounds| paired(rounds, &same_wire_round, &facade_round));
        });
        group.finish();
    }
}

/// A hand-written client that sends what the facade sends and bounds an attempt as it does:
/// its `User-Agent` and `Accept: application/json` on every request, the same 60 s timeout
/// on every attempt, no redirects. Beside the bare client, it tells the cost of those
/// features (bytes on the wire, a timer per attempt) from the facade's own.
fn same_wire_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ACCEPT,
        reqwest::header::HeaderValue::from_static("application/json"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        // The facade's, byte for byte (the SDK's version, not this package's 0.0.0).
        .user_agent("cohere-connectors-rust/0.1.0")
        .timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = list_page, decode_page, stream, concurrent_gets, retries, emulator, small_calls
}
criterion_main!(benches);
