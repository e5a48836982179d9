//! The token endpoint as a hostile server answers: redirects, huge and endless bodies, HTML,
//! answers missing fields or with odd ones, secrets echoed back, error statuses, and an
//! endpoint too slow to wait for. Each through the public API: a sign-in's exchange or a
//! refresh.

use std::time::{Duration, Instant};

use cohere_connectors_emulator::{OAuthProvider, TokenFault};
use cohere_connectors_migrate::oauth::{OAuthBroker, OAuthError};

use crate::oauth_setup::{World, assert_shows_none, secrets_of, user};

/// The error a refresh ends with while the endpoint answers `fault`.
async fn refresh_failing_with(world: &World, fault: TokenFault) -> OAuthError {
    world.age("alice", -1).await;
    world.provider.inject(fault);
    let error = tokio::time::timeout(
        Duration::from_secs(20),
        world.broker.token(&user("alice"), "crm"),
    )
    .await
    .expect("bounded")
    .unwrap_err();
    assert!(
        world
            .broker
            .is_signed_in(&user("alice"), "crm")
            .await
            .unwrap(),
        "a failing endpoint is no reason to forget the tokens"
    );
    error
}

fn message(error: &OAuthError) -> &str {
    match error {
        OAuthError::TokenEndpoint { message, .. } => message,
        other => panic!("not a token endpoint error: {other:?}"),
    }
}

async fn signed_in() -> World {
    let world = World::default().await;
    assert_eq!(world.sign_in("alice").await.status(), 200);
    world
}

#[tokio::test]
async fn a_redirect_is_never_followed_so_no_secret_goes_elsewhere() {
    let world = signed_in().await;
    let elsewhere = OAuthProvider::start().await.unwrap();
    let error = refresh_failing_with(
        &world,
        TokenFault::Redirect(format!("{}/token", elsewhere.base_url())),
    )
    .await;
    assert!(
        message(&error).contains("307 with a redirect, which is never followed"),
        "{error}"
    );
    assert!(
        elsewhere.requests().is_empty(),
        "nothing reached the other host"
    );

    // A code exchange redirected: the same.
    world.provider.inject(TokenFault::Redirect(format!(
        "{}/token",
        elsewhere.base_url()
    )));
    let page = world.sign_in("bob").await;
    assert_eq!(page.status(), 502);
    assert!(elsewhere.requests().is_empty());
}

#[tokio::test]
async fn huge_and_endless_bodies_are_cut_at_64_kib() {
    let world = signed_in().await;
    let error = refresh_failing_with(&world, TokenFault::Huge(10 * 1024 * 1024)).await;
    assert!(
        message(&error).contains("larger than 65536 bytes"),
        "{error}"
    );
    let error = refresh_failing_with(&world, TokenFault::Endless).await;
    assert!(
        message(&error).contains("larger than 65536 bytes"),
        "{error}"
    );
    // Just over the cap is over it.
    let error = refresh_failing_with(&world, TokenFault::Huge(64 * 1024 + 1)).await;
    assert!(message(&error).contains("larger than"), "{error}");
}

#[tokio::test]
async fn html_and_other_non_json_answers_are_errors_that_say_so() {
    let world = signed_in().await;
    let error = refresh_failing_with(&world, TokenFault::Html).await;
    assert!(
        message(&error).contains("200 with text/html; charset=utf-8, not a JSON token answer"),
        "{error}"
    );
    let error = refresh_failing_with(&world, TokenFault::NotJson).await;
    assert!(
        message(&error).contains("not a JSON token answer"),
        "{error}"
    );
    for status in [500, 502, 503] {
        let error = refresh_failing_with(&world, TokenFault::Status(status)).await;
        assert!(
            message(&error).contains(&format!("answered {status}")),
            "{error}"
        );
    }
    // The endpoint answers again: the tokens were kept, and refresh.
    world.broker.token(&user("alice"), "crm").await.unwrap();
}

