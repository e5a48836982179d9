//! Each command against the emulator: what it prints, what it changes, its exit code.

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::server::Access;
use serde_json::Value;

use super::setup::{Setup, TOKEN, binary, code, stderr, stdout};

#[test]
fn list_writes_a_table_json_and_json_lines() {
    let setup = Setup::new(12);
    let table = setup.run(&["list"]);
    assert_eq!(code(&table), 0, "{}", stderr(&table));
    let text = stdout(&table);
    assert!(
        text.lines().next().unwrap().trim_start().starts_with("ID"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 13);
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );

    let json: Value = serde_json::from_slice(&setup.run(&["list", "--json"]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 12);
    assert_eq!(json[0]["id"], "sample-connector-12");
    let lines = stdout(&setup.run(&["list", "--jsonl"]));
    let ids: Vec<String> = lines
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), 12);

    let empty = Setup::new(0);
    let json: Value = serde_json::from_slice(&empty.run(&["list", "--json"]).stdout).unwrap();
    assert_eq!(json, serde_json::json!([]));
    assert_eq!(stderr(&empty.run(&["list"])), "no connectors\n");
}

#[test]
fn get_create_update_delete_authorize_and_secrets_never_printed() {
    let setup = Setup::new(3);
    let got = setup.run(&["get", "sample-connector-1", "--json"]);
    assert_eq!(
        serde_json::from_slice::<Value>(&got.stdout).unwrap()["name"],
        "Sample connector 1"
    );
    let missing = setup.run(&["get", "nope"]);
    assert_eq!(code(&missing), 1);
    let message = stderr(&missing);
    assert!(
        message.starts_with("error: get: 404 Not Found: connector not found"),
        "{message}"
    );
    assert_eq!(message.lines().count(), 1);

    // Create with the token from stdin, from a file, or from a manifest entry with an env ref.
    let created = setup
        .cli()
        .args([
            "create",
            "--name",
            "Wiki",
            "--url",
            "https://wiki.example.com/search",
            "--exclude",
            "id",
            "--service-auth",
            "bearer",
            "--service-token-stdin",
            "--json",
        ])
        .write_stdin(format!("{TOKEN}\n"))
        .output()
        .unwrap();
    assert_eq!(code(&created), 0, "{}", stderr(&created));
    let connector: Value = serde_json::from_slice(&created.stdout).unwrap();
    assert_eq!(
        (connector["id"].as_str(), connector["auth_type"].as_str()),
        (Some("wiki"), Some("service_auth"))
    );
    let entry = setup.file(
        "docs.json",
        r#"{"name": "Docs", "url": "https://docs.example.com/search",
        "service_auth": {"type": "basic", "token": {"env": "DOCS_TOKEN"}}}"#,
    );
    let from_file = setup
        .cli()
        .args(["create", "-f", entry.to_str().unwrap()])
        .env("DOCS_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(code(&from_file), 0, "{}", stderr(&from_file));
    assert!(stdout(&from_file).contains("id:                  docs"));
    let unset = setup.run(&["create", "-f", entry.to_str().unwrap()]);
    assert_eq!(
        stderr(&unset),
        "error: secret of connector `Docs` (service_auth.token): environment variable DOCS_TOKEN is not set\n"
    );

    // Rotate the token from a file; change the URL; nothing to change is an error.
    let token_file = setup.file("token", &format!("{TOKEN}-new\n"));
    let rotated = setup.run(&[
        "update",
        "wiki",
        "--service-auth",
        "bearer",
        "--service-token-file",
        token_file.to_str().unwrap(),
        "--url",
        "https://wiki2.example.com/search",
    ]);
    assert_eq!(code(&rotated), 0, "{}", stderr(&rotated));
    assert!(stdout(&rotated).contains("https://wiki2.example.com/search"));
    let nothing = setup.run(&["update", "wiki"]);
    assert_eq!(code(&nothing), 64, "nothing to update is wrong usage");
    assert!(stderr(&nothing).starts_with("error: nothing to update: give at least one of --name"));
    for output in [&created, &from_file, &rotated] {
        assert!(!stdout(output).contains(TOKEN) && !stderr(output).contains(TOKEN));
    }

    // A password in a URL is a secret: hidden from people and from JSON alike.
    setup.run(&[
        "create",
        "--name",
        "Private",
        "--url",
        "https://bot:url-pass-123@private.example.com/search",
    ]);
    for args in [&["list"][..], &["get", "private"][..]] {
        let shown = setup.run(args);
        assert!(
            !stdout(&shown).contains("url-pass-123"),
            "{}",
            stdout(&shown)
        );
        assert!(stdout(&shown).contains("https://bot:[redacted]@private.example.com/search"));
    }
    for args in [
        &["get", "private", "--json"][..],
        &["list", "--json"][..],
        &["list", "--jsonl"][..],
    ] {
        let shown = stdout(&setup.run(args));
        assert!(!shown.contains("url-pass-123"), "{args:?}: {shown}");
        assert!(
            shown.contains("https://bot:[redacted]@private.example.com/search"),
            "{args:?}: {shown}"
        );
    }
    setup.run(&["delete", "private", "--yes"]);

    // Authorize prints the provider's URL.
    let authorized = setup.run(&[
        "authorize",
        "sample-connector-2",
        "--after-token-redirect",
        "https://app.example.com/done",
    ]);
    assert_eq!(code(&authorized), 0, "{}", stderr(&authorized));
    assert!(
        stdout(&authorized).starts_with("https://auth.example.com/authorize?"),
        "{}",
        stdout(&authorized)
    );

    // Delete asks; without a terminal to ask on, it needs --yes.
    let refused = setup.run(&["delete", "wiki"]);
    assert_eq!(code(&refused), 1);
    assert!(stderr(&refused).contains("without --yes"));
    assert_eq!(setup.emulator.connector_count(), 5);
    let deleted = setup.run(&["delete", "wiki", "--yes"]);
    assert_eq!(
        (code(&deleted), stderr(&deleted).as_str()),
        (0, "deleted wiki\n")
    );
    assert_eq!(setup.emulator.connector_count(), 4);
}

