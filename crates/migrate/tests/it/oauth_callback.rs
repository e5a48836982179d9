//! The callback route as a hostile browser tries it: forged, expired and replayed `state`s, a
//! code carried into another user's sign-in, huge and malformed parameters, the provider's
//! `error=`, HTML in parameters, methods, paths, and the route inside an application of its
//! own. Nothing refused is ever exchanged, and nothing reflected is unescaped.

use std::time::Duration;

use axum::http::header;
use cohere_connectors_emulator::{OAuthProvider, ProviderEndpoint};
use cohere_connectors_migrate::oauth::UserId;

use crate::oauth_setup::{World, assert_shows_none, secrets_of, user};

/// The parts of a URL's query, in order.
fn query(url: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect()
}

fn value(url: &str, name: &str) -> String {
    query(url)
        .into_iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value)
        .unwrap()
}

/// The callback URL with this raw query.
fn callback_with(world: &World, raw_query: &str) -> String {
    format!("{}?{raw_query}", world.callback)
}

impl World {
    fn exchanges(&self) -> usize {
        self.provider
            .requests()
            .iter()
            .filter(|request| request.endpoint == ProviderEndpoint::Token)
            .count()
    }

    async fn get(&self, url: &str) -> (u16, String) {
        let response = self.browser.get(url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

#[tokio::test]
async fn a_forged_state_is_refused_without_an_exchange() {
    let world = World::default().await;
    let back = world.consent("alice").await;
    let code = value(&back, "code");
    let (status, page) = world
        .get(&callback_with(&world, &format!("code={code}&state=forged")))
        .await;
    assert_eq!(status, 400);
    assert!(
        page.contains("unknown, expired or already completed"),
        "{page}"
    );
    assert!(!page.contains(&code));
    let (status, _) = world
        .get(&callback_with(&world, &format!("code={code}")))
        .await;
    assert_eq!(status, 400, "no state at all");
    assert_eq!(world.exchanges(), 0);
    // The real callback still works.
    assert_eq!(world.get(&back).await.0, 200);
}

#[tokio::test]
async fn an_expired_state_is_refused_without_an_exchange() {
    let world = World::start(OAuthProvider::start().await.unwrap(), |builder| {
        builder.sign_in_lifetime(Duration::ZERO)
    })
    .await;
    let back = world.consent("alice").await;
    assert_eq!(world.get(&back).await.0, 400);
    assert_eq!(world.exchanges(), 0);
}

#[tokio::test]
async fn a_replayed_callback_is_refused_and_exchanges_nothing_more() {
    let world = World::default().await;
    let back = world.consent("alice").await;
    assert_eq!(world.get(&back).await.0, 200);
    let first = world.stored("alice").await.unwrap();
    let (status, page) = world.get(&back).await;
    assert_eq!(status, 400, "{page}");
    assert_eq!(world.exchanges(), 1);
    assert_eq!(world.stored("alice").await.unwrap(), first);
    // Two at once: one wins, one is refused.
    let back = world.consent("bob").await;
    let (a, b) = tokio::join!(world.get(&back), world.get(&back));
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 400]);
    assert_eq!(world.exchanges(), 2);
}

#[tokio::test]
async fn a_code_carried_into_another_users_sign_in_fails_its_pkce_check() {
    let world = World::default().await;
    let alice_back = world.consent("alice").await;
    let bob_back = world.consent("bob").await;
    // Alice's code with Bob's state: exchanged with Bob's verifier, which is not its.
    let forged = callback_with(
        &world,
        &format!(
            "code={}&state={}",
            value(&alice_back, "code"),
            value(&bob_back, "state")
        ),
    );
    let (status, page) = world.get(&forged).await;
    assert_eq!(status, 502, "{page}");
    assert!(page.contains("refused the code"), "{page}");
    assert_eq!(world.stored("bob").await, None);
    assert_eq!(world.stored("alice").await, None);
    // Alice's own callback still completes hers; Bob's state is used up.
    assert_eq!(world.get(&alice_back).await.0, 200);
    let token = world.broker.token(&user("alice"), "crm").await.unwrap();
    assert_eq!(
        world
            .provider
            .token_checker()
            .subject(token.expose())
            .as_deref(),
        Some("alice")
    );
    assert_eq!(world.get(&bob_back).await.0, 400);
}

#[tokio::test]
async fn a_callback_from_another_users_browser_is_refused_when_the_route_knows_its_users() {
    let world = World::start_routed(
        OAuthProvider::start().await.unwrap(),
        |builder| builder,
        |broker| {
            broker
                .callback()
                .user_from(|request| {
                    let name = request.headers.get("x-user")?.to_str().ok()?;
                    UserId::new(name).ok()
                })
                .router()
        },
    )
    .await;
    let back = world.consent("alice").await;
    let as_user = |name: Option<&str>| {
        let mut request = world.browser.get(&back);
        if let Some(name) = name {
            request = request.header("x-user", name);
        }
        request.send()
    };
    // Nobody signed in to the application: refused, and the sign-in still waits.
    let anonymous = as_user(None).await.unwrap();
    assert_eq!(anonymous.status(), 403);
    assert_eq!(as_user(Some("alice")).await.unwrap().status(), 200);

    // Bob following Alice's link: refused, nothing exchanged, and her sign-in is void.
    let back = world.consent("alice").await;
    let exchanges = world.exchanges();
    let mallory = world
        .browser
        .get(&back)
        .header("x-user", "bob")
        .send()
        .await
        .unwrap();
    assert_eq!(mallory.status(), 403);
    assert!(mallory.text().await.unwrap().contains("another user"));
    assert_eq!(world.exchanges(), exchanges);
    assert_eq!(world.stored("bob").await, None);
    let late = world
        .browser
        .get(&back)
        .header("x-user", "alice")
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 400);
}

