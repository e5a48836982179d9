//! A table of every connector of an account, streamed page by page.
//!
//! `cargo run -p cohere-connectors-examples --example connectors_table`
//!
//! With `CO_API_KEY` set it reads your account (read-only); without, it fills the embedded
//! emulator with a few sample connectors first. What the API sends is printed through
//! `text::escape`: a name can hold escape sequences, and a terminal would act on them.
#![forbid(unsafe_code)]

use std::error::Error;

use clap::Parser;
use cohere_connectors::text::escape;
use cohere_connectors::{AuthStatus, Client, Connector};
use cohere_connectors_emulator::Emulator;
use futures_util::TryStreamExt;

/// A table of every connector of an account (the emulator's without CO_API_KEY).
#[derive(Parser)]
#[command(name = "connectors_table")]
struct Args {}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    Args::parse();
    let has_key = std::env::var("CO_API_KEY").is_ok_and(|key| !key.trim().is_empty());
    // Kept alive until the end: the emulator stops when dropped.
    let emulator = if has_key {
        None
    } else {
        Some(Emulator::builder().seed(7).start().await?)
    };
    let client = match &emulator {
        Some(emulator) => emulator.client()?,
        None => Client::from_env()?,
    };

    let rows: Vec<[String; 5]> = client
        .connectors()
        .list()
        .stream()
        .map_ok(|connector| row(&connector))
        .try_collect()
        .await?;
    print_table(["ID", "NAME", "AUTH", "STATUS", "UPDATED"], &rows);
    println!("\n{} connector(s)", rows.len());
    Ok(())
}

fn row(connector: &Connector) -> [String; 5] {
    let auth = connector
        .auth_type
        .as_ref()
        .map_or_else(|| "none".to_owned(), ToString::to_string);
    // Display reads well for people: "valid", "expired", "not authorized".
    let status = match (&connector.auth_status, connector.active) {
        (_, Some(false)) => "inactive".to_owned(),
        (Some(status), _) => status.to_string(),
        (None, _) if connector.oauth.is_some() => AuthStatus::NotAuthorized.to_string(),
        (None, _) => "active".to_owned(),
    };
    // Escaped before the widths are measured, so that the columns line up as printed.
    [
        escape(&connector.id).into_owned(),
        escape(&connector.name).into_owned(),
        auth,
        status,
        connector.updated_at.format("%Y-%m-%d %H:%M").to_string(),
    ]
}

fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(str::len);
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(header.to_vec());
    line(
        widths
            .iter()
            .map(|width| "-".repeat(*width))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    );
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