#[test]
fn export_then_plan_reports_no_change_and_apply_is_idempotent_with_prune() {
    let setup = Setup::new(9);
    let manifest = setup.dir.join("account.json");
    let exported = setup.run(&["export", "-o", manifest.to_str().unwrap()]);
    assert_eq!(code(&exported), 0, "{}", stderr(&exported));
    assert!(
        stderr(&exported).starts_with("exported 9 connector(s) to "),
        "{}",
        stderr(&exported)
    );
    let planned = setup.run(&["plan", "-f", manifest.to_str().unwrap()]);
    assert_eq!(code(&planned), 0, "{}", stdout(&planned));
    assert!(stdout(&planned).ends_with(
        "0 to create, 0 to update, 0 to delete (9 connectors in the account, 9 defined)\n"
    ));

    // The account drifts: one connector moved, one added.
    setup.runtime.block_on(async {
        let client = setup.emulator.client().unwrap();
        client
            .connectors()
            .update("sample-connector-3")
            .url("https://moved.example.com/search")
            .send()
            .await
            .unwrap();
        client
            .connectors()
            .create("Stray", "https://stray.example.com/search")
            .await
            .unwrap();
    });
    let planned = setup.run(&["plan", "-f", manifest.to_str().unwrap(), "--prune"]);
    assert_eq!(code(&planned), 2, "{}", stdout(&planned));
    let text = stdout(&planned);
    assert!(text.contains("~ update sample-connector-3\n    url: \"https://moved.example.com/search\" -> \"https://search.example.com/3\""), "{text}");
    assert!(text.contains("- delete stray (\"Stray\")"), "{text}");
    let json: Value = serde_json::from_slice(
        &setup
            .run(&[
                "plan",
                "-f",
                manifest.to_str().unwrap(),
                "--prune",
                "--json",
            ])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["changes"].as_array().unwrap().len(), 2);
    assert_eq!(json["changes"][1]["action"], "delete");

    // Deleting needs --yes without a terminal to ask on: nothing is applied, not even the update.
    let refused = setup.run(&["apply", "-f", manifest.to_str().unwrap(), "--prune"]);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert_eq!(
        stderr(&refused),
        "error: not applying a plan that deletes 1 connector(s): stray without --yes (stdin is not a terminal to ask on)\n"
    );
    assert_eq!(setup.emulator.connector_count(), 10);
    assert!(
        stdout(&refused).contains("- delete stray"),
        "the plan is shown first"
    );
    let applied = setup.run(&[
        "apply",
        "-f",
        manifest.to_str().unwrap(),
        "--prune",
        "--yes",
    ]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert!(
        stdout(&applied).contains("updated sample-connector-3: url\ndeleted stray\n"),
        "{}",
        stdout(&applied)
    );
    let again = setup.run(&["apply", "-f", manifest.to_str().unwrap(), "--prune"]);
    assert!(
        stdout(&again).ends_with("nothing to apply\n"),
        "{}",
        stdout(&again)
    );
    assert_eq!(
        code(&setup.run(&["plan", "-f", manifest.to_str().unwrap(), "--prune"])),
        0
    );
    // A plan without deletes applies without --yes.
    let updated = setup.run(&[
        "update",
        "sample-connector-4",
        "--url",
        "https://moved.example.com/search",
    ]);
    assert_eq!(code(&updated), 0, "{}", stderr(&updated));
    let applied = setup.run(&["apply", "-f", manifest.to_str().unwrap()]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert!(
        stdout(&applied).ends_with("updated sample-connector-4: url\n"),
        "{}",
        stdout(&applied)
    );

    // A manifest that is not one.
    let broken = setup.file(
        "broken.json",
        r#"{"version": 1, "connectors": [{"name": "A"}]}"#,
    );
    let error = setup.run(&["plan", "-f", broken.to_str().unwrap()]);
    assert_eq!(code(&error), 1);
    assert!(
        stderr(&error).starts_with("error: invalid manifest: missing field `url`"),
        "{}",
        stderr(&error)
    );
}

#[test]
fn check_passes_a_good_connector_and_fails_an_unreachable_one() {
    let setup = Setup::new(0);
    let running = setup.connector(Access::service(ServiceAuth::bearer(TOKEN)).unwrap());
    let token_file = setup.file("token", TOKEN);
    let checked = setup.run(&[
        "check",
        &running.url(),
        "--service-auth",
        "bearer",
        "--service-token-file",
        token_file.to_str().unwrap(),
        "--query",
        "anything",
    ]);
    assert_eq!(code(&checked), 0, "{}", stdout(&checked));
    assert!(
        stdout(&checked).contains("Cohere would accept this connector"),
        "{}",
        stdout(&checked)
    );
    let json: Value = serde_json::from_slice(
        &setup
            .run(&[
                "check",
                &running.url(),
                "--service-auth",
                "bearer",
                "--service-token-file",
                token_file.to_str().unwrap(),
                "--json",
            ])
            .stdout,
    )
    .unwrap();
    assert_eq!(json["findings"][0]["rule"], "public_address");

    let wrong = setup.run(&["check", &running.url()]);
    assert_eq!(code(&wrong), 1);
    assert!(
        stdout(&wrong).contains("error   answers: the connector refused the search with 401"),
        "{}",
        stdout(&wrong)
    );
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    assert_eq!(code(&setup.run(&["check", &closed, "--timeout", "5"])), 1);
}

#[test]
fn conventions_exit_codes_colour_schema_completions_and_a_retired_api() {
    let setup = Setup::new(2);
    assert_eq!(code(&setup.run(&["bogus"])), 64);
    assert_eq!(code(&setup.run(&["create", "--name", "x"])), 64);
    let no_key = binary()
        .env("CO_API_URL", setup.emulator.base_url())
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(code(&no_key), 1);
    assert_eq!(
        stderr(&no_key),
        "error: no API key: set CO_API_KEY (or COHERE_API_KEY), or pass --api-key-file or --api-key-stdin\n"
    );
    let wrong_key = setup
        .cli()
        .env("CO_API_KEY", "not-the-key-123")
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(stderr(&wrong_key).lines().count(), 1);
    assert!(!stderr(&wrong_key).contains("not-the-key-123"));

    let coloured = setup.run(&["--color", "always", "get", "nope"]);
    assert!(
        stderr(&coloured).starts_with("\u{1b}["),
        "{:?}",
        stderr(&coloured)
    );
    let no_colour = setup
        .cli()
        .env("NO_COLOR", "1")
        .args(["get", "nope"])
        .output()
        .unwrap();
    assert!(!stderr(&no_colour).contains('\u{1b}'));

    let schema: Value = serde_json::from_slice(&setup.run(&["schema"]).stdout).unwrap();
    assert_eq!(schema["title"], "cohere-connectors manifest");
    let completions = stdout(&setup.run(&["completions", "bash"]));
    assert!(
        completions.contains("complete -F _cohere__connectors"),
        "{completions}"
    );

    // A retired API: one line, the advice, a hint, exit 1.
    let server = httpmock::MockServer::start();
    server.mock(|when, then| {
        when.path("/v1/connectors");
        then.status(404)
            .json_body(serde_json::json!({"message": "Not Found", "id": "e-retired"}));
    });
    let retired = setup
        .cli()
        .env("CO_API_URL", server.base_url())
        .args(["list"])
        .output()
        .unwrap();
    assert_eq!(code(&retired), 1);
    let text = stderr(&retired);
    assert!(
        text.starts_with(
            "error: list: 404 Not Found: the Connectors API is not available to this account"
        ),
        "{text}"
    );
    assert!(
        text.lines()
            .nth(1)
            .unwrap()
            .starts_with("hint: export what you can"),
        "{text}"
    );
}
