//! Who tokens belong to: a user of your application, and the key of their tokens for one
//! connector.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::OAuthError;

/// The longest user id taken, in bytes.
pub const MAX_USER_ID_BYTES: usize = 256;

/// A user of your application, as your application names them (an account id, a subject,
/// an email): 1 to [`MAX_USER_ID_BYTES`] bytes, without control characters or bidi
/// overrides, compared exactly (`alice` and `Alice` are two users). It is not a secret, and
/// it is never used as a file name as it is (see
/// [`FileTokenStore`](super::FileTokenStore)).
///
/// ```
/// use cohere_connectors_migrate::oauth::UserId;
///
/// let alice = UserId::new("alice@example.com")?;
/// assert_eq!(alice.as_str(), "alice@example.com");
/// assert!(UserId::new("").is_err());
/// assert!(UserId::new("eve\n").is_err());
/// # Ok::<(), cohere_connectors_migrate::oauth::OAuthError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    /// A user id, checked.
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidUser`] when it is empty, longer than [`MAX_USER_ID_BYTES`], or
    /// holds a control character or a bidi override.
    pub fn new(id: impl Into<String>) -> Result<Self, OAuthError> {
        let id = id.into();
        let reason = if id.is_empty() {
            Some("it is empty")
        } else if id.len() > MAX_USER_ID_BYTES {
            Some("it is longer than 256 bytes")
        } else if matches!(cohere_connectors::text::escape(&id), Cow::Owned(_)) {
            Some("it holds a control character or a bidi override")
        } else {
            None
        };
        match reason {
            Some(reason) => Err(OAuthError::InvalidUser { reason }),
            None => Ok(Self(id)),
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for UserId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Self::new(id).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("UserId").field(&self.0).finish()
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whose tokens, for which connector: the key a [`TokenStore`](super::TokenStore) keeps one
/// [`TokenSet`](super::TokenSet) under.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TokenKey {
    user: UserId,
    connector: String,
}

impl TokenKey {
    /// The key of `user`'s tokens for `connector` (a connector id of the broker).
    pub fn new(user: UserId, connector: impl Into<String>) -> Self {
        Self {
            user,
            connector: connector.into(),
        }
    }

    /// The user.
    pub fn user(&self) -> &UserId {
        &self.user
    }

    /// The connector's id.
    pub fn connector(&self) -> &str {
        &self.connector
    }
}
