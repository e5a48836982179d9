//! What a connector sends reaches a model, which repeats what it reads: the tool's own secrets
//! never do, whatever their length, and neither do control characters or bidi overrides.

use cohere_connectors::{Connector, Secret, ServiceAuth};
use cohere_connectors_migrate::{ConnectorTool, Manifest, Secrets, ToolCall, ToolContent, Toolbox};
use httpmock::MockServer;
use serde_json::{Value, json};

const LONG_TOKEN: &str = "svc-token-0123456789";
const SHORT_TOKEN: &str = "q7z";
const USER_TOKEN: &str = "u8";

/// A connector that echoes `secret` (its own token, or the caller's) as a document id, a
/// field name and a field value, and sends text a terminal or a model would misread. Not one
/// built with the kit, which scrubs the tokens it holds from its answers: a hostile or careless
/// connector is anything that answers the protocol.
async fn echoing(secret: &'static str) -> MockServer {
    let server = MockServer::start_async().await;
    let document = json!({
        "id": format!("doc-{secret}"),
        "title": "Echo",
        "text": format!("the token is {secret}, twice: {secret}"),
        secret: "a field named after it",
        "[redacted]": "a field that was already called so",
        "controls": "a\u{1b}]0;title\u{7}b\r\u{202e}c\u{2066}d\u{85}",
    });
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/search");
            then.status(200).json_body(json!({"results": [document]}));
        })
        .await;
    server
}

fn shown(message: &impl serde::Serialize) -> String {
    serde_json::to_string(message).unwrap()
}

fn data(
    message: &cohere_connectors_migrate::ToolMessage,
) -> (&serde_json::Map<String, Value>, &str) {
    let ToolContent::Document { document } = &message.content[0] else {
        panic!("{message:?}")
    };
    (&document.data, document.id.as_deref().unwrap())
}

#[tokio::test]
async fn a_basic_tokens_decoded_credentials_never_reach_the_model() {
    // The connector decoded `Authorization: Basic` and echoes the pair it found.
    let running = echoing("alice:s3cret").await;
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": "echo", "name": "Echo", "url": running.url("/search"),
             "service_auth": {"type": "basic", "token": {"env": "ECHO_TOKEN"}}}
        ]})
        .to_string(),
    )
    .unwrap();
    let secrets = Secrets::none().with("ECHO_TOKEN", "YWxpY2U6czNjcmV0");
    let toolbox = Toolbox::from_manifest(&manifest, &secrets).unwrap();
    let call = ToolCall::new("c1", "search_echo", &json!({"query": "anything"}));
    let (message, error) = toolbox.call(&call, None).await;
    assert!(error.is_none(), "{error:?}");
    let text = shown(&message);
    for form in ["alice:s3cret", "s3cret", "YWxpY2U6czNjcmV0"] {
        assert!(!text.contains(form), "{form}: {text}");
    }
    assert_eq!(data(&message).1, "search_echo:doc-[redacted]");
}

#[tokio::test]
async fn the_service_token_never_reaches_the_model_whatever_its_length() {
    for token in [LONG_TOKEN, SHORT_TOKEN] {
        let running = echoing(token).await;
        let manifest = Manifest::from_json(
            &json!({"version": 1, "connectors": [
                {"id": "echo", "name": "Echo", "url": running.url("/search"),
                 "description": format!("says {token} \u{1b}[2J"),
                 "service_auth": {"type": "bearer", "token": {"env": "ECHO_TOKEN"}}}
            ]})
            .to_string(),
        )
        .unwrap();
        let toolbox =
            Toolbox::from_manifest(&manifest, &Secrets::none().with("ECHO_TOKEN", token)).unwrap();
        let definitions = shown(&toolbox.definitions());
        assert!(!definitions.contains(token), "{definitions}");
        assert!(definitions.contains("\\\\u{1b}[2J"), "{definitions}");

        let call = ToolCall::new("c1", "search_echo", &json!({"query": "anything"}));
        let (message, error) = toolbox.call(&call, None).await;
        assert!(error.is_none(), "{error:?}");
        let text = shown(&message);
        assert!(!text.contains(token), "{token}: {text}");
        let (data, id) = data(&message);
        assert_eq!(id, "search_echo:doc-[redacted]");
        assert_eq!(data["text"], "the token is [redacted], twice: [redacted]");
        // The field named after the token, and the one already called so, both stay.
        assert_eq!(data["[redacted]"], "a field that was already called so");
        assert_eq!(data["[redacted]_2"], "a field named after it");
        assert_eq!(
            data["controls"],
            "a\\u{1b}]0;title\\u{7}b\\u{d}\\u{202e}c\\u{2066}d\\u{85}"
        );
    }
}

#[tokio::test]
async fn the_users_token_of_the_call_never_reaches_the_model() {
    let running = echoing(USER_TOKEN).await;
    let connector = Connector::new("mail", "Mail")
        .with_url(running.url("/search"))
        .with_auth_type(cohere_connectors::AuthType::OAuth);
    let tool = ConnectorTool::from_connector(&connector, None).unwrap();
    let user = Secret::new(USER_TOKEN);
    let call = ToolCall::new("c1", "search_mail", &json!({"query": "x"}));
    let message = tool.call_for_user(&call, &user).await.unwrap();
    let text = shown(&message);
    assert!(!text.contains(USER_TOKEN), "{text}");
    assert_eq!(data(&message).1, "search_mail:doc-[redacted]");
    // Another user's call is scrubbed of that user's token, not the first one's only.
    let other = Secret::new("other-user-token");
    let message = tool.call_for_user(&call, &other).await.unwrap();
    assert!(!shown(&message).contains("other-user-token"));
}

#[tokio::test]
async fn errors_the_model_is_told_hold_no_token_either() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method("POST").path("/search");
            then.status(500)
                .json_body(json!({"message": format!("cannot use {SHORT_TOKEN} \u{1b}[31m")}));
        })
        .await;
    let connector = Connector::new("wiki", "Wiki")
        .with_url(server.url("/search"))
        .with_auth_type(cohere_connectors::AuthType::ServiceAuth);
    let mut toolbox = Toolbox::new();
    toolbox.add(
        ConnectorTool::from_connector(&connector, Some(ServiceAuth::basic(SHORT_TOKEN))).unwrap(),
    );
    let (message, error) = toolbox
        .call(
            &ToolCall::new("c", "search_wiki", &json!({"query": "q"})),
            None,
        )
        .await;
    assert!(error.is_some());
    let text = shown(&message);
    assert!(!text.contains(SHORT_TOKEN), "{text}");
    assert!(!text.contains('\u{1b}'), "{text}");
}

#[test]
fn a_url_with_a_password_is_refused_without_showing_it() {
    // The search client takes credentials in service auth, never in the URL: the tool is not
    // built, and the refusal does not show the password.
    let connector =
        Connector::new("wiki", "Wiki").with_url("https://bot:url-pass-123@wiki.example.com/search");
    let error = ConnectorTool::from_connector(&connector, None).unwrap_err();
    assert!(!error.to_string().contains("url-pass-123"), "{error}");
}
