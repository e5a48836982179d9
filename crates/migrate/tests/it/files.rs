//! Files that arrive by pull request or from a mounted volume: manifests and secret files are
//! read only when they are regular files of a bounded size, and exports replace their file
//! whole, with the right mode, without following what someone planted.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use cohere_connectors::Secret;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_migrate::sync::{Plan, PlanOptions, SavedPlan, plan};
use cohere_connectors_migrate::{
    MAX_MANIFEST_BYTES, MAX_SECRET_FILE_BYTES, Manifest, MigrateError, SecretRef, Secrets, Toolbox,
    export_file,
};
use httpmock::MockServer;
use serde_json::json;

/// A directory of its own for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cc-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The names in the directory, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `f` on a thread and gives up after a few seconds: a reader that blocks (on a FIFO)
/// fails the test instead of hanging it.
fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(f());
    });
    receive
        .recv_timeout(Duration::from_secs(5))
        .expect("the read blocked")
}

#[cfg(unix)]
fn fifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(status.success());
}

/// A file of `len` bytes without writing them (sparse): a 200 MB file costs nothing.
fn sized(path: &Path, len: u64) {
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

fn resolve_file(path: &Path) -> Result<Secret, String> {
    let path = path.to_owned();
    within_seconds(move || Secrets::from_env().resolve(&SecretRef::File(path)))
}

#[cfg(unix)]
#[test]
fn secret_files_are_regular_files_of_a_bounded_size() {
    let scratch = Scratch::new("secrets");
    let fifo_path = scratch.path("fifo");
    fifo(&fifo_path);
    let link_to_fifo = scratch.path("link-to-fifo");
    std::os::unix::fs::symlink(&fifo_path, &link_to_fifo).unwrap();
    let huge = scratch.path("huge");
    sized(&huge, 200 * 1024 * 1024);
    let over = scratch.path("over");
    sized(&over, MAX_SECRET_FILE_BYTES + 1);
    let binary = scratch.path("binary");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let refused: [(&Path, &str); 7] = [
        (&fifo_path, "it is a FIFO, not a regular file"),
        (&link_to_fifo, "it is a FIFO, not a regular file"),
        (&scratch.0, "it is a directory, not a regular file"),
        (
            Path::new("/dev/zero"),
            "it is a character device, not a regular file",
        ),
        (&huge, "it is larger than 64 KiB"),
        (&over, "it is larger than 64 KiB"),
        (&binary, "the file is not UTF-8 text"),
    ];
    for (path, reason) in refused {
        let error = resolve_file(path).unwrap_err();
        assert!(error.starts_with("cannot read "), "{error}");
        assert!(error.ends_with(reason), "{}: {error}", path.display());
    }
    let missing = resolve_file(&scratch.path("missing")).unwrap_err();
    assert!(missing.contains("No such file"), "{missing}");

    // What mounted secrets are: a link to a regular file, followed; the cap itself is fine.
    let token = scratch.path("token");
    std::fs::write(&token, "file-token\n").unwrap();
    let link = scratch.path("link");
    std::os::unix::fs::symlink(&token, &link).unwrap();
    assert_eq!(resolve_file(&link).unwrap().expose(), "file-token");
    let exact = scratch.path("exact");
    std::fs::write(&exact, "x".repeat(64 * 1024)).unwrap();
    assert_eq!(resolve_file(&exact).unwrap().expose().len(), 64 * 1024);
}

#[cfg(unix)]
#[test]
fn manifests_are_regular_files_of_a_bounded_size() {
    let scratch = Scratch::new("manifests");
    let fifo_path = scratch.path("fifo.json");
    fifo(&fifo_path);
    let huge = scratch.path("huge.json");
    sized(&huge, MAX_MANIFEST_BYTES + 1);
    for (path, reason) in [
        (fifo_path.as_path(), "it is a FIFO, not a regular file"),
        (
            Path::new("/dev/zero"),
            "it is a character device, not a regular file",
        ),
        (scratch.0.as_path(), "it is a directory, not a regular file"),
        (huge.as_path(), "it is larger than 16384 KiB"),
    ] {
        let owned = path.to_owned();
        let error = within_seconds(move || Manifest::read(owned)).unwrap_err();
        assert!(matches!(error, MigrateError::Io { .. }), "{error}");
        assert!(error.to_string().ends_with(reason), "{error}");
    }
    let good = scratch.path("good.json");
    std::fs::write(&good, r#"{"version": 1, "connectors": []}"#).unwrap();
    let link = scratch.path("link.json");
    std::os::unix::fs::symlink(&good, &link).unwrap();
    assert!(Manifest::read(&link).unwrap().connectors.is_empty());
}

#[cfg(unix)]
#[test]
fn a_toolbox_over_a_fifo_secret_fails_at_once() {
    let scratch = Scratch::new("toolbox");
    let fifo_path = scratch.path("token");
    fifo(&fifo_path);
    let manifest = Manifest::from_json(
        &json!({"version": 1, "connectors": [
            {"id": "wiki", "name": "Wiki", "url": "https://wiki.example.com/search",
             "service_auth": {"type": "bearer", "token": {"file": fifo_path}}}
        ]})
        .to_string(),
    )
    .unwrap();
    let error = within_seconds(move || Toolbox::from_manifest(&manifest, &Secrets::from_env()))
        .unwrap_err();
    assert!(error.to_string().contains("it is a FIFO"), "{error}");
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

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

#[cfg(unix)]
#[tokio::test]
async fn exports_are_0600_and_keep_the_mode_of_the_file_they_replace() {
    let emulator = Emulator::builder().seed(2).start().await.unwrap();
    let client = emulator.client().unwrap();
    let scratch = Scratch::new("modes");
    let fresh = scratch.path("fresh.json");
    export_file(&client, &fresh).await.unwrap();
    assert_eq!(mode(&fresh), 0o600);
    for kept in [0o600, 0o640, 0o644] {
        let path = scratch.path(&format!("kept-{kept:o}.json"));
        std::fs::write(&path, "old").unwrap();
        set_mode(&path, kept);
        export_file(&client, &path).await.unwrap();
        assert_eq!(mode(&path), kept);
        assert_eq!(Manifest::read(&path).unwrap().connectors.len(), 2);
    }
}

#[cfg(unix)]
#[tokio::test]
async fn exports_never_follow_a_planted_link() {
    let emulator = Emulator::builder().seed(2).start().await.unwrap();
    let client = emulator.client().unwrap();
    let scratch = Scratch::new("links");
    let victim = scratch.path("victim");
    std::fs::write(&victim, "precious").unwrap();
    // The names the export used to write through: `.NAME.partial-PID`, predictable.
    for planted in [
        format!(".account.json.partial-{}", std::process::id()),
        ".account.json.partial".to_owned(),
    ] {
        std::os::unix::fs::symlink(&victim, scratch.path(&planted)).unwrap();
    }
    let target = scratch.path("account.json");
    export_file(&client, &target).await.unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    // A link at the target itself is replaced by the file, not written through.
    let linked = scratch.path("linked.json");
    std::os::unix::fs::symlink(&victim, &linked).unwrap();
    export_file(&client, &linked).await.unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&linked).unwrap().is_file());
    assert_eq!(mode(&linked), 0o600);
}

#[tokio::test]
async fn no_temporary_file_is_left_on_any_failure_or_cancellation() {
    let emulator = Emulator::builder().seed(2).start().await.unwrap();
    let scratch = Scratch::new("leftovers");
    // A rename onto a directory fails: the directory stays, nothing else appears.
    let directory = scratch.path("taken");
    std::fs::create_dir(&directory).unwrap();
    let error = export_file(&emulator.client().unwrap(), &directory)
        .await
        .unwrap_err();
    assert!(matches!(error, MigrateError::Io { .. }), "{error}");
    assert_eq!(scratch.names(), ["taken"]);

    // An API that fails: nothing written.
    let failing = MockServer::start_async().await;
    failing
        .mock_async(|when, then| {
            when.path("/v1/connectors");
            then.status(500).json_body(json!({"message": "down"}));
        })
        .await;
    let client = cohere_connectors::Client::builder()
        .api_key("key-0123456789")
        .base_url(failing.base_url())
        .max_retries(0)
        .build()
        .unwrap();
    assert!(
        export_file(&client, scratch.path("failed.json"))
            .await
            .is_err()
    );
    assert_eq!(scratch.names(), ["taken"]);

    // A slow API, and a caller that gives up: the dropped future leaves nothing behind.
    let slow = MockServer::start_async().await;
    slow.mock_async(|when, then| {
        when.path("/v1/connectors");
        then.status(200)
            .delay(Duration::from_secs(30))
            .json_body(json!({"connectors": [], "total_count": 0}));
    })
    .await;
    let client = cohere_connectors::Client::builder()
        .api_key("key-0123456789")
        .base_url(slow.base_url())
        .build()
        .unwrap();
    let given_up = tokio::time::timeout(
        Duration::from_millis(300),
        export_file(&client, scratch.path("cancelled.json")),
    )
    .await;
    assert!(given_up.is_err(), "the export should still be waiting");
    assert_eq!(scratch.names(), ["taken"]);
}

/// A plan of one change against a fresh emulator.
async fn one_change() -> Plan {
    let emulator = Emulator::start().await.unwrap();
    let desired = Manifest::from_json(
        &json!({"version": 1, "connectors": [{"name": "Wiki", "url": "https://wiki.example.com/search"}]})
            .to_string(),
    )
    .unwrap();
    plan(
        &emulator.client().unwrap(),
        &desired,
        PlanOptions::new().secrets(Secrets::none()),
    )
    .await
    .unwrap()
}

/// Saved plans go through the same writer as exports; these hold it to the same rules for
/// them: 0600 or the replaced file's mode, no link followed, nothing left on a failure.
#[cfg(unix)]
#[tokio::test]
async fn saved_plans_are_0600_never_follow_a_link_and_leave_nothing_behind() {
    let reviewed = one_change().await;
    let scratch = Scratch::new("saved-plans");
    let fresh = scratch.path("fresh.json");
    reviewed.save(&fresh).unwrap();
    assert_eq!(mode(&fresh), 0o600);
    assert_eq!(
        SavedPlan::read(&fresh).unwrap().plan().to_string(),
        reviewed.to_string()
    );
    for kept in [0o600, 0o640] {
        let path = scratch.path(&format!("kept-{kept:o}.json"));
        std::fs::write(&path, "old").unwrap();
        set_mode(&path, kept);
        reviewed.save(&path).unwrap();
        assert_eq!(mode(&path), kept);
    }

    let victim = scratch.path("victim");
    std::fs::write(&victim, "precious").unwrap();
    for planted in [
        format!(".plan.json.partial-{}", std::process::id()),
        ".plan.json.partial".to_owned(),
    ] {
        std::os::unix::fs::symlink(&victim, scratch.path(&planted)).unwrap();
    }
    reviewed.save(scratch.path("plan.json")).unwrap();
    let linked = scratch.path("linked.json");
    std::os::unix::fs::symlink(&victim, &linked).unwrap();
    reviewed.save(&linked).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(&linked).unwrap().is_file());
    assert_eq!(mode(&linked), 0o600);

    // A rename onto a directory fails: the directory stays, no temporary file appears.
    let before = scratch.names();
    let directory = scratch.path("taken");
    std::fs::create_dir(&directory).unwrap();
    let error = reviewed.save(&directory).unwrap_err();
    assert!(matches!(error, MigrateError::Io { .. }), "{error}");
    let mut expected = before;
    expected.push("taken".to_owned());
    expected.sort();
    let mut names = scratch.names();
    names.sort();
    assert_eq!(names, expected);
}
