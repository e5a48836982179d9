//! Carrying connectors past the shutdown: export, recreate, and connectors as Chat v2 tools,
//! checked against Cohere's own schemas.

use cohere_connectors::{AuthTokenType, Connector, Secret, ServiceAuth};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, Caller, ConnectorService, RunningConnector};
use cohere_connectors_migrate::{
    ConnectorTool, Manifest, ManifestConnector, MigrateError, SecretRef, Secrets, ToolCall,
    ToolContent, ToolError, Toolbox, export, export_file, is_valid_tool_name,
};
use futures_util::TryStreamExt;
use httpmock::MockServer;
use serde_json::{Value, json};

const TOKEN: &str = "svc-token-0123456789";

/// The manifest's JSON Schema, validated with an independent validator.
fn schema_validator() -> jsonschema::Validator {
    jsonschema::validator_for(&Manifest::json_schema()).expect("the manifest schema compiles")
}

async fn account_manifest(client: &cohere_connectors::Client) -> Manifest {
    let mut out = Vec::new();
    export(client, &mut out).await.unwrap();
    let value: Value = serde_json::from_slice(&out).unwrap();
    let errors: Vec<String> = schema_validator()
        .iter_errors(&value)
        .map(|error| format!("{} at {}", error, error.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "the export does not match the schema: {errors:?}"
    );
    Manifest::from_json(std::str::from_utf8(&out).unwrap()).unwrap()
}

/// What an account is, without what a recreation changes (times, organization).
fn definitions(manifest: &Manifest) -> Vec<Value> {
    manifest
        .connectors
        .iter()
        .map(|connector| {
            let mut value = serde_json::to_value(connector).unwrap();
            let object = value.as_object_mut().unwrap();
            for field in ["created_at", "updated_at", "organization_id"] {
                object.remove(field);
            }
            value
        })
        .collect()
}

#[tokio::test]
async fn export_then_recreate_gives_an_equal_account() {
    let source = Emulator::builder().seed(250).start().await.unwrap();
    let exported = account_manifest(&source.client().unwrap()).await;
    assert_eq!(exported.connectors.len(), 250);
    assert!(exported.exported_at.is_some());

    // The secrets the API never returned are references; fill them as an operator would.
    let mut secrets = Secrets::none();
    let mut filled = exported.clone();
    for connector in &mut filled.connectors {
        let index: usize = connector
            .id
            .as_deref()
            .unwrap()
            .rsplit('-')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if let Some(auth) = &mut connector.definition.service_auth {
            assert_eq!(
                auth.token_type, None,
                "the API does not say how the token is sent"
            );
            auth.token_type = Some(AuthTokenType::Bearer);
            let SecretRef::Env(name) = &auth.token else {
                panic!("{:?}", auth.token)
            };
            assert_eq!(
                name,
                &format!("CONNECTOR_SAMPLE_CONNECTOR_{index}_SERVICE_TOKEN")
            );
            secrets = secrets.with(name.clone(), format!("sample-token-{index}"));
        }
        if let Some(oauth) = &connector.definition.oauth {
            let SecretRef::Env(name) = &oauth.client_secret else {
                panic!()
            };
            secrets = secrets.with(name.clone(), format!("sample-secret-{index}"));
        }
    }
    // Without the secrets, recreating says which one is missing, never a value.
    let missing = filled.connectors[0]
        .to_new_connector(&Secrets::none())
        .unwrap_err();
    assert!(matches!(missing, MigrateError::Secret { .. }), "{missing}");
    assert!(missing.to_string().contains("is not set"), "{missing}");

    let target = Emulator::start().await.unwrap();
    let client = target.client().unwrap();
    // Oldest first, so that the new account lists them in the same order.
    for connector in filled.connectors.iter().rev() {
        let created = client
            .connectors()
            .create_from(connector.to_new_connector(&secrets).unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(Some(&created.id), connector.id.as_ref());
    }
    let recreated = account_manifest(&client).await;
    assert_eq!(definitions(&recreated), definitions(&exported));
}

#[tokio::test]
async fn exports_are_written_whole_and_a_retired_api_leaves_no_file() {
    let emulator = Emulator::builder().seed(3).start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("cc-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("account.json");
    let summary = export_file(&emulator.client().unwrap(), &path)
        .await
        .unwrap();
    assert_eq!((summary.connectors, summary.secret_references), (3, 2));
    assert_eq!(Manifest::read(&path).unwrap().connectors.len(), 3);

    let retired = MockServer::start_async().await;
    retired
        .mock_async(|when, then| {
            when.path("/v1/connectors");
            then.status(404)
                .json_body(json!({"message": "Not Found", "id": "e-retired"}));
        })
        .await;
    let client = cohere_connectors::Client::builder()
        .api_key("key-0123456789")
        .base_url(retired.base_url())
        .build()
        .unwrap();
    let failed = dir.join("retired.json");
    let error = export_file(&client, &failed).await.unwrap_err();
    match &error {
        MigrateError::Api(api) => assert!(api.is_retired(), "{api}"),
        other => panic!("{other}"),
    }
    assert!(!failed.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no partial file is left"
    );
    let _ = std::fs::remove_dir_all(dir);

    // An empty account is an empty, valid manifest.
    let empty = Emulator::start().await.unwrap();
    assert!(
        account_manifest(&empty.client().unwrap())
            .await
            .connectors
            .is_empty()
    );
}

#[test]
fn the_published_schema_is_the_manifest_schema() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/manifest.schema.json");
    let generated = serde_json::to_string_pretty(&Manifest::json_schema()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SCHEMAS").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let published = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        published, generated,
        "schemas/manifest.schema.json is stale: run the tests with UPDATE_SCHEMAS=1"
    );
}

#[test]
fn manifests_that_break_the_rules_are_refused_without_quoting_values() {
    let cases = [
        (
            json!({"version": 2, "connectors": []}),
            "version 2 is not supported",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "ftp://x"}]}),
            "invalid manifest: not an absolute http(s) URL with a host (the scheme is not http or https)",
        ),
        (
            json!({"version": 1, "connectors": [{"name": " ", "url": "https://x.example.com"}]}),
            "connectors[0]: the name is empty",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com"}, {"name": "A", "url": "https://b.example.com"}]}),
            "connectors[1]: the name `A` appears twice",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"env": "X"}},
                "oauth": {"client_id": "c", "client_secret": {"env": "Y"}, "authorize_url": "https://a", "token_url": "https://t"}}]}),
            "mutually exclusive",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": "raw-secret-value-123"}}]}),
            "unknown variant …, expected one of `env`, `file`, `value`",
        ),
        (
            json!({"version": 1, "connectors": [{"name": "A", "url": "https://a.example.com",
                "service_auth": {"type": "bearer", "token": {"value": 987654321}}}]}),
            "invalid type",
        ),
        (
            json!({"version": 1, "connectors": [], "extra": true}),
            "unknown field `extra`",
        ),
    ];
    for (manifest, expected) in cases {
        let error = Manifest::from_json(&manifest.to_string())
            .unwrap_err()
            .to_string();
        assert!(error.contains(expected), "{error}");
        assert!(
            !error.contains("raw-secret-value-123") && !error.contains("987654321"),
            "{error}"
        );
    }
    assert!(
        Manifest::from_json("{")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON")
    );
}

