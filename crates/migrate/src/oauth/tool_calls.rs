//! Tool calls for a user: the token per call, and one refresh when the connector refuses it.
//! [`TokenSource`] is the seam a tool loop takes a user's tokens through; [`OAuthBroker`] is
//! one. (The MCP server's seam is [`mcp::UserTokens`](crate::mcp::UserTokens), keyed by the
//! request rather than the user; [`mcp::BrokerTokens`](crate::mcp::BrokerTokens) puts a
//! broker behind it.)

use std::collections::HashMap;

use futures_util::future::BoxFuture;

use super::broker::OAuthBroker;
use super::error::{OAuthError, SignInReason};
use super::user::UserId;
use crate::{ConnectorTool, ToolCall, ToolError, ToolMessage, Toolbox};
use cohere_connectors::Secret;
use cohere_connectors::text::escape;
use cohere_connectors_kit::SearchError;

/// Where a user's token for a connector comes from, call by call: what a tool loop needs
/// to call OAuth connectors for a user. [`OAuthBroker`] implements it; so can a source of
/// your own (tokens your application already holds, say).
///
/// ```
/// use futures_util::future::BoxFuture;
/// use cohere_connectors::Secret;
/// use cohere_connectors_migrate::oauth::{OAuthError, SignInReason, UserId, TokenSource};
///
/// /// Tokens the application got elsewhere, and cannot refresh.
/// struct Fixed(Secret);
///
/// impl TokenSource for Fixed {
///     fn token<'a>(&'a self, _: &'a UserId, _: &'a str) -> BoxFuture<'a, Result<Secret, OAuthError>> {
///         Box::pin(async move { Ok(self.0.clone()) })
///     }
///
///     fn rejected<'a>(&'a self, _: &'a UserId, connector: &'a str, _: &'a Secret) -> BoxFuture<'a, Result<Secret, OAuthError>> {
///         Box::pin(async move {
///             Err(OAuthError::SignInRequired { connector: connector.into(), reason: SignInReason::Rejected })
///         })
///     }
/// }
/// ```
pub trait TokenSource: Send + Sync {
    /// `user`'s current access token for `connector`.
    fn token<'a>(
        &'a self,
        user: &'a UserId,
        connector: &'a str,
    ) -> BoxFuture<'a, Result<Secret, OAuthError>>;

    /// The connector refused `token` (401): a new one, or why there is none.
    fn rejected<'a>(
        &'a self,
        user: &'a UserId,
        connector: &'a str,
        token: &'a Secret,
    ) -> BoxFuture<'a, Result<Secret, OAuthError>>;
}

impl TokenSource for OAuthBroker {
    fn token<'a>(
        &'a self,
        user: &'a UserId,
        connector: &'a str,
    ) -> BoxFuture<'a, Result<Secret, OAuthError>> {
        Box::pin(OAuthBroker::token(self, user, connector))
    }

    fn rejected<'a>(
        &'a self,
        user: &'a UserId,
        connector: &'a str,
        token: &'a Secret,
    ) -> BoxFuture<'a, Result<Secret, OAuthError>> {
        Box::pin(OAuthBroker::rejected(self, user, connector, token))
    }
}

/// Why a tool call for a user was not answered with documents.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CallError {
    /// The tool failed (as [`Toolbox::call`] reports it).
    #[error(transparent)]
    Tool(ToolError),
    /// The user's token could not be had: most often, they must sign in
    /// ([`OAuthError::is_sign_in_required`]).
    #[error(transparent)]
    OAuth(OAuthError),
}

