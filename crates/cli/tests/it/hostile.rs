//! A hostile server: every string it sends (ids it chooses, names, URLs, messages) carries
//! what a terminal acts on: OSC 8 links, clear-screen, cursor moves, a carriage return, C1
//! controls, bidi overrides. Every path that prints it (tables, details, plans, progress
//! lines, errors, JSON) must show it escaped, and JSON must still carry it.

use std::path::PathBuf;
use std::process::Output;

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::{Value, json};

use super::setup::{KEY, binary, code, stderr, stdout};

/// What a terminal would act on, every kind at once; U+202E marks that it was printed.
const H: &str = "ok\u{1b}]8;;https://evil.example/\u{7}click\u{1b}]8;;\u{7}\u{1b}[2J\u{1b}[H\rspoof\u{202e}gpj.exe\u{2066}x\u{2069}\u{9b}2J\u{7f}\u{8}";
/// Ids the server chooses.
const ID_A: &str = "wiki\u{1b}[2J\u{202e}a";
const ID_B: &str = "old\u{1b}]0;title\u{7}\u{202e}b";
const ID_C: &str = "new\u{1b}[H\r\u{202e}c";
const PASSWORD: &str = "hunter2-url-password";

fn hostile(id: &str) -> Value {
    json!({
        "id": id,
        "organization_id": "org",
        "name": H,
        "description": H,
        "url": format!("https://bob:{PASSWORD}@evil.example/search?q={H}"),
        "created_at": "2024-05-01T10:00:00Z",
        "updated_at": "2024-05-02T11:30:00Z",
        "excludes": [H],
        "auth_type": "oauth",
        "oauth": {
            "client_id": H,
            "authorize_url": format!("https://login.example/{H}"),
            "token_url": format!("https://login.example/t{H}"),
        },
        "auth_status": "valid",
        "active": true,
        "continue_on_failure": false,
    })
}

/// The hostile API; `patch_fails` makes updates fail (an apply that stops part-way).
fn hostile_api(patch_fails: bool) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/v1/connectors");
        then.status(200).json_body(json!({
            "connectors": [hostile(ID_A), hostile(ID_B)],
            "total_count": 2,
        }));
    });
    // Each connector read again as the listing shows it (`get wiki`, and the reads apply
    // makes before an update or a delete): a consistent account. The ids go percent-encoded
    // into the path, so each is matched by its plain prefix.
    for (prefix, id) in [("wiki", ID_A), ("old", ID_B)] {
        server.mock(|when, then| {
            when.method(GET)
                .path_prefix(format!("/v1/connectors/{prefix}"));
            then.status(200)
                .json_body(json!({"connector": hostile(id)}));
        });
    }
    server.mock(|when, then| {
        when.method(GET).path("/v1/connectors/bad");
        then.status(422).json_body(json!({"message": H}));
    });
    server.mock(|when, then| {
        when.method(POST).path("/v1/connectors");
        then.status(200)
            .json_body(json!({"connector": hostile(ID_C)}));
    });
    server.mock(|when, then| {
        when.method(POST).path_suffix("/oauth/authorize");
        then.status(200)
            .json_body(json!({"redirect_url": format!("https://auth.example/?s={H}")}));
    });
    server.mock(|when, then| {
        when.method(PATCH).path_prefix("/v1/connectors/");
        if patch_fails {
            then.status(500).json_body(json!({"message": H}));
        } else {
            then.status(200)
                .json_body(json!({"connector": hostile(ID_A)}));
        }
    });
    server.mock(|when, then| {
        when.method(DELETE).path_prefix("/v1/connectors/");
        then.status(200).json_body(json!({}));
    });
    server
}

/// A connector service that answers the check with hostile text.
fn hostile_connector(status: u16, body: Value) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(POST).path("/search");
        then.status(status).json_body(body);
    });
    server
}

