//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod scripted;
#[cfg(feature = "emulator")]
pub mod upstream;

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

/// A connector as heavy as a real account's worst: every field present and long (a 1,000
/// character description, 300-character URLs, ten excluded fields, OAuth settings).
pub fn heavy_connector_json(index: usize) -> Value {
    let long = |prefix: &str, len: usize| {
        let mut text = format!("{prefix}-{index}-");
        while text.len() < len {
            text.push_str("lorem-ipsum-");
        }
        text.truncate(len);
        text
    };
    let url = |host: &str| format!("https://{host}.example.com/{}", long("path", 270));
    json!({
        "id": long("connector", 100),
        "organization_id": "6f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b",
        "name": long("Name", 200),
        "description": long("Description", 1000),
        "url": url("search"),
        "created_at": "2024-05-01T10:00:00.123456Z",
        "updated_at": "2025-08-02T11:30:00.654321Z",
        "excludes": (0..10).map(|field| long(&format!("field{field}"), 40)).collect::<Vec<_>>(),
        "auth_type": "oauth",
        "oauth": {
            "client_id": long("client", 80),
            "authorize_url": url("login"),
            "token_url": url("token"),
            "scope": long("scope", 200)
        },
        "auth_status": "valid",
        "active": true,
        "continue_on_failure": false
    })
}
