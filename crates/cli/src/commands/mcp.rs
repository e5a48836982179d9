//! `mcp`: a manifest's connectors served as one MCP server, over stdio or Streamable HTTP.

use std::process::ExitCode;

use cohere_connectors::Secret;
use cohere_connectors_kit::server::mcp::Citations;
use cohere_connectors_migrate::mcp::{BrokerTokens, McpServer};
use cohere_connectors_migrate::{Manifest, Secrets};

use super::sign_in::local_oauth;
use crate::args::McpArgs;
use crate::failure::{Failure, Outcome};
use crate::{output, secrets};

const WHAT: &str = "bearer token";

pub async fn mcp(args: McpArgs) -> Outcome {
    log_to_stderr();
    // The command line first: a usage error is said before any file is read.
    let token = args.addr.map(|_| bearer_token(&args)).transpose()?;
    let manifest = Manifest::read(&args.file).map_err(Failure::error)?;
    let citations = if args.north_citations {
        Citations::North
    } else {
        Citations::Fields
    };
    let secrets = Secrets::from_env();
    let mut server = McpServer::from_manifest(&manifest, &secrets)
        .map_err(Failure::error)?
        .citations(citations);
    // Its OAuth connectors' tools called with the local user's tokens (signed in first
    // with --sign-in).
    if let Some(oauth) = local_oauth(&args.oauth, &manifest, &secrets, server.toolbox()).await? {
        server = server.user_tokens(BrokerTokens::local(oauth.broker, oauth.user));
    }
    let tools = server.toolbox().tools().len();
    let (Some(addr), Some(token)) = (args.addr, token) else {
        output::note(
            None,
            &format!("serving {tools} tool(s) over stdio until stdin closes"),
        );
        server.serve_stdio().await.map_err(Failure::error)?;
        return Ok(ExitCode::SUCCESS);
    };
    let http = server
        .http([token])
        .map_err(|error| Failure::Error(format!("the {WHAT} cannot be used: {error}")))?
        .path(args.path);
    let running = http
        .bind(addr)
        .await
        .map_err(|error| Failure::Error(format!("cannot listen on {addr}: {error}")))?;
    output::note(
        None,
        &format!(
            "serving {tools} tool(s) at {} (Streamable HTTP; send Authorization: Bearer <token>). Ctrl-C stops it.",
            running.url()
        ),
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|error| Failure::Error(format!("cannot wait for Ctrl-C: {error}")))?;
    running.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// The token from --token-file, --token-stdin, --token-env or (with a warning) --token.
fn bearer_token(args: &McpArgs) -> Result<Secret, Failure> {
    if let Some(path) = &args.token_file {
        secrets::from_file(path, WHAT)
    } else if args.token_stdin {
        secrets::from_stdin(WHAT)
    } else if let Some(name) = &args.token_env {
        secrets::from_env(name, WHAT)
    } else if let Some(token) = &args.token {
        secrets::from_flag(
            token,
            "--token",
            WHAT,
            "--token-file, --token-stdin or --token-env",
        )
    } else {
        Err(Failure::Usage(
            "--addr needs the bearer token requests must carry: --token-file, --token-stdin or --token-env".into(),
        ))
    }
}

/// Warnings (a connector's failed call, scrubbed) on stderr, one line each, never stdout:
/// in stdio mode stdout is the protocol's.
fn log_to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}
