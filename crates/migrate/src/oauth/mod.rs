//! Per-user OAuth for a manifest's OAuth connectors: what Cohere did for them, in your
//! process.
//!
//! For an OAuth connector, Cohere sent each user through the provider's consent screen,
//! kept their tokens, refreshed them before they expired, and called the connector with
//! the user's token. On Chat v2 tools (and MCP), that is the application's job. An
//! [`OAuthBroker`] does it:
//!
//! 1. **Sign-in.** [`OAuthBroker::sign_in`] gives the provider's authorize URL for a user and
//!    a connector, with a `state` bound to both (random, good once, expiring) and a PKCE
//!    `S256` challenge. The user's browser goes there and comes back to the broker's
//!    callback URL, served by [`OAuthBroker::callback_router`] (an axum `Router`), which
//!    checks the `state`, exchanges the code and stores the tokens.
//! 2. **Tokens on demand.** [`OAuthBroker::token`] gives the user's access token for a
//!    connector, refreshed before it expires (one refresh per user and connector at a time,
//!    rotated refresh tokens stored with their access token in one write), or
//!    [`OAuthError::SignInRequired`] naming the connector.
//! 3. **Tool calls.** [`OAuthBroker::call_tool`] (or [`call_for_user`] over any
//!    [`TokenSource`]) answers a Chat v2 tool call of an OAuth connector with the user's
//!    token, and when the connector refuses it (401), refreshes once and tries again.
//!    A tool loop that runs for one user takes [`OAuthBroker::for_user`] ([`UserBroker`]) or
//!    the map of [`OAuthBroker::tokens_for`]; the MCP server takes
//!    [`mcp::BrokerTokens`](crate::mcp::BrokerTokens).
//! 4. **Sign-out.** [`OAuthBroker::sign_out`] and [`sign_out_everywhere`](OAuthBroker::sign_out_everywhere)
//!    forget a user's tokens, and revoke them at the provider (RFC 7009) when the connector
//!    has a [revocation endpoint](OAuthBrokerBuilder::revocation_url).
//!
//! Tokens live in a [`TokenStore`]: [`MemoryTokenStore`], [`FileTokenStore`], or yours (Redis,
//! a database: the trait documents what must be atomic and what concurrency it must take).
//! Tokens are [`Secret`](cohere_connectors::Secret)s everywhere: never in `Debug`, errors or
//! pages; text from the provider is scrubbed of the client secret, codes, verifiers and
//! tokens, escaped and cut before any error holds it.
//!
//! The protocol is the [`oauth2`](https://docs.rs/oauth2) crate's, over this crate's own
//! HTTP client: redirects from token endpoints are never followed (the form holds the client
//! secret), each exchange is bounded by a timeout and answers are read up to 64 KiB.
//! Endpoints must be `https` (plain `http` only to this machine's loopback, for tests and
//! local providers). Revocation is RFC 7009 done here, as `oauth2`'s refuses `http` even to
//! loopback.
//!
//! Sign-ins waiting for their callback live in the broker's memory (at most 16 per user and
//! 10,000 in all, for 10 minutes): behind a load balancer, send a user's callback to the
//! instance that started their sign-in. Tokens live in the store, which instances may share.
//!
//! ```
//! use cohere_connectors_emulator::OAuthProvider;
//! use cohere_connectors_kit::server::{ConnectionLimits, serve_connections};
//! use cohere_connectors_migrate::oauth::{OAuthBroker, UserId};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let provider = OAuthProvider::start().await?;          // a provider to run offline
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let callback = format!("http://{}/oauth/callback", listener.local_addr()?);
//! let broker = OAuthBroker::builder(&callback)
//!     .connector("crm", provider.oauth_config())
//!     .build()?;
//! tokio::spawn(serve_connections(listener, broker.callback_router(), ConnectionLimits::default()));
//!
//! let alice = UserId::new("alice")?;
//! let sign_in = broker.sign_in(&alice, "crm")?;
//! // Alice's browser: the provider's consent screen, then back to the callback.
//! let back = provider.consent(sign_in.url()).await?;
//! let page = reqwest::get(&back).await?;
//! assert_eq!(page.status(), 200);
//!
//! let token = broker.token(&alice, "crm").await?;     // call the connector with it
//! assert!(provider.token_checker().subject(token.expose()).is_some());
//! # Ok(()) }
//! ```

mod broker;
mod callback;
mod callback_params;
mod error;
mod flights;
mod pending;
mod provider;
mod store;
mod tokens;
mod tool_calls;
mod transport;
mod user;

pub use broker::{
    DEFAULT_REFRESH_SKEW, DEFAULT_SIGN_IN_LIFETIME, DEFAULT_TOKEN_TIMEOUT, OAuthBroker,
    OAuthBrokerBuilder, Revocation, SignIn, SignOut, SignedIn,
};
pub use callback::CallbackRoute;
pub use callback_params::{CallbackParams, MAX_CALLBACK_QUERY_BYTES};
pub use error::{OAuthError, SignInReason, StoreError};
pub use pending::{MAX_PENDING, MAX_PENDING_PER_USER};
pub use provider::ClientAuth;
pub use store::{FileTokenStore, MemoryTokenStore, TokenStore};
pub use tokens::TokenSet;
pub(crate) use tool_calls::refused;
pub use tool_calls::{CallError, TokenSource, ToolTokens, UserBroker, call_for_user};
pub use transport::MAX_ANSWER_BYTES;
pub use user::{MAX_USER_ID_BYTES, TokenKey, UserId};
