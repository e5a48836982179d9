//! Connectors as the API returns them, in two shapes, shared by the tests and the benchmarks
//! (which include this file): the heaviest a real account can hold, and a light one.

use serde_json::{Value, json};

/// A connector as heavy as a real account's worst: every field present and long (a
/// 1,000-character description, 300-character URLs, ten excluded fields, OAuth settings, an
/// authorization status). A page of 100 is about 318 KiB.
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

/// A connector as most are: every documented field, short values, OAuth on one in three.
/// A page of 100 is about 45 KiB.
pub fn light_connector_json(index: usize) -> Value {
    let mut connector = json!({
        "id": format!("connector-{index:06}"),
        "organization_id": "org-7f3a9c21",
        "name": format!("Connector number {index}"),
        "description": "Searches the internal knowledge base of the support team",
        "url": format!("https://search.example.com/connectors/{index}/search"),
        "created_at": "2024-05-01T10:00:00.123456Z",
        "updated_at": "2024-06-11T08:30:12.654321Z",
        "excludes": ["internal_notes", "author_email"],
        "auth_type": "service_auth",
        "active": true,
        "continue_on_failure": false,
    });
    if index.is_multiple_of(3) {
        connector["auth_type"] = json!("oauth");
        connector["auth_status"] = json!("valid");
        connector["oauth"] = json!({
            "client_id": "client-4d2e",
            "authorize_url": "https://login.example.com/oauth/authorize",
            "token_url": "https://login.example.com/oauth/token",
            "scope": "read"
        });
    }
    connector
}
