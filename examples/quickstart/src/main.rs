//! The crate's main job, end to end.
//!
//! `cargo run -p cohere-connectors-quickstart`
//!
//! - Without `CO_API_KEY`: starts the embedded emulator and walks a connector's whole life
//!   (create two, list, page, get, update, the OAuth round trip, delete).
//! - With `CO_API_KEY`: lists the connectors of your Cohere account, and nothing else: it never
//!   creates, changes or deletes anything on a real account.
#![forbid(unsafe_code)]

use std::error::Error;
use std::process::ExitCode;

use cohere_connectors::{ApiErrorKind, Client, Connector, ServiceAuth};
use cohere_connectors_emulator::{Emulator, OAuthProvider};
use futures_util::TryStreamExt;

const USAGE: &str = "\
The crate's main job, end to end: the emulator without CO_API_KEY, your account (read-only) with it.

Usage: cargo run -p cohere-connectors-quickstart

It takes no arguments. Environment: CO_API_KEY (your key: list your account's connectors,
read-only), CO_API_URL (another base URL for the API).";

#[tokio::main]
async fn main() -> Result<ExitCode, Box<dyn Error>> {
    // No argument parser: there is nothing to parse, and a first build should not compile
    // one. An argument is answered, never ignored: `--help` with the usage, anything else
    // refused as a parser would (exit 2).
    if let Some(argument) = std::env::args_os().nth(1) {
        if argument == "--help" || argument == "-h" {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        eprintln!("error: unexpected argument {argument:?}\n\n{USAGE}");
        return Ok(ExitCode::from(2));
    }
    let has_key = std::env::var("CO_API_KEY").is_ok_and(|key| !key.trim().is_empty());
    if has_key {
        list_real_account().await?;
    } else {
        tour_the_emulator().await?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Read-only: the account's connectors, page by page.
async fn list_real_account() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    println!("CO_API_KEY is set: listing the connectors of your Cohere account (read-only).\n");
    let mut connectors = client.connectors().list().limit(100).stream();
    let mut count = 0;
    while let Some(connector) = connectors.try_next().await? {
        count += 1;
        println!("{}", describe(&connector));
    }
    println!("\n{count} connector(s).");
    Ok(())
}

async fn tour_the_emulator() -> Result<(), Box<dyn Error>> {
    let emulator = Emulator::start().await?;
    // A stand-in for the CRM's OAuth provider, so that the round trip runs offline.
    let provider = OAuthProvider::start().await?;
    let client = emulator.client()?;
    println!(
        "No CO_API_KEY: using the embedded emulator at {}",
        emulator.base_url()
    );

    step("Create two connectors");
    let wiki = client
        .connectors()
        .create("Company Wiki", "https://wiki.example.com/search")
        .description("Internal documentation")
        .excludes(["author_email"])
        .service_auth(ServiceAuth::bearer("wiki-service-token"))
        .send()
        .await?;
    println!("  {}", describe(&wiki));
    let crm = client
        .connectors()
        .create("Salesforce", "https://crm.example.com/search")
        .continue_on_failure(true)
        .oauth(provider.oauth_config())
        .send()
        .await?;
    println!("  {}", describe(&crm));

    step("List them (newest first)");
    let page = client.connectors().list().send().await?;
    for connector in &page.connectors {
        println!("  {}", describe(connector));
    }
    if let Some(total) = page.total_count {
        println!("  {total} in all");
    }

    step("Page through, one connector per page");
    let mut pages = client.connectors().list().limit(1).pages();
    let mut number = 0;
    while let Some(page) = pages.try_next().await? {
        number += 1;
        let ids: Vec<&str> = page.connectors.iter().map(|c| c.id.as_str()).collect();
        println!("  page {number}: {ids:?}");
    }

    step("Get one");
    let fetched = client.connectors().get(&wiki.id).send().await?;
    println!("  {}", describe(&fetched));

    step("Update it: deactivate, and clear its excluded fields");
    let updated = client
        .connectors()
        .update(&wiki.id)
        .active(false)
        .excludes(Vec::<String>::new())
        .send()
        .await?;
    println!("  {}", describe(&updated));

    step("Authorize the CRM connector (OAuth)");
    let redirect = client
        .connectors()
        .authorize_oauth(&crm.id)
        .after_token_redirect("https://app.example.com/connected")
        .send()
        .await?;
    println!("  send the user to: {redirect}");
    // The user logs in at the provider, which sends them to Cohere's callback; Cohere
    // exchanges the code for a token and sends them on to `after_token_redirect`.
    let landed = emulator.complete_oauth(&redirect).await?;
    println!("  the user lands on: {landed}");
    let crm = client.connectors().get(&crm.id).send().await?;
    println!("  {}", describe(&crm));

    step("Delete both");
    for id in [&wiki.id, &crm.id] {
        client.connectors().delete(id).send().await?;
        println!("  deleted {id}");
    }
    match client.connectors().get(&wiki.id).send().await {
        Err(cohere_connectors::Error::Api(error)) if error.kind() == ApiErrorKind::NotFound => {
            println!("  getting {} now: {error}", wiki.id);
        }
        other => println!("  unexpected: {other:?}"),
    }
    let left = client.connectors().list().send().await?;
    println!("  connectors left: {}", left.connectors.len());

    emulator.shutdown().await;
    println!("\nDone. Set CO_API_KEY to list your real account's connectors instead.");
    Ok(())
}

fn step(title: &str) {
    println!("\n== {title}");
}

fn describe(connector: &Connector) -> String {
    let auth = match (&connector.auth_type, &connector.auth_status) {
        (None, _) => "no auth".to_owned(),
        (Some(auth), None) => auth.to_string(),
        (Some(auth), Some(status)) => format!("{auth} ({status})"),
    };
    let state = match connector.active {
        Some(false) => "inactive",
        _ => "active",
    };
    let excludes = if connector.excludes.is_empty() {
        String::new()
    } else {
        format!(", excludes {:?}", connector.excludes)
    };
    format!(
        "{:<16} {:<14} {state}, {auth}{excludes}, updated {}",
        connector.id,
        format!("\"{}\"", connector.name),
        connector.updated_at.format("%H:%M:%S%.3f")
    )
}
