//! The flags of a local user's OAuth sign-in, for commands that call OAuth connectors.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

/// A local user's tokens for the manifest's OAuth connectors, and how they sign in.
#[derive(Debug, Args)]
#[command(next_help_heading = "OAuth connectors (a local user's sign-in)")]
pub struct SignInArgs {
    /// Before serving, sign in to each OAuth connector without a usable token: the sign-in
    /// URL is printed on stderr, to open in a browser; the provider sends it back to a
    /// callback on this machine
    #[arg(long)]
    pub sign_in: bool,
    /// The local user whose tokens the OAuth connectors' tools are called with
    #[arg(long, value_name = "NAME", default_value = "local")]
    pub user: String,
    /// Where the users' tokens are kept (a private directory; files 0600) [default: the
    /// user's data directory, e.g. ~/.local/share/cohere-connectors/oauth-tokens]
    #[arg(long, value_name = "DIR")]
    pub token_store: Option<PathBuf>,
    /// The sign-in callback's address, on this machine's loopback (port 0: any free port;
    /// give one when the provider only accepts a registered redirect URL)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:0")]
    pub callback_addr: SocketAddr,
}
