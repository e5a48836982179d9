//! A real connector, end to end: a BM25 search over a bundled handbook, served with the
//! crate's server kit, checked as Cohere's registration would check it, registered with the
//! emulator (which calls it first, as Cohere does), searched as Cohere searches it, and asked
//! over MCP (the same service serves `/mcp` beside `/search`), as an MCP client would.
//!
//! ```sh
//! cargo run -p cohere-connectors-examples --example search_connector                  # the whole loop, offline
//! cargo run -p cohere-connectors-examples --example search_connector -- \
//!     --addr 127.0.0.1:8081 --token-file token.txt                                    # a standalone connector
//! ```
//!
//! Standalone, it serves `POST /search` and MCP at `/mcp` (Streamable HTTP), both with
//! service auth (`Authorization: Bearer TOKEN`), and `GET /health`, until Ctrl-C; the token can also come from `CONNECTOR_TOKEN`, or from `--token TOKEN`
//! (with a warning: the command line shows in `ps`).

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{CommandFactory, Parser};
use cohere_connectors::{Secret, ServiceAuth};
use cohere_connectors_emulator::Emulator;
use cohere_connectors_examples::handbook::{
    Handbook, connector_service as connector, random_token,
};
use cohere_connectors_kit::server::ConnectorService;
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::{Checker, ConnectorSearch, Document};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

/// A BM25 connector over a bundled handbook: the whole loop offline (no flags), or a
/// standalone connector (--addr) until Ctrl-C.
#[derive(Parser)]
#[command(name = "search_connector")]
#[command(
    after_help = "Environment:\n  CONNECTOR_TOKEN  the service token, when neither --token nor --token-file is given"
)]
struct Args {
    /// Serve the connector on this address until Ctrl-C
    #[arg(long, value_name = "HOST:PORT")]
    addr: Option<SocketAddr>,
    /// The service token, on the command line where `ps` shows it: prefer --token-file or
    /// CONNECTOR_TOKEN
    #[arg(
        long,
        value_name = "TOKEN",
        requires = "addr",
        conflicts_with = "token_file"
    )]
    token: Option<String>,
    /// Read the service token from a file
    #[arg(long, value_name = "PATH", requires = "addr")]
    token_file: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let Some(addr) = args.addr else {
        return offline_loop().await;
    };
    let token = match standalone_token(&args) {
        Ok(token) => token,
        Err(message) => Args::command()
            .error(clap::error::ErrorKind::MissingRequiredArgument, message)
            .exit(),
    };
    serve_standalone(addr, token).await
}

async fn offline_loop() -> Result<(), Box<dyn Error>> {
    let handbook = Arc::new(Handbook::bundled());
    let token = random_token();

    println!(
        "1. A connector: BM25 over a {}-page handbook, with service auth (bearer).",
        handbook.len()
    );
    let running = with_mcp(connector(Arc::clone(&handbook), token.clone())?)
        .bind("127.0.0.1:0")
        .await?;
    let url = running.url();
    let mcp_url = format!("http://{}/mcp", running.addr());
    println!("   serving POST {url}, and MCP at {mcp_url}\n");

    println!("2. Checked as Cohere's registration would check it (searching \"travel\"):");
    let report = Checker::new(url.as_str())
        .auth(ServiceAuth::bearer(token.clone()))
        .query("travel")
        .run()
        .await;
    println!("{}\n", indent(&report.to_string()));
    if !report.is_ok() {
        return Err("the connector failed its check".into());
    }

    println!("3. Registered with the emulator, which calls a connector before accepting it:");
    let emulator = Emulator::builder().verify_connectors(true).start().await?;
    let client = emulator.client()?;
    let refused = client
        .connectors()
        .create("Handbook", url.as_str())
        .service_auth(ServiceAuth::bearer("not-the-token"))
        .send()
        .await
        .expect_err("a wrong token is refused");
    println!("   with a wrong token: refused, {refused}");
    let created = client
        .connectors()
        .create("Handbook", url.as_str())
        .description("The staff handbook")
        .excludes(["id", "score"])
        .service_auth(ServiceAuth::bearer(token.clone()))
        .send()
        .await?;
    println!(
        "   with its token: created `{}` ({}), excludes {:?}\n",
        created.id,
        created
            .auth_type
            .as_ref()
            .map_or("no auth", |auth| auth.as_str()),
        &created.excludes
    );

    println!(
        "4. Searched as Cohere searches it (the fields in `excludes` stay out of the prompt):"
    );
    let search = ConnectorSearch::new(&url)?.service_auth(ServiceAuth::bearer(token.clone()));
    for question in [
        "Can I get a taxi refunded late at night?",
        "how many days of holiday do I have",
        "someone sent me a strange email with a link",
    ] {
        let answer = search.search(question).await?;
        println!("   \"{question}\"");
        for (rank, document) in answer.results.iter().enumerate() {
            println!("{}", describe(rank + 1, document, &created.excludes));
        }
    }

    println!("\n5. Asked over MCP, as an MCP client (North, a desktop assistant) asks it:");
    ask_over_mcp(&mcp_url, &token).await?;
    running.shutdown().await;
    emulator.shutdown().await;
    Ok(())
}

