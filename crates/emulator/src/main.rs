//! `cohere-connectors-emulator --addr 127.0.0.1:8080 --api-key KEY [--api-key KEY2] [--seed N]`
//!
//! Serves the Connectors API emulator so that clients in any language (Cohere's Python or
//! TypeScript SDK, curl) can use it: point them at the printed base URL with one of the keys.
//! Its flags are the library's [`EmulatorArgs`], which `cohere-connectors emulator` shares.
#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use cohere_connectors_emulator::cli::{EmulatorArgs, serve, without_stray_values};

/// Serves Cohere's Connectors API, offline, until Ctrl-C.
#[derive(Parser)]
#[command(
    name = "cohere-connectors-emulator",
    version,
    max_term_width = 100,
    after_help = "Exit codes: 0 stopped by Ctrl-C, 1 could not start, 2 wrong usage."
)]
struct Cli {
    #[command(flatten)]
    emulator: EmulatorArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let error = without_stray_values(error, &mut Cli::command());
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let try_it = |base_url: &str| {
        format!("try: curl -H \"Authorization: Bearer $KEY\" {base_url}/v1/connectors")
    };
    match serve(&cli.emulator, &mut std::io::stderr(), try_it).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