async fn handbook_connector(access: Access) -> RunningConnector {
    ConnectorService::new(access, |request, caller: Caller| async move {
        let who = match &caller {
            Caller::User(token) => format!("user:{}", token.expose()),
            _ => "service".to_owned(),
        };
        Ok(vec![
            Document::new()
                .with_id("d1")
                .with_title("First")
                .with_text(request.query.clone())
                .with("who", who)
                .with("score", 0.9),
            Document::new().with_title("No id").with_text("second"),
        ])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap()
}

#[tokio::test]
async fn tools_match_cohere_schemas_and_answer_calls_as_cohere_did() {
    let Some(upstream) = cohere_connectors_testing::upstream::upstream() else {
        return;
    };
    let service = handbook_connector(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let per_user = handbook_connector(Access::user_token()).await;
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": "hand-book", "name": "Handbook", "url": service.url(), "description": "The staff handbook",
             "excludes": ["score"], "service_auth": {"type": "bearer", "token": {"env": "HANDBOOK_TOKEN"}}},
            {"id": "hand_book", "name": "Mail", "url": per_user.url(),
             "oauth": {"client_id": "c", "client_secret": {"env": "MAIL_SECRET"}, "authorize_url": "https://a.example.com", "token_url": "https://t.example.com"}},
            {"id": "off", "name": "Off", "url": "https://off.example.com/search", "active": false}
        ]})
        .to_string(),
    )
    .unwrap();
    let secrets = Secrets::none()
        .with("HANDBOOK_TOKEN", TOKEN)
        .with("MAIL_SECRET", "client-secret");
    let toolbox = Toolbox::from_manifest(&manifest, &secrets).unwrap();
    let names: Vec<&str> = toolbox.tools().iter().map(ConnectorTool::name).collect();
    assert_eq!(
        names,
        ["search_hand_book", "search_hand_book_2"],
        "distinct names; inactive left out"
    );
    for definition in toolbox.definitions() {
        assert!(is_valid_tool_name(&definition.function.name));
        upstream
            .check(
                "/components/schemas/ToolV2",
                &serde_json::to_value(&definition).unwrap(),
            )
            .unwrap();
    }
    assert_eq!(
        toolbox.definitions()[0].function.description.as_deref(),
        Some("Searches Handbook: The staff handbook")
    );

    let call = ToolCall::new("call_1", "search_hand_book", &json!({"query": "holidays"}));
    upstream
        .check(
            "/components/schemas/ToolCallV2",
            &serde_json::to_value(&call).unwrap(),
        )
        .unwrap();
    let (message, error) = toolbox.call(&call, None).await;
    assert!(error.is_none(), "{error:?}");
    let value = serde_json::to_value(&message).unwrap();
    upstream
        .check("/components/schemas/ToolMessageV2", &value)
        .unwrap();
    assert_eq!(
        value,
        json!({"role": "tool", "tool_call_id": "call_1", "content": [
            {"type": "document", "document": {"id": "search_hand_book:d1", "data": {"id": "d1", "title": "First", "text": "holidays", "who": "service"}}},
            {"type": "document", "document": {"id": "search_hand_book:1", "data": {"title": "No id", "text": "second"}}}
        ]})
    );
    for block in &message.content {
        let block_value = serde_json::to_value(block).unwrap();
        upstream
            .check("/components/schemas/ToolContent", &block_value)
            .unwrap();
        upstream
            .check("/components/schemas/DocumentContent", &block_value)
            .unwrap();
        let ToolContent::Document { document } = block else {
            panic!()
        };
        upstream
            .check(
                "/components/schemas/Document",
                &serde_json::to_value(document).unwrap(),
            )
            .unwrap();
    }

    // The OAuth connector gets the user's token, as Cohere sent it (and the model never sees
    // it: the connector echoes it, the tool scrubs it).
    let call = ToolCall::new("call_2", "search_hand_book_2", &json!({"query": "mail"}));
    let user = Secret::new("ya29.user-token-123");
    let (message, error) = toolbox.call(&call, Some(&user)).await;
    assert!(error.is_none(), "{error:?}");
    let ToolContent::Document { document } = &message.content[0] else {
        panic!()
    };
    assert_eq!(document.data["who"], "user:[redacted]");
    // Without one, the model is told, and the caller gets the typed error.
    let (message, error) = toolbox.call(&call, None).await;
    assert!(
        matches!(error, Some(ToolError::NeedsUserToken { .. })),
        "{error:?}"
    );
    let value = serde_json::to_value(&message).unwrap();
    upstream
        .check("/components/schemas/ToolMessageV2", &value)
        .unwrap();
    assert_eq!(value["content"][0]["type"], "text");
    assert!(
        value["content"][0]["text"]
            .as_str()
            .unwrap()
            .contains("uses OAuth")
    );
}

