//! What a new user runs into: each friction found when the tool was tried cold.

use std::time::Duration;

use cohere_connectors_emulator::Emulator;
use serde_json::{Value, json};

use super::setup::{KEY, Setup, binary, code, stderr, stdout};

#[test]
fn cohere_api_key_is_read_after_co_api_key_as_the_library_reads_them() {
    let setup = Setup::new(2);
    let fallback = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .env("COHERE_API_KEY", KEY)
        .args(["list", "--jsonl"])
        .output()
        .unwrap();
    assert_eq!(code(&fallback), 0, "{}", stderr(&fallback));
    let first = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .env("CO_API_KEY", "wrong-key-but-first-0")
        .env("COHERE_API_KEY", KEY)
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(code(&first), 1, "CO_API_KEY comes first");
    let blank = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .env("CO_API_KEY", "  ")
        .env("COHERE_API_KEY", KEY)
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(code(&blank), 0, "a blank variable is unset");
}

/// A local address other than loopback, for an emulator "in docker-compose"; `None` on a
/// machine without one.
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    // Connecting a UDP socket sends nothing: it only picks the route's local address.
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn plain_http_to_another_host_is_refused_naming_the_flag_that_allows_it() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .api_key(KEY)
                .seed(1)
                .addr("0.0.0.0:0".parse().unwrap())
                .start(),
        )
        .unwrap();
    let port = emulator.base_url().rsplit(':').next().unwrap().to_owned();
    let host = non_loopback_address().map_or("emulator.invalid".to_owned(), |ip| ip.to_string());
    let url = format!("http://{host}:{port}");
    let run = |extra: &[&str], variable: Option<&str>| {
        let mut command = binary();
        command
            .env("CO_API_URL", &url)
            .env("CO_API_KEY", KEY)
            .args(["list", "--jsonl", "--max-retries", "0"])
            .args(extra);
        if let Some(value) = variable {
            command.env("COHERE_CONNECTORS_ALLOW_INSECURE_HTTP", value);
        }
        command.output().unwrap()
    };
    let refused = run(&[], None);
    assert_eq!(code(&refused), 1);
    assert_eq!(
        stderr(&refused),
        format!(
            "error: refusing to send the API key over plain http to {url}: anyone on the way can read it. Use https, or pass --allow-insecure-http (or set COHERE_CONNECTORS_ALLOW_INSECURE_HTTP=1) where the network is trusted, such as an emulator in docker-compose\n"
        )
    );
    for allowed in [run(&["--allow-insecure-http"], None), run(&[], Some("1"))] {
        if host == "emulator.invalid" {
            // No second address here: past the refusal, the name does not resolve.
            assert!(
                stderr(&allowed).contains("could not connect"),
                "{}",
                stderr(&allowed)
            );
        } else {
            assert_eq!(code(&allowed), 0, "{}", stderr(&allowed));
            assert_eq!(stdout(&allowed).lines().count(), 1);
        }
    }
    let unclear = run(&[], Some("maybe"));
    assert_eq!(code(&unclear), 64);
    assert_eq!(
        stderr(&unclear),
        "error: COHERE_CONNECTORS_ALLOW_INSECURE_HTTP is 1 or 0\n"
    );
}

#[test]
fn timeout_and_max_retries_are_flags() {
    let server = httpmock::MockServer::start();
    let slow = server.mock(|when, then| {
        when.path("/v1/connectors/slow");
        then.status(200)
            .delay(Duration::from_secs(5))
            .json_body(json!({}));
    });
    let busy = server.mock(|when, then| {
        when.path("/v1/connectors/busy");
        then.status(503).json_body(json!({"message": "busy"}));
    });
    let run = |args: &[&str]| {
        binary()
            .env("CO_API_URL", server.base_url())
            .env("CO_API_KEY", KEY)
            .args(args)
            .output()
            .unwrap()
    };
    let timed_out = run(&["get", "slow", "--timeout", "0.3", "--max-retries", "0"]);
    assert_eq!(code(&timed_out), 1);
    assert!(
        stderr(&timed_out).starts_with("error: get: timed out"),
        "{}",
        stderr(&timed_out)
    );
    assert_eq!(slow.calls(), 1);
    run(&["get", "busy", "--max-retries", "0"]);
    assert_eq!(busy.calls(), 1);
    run(&["get", "busy", "--max-retries", "1"]);
    assert_eq!(busy.calls(), 3);
    for wrong in [
        &["get", "x", "--timeout", "0"][..],
        &["get", "x", "--timeout", "soon"][..],
        &["get", "x", "--timeout", "NaN"][..],
        &["get", "x", "--max-retries", "101"][..],
    ] {
        assert_eq!(code(&run(wrong)), 64, "{wrong:?}");
    }
}

