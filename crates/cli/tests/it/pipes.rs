//! Pipes and missing terminals: a reader that stops reading (`| head -c1`), a stdout that
//! is full, a closed stdin, no TTY anywhere. No panic, and the exit code the README
//! documents.

use std::io::Read;
use std::process::{Command, Output, Stdio};

use serde_json::json;

use super::setup::{KEY, Setup, binary, code, stderr};

const BINARY: &str = env!("CARGO_BIN_EXE_cohere-connectors");

/// The binary pointed at `setup`, as a plain std command (its stdout is set by each test).
fn command(setup: &Setup, args: &[&str]) -> Command {
    let mut command = Command::new(BINARY);
    command
        .args(args)
        .env_remove("COHERE_API_KEY")
        .env_remove("NO_COLOR")
        .env("CO_API_URL", setup.emulator.base_url())
        .env("CO_API_KEY", KEY)
        .stdin(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// A pipe whose reader is gone: every write to it fails with a broken pipe.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

/// Runs with a stdout whose reader is gone before the first byte.
fn with_closed_stdout(mut command: Command) -> Output {
    command.stdout(closed_pipe()).output().unwrap()
}

/// Runs as `| head -c1` does: one byte read, then the reader goes.
fn like_head_c1(mut command: Command) -> Output {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0_u8; 1];
    let _ = stdout.read(&mut byte);
    drop(stdout);
    child.wait_with_output().unwrap()
}

fn assert_quiet_exit(case: &str, output: &Output, codes: &[i32]) {
    let text = stderr(output);
    assert!(!text.contains("panicked"), "{case}: {text}");
    assert!(
        codes.contains(&code(output)),
        "{case}: exit {} not in {codes:?}: {text}",
        code(output)
    );
}

#[test]
fn every_command_stops_quietly_when_the_reader_goes_away() {
    let setup = Setup::new(150);
    let same = setup.dir.join("same.json");
    assert_eq!(
        code(&setup.run(&["export", "-o", same.to_str().unwrap()])),
        0
    );
    let differs = setup.file(
        "differs.json",
        &json!({"version": 1, "connectors": [{"name": "Only", "url": "https://only.example/search"}]})
            .to_string(),
    );
    let differs = differs.to_str().unwrap();
    let same = same.to_str().unwrap();
    let good = setup.connector(cohere_connectors_kit::server::Access::open());
    let good = good.url();
    let chat = setup.file(
        "chat.json",
        &json!({"version": 1, "connectors": [{"id": "wiki", "name": "Wiki", "url": good}]})
            .to_string(),
    );
    let chat = chat.to_str().unwrap();

    // (arguments, exit code with a closed stdout, exit codes with `| head -c1`)
    let mut cases: Vec<(Vec<String>, i32, Vec<i32>)> = Vec::new();
    let mut case = |args: &[&str], closed: i32, head: &[i32]| {
        cases.push((
            args.iter().map(|arg| (*arg).to_owned()).collect(),
            closed,
            head.to_vec(),
        ));
    };
    // Read-only commands first: the plans compare with the account as exported.
    case(&["plan", "-f", same], 0, &[0]);
    // The code says what the plan found, however much of it was read.
    case(&["plan", "-f", differs, "--prune"], 2, &[2]);
    case(&["plan", "-f", differs, "--prune", "--json"], 2, &[2]);
    // A plan saved is saved whoever reads stdout, with plan's code.
    let saved_same = setup.dir.join("saved-same.json");
    let saved_differs = setup.dir.join("saved-differs.json");
    case(
        &["plan", "-f", same, "-o", saved_same.to_str().unwrap()],
        0,
        &[0],
    );
    case(
        &[
            "plan",
            "-f",
            differs,
            "--prune",
            "-o",
            saved_differs.to_str().unwrap(),
        ],
        2,
        &[2],
    );
    case(&["list"], 0, &[0]);
    case(&["list", "--json"], 0, &[0]);
    case(&["list", "--jsonl"], 0, &[0]);
    case(&["get", "sample-connector-1"], 0, &[0]);
    case(&["get", "sample-connector-1", "--json"], 0, &[0]);
    case(&["export"], 0, &[0]);
    case(&["schema"], 0, &[0]);
    case(&["authorize", "sample-connector-2"], 0, &[0]);
    case(&["update", "sample-connector-2", "--inactive"], 0, &[0]);
    case(&["check", &good], 0, &[0]);
    case(
        &["check", "http://127.0.0.1:9/search", "--timeout", "2"],
        1,
        &[1],
    );
    // A chat's answer, its JSON and its stream, to a reader that goes away.
    case(&["chat", "-f", chat, "tea?"], 0, &[0]);
    case(&["chat", "-f", chat, "tea?", "--json"], 0, &[0]);
    case(&["chat", "-f", chat, "tea?", "--stream"], 0, &[0]);
    case(&["--help"], 0, &[0]);
    case(&["plan", "--help"], 0, &[0]);
    case(&["--version"], 0, &[0]);
    case(&["bogus"], 64, &[64]);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        case(&["completions", shell], 0, &[0]);
    }
    for (args, closed, head) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let case = args.join(" ");
        assert_quiet_exit(
            &case,
            &with_closed_stdout(command(&setup, &args)),
            &[*closed],
        );
        assert_quiet_exit(&case, &like_head_c1(command(&setup, &args)), head);
    }
    for saved in [&saved_same, &saved_differs] {
        let plan: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
        assert_eq!(plan["format"], "cohere-connectors plan");
    }
    // A saved plan applied with no one reading: a failure (the account changed since) still
    // ends as documented, its report written to no one.
    assert_eq!(
        code(&setup.run(&[
            "update",
            "sample-connector-3",
            "--url",
            "https://x.example/s"
        ])),
        0
    );
    let stale = saved_differs.to_str().unwrap();
    for (output, json) in [
        (
            with_closed_stdout(command(&setup, &["apply", stale, "--yes", "--json"])),
            true,
        ),
        (
            like_head_c1(command(&setup, &["apply", stale, "--yes", "--json"])),
            true,
        ),
        (
            like_head_c1(command(&setup, &["apply", stale, "--yes"])),
            false,
        ),
    ] {
        assert_quiet_exit("apply FILE (refused)", &output, &[1]);
        let said = stderr(&output);
        // Without --json the plan comes first: the reader may be gone before it is out.
        assert!(
            said.contains("the account changed since the plan")
                || (!json && said.contains("stdout was closed before the plan was shown")),
            "{said}"
        );
    }
}

