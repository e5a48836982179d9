//! Connectors that hang, flood, send what is not a search response, or echo their tokens;
//! OAuth connectors without a token, and with one refused and refreshed. What reaches the
//! model is checked on the wire (the scripted model keeps every request).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use cohere_connectors::Secret;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, SearchFailure};
use cohere_connectors_migrate::tool_loop::{
    ConnectorChat, Conversation, LoopError, NoUserTokens, UserTokenSource, UserTokens,
};
use cohere_connectors_migrate::{ConnectorTool, ManifestConnector, Secrets, ToolError};
use futures_util::future::BoxFuture;
use httpmock::MockServer;
use serde_json::{Value, json};

use super::connectors::{tool, toolbox};
use super::model::{ScriptedModel, answer_citing, tool_messages, tool_turn};

/// A model that calls `tool` once, then answers.
async fn calling(tool: &'static str) -> ScriptedModel {
    ScriptedModel::start(move |n, _| match n {
        0 => tool_turn("p", &[("c1", tool, json!({"query": "q"}))]),
        _ => answer_citing("done", &[]),
    })
    .await
}

async fn answering(status: u16, body: String, delay: Duration) -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(move |when, then| {
            when.method(httpmock::Method::POST).path("/search");
            then.status(status)
                .header("content-type", "application/json")
                .body(body)
                .delay(delay);
        })
        .await;
    server
}

/// What the model was told in answer to `c1`.
fn told(model: &ScriptedModel) -> String {
    let requests = model.requests();
    tool_messages(&requests[1])[0]["content"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_connector_that_hangs_is_cut_at_its_deadline_and_the_model_told_when_it_continues() {
    let slow = answering(
        200,
        json!({"results": []}).to_string(),
        Duration::from_secs(20),
    )
    .await;
    let model = calling("search_slow").await;
    let slow_tool = tool(
        "slow",
        &slow.url("/search"),
        json!({"continue_on_failure": true}),
    )
    .timeout(Duration::from_millis(300));
    let chat = ConnectorChat::new(model.client(), "m", toolbox([slow_tool]));
    let started = Instant::now();
    let answer = chat.ask("q").await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(
        told(&model),
        "{\"error\":\"the connector did not answer within 300 ms\"}"
    );
    assert!(answer.steps[0].calls[0].error.is_some());
}

#[tokio::test]
async fn a_connector_that_fails_without_continue_on_failure_ends_the_turn_naming_it() {
    let slow = answering(
        200,
        json!({"results": []}).to_string(),
        Duration::from_secs(20),
    )
    .await;
    let model = calling("search_slow").await;
    let slow_tool =
        tool("slow", &slow.url("/search"), json!({})).timeout(Duration::from_millis(300));
    assert!(!slow_tool.continues_on_failure());
    let chat = ConnectorChat::new(model.client(), "m", toolbox([slow_tool]));
    let error = chat.ask("q").await.unwrap_err();
    let LoopError::Connector {
        connector,
        tool,
        error: cause,
    } = &error
    else {
        panic!("{error}")
    };
    assert_eq!((connector.as_str(), tool.as_str()), ("slow", "search_slow"));
    assert!(matches!(cause, ToolError::Search(_)));
    assert!(
        error.to_string().contains("the connector `slow` failed"),
        "{error}"
    );
    assert_eq!(model.requests().len(), 1);
}

#[tokio::test]
async fn a_connector_that_floods_is_refused_at_the_body_limit() {
    let flood = format!(
        "{{\"results\": [{{\"text\": \"{}\"}}]}}",
        "x".repeat(5 * 1024 * 1024)
    );
    let server = answering(200, flood, Duration::ZERO).await;
    let model = calling("search_flood").await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool(
            "flood",
            &server.url("/search"),
            json!({"continue_on_failure": true}),
        )]),
    );
    chat.ask("q").await.unwrap();
    assert!(told(&model).contains("larger than"), "{}", told(&model));
    let request_bytes = model.requests()[1].to_string().len();
    assert!(request_bytes < 64 * 1024, "{request_bytes}");
}

#[tokio::test]
async fn values_that_are_not_strings_are_a_failure_the_model_reads() {
    let server = answering(
        200,
        json!({"results": [{"id": 7, "nested": {"a": [1]}}]}).to_string(),
        Duration::ZERO,
    )
    .await;
    let model = calling("search_odd").await;
    let chat = ConnectorChat::new(
        model.client(),
        "m",
        toolbox([tool(
            "odd",
            &server.url("/search"),
            json!({"continue_on_failure": true}),
        )]),
    );
    chat.ask("q").await.unwrap();
    assert!(
        told(&model).contains("not a search response"),
        "{}",
        told(&model)
    );
}

const SERVICE_TOKEN: &str = "sv9";

/// A connector that echoes the service token everywhere it can, and sends text a model or a
/// terminal misreads.
async fn echoing() -> MockServer {
    let document = json!({
        "id": format!("doc-{SERVICE_TOKEN}"),
        "title": format!("Echo {SERVICE_TOKEN}"),
        "text": format!("token {SERVICE_TOKEN} \u{1b}]0;pwned\u{7} \u{202e}reversed"),
        SERVICE_TOKEN: "a field named after it",
    });
    answering(
        200,
        json!({"results": [document]}).to_string(),
        Duration::ZERO,
    )
    .await
}

