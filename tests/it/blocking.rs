//! The blocking client: the same operations without a runtime, an iterator for the stream,
//! waiting where async code may block (`spawn_blocking`, `block_in_place`), and an error (not
//! a panic, not a stall) in a task of an async runtime.
#![cfg(feature = "blocking")]

use std::time::Duration;

use cohere_connectors::{Client, Error, blocking};
use cohere_connectors_emulator::Emulator;

/// An emulator served by a runtime of its own, as a user's other process would be.
fn emulator(seed: usize) -> (tokio::runtime::Runtime, Emulator) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::builder().seed(seed).start())
        .unwrap();
    (runtime, emulator)
}

fn blocking_client(emulator: &Emulator) -> blocking::Client {
    Client::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .retry_base_delay(Duration::from_millis(1))
        .build_blocking()
        .unwrap()
}

#[test]
fn every_operation_works_without_a_runtime() {
    let (_runtime, emulator) = emulator(0);
    let client = blocking_client(&emulator);
    let connectors = client.connectors();
    let created = connectors
        .create("Wiki", "https://wiki.example.com/search")
        .excludes(["author"])
        .send()
        .unwrap();
    assert_eq!(created.id, "wiki");
    assert_eq!(connectors.get("wiki").send().unwrap(), created);
    let updated = connectors.update("wiki").active(false).send().unwrap();
    assert_eq!(updated.active, Some(false));
    let answer = connectors.list().limit(10).send_with_meta().unwrap();
    assert_eq!((answer.meta().status(), answer.connectors.len()), (200, 1));
    let error = connectors.authorize_oauth("wiki").send().unwrap_err();
    assert_eq!(error.status(), Some(400), "not an OAuth connector: {error}");
    connectors.delete("wiki").max_retries(0).send().unwrap();
    assert!(connectors.get("wiki").send().unwrap_err().is_not_found());
}

#[test]
fn the_stream_is_an_iterator_and_clones_share_the_runtime() {
    let (_runtime, emulator) = emulator(250);
    let client = blocking_client(&emulator);
    let clone = client.clone();
    let ids: Vec<String> = clone
        .connectors()
        .list()
        .limit(100)
        .iter()
        .map(|connector| connector.unwrap().id.into_string())
        .collect();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[0], "sample-connector-250");
    let sizes: Vec<usize> = client
        .connectors()
        .list()
        .limit(100)
        .pages()
        .map(|page| page.unwrap().connectors.len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
    drop(client);
    assert_eq!(
        clone
            .connectors()
            .list()
            .limit(0)
            .send()
            .unwrap()
            .total_count,
        Some(250)
    );
}

#[test]
fn threads_share_one_client() {
    let (_runtime, emulator) = emulator(5);
    let client = blocking_client(&emulator);
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            std::thread::spawn(move || client.connectors().list().send().unwrap().connectors.len())
        })
        .collect();
    for handle in handles {
        assert_eq!(handle.join().unwrap(), 5);
    }
}

#[test]
fn an_error_ends_the_iterator() {
    let (_runtime, emulator) = emulator(3);
    emulator.faults().fail_next(5, 500);
    let client = blocking_client(&emulator);
    let items: Vec<_> = client.connectors().list().max_retries(0).iter().collect();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().status(), Some(500));
}

#[tokio::test]
async fn inside_an_async_runtime_it_returns_an_error_and_drops_cleanly() {
    let emulator = Emulator::builder().seed(1).start().await.unwrap();
    let client = Client::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .build_blocking()
        .unwrap();
    let error = client.connectors().list().send().unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(
        error.to_string().contains("inside an async runtime"),
        "{error}"
    );
    let mut items = client.connectors().list().iter();
    assert!(matches!(items.next(), Some(Err(Error::Config { .. }))));
    assert!(items.next().is_none());
    drop(client);
}

/// A blocking client for an emulator served by the calling test's own runtime: if the call
/// stalled that runtime, the emulator could not answer and the test would hang.
async fn client_on_this_runtime(seed: usize) -> (Emulator, blocking::Client) {
    let emulator = Emulator::builder().seed(seed).start().await.unwrap();
    let client = Client::builder()
        .api_key(emulator.api_key())
        .base_url(emulator.base_url())
        .build_blocking()
        .unwrap();
    (emulator, client)
}

#[tokio::test]
async fn inside_spawn_blocking_of_a_current_thread_runtime_it_waits() {
    let (_emulator, client) = client_on_this_runtime(3).await;
    let (listed, ids) = tokio::task::spawn_blocking(move || {
        let listed = client
            .connectors()
            .list()
            .send()
            .map(|page| page.connectors.len());
        let ids: Vec<String> = client
            .connectors()
            .list()
            .limit(2)
            .iter()
            .map(|connector| connector.unwrap().id.into_string())
            .collect();
        (listed, ids)
    })
    .await
    .unwrap();
    assert_eq!(listed.unwrap(), 3);
    assert_eq!(ids.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_spawn_blocking_and_block_in_place_of_a_multi_thread_runtime_it_waits() {
    let (_emulator, client) = client_on_this_runtime(2).await;
    let in_pool = client.clone();
    let pages = tokio::task::spawn_blocking(move || in_pool.connectors().list().pages().count())
        .await
        .unwrap();
    assert_eq!(pages, 1);
    let got = tokio::task::block_in_place(|| client.connectors().get("sample-connector-1").send());
    assert_eq!(got.unwrap().id, "sample-connector-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn in_a_task_on_a_worker_thread_it_returns_an_error() {
    let (_emulator, client) = client_on_this_runtime(1).await;
    let (send, first_item) = tokio::spawn(async move {
        let send = client.connectors().list().send();
        let first_item = client.connectors().list().iter().next();
        (send, first_item)
    })
    .await
    .unwrap();
    let error = send.unwrap_err();
    assert!(matches!(error, Error::Config { .. }), "{error:?}");
    assert!(error.to_string().contains("spawn_blocking"), "{error}");
    assert!(matches!(first_item, Some(Err(Error::Config { .. }))));
}

#[test]
fn in_a_local_set_it_returns_an_error() {
    let (_runtime, emulator) = emulator(1);
    let client = blocking_client(&emulator);
    let local = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = tokio::task::LocalSet::new().block_on(&local, async move {
        tokio::task::spawn_local(async move { client.connectors().list().send() })
            .await
            .unwrap()
    });
    assert!(matches!(outcome, Err(Error::Config { .. })), "{outcome:?}");
}
