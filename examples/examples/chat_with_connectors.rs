//! A chat whose answer cites your connectors, on Chat v2, in one command:
//!
//! ```sh
//! cargo run -p cohere-connectors-examples --example chat_with_connectors
//! cargo run -p cohere-connectors-examples --example chat_with_connectors -- "Can I claim a taxi at night?"
//! ```
//!
//! Two connectors from the kit (the staff handbook, searched with BM25 behind service auth,
//! and a small list of office notices), offered to the model as tools; the tool loop calls
//! them when the model asks, gives it their documents, and resolves the answer's citations to
//! the connector and document each came from, as Cohere did for v1 connectors.
//!
//! - Without `CO_API_KEY`: the emulator plays the model (a scripted one that calls every tool
//!   with the question and cites what they return), offline.
//! - With `CO_API_KEY`: Cohere's model (`--model`, default `command-a-plus-05-2026`) runs the
//!   same loop; the connectors still run here, called by this program.

use std::error::Error;
use std::sync::Arc;

use clap::Parser;
use cohere_connectors::Client;
use cohere_connectors::text::escape;
use cohere_connectors_emulator::Emulator;
use cohere_connectors_examples::handbook::{Handbook, connector_service, random_token};
use cohere_connectors_kit::Document;
use cohere_connectors_kit::server::{Access, ConnectorService};
use cohere_connectors_migrate::tool_loop::{CitedSource, ConnectorChat};
use cohere_connectors_migrate::{ManifestConnector, Secrets, Toolbox};

/// A chat over two connectors, with its citations resolved to them.
#[derive(Parser)]
#[command(name = "chat_with_connectors")]
struct Args {
    /// The model, when CO_API_KEY is set
    #[arg(long, default_value = "command-a-plus-05-2026")]
    model: String,
    /// The question
    #[arg(default_value = "Are taxis refunded at night?")]
    question: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args = Args::parse();
    // The two connectors: what Cohere called during a v1 chat.
    let token = random_token();
    let handbook = connector_service(Arc::new(Handbook::bundled()), token.clone())?
        .bind("127.0.0.1:0")
        .await?;
    let notices = ConnectorService::new(Access::open(), |_, _| async {
        Ok(vec![
            Document::new()
                .with_id("night-rides")
                .with_title("Notice: late meetings")
                .with_text(
                    "After a meeting that ends past 22:00, book the ride through the travel desk.",
                )
                .with_url("https://intranet.example.com/notices/night-rides"),
        ])
    })
    .bind("127.0.0.1:0")
    .await?;

    // Their manifest entries (an export gives these), and the secret they refer to.
    let manifest: Vec<ManifestConnector> = serde_json::from_value(serde_json::json!([
        {"id": "handbook", "name": "Handbook", "url": handbook.url(),
         "description": "The staff handbook: travel, expenses, leave, security",
         "excludes": ["score"], "continue_on_failure": true,
         "service_auth": {"type": "bearer", "token": {"env": "HANDBOOK_TOKEN"}}},
        {"id": "notices", "name": "Office notices", "url": notices.url(), "continue_on_failure": true},
    ]))?;
    let secrets = Secrets::none().with("HANDBOOK_TOKEN", token.expose());
    let mut toolbox = Toolbox::new();
    for entry in &manifest {
        toolbox.add(cohere_connectors_migrate::ConnectorTool::from_manifest(
            entry, &secrets,
        )?);
    }

    // The model: Cohere's with a key, the emulator's without.
    let has_key =
        std::env::var(cohere_connectors::API_KEY_VAR).is_ok_and(|key| !key.trim().is_empty());
    let (client, emulator) = if has_key {
        println!("CO_API_KEY is set: {} answers.\n", args.model);
        (Client::from_env()?, None)
    } else {
        let emulator = Emulator::start().await?;
        println!("No CO_API_KEY: the emulator plays the model, offline.\n");
        (emulator.client()?, Some(emulator))
    };

    let chat = ConnectorChat::new(client, args.model, toolbox);
    let answer = chat.ask(args.question.as_str()).await?;
    for (number, step) in answer.steps.iter().enumerate() {
        println!(
            "Step {}: {}",
            number + 1,
            escape(step.plan.as_deref().unwrap_or("(no plan)"))
        );
        for call in &step.calls {
            let outcome = match &call.error {
                Some(error) => format!("failed: {}", escape(error)),
                None => format!("{} documents", call.documents.len()),
            };
            println!(
                "  {} -> {outcome} ({} ms)",
                escape(&call.tool),
                call.elapsed_ms
            );
        }
    }
    println!();
    // Line by line: the model's text is escaped, its line breaks kept.
    for line in answer.text().lines() {
        println!("{}", escape(line));
    }
    println!();
    for (number, citation) in answer.citations.iter().enumerate() {
        println!("[{}] \"{}\"", number + 1, escape(&citation.text));
        for source in &citation.sources {
            match source {
                CitedSource::Document(document) => println!(
                    "    from {} document {} ({}){}",
                    escape(&document.connector),
                    escape(document.document_id.as_deref().unwrap_or("(no id)")),
                    escape(document.title.as_deref().unwrap_or("untitled")),
                    document
                        .url
                        .as_deref()
                        .map(|url| format!(" {}", escape(url)))
                        .unwrap_or_default(),
                ),
                CitedSource::Other { id } => {
                    println!("    from {}", escape(id.as_deref().unwrap_or("(no id)")));
                }
                _ => {}
            }
        }
    }
    handbook.shutdown().await;
    notices.shutdown().await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}