#[tokio::test]
async fn huge_repeated_and_malformed_parameters_are_refused_without_an_exchange() {
    let world = World::default().await;
    let back = world.consent("alice").await;
    let (code, state) = (value(&back, "code"), value(&back, "state"));
    let cases = [
        format!("code={code}&state={state}&pad={}", "x".repeat(17 * 1024)),
        format!("code={code}&state={state}{}", "s".repeat(300)),
        format!("code={}&state={state}", "c".repeat(9 * 1024)),
        format!("code={code}&state={state}&state={state}"),
        format!("code={code}&code={code}&state={state}"),
        format!("code={code}&state={state}&error=x&error=y"),
        format!(
            "code={code}&state={state}&error_description={}",
            "d".repeat(3000)
        ),
    ];
    for case in &cases {
        let (status, page) = world.get(&callback_with(&world, case)).await;
        assert_eq!(status, 400, "{}: {page}", &case[..60.min(case.len())]);
        assert!(page.contains("malformed"), "{page}");
    }
    // Bytes that are not UTF-8 or not valid escapes: a state that matches nothing.
    for case in [
        "code=%ff%fe&state=%zz",
        "state=%00%1b%5B31m&code=x",
        "state=&code=",
    ] {
        let (status, _) = world.get(&callback_with(&world, case)).await;
        assert_eq!(status, 400, "{case}");
    }
    assert_eq!(world.exchanges(), 0);
    assert_eq!(
        world.get(&back).await.0,
        200,
        "none of them used the state up"
    );
}

#[tokio::test]
async fn the_providers_error_ends_the_sign_in_without_an_exchange_and_is_shown_escaped() {
    let world = World::default().await;
    world.provider.deny_consent(true);
    let back = world.consent("alice").await;
    assert_eq!(value(&back, "error"), "access_denied");
    let (status, page) = world.get(&back).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("did not authorize the user: access_denied"),
        "{page}"
    );
    assert_eq!(world.exchanges(), 0);
    assert_eq!(world.get(&back).await.0, 400, "the state is used up");

    // Script in what the provider (or someone) sends back: shown as text, never as HTML.
    world.provider.deny_consent(false);
    let back = world.consent("alice").await;
    let state = value(&back, "state");
    let hostile = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("state", &state)
        .append_pair("error", "<script>alert(1)</script>")
        .append_pair(
            "error_description",
            "<img src=x onerror=alert(2)>\u{1b}[31m\u{202e}",
        )
        .finish();
    let response = world
        .browser
        .get(callback_with(&world, &hostile))
        .send()
        .await
        .unwrap();
    let headers = response.headers().clone();
    let page = response.text().await.unwrap();
    assert!(
        !page.contains("<script>") && !page.contains("<img"),
        "{page}"
    );
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(
        !page.contains('\u{1b}') && !page.contains('\u{202e}'),
        "{page}"
    );
    assert!(page.contains("\\u{1b}"), "{page}");
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    assert_eq!(
        headers[header::CONTENT_SECURITY_POLICY],
        "default-src 'none'; frame-ancestors 'none'"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(headers[header::REFERRER_POLICY], "no-referrer");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    // A forged state carrying script: nothing of it is reflected.
    let (_, page) = world
        .get(&callback_with(&world, "state=%3Cscript%3E&code=%3Cb%3E"))
        .await;
    assert!(!page.contains("<script") && !page.contains("<b>"), "{page}");
}