#[tokio::test]
async fn missing_and_odd_fields_are_refused_or_read_as_providers_send_them() {
    let world = signed_in().await;
    let error = refresh_failing_with(&world, TokenFault::Missing("access_token")).await;
    assert!(
        message(&error).contains("missing field `access_token`"),
        "{error}"
    );
    for (value, why) in [
        ("5", "`access_token` has the wrong type"),
        ("\"\"", "empty or not printable ASCII"),
        ("\"has a space\"", "empty or not printable ASCII"),
        ("\"tab\\there\"", "empty or not printable ASCII"),
    ] {
        let error = refresh_failing_with(&world, TokenFault::Replace("access_token", value)).await;
        assert!(message(&error).contains(why), "{value}: {error}");
    }

    // Lenient where providers differ: no token_type, expires_in as a string or missing.
    let lenient = [
        (TokenFault::Missing("token_type"), true),
        (TokenFault::Replace("expires_in", "\"3600\""), true),
        (TokenFault::Replace("expires_in", "3599.5"), true),
        (TokenFault::Replace("expires_in", "\"soon\""), false),
        (TokenFault::Missing("expires_in"), false),
    ];
    for (fault, expiry_known) in lenient {
        world.age("alice", -1).await;
        world.provider.inject(fault.clone());
        world.broker.token(&user("alice"), "crm").await.unwrap();
        let stored = world.stored("alice").await.unwrap();
        assert_eq!(stored.expires_at().is_some(), expiry_known, "{fault:?}");
        if let Some(at) = stored.expires_at() {
            let left = at - chrono::Utc::now();
            assert!(left > chrono::TimeDelta::seconds(3500), "{fault:?}: {left}");
        }
    }
    // A negative lifetime is an expired token, refreshed at the next call.
    world.age("alice", -1).await;
    world
        .provider
        .inject(TokenFault::Replace("expires_in", "-5"));
    world.broker.token(&user("alice"), "crm").await.unwrap();
    let refreshes = world.grants("refresh_token").len();
    world.broker.token(&user("alice"), "crm").await.unwrap();
    assert_eq!(world.grants("refresh_token").len(), refreshes + 1);
}

#[tokio::test]
async fn secrets_echoed_in_an_error_are_scrubbed_from_every_message() {
    let world = signed_in().await;
    let error = refresh_failing_with(&world, TokenFault::EchoSecrets).await;
    let secrets = secrets_of(&world, "alice").await;
    let shown = format!("{error} {error:?}");
    assert_shows_none(&shown, &secrets);
    assert!(shown.contains("[redacted]"), "{shown}");
    assert!(shown.contains("invalid_request"), "{shown}");

    // In a code exchange, the code and the PKCE verifier are scrubbed too, from the page.
    world.provider.inject(TokenFault::EchoSecrets);
    let page = world.sign_in("bob").await;
    assert_eq!(page.status(), 502);
    let page = page.text().await.unwrap();
    assert_shows_none(&page, &secrets_of(&world, "bob").await);
    assert!(page.contains("[redacted]"), "{page}");
}

#[tokio::test]
async fn a_slow_token_endpoint_is_given_up_on_after_the_timeout() {
    let provider = OAuthProvider::start().await.unwrap();
    let world = World::start(provider, |builder| {
        builder.token_timeout(Duration::from_millis(300))
    })
    .await;
    world.sign_in("alice").await;
    let started = Instant::now();
    let error = refresh_failing_with(&world, TokenFault::Latency(Duration::from_secs(30))).await;
    assert!(
        message(&error).contains("did not answer within 300 ms"),
        "{error}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn endpoints_that_would_carry_secrets_in_clear_or_in_the_url_are_refused_at_build() {
    let provider = OAuthProvider::start().await.unwrap();
    let mut config = provider.oauth_config();
    for (url, why) in [
        (
            "http://login.example.com/token",
            "plain http to another host",
        ),
        (
            "https://user:pw@login.example.com/token",
            "user name or password",
        ),
        ("https://login.example.com/token#x", "fragment"),
        ("ftp://login.example.com/token", "not an http(s) URL"),
        ("/token", "not an absolute URL"),
    ] {
        config.token_url = url.into();
        let error = OAuthBroker::builder("http://127.0.0.1:1/cb")
            .connector("crm", config.clone())
            .build()
            .unwrap_err();
        assert!(error.to_string().contains(why), "{url}: {error}");
        assert!(!error.to_string().contains("pw"), "{error}");
    }
    for (callback, why) in [
        ("http://app.example.com/cb", "plain http"),
        ("not a url", "not an absolute URL"),
    ] {
        let error = OAuthBroker::builder(callback)
            .connector("crm", provider.oauth_config())
            .build()
            .unwrap_err();
        assert!(error.to_string().contains(why), "{callback}: {error}");
    }
    let error = OAuthBroker::builder("http://localhost:1/cb")
        .connector("crm", provider.oauth_config())
        .revocation_url("wiki", "https://login.example.com/revoke")
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("no such OAuth connector"),
        "{error}"
    );
    let mut empty = provider.oauth_config();
    empty.client_secret = "".into();
    let error = OAuthBroker::builder("http://[::1]:1/cb")
        .connector("crm", empty)
        .build()
        .unwrap_err();
    assert!(
        error.to_string().contains("client_secret is empty"),
        "{error}"
    );
}
