//! The world changes between a plan and its apply (another writer, an id deleted and created
//! again, a listing that fails): apply acts only on what the plan saw, checks before each
//! destructive step, and says what was done and what not. Saved plans apply once, to their
//! account, exactly as reviewed.

use std::time::Duration;

use cohere_connectors::Client;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_migrate::sync::{Applied, PlanOptions, SavedPlan, Step, SyncError, plan};
use cohere_connectors_migrate::{Manifest, MigrateError, Secrets};
use httpmock::{Method, MockServer};
use serde_json::{Value, json};

use crate::common::{client_of, connector_json, serve_account};

fn manifest(value: Value) -> Manifest {
    Manifest::from_json(&value.to_string()).unwrap()
}

fn empty() -> Manifest {
    manifest(json!({"version": 1, "connectors": []}))
}

/// A scratch file for a saved plan, removed when dropped.
struct PlanFile(std::path::PathBuf);

impl PlanFile {
    fn new(name: &str) -> Self {
        Self(std::env::temp_dir().join(format!("cc-plan-{name}-{}.json", std::process::id())))
    }
}

impl Drop for PlanFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

async fn create(client: &Client, name: &str, url: &str) -> cohere_connectors::Connector {
    client.connectors().create(name, url).await.unwrap()
}

/// Asserts an apply refused before its first change, for `reason`, with every change left.
fn assert_refused(error: &cohere_connectors_migrate::sync::ApplyError, reason: &str, left: usize) {
    assert!(
        matches!(
            error.error,
            SyncError::Changed { .. } | SyncError::OtherAccount { .. } | SyncError::Definitions(_)
        ),
        "{error}"
    );
    assert!(error.to_string().contains(reason), "{error}");
    assert!(error.report.done.is_empty(), "{error}");
    assert_eq!(error.report.failed.as_ref().unwrap().change, None);
    assert_eq!(error.report.not_attempted.len(), left, "{error}");
}

#[tokio::test]
async fn a_connector_deleted_and_created_again_under_its_id_is_not_deleted() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    create(&client, "Legacy", "https://legacy.example.com/search").await;
    let planned = plan(&client, &empty(), PlanOptions::new().prune(true))
        .await
        .unwrap();
    assert_eq!(
        planned.to_string().lines().next(),
        Some("- delete legacy (\"Legacy\")")
    );

    // Someone deletes it and creates a new "Legacy": the same derived id, another connector.
    client.connectors().delete("legacy").await.unwrap();
    let newer = create(&client, "Legacy", "https://new-legacy.example.com/search").await;
    assert_eq!(newer.id, "legacy");

    let error = planned.apply().await.unwrap_err();
    assert_refused(
        &error,
        "`legacy` is not the connector the plan saw (its created_at, updated_at, url changed)",
        1,
    );
    assert!(error.to_string().contains("nothing was applied"), "{error}");
    assert_eq!(
        client
            .connectors()
            .get("legacy")
            .await
            .unwrap()
            .url
            .unwrap(),
        "https://new-legacy.example.com/search"
    );
}

#[tokio::test]
async fn a_connector_another_writer_changed_or_deleted_is_not_touched() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    create(&client, "Wiki", "https://old.example.com/search").await;
    create(&client, "Docs", "https://old-docs.example.com/search").await;
    let desired = manifest(json!({"version": 1, "connectors": [
        {"id": "wiki", "name": "Wiki", "url": "https://wiki.example.com/search"},
        {"id": "docs", "name": "Docs", "url": "https://docs.example.com/search"}
    ]}));
    let planned = plan(&client, &desired, PlanOptions::new()).await.unwrap();
    assert_eq!(planned.summary(), (0, 2, 0));

    client
        .connectors()
        .update("wiki")
        .excludes(["x"])
        .await
        .unwrap();
    client.connectors().delete("docs").await.unwrap();
    let error = planned.apply().await.unwrap_err();
    assert_refused(
        &error,
        "`wiki` is not the connector the plan saw (its updated_at, excludes changed); `docs` is gone",
        2,
    );
    assert_eq!(
        client.connectors().get("wiki").await.unwrap().url.unwrap(),
        "https://old.example.com/search"
    );
}

