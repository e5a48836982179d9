//! The typed mocks (feature `httpmock`), used the way a user of the crate would: to test their
//! own code that calls the API, in the facade's types.
#![cfg(feature = "httpmock")]

use std::time::Duration;

use cohere_connectors::mock::MockServerExt;
use cohere_connectors::{
    Client, Connector, ConnectorPage, ConnectorUpdate, NewConnector, ServiceAuth,
};
use httpmock::MockServer;

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// Code under test: something an application might write on top of the crate.
async fn active_connector_names(
    client: &Client,
    page_size: u32,
) -> cohere_connectors::Result<Vec<String>> {
    let page = client.connectors().list().limit(page_size).send().await?;
    Ok(page
        .connectors
        .into_iter()
        .filter(|c| c.active != Some(false))
        .map(|c| c.name)
        .collect())
}

#[tokio::test]
async fn a_listing_mocked_with_the_facade_types() {
    let server = MockServer::start_async().await;
    let page_size: u32 = 10;
    let page = ConnectorPage::new(vec![
        Connector::new("wiki", "Wiki"),
        Connector::new("old", "Old").with_active(false),
    ]);
    let mock = server.list_connectors(|when, then| {
        when.limit(page_size);
        then.ok(&page);
    });

    let names = active_connector_names(&client(&server), page_size)
        .await
        .unwrap();

    assert_eq!(names, ["Wiki"]);
    mock.assert();
}

#[tokio::test]
async fn ids_bodies_errors_and_headers() {
    let server = MockServer::start_async().await;
    let wiki = Connector::new("a/b", "Wiki");
    let found = server.get_connector(|when, then| {
        when.id("a/b");
        then.ok(&wiki).header("x-request-id", "req-7");
    });
    let missing = server.delete_connector(|when, then| {
        when.id("gone");
        then.not_found("no such connector");
    });
    let definition = NewConnector::new("Wiki", "https://wiki.example.com/search")
        .with_service_auth(ServiceAuth::bearer("t0ken"));
    let created = server.create_connector(|when, then| {
        when.body(&definition).header("x-client-name", "tests");
        then.ok(&Connector::new("wiki", "Wiki"));
    });
    let update = ConnectorUpdate::new().with_active(false);
    let updated = server.update_connector(|when, then| {
        when.id("wiki").body(&update);
        then.ok(&Connector::new("wiki", "Wiki").with_active(false));
    });
    let limited = server.authorize_oauth(|when, then| {
        when.id("crm")
            .after_token_redirect("https://app.example.com/done");
        then.rate_limited(Duration::from_millis(1500));
    });
    let client = Client::builder()
        .api_key("test-key")
        .base_url(server.base_url())
        .client_name("tests")
        .max_retries(0)
        .build()
        .unwrap();

    let answer = client
        .connectors()
        .get("a/b")
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(
        (answer.id.as_str(), answer.meta().request_id()),
        ("a/b", Some("req-7"))
    );
    let error = client.connectors().delete("gone").await.unwrap_err();
    assert!(error.is_not_found(), "{error}");
    client
        .connectors()
        .create_from(definition.clone())
        .await
        .unwrap();
    client
        .connectors()
        .update_from("wiki", update.clone())
        .await
        .unwrap();
    let error = client
        .connectors()
        .authorize_oauth("crm")
        .after_token_redirect("https://app.example.com/done")
        .await
        .unwrap_err();
    let cohere_connectors::Error::Api(api) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(api.retry_after(), Some(Duration::from_secs(2)));
    for mock in [found, missing, created, updated, limited] {
        mock.assert();
    }
}

#[tokio::test]
async fn the_generated_mocks_in_the_raw_types_are_still_there() {
    use cohere_connectors::mock::generated::MockServerExt as Generated;
    use cohere_connectors::raw::types::{ErrorBody, GetConnectorResponse};

    let server = MockServer::start_async().await;
    let connector = serde_json::from_value(serde_json::json!({
        "id": "wiki", "name": "Wiki",
        "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z",
    }))
    .unwrap();
    let found = Generated::get_connector(&server, |when, then| {
        when.id(&"wiki".parse().unwrap());
        then.ok(&GetConnectorResponse { connector });
    });
    let missing = Generated::get_connector(&server, |when, then| {
        when.id(&"gone".parse().unwrap());
        then.not_found(&ErrorBody {
            message: Some("no such connector".into()),
            id: Some("e-1".into()),
        });
    });
    let client = client(&server);
    assert_eq!(client.connectors().get("wiki").await.unwrap().id, "wiki");
    let error = client.connectors().get("gone").await.unwrap_err();
    assert!(error.is_not_found());
    found.assert();
    missing.assert();
}