/// Our own colour is the only escape sequence allowed.
fn without_our_colour(text: &str) -> String {
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("\u{1b}[") {
        kept.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let params = after
            .find(|c: char| !(c.is_ascii_digit() || c == ';'))
            .unwrap_or(after.len());
        if after[params..].starts_with('m') {
            rest = &after[params + 1..];
        } else {
            // Not a colour: kept, so that the check below finds it.
            kept.push_str("\u{1b}[");
            rest = after;
        }
    }
    kept.push_str(rest);
    kept
}

fn bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Nothing a terminal would act on, except our colour and newlines; and the hostile text
/// did arrive (escaped; a report may cut it short), or the check would prove nothing.
fn assert_terminal_safe(case: &str, output: &Output) {
    for (stream, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
        let text = without_our_colour(&String::from_utf8_lossy(bytes));
        if let Some(bad) = text
            .chars()
            .find(|&c| (c.is_control() && c != '\n') || bidi(c))
        {
            panic!("{case}: {stream} has {bad:?} raw:\n{text}");
        }
    }
    let both = format!("{}{}", stdout(output), stderr(output));
    let escapes = ["\\u{202e}", "\\u202e", "\\u{1b}", "\\u001b"];
    assert!(
        escapes.iter().any(|escape| both.contains(escape)),
        "{case}: the hostile text never arrived:\n{both}"
    );
}

struct Fixture {
    server: MockServer,
    dir: PathBuf,
}

impl Fixture {
    fn new(patch_fails: bool) -> Self {
        static COUNT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("cc-cli-hostile-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self {
            server: hostile_api(patch_fails),
            dir,
        }
    }

    fn file(&self, name: &str, contents: &Value) -> String {
        let path = self.dir.join(name);
        std::fs::write(&path, contents.to_string()).unwrap();
        path.to_str().unwrap().to_owned()
    }

    /// A manifest that updates ID_A, creates "New" (ID_C) and, with --prune, deletes ID_B.
    fn manifest(&self) -> String {
        self.file(
            "manifest.json",
            &json!({"version": 1, "connectors": [
                {"id": ID_A, "name": H, "url": "https://changed.example/search"},
                {"name": "New", "url": "https://new.example/search"},
            ]}),
        )
    }