/// `apply` never changes what it could not show: with stdout gone before the plan is out,
/// nothing is applied, and that is a failure.
#[test]
fn apply_with_no_one_reading_changes_nothing() {
    let setup = Setup::new(2);
    let manifest = setup.file(
        "m.json",
        r#"{"version": 1, "connectors": [{"name": "New", "url": "https://new.example/search"}]}"#,
    );
    let output = with_closed_stdout(command(
        &setup,
        &["apply", "-f", manifest.to_str().unwrap()],
    ));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: stdout was closed before the plan was shown: nothing applied\n"
    );
    assert_eq!(setup.emulator.connector_count(), 2);

    // The same for a saved plan.
    let saved = setup.dir.join("plan.json");
    let planned = setup.run(&[
        "plan",
        "-f",
        manifest.to_str().unwrap(),
        "-o",
        saved.to_str().unwrap(),
    ]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    let output = with_closed_stdout(command(&setup, &["apply", saved.to_str().unwrap()]));
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert_eq!(
        stderr(&output),
        "error: stdout was closed before the plan was shown: nothing applied\n"
    );
    assert_eq!(setup.emulator.connector_count(), 2);
}

/// Only a closed stdout is quiet: a full disk is a failure, and so is an error that merely
/// mentions a broken pipe (here, in a server's message).
#[test]
fn other_write_errors_and_broken_pipe_lookalikes_are_failures() {
    let setup = Setup::new(3);
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let output = command(&setup, &["list", "--json"])
        .stdout(full)
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    assert!(
        stderr(&output).starts_with("error: cannot write to stdout: No space left on device"),
        "{}",
        stderr(&output)
    );

    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/connectors/x");
        then.status(400)
            .json_body(json!({"message": "write failed: Broken pipe (os error 32)"}));
    });
    let output = binary()
        .env("CO_API_URL", server.base_url())
        .env("CO_API_KEY", KEY)
        .args(["get", "x"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).ends_with("(os error 32)\n"),
        "{}",
        stderr(&output)
    );
}

