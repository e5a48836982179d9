//! The help, as reviewed, and usage lines that show only what was typed.

use std::path::PathBuf;

use super::setup::{binary, code, stderr, stdout};

#[test]
fn the_help_text_is_the_one_reviewed() {
    for (args, file) in [
        (&["--help"][..], "help.txt"),
        (&["plan", "--help"][..], "plan-help.txt"),
        (&["apply", "--help"][..], "apply-help.txt"),
        (&["update", "--help"][..], "update-help.txt"),
        (&["emulator", "--help"][..], "emulator-help.txt"),
        (&["chat", "--help"][..], "chat-help.txt"),
    ] {
        let output = binary()
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0);
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/snapshots")
            .join(file);
        let help = stdout(&output);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &help).unwrap();
        }
        let reviewed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            help, reviewed,
            "{file} changed: review it, then run with UPDATE_SNAPSHOTS=1"
        );
    }
}

/// clap shows a flag it took from the environment in a usage line as if it had been typed
/// (and as if it were required): the tool reads its variables itself.
#[test]
fn usage_lines_show_what_was_typed_not_the_environment() {
    for (args, usage) in [
        (&["get"][..], "Usage: cohere-connectors get <ID>"),
        (
            &["create", "--name", "x"][..],
            "Usage: cohere-connectors create --name <NAME> --url <URL>",
        ),
        (
            &["list", "--json", "--jsonl"][..],
            "Usage: cohere-connectors list --json",
        ),
    ] {
        let output = binary()
            .env("CO_API_KEY", "from-the-environment-123")
            .env("CO_API_URL", "http://127.0.0.1:9")
            .env("COHERE_CONNECTORS_ALLOW_INSECURE_HTTP", "1")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(code(&output), 64);
        let text = stderr(&output);
        let line = text
            .lines()
            .find(|line| line.starts_with("Usage:"))
            .unwrap_or_default();
        assert_eq!(line, usage, "{text}");
    }
}

/// The emulator's flags are defined once: the subcommand takes the binary's, with the same
/// checks.
#[test]
fn the_emulator_subcommand_takes_the_binary_s_flags() {
    for args in [
        &["emulator", "--seed", "100001"][..],
        &["emulator", "--max-connections", "0"][..],
        &["emulator", "--header-timeout-ms", "0"][..],
        &["emulator", "--api-key", " "][..],
        &["emulator", "--addr", "nowhere"][..],
    ] {
        let output = binary().args(args).output().unwrap();
        assert_eq!(code(&output), 64, "{args:?}: {}", stderr(&output));
    }
    // A value without its flag may be a key: it is not echoed.
    let stray = binary()
        .args(["emulator", "sk-live-0123456789"])
        .output()
        .unwrap();
    assert_eq!(code(&stray), 64);
    assert!(!stderr(&stray).contains("sk-live"), "{}", stderr(&stray));
    assert!(
        stderr(&stray).starts_with("error: unexpected argument (a value without its flag?)"),
        "{}",
        stderr(&stray)
    );
}
