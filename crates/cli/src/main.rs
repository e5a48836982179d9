//! `cohere-connectors`: manage Cohere connectors from a terminal, a CI job or a manifest.

mod args;
mod commands;
mod output;
mod secrets;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use cohere_connectors::{Client, Secret};

use args::{Cli, Color, Command, Global};

/// The exit code of wrong usage (sysexits' EX_USAGE): 2 is a plan's "the account differs".
const USAGE: u8 = 64;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { USAGE } else { 0 };
            let _ = error.print();
            return ExitCode::from(code);
        }
    };
    match cli.global.color {
        Color::Auto => {}
        Color::Always => anstream::ColorChoice::Always.write_global(),
        Color::Never => anstream::ColorChoice::Never.write_global(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            output::error(&format!("cannot start: {error}"));
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        // A reader that went away (`| head`) is not a failure.
        Err(message) if message.ends_with("(os error 32)") => ExitCode::SUCCESS,
        Err(message) => {
            output::error(&message);
            if let Some(hint) = commands::hint(&message) {
                let _ = writeln!(output::stderr(), "hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> commands::Outcome {
    let global = cli.global;
    match cli.command {
        Command::Schema => commands::schema(),
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "cohere-connectors",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Check(args) => commands::check(args).await,
        Command::Emulator(args) => {
            commands::emulator(args, api_key(&global)?.map(|key| key.expose().to_owned())).await
        }
        Command::List(args) => commands::list(&client(&global)?, args).await,
        Command::Get(args) => commands::get(&client(&global)?, args).await,
        Command::Create(args) => commands::create(&client(&global)?, args).await,
        Command::Update(args) => commands::update(&client(&global)?, args).await,
        Command::Delete(args) => commands::delete(&client(&global)?, args).await,
        Command::Authorize(args) => commands::authorize(&client(&global)?, args).await,
        Command::Export(args) => commands::export_command(&client(&global)?, args).await,
        Command::Plan(args) => commands::plan_command(&client(&global)?, args).await,
        Command::Apply(args) => commands::apply(&client(&global)?, args).await,
    }
}

fn api_key(global: &Global) -> Result<Option<Secret>, String> {
    if let Some(path) = &global.api_key_file {
        return secrets::from_file(path, "API key").map(Some);
    }
    Ok(global
        .api_key
        .as_deref()
        .filter(|key| !key.trim().is_empty())
        .map(Secret::from))
}

fn client(global: &Global) -> Result<Client, String> {
    let key = api_key(global)?
        .ok_or("no API key: set CO_API_KEY, or pass --api-key-file (or --api-key)")?;
    let mut builder = Client::builder().api_key(key);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url.as_str());
    }
    builder.build().map_err(|error| error.to_string())
}
