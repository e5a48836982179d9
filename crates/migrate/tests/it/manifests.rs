//! What a manifest holds: whatever the API returns, export writes and plan reads back to
//! nothing to change; secrets only as references, each connector's its own; contents a pull
//! request could bring refused with a message that quotes no value.

use crate::common::{client_of, connector_json, serve_account};
use cohere_connectors::{AuthTokenType, Client, NewConnector};
use cohere_connectors_migrate::sync::{PlanOptions, plan};
use cohere_connectors_migrate::{
    Manifest, ManifestConnector, MigrateError, SecretRef, Secrets, export,
};
use httpmock::MockServer;
use serde_json::{Value, json};

/// An account of these connectors (as the API would return them), served by a mock.
async fn account(connectors: Vec<Value>) -> (MockServer, Client) {
    let server = MockServer::start_async().await;
    serve_account(&server, connectors).await;
    let client = client_of(&server);
    (server, client)
}

async fn exported(client: &Client) -> Result<(Manifest, String), MigrateError> {
    let mut out = Vec::new();
    export(client, &mut out).await?;
    let text = String::from_utf8(out).unwrap();
    Ok((Manifest::from_json(&text)?, text))
}

/// Every shape of connector the API can return.
fn every_shape() -> Vec<Value> {
    vec![
        connector_json("no-url", json!({})),
        connector_json("empty-url", json!({"url": ""})),
        connector_json(
            "nameless",
            json!({"name": "", "url": "https://a.example.com/s"}),
        ),
        connector_json(
            "twin",
            json!({"name": "Twin", "url": "https://t.example.com/1"}),
        ),
        connector_json(
            "twin-2",
            json!({"name": "Twin", "url": "https://t.example.com/2"}),
        ),
        connector_json(
            "wiki-2",
            json!({"url": "https://bob:pass-one@wiki.example.com/search", "auth_type": "service_auth"}),
        ),
        connector_json(
            "wiki.2",
            json!({"url": "https://wiki2.example.com/search", "auth_type": "service_auth"}),
        ),
        connector_json("Wiki_2", json!({"url": "https://wiki3.example.com/search"})),
        connector_json(
            "bare-oauth",
            json!({"url": "https://o.example.com/s", "auth_type": "oauth"}),
        ),
        connector_json(
            "oauth-no-client",
            json!({"url": "https://o.example.com/s", "auth_type": "oauth",
            "oauth": {"authorize_url": "https://login.example.com/a", "token_url": "https://login.example.com/t"}}),
        ),
        connector_json(
            "oauth-untyped",
            json!({"url": "https://o.example.com/s",
            "oauth": {"client_id": "c", "authorize_url": "https://login.example.com/a", "token_url": "https://login.example.com/t", "scope": "read"}}),
        ),
        connector_json(
            "saml",
            json!({"url": "https://s.example.com/s", "auth_type": "saml"}),
        ),
        connector_json(
            "flags",
            json!({"url": "https://f.example.com/s", "active": false, "continue_on_failure": true,
            "excludes": ["b", "a", "a"], "description": "tabs\tand \u{1b}[31m escapes \u{202e}", "organization_id": "org"}),
        ),
    ]
}

/// The secrets a plan needs to compare: the URL password the export made a reference of.
fn url_passwords(manifest: &Manifest) -> Secrets {
    let mut secrets = Secrets::none();
    for connector in &manifest.connectors {
        if let Some(SecretRef::Env(name)) = &connector.url_password {
            secrets = secrets.with(name.clone(), "pass-one");
        }
    }
    secrets
}

