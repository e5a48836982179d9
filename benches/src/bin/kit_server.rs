//! `kit_server`: a connector service of the kit (`POST /search`, and `POST /mcp` with MCP on)
//! in a process of its own, for `server_load`; prints its base URL on the first line of
//! stdout and runs until killed. The search answers three short documents whatever the query,
//! so that what is measured is the kit (authentication, body read, deadline, scrubbing,
//! answer), not a search.
#![forbid(unsafe_code)]

use cohere_connectors::ServiceAuth;
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::mcp::McpEndpoint;
use cohere_connectors_kit::server::{Access, ConnectorService};

/// The service token `server_load` sends.
pub const TOKEN: &str = "kit-load-token-0123456789";

#[tokio::main]
async fn main() {
    let access = Access::service(ServiceAuth::bearer(TOKEN)).expect("a valid token");
    let service = ConnectorService::new(access, |request, _caller| async move {
        Ok((1..=3)
            .map(|index| {
                Document::new()
                    .with_id(format!("doc-{index}"))
                    .with_title(format!("Result {index}"))
                    .with_text(format!("What the handbook says about {}.", request.query))
            })
            .collect())
    })
    .mcp(McpEndpoint::new());
    let running = service.bind("127.0.0.1:0").await.expect("a local port");
    let url = running.url();
    let base = url.strip_suffix("/search").unwrap_or(&url);
    println!("{base}");
    std::future::pending::<()>().await;
}
