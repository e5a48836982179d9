//! Tokens in the process's memory: gone when it exits.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use futures_util::future::BoxFuture;

use super::TokenStore;
use crate::oauth::error::StoreError;
use crate::oauth::tokens::TokenSet;
use crate::oauth::user::{TokenKey, UserId};

/// A [`TokenStore`] in memory: for tests, a single process, and users who sign in again
/// after a restart. Keyed by the exact (user, connector) pair. `Debug` shows how many sets
/// it holds, never one.
///
/// ```
/// use cohere_connectors_migrate::oauth::{MemoryTokenStore, TokenKey, TokenSet, TokenStore, UserId};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = MemoryTokenStore::new();
/// let alice = TokenKey::new(UserId::new("alice")?, "crm");
/// store.save(&alice, &TokenSet::new("at-1".into())).await?;
/// assert!(store.load(&TokenKey::new(UserId::new("Alice")?, "crm")).await?.is_none());
/// assert_eq!(format!("{store:?}"), "MemoryTokenStore { sets: 1 }");
/// # Ok(()) }
/// ```
#[derive(Default)]
pub struct MemoryTokenStore {
    sets: Mutex<HashMap<TokenKey, TokenSet>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn sets(&self) -> MutexGuard<'_, HashMap<TokenKey, TokenSet>> {
        self.sets.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl TokenStore for MemoryTokenStore {
    fn load<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        let found = self.sets().get(key).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn save<'a>(
        &'a self,
        key: &'a TokenKey,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.sets().insert(key.clone(), tokens.clone());
        Box::pin(async { Ok(()) })
    }

    fn remove<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        let removed = self.sets().remove(key);
        Box::pin(async move { Ok(removed) })
    }

    fn remove_user<'a>(
        &'a self,
        user: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>> {
        let mut sets = self.sets();
        let keys: Vec<TokenKey> = sets
            .keys()
            .filter(|key| key.user() == user)
            .cloned()
            .collect();
        let removed = keys
            .into_iter()
            .filter_map(|key| {
                let tokens = sets.remove(&key)?;
                Some((key.connector().to_owned(), tokens))
            })
            .collect();
        Box::pin(async move { Ok(removed) })
    }
}

impl fmt::Debug for MemoryTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryTokenStore")
            .field("sets", &self.sets().len())
            .finish()
    }
}
