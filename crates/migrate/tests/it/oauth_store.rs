//! The file token store under the rules for files we read and write: what is planted where a
//! token file or a user's directory should be (links, FIFOs, directories, huge files, another
//! user's file), writes whole and private with nothing left behind, ids that are not paths,
//! and tokens that survive a restart of the broker.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cohere_connectors::Secret;
use cohere_connectors_emulator::OAuthProvider;
use cohere_connectors_migrate::oauth::{
    FileTokenStore, OAuthBroker, StoreError, TokenKey, TokenSet, TokenStore,
};

use crate::oauth_setup::{browser, callback_listener, user};

/// A directory of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cc-tokens-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Self(dir)
    }

    /// Every file and directory under it, relative, sorted.
    fn tree(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, into: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                into.push(path.strip_prefix(root).unwrap().display().to_string());
                if path.is_dir() && !path.is_symlink() {
                    walk(&path, root, into);
                }
            }
        }
        let mut names = Vec::new();
        walk(&self.0, &self.0, &mut names);
        names.sort();
        names
    }

    /// The one token file of the store (after one save).
    fn token_file(&self) -> PathBuf {
        let names: Vec<String> = self
            .tree()
            .into_iter()
            .filter(|name| name.ends_with(".json"))
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        self.0.join(&names[0])
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn key(name: &str) -> TokenKey {
    TokenKey::new(user(name), "crm")
}

fn tokens(access: &str) -> TokenSet {
    TokenSet::new(Secret::from(access))
        .with_refresh_token(Secret::from(format!("{access}-refresh")))
}

/// Runs `f` and gives up after a few seconds: a read that blocks (a FIFO) fails the test
/// instead of hanging it.
async fn within_seconds<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(5), f)
        .await
        .expect("the store blocked")
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(path)
        .unwrap()
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn tokens_are_written_whole_in_private_files_named_by_hashes() {
    let scratch = Scratch::new("layout");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    for name in ["alice", "Alice", "../alice", "/etc/passwd", "a\\b"] {
        store
            .save(&key(name), &tokens(&format!("at-{name}")))
            .await
            .unwrap();
    }
    for name in ["alice", "Alice", "../alice", "/etc/passwd", "a\\b"] {
        let loaded = store.load(&key(name)).await.unwrap().unwrap();
        assert_eq!(loaded.access_token().expose(), format!("at-{name}"));
    }
    let tree = scratch.tree();
    assert_eq!(
        tree.len(),
        10,
        "5 directories, 5 files, nothing else: {tree:?}"
    );
    for name in &tree {
        let hex = |part: &str| part.len() == 64 && part.bytes().all(|b| b.is_ascii_hexdigit());
        let mut parts = name.split('/');
        assert!(parts.next().is_some_and(hex), "{name}");
        if let Some(file) = parts.next() {
            assert!(file.strip_suffix(".json").is_some_and(hex), "{name}");
        }
    }
    #[cfg(unix)]
    {
        assert_eq!(mode(&scratch.0), 0o700);
        for name in &tree {
            let path = scratch.0.join(name);
            let expected = if path.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode(&path), expected, "{name}");
        }
    }
    // Nothing outside the directory was touched.
    assert!(!std::path::Path::new("/etc/passwd.json").exists());
}

#[cfg(unix)]
#[tokio::test]
async fn a_replaced_file_is_0600_whatever_it_was_and_nothing_is_left_behind_on_failure() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new("modes");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    store.save(&key("alice"), &tokens("at-1")).await.unwrap();
    let file = scratch.token_file();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    store.save(&key("alice"), &tokens("at-2")).await.unwrap();
    assert_eq!(mode(&file), 0o600);
    let before = scratch.tree();

    // A directory planted at the file's name: the save fails, and leaves no temporary file.
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    std::fs::write(file.join("keep"), "x").unwrap();
    assert!(store.save(&key("alice"), &tokens("at-3")).await.is_err());
    let after: Vec<String> = scratch
        .tree()
        .into_iter()
        .filter(|name| !name.ends_with("/keep"))
        .collect();
    assert_eq!(after, before);
    assert!(!after.iter().any(|name| name.contains(".partial")));
}

