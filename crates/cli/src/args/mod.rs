//! The command line: every command, flag and environment variable, with help and examples.
//! Definitions only; what the flags do is in `commands`.

mod chat;
mod check;
mod connection;
mod connectors;
mod manifest;
mod mcp;
mod secrets;
mod sign_in;

use clap::{Parser, Subcommand, ValueEnum};
use cohere_connectors_emulator::cli::EmulatorArgs;

pub use chat::ChatArgs;
pub use check::CheckArgs;
pub use connection::Connection;
pub use connectors::{
    AuthorizeArgs, CreateArgs, DeleteArgs, GetArgs, JsonOutput, ListArgs, UpdateArgs,
};
pub use manifest::{ApplyArgs, ExportArgs, PlanArgs, Planning, Showing};
pub use mcp::McpArgs;
pub use secrets::{OAuthFlags, ServiceToken};
pub use sign_in::SignInArgs;

const EXAMPLES: &str = "\
Examples:
  cohere-connectors list                          a table of the account's connectors
  cohere-connectors list --jsonl | jq .id         one JSON object per line, streamed
  cohere-connectors create --name Wiki --url https://wiki.example.com/search \\
      --service-auth bearer --service-token-file token.txt
  cohere-connectors update wiki --service-auth bearer --service-token-stdin < new-token.txt
  cohere-connectors export -o account.json        every connector, secrets as references
  cohere-connectors plan -f account.json          exit code 2 when the account differs
  cohere-connectors apply -f account.json --prune --yes
  cohere-connectors plan -f account.json -o plan.json
                                                  the plan saved, to review
  cohere-connectors apply plan.json --yes         that plan, or nothing if the account
                                                  changed since
  cohere-connectors check https://wiki.example.com/search \\
      --service-auth bearer --service-token-file token.txt
  cohere-connectors chat -f account.json \"Are taxis refunded at night?\"
                                                  an answer citing the connectors
  cohere-connectors mcp -f account.json --stdio   the connectors as tools of an MCP client
  cohere-connectors emulator --seed 20            a local, offline Connectors API

Environment:
  CO_API_KEY, COHERE_API_KEY              the API key, in this order (or --api-key-file,
                                          --api-key-stdin)
  CO_API_URL                              the API's base URL (or --base-url), e.g. an emulator's
  COHERE_CONNECTORS_ALLOW_INSECURE_HTTP   1: as --allow-insecure-http
  NO_COLOR                                no colour, whatever the terminal

Exit codes: 0 success (plan: no change), 1 failure (apply: also a saved plan refused),
            2 plan: the account differs (with -o too), 64 wrong usage. A closed stdout
            (`| head`) stops a command quietly, with the code it had reached (plan: 2 when
            the account differs).";

/// Manage Cohere connectors from a terminal, a CI job or a manifest.
#[derive(Debug, Parser)]
#[command(name = "cohere-connectors", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// When to use colour
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
    #[command(subcommand)]
    pub command: Command,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Color {
    /// On a terminal, unless NO_COLOR is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the account's connectors (a table, or JSON for machines)
    List(ListArgs),
    /// Show one connector
    Get(GetArgs),
    /// Create a connector, from flags or a file
    Create(CreateArgs),
    /// Change a connector: URL, name, excludes, state, or its credentials (rotate a token)
    Update(UpdateArgs),
    /// Delete a connector (asks first, unless --yes)
    Delete(DeleteArgs),
    /// Print the URL that starts a connector's OAuth authorization
    Authorize(AuthorizeArgs),
    /// Write every connector of the account to a manifest (secrets as references)
    Export(ExportArgs),
    /// Show what would make the account match a manifest (exit code 2 when it differs)
    Plan(PlanArgs),
    /// Apply a manifest or a saved plan to the account (asks before deleting, unless --yes)
    Apply(ApplyArgs),
    /// Check a connector service the way Cohere's registration does
    Check(CheckArgs),
    /// Ask a model that searches the manifest's connectors, citing them (Chat v2)
    Chat(ChatArgs),
    /// Print the manifest's JSON Schema
    Schema,
    /// Serve a manifest's connectors as one MCP server (stdio, or Streamable HTTP)
    Mcp(McpArgs),
    /// Run the Connectors API emulator until Ctrl-C (the flags of cohere-connectors-emulator)
    Emulator(EmulatorArgs),
    /// Print shell completions
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}
