//! `call_profile CLIENT SHAPE CALLS`: makes CALLS `list(limit=100)` calls with CLIENT
//! (`floor`, `raw` or `facade`; `floor-get` and `facade-get` for `get` of one connector,
//! `floor-update`/`facade-update` and `floor-delete`/`facade-delete` for the other small calls)
//! against the fixture in another process, for a profiler:
//!
//! ```sh
//! valgrind --tool=callgrind target/release/call_profile facade heavy 200
//! ```
//!
//! Instructions per call are `(Ir(CALLS) - Ir(0)) / CALLS`, which counts neither the start-up
//! nor the server.
#![forbid(unsafe_code)]

use cohere_connectors::Client;
use cohere_connectors_benches::fixture::{OutOfProcess, Shape};
use cohere_connectors_benches::plain::{self, PlainGet, PlainPage, PlainUpdate};

fn main() {
    let mut args = std::env::args().skip(1);
    let client = args.next().unwrap_or_else(|| "facade".into());
    let shape = args
        .next()
        .as_deref()
        .and_then(Shape::parse)
        .unwrap_or(Shape::Heavy);
    let calls: usize = args
        .next()
        .and_then(|calls| calls.parse().ok())
        .unwrap_or(100);
    let server_binary = std::env::current_exe()
        .expect("the profiler's path")
        .with_file_name("fixture_server");
    let server = OutOfProcess::start(server_binary.to_str().unwrap(), 100, shape);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let url = format!("{}/v1/connectors?limit=100&offset=0", server.base_url);
    let one_url = format!("{}/v1/connectors/connector-1", server.base_url);
    let http = reqwest::Client::new();
    let facade = Client::builder()
        .api_key("profile")
        .base_url(&server.base_url)
        .build()
        .unwrap();
    runtime.block_on(async {
        // One call of each first, so that connections and lazy statics exist before counting.
        plain::get::<PlainPage>(&http, &url, "profile").await;
        facade
            .connectors()
            .list()
            .limit(100)
            .offset(0)
            .send()
            .await
            .unwrap();
        plain::get::<PlainGet>(&http, &one_url, "profile").await;
        facade.connectors().get("connector-1").send().await.unwrap();
        let update = PlainUpdate { active: false };
        plain::patch(&http, &one_url, "profile", &update).await;
        plain::delete(&http, &one_url, "profile").await;
        let facade_update = || facade.connectors().update("connector-1").active(false);
        facade_update().send().await.unwrap();
        facade
            .connectors()
            .delete("connector-1")
            .send()
            .await
            .unwrap();
        for _ in 0..calls {
            match client.as_str() {
                "floor-update" => {
                    std::hint::black_box(plain::patch(&http, &one_url, "profile", &update).await);
                }
                "facade-update" => {
                    std::hint::black_box(facade_update().send().await.unwrap());
                }
                "floor-delete" => plain::delete(&http, &one_url, "profile").await,
                "facade-delete" => {
                    facade
                        .connectors()
                        .delete("connector-1")
                        .send()
                        .await
                        .unwrap();
                }
                "floor-get" => {
                    std::hint::black_box(plain::get::<PlainGet>(&http, &one_url, "profile").await);
                }
                "facade-get" => {
                    std::hint::black_box(
                        facade.connectors().get("connector-1").send().await.unwrap(),
                    );
                }
                "floor" => {
                    std::hint::black_box(plain::get::<PlainPage>(&http, &url, "profile").await);
                }
                "raw" => {
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
                }
                _ => {
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
                }
            }
        }
    });
}