    fn run(&self, args: &[&str]) -> Output {
        binary()
            .env("CO_API_URL", self.server.base_url())
            .env("CO_API_KEY", KEY)
            .args(["--color", "always"])
            .args(args)
            .args(["--max-retries", "0"])
            .output()
            .unwrap()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn json_of(case: &str, output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("{case}: not JSON ({error}):\n{}", stdout(output)))
}

#[test]
fn tables_details_progress_lines_and_errors_show_server_text_escaped() {
    let fixture = Fixture::new(false);
    let entry = fixture.file(
        "entry.json",
        &json!({"name": H, "url": "https://dup.example/search"}),
    );
    for (case, args, expected_code) in [
        ("list: the table", &["list"][..], 0),
        ("get: the details", &["get", "wiki"][..], 0),
        ("get: an error message", &["get", "bad"][..], 1),
        (
            "create: `created <id>` and the details",
            &[
                "create",
                "--name",
                "Fresh",
                "--url",
                "https://f.example/search",
            ][..],
            0,
        ),
        (
            "create: a name that exists already",
            &["create", "-f", &entry][..],
            1,
        ),
        (
            "update: the details",
            &["update", "wiki", "--url", "https://u.example/search"][..],
            0,
        ),
        ("delete: `deleted <id>`", &["delete", ID_A, "--yes"][..], 0),
        ("authorize: the URL", &["authorize", "wiki"][..], 0),
    ] {
        let output = fixture.run(args);
        assert_eq!(code(&output), expected_code, "{case}: {}", stderr(&output));
        assert_terminal_safe(case, &output);
    }
    let created = fixture.run(&["create", "--name", "Fresh", "--url", "https://f.example/s"]);
    assert!(
        stderr(&created).contains("created new\\u{1b}[H\\u{d}\\u{202e}c"),
        "{}",
        stderr(&created)
    );
}

#[test]
fn plans_applies_and_manifest_errors_show_ids_and_names_escaped() {
    let fixture = Fixture::new(false);
    let manifest = fixture.manifest();
    let twice = fixture.file(
        "twice.json",
        &json!({"version": 1, "connectors": [
            {"id": ID_B, "name": "a", "url": "https://a.example/s"},
            {"id": ID_B, "name": "b", "url": "https://b.example/s"},
        ]}),
    );
    for (case, args, expected_code) in [
        ("plan", &["plan", "-f", &manifest, "--prune"][..], 2),
        (
            "apply: created, updated, deleted <id>",
            &["apply", "-f", &manifest, "--prune", "--yes"][..],
            0,
        ),
        ("plan: a manifest error", &["plan", "-f", &twice][..], 1),
    ] {
        let output = fixture.run(args);
        assert_eq!(code(&output), expected_code, "{case}: {}", stderr(&output));
        assert_terminal_safe(case, &output);
    }
    let applied = stdout(&fixture.run(&["apply", "-f", &manifest, "--prune", "--yes"]));
    let saved = fixture.dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    let planned = fixture.run(&["plan", "-f", &manifest, "--prune", "-o", saved]);
    assert_eq!(code(&planned), 2, "{}", stderr(&planned));
    assert_terminal_safe("plan -o", &planned);
    let applied_saved = fixture.run(&["apply", saved, "--yes"]);
    assert_eq!(code(&applied_saved), 0, "{}", stderr(&applied_saved));
    assert_terminal_safe("apply FILE: created, updated, deleted <id>", &applied_saved);
    for applied in [applied, stdout(&applied_saved)] {
        for line in [
            "created new\\u{1b}[H\\u{d}\\u{202e}c (\"New\")",
            "updated wiki\\u{1b}[2J\\u{202e}a: url",
            "deleted old\\u{1b}]0;title\\u{7}\\u{202e}b",
        ] {
            assert!(applied.contains(line), "{line} in\n{applied}");
        }
    }

    // A plan file is a file that may arrive by pull request: what it says is shown escaped,
    // and refused when it is not what the account is.
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit, &str); 2] = [
        (
            "apply FILE: a hostile base_url",
            |plan| plan["base_url"] = json!(format!("https://{H}")),
            "error: the plan was made for https://ok\\u{1b}]8;;",
        ),
        (
            "apply FILE: an id the plan never saw",
            |plan| plan["changes"][2]["id"] = json!(H),
            "error: the account changed since the plan: `ok\\u{1b}]8;;",
        ),
    ];
    for (case, edit, said) in edits {
        let mut plan: Value =
            serde_json::from_str(&std::fs::read_to_string(saved).unwrap()).unwrap();
        edit(&mut plan);
        let tampered = fixture.file("tampered.json", &plan);
        for json in [false, true] {
            let mut args = vec!["apply", tampered.as_str(), "--yes"];
            if json {
                args.push("--json");
            }
            let output = fixture.run(&args);
            assert_eq!(code(&output), 1, "{case}: {}", stderr(&output));
            assert_terminal_safe(case, &output);
            let error = without_our_colour(&stderr(&output));
            assert!(error.starts_with(said), "{case}: {error}");
            if json {
                json_of(case, &output);
            }
        }
    }

    // Stopped part-way: what was done (stderr) and the error, escaped.
    let failing = Fixture::new(true);
    let manifest = failing.manifest();
    let stopped = failing.run(&["apply", "-f", &manifest, "--prune", "--yes"]);
    assert_eq!(code(&stopped), 1, "{}", stderr(&stopped));
    assert_terminal_safe("apply: stopped part-way", &stopped);
    assert!(
        stderr(&stopped).starts_with("created new\\u{1b}[H\\u{d}\\u{202e}c"),
        "{}",
        stderr(&stopped)
    );
    // The same, as JSON on stdout, from a manifest and from a saved plan.
    let saved = failing.dir.join("plan.json");
    let saved = saved.to_str().unwrap();
    assert_eq!(
        code(&failing.run(&["plan", "-f", &manifest, "--prune", "-o", saved])),
        2
    );
    for (case, args) in [
        (
            "apply --json: stopped part-way",
            &["apply", "-f", &manifest, "--prune", "--yes", "--json"][..],
        ),
        (
            "apply FILE --json: stopped part-way",
            &["apply", saved, "--yes", "--json"][..],
        ),
    ] {
        let output = failing.run(args);
        assert_eq!(code(&output), 1, "{case}: {}", stderr(&output));
        assert_terminal_safe(case, &output);
        let report = json_of(case, &output);
        assert_eq!(report["done"][0]["id"], ID_C, "{case}: the data is whole");
        assert_eq!(report["failed"]["change"]["id"], ID_A, "{case}");
        assert_eq!(report["not_attempted"][0]["id"], ID_B, "{case}");
    }
}