#[cfg(unix)]
#[tokio::test]
async fn what_is_planted_where_a_token_file_should_be_is_refused_without_blocking() {
    let scratch = Scratch::new("planted");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    store.save(&key("alice"), &tokens("at-1")).await.unwrap();
    let file = scratch.token_file();
    let outside = scratch.0.join("outside.json");

    // A link to a file outside: refused on read; replaced (never written through) on save.
    std::fs::write(&outside, "not tokens").unwrap();
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink(&outside, &file).unwrap();
    let error = store.load(&key("alice")).await.unwrap_err();
    assert!(error.to_string().contains("not a regular file"), "{error}");
    store.save(&key("alice"), &tokens("at-2")).await.unwrap();
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "not tokens");
    assert!(!file.is_symlink());
    assert_eq!(
        store
            .load(&key("alice"))
            .await
            .unwrap()
            .unwrap()
            .access_token()
            .expose(),
        "at-2"
    );

    // A FIFO, a link to /dev/zero, a directory, a file of 300 KiB: refused, at once.
    std::fs::remove_file(&file).unwrap();
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&file)
            .status()
            .unwrap()
            .success()
    );
    assert!(within_seconds(store.load(&key("alice"))).await.is_err());
    std::fs::remove_file(&file).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &file).unwrap();
    assert!(within_seconds(store.load(&key("alice"))).await.is_err());
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    assert!(within_seconds(store.load(&key("alice"))).await.is_err());
    std::fs::remove_dir(&file).unwrap();
    std::fs::write(&file, vec![b' '; 300 * 1024]).unwrap();
    let error = within_seconds(store.load(&key("alice"))).await.unwrap_err();
    assert!(error.to_string().contains("larger than"), "{error}");
    std::fs::write(&file, "{not json").unwrap();
    assert!(store.load(&key("alice")).await.is_err());

    // A link where the user's directory should be.
    let user_dir = file.parent().unwrap().to_owned();
    std::fs::remove_dir_all(&user_dir).unwrap();
    let elsewhere = scratch.0.join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &user_dir).unwrap();
    assert!(store.load(&key("alice")).await.is_err());
    assert!(store.save(&key("alice"), &tokens("at-3")).await.is_err());
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
}

#[tokio::test]
async fn one_users_file_is_never_read_as_anothers() {
    let scratch = Scratch::new("crossed");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    store
        .save(&key("alice"), &tokens("alice-token"))
        .await
        .unwrap();
    let alice_file = scratch.token_file();
    store.save(&key("bob"), &tokens("bob-token")).await.unwrap();
    // Alice's file copied over Bob's: refused for Bob, never Alice's tokens.
    let bob_file = scratch
        .tree()
        .into_iter()
        .map(|name| scratch.0.join(name))
        .find(|path| path.extension().is_some_and(|ext| ext == "json") && *path != alice_file)
        .unwrap();
    std::fs::copy(&alice_file, &bob_file).unwrap();
    let error: StoreError = store.load(&key("bob")).await.unwrap_err();
    assert!(error.to_string().contains("another user's"), "{error}");
    assert!(!format!("{error} {error:?}").contains("alice-token"));
    // And for another connector of the same user.
    let crm_file = alice_file.clone();
    let wiki = TokenKey::new(user("alice"), "wiki");
    store.save(&wiki, &tokens("wiki-token")).await.unwrap();
    let wiki_file = crm_file
        .parent()
        .unwrap()
        .read_dir()
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .find(|path| *path != crm_file)
        .unwrap();
    std::fs::copy(&crm_file, &wiki_file).unwrap();
    assert!(store.load(&wiki).await.is_err());
    // Unknown fields and other formats are refused too.
    let text = std::fs::read_to_string(&crm_file).unwrap();
    std::fs::write(&crm_file, text.replacen("{", "{\"extra\":1,", 1)).unwrap();
    assert!(store.load(&key("alice")).await.is_err());
    std::fs::write(&crm_file, text.replacen("\"format\":1", "\"format\":2", 1)).unwrap();
    let error = store.load(&key("alice")).await.unwrap_err();
    assert!(error.to_string().contains("format 2"), "{error}");
}

