//! The broker's flows against the emulator's provider: consent and exchange, refresh before
//! expiry, rotation, a 401 from the connector, `invalid_grant`, revocation and sign-out, and
//! concurrent callers. Each checks what the provider received.

use std::sync::Arc;
use std::time::Duration;

use cohere_connectors_emulator::{
    ClientAuthentication, OAuthProvider, ProviderEndpoint, TokenFault,
};
use cohere_connectors_kit::server::{
    Access, ConnectionLimits, ConnectorService, SearchFailure, serve_connections,
};
use cohere_connectors_migrate::oauth::{
    CallError, ClientAuth, MemoryTokenStore, OAuthBroker, OAuthError, Revocation, SignInReason,
    StoreError, TokenKey, TokenSet, TokenStore, UserId,
};
use cohere_connectors_migrate::{Manifest, Secrets, Toolbox};
use futures_util::future::{BoxFuture, join_all};

use crate::oauth_setup::{
    Connector, World, assert_shows_none, callback_listener, search_call, secrets_of, text_of, user,
};

fn sign_in_reason(error: &OAuthError) -> Option<SignInReason> {
    match error {
        OAuthError::SignInRequired { reason, .. } => Some(*reason),
        _ => None,
    }
}

#[tokio::test]
async fn a_user_consents_and_the_exchange_is_exactly_the_protocol_with_pkce() {
    let world = World::default().await;
    let page = world.sign_in("alice").await;
    assert_eq!(page.status(), 200);
    let body = page.text().await.unwrap();
    assert!(body.contains("You are signed in to crm."), "{body}");

    let requests = world.provider.requests();
    let authorize = &requests[0];
    assert_eq!(authorize.endpoint, ProviderEndpoint::Authorize);
    assert_eq!(authorize.param("response_type"), Some("code"));
    assert_eq!(
        authorize.param("client_id"),
        Some(world.provider.client_id())
    );
    assert_eq!(
        authorize.param("redirect_uri"),
        Some(world.callback.as_str())
    );
    assert_eq!(authorize.param("scope"), Some("read"));
    assert_eq!(authorize.param("code_challenge_method"), Some("S256"));
    assert_eq!(authorize.param("code_challenge").map(str::len), Some(43));
    assert_eq!(authorize.param("state").map(str::len), Some(43), "256 bits");

    let exchange = &world.grants("authorization_code")[0];
    assert_eq!(
        exchange.names(),
        [
            "grant_type",
            "code",
            "code_verifier",
            "client_id",
            "client_secret",
            "redirect_uri"
        ]
    );
    assert_eq!(exchange.client_authentication, ClientAuthentication::Body);
    assert_eq!(
        exchange.param("redirect_uri"),
        Some(world.callback.as_str())
    );
    assert_eq!(
        exchange.param("client_secret"),
        Some(world.provider.client_secret().expose())
    );

    let token = world.broker.token(&user("alice"), "crm").await.unwrap();
    let checker = world.provider.token_checker();
    assert_eq!(checker.subject(token.expose()).as_deref(), Some("alice"));
    assert!(
        world
            .broker
            .is_signed_in(&user("alice"), "crm")
            .await
            .unwrap()
    );

    // Her tokens are hers: Bob, and `Alice`, have none.
    for other in ["bob", "Alice"] {
        let error = world.broker.token(&user(other), "crm").await.unwrap_err();
        assert_eq!(sign_in_reason(&error), Some(SignInReason::NotSignedIn));
        assert_eq!(
            error.to_string(),
            "the user must sign in to `crm`: they are not signed in"
        );
    }
    let secrets = secrets_of(&world, "alice").await;
    assert_shows_none(&format!("{:?}", world.broker), &secrets);
    assert_shows_none(&format!("{:?}", world.stored("alice").await), &secrets);
    assert_shows_none(&body, &secrets);
}

