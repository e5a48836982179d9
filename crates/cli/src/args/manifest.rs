//! The commands over a whole account and its manifest: export, plan, apply.

use std::path::PathBuf;

use clap::{ArgGroup, Args};

use super::Connection;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file (whole or not at all) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub connection: Connection,
}

/// How a plan is made from a manifest: what `plan` and `apply -f` share.
#[derive(Debug, Args)]
pub struct Planning {
    /// Delete connectors the manifest does not list
    #[arg(long)]
    pub prune: bool,
    /// Send the secrets of matched connectors again
    #[arg(long)]
    pub resend_secrets: bool,
}

/// How a plan, and what applying it did, are shown.
#[derive(Debug, Args)]
pub struct Showing {
    /// Write JSON (URL passwords hidden, as everywhere)
    #[arg(long)]
    pub json: bool,
    /// Leave out the notices that only inform (a secret cannot be compared, a connector is
    /// kept); notices of drift the plan cannot remove are always shown, and --json has all
    #[arg(long)]
    pub quiet_notices: bool,
}

const MATCHING: &str =
    "Connectors are matched by id, then by name. Secrets are never returned by the API:
they cannot be compared, and are sent only to create, to change credentials, or with
--resend-secrets. Secret references ({\"env\": NAME}, {\"file\": PATH}) are resolved when needed.";

const SAVED: &str =
    "A plan saved with -o records what it saw of the account, its changes with the definitions they
come from (secrets as the manifest's references, never their values), and the API it was made
against. `cohere-connectors apply FILE` applies exactly that plan, or refuses, changing nothing,
when the account changed since or the API is another.";

#[derive(Debug, Args)]
#[command(after_help = format!("{MATCHING}

{SAVED} A manifest that holds a secret in clear
(an inline value, a password in a URL) is not saved: reference it instead."))]
pub struct PlanArgs {
    /// The manifest
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub planning: Planning,
    /// Save the plan to FILE, for `apply FILE` (whole or not at all, mode 0600, never a
    /// secret); the exit code is plan's
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub showing: Showing,
    #[command(flatten)]
    pub connection: Connection,
}

#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("source").required(true).args(["plan", "file"])),
    after_help = format!("{MATCHING}

{SAVED}

A plan that deletes, saved or not, asks first on a terminal, and is refused without --yes when
stdin is not one (a CI job, a pipe). --json prints what was done, what failed and what was
not attempted, on success and on failure (exit 1) alike.")
)]
pub struct ApplyArgs {
    /// A plan saved by `plan -o`, applied exactly as it was reviewed (or not at all)
    #[arg(value_name = "PLAN", conflicts_with_all = ["prune", "resend_secrets"])]
    pub plan: Option<PathBuf>,
    /// The manifest: plan now, then apply that plan
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Do not ask before deleting (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub planning: Planning,
    #[command(flatten)]
    pub showing: Showing,
    #[command(flatten)]
    pub connection: Connection,
}
