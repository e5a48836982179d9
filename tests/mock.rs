//! The typed mocks (feature `httpmock`), used the way a user of the crate would use them.
#![cfg(feature = "httpmock")]

use cohere_connectors::mock::MockServerExt;
use cohere_connectors::raw::types::{
    Connector, ErrorBody, GetConnectorResponse, ListConnectorsResponse,
};
use cohere_connectors::{ApiErrorKind, Client, Error};
use httpmock::MockServer;

fn connector(id: &str) -> Connector {
    serde_json::from_value(serde_json::json!({
        "id": id,
        "name": "Wiki",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z",
    }))
    .unwrap()
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key("test-key")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// Code under test: something an application might write on top of the crate.
async fn active_connector_names(client: &Client) -> cohere_connectors::Result<Vec<String>> {
    let page = client.connectors().list().limit(10).send().await?;
    Ok(page
        .connectors
        .into_iter()
        .filter(|c| c.active != Some(false))
        .map(|c| c.name)
        .collect())
}

#[tokio::test]
async fn a_user_mocks_a_listing_with_typed_helpers() {
    let server = MockServer::start_async().await;
    let mut inactive = connector("old");
    inactive.name = "Old".into();
    inactive.active = Some(false);
    let page = ListConnectorsResponse {
        connectors: vec![connector("wiki"), inactive],
        total_count: Some(2.0),
    };
    let mock = server.list_connectors(|when, then| {
        when.limit(10).offset(None);
        then.ok(&page);
    });

    let names = active_connector_names(&client(&server)).await.unwrap();

    assert_eq!(names, ["Wiki"]);
    mock.assert();
}

#[tokio::test]
async fn a_user_mocks_an_error_and_a_path_parameter() {
    let server = MockServer::start_async().await;
    let found = server.get_connector(|when, then| {
        when.id(&"wiki".parse().unwrap());
        then.ok(&GetConnectorResponse {
            connector: connector("wiki"),
        });
    });
    let missing = server.get_connector(|when, then| {
        when.id(&"gone".parse().unwrap());
        then.not_found(&ErrorBody {
            message: Some("no such connector".into()),
            id: Some("e-1".into()),
        });
    });
    let client = client(&server);

    assert_eq!(client.connectors().get("wiki").await.unwrap().id, "wiki");
    let error = client.connectors().get("gone").await.unwrap_err();
    let Error::Api(api) = error else { panic!() };
    assert_eq!(api.kind(), ApiErrorKind::NotFound);
    assert_eq!(api.message(), Some("no such connector"));
    found.assert();
    missing.assert();
}
