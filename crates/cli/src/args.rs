//! The command line: every command, flag and environment variable, with help and examples.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  cohere-connectors list                          a table of the account's connectors
  cohere-connectors list --jsonl | jq .id         one JSON object per line, streamed
  cohere-connectors create --name Wiki --url https://wiki.example.com/search \\
      --service-auth bearer --service-token-file token.txt
  cohere-connectors update wiki --service-auth bearer --service-token-stdin < new-token.txt
  cohere-connectors export -o account.json        every connector, secrets as references
  cohere-connectors plan -f account.json          exit code 2 when the account differs
  cohere-connectors apply -f account.json --prune
  cohere-connectors check https://wiki.example.com/search --service-auth bearer --service-token-file token.txt
  cohere-connectors emulator --seed 20            a local, offline Connectors API

Environment:
  CO_API_KEY    the API key (or --api-key, --api-key-file)
  CO_API_URL    the API's base URL (or --base-url), e.g. an emulator's
  NO_COLOR      no colour, whatever the terminal

Exit codes: 0 success (plan: no change), 1 failure, 2 plan: the account differs,
            64 wrong usage.";

/// Manage Cohere connectors from a terminal, a CI job or a manifest.
#[derive(Debug, Parser)]
#[command(name = "cohere-connectors", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options of every command.
#[derive(Debug, Args)]
pub struct Global {
    /// The Cohere API key (prefer CO_API_KEY or --api-key-file: flags show in `ps`)
    #[arg(
        long,
        env = "CO_API_KEY",
        hide_env_values = true,
        global = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
    /// Read the API key from a file
    #[arg(long, global = true, value_name = "PATH", conflicts_with = "api_key")]
    pub api_key_file: Option<PathBuf>,
    /// The API's base URL [default: https://api.cohere.com]
    #[arg(
        long,
        env = "CO_API_URL",
        hide_env_values = true,
        global = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,
    /// When to use colour
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    pub color: Color,
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
    /// Make the account match a manifest
    Apply(PlanArgs),
    /// Check a connector service the way Cohere's registration does
    Check(CheckArgs),
    /// Print the manifest's JSON Schema
    Schema,
    /// Run the Connectors API emulator until Ctrl-C
    Emulator(EmulatorArgs),
    /// Print shell completions
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// How machine output is written.
#[derive(Debug, Args)]
pub struct JsonOutput {
    /// Write JSON
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
}

#[derive(Debug, Args)]
pub struct GetArgs {
    /// The connector's id
    pub id: String,
    #[command(flatten)]
    pub output: JsonOutput,
}

/// Where a token comes from: a flag, a file or stdin.
#[derive(Debug, Args, Default)]
pub struct ServiceToken {
    /// How the service token is sent: bearer, basic or noscheme
    #[arg(long, value_name = "TYPE", value_parser = ["bearer", "basic", "noscheme"])]
    pub service_auth: Option<String>,
    /// The service token (prefer a file or stdin: flags show in `ps`)
    #[arg(long, value_name = "TOKEN", requires = "service_auth", conflicts_with_all = ["service_token_file", "service_token_stdin"])]
    pub service_token: Option<String>,
    /// Read the service token from a file
    #[arg(
        long,
        value_name = "PATH",
        requires = "service_auth",
        conflicts_with = "service_token_stdin"
    )]
    pub service_token_file: Option<PathBuf>,
    /// Read the service token from stdin
    #[arg(long, requires = "service_auth")]
    pub service_token_stdin: bool,
}

/// OAuth settings, all given together.
#[derive(Debug, Args, Default)]
pub struct OAuthFlags {
    /// The OAuth client id
    #[arg(long, requires_all = ["oauth_client_secret_file", "oauth_authorize_url", "oauth_token_url"], conflicts_with = "service_auth")]
    pub oauth_client_id: Option<String>,
    /// Read the OAuth client secret from a file
    #[arg(long, value_name = "PATH", requires = "oauth_client_id")]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// The provider's authorization URL
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub oauth_authorize_url: Option<String>,
    /// The provider's token URL
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub oauth_token_url: Option<String>,
    /// The scopes to request
    #[arg(long, requires = "oauth_client_id")]
    pub oauth_scope: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  cohere-connectors create --name Wiki --url https://wiki.example.com/search --exclude id
  cohere-connectors create -f wiki.json     (a manifest entry: secrets as {\"env\": ...} or {\"file\": ...})")]
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
    /// Create it inactive
    #[arg(long)]
    pub inactive: bool,
    /// Let chats continue when it fails
    #[arg(long)]
    pub continue_on_failure: bool,
    #[command(flatten)]
    pub service: ServiceToken,
    #[command(flatten)]
    pub oauth: OAuthFlags,
    #[command(flatten)]
    pub output: JsonOutput,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  cohere-connectors update wiki --url https://new.example.com/search
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
    /// Make it active or inactive
    #[arg(long, value_name = "BOOL")]
    pub active: Option<bool>,
    /// Let chats continue when it fails, or not
    #[arg(long, value_name = "BOOL")]
    pub continue_on_failure: Option<bool>,
    #[command(flatten)]
    pub service: ServiceToken,
    #[command(flatten)]
    pub oauth: OAuthFlags,
    #[command(flatten)]
    pub output: JsonOutput,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// The connector's id
    pub id: String,
    /// Do not ask
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct AuthorizeArgs {
    /// The connector's id
    pub id: String,
    /// Where the user lands after authorizing
    #[arg(long, value_name = "URL")]
    pub after_token_redirect: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file (whole or not at all) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Connectors are matched by id, then by name. Secrets are never returned by the API:
they cannot be compared, and are sent only to create, to change credentials, or with
--resend-secrets. Secret references ({\"env\": NAME}, {\"file\": PATH}) are resolved when needed."
)]
pub struct PlanArgs {
    /// The manifest
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,
    /// Delete connectors the manifest does not list
    #[arg(long)]
    pub prune: bool,
    /// Send the secrets of matched connectors again
    #[arg(long)]
    pub resend_secrets: bool,
    /// Write the plan (or what was applied) as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(
    after_help = "Exit code 1 when Cohere would refuse the connector; warnings alone exit 0."
)]
pub struct CheckArgs {
    /// The connector's search URL
    pub url: String,
    #[command(flatten)]
    pub service: ServiceToken,
    /// Read a user's OAuth token from a file (to check an OAuth connector)
    #[arg(long, value_name = "PATH", conflicts_with = "service_auth")]
    pub user_token_file: Option<PathBuf>,
    /// The query to search for (pick one that finds documents)
    #[arg(long, default_value = "connector check")]
    pub query: String,
    /// Seconds each call may take
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,
    #[command(flatten)]
    pub output: JsonOutput,
}

#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Where to listen
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Start with N sample connectors (at most 100000)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub seed: usize,
    /// Call connectors before registering them, as Cohere does
    #[arg(long)]
    pub verify_connectors: bool,
    /// Do not log requests
    #[arg(long)]
    pub quiet: bool,
}
