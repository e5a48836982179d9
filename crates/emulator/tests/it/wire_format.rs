//! The bytes the emulator writes, as clients in other languages parse them.

use cohere_connectors_emulator::Emulator;
use cohere_connectors_testing::upstream::assert_conforms;
use serde_json::Value;

async fn raw(emulator: &Emulator, method: reqwest::Method, path: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .request(method, format!("{}{path}", emulator.base_url()))
        .bearer_auth(emulator.api_key())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

/// Six fractional digits, as in Cohere's examples: Cohere's Python SDK 4.x parses at most six,
/// and fails on every call with the nine chrono writes by default.
#[tokio::test]
async fn timestamps_have_exactly_six_fractional_digits() {
    let emulator = Emulator::builder().seed(20).start().await.unwrap();
    let client = emulator.client().unwrap();
    let created = client
        .connectors()
        .create("Fresh", "https://fresh.example.com/search")
        .await
        .unwrap();
    client
        .connectors()
        .update(&created.id)
        .active(false)
        .await
        .unwrap();
    let (_, page) = raw(&emulator, reqwest::Method::GET, "/v1/connectors?limit=100").await;
    let connectors = page["connectors"].as_array().unwrap();
    assert_eq!(connectors.len(), 21);
    for connector in connectors {
        for field in ["created_at", "updated_at"] {
            let text = connector[field].as_str().unwrap();
            let (_, fraction) = text.rsplit_once('.').unwrap_or_else(|| panic!("{text}"));
            assert_eq!(fraction.len(), 7, "{field} {text}");
            assert!(fraction.ends_with('Z') && fraction[..6].bytes().all(|b| b.is_ascii_digit()));
        }
    }
}

/// The API answered the GET that Cohere's Python SDK 4.x sends to authorize as it answers POST.
#[tokio::test]
async fn authorize_answers_get_as_it_answers_post() {
    let emulator = Emulator::builder().journal(100).start().await.unwrap();
    let client = emulator.client().unwrap();
    let crm = client
        .connectors()
        .create("CRM", "https://crm.example.com/search")
        .oauth(cohere_connectors::OAuthConfig::new(
            "client",
            "client-secret",
            "https://login.example.com/authorize",
            "https://login.example.com/token",
        ))
        .await
        .unwrap();
    let path = format!("/v1/connectors/{}/oauth/authorize", crm.id);
    for method in [reqwest::Method::GET, reqwest::Method::POST] {
        let (status, body) = raw(&emulator, method.clone(), &path).await;
        assert_eq!(status, 200, "{method} {body}");
        let url = body["redirect_url"].as_str().unwrap();
        assert!(
            url.starts_with("https://login.example.com/authorize?"),
            "{url}"
        );
    }
    let (status, _) = raw(
        &emulator,
        reqwest::Method::GET,
        "/v1/connectors/missing/oauth/authorize",
    )
    .await;
    assert_eq!(status, 404);
    assert_conforms(&emulator.journal());
}