#[tokio::test]
async fn whatever_the_api_returns_export_writes_and_plan_reads_back_to_nothing() {
    let (_server, client) = account(every_shape()).await;
    let (manifest, text) = exported(&client).await.unwrap();
    assert_eq!(manifest.connectors.len(), every_shape().len());
    // No secret in the file: the URL password is a reference.
    assert!(!text.contains("pass-one"), "{text}");
    let wiki = &manifest.connectors[5];
    assert_eq!(
        wiki.definition.url.as_ref().unwrap(),
        "https://bob@wiki.example.com/search"
    );
    assert_eq!(
        wiki.url_password,
        Some(SecretRef::Env("CONNECTOR_WIKI_2_URL_PASSWORD".into()))
    );
    // No URL is written as `""`: what was absent stays absent.
    assert!(!text.contains(r#""url":"""#), "{text}");
    assert_eq!(manifest.connectors[0].definition.url, None);
    assert_eq!(manifest.connectors[1].definition.url, None);

    let planned = plan(
        &client,
        &manifest,
        PlanOptions::new()
            .prune(true)
            .secrets(url_passwords(&manifest)),
    )
    .await
    .unwrap();
    assert!(planned.is_empty() && !planned.has_drift(), "{planned}");
}

#[tokio::test]
async fn ids_that_read_alike_never_share_a_secret() {
    let (_server, client) = account(every_shape()).await;
    let (manifest, _) = exported(&client).await.unwrap();
    let token_of = |id: &str| {
        let entry = manifest
            .connectors
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap();
        let SecretRef::Env(name) = &entry.definition.service_auth.as_ref().unwrap().token else {
            panic!()
        };
        name.clone()
    };
    assert_eq!(token_of("wiki-2"), "CONNECTOR_WIKI_2_SERVICE_TOKEN");
    assert_ne!(token_of("wiki.2"), token_of("wiki-2"));
    assert!(token_of("wiki.2").starts_with("CONNECTOR_WIKI_2__"));

    // Each connector's request carries its own token.
    let mut filled = manifest.clone();
    let mut secrets = url_passwords(&manifest);
    for entry in &mut filled.connectors {
        if let Some(auth) = &mut entry.definition.service_auth {
            auth.token_type = Some(AuthTokenType::Bearer);
            let SecretRef::Env(name) = &auth.token else {
                panic!()
            };
            secrets = secrets.with(name.clone(), format!("token-of-{}", entry.label()));
        }
    }
    for id in ["wiki-2", "wiki.2"] {
        let entry = filled
            .connectors
            .iter()
            .find(|c| c.id.as_deref() == Some(id))
            .unwrap();
        let request: NewConnector = entry.to_new_connector(&secrets).unwrap();
        assert_eq!(
            request.service_auth.unwrap().token.expose(),
            format!("token-of-{id}")
        );
    }
}

#[test]
fn a_manifest_whose_references_would_cross_connectors_is_refused() {
    // What exports wrote before names were made distinct: both connectors read one variable.
    let crossed = json!({"version": 1, "connectors": [
        {"id": "wiki-2", "name": "A", "url": "https://a.example.com/s",
         "service_auth": {"type": "bearer", "token": {"env": "CONNECTOR_WIKI_2_SERVICE_TOKEN"}}},
        {"id": "wiki.2", "name": "B", "url": "https://b.example.com/s",
         "service_auth": {"type": "bearer", "token": {"env": "CONNECTOR_WIKI_2_SERVICE_TOKEN"}}}
    ]});
    let error = Manifest::from_json(&crossed.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        error.starts_with(
            "invalid manifest: connectors[1] (`wiki.2`): service_auth.token comes from CONNECTOR_WIKI_2_SERVICE_TOKEN, the variable an export names for connector `wiki-2`"
        ),
        "{error}"
    );
    // Alone, `wiki.2` with that name is still refused: `wiki-2` may be in the account.
    let alone = json!({"version": 1, "connectors": [crossed["connectors"][1]]});
    let error = Manifest::from_json(&alone.to_string())
        .unwrap_err()
        .to_string();
    assert!(error.contains("for connector `wiki-2`"), "{error}");
    // A connector to create may not borrow another's either.
    let borrowed = json!({"version": 1, "connectors": [
        crossed["connectors"][0],
        {"name": "New", "url": "https://evil.example.com/s",
         "oauth": {"client_id": "c", "client_secret": {"env": "CONNECTOR_WIKI_2_SERVICE_TOKEN"},
                   "authorize_url": "https://a.example.com", "token_url": "https://t.example.com"}}
    ]});
    let error = Manifest::from_json(&borrowed.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("connectors[1] (`New`): oauth.client_secret comes from"),
        "{error}"
    );

    // Sharing a secret on purpose, under a name of one's own, is the writer's choice.
    let shared = json!({"version": 1, "connectors": [
        {"id": "a", "name": "A", "url": "https://a.example.com/s",
         "service_auth": {"type": "bearer", "token": {"env": "SHARED_SEARCH_TOKEN"}}},
        {"id": "b", "name": "B", "url": "https://b.example.com/s",
         "service_auth": {"type": "bearer", "token": {"env": "SHARED_SEARCH_TOKEN"}}},
        {"id": "c", "name": "C", "url": "https://c.example.com/s",
         "service_auth": {"type": "bearer", "token": {"env": "CONNECTOR_C_SERVICE_TOKEN"}}}
    ]});
    assert!(Manifest::from_json(&shared.to_string()).is_ok());
}

#[tokio::test]
async fn urls_a_manifest_cannot_hold_stop_the_export_with_the_connector_named() {
    for (shape, field) in [
        (json!({"url": "ftp://files.example.com/"}), "url"),
        (json!({"url": "not a url"}), "url"),
        (
            json!({"url": "https://o.example.com/s", "auth_type": "oauth",
                "oauth": {"authorize_url": "https://u:secret-pw@login.example.com/a", "token_url": "https://login.example.com/t"}}),
            "oauth.authorize_url",
        ),
    ] {
        let (_server, client) = account(vec![connector_json("odd\u{1b}[2J", shape)]).await;
        let error = exported(&client).await.unwrap_err().to_string();
        assert!(
            error.starts_with("invalid manifest: connector `odd\\u{1b}[2J`: the API returned"),
            "{error}"
        );
        assert!(
            error.contains(field) && !error.contains("secret-pw"),
            "{error}"
        );
    }
}

#[test]
fn contents_a_pull_request_could_bring_are_refused_without_quoting_values() {
    let long = "n".repeat(100_000);
    let cases = [
        (
            json!({"version": 1, "connectors": [{"id": "a", "name": "A", "url": "https://a.example.com"}, {"id": "a", "name": "B", "url": "https://b.example.com"}]}),
            "connectors[1]: the id `a` appears twice",
        ),
        (
            json!({"version": 1, "connectors": [{"name": long, "url": "https://a.example.com"}, {"name": long, "url": "https://b.example.com"}]}),
            "connectors[1]: the name `nnnn",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A"}]}),
            "missing field `url` in connectors[0] (`A`), which has no id",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "", "url": "https://a.example.com"}]}),
            "connectors[0]: the name is empty",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": ""}]}),
            "not an absolute http(s) URL",
        ),
        (
            json!({"version": 1, "connectors": [{"id": "", "name": "A", "url": "https://a.example.com"}]}),
            "the connector id is empty",
        ),
        (
            json!({"version": 1, "connectors": [{"id": "..", "name": "A", "url": "https://a.example.com"}]}),
            "cannot be connector ids",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"env": ""}}}]}),
            "service_auth.token: the variable name is empty",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"file": ""}}}]}),
            "service_auth.token: the file path is empty",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://u:raw-secret-value-123@a.example.com",
                "url_password": {"env": "P"}}]}),
            "the url holds a password and url_password is set",
        ),
        (
            json!({"version": 1, "connectors": [{"id": "a", "name": "A", "url_password": {"env": "P"}}]}),
            "url_password is set, and there is no url",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com", "servce_auth": {}}]}),
            "unknown field `servce_auth`",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"env": "X"}, "tpye": "basic"}}]}),
            "unknown field `tpye`",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "oauth": {"client_secret": {"env": "X", "extra": 1}}}]}),
            "expected map with a single key",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"value": 987654321}}}]}),
            "invalid type",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://raw-secret-value-123@[::1"}]}),
            "not an absolute http(s) URL",
        ),
    ];
    for (manifest, expected) in cases {
        let error = Manifest::from_json(&manifest.to_string())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{expected}: {error}");
        assert!(error.len() < 600, "{}", error.len());
        assert!(
            !error.contains("raw-secret-value-123") && !error.contains("987654321"),
            "{error}"
        );
    }
}