#[test]
fn create_and_update_take_the_same_state_flags() {
    let setup = Setup::new(0);
    let created: Value = serde_json::from_slice(
        &setup
            .run(&[
                "create",
                "--name",
                "Wiki",
                "--url",
                "https://w.example/search",
                "--inactive",
                "--continue-on-failure",
                "--json",
            ])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        (&created["active"], &created["continue_on_failure"]),
        (&json!(false), &json!(true))
    );
    let updated: Value = serde_json::from_slice(
        &setup
            .run(&[
                "update",
                "wiki",
                "--active",
                "--no-continue-on-failure",
                "--json",
            ])
            .stdout,
    )
    .unwrap();
    assert_eq!(
        (&updated["active"], &updated["continue_on_failure"]),
        (&json!(true), &json!(false))
    );
    for wrong in [
        &["update", "wiki", "--active", "--inactive"][..],
        &["update", "wiki", "--active", "false"][..],
        &[
            "create",
            "--name",
            "X",
            "--url",
            "https://x.example/s",
            "--active",
            "--inactive",
        ][..],
        &[
            "create",
            "--name",
            "X",
            "--url",
            "https://x.example/s",
            "--continue-on-failure",
            "--no-continue-on-failure",
        ][..],
    ] {
        assert_eq!(code(&setup.run(wrong)), 64, "{wrong:?}");
    }
}

#[test]
fn creating_a_name_twice_is_refused_unless_asked_for() {
    let setup = Setup::new(0);
    let create = [
        "create",
        "--name",
        "Team Wiki",
        "--url",
        "https://t.example/search",
    ];
    assert_eq!(code(&setup.run(&create)), 0);
    let again = setup.run(&create);
    assert_eq!(code(&again), 1);
    assert_eq!(
        stderr(&again),
        "error: a connector named \"Team Wiki\" exists already (team-wiki): change it with `cohere-connectors update team-wiki`, or pass --allow-duplicate-name to create another\n"
    );
    let other_case = setup.run(&[
        "create",
        "--name",
        "team wiki",
        "--url",
        "https://t.example/search",
    ]);
    assert_eq!(code(&other_case), 1, "{}", stderr(&other_case));
    assert_eq!(setup.emulator.connector_count(), 1);
    let allowed = setup.run(&[&create[..], &["--allow-duplicate-name", "--json"]].concat());
    assert_eq!(code(&allowed), 0, "{}", stderr(&allowed));
    let json: Value = serde_json::from_slice(&allowed.stdout).unwrap();
    assert_eq!(json["id"], "team-wiki-2");
}

/// Library words (`Checker::query`, `prune`, an operation's id) become the tool's flags and
/// commands.
#[test]
fn messages_name_flags_and_commands_not_library_items() {
    let setup = Setup::new(2);
    let empty = setup
        .runtime
        .block_on(
            cohere_connectors_kit::server::ConnectorService::new(
                cohere_connectors_kit::server::Access::open(),
                |_, _| async { Ok(Vec::new()) },
            )
            .bind("127.0.0.1:0"),
        )
        .unwrap();
    let checked = setup.run(&["check", &empty.url()]);
    assert!(
        stdout(&checked).contains("fix: check again with a query that matches something (--query)"),
        "{}",
        stdout(&checked)
    );
    let json = stdout(&setup.run(&["check", &empty.url(), "--json"]));
    assert!(json.contains("(--query)"), "{json}");

    let manifest = setup.file(
        "one.json",
        r#"{"version": 1, "connectors": [{"id": "sample-connector-2", "name": "Sample connector 2",
            "url": "https://search.example.com/2",
            "service_auth": {"type": "bearer", "token": {"env": "T"}}}]}"#,
    );
    let planned = setup
        .cli()
        .args(["plan", "-f", manifest.to_str().unwrap()])
        .env("T", "tok-0123456")
        .output()
        .unwrap();
    let text = stdout(&planned);
    assert!(text.contains("(--prune to delete it)"), "{text}");

    let missing = setup.run(&["authorize", "nope"]);
    assert!(
        stderr(&missing).starts_with("error: authorize: 404"),
        "{}",
        stderr(&missing)
    );

    for output in [&checked, &planned, &missing] {
        let all = format!("{}{}", stdout(output), stderr(output));
        for library in ["::", "(..)", "(true)", "oAuthAuthorize", "-connector:"] {
            assert!(!all.contains(library), "{library} in {all}");
        }
    }
}

#[test]
fn informative_notices_can_be_left_out_and_drift_cannot() {
    let setup = Setup::new(3);
    let manifest = setup.file(
        "notices.json",
        r#"{"version": 1, "connectors": [{"id": "sample-connector-1", "name": "Sample connector 1",
            "url": "https://search.example.com/1", "description": "not what the account says"}]}"#,
    );
    let path = manifest.to_str().unwrap();
    let loud = stdout(&setup.run(&["plan", "-f", path]));
    assert!(loud.contains("kept (--prune to delete it)"), "{loud}");
    let quiet = setup.run(&["plan", "-f", path, "--quiet-notices"]);
    assert_eq!(code(&quiet), 2, "the drift still counts");
    let text = stdout(&quiet);
    assert!(!text.contains("kept (--prune"), "{text}");
    assert!(
        text.contains("the description differs"),
        "drift is always shown: {text}"
    );
    let json: Value = serde_json::from_slice(
        &setup
            .run(&["plan", "-f", path, "--quiet-notices", "--json"])
            .stdout,
    )
    .unwrap();
    assert!(json["notices"].as_array().unwrap().len() >= 3, "{json}");
}
