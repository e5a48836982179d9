//! Cohere's own Python SDK 4.x, an independent client, against the emulator: every connector
//! call it makes must succeed (its timestamp parser takes at most six fractional digits, and
//! it authorizes with GET).
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `COHERE4_PYTHON`. Without it the test is skipped with a printed reason; in CI (`CI` set)
//! its absence is a failure.

use std::path::Path;
use std::process::Command;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::assert_conforms;

#[tokio::test]
async fn cohere_python_sdk_4_makes_every_connector_call() {
    let Some(python) = std::env::var_os("COHERE4_PYTHON") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set COHERE4_PYTHON to a Python with cohere 4.x installed"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: set COHERE4_PYTHON to a Python with `cohere>=4,<5` to run Cohere's Python SDK against the emulator\n",
        );
        return;
    };
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/cohere4_connectors.py");
    let (base_url, key) = (
        emulator.base_url().to_owned(),
        emulator.api_key().to_owned(),
    );
    let output = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .args([base_url, key])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "the Python SDK failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok"));
    assert_conforms(&emulator.journal());
}
