//! Credentials, as a hostile client presents them: missing, empty, scheme only, wrong scheme,
//! case and whitespace variants, a prefix or an extension of the right token, two headers,
//! 60 KB headers; and configured tokens that must never authenticate anything.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, AccessError, ConnectorService, RunningConnector};

use crate::wire::{addr_of, exchange, post};

const TOKEN: &str = "svc-token-0123456789";

/// A service that counts the searches its handler ran.
async fn counted(access: Access) -> (RunningConnector, Arc<AtomicUsize>) {
    let calls = Arc::new(AtomicUsize::new(0));
    let running = ConnectorService::new(access, {
        let calls = Arc::clone(&calls);
        move |_request, _caller| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok(vec![Document::new().with_title("found")]) }
        }
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    (running, calls)
}

/// The status of a search sent with these header lines; every 401 checked for its shape.
async fn status_with(running: &RunningConnector, headers: &[&str]) -> u16 {
    let answer = exchange(
        addr_of(&running.url()),
        &post("/search", headers, r#"{"query":"x"}"#),
    )
    .await;
    if answer.status == 401 {
        assert!(answer.header("www-authenticate").is_some(), "{answer:?}");
        assert!(!answer.message().is_empty(), "{answer:?}");
    }
    assert!(
        !String::from_utf8_lossy(&answer.raw).contains(TOKEN),
        "{answer:?}"
    );
    answer.status
}

#[tokio::test]
async fn only_the_exact_token_in_one_header_gets_in() {
    let (running, calls) = counted(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let big = format!("Authorization: Bearer {}", "a".repeat(60 * 1024));
    let cases: Vec<(String, u16)> = [
        // Missing, empty, scheme only.
        ("", 401),
        ("Authorization:", 401),
        ("Authorization: ", 401),
        ("Authorization: Bearer", 401),
        ("Authorization: Bearer ", 401),
        // Wrong scheme, or none.
        (&format!("Authorization: Basic {TOKEN}") as &str, 401),
        (&format!("Authorization: Token {TOKEN}"), 401),
        (&format!("Authorization: {TOKEN}"), 401),
        (&format!("Authorization: Bearer:{TOKEN}"), 401),
        // The scheme's case does not matter; the token's does.
        (&format!("Authorization: bearer {TOKEN}"), 200),
        (&format!("Authorization: BEARER {TOKEN}"), 200),
        (&format!("authorization: Bearer {TOKEN}"), 200),
        (
            &format!("Authorization: Bearer {}", TOKEN.to_uppercase()),
            401,
        ),
        // Spaces after the scheme are one separator (RFC 9110); a tab is not; the header's
        // own surrounding whitespace is not part of it.
        (&format!("Authorization: Bearer   {TOKEN}"), 200),
        (&format!("Authorization: Bearer\t{TOKEN}"), 401),
        (&format!("Authorization:    Bearer {TOKEN}   "), 200),
        // A prefix, an extension, more after it.
        (
            &format!("Authorization: Bearer {}", &TOKEN[..TOKEN.len() - 1]),
            401,
        ),
        (&format!("Authorization: Bearer {TOKEN}0"), 401),
        (&format!("Authorization: Bearer {TOKEN} {TOKEN}"), 401),
        (&format!("Authorization: Bearer {TOKEN},"), 401),
        // Huge.
        (&big, 401),
    ]
    .into_iter()
    .map(|(line, status)| (line.to_owned(), status))
    .collect();
    let mut expected_calls = 0;
    for (line, expected) in &cases {
        let lines: Vec<&str> = if line.is_empty() { vec![] } else { vec![line] };
        let status = status_with(&running, &lines).await;
        assert_eq!(status, *expected, "{:?}", &line[..line.len().min(80)]);
        if *expected == 200 {
            expected_calls += 1;
        }
    }
    assert_eq!(calls.load(Ordering::SeqCst), expected_calls);
}

#[tokio::test]
async fn two_authorization_headers_are_refused_whichever_comes_first() {
    let (running, calls) = counted(Access::service(ServiceAuth::bearer(TOKEN)).unwrap()).await;
    let right = format!("Authorization: Bearer {TOKEN}");
    for pair in [
        [right.as_str(), "Authorization: Bearer wrong-token"],
        ["Authorization: Bearer wrong-token", right.as_str()],
        [right.as_str(), right.as_str()],
        [right.as_str(), "Authorization:"],
    ] {
        let answer = exchange(
            addr_of(&running.url()),
            &post("/search", &pair, r#"{"query":"x"}"#),
        )
        .await;
        assert_eq!(answer.status, 401, "{pair:?}");
        assert_eq!(
            answer.message(),
            "send one Authorization header, not several"
        );
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn each_scheme_refuses_its_variants() {
    for (auth, right, wrongs) in [
        (
            ServiceAuth::basic(TOKEN),
            format!("Authorization: Basic {TOKEN}"),
            vec![
                format!("Authorization: Bearer {TOKEN}"),
                format!("Authorization: {TOKEN}"),
                "Authorization: Basic".to_owned(),
            ],
        ),
        (
            ServiceAuth::noscheme(TOKEN),
            format!("Authorization: {TOKEN}"),
            vec![
                format!("Authorization: Bearer {TOKEN}"),
                format!("Authorization: {TOKEN} {TOKEN}"),
                format!("Authorization: {}", &TOKEN[1..]),
                "Authorization:".to_owned(),
            ],
        ),
    ] {
        let (running, _) = counted(Access::service(auth).unwrap()).await;
        assert_eq!(status_with(&running, &[&right]).await, 200, "{right}");
        for wrong in &wrongs {
            assert_eq!(status_with(&running, &[wrong]).await, 401, "{wrong}");
        }
    }
}

#[test]
fn an_empty_or_blank_configured_token_is_refused_when_the_access_is_built() {
    // `env::var("T").unwrap_or_default()` with T unset, or a token file with a newline.
    for token in ["", " ", "\t", "\n", "  \r\n"] {
        for auth in [
            ServiceAuth::bearer(token),
            ServiceAuth::basic(token),
            ServiceAuth::noscheme(token),
        ] {
            let error = Access::service(auth.clone()).unwrap_err();
            assert_eq!(error, AccessError::BlankToken { index: 0 });
            let rotating = Access::service_any([ServiceAuth::bearer(TOKEN), auth]).unwrap_err();
            assert_eq!(rotating, AccessError::BlankToken { index: 1 });
        }
    }
    let error = Access::service(ServiceAuth::bearer(format!("{TOKEN}\n"))).unwrap_err();
    assert_eq!(error, AccessError::UnsendableToken { index: 0 });
    assert!(!format!("{error} {error:?}").contains(TOKEN));
    assert_eq!(
        Access::service_any(Vec::new()).unwrap_err(),
        AccessError::NoTokens
    );
}

#[tokio::test]
async fn a_blank_user_token_never_authenticates() {
    let (running, calls) = counted(Access::user_token()).await;
    for line in [
        "Authorization:",
        "Authorization: Bearer",
        "Authorization: Bearer ",
        "Authorization: Bearer \t",
        "Authorization: Bearer \t ",
        "Authorization: Bearer \tx",
        "Authorization: Bearer a b",
        "Authorization: Basic dXNlcjpwYXNz",
        "Authorization: ya29.token",
    ] {
        assert_eq!(status_with(&running, &[line]).await, 401, "{line:?}");
    }
    assert_eq!(status_with(&running, &[]).await, 401);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(
        status_with(&running, &["Authorization: Bearer ya29.token"]).await,
        200
    );
}
