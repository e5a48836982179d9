//! The README's CI snippet, run as a CI job would run it (`sh -e`, the tool on PATH): it
//! passes when nothing changes and when the plan has changes, and fails on every failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::setup::{KEY, Setup, code, stderr, stdout};

const MARKER: &str = "<!-- snippet: plan-in-ci -->";

/// The shell block after the marker in the workspace README: the text users copy.
fn snippet() -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let after = &text[text.find(MARKER).expect("the README marks its CI snippet")..];
    let block = after.split("```sh\n").nth(1).unwrap();
    block[..block.find("```").unwrap()].to_owned()
}

fn run_snippet(setup: &Setup, dir: &Path, key: &str) -> Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_cohere-connectors"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-e", "-c", &snippet()])
        .current_dir(dir)
        .env("PATH", path)
        .env("CO_API_URL", setup.emulator.base_url())
        .env("CO_API_KEY", key)
        .env_remove("COHERE_API_KEY")
        .output()
        .unwrap()
}

#[test]
fn the_readme_ci_snippet_passes_on_0_and_2_and_fails_on_every_failure() {
    let setup = Setup::new(3);
    let dir = &setup.dir;
    let manifest = dir.join("connectors.json");
    assert_eq!(
        code(&setup.run(&["export", "-o", manifest.to_str().unwrap()])),
        0
    );

    let same = run_snippet(&setup, dir, KEY);
    assert_eq!(code(&same), 0, "{}", stderr(&same));
    assert!(
        stdout(&same).ends_with("the account matches connectors.json\n"),
        "{}",
        stdout(&same)
    );

    setup.runtime.block_on(async {
        let client = setup.emulator.client().unwrap();
        client
            .connectors()
            .update("sample-connector-3")
            .url("https://moved.example.com/search")
            .send()
            .await
            .unwrap();
    });
    let differs = run_snippet(&setup, dir, KEY);
    assert_eq!(code(&differs), 0, "{}", stderr(&differs));
    assert!(
        stdout(&differs)
            .ends_with("the account differs from connectors.json: apply will change it\n"),
        "{}",
        stdout(&differs)
    );

    // A wrong key, a missing manifest, an unreachable API: exit 1 from the tool, red CI.
    let wrong_key = run_snippet(&setup, dir, "not-the-key-0");
    assert_ne!(code(&wrong_key), 0, "{}", stderr(&wrong_key));
    assert!(stderr(&wrong_key).contains("cohere-connectors plan failed (exit 1)"));
    std::fs::remove_file(&manifest).unwrap();
    let missing = run_snippet(&setup, dir, KEY);
    assert_ne!(code(&missing), 0);
}
