//! A user's tokens for one connector, as the broker keeps them.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use cohere_connectors::Secret;

/// The longest lifetime an `expires_in` is taken for: ten years. A longer one (or a
/// nonsense one) is read as this, so that no date overflows.
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A user's tokens for one connector: the access token the connector is called with, the
/// refresh token that gets the next one, and when the access token expires (`None` when the
/// provider did not say: it is used until the connector refuses it).
///
/// `Debug` shows neither token. It serializes the tokens themselves, for a
/// [`TokenStore`](super::TokenStore) to keep: put what you serialize only where a token may
/// be (a file of mode 0600, an encrypted column, a Redis only your service reads).
///
/// ```
/// use std::time::Duration;
/// use chrono::Utc;
/// use cohere_connectors::Secret;
/// use cohere_connectors_migrate::oauth::TokenSet;
///
/// let now = Utc::now();
/// let tokens = TokenSet::new(Secret::from("at-123"))
///     .with_refresh_token(Secret::from("rt-456"))
///     .with_expires_at(now + chrono::TimeDelta::seconds(30));
/// assert!(!format!("{tokens:?}").contains("at-123"));
/// assert!(tokens.expires_within(now, Duration::from_secs(60)));
/// assert!(!tokens.expires_within(now, Duration::from_secs(10)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSet {
    access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<DateTime<Utc>>,
}

impl TokenSet {
    /// Tokens made of an access token alone, that never expires.
    pub fn new(access_token: Secret) -> Self {
        Self {
            access_token,
            refresh_token: None,
            expires_at: None,
        }
    }

    /// With a refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: Secret) -> Self {
        self.refresh_token = Some(refresh_token);
        self
    }

    /// Expiring at `expires_at`.
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: DateTime<Utc>) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Expiring `lifetime` after `now` (a lifetime over ten years is taken as ten years).
    #[must_use]
    pub(crate) fn expiring_after(mut self, now: DateTime<Utc>, lifetime: Duration) -> Self {
        let lifetime = TimeDelta::from_std(lifetime.min(MAX_LIFETIME)).unwrap_or(TimeDelta::MAX);
        self.expires_at = now.checked_add_signed(lifetime);
        self
    }

    /// The access token.
    pub fn access_token(&self) -> &Secret {
        &self.access_token
    }

    /// The refresh token, if the provider gave one.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// When the access token expires, if the provider said.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// Whether the access token expires within `skew` of `now` (or has expired). A token
    /// without an expiry never does.
    pub fn expires_within(&self, now: DateTime<Utc>, skew: Duration) -> bool {
        let skew = TimeDelta::from_std(skew).unwrap_or(TimeDelta::MAX);
        self.expires_at.is_some_and(|expires_at| {
            now.checked_add_signed(skew)
                .is_none_or(|soon| soon >= expires_at)
        })
    }

    /// The refresh token of `self`, or `previous`'s when the provider did not send a new one
    /// (RFC 6749 section 6: a refresh may or may not rotate it).
    #[must_use]
    pub(crate) fn keeping_refresh_token_of(mut self, previous: &TokenSet) -> Self {
        if self.refresh_token.is_none() {
            self.refresh_token = previous.refresh_token.clone();
        }
        self
    }
}
