//! Cohere's Python SDK 5 (`cohere.ClientV2`), an independent client, against `/v2/chat`: a
//! tool-call turn, tool results and their cited answer, documents, `chat_stream` (its events
//! put together must be the answer `chat` gave) and a refusal it must raise as
//! `BadRequestError` (`tests/python/cohere5_chat.py`).
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `COHERE5_PYTHON` (see [`PythonClient`]).

use std::path::Path;

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::python::PythonClient;
use cohere_connectors_testing::upstream::assert_conforms;

#[tokio::test]
async fn cohere_python_sdk_5_runs_a_tool_loop_and_streams() {
    let Some(python) = PythonClient::from_env("COHERE5_PYTHON", "cohere>=5,<6") else {
        return;
    };
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/cohere5_chat.py");
    let args = [
        emulator.base_url().to_owned(),
        emulator.api_key().to_owned(),
    ];
    tokio::task::spawn_blocking(move || python.run(&script, &args))
        .await
        .unwrap();
    // The refusal it raised, in the API's error shape; the other answers are checked by the
    // script and, for their shapes, by the chat tests.
    let journal = emulator.journal();
    assert!(journal.iter().any(|exchange| exchange.status == 400));
    assert_conforms(&journal);
}
