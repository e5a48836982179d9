//! What every test uses: an emulator on a runtime of its own, the binary, and readers of
//! what it printed.

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector};

pub const KEY: &str = "cli-test-key-0123";
pub const TOKEN: &str = "cli-service-token-0123456789";

/// Every variable the tool reads, so that the developer's environment never leaks into a
/// test.
const VARIABLES: [&str; 6] = [
    "CO_API_KEY",
    "COHERE_API_KEY",
    "CO_API_URL",
    "COHERE_CONNECTORS_ALLOW_INSECURE_HTTP",
    "NO_COLOR",
    "CLICOLOR_FORCE",
];

/// The binary, with a clean environment.
pub fn binary() -> Command {
    let mut command = Command::cargo_bin("cohere-connectors").unwrap();
    for name in VARIABLES {
        command.env_remove(name);
    }
    command
}

/// An emulator on a runtime of its own, so that the test can block on the binary.
pub struct Setup {
    pub runtime: tokio::runtime::Runtime,
    pub emulator: Emulator,
    pub dir: PathBuf,
}

impl Setup {
    pub fn new(seed: usize) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(Emulator::builder().api_key(KEY).seed(seed).start())
            .unwrap();
        let dir = std::env::temp_dir().join(format!(
            "cc-cli-{}-{}",
            std::process::id(),
            emulator.base_url().rsplit(':').next().unwrap()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            runtime,
            emulator,
            dir,
        }
    }

    /// The binary, pointed at the emulator.
    pub fn cli(&self) -> Command {
        let mut command = binary();
        command
            .env("CO_API_URL", self.emulator.base_url())
            .env("CO_API_KEY", KEY);
        command
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cli().args(args).output().unwrap()
    }

    pub fn file(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    pub fn connector(&self, access: Access) -> RunningConnector {
        self.runtime
            .block_on(
                ConnectorService::new(access, |request, _| async move {
                    Ok(vec![
                        Document::new()
                            .with_id("1")
                            .with_title("Hit")
                            .with_text(request.query)
                            .with_url("https://e.example.com/1")
                            .with_timestamp("2024-01-01T00:00:00Z"),
                    ])
                })
                .bind("127.0.0.1:0"),
            )
            .unwrap()
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

pub fn code(output: &Output) -> i32 {
    output.status.code().unwrap()
}
