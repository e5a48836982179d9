//! The hand-written client the facade is compared with: the same fields as the facade's
//! `Connector`, in plain types (strings where the facade has open enums, `f64` for
//! `total_count`), decoded by serde_json from a reqwest body.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// A connector as a hand-written client would declare it.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainConnector {
    id: String,
    #[serde(default)]
    organization_id: Option<String>,
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    url: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    #[serde(default)]
    excludes: Vec<String>,
    #[serde(default)]
    auth_type: Option<String>,
    #[serde(default)]
    oauth: Option<PlainOAuth>,
    #[serde(default)]
    auth_status: Option<String>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    continue_on_failure: Option<bool>,
}

/// OAuth settings as a hand-written client would declare them.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainOAuth {
    #[serde(default)]
    client_id: Option<String>,
    #[serde(default)]
    client_secret: Option<String>,
    authorize_url: String,
    token_url: String,
    #[serde(default)]
    scope: Option<String>,
}

/// A page.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainPage {
    pub connectors: Vec<PlainConnector>,
    #[serde(default)]
    pub total_count: Option<f64>,
}

/// The answer to a get.
#[derive(Deserialize)]
#[allow(dead_code)]
pub struct PlainGet {
    connector: PlainConnector,
}

/// One call of the hand-written client: GET, read the body, decode it.
pub async fn get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    key: &str,
) -> T {
    let body = http
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// The body of an update as a hand-written client would declare it: only `active`.
#[derive(serde::Serialize)]
pub struct PlainUpdate {
    pub active: bool,
}

/// An update by the hand-written client: PATCH a JSON body, read the answer, decode it.
pub async fn patch(http: &reqwest::Client, url: &str, key: &str, body: &PlainUpdate) -> PlainGet {
    let body = http
        .patch(url)
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// A delete by the hand-written client: DELETE, check the status, read the body.
pub async fn delete(http: &reqwest::Client, url: &str, key: &str) {
    let response = http.delete(url).bearer_auth(key).send().await.unwrap();
    assert!(response.status().is_success());
    response.bytes().await.unwrap();
}