#[test]
fn every_manifest_exported_before_still_reads() {
    // A manifest as the first exports wrote it: every field, `type` left null.
    let old = json!({"version": 1, "exported_at": "2025-09-01T00:00:00Z", "connectors": [
        {"id": "sample-connector-2", "name": "Sample 2", "url": "https://search.example.com/2",
         "description": "d", "excludes": ["x"], "active": true, "continue_on_failure": false,
         "service_auth": {"type": null, "token": {"env": "CONNECTOR_SAMPLE_CONNECTOR_2_SERVICE_TOKEN"}},
         "organization_id": "org", "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-02T00:00:00Z"},
        {"id": "sample-connector-1", "name": "Sample 1", "url": "https://search.example.com/1",
         "oauth": {"client_id": "c", "client_secret": {"env": "CONNECTOR_SAMPLE_CONNECTOR_1_OAUTH_CLIENT_SECRET"},
                   "authorize_url": "https://a.example.com", "token_url": "https://t.example.com", "scope": "s"}}
    ]});
    let manifest = Manifest::from_json(&old.to_string()).unwrap();
    let validator = jsonschema::validator_for(&Manifest::json_schema()).unwrap();
    assert!(validator.is_valid(&old));
    // And writes back as it was read.
    let again = serde_json::to_value(&manifest).unwrap();
    assert_eq!(again, old);
    let entry: &ManifestConnector = &manifest.connectors[1];
    assert_eq!(
        entry
            .definition
            .oauth
            .as_ref()
            .unwrap()
            .client_id
            .as_deref(),
        Some("c")
    );
}

#[test]
fn debug_never_shows_a_secret_or_a_url_password() {
    let entry: ManifestConnector = serde_json::from_value(json!({
        "id": "a", "name": "A", "url": "https://u:hunter2-pw@a.example.com/s",
        "oauth": {"client_secret": {"value": "inline-secret-1"}, "token_url": "https://u:hunter3-pw@t.example.com"}
    }))
    .unwrap();
    let manifest = Manifest::new(vec![entry]);
    let shown = format!("{manifest:?} {manifest:#?}");
    for secret in ["hunter2-pw", "hunter3-pw", "inline-secret-1"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(shown.contains("u:[redacted]@a.example.com"), "{shown}");
}
