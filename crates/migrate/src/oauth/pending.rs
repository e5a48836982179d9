//! Sign-ins started and waiting for their callback: each `state` bound to the user and the
//! connector it was made for, good once, for a while, and only so many at a time.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::user::UserId;
use cohere_connectors::Secret;

/// The most sign-ins waiting at once, all users together; past it the oldest is dropped.
pub const MAX_PENDING: usize = 10_000;
/// The most sign-ins one user may have waiting; past it their oldest is dropped, so that
/// one user cannot push everyone else's out.
pub const MAX_PENDING_PER_USER: usize = 16;

/// A sign-in waiting for its callback.
pub(crate) struct Waiting {
    pub user: UserId,
    pub connector: String,
    /// The PKCE verifier of the challenge the authorize URL carried.
    pub verifier: Secret,
    at: Instant,
}

/// The sign-ins waiting, by `state`.
pub(crate) struct Pending {
    lifetime: Duration,
    by_state: Mutex<HashMap<String, Waiting>>,
}

impl Pending {
    pub(crate) fn new(lifetime: Duration) -> Self {
        Self {
            lifetime,
            by_state: Mutex::default(),
        }
    }

    /// How long a sign-in waits.
    pub(crate) fn lifetime(&self) -> Duration {
        self.lifetime
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Waiting>> {
        self.by_state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records a sign-in under `state`.
    pub(crate) fn insert(&self, state: &Secret, user: UserId, connector: &str, verifier: Secret) {
        let mut waiting = self.lock();
        waiting.retain(|_, entry| entry.at.elapsed() < self.lifetime);
        let oldest_of = |waiting: &HashMap<String, Waiting>, mine: Option<&UserId>| {
            waiting
                .iter()
                .filter(|(_, entry)| mine.is_none_or(|user| entry.user == *user))
                .min_by_key(|(_, entry)| entry.at)
                .map(|(state, _)| state.clone())
        };
        let users = waiting.values().filter(|entry| entry.user == user).count();
        if users >= MAX_PENDING_PER_USER
            && let Some(oldest) = oldest_of(&waiting, Some(&user))
        {
            waiting.remove(&oldest);
        }
        if waiting.len() >= MAX_PENDING
            && let Some(oldest) = oldest_of(&waiting, None)
        {
            waiting.remove(&oldest);
        }
        waiting.insert(
            state.expose().to_owned(),
            Waiting {
                user,
                connector: connector.to_owned(),
                verifier,
                at: Instant::now(),
            },
        );
    }

    /// Takes the sign-in of `state` out, whoever asks: a `state` is good once, even for a
    /// callback that is then refused. `None` when it is unknown, used or expired.
    pub(crate) fn take(&self, state: &str) -> Option<Waiting> {
        let waiting = self.lock().remove(state)?;
        (waiting.at.elapsed() < self.lifetime).then_some(waiting)
    }

    /// How many sign-ins wait.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str) -> UserId {
        UserId::new(name).unwrap()
    }

    #[test]
    fn one_user_cannot_push_out_another_users_sign_ins() {
        let pending = Pending::new(Duration::from_secs(60));
        pending.insert(
            &Secret::from("bob-state"),
            user("bob"),
            "crm",
            Secret::from("v"),
        );
        for n in 0..100 {
            pending.insert(
                &Secret::new(format!("mallory-{n}")),
                user("mallory"),
                "crm",
                Secret::from("v"),
            );
        }
        assert_eq!(pending.len(), MAX_PENDING_PER_USER + 1);
        assert!(pending.take("mallory-0").is_none(), "the oldest went first");
        assert!(pending.take("mallory-99").is_some());
        assert_eq!(pending.take("bob-state").unwrap().user, user("bob"));
        assert!(pending.take("bob-state").is_none(), "good once");
    }

    #[test]
    fn an_expired_sign_in_is_gone() {
        let pending = Pending::new(Duration::ZERO);
        pending.insert(&Secret::from("s"), user("bob"), "crm", Secret::from("v"));
        assert!(pending.take("s").is_none());
    }
}
