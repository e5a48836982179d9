//! Plan and apply: an account made to match its definitions, idempotently, in a safe order,
//! saying what it cannot compare.

use cohere_connectors::{AuthTokenType, Client, Connector};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService};
use cohere_connectors_migrate::sync::{Applied, Change, PlanOptions, SyncError, plan};
use cohere_connectors_migrate::{Manifest, SecretRef, Secrets, export};
use futures_util::TryStreamExt;
use serde_json::json;

async fn exported(client: &Client) -> Manifest {
    let mut out = Vec::new();
    export(client, &mut out).await.unwrap();
    Manifest::from_json(std::str::from_utf8(&out).unwrap()).unwrap()
}

async fn account(client: &Client) -> Vec<Connector> {
    client
        .connectors()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap()
}

fn manifest(value: serde_json::Value) -> Manifest {
    Manifest::from_json(&value.to_string()).unwrap()
}

/// The seeded account's manifest with its secrets filled.
fn filled(mut manifest: Manifest) -> (Manifest, Secrets) {
    let mut secrets = Secrets::none();
    for connector in &mut manifest.connectors {
        if let Some(auth) = &mut connector.definition.service_auth {
            auth.token_type = Some(AuthTokenType::Bearer);
            if let SecretRef::Env(name) = &auth.token {
                secrets = secrets.with(name.clone(), "a-service-token");
            }
        }
        if let Some(oauth) = &connector.definition.oauth
            && let SecretRef::Env(name) = &oauth.client_secret
        {
            secrets = secrets.with(name.clone(), "a-client-secret");
        }
    }
    (manifest, secrets)
}

#[tokio::test]
async fn an_exported_account_plans_to_nothing_and_says_what_it_cannot_compare() {
    let emulator = Emulator::builder().seed(30).start().await.unwrap();
    let client = emulator.client().unwrap();
    let manifest = exported(&client).await;
    let plan = plan(
        &client,
        &manifest,
        PlanOptions::new().prune(true).secrets(Secrets::none()),
    )
    .await
    .unwrap();
    assert!(plan.is_empty() && !plan.has_drift(), "{plan}");
    // Ten service tokens and ten OAuth client secrets cannot be compared: said, not hidden.
    assert_eq!(plan.notices.len(), 20, "{plan}");
    assert!(
        plan.notices
            .iter()
            .all(|notice| notice.message.contains("never returns"))
    );
    assert!(plan.to_string().ends_with(
        "0 to create, 0 to update, 0 to delete (30 connectors in the account, 30 defined)"
    ));
}

#[tokio::test]
async fn plan_apply_round_trips_an_exported_account_and_a_second_apply_changes_nothing() {
    let source = Emulator::builder().seed(45).start().await.unwrap();
    let (manifest, secrets) = filled(exported(&source.client().unwrap()).await);
    let target = Emulator::start().await.unwrap();
    let client = target.client().unwrap();

    let first = plan(
        &client,
        &manifest,
        PlanOptions::new().secrets(secrets.clone()),
    )
    .await
    .unwrap();
    assert_eq!(first.summary(), (45, 0, 0));
    let applied = first.apply().await.unwrap();
    assert_eq!(applied.done.len(), 45);
    assert!(matches!(&applied.done[0], Applied::Created { .. }));
    assert_eq!((applied.failed, applied.not_attempted.len()), (None, 0));

    let second = plan(
        &client,
        &manifest,
        PlanOptions::new().prune(true).secrets(secrets.clone()),
    )
    .await
    .unwrap();
    assert!(second.is_empty(), "{second}");
    assert!(second.apply().await.unwrap().done.is_empty());

    let names = |connectors: Vec<Connector>| {
        let mut names: Vec<(String, Option<String>, Option<String>)> = connectors
            .into_iter()
            .map(|c| {
                (
                    c.name,
                    c.url.map(String::from),
                    c.auth_type.map(|a| a.as_str().to_owned()),
                )
            })
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(account(&client).await),
        names(account(&source.client().unwrap()).await)
    );
}

