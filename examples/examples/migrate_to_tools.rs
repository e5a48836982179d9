//! From connectors to Chat v2 tools, offline, in one command:
//!
//! ```sh
//! cargo run -p cohere-connectors-examples --example migrate_to_tools
//! ```
//!
//! 1. A connector service (the handbook of `search_connector`) registered with the emulator.
//! 2. The account exported to a manifest: everything the API returns, and references for the
//!    secrets it never returns.
//! 3. The secrets filled in, and each connector turned into a Chat v2 tool definition.
//! 4. A tool call, as a Chat v2 response would carry it, answered by searching the connector
//!    exactly as Cohere did: the tool message to send back, with `document` blocks.
//!
//! With a real account, step 2 is `export_file(&Client::from_env()?, "account.json")` (or
//! `cohere-connectors export -o account.json`); the rest is the same.
#![forbid(unsafe_code)]

use std::error::Error;
use std::sync::Arc;

use clap::Parser;
use cohere_connectors::ServiceAuth;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_examples::handbook::{Handbook, connector_service, random_token};
use cohere_connectors_migrate::{Manifest, SecretRef, Secrets, ToolCall, Toolbox, export};

/// From connectors to Chat v2 tools, offline: a connector registered, exported, turned into
/// a tool, and a tool call answered.
#[derive(Parser)]
#[command(name = "migrate_to_tools")]
struct Args {}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    Args::parse();
    // 1. The connector, registered (with the excludes Cohere applied to its documents).
    let token = random_token();
    let running = connector_service(Arc::new(Handbook::bundled()), token.clone())?
        .bind("127.0.0.1:0")
        .await?;
    let emulator = Emulator::builder().verify_connectors(true).start().await?;
    let client = emulator.client()?;
    client
        .connectors()
        .create("Handbook", running.url())
        .description("The staff handbook: travel, expenses, leave, security")
        .excludes(["score"])
        .service_auth(ServiceAuth::bearer(token.clone()))
        .send()
        .await?;

    // 2. Exported.
    let mut exported = Vec::new();
    let summary = export(&client, &mut exported).await?;
    let mut manifest = Manifest::from_json(std::str::from_utf8(&exported)?)?;
    println!(
        "== 1. The account, exported ({} connector, {} secret to fill)\n{}",
        summary.connectors,
        summary.secret_references,
        String::from_utf8(exported)?.trim_end()
    );

    // 3. Secrets filled: the token from wherever it is kept (here, the variable the export
    //    named), and how it is sent, which the API does not return either.
    let mut secrets = Secrets::from_env();
    for connector in &mut manifest.connectors {
        if let Some(auth) = &mut connector.definition.service_auth {
            auth.token_type = Some(cohere_connectors::AuthTokenType::Bearer);
            if let SecretRef::Env(name) = &auth.token {
                secrets = secrets.with(name.clone(), token.clone());
            }
        }
    }
    let toolbox = Toolbox::from_manifest(&manifest, &secrets)?;
    println!(
        "\n== 2. The tools, for the `tools` of a Chat v2 request\n{}",
        serde_json::to_string_pretty(&toolbox.definitions())?
    );

    // 4. A tool call as a Chat v2 response carries it, answered by searching the connector.
    let call: ToolCall = serde_json::from_value(serde_json::json!({
        "id": "call_0",
        "type": "function",
        "function": {
            "name": toolbox.tools()[0].name(),
            "arguments": "{\"query\": \"are taxis refunded at night\"}"
        }
    }))?;
    println!(
        "\n== 3. The model's tool call\n{}",
        serde_json::to_string_pretty(&call)?
    );
    let (message, error) = toolbox.call(&call, None).await;
    if let Some(error) = error {
        return Err(error.into());
    }
    println!(
        "\n== 4. The tool message for the next request's `messages` (`score` excluded, as before)\n{}",
        serde_json::to_string_pretty(&message)?
    );
    running.shutdown().await;
    emulator.shutdown().await;
    Ok(())
}