/// A closed stdin reads as empty (the runtime reopens it on /dev/null), and stdin that
/// never ends is cut off.
#[test]
fn closed_stdin_and_endless_stdin_are_refused_with_a_reason() {
    let setup = Setup::new(1);
    let closed = |args: &str| {
        let mut command = Command::new("sh");
        command
            .args(["-c", &format!("exec 0<&- && exec '{BINARY}' {args}")])
            .env("CO_API_URL", setup.emulator.base_url())
            .env("CO_API_KEY", KEY)
            .env_remove("COHERE_API_KEY");
        command.output().unwrap()
    };
    let token = closed(
        "create --name T --url https://t.example/search --service-auth bearer --service-token-stdin",
    );
    assert_eq!(code(&token), 1);
    assert_eq!(stderr(&token), "error: the service token is empty\n");
    let delete = closed("delete sample-connector-1");
    assert_eq!(code(&delete), 1);
    assert!(
        stderr(&delete).contains("without --yes"),
        "{}",
        stderr(&delete)
    );
    let key = closed("list --api-key-stdin");
    assert_eq!(stderr(&key), "error: the API key is empty\n");
    assert_eq!(setup.emulator.connector_count(), 1);

    let endless = command(
        &setup,
        &[
            "create",
            "--name",
            "Z",
            "--url",
            "https://z.example/search",
            "--service-auth",
            "bearer",
            "--service-token-stdin",
        ],
    )
    .stdin(std::fs::File::open("/dev/zero").unwrap())
    .stdout(Stdio::piped())
    .output()
    .unwrap();
    assert_eq!(code(&endless), 1);
    assert_eq!(
        stderr(&endless),
        "error: the service token on stdin is longer than 64 KiB: not a secret\n"
    );

    let twice = setup
        .cli()
        .args([
            "create",
            "--name",
            "Z",
            "--url",
            "https://z.example/search",
            "--service-auth",
            "bearer",
            "--service-token-stdin",
            "--api-key-stdin",
        ])
        .write_stdin("one\n")
        .output()
        .unwrap();
    assert_eq!(code(&twice), 64, "{}", stderr(&twice));
    assert!(
        stderr(&twice).contains("stdin gives one secret per run"),
        "{}",
        stderr(&twice)
    );
}

/// Without a terminal: no spinner, no colour, no question.
#[test]
fn without_a_terminal_there_is_no_spinner_colour_or_question() {
    let setup = Setup::new(5);
    let listed = setup.run(&["list"]);
    assert_eq!(code(&listed), 0);
    assert_eq!(stderr(&listed), "");
    assert!(!listed.stdout.contains(&0x1b));
}

/// The emulator subcommand serves with the binary's flags and lines, and a closed stdout is
/// nothing to it (it writes to stderr).
#[test]
fn the_emulator_subcommand_serves_until_interrupted() {
    let mut child = Command::new(BINARY)
        .args([
            "emulator",
            "--addr",
            "127.0.0.1:0",
            "--api-key",
            "k-one-123",
            "--api-key",
            "k-two-456",
            "--seed",
            "2",
            "--quiet",
        ])
        .stdout(closed_pipe())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut banner = String::new();
    for _ in 0..3 {
        std::io::BufRead::read_line(&mut err, &mut banner).unwrap();
    }
    let base_url = banner
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("Cohere Connectors API emulator listening on "))
        .unwrap_or_else(|| panic!("{banner}"))
        .to_owned();
    assert!(
        banner.contains("\naccepting 2 key(s) given at start\n"),
        "{banner}"
    );
    assert!(!banner.contains("k-one-123"), "{banner}");
    let listed = binary()
        .env("CO_API_URL", &base_url)
        .env("CO_API_KEY", "k-two-456")
        .args(["list", "--jsonl"])
        .output()
        .unwrap();
    assert_eq!(listed.stdout.iter().filter(|&&b| b == b'\n').count(), 2);
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