#[tokio::test]
async fn basic_client_authentication_sends_no_secret_in_the_form() {
    let world = World::start(OAuthProvider::start().await.unwrap(), |builder| {
        builder.client_auth("crm", ClientAuth::Basic)
    })
    .await;
    assert_eq!(world.sign_in("alice").await.status(), 200);
    let exchange = &world.grants("authorization_code")[0];
    assert_eq!(exchange.client_authentication, ClientAuthentication::Basic);
    assert_eq!(
        exchange.basic_client_id.as_deref(),
        Some(world.provider.client_id())
    );
    assert_eq!(exchange.param("client_secret"), None);
}

#[tokio::test]
async fn a_token_that_expires_within_the_skew_is_refreshed_before_it_is_handed_out() {
    // Tokens live 100 s; with the default 60 s skew they are handed out as they are...
    let provider = OAuthProvider::builder()
        .access_token_lifetime(Duration::from_secs(100))
        .start()
        .await
        .unwrap();
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    let first = world.broker.token(&user("alice"), "crm").await.unwrap();
    assert_eq!(
        world.broker.token(&user("alice"), "crm").await.unwrap(),
        first
    );
    assert!(world.grants("refresh_token").is_empty());

    // ...and with a 120 s skew each is due at once: refreshed, then handed out.
    let provider = OAuthProvider::builder()
        .access_token_lifetime(Duration::from_secs(100))
        .start()
        .await
        .unwrap();
    let world = World::start(provider, |builder| {
        builder.refresh_skew(Duration::from_secs(120))
    })
    .await;
    world.sign_in("alice").await;
    let exchanged = world.stored("alice").await.unwrap();
    let refreshed = world.broker.token(&user("alice"), "crm").await.unwrap();
    assert_ne!(&refreshed, exchanged.access_token());
    let refreshes = world.grants("refresh_token");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(
        refreshes[0].names(),
        ["grant_type", "refresh_token", "client_id", "client_secret"]
    );
    assert_eq!(
        refreshes[0].param("refresh_token"),
        exchanged.refresh_token().map(|token| token.expose())
    );
    // No new refresh token came: the old one is kept with the new access token.
    let stored = world.stored("alice").await.unwrap();
    assert_eq!(stored.access_token(), &refreshed);
    assert_eq!(stored.refresh_token(), exchanged.refresh_token());
    assert!(
        world
            .provider
            .token_checker()
            .subject(refreshed.expose())
            .is_some()
    );
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_with_its_access_token_and_used_next() {
    let provider = OAuthProvider::builder()
        .rotate_refresh_tokens(true)
        .start()
        .await
        .unwrap();
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    let mut used = Vec::new();
    for _ in 0..3 {
        world.age("alice", -1).await;
        let token = world.broker.token(&user("alice"), "crm").await.unwrap();
        let stored = world.stored("alice").await.unwrap();
        assert_eq!(stored.access_token(), &token);
        used.push(stored.refresh_token().unwrap().expose().to_owned());
        // A provider with reuse detection would have revoked everything otherwise.
        assert!(
            world
                .provider
                .token_checker()
                .subject(token.expose())
                .is_some()
        );
    }
    let sent: Vec<String> = world
        .grants("refresh_token")
        .iter()
        .map(|request| request.param("refresh_token").unwrap().to_owned())
        .collect();
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[1..],
        used[..2],
        "each refresh used the one the last gave"
    );
}

#[tokio::test]
async fn concurrent_callers_of_a_due_token_refresh_once_and_share_the_result() {
    let provider = OAuthProvider::builder()
        .rotate_refresh_tokens(true)
        .start()
        .await
        .unwrap();
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    world.age("alice", -1).await;
    // The refresh is slow, so that every caller arrives while it is under way.
    world
        .provider
        .inject(TokenFault::Latency(Duration::from_millis(300)));
    let alice = user("alice");
    let tokens = join_all((0..20).map(|_| world.broker.token(&alice, "crm"))).await;
    let tokens: Vec<_> = tokens.into_iter().map(Result::unwrap).collect();
    assert_eq!(world.grants("refresh_token").len(), 1);
    assert!(tokens.iter().all(|token| token == &tokens[0]));
    assert!(
        world
            .provider
            .token_checker()
            .subject(tokens[0].expose())
            .is_some()
    );
}

