//! Per-user OAuth after Cohere, offline, in one command:
//!
//! ```sh
//! cargo run -p cohere-connectors-examples --example oauth_connector
//! ```
//!
//! 1. An OAuth connector (the handbook, served with the kit with `Access::user_token()`)
//!    that checks each bearer token with its provider (the emulator's), as an OAuth data
//!    source does.
//! 2. The connector as a manifest holds it (an export of the account), a toolbox of its
//!    tools, and an [`OAuthBroker`] over its OAuth settings, whose callback is served.
//! 3. A tool call for Alice before she signs in: the model is told she must sign in.
//! 4. Alice signs in: her browser (played here, as the emulator's `complete_oauth` plays
//!    it) goes through the provider's consent screen and back to the callback.
//! 5. The tool call again, with her token: her documents.
//! 6. Her token expires; the next tool call refreshes it first, and the connector never
//!    sees the expired one.
//! 7. Alice signs out: her tokens are revoked at the provider and forgotten.
//!
//! The tool calls are what a Chat v2 response carries; `answer` is the step a chat loop
//! runs for each of them.

use std::error::Error;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Parser;
use cohere_connectors_emulator::OAuthProvider;
use cohere_connectors_examples::handbook::{Handbook, RESULTS};
use cohere_connectors_kit::server::{
    Access, ConnectionLimits, ConnectorService, SearchFailure, serve_connections,
};
use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
use cohere_connectors_migrate::{Manifest, Secrets, ToolCall, ToolContent, Toolbox};
use tokio::net::TcpListener;

/// Per-user OAuth after Cohere, offline: an OAuth connector, a user who signs in, tool calls
/// with her token, the token refreshed when it expires, and sign-out.
#[derive(Parser)]
#[command(name = "oauth_connector")]
struct Args {}

/// How long the provider's access tokens live here: short, to see one expire.
const TOKEN_LIFETIME: Duration = Duration::from_secs(2);

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    Args::parse();
    // 1. The provider, and the connector that trusts its tokens.
    let provider = OAuthProvider::builder()
        .access_token_lifetime(TOKEN_LIFETIME)
        .rotate_refresh_tokens(true)
        .start()
        .await?;
    let checker = provider.token_checker();
    let handbook = Arc::new(Handbook::bundled());
    let searches = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&searches);
    let connector = ConnectorService::new(Access::user_token(), move |request, caller| {
        let (checker, handbook) = (checker.clone(), Arc::clone(&handbook));
        counted.fetch_add(1, Ordering::SeqCst);
        async move {
            let token = caller
                .user_token()
                .ok_or_else(|| SearchFailure::unauthorized("sign in"))?;
            let Some(user) = checker.subject(token.expose()) else {
                return Err(SearchFailure::unauthorized(
                    "the token is expired or revoked",
                ));
            };
            let documents = handbook.search(&request.query, RESULTS);
            Ok(documents
                .into_iter()
                .map(|document| document.with("visible_to", user.clone()))
                .collect())
        }
    })
    .bind("127.0.0.1:0")
    .await?;

    // 2. The connector as an export writes it, the secret filled in; the tools; the broker.
    let manifest = Manifest::from_json(
        &serde_json::json!({"version": 1, "connectors": [{
            "id": "handbook", "name": "Handbook", "url": connector.url(),
            "description": "The staff handbook, as each employee may read it",
            "oauth": {
                "client_id": provider.client_id(),
                "client_secret": {"env": "CONNECTOR_HANDBOOK_OAUTH_CLIENT_SECRET"},
                "authorize_url": provider.authorize_url(),
                "token_url": provider.token_url(),
                "scope": "read"
            }
        }]})
        .to_string(),
    )?;
    let secrets = Secrets::from_env().with(
        "CONNECTOR_HANDBOOK_OAUTH_CLIENT_SECRET",
        provider.client_secret().clone(),
    );
    let toolbox = Toolbox::from_manifest(&manifest, &secrets)?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let callback = format!("http://{}/oauth/callback", listener.local_addr()?);
    let broker = OAuthBroker::builder(&callback)
        .manifest(&manifest, &secrets)?
        // The manifest has no revocation endpoint (Cohere's API had none): given here.
        .revocation_url("handbook", provider.revocation_url())
        // Refreshed once it has less than a second left.
        .refresh_skew(Duration::from_secs(1))
        .build()?;
    tokio::spawn(serve_connections(
        listener,
        broker.callback_router(),
        ConnectionLimits::default(),
    ));
    println!(
        "== 1. An OAuth connector at {}, its callback at {callback}",
        connector.url()
    );

    // 3. Before signing in.
    let alice = UserId::new("alice")?;
    let call = tool_call_from_the_model("Can I expense a taxi home late at night?");
    println!("\n== 2. A tool call for Alice before she signs in");
    answer(&broker, &toolbox, &alice, &call).await;

    // 4. Signing in.
    let sign_in = broker.sign_in(&alice, "handbook")?;
    println!(
        "\n== 3. Alice signs in: her browser goes to {}?…",
        sign_in.url().split('?').next().unwrap_or_default()
    );
    let back = provider.sign_in_as(sign_in.url(), "alice").await?;
    println!(
        "   and comes back to {}?…, which answered her a page",
        back.split('?').next().unwrap_or_default()
    );

    // 5. With her token.
    println!("\n== 4. The tool call with her token");
    answer(&broker, &toolbox, &alice, &call).await;
    let first = broker.token(&alice, "handbook").await?;

    // 6. Expired, refreshed.
    tokio::time::sleep(TOKEN_LIFETIME + Duration::from_millis(200)).await;
    println!(
        "\n== 5. Her token has expired (the provider refuses it: {}): the next call refreshes it first",
        provider.token_checker().subject(first.expose()).is_none()
    );
    let before = searches.load(Ordering::SeqCst);
    answer(&broker, &toolbox, &alice, &call).await;
    let refreshed = broker.token(&alice, "handbook").await?;
    println!(
        "   a new token: {}; searches of the connector for this call: {} (it never saw the expired token)",
        refreshed != first,
        searches.load(Ordering::SeqCst).saturating_sub(before)
    );

    // 7. Signing out.
    let out = broker.sign_out(&alice, "handbook").await?;
    println!(
        "\n== 6. Alice signs out: {:?}; her token still good at the provider: {}",
        out.revocation,
        provider
            .token_checker()
            .subject(refreshed.expose())
            .is_some()
    );
    answer(&broker, &toolbox, &alice, &call).await;
    connector.shutdown().await;
    Ok(())
}

/// The tool call a Chat v2 response would carry for `question`.
fn tool_call_from_the_model(question: &str) -> ToolCall {
    ToolCall::new(
        "call_1",
        "search_handbook",
        &serde_json::json!({ "query": question }),
    )
}

/// Runs `call` for `user` and prints what the model would be given.
async fn answer(broker: &OAuthBroker, toolbox: &Toolbox, user: &UserId, call: &ToolCall) {
    let (message, error) = broker.call_tool(toolbox, call, user).await;
    for block in &message.content {
        match block {
            ToolContent::Document { document } => println!(
                "   document {}: {} (for {})",
                document.id.as_deref().unwrap_or_default(),
                document
                    .data
                    .get("title")
                    .and_then(|title| title.as_str())
                    .unwrap_or_default(),
                document
                    .data
                    .get("visible_to")
                    .and_then(|user| user.as_str())
                    .unwrap_or_default(),
            ),
            ToolContent::Text { text } => println!("   the model is told: {text}"),
            _ => {}
        }
    }
    if let Some(error) = error {
        println!("   (and the application: {error})");
    }
}