#[tokio::test]
async fn bad_calls_and_failing_connectors_are_typed_and_never_leak_the_token() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method("POST")
                .path("/search")
                .header("authorization", format!("Basic {TOKEN}"))
                .header("content-type", "application/json")
                .json_body(json!({"query": "q"}));
            then.status(500)
                .json_body(json!({"message": format!("cannot use {TOKEN}")}));
        })
        .await;
    let connector = Connector::new("wiki", "Wiki")
        .with_url(server.url("/search"))
        .with_auth_type(cohere_connectors::AuthType::ServiceAuth);
    let missing = ConnectorTool::from_connector(&connector, None).unwrap_err();
    assert!(missing.to_string().contains("give its token"), "{missing}");
    let tool = ConnectorTool::from_connector(&connector, Some(ServiceAuth::basic(TOKEN))).unwrap();

    for (arguments, expected) in [
        (Some("not json"), "they are not JSON"),
        (Some(r#"{"q": "x"}"#), "there is no string `query`"),
        (Some(r#"{"query": "  "}"#), "the query is empty"),
        (None, "the call has no arguments"),
    ] {
        let mut call = ToolCall::new("c", "search_wiki", &json!({}));
        call.function.as_mut().unwrap().arguments = arguments.map(str::to_owned);
        let error = tool.call(&call).await.unwrap_err();
        assert!(
            matches!(error, ToolError::Arguments { .. }) && error.to_string().contains(expected),
            "{error}"
        );
    }
    let wrong = tool
        .call(&ToolCall::new("c", "search_other", &json!({"query": "q"})))
        .await
        .unwrap_err();
    assert_eq!(
        wrong.to_string(),
        "the call is for tool `search_other`, not `search_wiki`"
    );

    let error = tool
        .call(&ToolCall::new("c", "search_wiki", &json!({"query": "q"})))
        .await
        .unwrap_err();
    failing.assert_async().await;
    assert_eq!(
        error.to_string(),
        "the connector answered 500: cannot use [redacted]"
    );
    let mut toolbox = Toolbox::new();
    toolbox.add(tool);
    let (message, _) = toolbox
        .call(
            &ToolCall::new("c", "search_wiki", &json!({"query": "q"})),
            None,
        )
        .await;
    assert!(!serde_json::to_string(&message).unwrap().contains(TOKEN));
    let (message, error) = toolbox
        .call(&ToolCall::new("c", "nope", &json!({"query": "q"})), None)
        .await;
    assert!(matches!(error, Some(ToolError::UnknownTool { .. })));
    assert_eq!(message.tool_call_id, "c");
}

#[tokio::test]
async fn live_connectors_become_tools_too() {
    let running = handbook_connector(Access::open()).await;
    let emulator = Emulator::start().await.unwrap();
    let client = emulator.client().unwrap();
    client
        .connectors()
        .create("Open handbook", running.url())
        .excludes(["who"])
        .send()
        .await
        .unwrap();
    let connectors: Vec<Connector> = client
        .connectors()
        .list()
        .stream()
        .try_collect()
        .await
        .unwrap();
    let tool = ConnectorTool::from_connector(&connectors[0], None).unwrap();
    let message = tool
        .call(&ToolCall::new(
            "c",
            "search_open_handbook",
            &json!({"query": "x"}),
        ))
        .await
        .unwrap();
    let ToolContent::Document { document } = &message.content[0] else {
        panic!()
    };
    assert!(!document.data.contains_key("who"), "excludes are applied");
    assert_eq!(
        ManifestConnector::from_connector(&connectors[0])
            .unwrap()
            .definition
            .excludes,
        ["who"]
    );
}