#[tokio::test]
async fn updates_are_field_by_field_deletes_need_prune_and_secrets_are_sent_only_when_needed() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    let connectors = client.connectors();
    connectors
        .create("Wiki", "https://old-wiki.example.com/search")
        .excludes(["b", "a"])
        .send()
        .await
        .unwrap();
    connectors
        .create("Legacy", "https://legacy.example.com/search")
        .send()
        .await
        .unwrap();
    connectors
        .create("Mail", "https://mail.example.com/search")
        .description("old words")
        .service_auth(cohere_connectors::ServiceAuth::bearer("old-token"))
        .send()
        .await
        .unwrap();

    let desired = manifest(json!({"version": 1, "connectors": [
        {"id": "wiki", "name": "Company wiki", "url": "https://wiki.example.com/search", "excludes": ["a", "b"], "active": false},
        {"name": "Mail", "url": "https://mail.example.com/search", "description": "new words",
         "service_auth": {"type": "bearer", "token": {"env": "MAIL_TOKEN"}}},
        {"name": "Tickets", "url": "https://tickets.example.com/search", "continue_on_failure": true}
    ]}));
    let secrets = Secrets::none().with("MAIL_TOKEN", "new-token-123");
    let planned = plan(
        &client,
        &desired,
        PlanOptions::new().secrets(secrets.clone()),
    )
    .await
    .unwrap();
    assert_eq!(planned.summary(), (1, 1, 0), "{planned}");
    let Change::Update { id, fields, .. } = &planned.changes[1] else {
        panic!("{planned}")
    };
    assert_eq!(id, "wiki");
    let shown: Vec<String> = fields.iter().map(ToString::to_string).collect();
    // The excludes are the same set in another order: not a change.
    assert_eq!(
        shown,
        [
            r#"name: "Wiki" -> "Company wiki""#,
            r#"url: "https://old-wiki.example.com/search" -> "https://wiki.example.com/search""#,
            "active: true -> false"
        ]
    );
    let text = planned.to_string();
    assert!(
        text.contains("! legacy: not in the definitions; kept (prune to delete it)"),
        "{text}"
    );
    assert!(text.contains("! mail: the description differs"), "{text}");
    assert!(
        text.contains("! mail: service_auth.token cannot be compared"),
        "{text}"
    );
    assert!(planned.has_drift());
    assert!(!text.contains("new-token-123") && !format!("{planned:?}").contains("new-token-123"));
    let json = serde_json::to_string(&planned).unwrap();
    assert!(!json.contains("new-token-123"), "{json}");

    // With prune, legacy goes (last); with resend_secrets, the mail token is sent.
    let planned = plan(
        &client,
        &desired,
        PlanOptions::new()
            .prune(true)
            .resend_secrets(true)
            .secrets(secrets),
    )
    .await
    .unwrap();
    assert_eq!(planned.summary(), (1, 2, 1), "{planned}");
    assert!(matches!(planned.changes.last(), Some(Change::Delete { id, .. }) if id == "legacy"));
    planned.apply().await.unwrap();
    let wiki = connectors.get("wiki").await.unwrap();
    assert_eq!(
        (wiki.name.as_str(), wiki.url.as_deref(), wiki.active),
        (
            "Company wiki",
            Some("https://wiki.example.com/search"),
            Some(false)
        )
    );
    assert!(connectors.get("legacy").await.unwrap_err().is_not_found());
    assert_eq!(
        connectors.get("tickets").await.unwrap().continue_on_failure,
        Some(true)
    );

    // A secret the plan needs and cannot find is named, never guessed.
    let needs = manifest(json!({"version": 1, "connectors": [
        {"name": "New", "url": "https://new.example.com/search", "service_auth": {"type": "basic", "token": {"env": "NEW_TOKEN_UNSET"}}}
    ]}));
    let error = plan(&client, &needs, PlanOptions::new().secrets(Secrets::none()))
        .await
        .unwrap_err();
    assert!(matches!(error, SyncError::Definitions(_)), "{error}");
    assert_eq!(
        error.to_string(),
        "secret of connector `New` (service_auth.token): environment variable NEW_TOKEN_UNSET is not set"
    );
}