#[tokio::test]
async fn connectors_that_appeared_refuse_a_prune_or_a_colliding_create() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Tickets", "url": "https://tickets.example.com/search"}
    ]}));
    let pruning = plan(&client, &desired, PlanOptions::new().prune(true))
        .await
        .unwrap();
    let keeping = plan(&client, &desired, PlanOptions::new()).await.unwrap();

    // A stranger does not matter to a plan that keeps what it does not know...
    create(&client, "Stray", "https://stray.example.com/search").await;
    // ...but a prune would have deleted it, had it seen it.
    let error = pruning.apply().await.unwrap_err();
    assert_refused(
        &error,
        "`stray` appeared, and the plan would have deleted it had it seen it",
        1,
    );

    // Someone else created "Tickets": creating it again would make `tickets-2`.
    create(&client, "Tickets", "https://theirs.example.com/search").await;
    let error = keeping.apply().await.unwrap_err();
    assert_refused(
        &error,
        "`tickets` appeared with the name of a connector the plan creates",
        1,
    );
    assert_eq!(emulator.connector_count(), 2);

    // With the world as it was, the same kind of plan applies.
    let fresh = plan(&client, &desired, PlanOptions::new()).await.unwrap();
    assert!(fresh.apply().await.is_ok());
}

#[tokio::test]
async fn same_times_other_fields_are_another_connector() {
    // A server whose timestamps do not move: the compared fields still tell.
    let server = MockServer::start_async().await;
    let mut listing = serve_account(
        &server,
        vec![connector_json(
            "wiki",
            json!({"url": "https://a.example.com/s"}),
        )],
    )
    .await;
    let client = client_of(&server);
    let planned = plan(&client, &empty(), PlanOptions::new().prune(true))
        .await
        .unwrap();
    listing.delete_async().await;
    listing = serve_account(
        &server,
        vec![connector_json(
            "wiki",
            json!({"url": "https://b.example.com/s"}),
        )],
    )
    .await;
    let deletes = server
        .mock_async(|when, then| {
            when.method(Method::DELETE);
            then.status(200).body("{}");
        })
        .await;
    let error = planned.apply().await.unwrap_err();
    assert_refused(
        &error,
        "`wiki` is not the connector the plan saw (its url changed)",
        1,
    );
    deletes.assert_calls_async(0).await;
    listing.assert_calls_async(1).await;
}

#[tokio::test]
async fn each_destructive_step_reads_the_connector_again_first() {
    // The account is as seen when the apply starts, and `b` changes while `a` is deleted.
    let server = MockServer::start_async().await;
    let a = connector_json("a", json!({"url": "https://a.example.com/s"}));
    let b = connector_json("b", json!({"url": "https://b.example.com/s"}));
    serve_account(&server, vec![a.clone(), b.clone()]).await;
    let client = client_of(&server);
    let planned = plan(&client, &empty(), PlanOptions::new().prune(true))
        .await
        .unwrap();
    assert_eq!(planned.summary(), (0, 0, 2));
    server
        .mock_async(move |when, then| {
            when.method(Method::GET).path("/v1/connectors/a");
            then.status(200).json_body(json!({"connector": a}));
        })
        .await;
    let mut changed_b = b.clone();
    changed_b["updated_at"] = json!("2025-01-01T00:00:00Z");
    server
        .mock_async(move |when, then| {
            when.method(Method::GET).path("/v1/connectors/b");
            then.status(200).json_body(json!({"connector": changed_b}));
        })
        .await;
    let delete_a = server
        .mock_async(|when, then| {
            when.method(Method::DELETE).path("/v1/connectors/a");
            then.status(200).body("{}");
        })
        .await;
    let delete_b = server
        .mock_async(|when, then| {
            when.method(Method::DELETE).path("/v1/connectors/b");
            then.status(200).body("{}");
        })
        .await;
    let error = planned.apply().await.unwrap_err();
    delete_a.assert_calls_async(1).await;
    delete_b.assert_calls_async(0).await;
    assert_eq!(error.report.done, [Applied::Deleted { id: "a".into() }]);
    let failed = error.report.failed.as_ref().unwrap();
    assert_eq!(
        failed.change.as_ref().map(ToString::to_string).as_deref(),
        Some("delete b")
    );
    assert_eq!(
        failed.error,
        "`b` is not the connector the plan saw (its updated_at changed) since the plan: it was not deleted (plan again)"
    );
    assert!(
        error
            .to_string()
            .ends_with("(1 done, 1 failed, 0 not attempted)"),
        "{error}"
    );
}

