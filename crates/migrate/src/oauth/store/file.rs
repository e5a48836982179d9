//! Tokens in files, one per (user, connector), named by hashes: a user id never becomes a
//! path, and a file is only ever read back for the key it records.

use std::fmt;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::TokenStore;
use crate::fs::{Replacement, read_text};
use crate::oauth::error::StoreError;
use crate::oauth::tokens::TokenSet;
use crate::oauth::user::{TokenKey, UserId};
use crate::secrets::shown_path;

/// The largest token file read: far above any provider's tokens (the broker reads at most
/// 64 KiB of a token answer), far below harm.
const MAX_TOKEN_FILE_BYTES: u64 = 256 * 1024;

/// The format of the files this store writes (and the only one it reads).
const FORMAT: u32 = 1;

/// What a token file holds: the key it belongs to, and the tokens.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    format: u32,
    user: UserId,
    connector: String,
    tokens: TokenSet,
}

/// A [`TokenStore`] in a directory, for a single host: tokens survive a restart.
///
/// ```text
/// <dir>/                                  0700 when the store creates it
///   <SHA-256 of the user id, hex>/        0700, one per user
///     <SHA-256 of the connector id, hex>.json   0600, one per (user, connector)
/// ```
///
/// - **A user id is never a path.** The names are hashes of the exact ids, so `../alice`,
///   `Alice` and `alice` are three users in three directories, and no id, however long or
///   strange, reaches the file system.
/// - **A file is read back for its own key only.** Each file records the user and connector
///   it was written for, and is refused for any other key: a file copied, renamed or linked
///   into another user's place is an error, never that user's tokens.
/// - **Written whole, private.** A save writes a temporary file in the same directory
///   (created exclusively, random name), syncs it and renames it over the old one: a reader
///   sees the old set or the new one, never half. Files are 0600 whatever the old file's
///   mode was (they only ever hold tokens), and no temporary file is left behind on an error
///   or a cancelled save.
/// - **Nothing planted is followed.** A link where a user's directory or a token file should
///   be is refused (and a save replaces a link at the file's name, never writing through
///   it); a FIFO, a device or a file over 256 KiB is refused without blocking.
/// - **The directory must be private**: [`open`](Self::open) refuses one that other users
///   can write to (they could create a user's directory before the store does).
///
/// Several processes on the host may share the directory (each save is one rename; see the
/// [`TokenStore`] contract for what the broker does when two refresh at once). The file
/// system calls run on tokio's blocking pool.
///
/// ```
/// use cohere_connectors_migrate::oauth::{FileTokenStore, TokenKey, TokenSet, TokenStore, UserId};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let dir = std::env::temp_dir().join(format!("doc-tokens-{}", std::process::id()));
/// let store = FileTokenStore::open(&dir)?;
/// let key = TokenKey::new(UserId::new("alice")?, "crm");
/// store.save(&key, &TokenSet::new("at-1".into())).await?;
/// assert_eq!(store.load(&key).await?.unwrap().access_token().expose(), "at-1");
/// assert!(store.remove(&key).await?.is_some());
/// # std::fs::remove_dir_all(dir)?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct FileTokenStore {
    root: PathBuf,
}

impl FileTokenStore {
    /// A store in `dir`, created (mode 0700, parents included) if it does not exist.
    ///
    /// # Errors
    ///
    /// When `dir` cannot be created, is not a directory, or (on Unix) can be written by
    /// other users than its owner.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        let root = dir.as_ref().to_owned();
        let failed = |error: io::Error| {
            StoreError::with_source(
                format!("cannot use {} for tokens: {error}", shown_path(&root)),
                error,
            )
        };
        create_private_dir(&root, true).map_err(failed)?;
        let metadata = std::fs::metadata(&root).map_err(failed)?;
        if !metadata.is_dir() {
            return Err(StoreError::new(format!(
                "{} is not a directory",
                shown_path(&root)
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            if metadata.permissions().mode() & 0o022 != 0 {
                return Err(StoreError::new(format!(
                    "{} can be written by other users: make it private (chmod 700)",
                    shown_path(&root)
                )));
            }
        }
        Ok(Self { root })
    }

    /// The directory of `user`'s files.
    fn user_dir(&self, user: &UserId) -> PathBuf {
        self.root.join(hex_digest(user.as_str()))
    }

    /// The file of `key`.
    fn file(&self, key: &TokenKey) -> PathBuf {
        self.user_dir(key.user())
            .join(format!("{}.json", hex_digest(key.connector())))
    }

    /// Runs `work` on the blocking pool.
    fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&FileTokenStore) -> Result<T, StoreError> + Send + 'static,
    ) -> BoxFuture<'static, Result<T, StoreError>> {
        let store = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || work(&store))
                .await
                .map_err(|_| StoreError::new("the file store's task failed"))?
        })
    }

    fn load_now(&self, key: &TokenKey) -> Result<Option<TokenSet>, StoreError> {
        if !self.user_dir_exists(key.user())? {
            return Ok(None);
        }
        read_record(&self.file(key), |record| {
            record.user == *key.user() && record.connector == key.connector()
        })
    }

    fn save_now(&self, key: &TokenKey, tokens: &TokenSet) -> Result<(), StoreError> {
        let dir = self.user_dir(key.user());
        create_private_dir(&dir, false)
            .map_err(|error| io_error("cannot create the user's token directory", &dir, error))?;
        self.user_dir_exists(key.user())?;
        let record = Record {
            format: FORMAT,
            user: key.user().clone(),
            connector: key.connector().to_owned(),
            tokens: tokens.clone(),
        };
        let json = serde_json::to_vec(&record)
            .map_err(|_| StoreError::new("the tokens cannot be serialized"))?;
        let path = self.file(key);
        let written = (|| {
            let mut replacement = Replacement::begin(&path)?;
            make_private(replacement.file())?;
            replacement.file().write_all(&json)?;
            replacement.commit()
        })();
        written.map_err(|error| io_error("cannot write the token file", &path, error))
    }

    fn remove_now(&self, key: &TokenKey) -> Result<Option<TokenSet>, StoreError> {
        let Some(tokens) = self.load_now(key)? else {
            return Ok(None);
        };
        let path = self.file(key);
        remove_file(&path)?;
        Ok(Some(tokens))
    }

    fn remove_user_now(&self, user: &UserId) -> Result<Vec<(String, TokenSet)>, StoreError> {
        if !self.user_dir_exists(user)? {
            return Ok(Vec::new());
        }
        let dir = self.user_dir(user);
        let entries = std::fs::read_dir(&dir)
            .map_err(|error| io_error("cannot list the user's token directory", &dir, error))?;
        let mut removed = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|error| io_error("cannot list the user's token directory", &dir, error))?
                .path();
            if !is_token_file_name(&path) {
                continue;
            }
            let mut connector = None;
            let tokens = read_record(&path, |record| {
                connector = Some(record.connector.clone());
                record.user == *user && hex_digest(&record.connector) == file_stem(&path)
            })?;
            if let (Some(tokens), Some(connector)) = (tokens, connector) {
                remove_file(&path)?;
                removed.push((connector, tokens));
            }
        }
        // Best effort: a temporary file of a save under way keeps it.
        let _ = std::fs::remove_dir(&dir);
        Ok(removed)
    }

    /// Whether `user`'s directory exists, refusing anything but a directory there.
    fn user_dir_exists(&self, user: &UserId) -> Result<bool, StoreError> {
        let dir = self.user_dir(user);
        match std::fs::symlink_metadata(&dir) {
            Ok(metadata) if metadata.is_dir() => Ok(true),
            Ok(_) => Err(StoreError::new(format!(
                "{} is not a directory (a link or a file was put there): refused",
                shown_path(&dir)
            ))),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(error) => Err(io_error(
                "cannot read the user's token directory",
                &dir,
                error,
            )),
        }
    }
}

