//! Where an OAuth connector's user token comes from, call by call.

use futures_util::future::BoxFuture;
use rmcp::RoleServer;
use rmcp::service::RequestContext;

use crate::ConnectorTool;
use cohere_connectors::Secret;

/// Gives the token of the user behind an MCP request, for a tool whose connector uses OAuth
/// ([`ConnectorTool::needs_user_token`]). The server asks for each call of such a tool and
/// for no other; `None` answers the call with a tool error telling the user to sign in.
///
/// The request is rmcp's: over HTTP,
/// [`request_parts`](cohere_connectors_kit::server::mcp::request_parts) gives its headers
/// and [`caller`](cohere_connectors_kit::server::mcp::caller) who passed the server's
/// bearer check; over stdio there is no HTTP request. A per-user OAuth broker plugs in
/// here.
///
/// ```
/// use futures_util::future::BoxFuture;
/// use cohere_connectors::Secret;
/// use cohere_connectors_migrate::ConnectorTool;
/// use cohere_connectors_migrate::mcp::UserTokens;
/// use rmcp::RoleServer;
/// use rmcp::service::RequestContext;
///
/// /// One user's tokens, by tool name, read at start-up (a desktop client's single user).
/// struct Fixed(std::collections::HashMap<String, Secret>);
///
/// impl UserTokens for Fixed {
///     fn user_token<'a>(
///         &'a self,
///         tool: &'a ConnectorTool,
///         _request: &'a RequestContext<RoleServer>,
///     ) -> BoxFuture<'a, Option<Secret>> {
///         Box::pin(async move { self.0.get(tool.name()).cloned() })
///     }
/// }
/// ```
pub trait UserTokens: Send + Sync + 'static {
    /// The user's token for `tool`, or `None` if they have not signed in to its connector.
    fn user_token<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        request: &'a RequestContext<RoleServer>,
    ) -> BoxFuture<'a, Option<Secret>>;

    /// The connector refused `token` (401) for this request's user: a new token, with which
    /// the server calls it once more, or `None` (the default: the refusal is the answer).
    /// A source that can refresh (an [`OAuthBroker`](crate::oauth::OAuthBroker)'s, through
    /// [`BrokerTokens`](super::BrokerTokens)) refreshes here.
    fn rejected<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        request: &'a RequestContext<RoleServer>,
        token: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        let _ = (tool, request, token);
        Box::pin(async { None })
    }
}