#[tokio::test]
async fn apply_stops_at_the_first_error_and_says_what_was_done() {
    let good = ConnectorService::new(Access::open(), |_, _| async {
        Ok(vec![Document::new().with_title("ok")])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let emulator = Emulator::builder()
        .verify_connectors(true)
        .start()
        .await
        .unwrap();
    let client = emulator.client().unwrap();
    let doomed = client
        .connectors()
        .create("Doomed", good.url())
        .send()
        .await
        .unwrap();
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Good", "url": good.url()},
        {"name": "Unreachable", "url": closed},
        {"name": "Later", "url": good.url()}
    ]}));
    let planned = plan(&client, &desired, PlanOptions::new().prune(true))
        .await
        .unwrap();
    assert_eq!(planned.summary(), (3, 0, 1));
    let error = planned.apply().await.unwrap_err();
    assert_eq!(
        error.report.done,
        [Applied::Created {
            id: "good".into(),
            name: "Good".into()
        }]
    );
    assert_eq!(
        error.error.to_string().split(':').next(),
        Some("create-connector")
    );
    assert!(
        error
            .to_string()
            .ends_with("(1 done, 1 failed, 2 not attempted)"),
        "{error}"
    );
    // What `apply --json` prints, from the error as from a success.
    let report = serde_json::to_value(&error.report).unwrap();
    assert_eq!(
        report["done"][0],
        json!({"action": "created", "id": "good", "name": "Good"})
    );
    assert_eq!(
        report["failed"]["change"],
        json!({"action": "create", "name": "Unreachable"})
    );
    assert!(
        report["failed"]["error"]
            .as_str()
            .unwrap()
            .starts_with("create-connector"),
        "{report}"
    );
    assert_eq!(
        report["not_attempted"],
        json!([
            {"action": "create", "name": "Later"},
            {"action": "delete", "id": "doomed", "name": "Doomed"}
        ])
    );
    // Nothing after the failure ran: the delete comes last and did not happen.
    assert!(client.connectors().get(doomed.id).await.is_ok());
    assert_eq!(emulator.connector_count(), 2);
}

#[tokio::test]
async fn passwords_in_urls_never_show_in_a_plan() {
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    client
        .connectors()
        .create("Wiki", "https://bot:old-pass-123@wiki.example.com/search")
        .await
        .unwrap();
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "Wiki", "url": "https://bot:new-pass-456@wiki.example.com/search"},
        {"name": "Docs", "url": "https://bot:docs-pass-789@docs.example.com/search"}
    ]}));
    let planned = plan(&client, &desired, PlanOptions::new()).await.unwrap();
    assert_eq!(planned.summary(), (1, 1, 0));
    let shown = format!(
        "{planned}\n{planned:?}\n{}",
        serde_json::to_string(&planned).unwrap()
    );
    for password in ["old-pass-123", "new-pass-456", "docs-pass-789"] {
        assert!(!shown.contains(password), "{shown}");
    }
    assert!(
        shown.contains("+ create \"Docs\" (https://bot:[redacted]@docs.example.com/search)"),
        "{shown}"
    );
    assert!(format!("{:?}", desired.connectors[0]).contains("bot:[redacted]@wiki"));
    // The requests still carry the real URLs.
    planned.apply().await.unwrap();
    let docs = client.connectors().get("docs").await.unwrap();
    assert_eq!(
        docs.url.as_deref(),
        Some("https://bot:docs-pass-789@docs.example.com/search")
    );
}

/// A server that echoes, in the error of one change, the secret another change sent: the
/// apply's error and its report never show it.
#[tokio::test]
async fn an_error_never_shows_a_secret_another_change_sent() {
    const FIRST: &str = "first-service-token-0001";
    const SECOND: &str = "tok2";
    let server = httpmock::MockServer::start_async().await;
    crate::common::serve_account(&server, Vec::new()).await;
    let first = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v1/connectors")
                .body_includes("\"First\"");
            then.status(200)
                .json_body(json!({"connector": crate::common::connector_json("first", json!({}))}));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/v1/connectors")
                .body_includes("\"Second\"");
            then.status(400).json_body(json!({
                "message": format!("name taken; the other one uses {FIRST}, you sent {SECOND}")
            }));
        })
        .await;
    let desired = manifest(json!({"version": 1, "connectors": [
        {"name": "First", "url": "https://first.example.com/search",
         "service_auth": {"type": "bearer", "token": {"env": "FIRST_TOKEN"}}},
        {"name": "Second", "url": "https://second.example.com/search",
         "service_auth": {"type": "bearer", "token": {"env": "SECOND_TOKEN"}}}
    ]}));
    let secrets = Secrets::none()
        .with("FIRST_TOKEN", FIRST)
        .with("SECOND_TOKEN", SECOND);
    let client = crate::common::client_of(&server);
    let planned = plan(&client, &desired, PlanOptions::new().secrets(secrets))
        .await
        .unwrap();
    let error = planned.apply().await.unwrap_err();
    first.assert_async().await;
    second.assert_async().await;
    let shown = format!(
        "{error} | {error:?} | {} | {}",
        error.error,
        serde_json::to_string(&error.report).unwrap()
    );
    assert!(shown.contains("name taken"), "{shown}");
    for secret in [FIRST, SECOND] {
        assert!(!shown.contains(secret), "{secret} shown: {shown}");
    }
}