#[tokio::test]
async fn a_connector_echoing_its_token_never_puts_it_before_the_model_or_in_the_sources() {
    let server = echoing().await;
    let model = ScriptedModel::start(|n, _| match n {
        0 => tool_turn("p", &[("c1", "search_echo", json!({"query": "q"}))]),
        _ => answer_citing("done", &["search_echo:doc-[redacted]"]),
    })
    .await;
    let entry: ManifestConnector = serde_json::from_value(json!({
        "id": "echo", "name": "Echo", "url": server.url("/search"),
        "service_auth": {"type": "bearer", "token": {"env": "ECHO_TOKEN"}}
    }))
    .unwrap();
    let echo =
        ConnectorTool::from_manifest(&entry, &Secrets::none().with("ECHO_TOKEN", SERVICE_TOKEN))
            .unwrap();
    let chat = ConnectorChat::new(model.client(), "m", toolbox([echo]));
    let answer = chat.ask("q").await.unwrap();
    let sent = model.requests()[1].to_string();
    assert!(!sent.contains(SERVICE_TOKEN), "{sent}");
    assert!(
        !sent.contains('\u{1b}') && !sent.contains('\u{202e}'),
        "{sent}"
    );
    let source = answer.citations[0].sources[0].document().unwrap();
    assert_eq!(source.document_id.as_deref(), Some("doc-[redacted]"));
    assert_eq!(source.title.as_deref(), Some("Echo [redacted]"));
    assert!(
        !serde_json::to_string(&answer)
            .unwrap()
            .contains(SERVICE_TOKEN)
    );
}

#[tokio::test]
async fn a_failing_connector_echoing_its_token_is_scrubbed_from_the_error_too() {
    let server = answering(
        500,
        json!({"message": format!("bad token {SERVICE_TOKEN}")}).to_string(),
        Duration::ZERO,
    )
    .await;
    let model = calling("search_echo").await;
    let entry: ManifestConnector = serde_json::from_value(json!({
        "id": "echo", "name": "Echo", "url": server.url("/search"), "continue_on_failure": true,
        "service_auth": {"type": "bearer", "token": {"env": "ECHO_TOKEN"}}
    }))
    .unwrap();
    let echo =
        ConnectorTool::from_manifest(&entry, &Secrets::none().with("ECHO_TOKEN", SERVICE_TOKEN))
            .unwrap();
    assert!(echo.continues_on_failure());
    ConnectorChat::new(model.client(), "m", toolbox([echo]))
        .ask("q")
        .await
        .unwrap();
    let told = told(&model);
    assert!(
        told.contains("answered 500") && !told.contains(SERVICE_TOKEN),
        "{told}"
    );
}

const OAUTH: &str = r#"{"client_id": "c", "client_secret": {"env": "DRIVE_CLIENT_SECRET"},
    "authorize_url": "https://login.example.com/a", "token_url": "https://login.example.com/t"}"#;

/// An OAuth connector (the kit's) that accepts only `accepted`, echoing the token it got.
async fn oauth_drive(
    accepted: &'static str,
) -> (
    ConnectorTool,
    cohere_connectors_kit::server::RunningConnector,
) {
    let running = ConnectorService::new(Access::user_token(), move |request, caller| async move {
        let token = caller
            .user_token()
            .map(Secret::expose)
            .unwrap_or_default()
            .to_owned();
        if token != accepted {
            return Err(SearchFailure::unauthorized("token refused"));
        }
        Ok(vec![
            Document::new()
                .with_id("d1")
                .with_text(format!("{} for {token}", request.query)),
        ])
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let oauth: Value = serde_json::from_str(OAUTH).unwrap();
    let tool = tool(
        "drive",
        &running.url(),
        json!({"oauth": oauth, "continue_on_failure": true}),
    );
    assert!(tool.needs_user_token());
    (tool, running)
}

#[tokio::test]
async fn an_oauth_connector_gets_the_user_s_token_of_the_call_and_never_shows_it_to_the_model() {
    let (drive, _running) = oauth_drive("ya29.user").await;
    let model = calling("search_drive").await;
    let chat = ConnectorChat::new(model.client(), "m", toolbox([drive]));
    let tokens = UserTokens::new().with("drive", "ya29.user");
    chat.run(Conversation::new().user("q"), &tokens)
        .await
        .unwrap();
    let requests = model.requests();
    let answer = &tool_messages(&requests[1])[0]["content"][0]["document"];
    assert_eq!(answer["data"]["text"], "q for [redacted]");
}

#[tokio::test]
async fn an_oauth_connector_without_the_user_s_token_is_a_failure_that_says_so() {
    let (drive, _running) = oauth_drive("ya29.user").await;
    let model = calling("search_drive").await;
    ConnectorChat::new(model.client(), "m", toolbox([drive]))
        .ask("q")
        .await
        .unwrap();
    assert!(told(&model).contains("uses OAuth"), "{}", told(&model));
}

/// A broker's stand-in: an expired token first, a fresh one when it is refused.
struct Refreshing {
    refreshed: AtomicUsize,
}

impl UserTokenSource for Refreshing {
    fn user_token<'a>(&'a self, _tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async { Some(Secret::from("expired")) })
    }

    fn refreshed<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        assert_eq!(
            (tool.connector_id(), rejected.expose()),
            ("drive", "expired")
        );
        self.refreshed.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { Some(Secret::from("fresh")) })
    }
}

#[tokio::test]
async fn a_refused_user_token_is_refreshed_once_and_the_call_made_again() {
    let (drive, _running) = oauth_drive("fresh").await;
    let model = calling("search_drive").await;
    let tokens = Arc::new(Refreshing {
        refreshed: AtomicUsize::new(0),
    });
    let answer = ConnectorChat::new(model.client(), "m", toolbox([drive]))
        .run(Conversation::new().user("q"), tokens.as_ref())
        .await
        .unwrap();
    assert_eq!(tokens.refreshed.load(Ordering::SeqCst), 1);
    assert_eq!(answer.steps[0].calls[0].documents, ["search_drive:d1"]);
    let sent = model.requests()[1].to_string();
    assert!(!sent.contains("fresh"), "{sent}");
    let _ = NoUserTokens;
}
