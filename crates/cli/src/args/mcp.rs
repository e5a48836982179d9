//! `mcp`: a manifest's connectors served as one MCP server.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{ArgGroup, Args};

use super::SignInArgs;

const ABOUT_MCP: &str = "\
Each active connector of the manifest becomes a tool (search_<id>), called as Cohere called it:
its service auth, its excludes, a 30 s deadline. Secret references ({\"env\": NAME}, {\"file\": PATH})
are resolved at start.

With --stdio, stdout carries the protocol and nothing else; notes and logs go to stderr.
With --addr, every request needs Authorization: Bearer <token>, the token read from
--token-file, --token-stdin or --token-env (never shown, never logged).

An OAuth connector's tool is called with the token of a local user (--user, default
`local`), kept in a private directory (--token-store) and refreshed when it expires. With
--sign-in, each OAuth connector the user has no usable token for is signed in to first: its
sign-in URL is printed on stderr, the browser comes back to a callback on 127.0.0.1. The
OAuth client secrets come from the manifest's references.

Examples:
  cohere-connectors mcp -f account.json --stdio
  cohere-connectors mcp -f account.json --stdio --sign-in
  cohere-connectors mcp -f account.json --addr 127.0.0.1:8090 --token-file mcp-token.txt";

#[derive(Debug, Args)]
#[command(
    after_help = ABOUT_MCP,
    group(ArgGroup::new("transport").required(true).args(["stdio", "addr"]))
)]
pub struct McpArgs {
    /// The manifest whose active connectors become tools
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,
    /// Serve one client over stdin and stdout (desktop clients start the server themselves)
    #[arg(long)]
    pub stdio: bool,
    /// Serve MCP's Streamable HTTP on this address until Ctrl-C
    #[arg(long, value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,
    /// Where MCP is served over HTTP
    #[arg(long, value_name = "PATH", default_value = "/mcp", requires = "addr")]
    pub path: String,
    /// Read the bearer token HTTP requests must carry from a file
    #[arg(long, value_name = "PATH", requires = "addr", conflicts_with_all = ["stdio", "token_stdin", "token_env", "token"])]
    pub token_file: Option<PathBuf>,
    /// Read the bearer token from stdin
    #[arg(long, requires = "addr", conflicts_with_all = ["stdio", "token_env", "token"])]
    pub token_stdin: bool,
    /// Read the bearer token from this environment variable
    #[arg(long, value_name = "VAR", requires = "addr", conflicts_with_all = ["stdio", "token"])]
    pub token_env: Option<String>,
    /// The bearer token, on the command line where `ps` shows it (a warning says so): prefer
    /// a file, stdin or a variable
    #[arg(
        long,
        value_name = "TOKEN",
        requires = "addr",
        conflicts_with = "stdio"
    )]
    pub token: Option<String>,
    /// Add North's citation metadata (`_north_metadata`) to each document
    #[arg(long)]
    pub north_citations: bool,
    #[command(flatten)]
    pub oauth: SignInArgs,
}
