//! Each operation of the facade on the wire: method, path, query, headers and body exactly,
//! and what the caller gets back.

use crate::common::{client, connector_json, exact_path, exact_query, standard_headers};
use chrono::{TimeZone, Utc};
use cohere_connectors::{AuthStatus, AuthType, OAuthConfig, ServiceAuth};
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use serde_json::json;

#[tokio::test]
async fn list_sends_integer_limit_and_offset() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(GET).path("/v1/connectors"));
            exact_query(when, Some("limit=10&offset=20"));
            then.status(200).json_body(json!({
                "connectors": [connector_json("salesforce-01"), connector_json("older-01")],
                "total_count": 22,
            }));
        })
        .await;

    let page = client(&server)
        .connectors()
        .list()
        .limit(10)
        .offset(20)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(page.total_count, Some(22));
    let ids: Vec<&str> = page.connectors.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["salesforce-01", "older-01"]);
}

#[tokio::test]
async fn list_without_arguments_sends_no_query_and_leaves_defaults_to_the_api() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            exact_query(
                standard_headers(when.method(GET).path("/v1/connectors")),
                None,
            );
            then.status(200)
                .json_body(json!({"connectors": [], "total_count": 0}));
        })
        .await;

    let page = client(&server).connectors().list().await.unwrap();

    mock.assert_async().await;
    assert!(page.connectors.is_empty());
    assert_eq!(page.total_count, Some(0));
}

#[tokio::test]
async fn total_count_reads_the_same_as_integer_or_float() {
    for (wire, expected) in [
        (json!(3), Some(3)),
        (json!(3.0), Some(3)),
        (json!(null), None),
    ] {
        let server = MockServer::start_async().await;
        let mut body = json!({"connectors": []});
        if !wire.is_null() {
            body["total_count"] = wire.clone();
        }
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors");
                then.status(200).json_body(body);
            })
            .await;
        let page = client(&server).connectors().list().send().await.unwrap();
        assert_eq!(page.total_count, expected, "total_count {wire}");
    }
}

#[tokio::test]
async fn get_decodes_every_field_and_ignores_unknown_ones() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(GET));
            exact_query(exact_path(when, "/v1/connectors/salesforce-01"), None);
            then.status(200)
                .json_body(json!({"connector": connector_json("salesforce-01")}));
        })
        .await;

    let connector = client(&server)
        .connectors()
        .get("salesforce-01")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(connector.id, "salesforce-01");
    assert_eq!(connector.organization_id.as_deref(), Some("org-1"));
    assert_eq!(connector.name, "Salesforce");
    assert_eq!(connector.description.as_deref(), Some("CRM"));
    assert_eq!(connector.url.as_deref(), Some("https://example.com/search"));
    assert_eq!(
        connector.created_at,
        Utc.with_ymd_and_hms(2024, 5, 1, 10, 0, 0).unwrap()
    );
    assert_eq!(
        connector.updated_at,
        Utc.with_ymd_and_hms(2024, 5, 2, 11, 30, 0).unwrap() + chrono::Duration::milliseconds(500)
    );
    assert_eq!(connector.excludes, ["internal_notes"]);
    assert_eq!(connector.auth_type, Some(AuthType::OAuth));
    assert_eq!(connector.auth_status, Some(AuthStatus::Valid));
    assert_eq!(connector.active, Some(true));
    assert_eq!(connector.continue_on_failure, Some(true));
    let oauth = connector.oauth.unwrap();
    assert_eq!(oauth.client_id.as_deref(), Some("client-id"));
    assert_eq!(oauth.client_secret, None);
    assert_eq!(oauth.authorize_url, "https://login.example.com/authorize");
    assert_eq!(oauth.token_url, "https://login.example.com/token");
    assert_eq!(oauth.scope.as_deref(), Some("read"));
}

#[tokio::test]
async fn auth_status_accepts_empty_and_unknown_values() {
    for (wire, expected) in [
        ("", AuthStatus::NotAuthorized),
        ("expired", AuthStatus::Expired),
        (
            "pending_review",
            AuthStatus::Unknown("pending_review".into()),
        ),
    ] {
        let server = MockServer::start_async().await;
        let mut connector = connector_json("c");
        connector["auth_status"] = json!(wire);
        connector["auth_type"] = json!("saml");
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/connectors/c");
                then.status(200).json_body(json!({"connector": connector}));
            })
            .await;
        let connector = client(&server).connectors().get("c").await.unwrap();
        assert_eq!(connector.auth_status, Some(expected));
        assert_eq!(connector.auth_type, Some(AuthType::Unknown("saml".into())));
    }
}