#[tokio::test]
async fn a_401_from_the_connector_refreshes_once_and_calls_it_again() {
    let provider = OAuthProvider::start().await.unwrap();
    let connector = Connector::start(&provider).await;
    let toolbox = connector.toolbox(&provider);
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;

    let (message, error) = world
        .broker
        .call_tool(&toolbox, &search_call("renewals"), &user("alice"))
        .await;
    assert!(error.is_none(), "{error:?}");
    assert!(text_of(&message).contains("alice's accounts"));
    assert_eq!(
        (connector.calls(), world.grants("refresh_token").len()),
        (1, 0)
    );

    // The provider expires the token before the broker thinks it does: the connector refuses.
    world.provider.expire_access_tokens();
    let (message, error) = world
        .broker
        .call_tool(&toolbox, &search_call("renewals"), &user("alice"))
        .await;
    assert!(error.is_none(), "{error:?}");
    assert!(text_of(&message).contains("alice's accounts"));
    assert_eq!(
        (connector.calls(), world.grants("refresh_token").len()),
        (3, 1)
    );

    // Two callers reporting the same refused token: one refresh.
    world.provider.expire_access_tokens();
    let refused = world.broker.token(&user("alice"), "crm").await.unwrap();
    let alice = user("alice");
    let fresh = join_all((0..2).map(|_| world.broker.rejected(&alice, "crm", &refused))).await;
    assert_eq!(world.grants("refresh_token").len(), 2);
    assert_eq!(fresh[0].as_ref().unwrap(), fresh[1].as_ref().unwrap());
}