/// Answers `call` with the tool it names, for `user`: an OAuth connector's tool gets the
/// user's token from `tokens`, and when the connector refuses it (401), one new token
/// ([`TokenSource::rejected`]) and one more try. Other tools are called as
/// [`Toolbox::call`] calls them. As there, a failure is answered too, as a tool message
/// the model can read (for a user who must sign in: that they must, naming the connector,
/// never a token), and returned beside it.
///
/// ```
/// use cohere_connectors_emulator::OAuthProvider;
/// use cohere_connectors_migrate::oauth::{CallError, OAuthBroker, UserId, call_for_user};
/// use cohere_connectors_migrate::{Manifest, Secrets, ToolCall, Toolbox};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let provider = OAuthProvider::start().await?;
/// let manifest = Manifest::from_json(&serde_json::json!({"version": 1, "connectors": [{
///     "id": "crm", "name": "CRM", "url": "http://127.0.0.1:9/search",
///     "oauth": {"client_id": provider.client_id(), "client_secret": {"env": "CRM_SECRET"},
///               "authorize_url": provider.authorize_url(), "token_url": provider.token_url()}
/// }]}).to_string())?;
/// let secrets = Secrets::none().with("CRM_SECRET", provider.client_secret().clone());
/// let toolbox = Toolbox::from_manifest(&manifest, &secrets)?;
/// let broker = OAuthBroker::builder("http://127.0.0.1:8080/oauth/callback")
///     .manifest(&manifest, &secrets)?
///     .build()?;
///
/// let call = ToolCall::new("call_1", "search_crm", &serde_json::json!({"query": "renewals"}));
/// let (message, error) = call_for_user(&broker, &toolbox, &call, &UserId::new("alice")?).await;
/// assert!(matches!(error, Some(CallError::OAuth(error)) if error.is_sign_in_required()));
/// assert!(serde_json::to_string(&message)?.contains("must sign in to `crm`"));
/// # Ok(()) }
/// ```
pub async fn call_for_user<T: TokenSource + ?Sized>(
    tokens: &T,
    toolbox: &Toolbox,
    call: &ToolCall,
    user: &UserId,
) -> (ToolMessage, Option<CallError>) {
    let tool = toolbox
        .get(call.name().unwrap_or_default())
        .filter(|tool| tool.needs_user_token());
    let Some(tool) = tool else {
        let (message, error) = toolbox.call(call, None).await;
        return (message, error.map(CallError::Tool));
    };
    let connector = tool.connector_id();
    let token = match tokens.token(user, connector).await {
        Ok(token) => token,
        Err(error) => return told(call, error),
    };
    let (message, error) = toolbox.call(call, Some(&token)).await;
    if !refused(error.as_ref()) {
        return (message, error.map(CallError::Tool));
    }
    let token = match tokens.rejected(user, connector, &token).await {
        Ok(token) => token,
        Err(error) => return told(call, error),
    };
    let (message, error) = toolbox.call(call, Some(&token)).await;
    if refused(error.as_ref()) {
        return told(call, OAuthError::sign_in(connector, SignInReason::Rejected));
    }
    (message, error.map(CallError::Tool))
}

impl OAuthBroker {
    /// [`call_for_user`] with this broker's tokens.
    pub async fn call_tool(
        &self,
        toolbox: &Toolbox,
        call: &ToolCall,
        user: &UserId,
    ) -> (ToolMessage, Option<CallError>) {
        call_for_user(self, toolbox, call, user).await
    }
}

/// Whether the connector refused the token: a 401, which a new token can cure (a 403 is
/// the user's rights, which it cannot).
pub(crate) fn refused(error: Option<&ToolError>) -> bool {
    matches!(
        error,
        Some(ToolError::Search(SearchError::Unauthorized {
            status: 401,
            ..
        }))
    )
}

/// The call answered with what the model must know of `error`.
fn told(call: &ToolCall, error: OAuthError) -> (ToolMessage, Option<CallError>) {
    let message = ToolMessage::error(call.id.clone(), &escape(&error.to_string()));
    (message, Some(CallError::OAuth(error)))
}

/// One user's tokens for the OAuth tools of a toolbox, by connector id, taken at once:
/// [`OAuthBroker::tokens_for`]. For a tool loop that takes a map of tokens per call.
#[derive(Debug, Default)]
pub struct ToolTokens {
    tokens: HashMap<String, Secret>,
    missing: Vec<(String, OAuthError)>,
}

impl ToolTokens {
    /// The tokens by connector id ([`ConnectorTool::connector_id`]): one for each OAuth
    /// connector whose token could be had.
    pub fn tokens(&self) -> &HashMap<String, Secret> {
        &self.tokens
    }

    /// The tokens by connector id, owned.
    pub fn into_tokens(self) -> HashMap<String, Secret> {
        self.tokens
    }

    /// The token for the connector `connector`.
    pub fn get(&self, connector: &str) -> Option<&Secret> {
        self.tokens.get(connector)
    }

    /// The OAuth connectors with no token, by id, with why (most often
    /// [`OAuthError::is_sign_in_required`]).
    pub fn missing(&self) -> &[(String, OAuthError)] {
        &self.missing
    }

    /// The connectors the user must sign in to (again) before their tools can be called:
    /// start each with [`OAuthBroker::sign_in`].
    pub fn sign_in_required(&self) -> impl Iterator<Item = &str> {
        self.missing
            .iter()
            .filter(|(_, error)| error.is_sign_in_required())
            .map(|(connector, _)| connector.as_str())
    }
}

