//! One refresh at a time per (user, connector): callers that find a token due wait for the
//! first one's refresh and take its result, instead of each refreshing (which a provider that
//! rotates refresh tokens would answer with `invalid_grant` for all but one, signing the user
//! out).

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::OwnedMutexGuard;

use super::user::TokenKey;

/// How long after a refresh failed (the endpoint down or slow) a token still valid is used
/// without trying again: otherwise every call in the refresh window would wait for the
/// endpoint's timeout.
pub(crate) const RETRY_PAUSE: Duration = Duration::from_secs(10);

/// Past this many keys, entries nobody holds are swept.
const SWEEP_ABOVE: usize = 4096;

/// What one key's flight remembers between callers.
#[derive(Default)]
pub(crate) struct Flight {
    /// When its last refresh failed for a reason other than the grant itself.
    pub failed_at: Option<Instant>,
}

impl Flight {
    /// Whether a refresh failed a moment ago.
    pub(crate) fn failed_recently(&self) -> bool {
        self.failed_at.is_some_and(|at| at.elapsed() < RETRY_PAUSE)
    }
}

type Entry = Arc<tokio::sync::Mutex<Flight>>;

/// The flights, by key.
#[derive(Default)]
pub(crate) struct Flights {
    by_key: Mutex<HashMap<TokenKey, Entry>>,
}

/// The right to refresh one key's tokens, held until dropped.
pub(crate) struct Boarded<'a> {
    flights: &'a Flights,
    key: TokenKey,
    guard: Option<OwnedMutexGuard<Flight>>,
}

impl Flights {
    fn map(&self) -> MutexGuard<'_, HashMap<TokenKey, Entry>> {
        self.by_key.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for `key`'s flight to be free and takes it.
    pub(crate) async fn board(&self, key: &TokenKey) -> Boarded<'_> {
        let entry = {
            let mut map = self.map();
            if map.len() > SWEEP_ABOVE {
                map.retain(|_, entry| Arc::strong_count(entry) > 1 || remembers_failure(entry));
            }
            Arc::clone(map.entry(key.clone()).or_default())
        };
        let guard = entry.lock_owned().await;
        Boarded {
            flights: self,
            key: key.clone(),
            guard: Some(guard),
        }
    }
}

/// Whether an entry nobody holds still remembers a recent failure.
fn remembers_failure(entry: &Entry) -> bool {
    entry
        .try_lock()
        .map(|flight| flight.failed_recently())
        .unwrap_or(true)
}

impl Deref for Boarded<'_> {
    type Target = Flight;

    fn deref(&self) -> &Flight {
        self.guard
            .as_deref()
            .unwrap_or_else(|| unreachable!("held until drop"))
    }
}

impl DerefMut for Boarded<'_> {
    fn deref_mut(&mut self) -> &mut Flight {
        self.guard
            .as_deref_mut()
            .unwrap_or_else(|| unreachable!("held until drop"))
    }
}

impl Drop for Boarded<'_> {
    fn drop(&mut self) {
        drop(self.guard.take());
        let mut map = self.flights.map();
        // Only the map holds it (nobody waits) and it remembers nothing: forget the key.
        if map
            .get(&self.key)
            .is_some_and(|entry| Arc::strong_count(entry) == 1 && !remembers_failure(entry))
        {
            map.remove(&self.key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::oauth::user::UserId;

    #[tokio::test]
    async fn a_key_is_forgotten_once_nobody_holds_it() {
        let flights = Flights::default();
        let key = TokenKey::new(UserId::new("alice").unwrap(), "crm");
        {
            let _boarded = flights.board(&key).await;
            assert_eq!(flights.map().len(), 1);
        }
        assert_eq!(flights.map().len(), 0);
        {
            let mut boarded = flights.board(&key).await;
            boarded.failed_at = Some(Instant::now());
        }
        assert_eq!(flights.map().len(), 1, "a recent failure is remembered");
        assert!(flights.board(&key).await.failed_recently());
    }
}
