//! The broker behind the MCP server: each MCP tool call of an OAuth connector carries the
//! current token of the request's user (over HTTP, the user of the bearer token that passed;
//! over a pipe as over stdio, the local user), and a 401 from the connector is one refresh
//! and one more call. Through rmcp's own client, against the emulator's provider and a kit
//! connector that checks each token with it.

use cohere_connectors_migrate::mcp::{BrokerTokens, McpServer};
use cohere_connectors_migrate::oauth::UserId;
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::json;

use super::oauth_setup::{Connector, World, assert_shows_none, secrets_of, user};

const ALICES_MCP_TOKEN: &str = "alices-mcp-bearer-token-0123456789";
const BOBS_MCP_TOKEN: &str = "bobs-mcp-bearer-token-0123456789";

/// A world, its OAuth connector `crm`, and Alice signed in to it.
async fn alice_signed_in() -> (World, Connector) {
    let world = World::default().await;
    let connector = Connector::start(&world.provider).await;
    assert_eq!(world.sign_in("alice").await.status(), 200);
    (world, connector)
}

/// The server of the connector's tool, Alice's and Bob's bearer tokens for their users.
async fn served_over_http(
    world: &World,
    connector: &Connector,
) -> cohere_connectors_kit::server::RunningConnector {
    let users = [user("alice"), user("bob")];
    McpServer::new(connector.toolbox(&world.provider))
        .user_tokens(BrokerTokens::per_bearer_token(world.broker.clone(), users))
        .http([ALICES_MCP_TOKEN, BOBS_MCP_TOKEN])
        .unwrap()
        .bind("127.0.0.1:0")
        .await
        .unwrap()
}

async fn client(url: &str, token: &str) -> RunningService<RoleClient, ()> {
    let config =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).auth_header(token.to_owned());
    let transport = StreamableHttpClientTransport::with_client(reqwest::Client::new(), config);
    ().serve(transport).await.unwrap()
}

async fn search(client: &RunningService<RoleClient, ()>) -> CallToolResult {
    let serde_json::Value::Object(arguments) = json!({"query": "renewals"}) else {
        unreachable!()
    };
    client
        .call_tool(CallToolRequestParams::new("search_crm").with_arguments(arguments))
        .await
        .unwrap()
}

fn text(result: &CallToolResult) -> String {
    result.content[0].as_text().unwrap().text.clone()
}

#[tokio::test]
async fn over_http_each_bearer_token_is_a_user_and_a_call_carries_that_users_token() {
    let (world, connector) = alice_signed_in().await;
    let running = served_over_http(&world, &connector).await;

    let alice = client(&running.url(), ALICES_MCP_TOKEN).await;
    let found = search(&alice).await;
    assert_ne!(found.is_error, Some(true), "{found:?}");
    assert!(
        text(&found).contains("alice's accounts"),
        "{}",
        text(&found)
    );

    // Bob has not signed in: Alice's token is never his, and the connector is not called.
    let bob = client(&running.url(), BOBS_MCP_TOKEN).await;
    let refused = search(&bob).await;
    assert_eq!(refused.is_error, Some(true));
    assert!(text(&refused).contains("sign in"), "{}", text(&refused));
    assert_eq!(connector.calls(), 1);
    assert_shows_none(&text(&refused), &secrets_of(&world, "alice").await);
    running.shutdown().await;
}

#[tokio::test]
async fn a_401_from_the_connector_is_one_refresh_and_one_more_call_with_the_new_token() {
    let (world, connector) = alice_signed_in().await;
    let first = world.stored("alice").await.unwrap();
    // The provider no longer takes the token the broker still thinks good.
    world.provider.expire_access_tokens();
    let running = served_over_http(&world, &connector).await;

    let found = search(&client(&running.url(), ALICES_MCP_TOKEN).await).await;
    assert_ne!(found.is_error, Some(true), "{found:?}");
    assert!(text(&found).contains("alice's accounts"));
    assert_eq!(
        connector.calls(),
        2,
        "the refused call and the one after the refresh"
    );
    assert_eq!(world.grants("refresh_token").len(), 1);
    let renewed = world.stored("alice").await.unwrap();
    assert_ne!(renewed.access_token(), first.access_token());
    running.shutdown().await;
}

#[tokio::test]
async fn a_refused_token_whose_refresh_is_refused_asks_to_sign_in_and_shows_no_secret() {
    let (world, connector) = alice_signed_in().await;
    let secrets = secrets_of(&world, "alice").await;
    world.provider.revoke_all_grants();
    let running = served_over_http(&world, &connector).await;

    let refused = search(&client(&running.url(), ALICES_MCP_TOKEN).await).await;
    assert_eq!(refused.is_error, Some(true));
    assert_eq!(
        connector.calls(),
        1,
        "no token to call it with a second time"
    );
    assert_eq!(
        world.grants("refresh_token").len(),
        1,
        "one refresh, refused"
    );
    assert_shows_none(&text(&refused), &secrets);
    assert!(
        world.stored("alice").await.is_none(),
        "the dead tokens are forgotten"
    );
    running.shutdown().await;
}

#[tokio::test]
async fn over_a_pipe_as_over_stdio_the_local_user_is_the_user() {
    let (world, connector) = alice_signed_in().await;
    let server = McpServer::new(connector.toolbox(&world.provider)).user_tokens(
        BrokerTokens::local(world.broker.clone(), UserId::new("alice").unwrap()),
    );
    let (server_end, client_end) = tokio::io::duplex(64 * 1024);
    let (server_read, server_write) = tokio::io::split(server_end);
    let served = tokio::spawn(server.serve_io(server_read, server_write));
    let (client_read, client_write) = tokio::io::split(client_end);
    let client = ().serve((client_read, client_write)).await.unwrap();

    let found = search(&client).await;
    assert!(
        text(&found).contains("alice's accounts"),
        "{}",
        text(&found)
    );
    client.cancel().await.unwrap();
    served.await.unwrap().unwrap();
}
