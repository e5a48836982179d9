//! Cohere's Python SDK 5 (`cohere.ClientV2`), an independent client, against `/v2/chat`: a
//! tool-call turn, tool results and their cited answer, documents, `chat_stream` (its events
//! put together must be the answer `chat` gave) and a refusal it must raise as
//! `BadRequestError` (`tests/python/cohere5_chat.py`).
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `COHERE5_PYTHON`. Without it the test is skipped with a printed reason; in CI (`CI` set)
//! its absence is a failure.

use std::path::Path;
use std::process::Command;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::assert_conforms;

#[tokio::test]
async fn cohere_python_sdk_5_runs_a_tool_loop_and_streams() {
    let Some(python) = std::env::var_os("COHERE5_PYTHON") else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set COHERE5_PYTHON to a Python with cohere 5.x installed"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: set COHERE5_PYTHON to a Python with `cohere>=5,<6` to run Cohere's Python SDK 5 against the emulator's chat\n",
        );
        return;
    };
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/cohere5_chat.py");
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
    // The refusal it raised, in the API's error shape; the other answers are checked by the
    // script and, for their shapes, by the chat tests.
    let journal = emulator.journal();
    assert!(journal.iter().any(|exchange| exchange.status == 400));
    assert_conforms(&journal);
}