#[tokio::test]
async fn removing_a_user_removes_theirs_only_and_returns_them() {
    let scratch = Scratch::new("remove");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    store.save(&key("alice"), &tokens("a-crm")).await.unwrap();
    store
        .save(&TokenKey::new(user("alice"), "wiki"), &tokens("a-wiki"))
        .await
        .unwrap();
    store.save(&key("bob"), &tokens("b-crm")).await.unwrap();
    let mut removed = store.remove_user(&user("alice")).await.unwrap();
    removed.sort_by(|a, b| a.0.cmp(&b.0));
    let summary: Vec<(&str, &str)> = removed
        .iter()
        .map(|(connector, tokens)| (connector.as_str(), tokens.access_token().expose()))
        .collect();
    assert_eq!(summary, [("crm", "a-crm"), ("wiki", "a-wiki")]);
    assert!(store.load(&key("alice")).await.unwrap().is_none());
    assert!(store.load(&key("bob")).await.unwrap().is_some());
    assert_eq!(scratch.tree().len(), 2, "bob's directory and file");
    assert!(store.remove(&key("bob")).await.unwrap().is_some());
    assert!(store.remove(&key("bob")).await.unwrap().is_none());
    assert!(store.remove_user(&user("carol")).await.unwrap().is_empty());
}

#[cfg(unix)]
#[tokio::test]
async fn a_directory_others_can_write_to_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let scratch = Scratch::new("shared");
    std::fs::create_dir_all(&scratch.0).unwrap();
    std::fs::set_permissions(&scratch.0, std::fs::Permissions::from_mode(0o777)).unwrap();
    let error = FileTokenStore::open(&scratch.0).unwrap_err();
    assert!(
        error.to_string().contains("written by other users"),
        "{error}"
    );
    std::fs::write(scratch.0.join("file"), "x").unwrap();
    assert!(FileTokenStore::open(scratch.0.join("file")).is_err());
}

#[tokio::test]
async fn concurrent_saves_of_one_key_leave_one_whole_set() {
    let scratch = Scratch::new("concurrent");
    let store = FileTokenStore::open(&scratch.0).unwrap();
    let saves = (0..16).map(|n| {
        let store = store.clone();
        tokio::spawn(async move { store.save(&key("alice"), &tokens(&format!("at-{n}"))).await })
    });
    for save in futures_util::future::join_all(saves).await {
        save.unwrap().unwrap();
    }
    let loaded = store.load(&key("alice")).await.unwrap().unwrap();
    let access = loaded.access_token().expose().to_owned();
    assert_eq!(
        loaded.refresh_token().unwrap().expose(),
        format!("{access}-refresh"),
        "access and refresh token from the same save"
    );
    assert_eq!(scratch.tree().len(), 2, "{:?}", scratch.tree());
}

#[tokio::test]
async fn a_broker_over_a_file_store_keeps_users_signed_in_across_a_restart() {
    let scratch = Scratch::new("restart");
    let provider = OAuthProvider::start().await.unwrap();
    let (listener, callback) = callback_listener().await;
    let broker = OAuthBroker::builder(&callback)
        .connector("crm", provider.oauth_config())
        .store(FileTokenStore::open(&scratch.0).unwrap())
        .build()
        .unwrap();
    let server = tokio::spawn(serve(listener, broker.callback_router()));
    let sign_in = broker.sign_in(&user("alice"), "crm").unwrap();
    let back = provider.consent(sign_in.url()).await.unwrap();
    assert_eq!(browser().get(&back).send().await.unwrap().status(), 200);
    let token = broker.token(&user("alice"), "crm").await.unwrap();
    server.abort();
    drop(broker);

    let restarted = OAuthBroker::builder(&callback)
        .connector("crm", provider.oauth_config())
        .store(FileTokenStore::open(&scratch.0).unwrap())
        .build()
        .unwrap();
    assert_eq!(restarted.token(&user("alice"), "crm").await.unwrap(), token);
    let text = std::fs::read_to_string(scratch.token_file()).unwrap();
    assert!(!text.contains(provider.client_secret().expose()));
    let out = restarted.sign_out(&user("alice"), "crm").await.unwrap();
    assert!(out.had_tokens);
    assert!(scratch.tree().iter().all(|name| !name.ends_with(".json")));
}

async fn serve(listener: tokio::net::TcpListener, router: axum::Router) {
    cohere_connectors_kit::server::serve_connections(
        listener,
        router,
        cohere_connectors_kit::server::ConnectionLimits::default(),
    )
    .await;
}
