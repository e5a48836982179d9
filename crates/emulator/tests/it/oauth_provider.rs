//! The test OAuth provider on its own, as a client speaks to it over HTTP: the rules it keeps
//! (codes once, PKCE, client authentication, expiry, rotation, revocation) and the faults it
//! injects, so that a broker tested against it is tested against a provider that refuses
//! what real ones refuse.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cohere_connectors_emulator::{
    ClientAuthentication, OAuthProvider, ProviderEndpoint, TokenFault,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const VERIFIER: &str = "a-verifier-of-the-right-shape-0123456789-abcdefghij";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The authorize URL a client would send its user to, with `extra` parameters.
fn authorize(provider: &OAuthProvider, extra: &[(&str, &str)]) -> String {
    let mut url = reqwest::Url::parse(&provider.authorize_url()).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", provider.client_id())
        .append_pair("redirect_uri", REDIRECT)
        .append_pair("state", "s-1")
        .extend_pairs(extra);
    url.into()
}

/// The value of `name` in the query of `url`.
fn query_value(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Consents and returns the code.
async fn code(provider: &OAuthProvider, extra: &[(&str, &str)]) -> String {
    let back = provider.consent(&authorize(provider, extra)).await.unwrap();
    assert!(back.starts_with(REDIRECT), "{back}");
    assert_eq!(query_value(&back, "state").as_deref(), Some("s-1"));
    query_value(&back, "code").unwrap_or_else(|| panic!("no code in {back}"))
}

/// Posts `form` to the token endpoint with the client's credentials in the form.
async fn token(provider: &OAuthProvider, form: &[(&str, &str)]) -> (u16, Value) {
    let mut form: Vec<(&str, &str)> = form.to_vec();
    form.push(("client_id", provider.client_id()));
    form.push(("client_secret", provider.client_secret().expose()));
    post(provider, "/token", &form, None).await
}

async fn post(
    provider: &OAuthProvider,
    path: &str,
    form: &[(&str, &str)],
    basic: Option<String>,
) -> (u16, Value) {
    let mut request = http()
        .post(format!("{}{path}", provider.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        );
    if let Some(basic) = basic {
        request = request.header("authorization", basic);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.text().await.unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

async fn exchange(provider: &OAuthProvider, code: &str, verifier: Option<&str>) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", REDIRECT),
    ];
    if let Some(verifier) = verifier {
        form.push(("code_verifier", verifier));
    }
    token(provider, &form).await
}

async fn refresh(provider: &OAuthProvider, refresh_token: &str) -> (u16, Value) {
    token(
        provider,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("no {field} in {value}"))
        .to_owned()
}

#[tokio::test]
async fn a_code_is_exchanged_once_with_its_pkce_verifier_and_for_its_redirect_uri() {
    let provider = OAuthProvider::start().await.unwrap();
    let pkce = [
        ("code_challenge", challenge(VERIFIER)),
        ("code_challenge_method", "S256".to_owned()),
        ("login_hint", "alice".to_owned()),
    ];
    let pkce: Vec<(&str, &str)> = pkce.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let first = code(&provider, &pkce).await;
    assert_eq!(
        exchange(&provider, &first, None).await.1["error"],
        "invalid_grant"
    );
    let second = code(&provider, &pkce).await;
    let wrong = exchange(&provider, &second, Some(&format!("{VERIFIER}x"))).await;
    assert_eq!(
        (wrong.0, &wrong.1["error"]),
        (400, &Value::from("invalid_grant"))
    );

    let third = code(&provider, &pkce).await;
    let (status, tokens) = exchange(&provider, &third, Some(VERIFIER)).await;
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let access = text(&tokens, "access_token");
    assert_eq!(
        provider.token_checker().subject(&access).as_deref(),
        Some("alice")
    );

    // Used twice: refused, and what the first exchange gave is revoked.
    let again = exchange(&provider, &third, Some(VERIFIER)).await;
    assert_eq!(again.1["error"], "invalid_grant");
    assert_eq!(provider.token_checker().subject(&access), None);

    // Issued for one redirect_uri, exchanged for another: refused.
    let fourth = code(&provider, &[]).await;
    let elsewhere = token(
        &provider,
        &[
            ("grant_type", "authorization_code"),
            ("code", &fourth),
            ("redirect_uri", "http://127.0.0.1:9/elsewhere"),
        ],
    )
    .await;
    assert_eq!(elsewhere.1["error"], "invalid_grant");
    assert_eq!(provider.issued_tokens(), 1);
}

#[tokio::test]
async fn plain_pkce_is_refused_and_required_pkce_refuses_an_authorization_without_it() {
    let provider = OAuthProvider::builder()
        .require_pkce(true)
        .start()
        .await
        .unwrap();
    let back = provider.consent(&authorize(&provider, &[])).await.unwrap();
    assert_eq!(
        query_value(&back, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(query_value(&back, "code"), None);
    let plain = provider
        .consent(&authorize(
            &provider,
            &[
                ("code_challenge", VERIFIER),
                ("code_challenge_method", "plain"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        query_value(&plain, "error").as_deref(),
        Some("invalid_request")
    );

    provider.deny_consent(true);
    let challenge = challenge(VERIFIER);
    let denied = provider
        .consent(&authorize(
            &provider,
            &[
                ("code_challenge", &challenge),
                ("code_challenge_method", "S256"),
            ],
        ))
        .await
        .unwrap();
    assert_eq!(
        query_value(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&denied, "state").as_deref(), Some("s-1"));
}

#[tokio::test]
async fn the_client_authenticates_by_basic_or_by_the_form_but_not_both_nor_wrongly() {
    let provider = OAuthProvider::start().await.unwrap();
    let basic = |id: &str, secret: &str| {
        let id: String = url::form_urlencoded::byte_serialize(id.as_bytes()).collect();
        let secret: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        format!("Basic {}", STANDARD.encode(format!("{id}:{secret}")))
    };
    let code_one = code(&provider, &[]).await;
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code_one.as_str()),
        ("redirect_uri", REDIRECT),
    ];
    let secret = provider.client_secret().expose().to_owned();
    let (status, tokens) = post(
        &provider,
        "/token",
        &form,
        Some(basic(provider.client_id(), &secret)),
    )
    .await;
    assert_eq!(status, 200, "{tokens}");

    let code_two = code(&provider, &[]).await;
    let both = [
        ("grant_type", "authorization_code"),
        ("code", code_two.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_secret", secret.as_str()),
    ];
    let (status, refused) = post(
        &provider,
        "/token",
        &both,
        Some(basic(provider.client_id(), &secret)),
    )
    .await;
    assert_eq!(
        (status, &refused["error"]),
        (400, &Value::from("invalid_request"))
    );
    let (status, refused) = post(
        &provider,
        "/token",
        &form,
        Some(basic(provider.client_id(), "wrong")),
    )
    .await;
    assert_eq!(
        (status, &refused["error"]),
        (401, &Value::from("invalid_client"))
    );
    let (status, _) = post(&provider, "/token", &form, None).await;
    assert_eq!(status, 401);

    let seen = provider.requests();
    let tokens_seen: Vec<_> = seen
        .iter()
        .filter(|request| request.endpoint == ProviderEndpoint::Token)
        .collect();
    assert_eq!(
        tokens_seen[0].client_authentication,
        ClientAuthentication::Basic
    );
    assert_eq!(
        tokens_seen[0].basic_client_id.as_deref(),
        Some(provider.client_id())
    );
    assert_eq!(
        tokens_seen[0].names(),
        ["grant_type", "code", "redirect_uri"]
    );
    assert!(!format!("{seen:?}").contains(&secret));
    assert!(!format!("{seen:?}").contains(&code_one));
}

#[tokio::test]
async fn refresh_tokens_are_reused_or_rotated_and_a_rotated_one_used_again_revokes_the_grant() {
    let kept = OAuthProvider::start().await.unwrap();
    let tokens = exchange(&kept, &code(&kept, &[]).await, None).await.1;
    let refresh_token = text(&tokens, "refresh_token");
    for _ in 0..2 {
        let (status, refreshed) = refresh(&kept, &refresh_token).await;
        assert_eq!(status, 200, "{refreshed}");
        assert!(refreshed.get("refresh_token").is_none(), "{refreshed}");
    }

    let rotating = OAuthProvider::builder()
        .rotate_refresh_tokens(true)
        .start()
        .await
        .unwrap();
    let tokens = exchange(&rotating, &code(&rotating, &[]).await, None)
        .await
        .1;
    let old = text(&tokens, "refresh_token");
    let refreshed = refresh(&rotating, &old).await.1;
    let new = text(&refreshed, "refresh_token");
    let access = text(&refreshed, "access_token");
    assert_ne!(old, new);
    assert!(rotating.token_checker().subject(&access).is_some());
    assert_eq!(refresh(&rotating, &old).await.1["error"], "invalid_grant");
    assert_eq!(rotating.token_checker().subject(&access), None);
    assert_eq!(refresh(&rotating, &new).await.1["error"], "invalid_grant");

    // A provider that only refuses a reused refresh token keeps the grant.
    let lenient = OAuthProvider::builder()
        .rotate_refresh_tokens(true)
        .reuse_revokes_grant(false)
        .start()
        .await
        .unwrap();
    let tokens = exchange(&lenient, &code(&lenient, &[]).await, None).await.1;
    let old = text(&tokens, "refresh_token");
    let new = text(&refresh(&lenient, &old).await.1, "refresh_token");
    assert_eq!(refresh(&lenient, &old).await.1["error"], "invalid_grant");
    assert_eq!(refresh(&lenient, &new).await.0, 200);
}

#[tokio::test]
async fn access_tokens_expire_after_their_lifetime_or_on_demand_and_grants_can_be_revoked() {
    let provider = OAuthProvider::builder()
        .access_token_lifetime(Duration::from_secs(7))
        .refresh_tokens(false)
        .start()
        .await
        .unwrap();
    let tokens = exchange(&provider, &code(&provider, &[]).await, None)
        .await
        .1;
    assert_eq!(tokens["expires_in"], 7);
    assert!(tokens.get("refresh_token").is_none());
    let access = text(&tokens, "access_token");
    let checker = provider.token_checker();
    assert!(checker.subject(&access).is_some());
    provider.expire_access_tokens();
    assert_eq!(checker.subject(&access), None);

    let revocable = OAuthProvider::start().await.unwrap();
    let tokens = exchange(&revocable, &code(&revocable, &[]).await, None)
        .await
        .1;
    let refresh_token = text(&tokens, "refresh_token");
    revocable.revoke_all_grants();
    assert_eq!(
        refresh(&revocable, &refresh_token).await.1["error"],
        "invalid_grant"
    );
}

#[tokio::test]
async fn rfc_7009_revocation_of_a_refresh_token_revokes_its_grant() {
    let provider = OAuthProvider::start().await.unwrap();
    let tokens = exchange(&provider, &code(&provider, &[]).await, None)
        .await
        .1;
    let (access, refresh_token) = (
        text(&tokens, "access_token"),
        text(&tokens, "refresh_token"),
    );
    let secret = provider.client_secret().expose().to_owned();
    let unknown = [
        ("token", "never-issued"),
        ("client_id", provider.client_id()),
        ("client_secret", secret.as_str()),
    ];
    assert_eq!(post(&provider, "/revoke", &unknown, None).await.0, 200);
    assert!(provider.token_checker().subject(&access).is_some());
    let revoke = [
        ("token", refresh_token.as_str()),
        ("token_type_hint", "refresh_token"),
        ("client_id", provider.client_id()),
        ("client_secret", secret.as_str()),
    ];
    assert_eq!(post(&provider, "/revoke", &revoke, None).await.0, 200);
    assert_eq!(provider.token_checker().subject(&access), None);
    assert_eq!(
        refresh(&provider, &refresh_token).await.1["error"],
        "invalid_grant"
    );
    let unauthenticated = [("token", refresh_token.as_str())];
    assert_eq!(
        post(&provider, "/revoke", &unauthenticated, None).await.0,
        401
    );
}

#[tokio::test]
async fn injected_faults_answer_in_order_then_the_provider_answers_again() {
    let provider = OAuthProvider::start().await.unwrap();
    let tokens = exchange(&provider, &code(&provider, &[]).await, None)
        .await
        .1;
    let refresh_token = text(&tokens, "refresh_token");
    provider
        .inject(TokenFault::Status(503))
        .inject(TokenFault::Missing("access_token"))
        .inject(TokenFault::Replace("expires_in", "\"3600\""))
        .inject(TokenFault::EchoSecrets)
        .inject(TokenFault::Redirect("http://127.0.0.1:9/elsewhere".into()))
        .inject(TokenFault::Latency(Duration::from_millis(300)));

    let (status, body) = refresh(&provider, &refresh_token).await;
    assert_eq!(
        (status, &body["error"]),
        (503, &Value::from("temporarily_unavailable"))
    );
    let missing = refresh(&provider, &refresh_token).await.1;
    assert!(missing.get("access_token").is_none() && missing.get("token_type").is_some());
    assert_eq!(
        refresh(&provider, &refresh_token).await.1["expires_in"],
        "3600"
    );
    let echoed = refresh(&provider, &refresh_token).await.1;
    let description = text(&echoed, "error_description");
    assert!(description.contains(&refresh_token));
    assert!(description.contains(provider.client_secret().expose()));
    let redirected = http()
        .post(provider.token_url())
        .body("grant_type=refresh_token")
        .send()
        .await
        .unwrap();
    assert_eq!(redirected.status(), 307);
    assert_eq!(
        redirected.headers()["location"],
        "http://127.0.0.1:9/elsewhere"
    );
    let started = Instant::now();
    assert_eq!(refresh(&provider, &refresh_token).await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    provider.inject_always(TokenFault::Html);
    for _ in 0..2 {
        let page = http()
            .post(provider.token_url())
            .body("grant_type=refresh_token")
            .send()
            .await
            .unwrap();
        assert!(
            page.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
    }
    provider.clear_faults().inject(TokenFault::Huge(200_000));
    let huge = http().post(provider.token_url()).send().await.unwrap();
    assert_eq!(huge.content_length(), None);
    assert_eq!(huge.bytes().await.unwrap().len(), 200_000);
    assert_eq!(refresh(&provider, &refresh_token).await.0, 200);
}