/// The record of the token file at `path`, if there is one and `belongs` says it is for the
/// key asked; refused otherwise.
fn read_record(
    path: &Path,
    belongs: impl FnOnce(&Record) -> bool,
) -> Result<Option<TokenSet>, StoreError> {
    match std::fs::symlink_metadata(path) {
        Ok(metadata) if metadata.is_file() => {}
        Ok(_) => {
            return Err(StoreError::new(format!(
                "{} is not a regular file (a link or a special file was put there): refused",
                shown_path(path)
            )));
        }
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(io_error("cannot read the token file", path, error)),
    }
    let text = read_text(path, MAX_TOKEN_FILE_BYTES)
        .map_err(|error| io_error("cannot read the token file", path, error))?;
    let record: Record = serde_json::from_str(&text).map_err(|_| {
        StoreError::new(format!(
            "{} is not a token file of this store",
            shown_path(path)
        ))
    })?;
    if record.format != FORMAT {
        return Err(StoreError::new(format!(
            "{} has format {}, not {FORMAT}",
            shown_path(path),
            record.format
        )));
    }
    if !belongs(&record) {
        return Err(StoreError::new(format!(
            "{} holds another user's or connector's tokens (copied or renamed there): refused",
            shown_path(path)
        )));
    }
    Ok(Some(record.tokens))
}

fn remove_file(path: &Path) -> Result<(), StoreError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(io_error("cannot remove the token file", path, error)),
    }
}

/// 64 hex digits of the SHA-256 of `text`.
fn hex_digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

fn file_stem(path: &Path) -> String {
    path.file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Whether `path` is named as this store names token files (temporary files are not).
fn is_token_file_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(".json")
        .is_some_and(|stem| stem.len() == 64 && stem.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Creates `dir` with mode 0700 (parents too when `parents`); an existing one is left as it
/// is.
fn create_private_dir(dir: &Path, parents: bool) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(parents);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    match builder.create(dir) {
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

/// Mode 0600, whatever the file being replaced had: a token file holds nothing else.
fn make_private(file: &std::fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

fn io_error(what: &str, path: &Path, error: io::Error) -> StoreError {
    StoreError::with_source(format!("{what} {}: {error}", shown_path(path)), error)
}

impl TokenStore for FileTokenStore {
    fn load<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        let key = key.clone();
        self.blocking(move |store| store.load_now(&key))
    }

    fn save<'a>(
        &'a self,
        key: &'a TokenKey,
        tokens: &'a TokenSet,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let (key, tokens) = (key.clone(), tokens.clone());
        self.blocking(move |store| store.save_now(&key, &tokens))
    }

    fn remove<'a>(
        &'a self,
        key: &'a TokenKey,
    ) -> BoxFuture<'a, Result<Option<TokenSet>, StoreError>> {
        let key = key.clone();
        self.blocking(move |store| store.remove_now(&key))
    }

    fn remove_user<'a>(
        &'a self,
        user: &'a UserId,
    ) -> BoxFuture<'a, Result<Vec<(String, TokenSet)>, StoreError>> {
        let user = user.clone();
        self.blocking(move |store| store.remove_user_now(&user))
    }
}

impl fmt::Debug for FileTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileTokenStore")
            .field("dir", &shown_path(&self.root))
            .finish()
    }
}
