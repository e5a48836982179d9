//! The README's CI snippets, run as CI jobs would run them (`sh -e`, the tool on PATH): the
//! pull request job passes when nothing changes and when the plan has changes, and fails on
//! every failure; the deploy job applies the plan it saved, once, and fails when the account
//! changed since.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::setup::{KEY, Setup, code, stderr, stdout};

/// The pull request job: plan, save the plan, gate.
const PLAN: &str = "<!-- snippet: plan-in-ci -->";
/// The deploy job: apply the saved plan.
const APPLY: &str = "<!-- snippet: apply-in-cd -->";

/// The shell block after `marker` in the workspace README: the text users copy.
fn snippet(marker: &str) -> String {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md");
    let text = std::fs::read_to_string(readme).unwrap();
    let after = &text[text.find(marker).expect("the README marks its CI snippets")..];
    let block = after.split("```sh\n").nth(1).unwrap();
    block[..block.find("```").unwrap()].to_owned()
}

fn run_snippet(setup: &Setup, dir: &Path, key: &str) -> Output {
    run(PLAN, setup, dir, key)
}

fn run(marker: &str, setup: &Setup, dir: &Path, key: &str) -> Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_cohere-connectors"));
    let path = format!(
        "{}:{}",
        binary.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new("sh")
        .args(["-e", "-c", &snippet(marker)])
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

    // The deploy job applies the plan the pull request job saved: once.
    let deployed = run(APPLY, &setup, dir, KEY);
    assert_eq!(code(&deployed), 0, "{}", stderr(&deployed));
    assert_eq!(
        stdout(&deployed).lines().last(),
        Some("updated sample-connector-3: url")
    );
    let again = run(APPLY, &setup, dir, KEY);
    assert_eq!(
        code(&again),
        1,
        "the account changed since: {}",
        stderr(&again)
    );
    assert!(
        stderr(&again).starts_with("error: the account changed since the plan: "),
        "{}",
        stderr(&again)
    );
    let same = run_snippet(&setup, dir, KEY);
    assert!(
        stdout(&same).ends_with("the account matches connectors.json\n"),
        "{}",
        stdout(&same)
    );

    // A wrong key, a missing manifest, an unreachable API: exit 1 from the tool, red CI.
    let wrong_key = run_snippet(&setup, dir, "not-the-key-0");
    assert_ne!(code(&wrong_key), 0, "{}", stderr(&wrong_key));
    assert!(stderr(&wrong_key).contains("cohere-connectors plan failed (exit 1)"));
    std::fs::remove_file(&manifest).unwrap();
    let missing = run_snippet(&setup, dir, KEY);
    assert_ne!(code(&missing), 0);
}
