//! Helpers shared by the SDK's integration tests.
#![allow(dead_code)]

use cohere_connectors::Client;
use httpmock::{MockServer, When};
use serde_json::{Value, json};

pub const API_KEY: &str = "test-key-0123456789";
pub const CLIENT_NAME: &str = "integration-tests";

/// A client for `server` that never retries, so each test sees exactly the hits it causes.
pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .api_key(API_KEY)
        .base_url(server.base_url())
        .client_name(CLIENT_NAME)
        .max_retries(0)
        .build()
        .expect("a valid test configuration")
}

/// The headers every facade request carries, and the one it must not.
pub fn standard_headers(when: When) -> When {
    when.header("authorization", format!("Bearer {API_KEY}"))
        .header("x-client-name", CLIENT_NAME)
        .header(
            "user-agent",
            concat!("cohere-connectors-rust/", env!("CARGO_PKG_VERSION")),
        )
        .header_missing("api-version")
}

/// Matches the request's query string exactly (`None`: no query at all).
pub fn exact_query(when: When, query: Option<&'static str>) -> When {
    when.is_true(move |request| request.uri().query() == query)
}

/// Matches the request's path exactly, as sent (percent-encoding included).
pub fn exact_path(when: When, path: &'static str) -> When {
    when.is_true(move |request| request.uri().path() == path)
}

/// A connector as the API returns it, with a field this crate does not know about.
pub fn connector_json(id: &str) -> Value {
    json!({
        "id": id,
        "organization_id": "org-1",
        "name": "Salesforce",
        "description": "CRM",
        "url": "https://example.com/search",
        "created_at": "2024-05-01T10:00:00Z",
        "updated_at": "2024-05-02T11:30:00.5Z",
        "excludes": ["internal_notes"],
        "auth_type": "oauth",
        "oauth": {
            "client_id": "client-id",
            "authorize_url": "https://login.example.com/authorize",
            "token_url": "https://login.example.com/token",
            "scope": "read"
        },
        "auth_status": "valid",
        "active": true,
        "continue_on_failure": true,
        "added_in_a_later_api_version": {"anything": [1, 2]}
    })
}