/// The service with MCP beside `/search`, and a health check.
fn with_mcp(service: ConnectorService) -> ConnectorService {
    service
        .mcp(McpEndpoint::new().description(
            "Searches the staff handbook: expenses, travel, holidays, security, benefits.",
        ))
        .health()
}

/// Lists the MCP tools and calls `search`, printing what a client would cite.
async fn ask_over_mcp(url: &str, token: &Secret) -> Result<(), Box<dyn Error>> {
    let config = StreamableHttpClientTransportConfig::with_uri(url.to_owned())
        .auth_header(token.expose().to_owned());
    let client = ().serve(StreamableHttpClientTransport::from_config(config)).await?;
    let tools = client.list_all_tools().await?;
    let names: Vec<&str> = tools.iter().map(|tool| tool.name.as_ref()).collect();
    println!("   tools: {names:?}");
    let mut arguments = serde_json::Map::new();
    arguments.insert("query".into(), "taxi late at night".into());
    let result = client
        .call_tool(CallToolRequestParams::new("search").with_arguments(arguments))
        .await?;
    println!(
        "   search \"taxi late at night\": {} document(s), cited as",
        result.content.len()
    );
    let documents = result
        .structured_content
        .as_ref()
        .and_then(|content| content["documents"].as_array().cloned())
        .unwrap_or_default();
    for document in documents {
        println!(
            "     [{}] {} <{}>",
            document["id"].as_str().unwrap_or_default(),
            document["title"].as_str().unwrap_or("(untitled)"),
            document["url"].as_str().unwrap_or_default()
        );
    }
    client.cancel().await?;
    Ok(())
}

fn describe(rank: usize, document: &Document, excludes: &[String]) -> String {
    let shown = document.clone().excluding(excludes);
    let text = shown.text().unwrap_or_default();
    let short: String = text.chars().take(90).collect();
    let ellipsis = if text.chars().count() > 90 { "…" } else { "" };
    format!(
        "     {rank}. {} (score {}, {})\n        {short}{ellipsis}\n        {}",
        shown.title().unwrap_or("(untitled)"),
        document.get("score").unwrap_or("?"),
        shown.timestamp().unwrap_or("undated"),
        shown.url().unwrap_or_default()
    )
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|line| format!("   {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The token from --token (with a warning), --token-file or CONNECTOR_TOKEN.
fn standalone_token(args: &Args) -> Result<Secret, String> {
    let token = if let Some(token) = &args.token {
        eprintln!(
            "warning: --token shows the token in `ps`: prefer --token-file or CONNECTOR_TOKEN"
        );
        Some(token.clone())
    } else if let Some(path) = &args.token_file {
        let text = std::fs::read_to_string(path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        Some(text.trim().to_owned())
    } else {
        std::env::var("CONNECTOR_TOKEN").ok()
    };
    token
        .filter(|token| !token.trim().is_empty())
        .map(Secret::new)
        .ok_or_else(|| "a token is required: --token-file, CONNECTOR_TOKEN or --token".to_owned())
}

async fn serve_standalone(addr: SocketAddr, token: Secret) -> Result<(), Box<dyn Error>> {
    let running = with_mcp(connector(Arc::new(Handbook::bundled()), token)?)
        .bind(addr)
        .await?;
    let url = running.url();
    let base = url.trim_end_matches("/search");
    println!(
        "The handbook connector is serving POST {url}, MCP at {base}/mcp (both with service auth: bearer), and GET {base}/health. Try:"
    );
    println!(
        "  curl -s -X POST {url} -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -d '{{\"query\": \"holiday\"}}'"
    );
    println!(
        "  curl -s -X POST {base}/mcp -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\\n      -d '{{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"tools/call\", \"params\": {{\"name\": \"search\", \"arguments\": {{\"query\": \"holiday\"}}}}}}'"
    );
    println!(
        "Register it with service_auth {{\"type\": \"bearer\", \"token\": ...}}. Ctrl-C stops it."
    );
    tokio::signal::ctrl_c().await?;
    running.shutdown().await;
    Ok(())
}