#[tokio::test]
async fn only_get_on_the_exact_path_acts_and_head_uses_nothing_up() {
    let world = World::default().await;
    let back = world.consent("alice").await;
    let head = world.browser.head(&back).send().await.unwrap();
    assert_eq!(head.status(), 405);
    assert_eq!(head.headers()[header::ALLOW], "GET");
    for method in [
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::OPTIONS,
    ] {
        let response = world
            .browser
            .request(method.clone(), &back)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method}");
    }
    let query = back.split_once('?').unwrap().1;
    let base = world.callback.trim_end_matches("/oauth/callback");
    for path in [
        "/oauth/callback/",
        "//oauth/callback",
        "/OAUTH/callback",
        "/oauth%2Fcallback",
        "/oauth/callback/x",
        "/oauth",
    ] {
        let (status, _) = world.get(&format!("{base}{path}?{query}")).await;
        assert_eq!(status, 404, "{path}");
    }
    assert_eq!(world.exchanges(), 0);
    assert_eq!(world.get(&back).await.0, 200);
}

#[tokio::test]
async fn merged_into_an_application_with_its_own_fallback_and_layers_the_route_still_works() {
    let world = World::start_routed(
        OAuthProvider::start().await.unwrap(),
        |builder| builder,
        |broker| {
            axum::Router::new()
                .route("/", axum::routing::get(|| async { "home" }))
                .merge(broker.callback_router())
                .fallback(|| async { (axum::http::StatusCode::NOT_FOUND, "the app's own 404") })
                .layer(axum::middleware::map_response(stamp))
        },
    )
    .await;
    let signed_in = world.sign_in("alice").await;
    assert_eq!(signed_in.status(), 200);
    assert_eq!(
        signed_in.headers()["x-app"],
        "1",
        "the application's layer ran"
    );
    assert!(world.broker.token(&user("alice"), "crm").await.is_ok());
    let base = world.callback.trim_end_matches("/oauth/callback");
    let (status, page) = world.get(&format!("{base}/elsewhere")).await;
    assert_eq!((status, page.as_str()), (404, "the app's own 404"));
    assert_eq!(world.get(&format!("{base}/")).await.1, "home");
}

/// A layer of the application's own: it stamps every answer.
async fn stamp(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .insert("x-app", axum::http::HeaderValue::from_static("1"));
    response
}

#[tokio::test]
async fn a_configured_page_after_sign_in_gets_the_outcome_and_never_a_secret() {
    let world = World::start_routed(
        OAuthProvider::start().await.unwrap(),
        |builder| builder,
        |broker| {
            broker
                .callback()
                .redirect_to("https://app.example.com/settings?tab=connections")
                .unwrap()
                .router()
        },
    )
    .await;
    let response = world.sign_in("alice").await;
    assert_eq!(response.status(), 303);
    let location = response.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        location,
        "https://app.example.com/settings?tab=connections&oauth=signed_in&connector=crm"
    );
    assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
    assert_shows_none(&location, &secrets_of(&world, "alice").await);

    let refused = world
        .browser
        .get(callback_with(&world, "state=forged&code=c"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 303);
    assert_eq!(
        refused.headers()[header::LOCATION],
        "https://app.example.com/settings?tab=connections&oauth=error&error=unknown_state"
    );
    world.provider.deny_consent(true);
    let denied = world.sign_in("alice").await;
    assert_eq!(
        denied.headers()[header::LOCATION],
        "https://app.example.com/settings?tab=connections&oauth=error&error=access_denied&connector=crm"
    );
    for bad in ["javascript:alert(1)", "/relative", "data:text/html,x"] {
        assert!(world.broker.callback().redirect_to(bad).is_err(), "{bad}");
    }
}
