//! Keeps an account's connectors in step with a file of definitions: creates what is missing,
//! updates what differs, and (with `--prune`) deletes what the file does not list. Connectors
//! are matched by name.
//!
//! `cargo run -p cohere-connectors-examples --example sync_config -- [FILE] [--apply] [--prune]`
//!
//! Without `--apply` it only prints the plan. Without `CO_API_KEY` it runs against the
//! embedded emulator, holding one connector that differs from the file and one the file does
//! not list, and applies the plan twice to show that the second run changes nothing.

use std::error::Error;

use cohere_connectors::emulator::Emulator;
use cohere_connectors::{Client, Connector, ConnectorUpdate, NewConnector};
use futures_util::TryStreamExt;

const DEFAULT_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/connectors.json");

/// One change the sync makes.
enum Change {
    Create(NewConnector),
    Update {
        id: String,
        update: ConnectorUpdate,
        fields: Vec<&'static str>,
    },
    Delete {
        id: String,
        name: String,
    },
    /// A difference no update can make.
    Note(String),
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .iter()
        .find(|arg| !arg.starts_with("--"))
        .map_or(DEFAULT_FILE, String::as_str);
    let (apply, prune) = (
        args.iter().any(|a| a == "--apply"),
        args.iter().any(|a| a == "--prune"),
    );
    let desired: Vec<NewConnector> = serde_json::from_str(&std::fs::read_to_string(file)?)?;

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
    let (apply, prune, rounds) = if emulator.is_some() {
        (true, true, 2)
    } else {
        (apply, prune, 1)
    };

    for round in 1..=rounds {
        let existing: Vec<Connector> = client.connectors().list().stream().try_collect().await?;
        let changes = plan(&desired, &existing, prune);
        let count = changes
            .iter()
            .filter(|change| !matches!(change, Change::Note(_)))
            .count();
        println!("round {round}: {count} change(s)");
        for change in &changes {
            println!("  {}", describe(change));
        }
        if apply {
            for change in changes {
                match change {
                    Change::Create(new) => drop(client.connectors().create_from(new).await?),
                    Change::Update { id, update, .. } => {
                        drop(client.connectors().update_from(id, update).await?)
                    }
                    Change::Delete { id, .. } => client.connectors().delete(id).await?,
                    Change::Note(_) => {}
                }
            }
        }
    }
    if !apply {
        println!("\n(dry run: pass --apply to make these changes)");
    }
    Ok(())
}

fn plan(desired: &[NewConnector], existing: &[Connector], prune: bool) -> Vec<Change> {
    let mut changes = Vec::new();
    for want in desired {
        match existing.iter().find(|have| have.name == want.name) {
            None => changes.push(Change::Create(want.clone())),
            Some(have) => {
                let (update, fields) = differences(want, have);
                if !fields.is_empty() {
                    changes.push(Change::Update {
                        id: have.id.clone(),
                        update,
                        fields,
                    });
                }
                if want.description.is_some() && have.description != want.description {
                    changes.push(Change::Note(format!(
                        "{}: the description differs, and the API cannot update a description",
                        have.id
                    )));
                }
            }
        }
    }
    if prune {
        for have in existing {
            if !desired.iter().any(|want| want.name == have.name) {
                changes.push(Change::Delete {
                    id: have.id.clone(),
                    name: have.name.clone(),
                });
            }
        }
    }
    changes
}

/// What to send to make `have` what `want` describes (secrets are not compared: the API
/// never returns them).
fn differences(want: &NewConnector, have: &Connector) -> (ConnectorUpdate, Vec<&'static str>) {
    let mut update = ConnectorUpdate::new();
    let mut fields = Vec::new();
    if have.url.as_deref() != Some(want.url.as_str()) {
        update = update.with_url(want.url.clone());
        fields.push("url");
    }
    if have.excludes != want.excludes {
        update = update.with_excludes(want.excludes.clone());
        fields.push("excludes");
    }
    let active = want.active.unwrap_or(true);
    if have.active.unwrap_or(true) != active {
        update = update.with_active(active);
        fields.push("active");
    }
    let continue_on_failure = want.continue_on_failure.unwrap_or(false);
    if have.continue_on_failure.unwrap_or(false) != continue_on_failure {
        update = update.with_continue_on_failure(continue_on_failure);
        fields.push("continue_on_failure");
    }
    (update, fields)
}

fn describe(change: &Change) -> String {
    match change {
        Change::Create(new) => format!("+ create {:?} ({})", new.name, new.url),
        Change::Update { id, fields, .. } => format!("~ update {id}: {}", fields.join(", ")),
        Change::Delete { id, name } => format!("- delete {id} ({name:?})"),
        Change::Note(note) => format!("! {note}"),
    }
}
