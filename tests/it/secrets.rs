//! The API key, OAuth client secrets and service tokens never show in output, and the key
//! never travels where it should not.

use crate::common::connector_json;
use cohere_connectors::{
    Client, ConnectorOAuth, ConnectorUpdate, Error, NewConnector, OAuthConfig, Secret, ServiceAuth,
    raw,
};
use httpmock::Method::GET;
use httpmock::MockServer;
use serde_json::json;

const KEY: &str = "sk-live-KEY-never-print-me";
const CLIENT_SECRET: &str = "oauth-SECRET-never-print-me";
const TOKEN: &str = "service-TOKEN-never-print-me";

fn assert_hidden(what: &str, text: &str) {
    for secret in [KEY, CLIENT_SECRET, TOKEN] {
        assert!(!text.contains(secret), "{what} shows a secret: {text}");
    }
}

fn oauth() -> OAuthConfig {
    OAuthConfig {
        client_id: "client-id".into(),
        client_secret: CLIENT_SECRET.into(),
        authorize_url: "https://login.example.com/authorize".into(),
        token_url: "https://login.example.com/token".into(),
        scope: None,
    }
}

#[test]
fn debug_output_of_every_type_holding_a_secret() {
    let builder = Client::builder()
        .api_key(KEY)
        .base_url("https://api.cohere.com");
    assert_hidden("ClientBuilder", &format!("{builder:?} {builder:#?}"));
    let client = builder.build().unwrap();
    assert_hidden("Client", &format!("{client:?} {client:#?}"));
    assert_hidden("raw::Client", &format!("{:?}", client.raw()));
    assert_hidden("Connectors", &format!("{:?}", client.connectors()));

    let transport = raw::Transport::with_api_key(KEY).unwrap();
    assert_hidden("raw::Transport", &format!("{transport:?}"));

    assert_hidden("Secret", &format!("{:?}", Secret::from(KEY)));
    assert_hidden("OAuthConfig", &format!("{:?}", oauth()));
    assert_hidden("ServiceAuth", &format!("{:?}", ServiceAuth::bearer(TOKEN)));

    let mut new = NewConnector::new("A", "https://a.example/search");
    new.oauth = Some(oauth());
    assert_hidden("NewConnector", &format!("{new:?}"));
    let create = client
        .connectors()
        .create_from(new)
        .service_auth(ServiceAuth::bearer(TOKEN));
    assert_hidden("CreateConnector", &format!("{create:?}"));

    let mut update = ConnectorUpdate::default();
    update.service_auth = Some(ServiceAuth::basic(TOKEN));
    assert_hidden("ConnectorUpdate", &format!("{update:?}"));
    let update = client.connectors().update("a").oauth(oauth());
    assert_hidden("UpdateConnector", &format!("{update:?}"));

    let returned: ConnectorOAuth = serde_json::from_value(json!({
        "client_secret": CLIENT_SECRET,
        "authorize_url": "https://a", "token_url": "https://t"
    }))
    .unwrap();
    assert_hidden("ConnectorOAuth", &format!("{returned:?}"));
}

#[tokio::test]
async fn errors_never_carry_secrets() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500).body("upstream exploded");
        })
        .await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let errors = [
        client
            .connectors()
            .create("A", "https://a.example/search")
            .oauth(oauth())
            .await
            .unwrap_err(),
        client
            .connectors()
            .update("a")
            .oauth(oauth())
            .service_auth(ServiceAuth::bearer(TOKEN))
            .await
            .unwrap_err(),
        Client::builder()
            .api_key(format!("{KEY}\n"))
            .build()
            .unwrap_err(),
        Client::builder()
            .api_key(KEY)
            .base_url("http://api.cohere.com")
            .build()
            .unwrap_err(),
    ];
    for error in errors {
        assert_hidden("Error", &format!("{error} {error:?} {error:#?}"));
    }
}

#[tokio::test]
async fn the_key_is_refused_over_plain_http_even_through_the_raw_layer() {
    let transport = raw::Transport::with_api_key(KEY).unwrap();
    let client = raw::Client::new("http://api.cohere.com", transport);
    let error = client.list_connectors().send().await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("refusing to send the API key"), "{text}");
    assert_hidden("raw error", &text);
}

/// A server that redirects every request to `target`.
async fn redirecting_to(target: &MockServer) -> MockServer {
    let server = MockServer::start_async().await;
    let location = target.url("/v1/connectors/c");
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(302).header("location", location);
        })
        .await;
    server
}

#[tokio::test]
async fn redirects_to_another_host_are_not_followed() {
    let elsewhere = MockServer::start_async().await;
    let landed = elsewhere
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .json_body(json!({"connector": connector_json("c")}));
        })
        .await;
    let origin = redirecting_to(&elsewhere).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(origin.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.connectors().get("c").await.unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert!(error.to_string().contains("redirect"), "{error}");
    landed.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_custom_http_client_that_follows_redirects_does_not_carry_the_key_nor_use_the_answer() {
    let elsewhere = MockServer::start_async().await;
    let without_key = elsewhere
        .mock_async(|when, then| {
            when.method(GET).header_missing("authorization");
            then.status(200)
                .json_body(json!({"connector": connector_json("c")}));
        })
        .await;
    let origin = redirecting_to(&elsewhere).await;
    let client = Client::builder()
        .api_key(KEY)
        .base_url(origin.base_url())
        .http_client(reqwest::Client::new())
        .max_retries(0)
        .build()
        .unwrap();
    let error = client.connectors().get("c").await.unwrap_err();
    assert!(matches!(error, Error::Protocol { .. }), "{error:?}");
    assert!(error.to_string().contains("followed a redirect"), "{error}");
    without_key.assert_async().await;
}
