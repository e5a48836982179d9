//! `apply --json` prints what was done, what failed and what was not attempted, on success
//! and on failure, for a manifest (`-f`) and a saved plan alike; a failure exits 1 after it.

use std::path::PathBuf;
use std::process::Output;

use httpmock::Method::{GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::{Value, json};

use super::setup::{KEY, Setup, TOKEN, binary, code, stderr, stdout};

fn json_of(case: &str, output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{case}: not JSON ({error}):\n{}", stdout(output)))
}

fn assert_no_secret(case: &str, output: &Output) {
    let both = format!("{}{}", stdout(output), stderr(output));
    for secret in [KEY, TOKEN] {
        assert!(!both.contains(secret), "{case}: a secret in\n{both}");
    }
}

#[test]
fn apply_json_reports_on_success_for_a_manifest_and_a_saved_plan() {
    let setup = Setup::new(2);
    let manifest = setup.file(
        "m.json",
        r#"{"version": 1, "connectors": [{"name": "New", "url": "https://new.example.com/search"}]}"#,
    );
    let manifest = manifest.to_str().unwrap();
    let applied = setup.run(&["apply", "-f", manifest, "--json"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert_eq!(
        json_of("apply -f --json", &applied),
        json!({"done": [{"action": "created", "id": "new", "name": "New"}],
               "failed": null, "not_attempted": []})
    );

    let pruning = setup.file("empty.json", r#"{"version": 1, "connectors": []}"#);
    let saved = setup.dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    let planned = setup.run(&[
        "plan",
        "-f",
        pruning.to_str().unwrap(),
        "--prune",
        "-o",
        saved,
    ]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    let applied = setup.run(&["apply", saved, "--yes", "--json"]);
    assert_eq!(code(&applied), 0, "{}", stderr(&applied));
    assert_eq!(
        json_of("apply FILE --json", &applied)["done"],
        json!([
            {"action": "deleted", "id": "new"},
            {"action": "deleted", "id": "sample-connector-2"},
            {"action": "deleted", "id": "sample-connector-1"},
        ])
    );
    assert_eq!(setup.emulator.connector_count(), 0);

    // A plan with nothing to do reports nothing done.
    let nothing = setup.run(&["apply", "-f", pruning.to_str().unwrap(), "--json"]);
    assert_eq!(
        json_of("nothing", &nothing),
        json!({"done": [], "failed": null, "not_attempted": []})
    );
}

/// Refused before the first change (the account changed since the saved plan): no change
/// failed, every change not attempted, the reason in `failed.error`.
#[test]
fn apply_json_reports_a_refused_saved_plan_with_nothing_done() {
    let setup = Setup::new(3);
    let manifest = setup.file(
        "m.json",
        r#"{"version": 1, "connectors": [{"id": "sample-connector-3", "name": "Sample connector 3", "url": "https://moved.example.com/3", "description": "Seeded sample number 3"}]}"#,
    );
    let saved = setup.dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    let planned = setup.run(&["plan", "-f", manifest.to_str().unwrap(), "-o", saved]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    setup.runtime.block_on(async {
        let client = setup.emulator.client().unwrap();
        client
            .connectors()
            .update("sample-connector-3")
            .active(false)
            .send()
            .await
            .unwrap();
    });
    let refused = setup.run(&["apply", saved, "--json"]);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    let report = json_of("refused", &refused);
    assert_eq!(report["done"], json!([]));
    assert_eq!(report["failed"]["change"], Value::Null);
    let error = report["failed"]["error"].as_str().unwrap();
    assert!(
        error.starts_with("the account changed since the plan: `sample-connector-3` is not the connector the plan saw (its updated_at, active changed)"),
        "{error}"
    );
    assert_eq!(
        report["not_attempted"],
        json!([{"action": "update", "id": "sample-connector-3", "name": "Sample connector 3"}])
    );
    assert!(
        stderr(&refused).starts_with(&format!(
            "error: {error} (0 done, 0 failed, 1 not attempted)"
        )),
        "{}",
        stderr(&refused)
    );
}

/// An API that takes the first change and fails the second with a 500 whose message echoes
/// the API key and the token it was sent: the third is never attempted.
fn failing_on_the_second_change() -> MockServer {
    let server = MockServer::start();
    let connector = |id: &str, name: &str| {
        json!({
            "id": id, "organization_id": "org", "name": name,
            "url": format!("https://{id}.example.com/search"),
            "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-02T11:30:00Z",
            "active": true, "continue_on_failure": false,
        })
    };
    let listed = connector("x", "X");
    server.mock(|when, then| {
        when.method(GET).path("/v1/connectors");
        then.status(200)
            .json_body(json!({"connectors": [listed], "total_count": 1}));
    });
    let read = connector("x", "X");
    server.mock(|when, then| {
        when.method(GET).path("/v1/connectors/x");
        then.status(200).json_body(json!({"connector": read}));
    });
    // The token is resolved when applying, from the manifest's reference: it must be sent.
    let created = connector("a", "A");
    server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connectors")
            .body_includes("\"name\":\"A\"")
            .body_includes(TOKEN);
        then.status(200).json_body(json!({"connector": created}));
    });
    server.mock(|when, then| {
        when.method(POST)
            .path("/v1/connectors")
            .body_includes("\"name\":\"B\"");
        then.status(500).json_body(json!({
            "message": format!("B failed\u{1b}[2J: key {KEY}, token {TOKEN}")
        }));
    });
    server.mock(|when, then| {
        when.method(PATCH).path_prefix("/v1/connectors/");
        then.status(200)
            .json_body(json!({"connector": connector("x", "X")}));
    });
    server
}

struct Failing {
    server: MockServer,
    dir: PathBuf,
}

impl Failing {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cc-cli-report-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            server: failing_on_the_second_change(),
            dir,
        }
    }

    /// Creates A and B, then moves x.
    fn manifest(&self) -> String {
        let path = self.dir.join("m.json");
        let manifest = json!({"version": 1, "connectors": [
            {"id": "x", "name": "X", "url": "https://moved.example.com/search"},
            {"name": "A", "url": "https://a.example.com/search",
             "service_auth": {"type": "bearer", "token": {"env": "CLI_TEST_A_TOKEN"}}},
            {"name": "B", "url": "https://b.example.com/search"},
        ]});
        std::fs::write(&path, manifest.to_string()).unwrap();
        path.to_str().unwrap().to_owned()
    }

    fn run(&self, args: &[&str]) -> Output {
        binary()
            .env("CO_API_URL", self.server.base_url())
            .env("CO_API_KEY", KEY)
            .env("CLI_TEST_A_TOKEN", TOKEN)
            .args(args)
            .args(["--max-retries", "0"])
            .output()
            .unwrap()
    }
}

impl Drop for Failing {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn assert_stopped_at_the_second_change(case: &str, output: &Output) {
    assert_eq!(code(output), 1, "{case}: {}", stderr(output));
    assert_no_secret(case, output);
    let report = json_of(case, output);
    assert_eq!(
        report["done"],
        json!([{"action": "created", "id": "a", "name": "A"}]),
        "{case}"
    );
    assert_eq!(
        report["failed"]["change"],
        json!({"action": "create", "name": "B"}),
        "{case}"
    );
    let error = report["failed"]["error"].as_str().unwrap();
    assert!(
        error.starts_with("create: 500") && error.contains("B failed\\u{1b}[2J"),
        "{case}: the tool's words, the server's text escaped: {error}"
    );
    assert_eq!(
        report["not_attempted"],
        json!([{"action": "update", "id": "x", "name": "X"}]),
        "{case}"
    );
    assert!(
        stderr(output).starts_with(&format!(
            "error: {error} (1 done, 1 failed, 1 not attempted)"
        )),
        "{case}: {}",
        stderr(output)
    );
}

#[test]
fn apply_json_reports_what_was_done_when_the_second_change_fails() {
    let failing = Failing::new("manifest");
    let manifest = failing.manifest();
    let stopped = failing.run(&["apply", "-f", &manifest, "--json"]);
    assert_stopped_at_the_second_change("apply -f --json", &stopped);

    let saved = failing.dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    let planned = failing.run(&["plan", "-f", &manifest, "-o", saved]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    assert_no_secret("plan -o", &planned);
    let stopped = failing.run(&["apply", saved, "--json"]);
    assert_stopped_at_the_second_change("apply FILE --json", &stopped);

    // For people: what was done, what failed and what was not, on stderr; stdout has the plan.
    let stopped = failing.run(&["apply", saved]);
    assert_eq!(code(&stopped), 1);
    assert_no_secret("apply FILE", &stopped);
    let said = stderr(&stopped);
    assert!(
        said.starts_with(
            "created a (\"A\")\nfailed: create \"B\"\nnot attempted: update x\nerror: create: 500"
        ),
        "{said}"
    );
    assert!(
        stdout(&stopped).contains("+ create \"B\""),
        "{}",
        stdout(&stopped)
    );
}
