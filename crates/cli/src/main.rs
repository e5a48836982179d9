//! `cohere-connectors`: manage Cohere connectors from a terminal, a CI job or a manifest.
//!
//! The layers, top down: `args` (the command line, definitions only), `commands` (what each
//! does), and what they use: `connection` (the client), `secrets`, `confirm` (asking before
//! destroying), `output` (everything written, escaped), `words` (library messages in the
//! tool's words), `failure` (how a command ends, and the exit codes).
#![forbid(unsafe_code)]

mod args;
mod commands;
mod confirm;
mod connection;
mod failure;
mod output;
mod secrets;
mod words;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use cohere_connectors_emulator::cli::without_stray_values;

use args::{Cli, Color};
use failure::{FAILED, Failure, Outcome, USAGE};
use output::Stdout;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let error = without_stray_values(error, &mut Cli::command());
            // Help and version are not errors; a closed stdout while printing them is not
            // one either.
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() { USAGE } else { 0 });
        }
    };
    match cli.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return finish(Err(Failure::Error(format!("cannot start: {error}")))),
    };
    let outcome = runtime.block_on(commands::run(cli.command));
    finish(outcome.and_then(|code| match Stdout::new().flush() {
        Ok(()) | Err(Failure::StdoutClosed) => Ok(code),
        Err(failure) => Err(failure),
    }))
}

/// The exit code of an outcome, after saying why it failed.
fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(Failure::StdoutClosed) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            output::error(&message);
            ExitCode::from(USAGE)
        }
        Err(Failure::Error(message)) => {
            let message = words::in_cli_words(&message);
            output::error(&message);
            if let Some(hint) = hint(&message) {
                output::note(None, &format!("hint: {hint}"));
            }
            ExitCode::from(FAILED)
        }
    }
}

/// A one-line hint for errors worth one: a retired API.
fn hint(message: &str) -> Option<&'static str> {
    message
        .contains("not available to this account")
        .then_some("export what you can and see the migration guide: https://docs.rs/cohere-connectors (Moving to Chat v2 tools)")
}
