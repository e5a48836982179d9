//! Where an OAuth connector's user token comes from, call by call: the loop's one input for
//! per-user credentials (an OAuth broker implements it).

use std::collections::HashMap;

use futures_util::future::BoxFuture;

use crate::ConnectorTool;
use cohere_connectors::Secret;

/// Gives the token of the user a chat runs for, for each call of a tool whose connector
/// uses OAuth ([`ConnectorTool::needs_user_token`]). The loop asks once per such call, and
/// never for another tool; `None` means the user has not signed in to the connector, and
/// the call fails with [`ToolError::NeedsUserToken`](crate::ToolError::NeedsUserToken)
/// (what happens then is the connector's `continue_on_failure`).
///
/// When the connector refuses the token (401 or 403), the loop asks
/// [`refreshed`](Self::refreshed) once for a new one and, given one, calls again with it: a
/// broker refreshes there (the default gives none). The tokens are scrubbed from everything
/// the connector sends back, whatever their length.
///
/// [`UserTokens`] is the simple one: a map from connector id to token, for one user.
///
/// ```
/// use futures_util::future::BoxFuture;
/// use cohere_connectors::Secret;
/// use cohere_connectors_migrate::ConnectorTool;
/// use cohere_connectors_migrate::tool_loop::UserTokenSource;
///
/// /// Asks a token service of one's own, by connector id.
/// struct Broker;
///
/// impl UserTokenSource for Broker {
///     fn user_token<'a>(&'a self, tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
///         Box::pin(async move { Some(Secret::from(format!("token-for-{}", tool.connector_id()))) })
///     }
/// }
/// ```
pub trait UserTokenSource: Send + Sync {
    /// The user's current token for `tool`'s connector, or `None` if they have not signed in.
    fn user_token<'a>(&'a self, tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>>;

    /// A new token after the connector refused `rejected`, or `None` (the default) to let
    /// the refusal stand.
    fn refreshed<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        let _ = (tool, rejected);
        Box::pin(async { None })
    }
}

/// No user tokens: every OAuth connector's call fails with
/// [`ToolError::NeedsUserToken`](crate::ToolError::NeedsUserToken).
#[derive(Clone, Copy, Debug, Default)]
pub struct NoUserTokens;

impl UserTokenSource for NoUserTokens {
    fn user_token<'a>(&'a self, _tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async { None })
    }
}

/// One user's tokens, by connector id ([`ConnectorTool::connector_id`]: the manifest's id).
/// `Debug` shows the connector ids, never a token.
///
/// ```
/// use cohere_connectors_migrate::tool_loop::UserTokens;
///
/// let tokens = UserTokens::new().with("drive", "ya29.user-token");
/// assert!(tokens.has("drive") && !tokens.has("wiki"));
/// assert!(!format!("{tokens:?}").contains("ya29"));
/// ```
#[derive(Clone, Default)]
pub struct UserTokens {
    by_connector: HashMap<String, Secret>,
}

impl UserTokens {
    /// No tokens yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same tokens, with `token` for the connector `connector_id`.
    #[must_use]
    pub fn with(mut self, connector_id: impl Into<String>, token: impl Into<Secret>) -> Self {
        self.insert(connector_id, token);
        self
    }

    /// Sets the token for the connector `connector_id`.
    pub fn insert(&mut self, connector_id: impl Into<String>, token: impl Into<Secret>) {
        self.by_connector.insert(connector_id.into(), token.into());
    }

    /// Whether there is a token for `connector_id`.
    pub fn has(&self, connector_id: &str) -> bool {
        self.by_connector.contains_key(connector_id)
    }
}

impl std::fmt::Debug for UserTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut ids: Vec<&str> = self.by_connector.keys().map(String::as_str).collect();
        ids.sort_unstable();
        f.debug_struct("UserTokens")
            .field("connectors", &ids)
            .finish()
    }
}

impl UserTokenSource for UserTokens {
    fn user_token<'a>(&'a self, tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(async move { self.by_connector.get(tool.connector_id()).cloned() })
    }
}

/// The OAuth broker for one user ([`OAuthBroker::for_user`](crate::oauth::OAuthBroker::for_user))
/// is a token source: each call gets the user's current token, refreshed when due, and a
/// connector's refusal is one refresh.
impl UserTokenSource for crate::oauth::UserBroker {
    fn user_token<'a>(&'a self, tool: &'a ConnectorTool) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(crate::oauth::UserBroker::user_token(self, tool))
    }

    fn refreshed<'a>(
        &'a self,
        tool: &'a ConnectorTool,
        rejected: &'a Secret,
    ) -> BoxFuture<'a, Option<Secret>> {
        Box::pin(crate::oauth::UserBroker::refreshed(self, tool, rejected))
    }
}
