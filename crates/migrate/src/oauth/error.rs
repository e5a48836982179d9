//! What signing a user in, or getting their token, can end with. Every message names the
//! connector (escaped) and never a token, a code, a verifier or a client secret: text from the
//! provider is scrubbed of all of them, escaped and cut before it is kept.

use std::error::Error;
use std::fmt;

use cohere_connectors::text::one_line;

/// Why a user must sign in (again) before a connector can be called for them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignInReason {
    /// The user has no tokens for the connector: they never signed in, signed out, or their
    /// tokens were forgotten.
    NotSignedIn,
    /// The access token expired and there is no refresh token to get another.
    Expired,
    /// The provider refused the refresh token (`invalid_grant`): it was revoked, expired or
    /// used up. The tokens are forgotten.
    Refused,
    /// The connector refused the user's token, and a new one could not be had (no refresh
    /// token), or was refused too.
    Rejected,
}

impl fmt::Display for SignInReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NotSignedIn => "they are not signed in",
            Self::Expired => "their token expired and cannot be refreshed",
            Self::Refused => "the provider refused to refresh their token",
            Self::Rejected => "the connector refused their token",
        })
    }
}

/// Why the broker could not sign a user in, give their token, or sign them out.
///
/// ```
/// use cohere_connectors_migrate::oauth::{OAuthError, SignInReason};
///
/// let error = OAuthError::SignInRequired { connector: "crm".into(), reason: SignInReason::Refused };
/// assert!(error.is_sign_in_required());
/// assert_eq!(
///     error.to_string(),
///     "the user must sign in to `crm`: the provider refused to refresh their token"
/// );
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The broker has no OAuth connector of this id.
    #[error("`{connector}` is not an OAuth connector of this broker")]
    UnknownConnector {
        /// The id asked for (escaped, cut).
        connector: String,
    },
    /// A user id the broker does not take.
    #[error("invalid user id: {reason}")]
    InvalidUser {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The user must go through the provider's consent screen: start with
    /// [`OAuthBroker::sign_in`](super::OAuthBroker::sign_in).
    #[error("the user must sign in to `{connector}`: {reason}")]
    SignInRequired {
        /// The connector.
        connector: String,
        /// Why.
        reason: SignInReason,
    },
    /// The callback's query is not one the broker takes: too long, a parameter repeated or
    /// too long, or `state` missing. Nothing was exchanged.
    #[error("the sign-in callback is malformed: {reason}")]
    InvalidCallback {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The callback's `state` is not one the broker is waiting for: forged, expired, or
    /// already used. Nothing was exchanged.
    #[error("the sign-in is unknown, expired or already completed: start it again")]
    UnknownState,
    /// The callback came from another user than the one who started the sign-in (their
    /// link was followed by someone else). Nothing was exchanged, and the sign-in is void.
    #[error("the sign-in to `{connector}` was started by another user: start it again")]
    WrongUser {
        /// The connector.
        connector: String,
    },
    /// The callback came from a browser of nobody signed in to your application (the route
    /// checks [who it comes from](super::CallbackRoute::user_from)). Nothing was exchanged;
    /// the sign-in still waits.
    #[error(
        "the sign-in callback came from nobody signed in to the application: sign in there, then follow the link again"
    )]
    AnonymousCallback,
    /// The provider sent the user back with an error (`access_denied` when they said no).
    #[error("the provider of `{connector}` did not authorize the user: {error}{}", description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Denied {
        /// The connector.
        connector: String,
        /// The provider's error code (escaped, cut).
        error: String,
        /// The provider's description (scrubbed, escaped, cut).
        description: Option<String>,
    },
    /// The token endpoint (or the revocation endpoint) failed: unreachable, too slow, an
    /// error status, a refusal other than a refresh's `invalid_grant`, or an answer that is
    /// not a token response (HTML, too large, a field missing).
    #[error("the token endpoint of `{connector}` failed: {message}")]
    TokenEndpoint {
        /// The connector.
        connector: String,
        /// What went wrong (provider text scrubbed, escaped, cut).
        message: String,
    },
    /// The token store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The broker cannot be built as configured.
    #[error("OAuth configuration{}: {message}", connector.as_deref().map(|c| format!(" of `{c}`")).unwrap_or_default())]
    Config {
        /// The connector, when the problem is one connector's.
        connector: Option<String>,
        /// What is wrong.
        message: String,
    },
}

impl OAuthError {
    /// Whether the user must go through the consent screen before the connector can be
    /// called for them.
    pub fn is_sign_in_required(&self) -> bool {
        matches!(self, Self::SignInRequired { .. })
    }

    /// The connector the error is about, if it is about one.
    pub fn connector(&self) -> Option<&str> {
        match self {
            Self::UnknownConnector { connector }
            | Self::SignInRequired { connector, .. }
            | Self::WrongUser { connector }
            | Self::Denied { connector, .. }
            | Self::TokenEndpoint { connector, .. } => Some(connector),
            Self::Config { connector, .. } => connector.as_deref(),
            _ => None,
        }
    }

    pub(crate) fn config(connector: Option<&str>, message: impl Into<String>) -> Self {
        Self::Config {
            connector: connector.map(shown),
            message: message.into(),
        }
    }

    pub(crate) fn sign_in(connector: &str, reason: SignInReason) -> Self {
        Self::SignInRequired {
            connector: shown(connector),
            reason,
        }
    }

    pub(crate) fn token_endpoint(connector: &str, message: impl Into<String>) -> Self {
        Self::TokenEndpoint {
            connector: shown(connector),
            message: message.into(),
        }
    }

    pub(crate) fn unknown_connector(connector: &str) -> Self {
        Self::UnknownConnector {
            connector: shown(connector),
        }
    }
}

/// A connector id as messages show it: controls escaped, on one line, cut.
pub(crate) fn shown(connector: &str) -> String {
    one_line(connector, 100)
}

/// Why a [`TokenStore`](super::TokenStore) failed. Its message must never hold a token: a
/// store of your own builds it from what went wrong (a connection refused, a timeout), not
/// from the values it handled.
///
/// ```
/// use cohere_connectors_migrate::oauth::StoreError;
///
/// let error = StoreError::new("redis: connection refused");
/// assert_eq!(error.to_string(), "the token store failed: redis: connection refused");
/// ```
#[derive(Debug, thiserror::Error)]
#[error("the token store failed: {message}")]
pub struct StoreError {
    message: String,
    #[source]
    source: Option<Box<dyn Error + Send + Sync>>,
}

impl StoreError {
    /// A failure described by `message` (escaped, on one line, cut to 300 characters).
    pub fn new(message: impl fmt::Display) -> Self {
        Self {
            message: one_line(&message.to_string(), 300),
            source: None,
        }
    }

    /// A failure described by `message`, caused by `source`.
    pub fn with_source(
        message: impl fmt::Display,
        source: impl Into<Box<dyn Error + Send + Sync>>,
    ) -> Self {
        Self {
            source: Some(source.into()),
            ..Self::new(message)
        }
    }
}
