//! Cohere's OAuth round trip on the emulator: authorize, the provider's redirect, the token
//! exchange at the connector's `token_url`, each user's `auth_status`, expiry, and failures.

use cohere_connectors::{AuthStatus, Client, Connector};
use cohere_connectors_emulator::{Emulator, OAuthProvider};
use cohere_connectors_testing::upstream::assert_conforms;

struct Setup {
    emulator: Emulator,
    provider: OAuthProvider,
    alice: Client,
    bob: Client,
    crm: Connector,
}

async fn setup() -> Setup {
    let emulator = Emulator::builder()
        .api_key("alice-key")
        .api_key("bob-key")
        .journal(10_000)
        .start()
        .await
        .unwrap();
    let provider = OAuthProvider::start().await.unwrap();
    let alice = emulator.client().unwrap();
    let bob = emulator
        .client_builder()
        .api_key("bob-key")
        .build()
        .unwrap();
    let crm = alice
        .connectors()
        .create("CRM", "https://crm.example.com/search")
        .oauth(provider.oauth_config())
        .await
        .unwrap();
    Setup {
        emulator,
        provider,
        alice,
        bob,
        crm,
    }
}

async fn status(client: &Client, id: &str) -> Option<AuthStatus> {
    client.connectors().get(id).await.unwrap().auth_status
}

#[tokio::test]
async fn a_user_authorizes_and_only_they_see_valid_until_it_expires() {
    let Setup {
        emulator,
        provider,
        alice,
        bob,
        crm,
    } = setup().await;
    assert_eq!(crm.auth_status, None);

    let redirect = alice
        .connectors()
        .authorize_oauth(&crm.id)
        .after_token_redirect("https://app.example.com/done?tab=1")
        .await
        .unwrap();
    let landed = emulator.complete_oauth(&redirect).await.unwrap();
    assert_eq!(landed, "https://app.example.com/done?tab=1");
    assert_eq!(provider.issued_tokens(), 1);

    assert_eq!(status(&alice, &crm.id).await, Some(AuthStatus::Valid));
    assert_eq!(status(&bob, &crm.id).await, None, "bob has not authorized");
    let listed = alice.connectors().list().await.unwrap();
    assert_eq!(listed.connectors[0].auth_status, Some(AuthStatus::Valid));

    assert!(emulator.expire_oauth_tokens(&crm.id));
    assert_eq!(status(&alice, &crm.id).await, Some(AuthStatus::Expired));

    // Authorizing again makes it valid again.
    let redirect = alice.connectors().authorize_oauth(&crm.id).await.unwrap();
    emulator.complete_oauth(&redirect).await.unwrap();
    assert_eq!(status(&alice, &crm.id).await, Some(AuthStatus::Valid));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn without_an_after_token_redirect_the_callback_answers_itself() {
    let Setup {
        emulator,
        provider: _provider,
        alice,
        crm,
        ..
    } = setup().await;
    let redirect = alice.connectors().authorize_oauth(&crm.id).await.unwrap();
    let landed = emulator.complete_oauth(&redirect).await.unwrap();
    assert!(
        landed.starts_with(&format!(
            "{}/v1/connectors/oauth/token?",
            emulator.base_url()
        )),
        "{landed}"
    );
    assert_eq!(status(&alice, &crm.id).await, Some(AuthStatus::Valid));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn a_refused_exchange_sends_the_user_back_with_an_error() {
    let Setup {
        emulator,
        provider,
        alice,
        crm,
        ..
    } = setup().await;
    provider.refuse_exchanges(true);
    let redirect = alice
        .connectors()
        .authorize_oauth(&crm.id)
        .after_token_redirect("https://app.example.com/done")
        .await
        .unwrap();
    let landed = emulator.complete_oauth(&redirect).await.unwrap();
    assert_eq!(
        landed,
        "https://app.example.com/done?error=token_exchange_refused"
    );
    assert_eq!(status(&alice, &crm.id).await, None);
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn a_state_is_good_once_and_unknown_states_are_refused() {
    let Setup {
        emulator,
        provider: _provider,
        alice,
        crm,
        ..
    } = setup().await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let callback = format!("{}/v1/connectors/oauth/token", emulator.base_url());
    let unknown = http
        .get(format!("{callback}?code=x&state=nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let missing = http.get(&callback).send().await.unwrap();
    assert_eq!(missing.status(), 400);

    let redirect = alice.connectors().authorize_oauth(&crm.id).await.unwrap();
    let to_callback = http.get(&redirect).send().await.unwrap();
    let callback_url = to_callback.headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(http.get(&callback_url).send().await.unwrap().status(), 200);
    let replayed = http.get(&callback_url).send().await.unwrap();
    assert_eq!(replayed.status(), 400, "a state is used once");
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn new_credentials_drop_every_authorization() {
    let Setup {
        emulator,
        provider,
        alice,
        crm,
        ..
    } = setup().await;
    let redirect = alice.connectors().authorize_oauth(&crm.id).await.unwrap();
    emulator.complete_oauth(&redirect).await.unwrap();
    assert_eq!(status(&alice, &crm.id).await, Some(AuthStatus::Valid));
    let updated = alice
        .connectors()
        .update(&crm.id)
        .oauth(provider.oauth_config())
        .await
        .unwrap();
    assert_eq!(updated.auth_status, None);
    assert!(!emulator.expire_oauth_tokens(&crm.id));
    assert_conforms(&emulator.journal());
}

#[tokio::test]
async fn an_after_token_redirect_that_is_not_a_url_is_refused_by_the_emulator_too() {
    let Setup {
        emulator,
        provider: _provider,
        crm,
        ..
    } = setup().await;
    let response = reqwest::Client::new()
        .post(format!(
            "{}/v1/connectors/{}/oauth/authorize?after_token_redirect=javascript:alert(1)",
            emulator.base_url(),
            crm.id
        ))
        .bearer_auth("alice-key")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(!body.to_string().contains("alert"), "{body}");
    assert_conforms(&emulator.journal());
}
