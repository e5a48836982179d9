//! `cohere-connectors mcp` for a local user of OAuth connectors: `--sign-in` prints the
//! sign-in URL on stderr, a browser (a test HTTP client here) goes through the emulator's
//! provider and back to the loopback callback, the tokens land in a private token store, and
//! the tool calls carry them, in this run and the next.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cohere_connectors_emulator::OAuthProvider;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService, RunningConnector, SearchFailure};
use serde_json::{Value, json};

use super::mcp::binary_path;
use super::setup::{Setup, binary, code, stderr};

const SECRET_VARIABLE: &str = "CRM_OAUTH_SECRET";

/// The provider, an OAuth connector that takes only its tokens (and names whose they are),
/// and a manifest of it.
struct World {
    provider: OAuthProvider,
    _connector: RunningConnector,
    manifest: PathBuf,
    tokens: PathBuf,
}

fn world(setup: &Setup) -> World {
    let provider = setup.runtime.block_on(OAuthProvider::start()).unwrap();
    let checker = provider.token_checker();
    let connector = setup
        .runtime
        .block_on(
            ConnectorService::new(Access::user_token(), move |_, caller| {
                let subject = caller
                    .user_token()
                    .and_then(|token| checker.subject(token.expose()));
                async move {
                    let subject = subject.ok_or_else(|| SearchFailure::unauthorized("no"))?;
                    Ok(vec![
                        Document::new()
                            .with_id("1")
                            .with_title(format!("{subject}'s accounts")),
                    ])
                }
            })
            .bind("127.0.0.1:0"),
        )
        .unwrap();
    let manifest = setup.file(
        "oauth-manifest.json",
        &json!({"version": 1, "connectors": [{
            "id": "crm", "name": "CRM", "url": connector.url(),
            "oauth": {"client_id": provider.client_id(),
                      "client_secret": {"env": SECRET_VARIABLE},
                      "authorize_url": provider.authorize_url(),
                      "token_url": provider.token_url()}
        }]})
        .to_string(),
    );
    World {
        _connector: connector,
        manifest,
        tokens: setup.dir.join("tokens"),
        provider,
    }
}

/// `mcp --stdio` over the world's manifest and token store, with `extra` flags.
fn spawn(world: &World, extra: &[&str]) -> Child {
    Command::new(binary_path())
        .args(["mcp", "--stdio", "--user", "alice", "-f"])
        .arg(&world.manifest)
        .arg("--token-store")
        .arg(&world.tokens)
        .args(extra)
        .env(SECRET_VARIABLE, world.provider.client_secret().expose())
        .env_remove("CO_API_KEY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// The lines of a stream, read on a thread of their own.
fn lines(stream: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

/// Lines of `from` up to the first that `wanted` accepts, all of them kept in `seen`.
fn until(
    from: &mpsc::Receiver<String>,
    seen: &mut Vec<String>,
    wanted: impl Fn(&str) -> bool,
) -> String {
    loop {
        let line = from
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("waited for a line; stderr so far: {seen:#?}"));
        seen.push(line.clone());
        if wanted(&line) {
            return line;
        }
    }
}

/// Initializes, calls `search_crm`, and returns its answer and every line of stderr, the
/// server ended by closing its stdin.
fn call_search(mut child: Child, errors: &mpsc::Receiver<String>, seen: &mut Vec<String>) -> Value {
    let out = lines(child.stdout.take().unwrap());
    let mut stdin = child.stdin.take().unwrap();
    for request in [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "search_crm", "arguments": {"query": "renewals"}}}),
    ] {
        writeln!(stdin, "{request}").unwrap();
    }
    stdin.flush().unwrap();
    let answer = loop {
        let line = out
            .recv_timeout(Duration::from_secs(30))
            .expect("an answer");
        let message: Value = serde_json::from_str(&line).unwrap();
        if message["id"] == 2 {
            break message;
        }
    };
    drop(stdin);
    assert!(child.wait().unwrap().success());
    seen.extend(errors.iter());
    answer
}

/// Every file under `dir`.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(files(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn sign_in_prints_the_url_a_browser_completes_and_the_tool_calls_carry_the_token_from_then_on() {
    let setup = Setup::new(41);
    let world = world(&setup);
    let mut child = spawn(&world, &["--sign-in"]);
    let errors = lines(child.stderr.take().unwrap());
    let mut seen = Vec::new();

    // The URL, on its own line of stderr; a browser goes there and follows the redirects
    // back to the loopback callback.
    until(&errors, &mut seen, |line| {
        line.contains("sign in to `crm` as alice")
    });
    let url = until(&errors, &mut seen, |line| {
        line.trim_start().starts_with("http")
    });
    let url = url.trim().to_owned();
    assert!(url.starts_with(&world.provider.authorize_url()), "{url}");
    assert!(
        url.contains("code_challenge_method=S256") && url.contains("state="),
        "{url}"
    );
    let page = setup
        .runtime
        .block_on(async { reqwest::get(&url).await.unwrap().status() });
    assert_eq!(page, 200);
    until(&errors, &mut seen, |line| {
        line.contains("signed in to `crm`")
    });

    let answer = call_search(child, &errors, &mut seen);
    let result = &answer["result"];
    assert_ne!(result["isError"], true, "{answer}");
    assert!(
        result["structuredContent"]["documents"][0]["title"]
            .as_str()
            .unwrap()
            .ends_with("'s accounts"),
        "{answer}"
    );

    // The tokens are kept privately, and the next run uses them without signing in.
    let kept = files(&world.tokens);
    assert_eq!(kept.len(), 1, "{kept:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for file in &kept {
            let mode = std::fs::metadata(file).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", file.display());
        }
        let dir = std::fs::metadata(&world.tokens)
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(dir, 0o700);
    }
    let stored: Value = serde_json::from_slice(&std::fs::read(&kept[0]).unwrap()).unwrap();
    let access_token = stored["tokens"]["access_token"]
        .as_str()
        .expect("a stored token")
        .to_owned();

    let mut again = spawn(&world, &[]);
    let again_errors = lines(again.stderr.take().unwrap());
    let mut again_seen = Vec::new();
    let answer = call_search(again, &again_errors, &mut again_seen);
    assert_ne!(answer["result"]["isError"], true, "{answer}");
    assert!(
        !again_seen.iter().any(|line| line.contains("sign in to")),
        "{again_seen:#?}"
    );

    // Neither the client secret nor a token on either stream.
    let secret = world.provider.client_secret().expose();
    for line in seen.iter().chain(&again_seen) {
        assert!(
            !line.contains(secret) && !line.contains(&access_token),
            "{line}"
        );
    }
    assert!(!answer.to_string().contains(&access_token));
}

