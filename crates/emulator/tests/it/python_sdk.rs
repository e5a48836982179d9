//! Cohere's own Python SDK 4.x, an independent client, against the emulator: every connector
//! call it makes must succeed (its timestamp parser takes at most six fractional digits, and
//! it authorizes with GET).
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `COHERE4_PYTHON` (see [`PythonClient`]).

use std::path::Path;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::python::PythonClient;
use cohere_connectors_testing::upstream::assert_conforms;

#[tokio::test]
async fn cohere_python_sdk_4_makes_every_connector_call() {
    let Some(python) = PythonClient::from_env("COHERE4_PYTHON", "cohere>=4,<5") else {
        return;
    };
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/cohere4_connectors.py");
    let args = [
        emulator.base_url().to_owned(),
        emulator.api_key().to_owned(),
    ];
    tokio::task::spawn_blocking(move || python.run(&script, &args))
        .await
        .unwrap();
    assert_conforms(&emulator.journal());
}
