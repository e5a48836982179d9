//! How the kit hides tokens in the text it answers, logs and reports: every token it holds
//! or was sent, whatever its length, in each form it may come back in (as is, JSON-escaped,
//! percent-encoded).
//!
//! The SDK's own redactor skips secrets under 6 bytes, which would match ordinary words; the
//! kit does not, because a connector's tokens are chosen by its author and a 5-character
//! one must not be echoed either. Hiding an unrelated word that happens to match a short
//! token is the safe failure.

use std::borrow::Borrow;

use cohere_connectors::Secret;
use cohere_connectors::text::Redactor;

/// A redactor hiding each of `secrets`, however short. A service credential gives its
/// [`secret_forms`](cohere_connectors::ServiceAuth::secret_forms), so that a `Basic` token's
/// decoded `user:password` is hidden too.
pub(crate) fn redactor<S: Borrow<Secret>>(secrets: impl IntoIterator<Item = S>) -> Redactor {
    secrets
        .into_iter()
        .fold(Redactor::default(), |redactor, secret| {
            redactor.with_any_length(secret.borrow())
        })
}
