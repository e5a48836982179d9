//! What each command does. Every command ends with an [`Outcome`]: its exit code, or the
//! [`Failure`] that stopped it.

mod chat;
mod check;
mod connectors;
mod manifest;
mod mcp;
mod sign_in;

use std::process::ExitCode;

use clap::CommandFactory;
use cohere_connectors_emulator::cli::{EmulatorArgs, serve};

use crate::args::{Cli, Command};
use crate::failure::{Failure, Outcome};
use crate::output::Stdout;

/// Runs `command`.
pub async fn run(command: Command) -> Outcome {
    match command {
        Command::List(args) => connectors::list(args).await,
        Command::Get(args) => connectors::get(args).await,
        Command::Create(args) => connectors::create(args).await,
        Command::Update(args) => connectors::update(args).await,
        Command::Delete(args) => connectors::delete(args).await,
        Command::Authorize(args) => connectors::authorize(args).await,
        Command::Export(args) => manifest::export(args).await,
        Command::Plan(args) => manifest::plan(args).await,
        Command::Apply(args) => manifest::apply(args).await,
        Command::Schema => manifest::schema(),
        Command::Mcp(args) => mcp::mcp(args).await,
        Command::Check(args) => check::check(args).await,
        Command::Chat(args) => chat::chat(args).await,
        Command::Emulator(args) => emulator(args).await,
        Command::Completions { shell } => completions(shell),
    }
}

/// `code`, once what the command prints is printed: a reader that stopped reading does not
/// change what the command found (a plan with changes still exits 2).
fn exit_after_printing(code: ExitCode, printed: Result<(), Failure>) -> Outcome {
    match printed {
        Ok(()) | Err(Failure::StdoutClosed) => Ok(code),
        Err(failure) => Err(failure),
    }
}

fn completions(shell: clap_complete::Shell) -> Outcome {
    // clap_complete panics on a failed write: it writes to memory, and stdout gets the text.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "cohere-connectors", &mut script);
    Stdout::new().own(&script)?;
    Ok(ExitCode::SUCCESS)
}

async fn emulator(args: EmulatorArgs) -> Outcome {
    let try_it = |base_url: &str| {
        format!(
            "try: CO_API_URL={base_url} CO_API_KEY=$KEY cohere-connectors list  (Ctrl-C stops it)"
        )
    };
    serve(&args, &mut std::io::stderr(), try_it)
        .await
        .map_err(Failure::error)?;
    Ok(ExitCode::SUCCESS)
}
