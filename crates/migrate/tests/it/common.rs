//! Helpers shared by the migration tests.

use cohere_connectors::Client;
use httpmock::MockServer;
use serde_json::{Value, json};

/// A connector as the API returns it: `id`, a name from it, fixed times, and `extra`.
pub fn connector_json(id: &str, extra: Value) -> Value {
    let mut value = json!({
        "id": id, "name": format!("Name of {id}"),
        "created_at": "2024-05-01T10:00:00Z", "updated_at": "2024-05-02T10:00:00Z",
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    value
}

/// A client of `server` that never retries, so each test sees the requests it causes.
pub fn client_of(server: &MockServer) -> Client {
    Client::builder()
        .api_key("key-0123456789")
        .base_url(server.base_url())
        .max_retries(0)
        .build()
        .unwrap()
}

/// Serves `connectors` as the account's one page.
pub async fn serve_account(server: &MockServer, connectors: Vec<Value>) -> httpmock::Mock<'_> {
    let total = connectors.len();
    server
        .mock_async(move |when, then| {
            when.method("GET").path("/v1/connectors");
            then.status(200)
                .json_body(json!({"connectors": connectors, "total_count": total}));
        })
        .await
}
