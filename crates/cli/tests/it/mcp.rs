//! `cohere-connectors mcp`, run as a client runs it: over stdio (rmcp's client with the
//! binary as its child process, and byte for byte, every stdout line a JSON-RPC message),
//! over Streamable HTTP, and under the CLI's rules (its secrets never on stdout or stderr,
//! `--token` warned about, usage errors).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::server::{Access, RunningConnector};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

use super::setup::{Setup, TOKEN, binary, code, stderr, stdout};

pub const MCP_TOKEN: &str = "cli-mcp-bearer-token-0123456789";

/// The binary's path, for a child process of rmcp's own.
pub fn binary_path() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_cohere-connectors"))
}

/// A manifest of a wiki with service auth (its token from `WIKI_TOKEN`), a connector that is
/// down, and an inactive one.
pub fn manifest(setup: &Setup, wiki: &RunningConnector) -> PathBuf {
    let down = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/search", listener.local_addr().unwrap())
    };
    setup.file(
        "mcp-manifest.json",
        &json!({"version": 1, "connectors": [
            {"id": "wiki", "name": "Wiki", "url": wiki.url(), "description": "The wiki",
             "excludes": ["timestamp"],
             "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}},
            {"id": "down", "name": "Down", "url": down},
            {"id": "old", "name": "Old", "url": "https://old.example.com/search", "active": false}
        ]})
        .to_string(),
    )
}

pub fn wiki(setup: &Setup) -> RunningConnector {
    setup.connector(Access::service(ServiceAuth::bearer(TOKEN)).unwrap())
}

fn arguments(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => unreachable!(),
    }
}

pub async fn call(
    client: &RunningService<RoleClient, ()>,
    name: &str,
    query: &str,
) -> CallToolResult {
    client
        .call_tool(
            CallToolRequestParams::new(name.to_owned())
                .with_arguments(arguments(json!({"query": query}))),
        )
        .await
        .unwrap()
}

/// Listing, a call that finds, a connector that is down, with whatever client.
async fn serves_the_account(client: &RunningService<RoleClient, ()>) {
    let tools = client.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    assert_eq!(names, ["search_wiki", "search_down"]);
    let found = call(client, "search_wiki", "tea").await;
    assert_eq!(
        found.structured_content,
        Some(
            json!({"documents": [{"id": "search_wiki:1", "title": "Hit", "text": "tea", "url": "https://e.example.com/1"}]})
        )
    );
    let down = call(client, "search_down", "tea").await;
    assert_eq!(down.is_error, Some(true));
    let said = &down.content[0].as_text().unwrap().text;
    assert!(
        said.starts_with("the connector could not be reached"),
        "{said}"
    );
    assert_eq!(
        call(client, "search_wiki", "again").await.is_error,
        Some(false)
    );
}

#[test]
fn over_stdio_with_rmcps_client_and_the_binary_as_its_child() {
    let setup = Setup::new(1);
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    setup.runtime.block_on(async {
        let mut command = tokio::process::Command::new(binary_path());
        command
            .args(["mcp", "--stdio", "-f"])
            .arg(&manifest)
            .env("WIKI_TOKEN", TOKEN)
            .env_remove("CO_API_KEY");
        let (transport, _stderr) = TokioChildProcess::builder(command)
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let client = ().serve(transport).await.unwrap();
        serves_the_account(&client).await;
        client.cancel().await.unwrap();
    });
}

/// Reads `child`'s stdout lines on a thread of their own.
fn lines_of(child: &mut Child) -> mpsc::Receiver<String> {
    let stdout = child.stdout.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    receiver
}

#[test]
fn in_stdio_mode_stdout_is_only_protocol_and_no_secret_reaches_either_stream() {
    let setup = Setup::new(2);
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    let mut child = Command::new(binary_path())
        .args(["mcp", "--stdio", "-f"])
        .arg(&manifest)
        .env("WIKI_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = lines_of(&mut child);
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}),
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
        json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}),
        json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "search_wiki", "arguments": {"query": format!("echo {TOKEN}")}}}),
        json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": "search_down", "arguments": {"query": "x"}}}),
        json!({"jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"name": "nope", "arguments": {"query": "x"}}}),
        json!({"jsonrpc": "2.0", "id": 6, "method": "tools/call", "params": {"name": "search_wiki", "arguments": {}}}),
    ];
    let mut stdin = child.stdin.take().unwrap();
    for request in &requests {
        writeln!(stdin, "{request}").unwrap();
    }
    // Not JSON-RPC at all: the server must not answer it on stdout with anything else.
    writeln!(stdin, "this is not json \u{1b}[2J").unwrap();
    stdin.flush().unwrap();
    let mut answers = std::collections::BTreeMap::new();
    let mut printed = Vec::new();
    while answers.len() < 6 {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("an answer per request");
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON on stdout: {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        if let Some(id) = message["id"].as_u64() {
            answers.insert(id, message);
        }
        printed.push(line);
    }
    drop(stdin);
    let status = child.wait().unwrap();
    printed.extend(lines.iter());
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();

    assert!(status.success(), "{err}");
    for line in &printed {
        let message: Value =
            serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON on stdout: {line:?}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        assert!(!line.contains(TOKEN), "{line}");
    }
    assert!(!err.contains(TOKEN), "{err}");
    assert!(err.contains("serving 2 tool(s) over stdio"), "{err}");
    assert!(err.contains("a connector's tool call failed"), "{err}");
    assert_eq!(answers[&2]["result"]["tools"].as_array().unwrap().len(), 2);
    let found = &answers[&3]["result"]["structuredContent"]["documents"][0];
    assert_eq!(
        found["text"], "echo [redacted]",
        "the query echoed back is scrubbed too"
    );
    assert_eq!(answers[&4]["result"]["isError"], true);
    assert_eq!(answers[&5]["error"]["code"], -32602);
    assert_eq!(answers[&6]["result"]["isError"], true);
}

/// The binary serving HTTP on a free port, and the URL it printed on stderr.
pub fn serve_http(
    setup: &Setup,
    manifest: &Path,
    token_args: &[&str],
) -> (Child, String, mpsc::Receiver<String>) {
    let token_file = setup.file("mcp-token.txt", &format!("{MCP_TOKEN}\n"));
    let mut command = Command::new(binary_path());
    command
        .args(["mcp", "--addr", "127.0.0.1:0", "-f"])
        .arg(manifest)
        .env("WIKI_TOKEN", TOKEN)
        .env("MCP_TOKEN", MCP_TOKEN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if token_args.is_empty() {
        command.arg("--token-file").arg(token_file);
    } else {
        command.args(token_args);
    }
    let mut child = command.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                return;
            }
        }
    });
    let mut said = Vec::new();
    let url = loop {
        let line = receiver
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no URL on stderr: {said:?}"));
        if let Some(start) = line.find("http://") {
            let url: String = line[start..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            said.push(line);
            break url;
        }
        said.push(line);
    };
    for line in &said {
        assert!(!line.contains(MCP_TOKEN) && !line.contains(TOKEN), "{line}");
    }
    let (rest_sender, rest) = mpsc::channel();
    std::thread::spawn(move || {
        for line in said.into_iter().chain(receiver.iter()) {
            let _ = rest_sender.send(line);
        }
    });
    (child, url, rest)
}

