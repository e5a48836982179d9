//! Keeps an account's connectors in step with a file of definitions (a manifest): creates
//! what is missing, updates what differs, and (with `--prune`) deletes what the file does not
//! list. Connectors are matched by id, or by name. This is `cohere_connectors::sync`'s
//! `plan` and `apply`; the command-line tool's `plan` and `apply` do the same.
//!
//! `cargo run -p cohere-connectors-examples --example sync_config -- [FILE] [--apply] [--prune]`
//!
//! Without `--apply` it only prints the plan. Without `CO_API_KEY` it runs against the
//! embedded emulator, holding one connector that differs from the file and one the file does
//! not list, and applies the plan twice to show that the second run changes nothing.
#![forbid(unsafe_code)]

use std::error::Error;
use std::path::PathBuf;

use clap::Parser;
use cohere_connectors::Client;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_migrate::Manifest;
use cohere_connectors_migrate::sync::{PlanOptions, plan};

const DEFAULT_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/connectors.json");

/// Keeps an account's connectors in step with a manifest (offline without CO_API_KEY: the
/// emulator, applied twice).
#[derive(Parser)]
#[command(name = "sync_config")]
struct Args {
    /// The manifest [default: the bundled data/connectors.json]
    file: Option<PathBuf>,
    /// Make the changes (without it, only the plan is printed)
    #[arg(long)]
    apply: bool,
    /// Delete the connectors the manifest does not list
    #[arg(long)]
    prune: bool,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    let file = args.file.unwrap_or_else(|| PathBuf::from(DEFAULT_FILE));
    let desired = Manifest::read(&file)?;

    let has_key = std::env::var("CO_API_KEY").is_ok_and(|key| !key.trim().is_empty());
    let emulator = if has_key {
        None
    } else {
        Some(Emulator::start().await?)
    };
    let client = match &emulator {
        Some(emulator) => {
            let client = emulator.client()?;
            client
                .connectors()
                .create("Company Wiki", "https://old-wiki.example.com/search")
                .description("Internal documentation")
                .await?;
            client
                .connectors()
                .create("Legacy Search", "https://legacy.example.com/search")
                .await?;
            println!(
                "(offline: the emulator holds a stale wiki and a connector the file does not list)\n"
            );
            client
        }
        None => Client::from_env()?,
    };
    // Offline, show the whole loop: apply, then apply again.
    let (apply, prune, rounds) = match emulator {
        Some(_) => (true, true, 2),
        None => (args.apply, args.prune, 1),
    };

    for round in 1..=rounds {
        let planned = plan(&client, &desired, PlanOptions::new().prune(prune)).await?;
        println!("round {round}:\n{planned}\n");
        if apply {
            for applied in planned.apply().await?.done {
                println!("  {applied}");
            }
            println!();
        }
    }
    if !apply {
        println!("(dry run: pass --apply to make these changes)");
    }
    Ok(())
}
