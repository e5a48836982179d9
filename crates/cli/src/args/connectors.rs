//! The commands on one connector at a time, and the listing.

use std::path::PathBuf;

use clap::Args;

use super::{Connection, OAuthFlags, ServiceToken};

/// How machine output is written.
#[derive(Debug, Args)]
pub struct JsonOutput {
    /// Write JSON (URL passwords hidden, as everywhere)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Write a JSON array (streamed)
    #[arg(long, conflicts_with = "jsonl")]
    pub json: bool,
    /// Write one JSON object per line (streamed)
    #[arg(long)]
    pub jsonl: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The connector's id
    pub id: String,
    #[command(flatten)]
    pub output: JsonOutput,
    #[command(flatten)]
    pub connection: Connection,
}

/// A connector's two switches, the same flags for `create` and `update`.
#[derive(Debug, Args)]
pub struct States {
    /// Make it active: chats may use it (a new connector is)
    #[arg(long, conflicts_with = "inactive")]
    pub active: bool,
    /// Make it inactive: chats do not use it
    #[arg(long)]
    pub inactive: bool,
    /// Let chats continue when it fails
    #[arg(long, conflicts_with = "no_continue_on_failure")]
    pub continue_on_failure: bool,
    /// Make chats fail when it fails (a new connector does)
    #[arg(long)]
    pub no_continue_on_failure: bool,
}

impl States {
    /// `Some(true)` for `--active`, `Some(false)` for `--inactive`, `None` for neither.
    pub fn active(&self) -> Option<bool> {
        either(self.active, self.inactive)
    }

    /// Likewise for `--continue-on-failure` and `--no-continue-on-failure`.
    pub fn continue_on_failure(&self) -> Option<bool> {
        either(self.continue_on_failure, self.no_continue_on_failure)
    }
}

fn either(yes: bool, no: bool) -> Option<bool> {
    match (yes, no) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  cohere-connectors create --name Wiki --url https://wiki.example.com/search --exclude id
  cohere-connectors create -f wiki.json     (a manifest entry: secrets as {\"env\": ...} or {\"file\": ...})

A connector with the same name (ignoring case) is refused: the API would make `wiki-2`.")]
pub struct CreateArgs {
    /// A file with the connector: one entry of a manifest
    #[arg(short = 'f', long, value_name = "FILE", conflicts_with_all = ["name", "url"])]
    pub file: Option<PathBuf>,
    /// Its name
    #[arg(long, required_unless_present = "file")]
    pub name: Option<String>,
    /// Its search URL
    #[arg(long, required_unless_present = "file")]
    pub url: Option<String>,
    /// Its description
    #[arg(long)]
    pub description: Option<String>,
    /// A document field to keep out of the prompt (repeat for several)
    #[arg(long = "exclude", value_name = "FIELD")]
    pub excludes: Vec<String>,
    #[command(flatten)]
    pub states: States,
    /// Create it even if a connector with the same name exists (the API gives it `<id>-2`)
    #[arg(long)]
    pub allow_duplicate_name: bool,
    #[command(flatten)]
    pub service: ServiceToken,
    #[command(flatten)]
    pub oauth: OAuthFlags,
    #[command(flatten)]
    pub output: JsonOutput,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  cohere-connectors update wiki --url https://new.example.com/search
  cohere-connectors update wiki --inactive
  cohere-connectors update wiki --service-auth bearer --service-token-file new-token.txt")]
pub struct UpdateArgs {
    /// The connector's id
    pub id: String,
    /// A new name
    #[arg(long)]
    pub name: Option<String>,
    /// A new search URL
    #[arg(long)]
    pub url: Option<String>,
    /// Replace the excludes (repeat for several)
    #[arg(
        long = "exclude",
        value_name = "FIELD",
        conflicts_with = "clear_excludes"
    )]
    pub excludes: Vec<String>,
    /// Remove every exclude
    #[arg(long)]
    pub clear_excludes: bool,
    #[command(flatten)]
    pub states: States,
    #[command(flatten)]
    pub service: ServiceToken,
    #[command(flatten)]
    pub oauth: OAuthFlags,
    #[command(flatten)]
    pub output: JsonOutput,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The connector's id
    pub id: String,
    /// Do not ask (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The connector's id
    pub id: String,
    /// Where the user lands after authorizing
    #[arg(long, value_name = "URL")]
    pub after_token_redirect: Option<String>,
    #[command(flatten)]
    pub connection: Connection,
}
