//! Bad arguments are refused before anything is sent: the server sees no request at all.

use crate::common::client;
use cohere_connectors::{Client, ConnectorUpdate, Error, OAuthConfig, Operation, ServiceAuth};
use httpmock::MockServer;

fn oauth() -> OAuthConfig {
    OAuthConfig {
        client_id: "client-id".into(),
        client_secret: "client-secret".into(),
        authorize_url: "https://login.example.com/authorize".into(),
        token_url: "https://login.example.com/token".into(),
        scope: None,
    }
}

/// Runs every case against one server that answers anything, then checks it was never called.
async fn assert_refused_without_a_request<F, Fut>(cases: Vec<(&str, Operation, F)>)
where
    F: FnOnce(Client) -> Fut,
    Fut: std::future::Future<Output = cohere_connectors::Result<()>>,
{
    let server = MockServer::start_async().await;
    let anything = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200).body("{}");
        })
        .await;
    for (case, operation, call) in cases {
        let error = call(client(&server)).await.expect_err(case);
        match &error {
            Error::InvalidArgument { operation: got, .. } => {
                assert_eq!(*got, operation, "{case}");
            }
            other => panic!("{case}: expected InvalidArgument, got {other:?}"),
        }
        assert!(!error.is_retryable(), "{case}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("{operation}: invalid argument: ")),
            "{case}: {error}"
        );
    }
    anything.assert_calls_async(0).await;
}

type Call = Box<
    dyn FnOnce(
        Client,
    ) -> std::pin::Pin<
        Box<dyn std::future::Future<Output = cohere_connectors::Result<()>>>,
    >,
>;

fn call<F, Fut, T>(f: F) -> Call
where
    F: FnOnce(Client) -> Fut + 'static,
    Fut: std::future::Future<Output = cohere_connectors::Result<T>> + 'static,
{
    Box::new(move |client| Box::pin(async move { f(client).await.map(|_| ()) }))
}

#[tokio::test]
async fn list_arguments() {
    assert_refused_without_a_request(vec![(
        "limit above 100",
        Operation::ListConnectors,
        call(|c: Client| c.connectors().list().limit(101).send()),
    )])
    .await;
}

#[tokio::test]
async fn ids() {
    let mut cases = Vec::new();
    for id in ["", ".", ".."] {
        cases.push((
            "get",
            Operation::GetConnector,
            call(move |c: Client| c.connectors().get(id).send()),
        ));
        cases.push((
            "update",
            Operation::UpdateConnector,
            call(move |c: Client| c.connectors().update(id).active(true).send()),
        ));
        cases.push((
            "delete",
            Operation::DeleteConnector,
            call(move |c: Client| c.connectors().delete(id).send()),
        ));
        cases.push((
            "authorize",
            Operation::AuthorizeOAuth,
            call(move |c: Client| c.connectors().authorize_oauth(id).send()),
        ));
    }
    assert_refused_without_a_request(cases).await;
}

#[tokio::test]
async fn create_arguments() {
    let create = Operation::CreateConnector;
    assert_refused_without_a_request(vec![
        (
            "empty name",
            create,
            call(|c: Client| c.connectors().create("", "https://a.example/search").send()),
        ),
        (
            "blank name",
            create,
            call(|c: Client| {
                c.connectors()
                    .create("  ", "https://a.example/search")
                    .send()
            }),
        ),
        (
            "relative url",
            create,
            call(|c: Client| c.connectors().create("A", "/search").send()),
        ),
        (
            "non-http url",
            create,
            call(|c: Client| c.connectors().create("A", "ftp://a.example/search").send()),
        ),
        (
            "oauth and service auth together",
            create,
            call(|c: Client| {
                c.connectors()
                    .create("A", "https://a.example/search")
                    .oauth(oauth())
                    .service_auth(ServiceAuth::bearer("t"))
                    .send()
            }),
        ),
        (
            "oauth with a bad token url",
            create,
            call(|c: Client| {
                let mut bad = oauth();
                bad.token_url = "not a url".into();
                c.connectors()
                    .create("A", "https://a.example/search")
                    .oauth(bad)
                    .send()
            }),
        ),
        (
            "oauth with an empty secret",
            create,
            call(|c: Client| {
                let mut bad = oauth();
                bad.client_secret = "".into();
                c.connectors()
                    .create("A", "https://a.example/search")
                    .oauth(bad)
                    .send()
            }),
        ),
        (
            "empty service token",
            create,
            call(|c: Client| {
                c.connectors()
                    .create("A", "https://a.example/search")
                    .service_auth(ServiceAuth::basic(""))
                    .send()
            }),
        ),
    ])
    .await;
}

#[tokio::test]
async fn update_arguments() {
    let update = Operation::UpdateConnector;
    assert_refused_without_a_request(vec![
        (
            "blank name",
            update,
            call(|c: Client| c.connectors().update("a").name(" ").send()),
        ),
        (
            "bad url",
            update,
            call(|c: Client| c.connectors().update("a").url("search").send()),
        ),
        (
            "oauth and service auth together",
            update,
            call(|c: Client| {
                let mut both = ConnectorUpdate::default();
                both.oauth = Some(oauth());
                both.service_auth = Some(ServiceAuth::bearer("t"));
                c.connectors().update_from("a", both).send()
            }),
        ),
    ])
    .await;
}

#[tokio::test]
async fn authorize_arguments() {
    assert_refused_without_a_request(vec![(
        "relative redirect",
        Operation::AuthorizeOAuth,
        call(|c: Client| {
            c.connectors()
                .authorize_oauth("a")
                .after_token_redirect("/done")
                .send()
        }),
    )])
    .await;
}

#[tokio::test]
async fn messages_say_what_is_wrong_without_echoing_secrets() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let error = client.connectors().list().limit(250).await.unwrap_err();
    assert_eq!(
        error.to_string(),
        "list-connectors: invalid argument: limit must be between 0 and 100, got 250"
    );
    let error = client
        .connectors()
        .create("A", "https://a.example/search")
        .oauth(oauth())
        .service_auth(ServiceAuth::bearer("service-token"))
        .await
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(text.contains("mutually exclusive"), "{text}");
    assert!(
        !text.contains("client-secret") && !text.contains("service-token"),
        "{text}"
    );
}
