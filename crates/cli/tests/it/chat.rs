//! `chat`: the tool loop over a manifest's connectors, against the emulator's model; its
//! answer with numbered citations and sources, as JSON, as it streams; and what hostile
//! connectors send, escaped on every path.

use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector, SearchFailure};
use serde_json::{Value, json};

use super::setup::{Setup, code, stderr, stdout};

fn manifest(setup: &Setup, connectors: Value) -> String {
    setup
        .file(
            "chat.json",
            &json!({"version": 1, "connectors": connectors}).to_string(),
        )
        .display()
        .to_string()
}

#[test]
fn the_answer_comes_with_numbered_citations_and_their_sources() {
    let setup = Setup::new(0);
    let wiki = setup.connector(Access::open());
    let file = manifest(
        &setup,
        json!([{"id": "wiki", "name": "Wiki", "url": wiki.url()}]),
    );
    let output = setup.run(&["chat", "-f", &file, "tea?"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Hit says: tea?[1]\n\nSources:\n[1] \"tea?\"\n    connector wiki, document 1 \"Hit\" https://e.example.com/1\n"
    );
    assert!(
        stderr(&output).contains("searched wiki: 1 document(s)"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_is_the_final_response_and_the_resolved_citations() {
    let setup = Setup::new(0);
    let wiki = setup.connector(Access::open());
    let file = manifest(
        &setup,
        json!([{"id": "wiki", "name": "Wiki", "url": wiki.url()}]),
    );
    let output = setup.run(&["chat", "-f", &file, "tea?", "--json"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(printed["response"]["finish_reason"], "COMPLETE");
    assert_eq!(
        printed["response"]["message"]["content"][0]["text"],
        "Hit says: tea?"
    );
    let source = &printed["citations"][0]["sources"][0];
    assert_eq!(
        (
            &source["kind"],
            &source["connector"],
            &source["document_id"],
            &source["id"]
        ),
        (
            &json!("document"),
            &json!("wiki"),
            &json!("1"),
            &json!("search_wiki:1")
        )
    );
    assert_eq!(printed["steps"][0]["calls"][0]["tool"], "search_wiki");
}

#[test]
fn stream_prints_the_answer_as_it_comes_then_the_sources() {
    let setup = Setup::new(0);
    let wiki = setup.connector(Access::open());
    let file = manifest(
        &setup,
        json!([{"id": "wiki", "name": "Wiki", "url": wiki.url()}]),
    );
    let output = setup.run(&["chat", "-f", &file, "tea?", "--stream"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(
        stdout(&output),
        "Hit says: tea?\n\nSources:\n[1] \"tea?\"\n    connector wiki, document 1 \"Hit\" https://e.example.com/1\n"
    );
}

/// A connector whose documents would drive a terminal: a title that sets the window title,
/// text that reverses itself, a URL with a password and an escape.
fn hostile(setup: &Setup) -> RunningConnector {
    setup
        .runtime
        .block_on(
            ConnectorService::new(Access::open(), |_, _| async {
                Ok(vec![
                    Document::new()
                        .with_id("x\u{1b}[2J")
                        .with_title("T\u{1b}]0;pwned\u{7}")
                        .with_text("line one\r\u{202e}evil\u{2066}")
                        .with_url("https://bob:hunter2@e.example.com/\u{1b}[31m"),
                ])
            })
            .bind("127.0.0.1:0"),
        )
        .unwrap()
}

#[test]
fn what_a_connector_sends_reaches_the_terminal_escaped_on_every_path() {
    let setup = Setup::new(0);
    let evil = hostile(&setup);
    let file = manifest(
        &setup,
        json!([{"id": "evil", "name": "Evil", "url": evil.url()}]),
    );
    for flags in [&[][..], &["--stream"][..], &["--json"][..]] {
        let output = setup
            .cli()
            .args(["chat", "-f", &file, "q"])
            .args(flags)
            .output()
            .unwrap();
        assert_eq!(code(&output), 0, "{flags:?}: {}", stderr(&output));
        let printed = stdout(&output);
        for raw in ['\u{1b}', '\u{7}', '\r', '\u{202e}', '\u{2066}'] {
            assert!(
                !printed.contains(raw),
                "{flags:?} printed {raw:?}: {printed}"
            );
        }
        assert!(!printed.contains("hunter2"), "{flags:?}: {printed}");
        if flags == ["--json"] {
            serde_json::from_str::<Value>(&printed).unwrap();
        } else {
            assert!(printed.contains("\\u{1b}]0;pwned"), "{flags:?}: {printed}");
        }
    }
}

#[test]
fn a_connector_that_fails_ends_the_chat_naming_it_unless_it_continues() {
    let setup = Setup::new(0);
    let down = setup
        .runtime
        .block_on(
            ConnectorService::new(Access::open(), |_, _| async {
                Err::<Vec<Document>, _>(SearchFailure::unavailable("maintenance \u{1b}[5m"))
            })
            .bind("127.0.0.1:0"),
        )
        .unwrap();
    let file = manifest(
        &setup,
        json!([{"id": "down", "name": "Down", "url": down.url()}]),
    );
    let output = setup.run(&["chat", "-f", &file, "q"]);
    assert_eq!(code(&output), 1);
    let said = stderr(&output);
    assert!(said.contains("the connector `down` failed"), "{said}");
    assert!(!said.contains('\u{1b}'), "{said}");

    let file = manifest(
        &setup,
        json!([{"id": "down", "name": "Down", "url": down.url(), "continue_on_failure": true}]),
    );
    let output = setup.run(&["chat", "-f", &file, "q"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    // The emulator's model cites what it read, the failure the model was told.
    let printed = stdout(&output);
    assert!(
        printed.contains("the connector answered 503: maintenance"),
        "{printed}"
    );
    assert!(
        printed.contains("(not a connector's document)") && !printed.contains('\u{1b}'),
        "{printed}"
    );
    assert!(
        stderr(&output).contains("searched down: failed: the connector answered 503"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn an_oauth_connector_takes_the_user_s_token_from_the_variable_named() {
    let setup = Setup::new(0);
    let drive = setup
        .runtime
        .block_on(
            ConnectorService::new(Access::user_token(), |_, caller| async move {
                let token = caller
                    .user_token()
                    .map(|token| token.expose().to_owned())
                    .unwrap_or_default();
                Ok(vec![
                    Document::new()
                        .with_id("d")
                        .with_title("Drive")
                        .with_text(format!("seen {token}")),
                ])
            })
            .bind("127.0.0.1:0"),
        )
        .unwrap();
    let file = manifest(
        &setup,
        json!([{"id": "drive", "name": "Drive", "url": drive.url(), "oauth": {
            "client_id": "c", "client_secret": {"env": "DRIVE_CLIENT_SECRET"},
            "authorize_url": "https://login.example.com/a", "token_url": "https://login.example.com/t"}}]),
    );
    let output = setup
        .cli()
        .env("DRIVE_USER_TOKEN", "ya29.user-token")
        .args([
            "chat",
            "-f",
            &file,
            "q",
            "--user-token-env",
            "drive=DRIVE_USER_TOKEN",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("Drive says: seen [redacted][1]\n"),
        "{}",
        stdout(&output)
    );
    assert!(!stdout(&output).contains("ya29"));
}