#[tokio::test]
async fn a_refused_token_whose_refresh_is_refused_means_signing_in_again() {
    let provider = OAuthProvider::start().await.unwrap();
    let connector = Connector::start(&provider).await;
    let toolbox = connector.toolbox(&provider);
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    // Every grant revoked at the provider: the token is refused, and so is the refresh.
    world.provider.revoke_all_grants();
    let (message, error) = world
        .broker
        .call_tool(&toolbox, &search_call("x"), &user("alice"))
        .await;
    let Some(CallError::OAuth(error)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(sign_in_reason(&error), Some(SignInReason::Refused));
    assert!(text_of(&message).contains("the user must sign in to `crm`"));
    assert_eq!(connector.calls(), 1, "not called again without a token");
    assert!(
        !world
            .broker
            .is_signed_in(&user("alice"), "crm")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_connector_that_refuses_even_a_fresh_token_is_called_twice_then_sign_in_is_asked() {
    let world = World::default().await;
    world.sign_in("alice").await;
    let refusing = ConnectorService::new(Access::user_token(), |_, _| async {
        Err::<Vec<cohere_connectors_kit::Document>, _>(SearchFailure::unauthorized("no"))
    })
    .bind("127.0.0.1:0")
    .await
    .unwrap();
    let manifest = Manifest::from_json(
        &serde_json::json!({"version": 1, "connectors": [{
            "id": "crm", "name": "CRM", "url": refusing.url(),
            "oauth": {"client_id": "x", "client_secret": {"value": "y"},
                      "authorize_url": "https://login.example.com/a",
                      "token_url": "https://login.example.com/t"}
        }]})
        .to_string(),
    )
    .unwrap();
    let toolbox = Toolbox::from_manifest(&manifest, &Secrets::none()).unwrap();
    let (message, error) = world
        .broker
        .call_tool(&toolbox, &search_call("x"), &user("alice"))
        .await;
    let Some(CallError::OAuth(error)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(sign_in_reason(&error), Some(SignInReason::Rejected));
    assert!(text_of(&message).contains("the connector refused their token"));
    assert_eq!(
        world.grants("refresh_token").len(),
        1,
        "one refresh, no more"
    );
}

#[tokio::test]
async fn invalid_grant_on_refresh_means_signing_in_again_and_the_tokens_are_forgotten() {
    let world = World::default().await;
    world.sign_in("alice").await;
    let secrets = secrets_of(&world, "alice").await;
    world.age("alice", -1).await;
    world.provider.revoke_all_grants();
    let error = world.broker.token(&user("alice"), "crm").await.unwrap_err();
    assert_eq!(sign_in_reason(&error), Some(SignInReason::Refused));
    assert_eq!(error.connector(), Some("crm"));
    assert_shows_none(&format!("{error} {error:?}"), &secrets);
    assert_eq!(world.stored("alice").await, None);
    // Signing in again works.
    assert_eq!(world.sign_in("alice").await.status(), 200);
    assert!(world.broker.token(&user("alice"), "crm").await.is_ok());
}

#[tokio::test]
async fn without_a_refresh_token_an_expired_or_refused_token_means_signing_in_again() {
    let provider = OAuthProvider::builder()
        .refresh_tokens(false)
        .start()
        .await
        .unwrap();
    let connector = Connector::start(&provider).await;
    let toolbox = connector.toolbox(&provider);
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    assert!(
        world
            .stored("alice")
            .await
            .unwrap()
            .refresh_token()
            .is_none()
    );
    // Due but not expired: still handed out.
    world.age("alice", 30).await;
    assert!(world.broker.token(&user("alice"), "crm").await.is_ok());
    world.age("alice", -1).await;
    let error = world.broker.token(&user("alice"), "crm").await.unwrap_err();
    assert_eq!(sign_in_reason(&error), Some(SignInReason::Expired));

    world.sign_in("alice").await;
    world.provider.expire_access_tokens();
    let (_, error) = world
        .broker
        .call_tool(&toolbox, &search_call("x"), &user("alice"))
        .await;
    let Some(CallError::OAuth(error)) = error else {
        panic!("{error:?}")
    };
    assert_eq!(sign_in_reason(&error), Some(SignInReason::Rejected));
    assert_eq!(world.stored("alice").await, None);
}

#[tokio::test]
async fn while_the_token_endpoint_fails_a_token_not_yet_expired_is_handed_out() {
    let world = World::default().await;
    world.sign_in("alice").await;
    let token = world.stored("alice").await.unwrap().access_token().clone();
    world.age("alice", 30).await; // due (skew 60 s), not expired
    world.provider.inject_always(TokenFault::Status(500));
    for _ in 0..3 {
        assert_eq!(
            world.broker.token(&user("alice"), "crm").await.unwrap(),
            token
        );
    }
    assert_eq!(
        world.grants("refresh_token").len(),
        1,
        "tried once, then not again for a while"
    );
    world.age("alice", -1).await;
    let error = world.broker.token(&user("alice"), "crm").await.unwrap_err();
    assert!(
        matches!(&error, OAuthError::TokenEndpoint { message, .. } if message.contains("500")),
        "{error}"
    );
    assert!(
        world
            .broker
            .is_signed_in(&user("alice"), "crm")
            .await
            .unwrap()
    );
    world.provider.clear_faults();
    assert_ne!(
        world.broker.token(&user("alice"), "crm").await.unwrap(),
        token
    );
}

/// A store whose first `stale` loads return a set read before another process wrote: the
/// view of a second process sharing the store.
struct SeenEarlier {
    shared: Arc<MemoryTokenStore>,
    earlier: TokenSet,
    stale: std::sync::atomic::AtomicUsize,
}

impl TokenStore for SeenEarlier {
    fn load<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        let stale = self
            .stale
            .fetch_update(
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
                |left| left.checked_sub(1),
            )
            .is_ok();
        if stale {
            let earlier = self.earlier.clone();
            return Box::pin(async move { Ok(Some(earlier)) });
        }
        self.shared.load(key)
    }

    fn save<'a>(
        &'a self,
        key: &'a TokenKey,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.shared.save(key, tokens)
    }

    fn remove<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        self.shared.remove(key)
    }

    fn remove_user<'a>(
        &'a self,
        user: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>> {
        self.shared.remove_user(user)
    }
}

#[tokio::test]
async fn another_process_that_refreshed_first_is_not_a_reason_to_sign_in_again() {
    let provider = OAuthProvider::builder()
        .rotate_refresh_tokens(true)
        .reuse_revokes_grant(false)
        .start()
        .await
        .unwrap();
    let world = World::start(provider, |builder| builder).await;
    world.sign_in("alice").await;
    world.age("alice", -1).await;
    let before = world.stored("alice").await.unwrap();
    // The first process refreshes (rotating the refresh token)...
    let first = world.broker.token(&user("alice"), "crm").await.unwrap();
    // ...while the second had read the tokens before, and refreshes with the old one.
    let second = OAuthBroker::builder(world.callback.clone())
        .connector("crm", world.provider.oauth_config())
        .store(SeenEarlier {
            shared: Arc::clone(&world.store),
            earlier: before,
            stale: 2.into(),
        })
        .build()
        .unwrap();
    let token = second.token(&user("alice"), "crm").await.unwrap();
    assert_eq!(token, first, "the first process's tokens, read again");
    assert_eq!(world.grants("refresh_token").len(), 2);
    assert!(world.stored("alice").await.is_some());
}

#[tokio::test]
async fn sign_out_revokes_at_the_provider_then_forgets() {
    let provider = OAuthProvider::start().await.unwrap();
    let revocation = provider.revocation_url();
    let world = World::start(provider, |builder| {
        builder.revocation_url("crm", revocation)
    })
    .await;
    world.sign_in("alice").await;
    world.sign_in("bob").await;
    let tokens = world.stored("alice").await.unwrap();
    let out = world.broker.sign_out(&user("alice"), "crm").await.unwrap();
    assert_eq!(out.revocation, Revocation::Revoked);
    assert!(out.had_tokens);
    let revokes: Vec<_> = world
        .provider
        .requests()
        .into_iter()
        .filter(|request| request.endpoint == ProviderEndpoint::Revoke)
        .collect();
    assert_eq!(revokes.len(), 2);
    assert_eq!(revokes[0].param("token_type_hint"), Some("refresh_token"));
    assert_eq!(
        revokes[0].param("token"),
        tokens.refresh_token().map(|token| token.expose())
    );
    assert_eq!(revokes[1].param("token_type_hint"), Some("access_token"));
    assert_eq!(revokes[0].client_authentication, ClientAuthentication::Body);
    let checker = world.provider.token_checker();
    assert_eq!(checker.subject(tokens.access_token().expose()), None);
    assert!(
        !world
            .broker
            .is_signed_in(&user("alice"), "crm")
            .await
            .unwrap()
    );
    // Bob is untouched.
    let bob = world.broker.token(&user("bob"), "crm").await.unwrap();
    assert!(checker.subject(bob.expose()).is_some());

    // Signing out again: nothing to forget, nothing revoked.
    let again = world.broker.sign_out(&user("alice"), "crm").await.unwrap();
    assert!(!again.had_tokens);
    assert_eq!(again.revocation, Revocation::NotDone);

    // A revocation endpoint that fails: forgotten here all the same, and said.
    world.provider.inject(TokenFault::Status(503));
    let out = world.broker.sign_out(&user("bob"), "crm").await.unwrap();
    assert!(matches!(&out.revocation, Revocation::Failed(message) if message.contains("503")));
    assert!(
        !world
            .broker
            .is_signed_in(&user("bob"), "crm")
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn sign_out_everywhere_forgets_every_connector_and_revokes_where_it_can() {
    let crm = OAuthProvider::start().await.unwrap();
    let wiki = OAuthProvider::start().await.unwrap();
    let (listener, callback) = callback_listener().await;
    let broker = OAuthBroker::builder(&callback)
        .connector("crm", crm.oauth_config())
        .connector("wiki", wiki.oauth_config())
        .revocation_url("wiki", wiki.revocation_url())
        .build()
        .unwrap();
    let server = tokio::spawn(serve_connections(
        listener,
        broker.callback_router(),
        ConnectionLimits::default(),
    ));
    let browser = crate::oauth_setup::browser();
    for (connector, provider) in [("crm", &crm), ("wiki", &wiki)] {
        let sign_in = broker.sign_in(&user("alice"), connector).unwrap();
        let back = provider.consent(sign_in.url()).await.unwrap();
        assert_eq!(browser.get(&back).send().await.unwrap().status(), 200);
    }
    let outs = broker.sign_out_everywhere(&user("alice")).await.unwrap();
    let summary: Vec<_> = outs
        .iter()
        .map(|out| (out.connector.as_str(), out.revocation.clone()))
        .collect();
    assert_eq!(
        summary,
        [("crm", Revocation::NotDone), ("wiki", Revocation::Revoked)]
    );
    for connector in ["crm", "wiki"] {
        assert!(
            !broker
                .is_signed_in(&user("alice"), connector)
                .await
                .unwrap()
        );
    }
    server.abort();
}

#[tokio::test]
async fn a_sign_in_completed_while_a_refresh_is_under_way_is_not_overwritten_by_it() {
    let world = World::default().await;
    world.sign_in("alice").await;
    world.age("alice", -1).await;
    world
        .provider
        .inject(TokenFault::Latency(Duration::from_millis(400)));
    let broker = world.broker.clone();
    let refreshing = tokio::spawn(async move { broker.token(&user("alice"), "crm").await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    // Alice signs in again meanwhile; the refresh ends first (it holds the key).
    assert_eq!(world.sign_in("alice").await.status(), 200);
    let refreshed = refreshing.await.unwrap().unwrap();
    let stored = world.stored("alice").await.unwrap();
    assert_ne!(
        stored.access_token(),
        &refreshed,
        "the sign-in's tokens won"
    );
}

#[tokio::test]
async fn tokens_for_a_toolbox_are_each_users_current_tokens_by_connector_id() {
    let world = World::default().await;
    let connector = Connector::start(&world.provider).await;
    let toolbox = connector.toolbox(&world.provider);
    assert_eq!(world.sign_in("alice").await.status(), 200);
    world.age("alice", -5).await;

    let alices = world.broker.tokens_for(&user("alice"), &toolbox).await;
    assert_eq!(
        world.grants("refresh_token").len(),
        1,
        "the expired one refreshed"
    );
    let current = world.stored("alice").await.unwrap();
    assert_eq!(alices.get("crm"), Some(current.access_token()));
    assert!(alices.missing().is_empty());
    assert_eq!(alices.sign_in_required().count(), 0);

    let bobs = world.broker.tokens_for(&user("bob"), &toolbox).await;
    assert!(bobs.tokens().is_empty(), "never Alice's");
    assert_eq!(bobs.sign_in_required().collect::<Vec<_>>(), ["crm"]);
    assert!(!format!("{bobs:?}").contains(current.access_token().expose()));
    assert!(!format!("{alices:?}").contains(current.access_token().expose()));
}

#[tokio::test]
async fn a_broker_for_one_user_gives_their_token_and_a_new_one_when_it_is_refused() {
    let world = World::default().await;
    let connector = Connector::start(&world.provider).await;
    let toolbox = connector.toolbox(&world.provider);
    let tool = toolbox.get("search_crm").unwrap();
    assert_eq!(world.sign_in("alice").await.status(), 200);

    let alices = world.broker.for_user(user("alice"));
    let first = alices.user_token(tool).await.unwrap();
    let checker = world.provider.token_checker();
    assert_eq!(checker.subject(first.expose()).as_deref(), Some("alice"));
    let renewed = alices.refreshed(tool, &first).await.unwrap();
    assert_ne!(renewed, first);
    assert_eq!(world.grants("refresh_token").len(), 1);
    assert_eq!(alices.user_token(tool).await, Some(renewed.clone()));

    assert_eq!(
        world.broker.for_user(user("bob")).user_token(tool).await,
        None
    );
    assert!(!format!("{alices:?}").contains(renewed.expose()));
}