#[tokio::test]
async fn create_sends_the_whole_definition() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(POST).path("/v1/connectors"))
                .header("content-type", "application/json");
            exact_query(when, None).json_body(json!({
                "name": "Salesforce",
                "url": "https://example.com/search",
                "description": "CRM",
                "excludes": ["internal_notes"],
                "active": true,
                "continue_on_failure": true,
                "oauth": {
                    "client_id": "client-id",
                    "client_secret": "client-secret-value",
                    "authorize_url": "https://login.example.com/authorize",
                    "token_url": "https://login.example.com/token",
                    "scope": "read"
                }
            }));
            then.status(200)
                .json_body(json!({"connector": connector_json("salesforce-01")}));
        })
        .await;

    let connector = client(&server)
        .connectors()
        .create("Salesforce", "https://example.com/search")
        .description("CRM")
        .excludes(["internal_notes"])
        .active(true)
        .continue_on_failure(true)
        .oauth(OAuthConfig {
            client_id: "client-id".into(),
            client_secret: "client-secret-value".into(),
            authorize_url: "https://login.example.com/authorize".into(),
            token_url: "https://login.example.com/token".into(),
            scope: Some("read".into()),
        })
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(connector.id, "salesforce-01");
}

#[tokio::test]
async fn create_sends_only_what_was_set_and_leaves_defaults_to_the_api() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            standard_headers(when.method(POST).path("/v1/connectors")).json_body(json!({
                "name": "Wiki",
                "url": "https://wiki.example.com/search",
                "service_auth": {"type": "bearer", "token": "service-token-value"}
            }));
            then.status(200)
                .json_body(json!({"connector": connector_json("wiki")}));
        })
        .await;

    client(&server)
        .connectors()
        .create("Wiki", "https://wiki.example.com/search")
        .service_auth(ServiceAuth::bearer("service-token-value"))
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
}

#[tokio::test]
async fn update_sends_only_what_was_set() {
    let server = MockServer::start_async().await;
    let rename = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(PATCH));
            exact_path(when, "/v1/connectors/salesforce-01").json_body(json!({"name": "Renamed"}));
            then.status(200)
                .json_body(json!({"connector": connector_json("salesforce-01")}));
        })
        .await;

    client(&server)
        .connectors()
        .update("salesforce-01")
        .name("Renamed")
        .send()
        .await
        .unwrap();
    rename.assert_async().await;
}

#[tokio::test]
async fn update_can_clear_excludes_and_deactivate() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            standard_headers(when.method(PATCH).path("/v1/connectors/c")).json_body(json!({
                "excludes": [],
                "active": false,
                "continue_on_failure": false,
                "url": "https://new.example.com/search",
                "service_auth": {"type": "noscheme", "token": "t"}
            }));
            then.status(200)
                .json_body(json!({"connector": connector_json("c")}));
        })
        .await;

    client(&server)
        .connectors()
        .update("c")
        .excludes(Vec::<String>::new())
        .active(false)
        .continue_on_failure(false)
        .url("https://new.example.com/search")
        .service_auth(ServiceAuth::noscheme("t"))
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn delete_returns_unit() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(DELETE));
            exact_query(exact_path(when, "/v1/connectors/salesforce-01"), None);
            then.status(200).json_body(json!({}));
        })
        .await;

    client(&server)
        .connectors()
        .delete("salesforce-01")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn authorize_oauth_returns_the_redirect_url() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            let when = standard_headers(when.method(POST));
            let when = exact_path(when, "/v1/connectors/salesforce-01/oauth/authorize");
            exact_query(
                when,
                Some("after_token_redirect=https%3A%2F%2Fapp.example.com%2Fdone%3Fa%3D1%26b%3D2"),
            );
            then.status(200).json_body(
                json!({"redirect_url": "https://login.example.com/authorize?state=xyz"}),
            );
        })
        .await;

    let redirect = client(&server)
        .connectors()
        .authorize_oauth("salesforce-01")
        .after_token_redirect("https://app.example.com/done?a=1&b=2")
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(redirect, "https://login.example.com/authorize?state=xyz");
}

#[tokio::test]
async fn ids_are_one_path_segment_whatever_they_contain() {
    let cases = [
        ("a/b", "/v1/connectors/a%2Fb"),
        ("?x", "/v1/connectors/%3Fx"),
        ("#", "/v1/connectors/%23"),
        ("with space", "/v1/connectors/with%20space"),
        ("ünïcødé", "/v1/connectors/%C3%BCn%C3%AFc%C3%B8d%C3%A9"),
        ("%2e%2e", "/v1/connectors/%252e%252e"),
        ("...", "/v1/connectors/..."),
    ];
    for (id, path) in cases {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                exact_path(when.method(GET), path);
                then.status(200)
                    .json_body(json!({"connector": connector_json(id)}));
            })
            .await;
        let connector = client(&server).connectors().get(id).send().await.unwrap();
        assert_eq!(connector.id, id);
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn base_url_with_v1_and_trailing_slash_reaches_the_same_paths() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            exact_path(when.method(GET), "/v1/connectors/x");
            then.status(200)
                .json_body(json!({"connector": connector_json("x")}));
        })
        .await;
    for base in [server.url("/v1"), server.url("/v1/"), server.url("/")] {
        let client = cohere_connectors::Client::builder()
            .api_key("k")
            .base_url(base)
            .build()
            .unwrap();
        client.connectors().get("x").await.unwrap();
    }
    mock.assert_calls_async(3).await;
}

#[tokio::test]
async fn the_raw_client_of_the_facade_is_authenticated_too() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            standard_headers(when.method(GET).path("/v1/connectors"));
            then.status(200).json_body(json!({"connectors": []}));
        })
        .await;
    let client = client(&server);
    client.raw().list_connectors().send().await.unwrap();
    mock.assert_async().await;
}
