//! `chat`: a question to a model that may search a manifest's connectors.

use std::path::PathBuf;

use clap::Args;
use cohere_connectors_migrate::tool_loop::DEFAULT_MAX_STEPS;

use super::{Connection, SignInArgs};

const CHAT_HELP: &str = "\
The model gets one search tool per active connector of the manifest; each of its tool calls
searches the connector as Cohere did (service auth, excludes, a 30 s deadline), and its
answer's citations are printed with the connector and document they come from. Secret
references ({\"env\": NAME}, {\"file\": PATH}) are resolved from the environment and files.
A connector that fails ends the chat unless its continue_on_failure is true.

Works offline against `cohere-connectors emulator`, whose model calls every tool and cites
what they return: CO_API_URL=http://127.0.0.1:8080 CO_API_KEY=$KEY cohere-connectors chat ...";

#[derive(Debug, Args)]
#[command(after_help = CHAT_HELP)]
pub struct ChatArgs {
    /// The manifest whose connectors the model may search
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,
    /// The question
    #[arg(value_name = "QUESTION")]
    pub question: String,
    /// The model
    #[arg(long, default_value = "command-a-plus-05-2026")]
    pub model: String,
    /// Print the final response and its citations with their sources as JSON
    #[arg(long, conflicts_with = "stream")]
    pub json: bool,
    /// Print the answer as it is written (tool steps on stderr as they finish)
    #[arg(long)]
    pub stream: bool,
    /// The most tool steps the model may take before the chat stops
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STEPS)]
    pub max_steps: usize,
    /// An OAuth connector's user token, read from the environment variable VAR (repeat for
    /// several connectors)
    #[arg(long, value_name = "CONNECTOR=VAR", value_parser = connector_var)]
    pub user_token_env: Vec<(String, String)>,
    /// The local user's OAuth sign-in (as `mcp` has it): tokens kept in a private store, the
    /// consent run with --sign-in
    #[command(flatten)]
    pub oauth: SignInArgs,
    #[command(flatten)]
    pub connection: Connection,
}

fn connector_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((connector, var)) if !connector.is_empty() && !var.is_empty() => {
            Ok((connector.to_owned(), var.to_owned()))
        }
        _ => Err("CONNECTOR=VAR, such as drive=DRIVE_TOKEN".to_owned()),
    }
}
