//! The official MCP Python SDK, an independent client, against the kit's `/mcp` and
//! `cohere-connectors mcp --addr`: it lists the tools, calls them (documents, a missing query,
//! a connector that is down), over the handshake of the earlier revisions and the current
//! revision, and is refused without the token.
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `MCP_PYTHON` (see [`PythonClient`]).

use std::path::Path;

use cohere_connectors_testing::python::PythonClient;

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::server::{Access, ConnectorService};

use super::mcp::{MCP_TOKEN, manifest, serve_http, wiki};
use super::setup::Setup;

/// Runs the MCP Python SDK's script against `args` (a URL, the token, the tools it expects).
fn run(python: &PythonClient, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/mcp_client.py");
    let out = python.run(&script, args);
    assert!(out.starts_with("ok"), "{out}");
}

#[test]
fn the_mcp_python_sdk_is_served_by_the_kit_and_by_the_cli() {
    let Some(python) = PythonClient::from_env("MCP_PYTHON", "mcp") else {
        return;
    };
    let setup = Setup::new(7);

    // The kit's /mcp, beside /search.
    let connector = setup
        .runtime
        .block_on(
            ConnectorService::new(
                Access::service(ServiceAuth::bearer(MCP_TOKEN)).unwrap(),
                |request, _| async move {
                    Ok(vec![
                        Document::new()
                            .with_id("hr-1")
                            .with_title("Holidays")
                            .with_url("https://hr.example.com/1")
                            .with_text(format!("25 days ({})", request.query)),
                    ])
                },
            )
            .mcp(McpEndpoint::new())
            .bind("127.0.0.1:0"),
        )
        .unwrap();
    let kit_url = format!("http://{}/mcp", connector.addr());
    run(&python, &[&kit_url, MCP_TOKEN, "search"]);

    // `cohere-connectors mcp --addr`: a manifest's connectors, one of them down.
    let wiki = wiki(&setup);
    let manifest = manifest(&setup, &wiki);
    let (mut child, url, _stderr) = serve_http(&setup, &manifest, &[]);
    run(&python, &[&url, MCP_TOKEN, "search_wiki", "search_down"]);
    child.kill().unwrap();
    let _ = child.wait();
}
