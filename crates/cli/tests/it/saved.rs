//! Saved plans: `plan -o FILE` writes the plan that was reviewed, and `apply FILE` applies
//! exactly that plan, or nothing when the account changed since, the API is another, or the
//! file is not a plan.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};

use super::setup::{Setup, TOKEN, code, stderr, stdout};

/// The variable the manifests below take the new connector's token from.
const TOKEN_VAR: &str = "CLI_TEST_WIKI_TOKEN";

/// A manifest that moves sample-connector-3, creates "Wiki" (its token a reference) and,
/// with --prune, deletes every other connector.
fn manifest(setup: &Setup, url: &str) -> PathBuf {
    setup.file(
        "connectors.json",
        &json!({"version": 1, "connectors": [
            {"id": "sample-connector-3", "name": "Sample connector 3", "url": url,
             "description": "Seeded sample number 3"},
            {"name": "Wiki", "url": "https://wiki.example.com/search",
             "service_auth": {"type": "bearer", "token": {"env": TOKEN_VAR}}},
        ]})
        .to_string(),
    )
}

fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The binary against the emulator, with the token in the environment.
fn run_with_token(setup: &Setup, args: &[&str]) -> Output {
    setup
        .cli()
        .env(TOKEN_VAR, TOKEN)
        .args(args)
        .output()
        .unwrap()
}

fn url_of(setup: &Setup, id: &str) -> String {
    setup.runtime.block_on(async {
        let client = setup.emulator.client().unwrap();
        let connector = client.connectors().get(id).send().await.unwrap();
        connector.url.unwrap().to_string()
    })
}

fn assert_no_token(case: &str, output: &Output) {
    let both = format!("{}{}", stdout(output), stderr(output));
    assert!(!both.contains(TOKEN), "{case}: the token in\n{both}");
}