#[tokio::test]
async fn a_listing_that_fails_part_way_is_an_error_for_plan_and_apply() {
    let server = MockServer::start_async().await;
    let page: Vec<Value> = (0..100)
        .map(|i| {
            connector_json(
                &format!("c-{i:03}"),
                json!({"url": "https://a.example.com/s"}),
            )
        })
        .collect();
    let first = server
        .mock_async(move |when, then| {
            when.method(Method::GET)
                .path("/v1/connectors")
                .query_param("offset", "0");
            then.status(200)
                .json_body(json!({"connectors": page, "total_count": 150}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(Method::GET)
                .path("/v1/connectors")
                .query_param("offset", "100");
            then.status(500)
                .json_body(json!({"message": "page 2 is down"}));
        })
        .await;
    let client = client_of(&server);
    let error = plan(&client, &empty(), PlanOptions::new().prune(true))
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::Api(_)), "{error}");
    first.assert_calls_async(1).await;

    // A plan made while the listing worked; the listing of the apply fails: nothing is done.
    let server = MockServer::start_async().await;
    let mut listing = serve_account(&server, vec![connector_json("x", json!({}))]).await;
    let client = client_of(&server);
    let planned = plan(&client, &empty(), PlanOptions::new().prune(true))
        .await
        .unwrap();
    listing.delete_async().await;
    listing = server
        .mock_async(|when, then| {
            when.method(Method::GET).path("/v1/connectors");
            then.status(500).json_body(json!({"message": "down"}));
        })
        .await;
    let error = planned.apply().await.unwrap_err();
    assert!(matches!(error.error, SyncError::Api(_)), "{error}");
    let left: Vec<String> = error
        .report
        .not_attempted
        .iter()
        .map(Step::to_string)
        .collect();
    assert_eq!(left, ["delete x"]);
    listing.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_saved_plan_applies_once_to_its_account_as_reviewed() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    create(&client, "Legacy", "https://legacy.example.com/search").await;
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Wiki", "url": "https://bot@wiki.example.com/search", "url_password": {"env": "WIKI_URL_PASSWORD"},
         "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}
    ]}));
    let secrets = Secrets::none()
        .with("WIKI_TOKEN", "wiki-token-123")
        .with("WIKI_URL_PASSWORD", "url-pass-456");
    let file = PlanFile::new("once");
    let reviewed = plan(
        &client,
        &desired,
        PlanOptions::new().prune(true).secrets(secrets.clone()),
    )
    .await
    .unwrap();
    reviewed.save(&file.0).unwrap();
    let text = std::fs::read_to_string(&file.0).unwrap();
    for secret in ["wiki-token-123", "url-pass-456"] {
        assert!(!text.contains(secret), "{text}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file.0).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let saved = SavedPlan::read(&file.0).unwrap();
    assert_eq!(saved.plan().to_string(), reviewed.to_string());
    assert_eq!(saved.plan().manifest, desired.digest());

    // Another account: refused.
    let other = Emulator::start().await.unwrap();
    let error = saved
        .apply(&other.client().unwrap(), &secrets)
        .await
        .unwrap_err();
    assert!(
        matches!(error.error, SyncError::OtherAccount { .. }),
        "{error}"
    );
    assert_refused(&error, "the plan was made for http://127.0.0.1:", 2);
    // Secrets that do not resolve from the plan's references: refused, nothing done.
    let error = saved.apply(&client, &Secrets::none()).await.unwrap_err();
    assert_refused(
        &error,
        "environment variable WIKI_URL_PASSWORD is not set",
        2,
    );
    assert_eq!(emulator.connector_count(), 1);

    // The account as reviewed: applied, with the secrets resolved again.
    let report = saved.apply(&client, &secrets).await.unwrap();
    assert_eq!(report.done.len(), 2);
    let wiki = client.connectors().get("wiki").await.unwrap();
    assert_eq!(
        wiki.url.unwrap(),
        "https://bot:url-pass-456@wiki.example.com/search"
    );
    // Once: the account is no longer the one the plan saw.
    let error = saved.apply(&client, &secrets).await.unwrap_err();
    assert_refused(&error, "`legacy` is gone", 2);
}

#[tokio::test]
async fn plans_never_hold_a_secret() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Inline", "url": "https://inline.example.com/search",
         "service_auth": {"type": "bearer", "token": {"value": "inline-token-789"}}},
        {"name": "Clear", "url": "https://bot:clear-pass-789@clear.example.com/search"}
    ]}));
    let planned = plan(&client, &desired, PlanOptions::new()).await.unwrap();
    // What `plan --json` prints shows where the secrets are, not what they are.
    let json = serde_json::to_string(&planned).unwrap();
    assert!(
        !json.contains("inline-token-789") && !json.contains("clear-pass-789"),
        "{json}"
    );
    assert!(json.contains(r#""token":{"value":"[redacted]"}"#), "{json}");
    // Saving would leave apply nothing to resolve them from: refused, no file.
    let file = PlanFile::new("secrets");
    let error = planned.save(&file.0).unwrap_err();
    assert!(matches!(error, MigrateError::InvalidPlan { .. }), "{error}");
    assert!(
        error
            .to_string()
            .contains("service_auth.token is in the manifest in clear"),
        "{error}"
    );
    assert!(!file.0.exists());
    // In memory, the plan applies with the values it was given.
    assert_eq!(planned.apply().await.unwrap().done.len(), 2);
}

#[test]
fn plan_files_that_are_not_plans_are_refused_without_quoting_values() {
    let valid = json!({
        "format": "cohere-connectors plan", "version": 1, "made_at": "2025-01-01T00:00:00Z",
        "base_url": "http://127.0.0.1:1", "manifest": "sha256:00", "prune": false,
        "resend_secrets": false, "account": [], "notices": [], "counts": [0, 1],
        "changes": [{"action": "create", "name": "A", "url": "https://a.example.com",
            "definition": {"name": "A", "url": "https://a.example.com"}}]
    });
    assert!(SavedPlan::from_json(&valid.to_string()).is_ok());
    let with = |pointer: &str, value: Value| {
        let mut plan = valid.clone();
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        plan.pointer_mut(parent).unwrap()[key] = value;
        plan.to_string()
    };
    let cases = [
        (
            with("/format", json!("something else")),
            "it is not a saved plan",
        ),
        (with("/version", json!(2)), "version 2 is not supported"),
        (
            with("/prune", json!("raw-secret-value-123")),
            "invalid type",
        ),
        (
            with(
                "/changes/0/definition/service_auth",
                json!({"type": "bearer", "token": {"value": "raw-secret-value-123"}}),
            ),
            "holds its service_auth.token in clear",
        ),
        (
            with(
                "/changes/0/definition/service_auth",
                json!({"type": "bearer", "token": {"env": "CONNECTOR_OTHER_SERVICE_TOKEN"}}),
            ),
            "the variable an export names for connector `other`",
        ),
        (with("/account", json!([{"id": "x"}])), "missing field"),
        ("[1, 2]".to_owned(), "invalid"),
        ("{".to_owned(), "not valid JSON"),
    ];
    for (text, expected) in cases {
        let error = SavedPlan::from_json(&text).unwrap_err();
        assert!(matches!(error, MigrateError::InvalidPlan { .. }), "{error}");
        let shown = error.to_string();
        assert!(shown.contains(expected), "{expected}: {shown}");
        assert!(!shown.contains("raw-secret-value-123"), "{shown}");
    }
}

#[cfg(unix)]
#[test]
fn a_plan_file_that_is_a_fifo_is_refused_at_once() {
    let path = std::env::temp_dir().join(format!("cc-plan-fifo-{}", std::process::id()));
    let _ = std::fs::remove_file(&path);
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .unwrap()
            .success()
    );
    let (send, receive) = std::sync::mpsc::channel();
    let reading = path.clone();
    std::thread::spawn(move || {
        let _ = send.send(
            SavedPlan::read(reading)
                .map(|_| ())
                .map_err(|e| e.to_string()),
        );
    });
    let outcome = receive
        .recv_timeout(Duration::from_secs(5))
        .expect("the read blocked");
    assert!(
        outcome
            .unwrap_err()
            .ends_with("it is a FIFO, not a regular file")
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_definition_whose_name_two_connectors_share_is_not_guessed() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    create(&client, "Wiki", "https://one.example.com/search").await;
    create(&client, "Wiki", "https://two.example.com/search").await;
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Wiki", "url": "https://wiki.example.com/search"}
    ]}));
    let error = plan(&client, &desired, PlanOptions::new())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "invalid manifest: connectors[0] (`Wiki`) is matched by name, and 2 connectors of the account have it (`wiki`, `wiki-2`): give it the id of the one it means"
    );
    // With the ids, each goes to its own.
    let desired = manifest(json!({"version": 1, "connectors": [
        {"id": "wiki", "name": "Wiki", "url": "https://one.example.com/search"},
        {"id": "wiki-2", "name": "Wiki", "url": "https://two.example.com/search"}
    ]}));
    assert!(
        plan(&client, &desired, PlanOptions::new().prune(true))
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn plans_and_reports_escape_what_the_server_chose() {
    let server = MockServer::start_async().await;
    let evil = connector_json(
        "ev\u{1b}[2Jil",
        json!({"name": "N\u{202e}ame\r", "url": "https://a.example.com/\u{7}s"}),
    );
    serve_account(&server, vec![evil.clone()]).await;
    server
        .mock_async(move |when, then| {
            when.method(Method::GET).path_includes("/v1/connectors/ev");
            then.status(200).json_body(json!({"connector": evil}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(Method::DELETE);
            then.status(200).body("{}");
        })
        .await;
    let client = client_of(&server);
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "New\u{2066}", "url": "https://new.example.com/\u{1b}]0;t\u{7}"}
    ]}));
    let planned = plan(&client, &desired, PlanOptions::new().prune(true))
        .await
        .unwrap();
    let text = planned.to_string();
    for raw in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2066}', '\r'] {
        assert!(!text.contains(raw), "{raw:?} in {text}");
    }
    assert!(
        text.contains("- delete ev\\u{1b}[2Jil (\"N\\u{202e}ame\\u{d}\")"),
        "{text}"
    );
    let kept = plan(&client, &desired, PlanOptions::new()).await.unwrap();
    assert!(
        kept.to_string()
            .contains("! ev\\u{1b}[2Jil: not in the definitions"),
        "{kept}"
    );

    let lines = [
        Applied::Created {
            id: "c\u{1b}]0;x\u{7}".into(),
            name: "N\u{202e}".into(),
        },
        Applied::Updated {
            id: "u\r".into(),
            fields: vec!["url".into()],
        },
        Applied::Deleted {
            id: "d\u{2069}".into(),
        },
    ]
    .map(|applied| applied.to_string());
    assert_eq!(
        lines,
        [
            "created c\\u{1b}]0;x\\u{7} (\"N\\u{202e}\")",
            "updated u\\u{d}: url",
            "deleted d\\u{2069}"
        ]
    );

    // A plan read with serde is only data: applying it needs a client.
    let copy: cohere_connectors_migrate::sync::Plan =
        serde_json::from_str(&serde_json::to_string(&planned).unwrap()).unwrap();
    let error = copy.apply().await.unwrap_err();
    assert!(matches!(error.error, SyncError::Unbound), "{error}");
}
