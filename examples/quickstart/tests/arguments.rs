//! The quickstart takes no arguments: `--help` answers with the usage, anything else is
//! refused (exit 2, the argument escaped), and nothing runs either way.

use std::process::Command;

fn quickstart(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_quickstart"))
        .args(args)
        .env_remove("CO_API_KEY")
        .output()
        .unwrap()
}

#[test]
fn help_prints_the_usage_and_runs_nothing() {
    for flag in ["--help", "-h"] {
        let output = quickstart(&[flag]);
        assert_eq!(output.status.code(), Some(0), "{flag}");
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            stdout.contains("Usage: cargo run -p cohere-connectors-quickstart"),
            "{stdout}"
        );
        assert!(!stdout.contains("emulator at"), "{stdout}");
    }
}

#[test]
fn any_other_argument_is_refused_escaped_and_nothing_runs() {
    for argument in ["--bogus", "list", "\u{1b}]0;title\u{7}\u{202e}x"] {
        let output = quickstart(&[argument]);
        assert_eq!(output.status.code(), Some(2), "{argument:?}");
        assert!(output.stdout.is_empty(), "{argument:?}");
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains("unexpected argument"), "{stderr}");
        // Controls and bidi overrides reach the terminal as escapes, never as themselves.
        assert!(
            !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
            "{stderr:?}"
        );
    }
}