/// An [`OAuthBroker`] for one user ([`OAuthBroker::for_user`]): the token of each tool's
/// connector, call by call, and a new one when the connector refuses it. What a tool loop
/// that runs for one user takes as its token source; a failure to get a token is logged
/// (escaped, never a token) and answered `None`, which the loop reports as the user having
/// to sign in.
#[derive(Clone, Debug)]
pub struct UserBroker {
    broker: OAuthBroker,
    user: UserId,
}

impl UserBroker {
    /// The user.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The broker.
    pub fn broker(&self) -> &OAuthBroker {
        &self.broker
    }

    /// The user's current token for `tool`'s connector ([`OAuthBroker::token`]), or `None`.
    pub async fn user_token(&self, tool: &ConnectorTool) -> Option<Secret> {
        let answer = self.broker.token(&self.user, tool.connector_id()).await;
        usable(tool, answer)
    }

    /// A new token for `tool`'s connector after it refused `rejected`
    /// ([`OAuthBroker::rejected`]), or `None`.
    pub async fn refreshed(&self, tool: &ConnectorTool, rejected: &Secret) -> Option<Secret> {
        let answer = self
            .broker
            .rejected(&self.user, tool.connector_id(), rejected)
            .await;
        usable(tool, answer)
    }
}

/// What the broker's answer leaves for a call: the token, or nothing (logged).
fn usable(tool: &ConnectorTool, answer: Result<Secret, OAuthError>) -> Option<Secret> {
    answer
        .inspect_err(|error| {
            tracing::warn!(
                tool = %tool.name(),
                error = %escape(&error.to_string()),
                "no user token for an OAuth connector's tool call"
            );
        })
        .ok()
}

impl OAuthBroker {
    /// This broker for `user` alone: a per-user token source for a tool loop.
    ///
    /// ```
    /// # use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
    /// # fn f(broker: &OAuthBroker) -> Result<(), Box<dyn std::error::Error>> {
    /// let alices = broker.for_user(UserId::new("alice")?);
    /// assert_eq!(alices.user().as_str(), "alice");
    /// # Ok(()) }
    /// ```
    pub fn for_user(&self, user: UserId) -> UserBroker {
        UserBroker {
            broker: self.clone(),
            user,
        }
    }

    /// `user`'s current tokens (each refreshed when due, as [`token`](Self::token) does) for
    /// every connector of `toolbox` that uses OAuth, by connector id: what a tool loop that
    /// takes a map of tokens per call is given. Connectors this broker does not have are
    /// [missing](ToolTokens::missing) with [`OAuthError::UnknownConnector`]. A token refused
    /// by its connector is the loop's to report with [`rejected`](Self::rejected) (or let
    /// [`call_tool`](Self::call_tool) or [`for_user`](Self::for_user) do both).
    ///
    /// ```
    /// use cohere_connectors_emulator::OAuthProvider;
    /// use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
    /// use cohere_connectors_migrate::{Manifest, Secrets, Toolbox};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let provider = OAuthProvider::start().await?;
    /// let manifest = Manifest::from_json(&serde_json::json!({"version": 1, "connectors": [
    ///     {"id": "crm", "name": "CRM", "url": "http://127.0.0.1:9/search",
    ///      "oauth": {"client_id": provider.client_id(), "client_secret": {"env": "CRM_SECRET"},
    ///                "authorize_url": provider.authorize_url(), "token_url": provider.token_url()}},
    ///     {"id": "wiki", "name": "Wiki", "url": "http://127.0.0.1:9/search"}
    /// ]}).to_string())?;
    /// let secrets = Secrets::none().with("CRM_SECRET", provider.client_secret().clone());
    /// let toolbox = Toolbox::from_manifest(&manifest, &secrets)?;
    /// let broker = OAuthBroker::builder("http://127.0.0.1:8080/oauth/callback")
    ///     .manifest(&manifest, &secrets)?
    ///     .build()?;
    ///
    /// let tokens = broker.tokens_for(&UserId::new("alice")?, &toolbox).await;
    /// assert!(tokens.tokens().is_empty(), "Alice has not signed in");
    /// assert_eq!(tokens.sign_in_required().collect::<Vec<_>>(), ["crm"], "the wiki needs no user");
    /// # Ok(()) }
    /// ```
    pub async fn tokens_for(&self, user: &UserId, toolbox: &Toolbox) -> ToolTokens {
        let mut found = ToolTokens::default();
        for tool in toolbox
            .tools()
            .iter()
            .filter(|tool| tool.needs_user_token())
        {
            let connector = tool.connector_id().to_owned();
            match self.token(user, &connector).await {
                Ok(token) => drop(found.tokens.insert(connector, token)),
                Err(error) => found.missing.push((connector, error)),
            }
        }
        found
    }
}