#[test]
fn a_saved_plan_is_the_one_applied_once_and_never_holds_a_secret() {
    let setup = Setup::new(3);
    let manifest = manifest(&setup, "https://moved.example.com/3");
    let saved = setup.dir.join("plan.json");

    let planned = run_with_token(
        &setup,
        &["plan", "-f", path(&manifest), "--prune", "-o", path(&saved)],
    );
    assert_eq!(code(&planned), 2, "changes pending: {}", stderr(&planned));
    assert!(
        stdout(&planned).contains("+ create \"Wiki\""),
        "{}",
        stdout(&planned)
    );
    assert_eq!(
        stderr(&planned),
        format!(
            "saved the plan to {0}: `cohere-connectors apply {0}` applies it, unless the account changes first\n",
            saved.display()
        )
    );
    assert_no_token("plan -o", &planned);
    let file = std::fs::read_to_string(&saved).unwrap();
    assert!(!file.contains(TOKEN), "{file}");
    assert!(
        file.contains(&format!("\"env\": \"{TOKEN_VAR}\"")),
        "{file}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // The manifest moves on after review: the reviewed plan is what applies.
    manifest_later(&setup);

    // It deletes: refused without --yes when no one can be asked, the plan shown first.
    let refused = run_with_token(&setup, &["apply", path(&saved)]);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    assert_eq!(
        stderr(&refused),
        "error: not applying a plan that deletes 2 connector(s): sample-connector-2, sample-connector-1 without --yes (stdin is not a terminal to ask on)\n"
    );
    let shown = stdout(&refused);
    assert!(
        shown.starts_with(&format!(
            "saved plan, made {} UTC against {}\n",
            &planned_at(&saved),
            setup.emulator.base_url()
        )),
        "{shown}"
    );
    assert!(shown.contains("- delete sample-connector-1"), "{shown}");
    assert_eq!(setup.emulator.connector_count(), 3);

    // The token is resolved again at apply time, from the same reference.
    let unresolved = setup
        .cli()
        .args(["apply", path(&saved), "--yes"])
        .output()
        .unwrap();
    assert_eq!(code(&unresolved), 1);
    assert!(
        stderr(&unresolved).ends_with(&format!(
            "error: secret of connector `Wiki` (service_auth.token): environment variable {TOKEN_VAR} is not set (0 done, 0 failed, 4 not attempted)\n"
        )),
        "{}",
        stderr(&unresolved)
    );
    assert_eq!(setup.emulator.connector_count(), 3);

    let applied = run_with_token(&setup, &["apply", path(&saved), "--yes"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert!(
        stdout(&applied).ends_with(
            "created wiki (\"Wiki\")\nupdated sample-connector-3: url\ndeleted sample-connector-2\ndeleted sample-connector-1\n"
        ),
        "{}",
        stdout(&applied)
    );
    assert_no_token("apply FILE", &applied);
    assert_eq!(
        url_of(&setup, "sample-connector-3"),
        "https://moved.example.com/3"
    );
    assert_eq!(setup.emulator.connector_count(), 2);

    // Applying made the account another one: the plan applies once.
    let again = run_with_token(&setup, &["apply", path(&saved), "--yes"]);
    assert_eq!(code(&again), 1);
    let error = stderr(&again);
    assert!(
        error.starts_with("error: the account changed since the plan: ")
            && error.contains("nothing was applied (plan again)"),
        "{error}"
    );
    assert_eq!(setup.emulator.connector_count(), 2);
}

/// The reviewer's manifest, changed after the plan was saved.
fn manifest_later(setup: &Setup) {
    manifest(setup, "https://later.example.com/3");
}

/// `made_at` of a saved plan, as `apply FILE` shows it.
fn planned_at(saved: &Path) -> String {
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
    let made_at = plan["made_at"].as_str().unwrap();
    // 2025-10-01T12:00:00.123456Z -> 2025-10-01 12:00:00
    made_at[..19].replace('T', " ")
}

/// Issue 19's finding 14 through the tool: the plan deletes `legacy`; someone deletes it and
/// creates a new "Legacy" (the same id); the saved plan must not delete the new one. And an
/// update planned on a connector another writer changed since is refused too.
#[test]
fn a_saved_plan_is_refused_when_the_account_changed_and_says_what_changed() {
    let setup = Setup::new(0);
    let client = setup.emulator.client().unwrap();
    setup.runtime.block_on(async {
        client
            .connectors()
            .create("Legacy", "https://legacy.example.com/search")
            .await
            .unwrap();
    });
    let empty = setup.file("empty.json", r#"{"version": 1, "connectors": []}"#);
    let saved = setup.dir.join("prune.json");
    let planned = setup.run(&["plan", "-f", path(&empty), "--prune", "-o", path(&saved)]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    assert!(stdout(&planned).contains("- delete legacy (\"Legacy\")"));

    setup.runtime.block_on(async {
        client.connectors().delete("legacy").send().await.unwrap();
        let again = client
            .connectors()
            .create("Legacy", "https://legacy.example.com/search")
            .await
            .unwrap();
        assert_eq!(
            again.id.as_str(),
            "legacy",
            "the same id, another connector"
        );
    });
    let refused = setup.run(&["apply", path(&saved), "--yes"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).starts_with(
            "error: the account changed since the plan: `legacy` is not the connector the plan saw (its created_at"
        ),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("nothing was applied"));
    assert_eq!(setup.emulator.connector_count(), 1, "the new Legacy stays");

    // An update planned on a connector another writer moved since.
    let moved = setup.file(
        "moved.json",
        r#"{"version": 1, "connectors": [{"name": "Legacy", "url": "https://new.example.com/search"}]}"#,
    );
    let saved = setup.dir.join("update.json");
    let planned = setup.run(&["plan", "-f", path(&moved), "-o", path(&saved)]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    setup.runtime.block_on(async {
        client
            .connectors()
            .update("legacy")
            .url("https://other-writer.example.com/search")
            .send()
            .await
            .unwrap();
    });
    let refused = setup.run(&["apply", path(&saved)]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).starts_with(
            "error: the account changed since the plan: `legacy` is not the connector the plan saw (its updated_at, url changed); nothing was applied (plan again)"
        ),
        "{}",
        stderr(&refused)
    );
    assert_eq!(
        url_of(&setup, "legacy"),
        "https://other-writer.example.com/search"
    );
}

#[test]
fn a_saved_plan_made_against_another_api_is_refused() {
    let made_on = Setup::new(3);
    let other = Setup::new(3);
    let manifest = manifest(&made_on, "https://moved.example.com/3");
    let saved = made_on.dir.join("plan.json");
    let planned = run_with_token(
        &made_on,
        &["plan", "-f", path(&manifest), "-o", path(&saved)],
    );
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));

    let refused = other
        .cli()
        .env(TOKEN_VAR, TOKEN)
        .args(["apply", path(&saved), "--yes"])
        .output()
        .unwrap();
    assert_eq!(code(&refused), 1);
    let error = stderr(&refused);
    assert!(
        error.starts_with(&format!(
            "error: the plan was made for {}, and --base-url (or CO_API_URL) is {}",
            made_on.emulator.base_url(),
            other.emulator.base_url()
        )) && error.contains(": nothing was applied"),
        "{error}"
    );
    assert_eq!(made_on.emulator.connector_count(), 3);
    assert_eq!(other.emulator.connector_count(), 3);
    assert_eq!(
        url_of(&other, "sample-connector-3"),
        "https://search.example.com/3"
    );
}

/// A saved plan never holds a secret: a manifest with one in clear is not saved. And what
/// `apply FILE` is given may be anything: a manifest, a directory, a FIFO, nothing.
#[test]
fn plan_o_refuses_secrets_in_clear_and_apply_refuses_what_is_not_a_plan() {
    let setup = Setup::new(1);
    for (case, definition, field) in [
        (
            "an inline token",
            json!({"name": "Inline", "url": "https://inline.example.com/search",
                   "service_auth": {"type": "bearer", "token": {"value": TOKEN}}}),
            "service_auth.token",
        ),
        (
            "a URL password",
            json!({"name": "Pw", "url": format!("https://bob:{TOKEN}@pw.example.com/search")}),
            "url password",
        ),
    ] {
        let manifest = setup.file(
            "clear.json",
            &json!({"version": 1, "connectors": [definition]}).to_string(),
        );
        let saved = setup.dir.join("clear-plan.json");
        let output = setup.run(&["plan", "-f", path(&manifest), "-o", path(&saved)]);
        assert_eq!(code(&output), 1, "{case}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(&format!(
                "its {field} is in the manifest in clear, and a saved plan never holds a secret"
            )),
            "{case}: {}",
            stderr(&output)
        );
        assert_no_token(case, &output);
        assert!(!saved.exists(), "{case}: saved anyway");
    }

    let manifest = setup.file(
        "m.json",
        r#"{"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com/s"}]}"#,
    );
    let fifo = setup.dir.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let missing = setup.dir.join("missing.json");
    let not_json = setup.file("not.json", "{\"format\": ");
    let other_version = setup.file(
        "v9.json",
        r#"{"format": "cohere-connectors plan", "version": 9}"#,
    );
    for (case, file, expected) in [
        (
            "a manifest",
            manifest.as_path(),
            format!(
                "error: invalid plan: it is not a saved plan (its `format` is not \"cohere-connectors plan\"): {} is a manifest (apply it with -f)\n",
                manifest.display()
            ),
        ),
        (
            "a directory",
            setup.dir.as_path(),
            format!("error: cannot read {}", setup.dir.display()),
        ),
        (
            "a FIFO",
            fifo.as_path(),
            format!("error: cannot read {}", fifo.display()),
        ),
        (
            "a missing file",
            missing.as_path(),
            format!("error: cannot read {}", missing.display()),
        ),
        (
            "not JSON",
            not_json.as_path(),
            "error: invalid plan: ".to_owned(),
        ),
        (
            "another version",
            other_version.as_path(),
            "error: invalid plan: version 9 is not supported".to_owned(),
        ),
    ] {
        let output = setup
            .cli()
            .args(["apply", path(file), "--yes"])
            .timeout(Duration::from_secs(30))
            .output()
            .unwrap();
        assert_eq!(code(&output), 1, "{case}: {}", stderr(&output));
        assert!(
            stderr(&output).starts_with(&expected),
            "{case}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output), "", "{case}");
    }
    assert_eq!(setup.emulator.connector_count(), 1);

    // A saved plan or a manifest, one of them; a saved plan's flags are its own.
    for (case, args, said) in [
        (
            "both",
            &["apply", "plan.json", "-f", "m.json"][..],
            "cannot be used with",
        ),
        ("neither", &["apply", "--yes"][..], "<PLAN|--file <FILE>>"),
        (
            "--prune with a saved plan",
            &["apply", "plan.json", "--prune"][..],
            "'[PLAN]' cannot be used with '--prune'",
        ),
        (
            "--resend-secrets with a saved plan",
            &["apply", "plan.json", "--resend-secrets"][..],
            "'[PLAN]' cannot be used with '--resend-secrets'",
        ),
    ] {
        let output = setup.run(args);
        assert_eq!(code(&output), 64, "{case}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(said),
            "{case}: {}",
            stderr(&output)
        );
    }
}

/// On a terminal, a plan that deletes asks, saved or made now: only "y" applies it. The
/// terminal is a pseudo-terminal that `script` (util-linux) opens for the binary.
#[cfg(target_os = "linux")]
#[test]
fn plans_that_delete_ask_on_a_terminal_saved_or_not() {
    use std::io::Write;
    use std::process::{Command, Stdio};

    let setup = Setup::new(2);
    let empty = setup.file("empty.json", r#"{"version": 1, "connectors": []}"#);
    let saved = setup.dir.join("plan.json");
    let planned = setup.run(&["plan", "-f", path(&empty), "--prune", "-o", path(&saved)]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));

    let on_a_terminal = |args: &[&str], answer: &str| {
        let line = std::iter::once(env!("CARGO_BIN_EXE_cohere-connectors"))
            .chain(args.iter().copied())
            .map(|arg| format!("'{arg}'"))
            .collect::<Vec<_>>()
            .join(" ");
        let mut child = Command::new("script")
            .args(["-qec", &line, "/dev/null"])
            .env("CO_API_URL", setup.emulator.base_url())
            .env("CO_API_KEY", super::setup::KEY)
            .env("NO_COLOR", "1")
            .env_remove("COHERE_API_KEY")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("script (util-linux) opens the terminal");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(answer.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let question = "Apply this plan, which deletes 2 connector(s): sample-connector-2, sample-connector-1? [y/N] ";
    for args in [
        &["apply", path(&saved)][..],
        &["apply", "-f", path(&empty), "--prune"][..],
    ] {
        let declined = on_a_terminal(args, "n\n");
        let said = stdout(&declined);
        assert_eq!(code(&declined), 1, "{args:?}: {said}");
        assert!(said.contains(question), "{args:?}: {said}");
        assert!(said.contains("nothing applied"), "{args:?}: {said}");
        assert_eq!(setup.emulator.connector_count(), 2);
    }
    let accepted = on_a_terminal(&["apply", path(&saved)], "y\n");
    let said = stdout(&accepted);
    assert_eq!(code(&accepted), 0, "{said}");
    assert!(
        said.contains("deleted sample-connector-2\r\ndeleted sample-connector-1\r\n"),
        "{said}"
    );
    assert_eq!(setup.emulator.connector_count(), 0);
}
