//! Where users' tokens live: the [`TokenStore`] trait, and two stores, in memory
//! ([`MemoryTokenStore`]) and in files ([`FileTokenStore`]).

mod file;
mod memory;

use std::sync::Arc;

use futures_util::future::BoxFuture;

use super::error::StoreError;
use super::tokens::TokenSet;
use super::user::{TokenKey, UserId};

pub use file::FileTokenStore;
pub use memory::MemoryTokenStore;

/// Where the broker keeps each user's [`TokenSet`] for each connector, under a [`TokenKey`]
/// (user, connector). Put Redis, a database or a secrets manager behind it by implementing
/// these four methods; the broker holds it as `Arc<dyn TokenStore>`.
///
/// # The contract
///
/// - **One key, one value, replaced whole.** [`save`](Self::save) replaces the whole set
///   under its key at once: a reader sees the old set or the new one, never the new access
///   token with the old refresh token. This is what makes refresh-token rotation safe: the
///   rotated refresh token is stored in the same write as the access token it came with (a
///   provider that rotates refuses the old one from then on). In Redis, one `SET` of the
///   serialized set; in SQL, one row per key, updated in one statement.
/// - **Keys never cross.** What is saved under one key is never returned under another:
///   no two (user, connector) pairs may map to the same storage key. Derive the storage key
///   from both parts without ambiguity (a hash of their length-prefixed bytes, or two
///   columns), never by joining the raw strings (`"a:b" + "c"` and `"a" + "b:c"`).
/// - **Concurrency.** Every method may be called concurrently, for the same key or others,
///   from many tasks and (with a shared store) many processes. The broker makes one
///   refresh at a time per key *within a process*; across processes that share the store,
///   two may refresh at once, and the last `save` wins. The broker survives that: a refresh
///   refused with `invalid_grant` reads the store again and takes a set another process saved
///   meanwhile, before it asks the user to sign in. No method needs a lock of the store's own.
/// - **Removal returns what it removed**, so that the broker can revoke exactly those tokens
///   at the provider.
/// - **Errors never hold a token** ([`StoreError::new`] takes what went wrong, not the
///   values).
/// - **Tokens are secrets at rest**: keep them where only your service reads them. A
///   [`TokenSet`] serializes its tokens in clear; encrypt it if the store is shared.
///
/// ```
/// use std::collections::HashMap;
/// use std::sync::Mutex;
/// use futures_util::future::BoxFuture;
/// use cohere_connectors_migrate::oauth::{StoreError, TokenKey, TokenSet, TokenStore, UserId};
///
/// /// A store of JSON texts, as Redis would keep them (`SET key json`).
/// #[derive(Default)]
/// struct JsonStore(Mutex<HashMap<String, String>>);
///
/// /// One storage key per (user, connector): length-prefixed, so no two pairs share one.
/// fn storage_key(key: &TokenKey) -> String {
///     format!("tokens:{}:{}:{}", key.user().as_str().len(), key.user(), key.connector())
/// }
///
/// impl TokenStore for JsonStore {
///     fn load<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
///         Box::pin(async move {
///             let json = self.0.lock().unwrap().get(&storage_key(key)).cloned();
///             json.map(|json| serde_json::from_str(&json).map_err(|_| StoreError::new("a stored set is not JSON")))
///                 .transpose()
///         })
///     }
///
///     fn save<'a>(&'a self, key: &'a TokenKey, tokens: &'a TokenSet) -> BoxFuture<'a, Result<(), StoreError>> {
///         Box::pin(async move {
///             let json = serde_json::to_string(tokens).map_err(|_| StoreError::new("cannot serialize"))?;
///             self.0.lock().unwrap().insert(storage_key(key), json);
///             Ok(())
///         })
///     }
///
///     fn remove<'a>(&'a self, key: &'a TokenKey) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
///         Box::pin(async move {
///             let json = self.0.lock().unwrap().remove(&storage_key(key));
///             Ok(json.and_then(|json| serde_json::from_str(&json).ok()))
///         })
///     }
///
///     fn remove_user<'a>(&'a self, user: &'a UserId) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>> {
///         Box::pin(async move {
///             let prefix = format!("tokens:{}:{}:", user.as_str().len(), user);
///             let mut map = self.0.lock().unwrap();
///             let keys: Vec<String> = map.keys().filter(|key| key.starts_with(&prefix)).cloned().collect();
///             Ok(keys
///                 .into_iter()
///                 .filter_map(|key| {
///                     let json = map.remove(&key)?;
///                     Some((key[prefix.len()..].to_owned(), serde_json::from_str(&json).ok()?))
///                 })
///                 .collect())
///         })
///     }
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let store = JsonStore::default();
/// let key = TokenKey::new(UserId::new("alice")?, "crm");
/// store.save(&key, &TokenSet::new("at-1".into())).await?;
/// assert_eq!(store.load(&key).await?.unwrap().access_token().expose(), "at-1");
/// assert_eq!(store.remove_user(&UserId::new("alice")?).await?.len(), 1);
/// # Ok(()) }
/// ```
pub trait TokenStore: Send + Sync + 'static {
    /// The set saved under `key`, if any.
    fn load<'a>(&'a self, key: &'a TokenKey)
    -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>>;

    /// Saves `tokens` under `key`, replacing whatever was there, whole and at once.
    fn save<'a>(
        &'a self,
        key: &'a TokenKey,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>>;

    /// Removes the set under `key` and returns it (`None` if there was none).
    fn remove<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>>;

    /// Removes every set of `user` and returns them with their connector ids.
    fn remove_user<'a>(
        &'a self,
        user: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>>;
}

/// A shared store is a store: `builder.store(Arc::clone(&store))`.
impl<T: TokenStore + ?Sized> TokenStore for Arc<T> {
    fn load<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        (**self).load(key)
    }

    fn save<'a>(
        &'a self,
        key: &'a TokenKey,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        (**self).save(key, tokens)
    }

    fn remove<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        (**self).remove(key)
    }

    fn remove_user<'a>(
        &'a self,
        user: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>> {
        (**self).remove_user(user)
    }
}