pub async fn http_client(url: &str, token: &str) -> RunningService<RoleClient, ()> {
    let config =
        StreamableHttpClientTransportConfig::with_uri(url.to_owned()).auth_header(token.to_owned());
    ().serve(StreamableHttpClientTransport::with_client(
        reqwest::Client::new(),
        config,
    ))
    .await
    .unwrap()
}

#[test]
fn over_http_with_the_bearer_token_from_a_file_stdin_or_the_environment() {
    let setup = Setup::new(3);
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    for token_args in [&[][..], &["--token-env", "MCP_TOKEN"][..]] {
        let (mut child, url, stderr_lines) = serve_http(&setup, &manifest, token_args);
        assert!(url.ends_with("/mcp"), "{url}");
        setup.runtime.block_on(async {
            let client = http_client(&url, MCP_TOKEN).await;
            serves_the_account(&client).await;
            let refused = reqwest::Client::new()
                .post(&url)
                .header("authorization", "Bearer not-the-token")
                .send()
                .await
                .unwrap();
            assert_eq!(refused.status(), 401);
        });
        child.kill().unwrap();
        let _ = child.wait();
        let mut out = String::new();
        std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
        assert_eq!(out, "", "nothing on stdout");
        let err: Vec<String> = stderr_lines.try_iter().collect();
        let err = err.join("\n");
        assert!(!err.contains(MCP_TOKEN) && !err.contains(TOKEN), "{err}");
    }
    // From stdin.
    let output = binary()
        .args(["mcp", "--addr", "127.0.0.1:0", "--token-stdin", "-f"])
        .arg(&manifest)
        .env("WIKI_TOKEN", TOKEN)
        .write_stdin("   \n")
        .output()
        .unwrap();
    assert_eq!(code(&output), 1, "a blank token on stdin is refused");
    assert!(
        stderr(&output).contains("the bearer token is empty"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_token_on_the_command_line_is_warned_about_and_never_echoed() {
    let setup = Setup::new(4);
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    let (mut child, url, stderr_lines) = serve_http(&setup, &manifest, &["--token", MCP_TOKEN]);
    setup.runtime.block_on(async {
        let client = http_client(&url, MCP_TOKEN).await;
        assert_eq!(client.list_all_tools().await.unwrap().len(), 2);
    });
    child.kill().unwrap();
    let _ = child.wait();
    let err: Vec<String> = stderr_lines.try_iter().collect();
    let err = err.join("\n");
    assert!(
        err.contains("warning: --token puts the bearer token on the command line"),
        "{err}"
    );
    assert!(!err.contains(MCP_TOKEN), "{err}");
}

#[test]
fn usage_errors_say_what_is_missing() {
    let setup = Setup::new(5);
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    let neither = binary()
        .args(["mcp", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(code(&neither), 64);
    let no_token = binary()
        .args(["mcp", "--addr", "127.0.0.1:0", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(code(&no_token), 64);
    assert!(
        stderr(&no_token).contains("--addr needs the bearer token"),
        "{}",
        stderr(&no_token)
    );
    let token_in_stdio = binary()
        .args(["mcp", "--stdio", "--token-file", "x", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(code(&token_in_stdio), 64);
    // A secret the manifest names but the environment lacks: refused at start, named, exit 1.
    let unresolved = binary()
        .args(["mcp", "--stdio", "-f"])
        .arg(&manifest)
        .output()
        .unwrap();
    assert_eq!(code(&unresolved), 1);
    assert!(
        stderr(&unresolved).contains("WIKI_TOKEN"),
        "{}",
        stderr(&unresolved)
    );
    assert_eq!(stdout(&unresolved), "");
}

#[test]
fn the_mcp_help_is_the_one_reviewed() {
    let output = binary()
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["mcp", "--help"])
        .output()
        .unwrap();
    assert_eq!(code(&output), 0);
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/mcp-help.txt");
    let help = stdout(&output);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &help).unwrap();
    }
    assert_eq!(
        help,
        std::fs::read_to_string(&path).unwrap_or_default(),
        "mcp-help.txt changed: review it, then run with UPDATE_SNAPSHOTS=1"
    );
}
