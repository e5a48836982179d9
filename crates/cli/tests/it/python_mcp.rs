//! The official MCP Python SDK, an independent client, against the kit's `/mcp` and
//! `cohere-connectors mcp --addr`: it lists the tools, calls them (documents, a missing query,
//! a connector that is down), over the handshake of the earlier revisions and the current
//! revision, and is refused without the token.
//!
//! The SDK comes from PyPI: CI installs it (`.ci/run`) and names the interpreter in
//! `MCP_PYTHON`. Without it the test is skipped with a printed reason; in CI (`CI` set) its
//! absence is a failure.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::server::{Access, ConnectorService};

use super::mcp::{MCP_TOKEN, manifest, serve_http, wiki};
use super::setup::Setup;

fn python() -> Option<OsString> {
    let python = std::env::var_os("MCP_PYTHON");
    if python.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must set MCP_PYTHON to a Python with the MCP SDK (`mcp`) installed"
        );
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            b"SKIPPED: set MCP_PYTHON to a Python with `mcp` installed to run the MCP Python SDK against the MCP servers\n",
        );
    }
    python
}

fn run(python: &OsString, args: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/mcp_client.py");
    let output = Command::new(python)
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(
        output.status.success(),
        "the MCP Python SDK failed:\n{out}\n{err}"
    );
    assert!(out.starts_with("ok"), "{out}\n{err}");
}

#[test]
fn the_mcp_python_sdk_is_served_by_the_kit_and_by_the_cli() {
    let Some(python) = python() else { return };
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