#[test]
fn check_reports_show_the_connector_s_text_escaped() {
    let failing = hostile_connector(500, json!({"message": H}));
    let odd = hostile_connector(200, json!({"results": [{"title": H, H: 5}]}));
    for (case, server, expected_code) in [
        ("check: a refusal", &failing, 1),
        ("check: odd documents", &odd, 1),
    ] {
        let url = format!("{}/search", server.base_url());
        for json in [false, true] {
            let mut args = vec!["--color", "always", "check", url.as_str()];
            if json {
                args.push("--json");
            }
            let output = binary().args(&args).output().unwrap();
            assert_eq!(code(&output), expected_code, "{case}: {}", stdout(&output));
            assert_terminal_safe(case, &output);
            assert!(
                !stdout(&output).contains("::"),
                "{case}: a library item in\n{}",
                stdout(&output)
            );
            if json {
                json_of(case, &output);
            }
        }
    }
}

/// JSON carries the data (escapes decode to the same text), never raw, never a URL password.
#[test]
fn json_carries_server_text_as_escapes_and_stays_valid() {
    let fixture = Fixture::new(false);
    let manifest = fixture.manifest();
    let saved = fixture.dir.join("plan.json").to_str().unwrap().to_owned();
    for (case, args) in [
        ("list --json", &["list", "--json"][..]),
        ("get --json", &["get", "wiki", "--json"][..]),
        (
            "create --json",
            &[
                "create",
                "--name",
                "Fresh",
                "--url",
                "https://f.example/s",
                "--json",
            ][..],
        ),
        (
            "plan --json",
            &["plan", "-f", &manifest, "--prune", "--json"][..],
        ),
        (
            "apply --json",
            &["apply", "-f", &manifest, "--prune", "--yes", "--json"][..],
        ),
        (
            "plan -o --json",
            &["plan", "-f", &manifest, "--prune", "--json", "-o", &saved][..],
        ),
        (
            "apply FILE --json",
            &["apply", &saved, "--yes", "--json"][..],
        ),
        ("export (stdout)", &["export"][..]),
    ] {
        let output = fixture.run(args);
        assert!(
            matches!(code(&output), 0 | 2),
            "{case}: {}",
            stderr(&output)
        );
        assert_terminal_safe(case, &output);
        assert!(
            !stdout(&output).contains(PASSWORD) || case.starts_with("export"),
            "{case}"
        );
        json_of(case, &output);
    }
    let listed = json_of("list", &fixture.run(&["list", "--json"]));
    assert_eq!(listed[0]["name"], H, "the data is whole");
    assert_eq!(listed[0]["id"], ID_A);
    assert_eq!(
        listed[0]["url"],
        format!("https://bob:[redacted]@evil.example/search?q={H}")
    );
    let lines = stdout(&fixture.run(&["list", "--jsonl"]));
    let first: Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["description"], H);
}
