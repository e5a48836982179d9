//! [`BrokerTokens`]: an [`OAuthBroker`]'s users' tokens for the MCP server's tool calls.

use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use rmcp::RoleServer;
use rmcp::service::RequestContext;

use super::tokens::UserTokens;
use crate::ConnectorTool;
use crate::oauth::{OAuthBroker, UserId};
use cohere_connectors::Secret;
use cohere_connectors_kit::server::Caller;
use cohere_connectors_kit::server::mcp::caller;

/// Who an MCP request is for.
type WhoFn = dyn Fn(&RequestContext<RoleServer>) -> Option<UserId> + Send + Sync;

/// An [`OAuthBroker`] as the [`McpServer`](super::McpServer)'s [`UserTokens`]: each call of
/// an OAuth connector's tool gets the current token of the request's user (refreshed before
/// it expires), and when the connector refuses it (401), the broker refreshes it and the
/// server calls the connector once more.
///
/// Who the request's user is:
/// - [`local`](Self::local): one user for every request, as over stdio (the user who started
///   the server) or a server only its user calls;
/// - [`per_bearer_token`](Self::per_bearer_token): over HTTP, the user whose bearer token
///   passed the server's check (the `i`-th user for the `i`-th token given to
///   [`McpServer::http`](super::McpServer::http));
/// - [`new`](Self::new): a function of the request of your own (a header a gateway sets,
///   say).
///
/// A user who has not signed in (or must sign in again) gets a tool error saying so, naming
/// the connector; the broker's errors are logged, escaped, never with a token.
///
/// ```
/// use cohere_connectors_emulator::OAuthProvider;
/// use cohere_connectors_migrate::mcp::{BrokerTokens, McpServer};
/// use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
/// use cohere_connectors_migrate::Toolbox;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = OAuthProvider::start().await?;
/// let broker = OAuthBroker::builder("http://127.0.0.1:8080/oauth/callback")
///     .connector("crm", provider.oauth_config())
///     .build()?;
/// // Over stdio: the one local user.
/// let stdio = McpServer::new(Toolbox::new())
///     .user_tokens(BrokerTokens::local(broker.clone(), UserId::new("me")?));
/// // Over HTTP: Alice with the first token, Bob with the second.
/// let http = McpServer::new(Toolbox::new())
///     .user_tokens(BrokerTokens::per_bearer_token(broker, [UserId::new("alice")?, UserId::new("bob")?]))
///     .http(["alices-mcp-token-0123456789", "bobs-mcp-token-0123456789"])?;
/// # drop((stdio, http));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct BrokerTokens {
    broker: OAuthBroker,
    who: Arc<WhoFn>,
}

impl BrokerTokens {
    /// The broker's tokens for the user `who` finds for each request (`None`: no user, the
    /// call is answered that the user must sign in).
    pub fn new(
        broker: OAuthBroker,
        who: impl Fn(&RequestContext<RoleServer>) -> Option<UserId> + Send + Sync + 'static,
    ) -> Self {
        Self {
            broker,
            who: Arc::new(who),
        }
    }

    /// The broker's tokens for `user`, whoever sends the request.
    pub fn local(broker: OAuthBroker, user: UserId) -> Self {
        Self::new(broker, move |_| Some(user.clone()))
    }

    /// The broker's tokens for the user of the bearer token the request passed the server's
    /// check with: the `i`-th of `users` for the `i`-th token. A request that came in no
    /// other way (stdio) has no user.
    pub fn per_bearer_token(broker: OAuthBroker, users: impl IntoIterator<Item = UserId>) -> Self {
        let users: Vec<UserId> = users.into_iter().collect();
        Self::new(broker, move |request| match caller(request)? {
            Caller::Service { token_index } => users.get(*token_index).cloned(),
            _ => None,
        })
    }

    /// The broker.
    pub fn broker(&self) -> &OAuthBroker {
        &self.broker
    }
}

impl UserTokens for BrokerTokens {
    fn user_token<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        request: &'a RequestContext<RoleServer>,
    ) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move {
            let user = (self.who)(request)?;
            self.broker.for_user(user).user_token(tool).await
        })
    }

    fn rejected<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        request: &'a RequestContext<RoleServer>,
        token: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move {
            let user = (self.who)(request)?;
            self.broker.for_user(user).refreshed(tool, token).await
        })
    }
}

impl fmt::Debug for BrokerTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BrokerTokens")
            .field("broker", &self.broker)
            .finish_non_exhaustive()
    }
}