#[test]
fn without_a_sign_in_the_oauth_tool_says_the_user_must_sign_in() {
    let setup = Setup::new(42);
    let world = world(&setup);
    let mut child = spawn(&world, &[]);
    let errors = lines(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let answer = call_search(child, &errors, &mut seen);
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    assert!(answer.to_string().contains("sign in"), "{answer}");
}

#[test]
fn the_callback_must_be_on_loopback_and_the_user_a_plain_name() {
    let setup = Setup::new(43);
    let world = world(&setup);
    for (flags, said) in [
        (["--callback-addr", "0.0.0.0:0"], "loopback"),
        (["--user", ""], "--user"),
        (["--user", "eve\u{1b}[2J"], "--user"),
    ] {
        let output = binary()
            .args(["mcp", "--stdio", "--sign-in", "-f"])
            .arg(&world.manifest)
            .args(flags)
            .env(SECRET_VARIABLE, world.provider.client_secret().expose())
            .output()
            .unwrap();
        assert_eq!(code(&output), 64, "{flags:?}: {}", stderr(&output));
        assert!(stderr(&output).contains(said), "{}", stderr(&output));
        assert!(!stderr(&output).contains('\u{1b}'), "{}", stderr(&output));
    }
}

#[test]
fn a_token_store_others_can_write_to_is_refused() {
    let setup = Setup::new(44);
    let world = world(&setup);
    std::fs::create_dir_all(&world.tokens).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&world.tokens, std::fs::Permissions::from_mode(0o777)).unwrap();
        let output = binary()
            .args(["mcp", "--stdio", "-f"])
            .arg(&world.manifest)
            .arg("--token-store")
            .arg(&world.tokens)
            .env(SECRET_VARIABLE, world.provider.client_secret().expose())
            .output()
            .unwrap();
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        assert!(
            stderr(&output).contains("other users"),
            "{}",
            stderr(&output)
        );
    }
}

/// `chat` reads the same token store: a user signed in once (here through `mcp --sign-in`)
/// has their token in each of the chat's tool calls of their OAuth connector, and a chat
/// without a sign-in tells the model the user must sign in.
#[test]
fn chat_calls_an_oauth_connector_with_the_signed_in_users_token() {
    let setup = Setup::new(43);
    let world = world(&setup);
    let store = world.tokens.display().to_string();
    let manifest = world.manifest.display().to_string();
    let chat = |user: &str| {
        setup
            .cli()
            .args([
                "chat",
                "-f",
                &manifest,
                "renewals?",
                "--json",
                "--user",
                user,
            ])
            .args(["--token-store", &store])
            .env(SECRET_VARIABLE, world.provider.client_secret().expose())
            .output()
            .unwrap()
    };
    let unsigned = chat("alice");
    assert_eq!(code(&unsigned), 1, "{}", stderr(&unsigned));
    assert!(
        stderr(&unsigned).contains("call it with the user's token"),
        "{}",
        stderr(&unsigned)
    );

    let mut child = spawn(&world, &["--sign-in"]);
    let errors = lines(child.stderr.take().unwrap());
    let mut seen = Vec::new();
    let url = until(&errors, &mut seen, |line| {
        line.trim_start().starts_with("http")
    });
    let status = setup
        .runtime
        .block_on(async { reqwest::get(url.trim()).await.unwrap().status() });
    assert_eq!(status, 200);
    until(&errors, &mut seen, |line| {
        line.contains("signed in to `crm`")
    });
    call_search(child, &errors, &mut seen);

    let output = chat("alice");
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let source = &printed["citations"][0]["sources"][0];
    assert_eq!(source["connector"], "crm", "{printed}");
    assert!(
        source["title"].as_str().unwrap().ends_with("'s accounts"),
        "{printed}"
    );
    let secret = world.provider.client_secret().expose();
    for text in [
        stderr(&output),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    ] {
        assert!(!text.contains(secret), "{text}");
    }
    // Bob has not signed in: his chat cannot use Alice's token.
    let bob = chat("bob");
    assert_eq!(code(&bob), 1, "{}", stderr(&bob));
}
