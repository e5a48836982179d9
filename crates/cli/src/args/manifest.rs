//! The commands over a whole account and its manifest: export, plan, apply.

use std::path::PathBuf;

use clap::Args;

use super::Connection;

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to this file (whole or not at all) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub connection: Connection,
}

/// What `plan` and `apply` share.
#[derive(Debug, Args)]
pub struct ManifestArgs {
    /// The manifest
    #[arg(short = 'f', long, value_name = "FILE")]
    pub file: PathBuf,
    /// Delete connectors the manifest does not list
    #[arg(long)]
    pub prune: bool,
    /// Send the secrets of matched connectors again
    #[arg(long)]
    pub resend_secrets: bool,
    /// Write JSON (URL passwords hidden, as everywhere)
    #[arg(long)]
    pub json: bool,
    /// Leave out the notices that only inform (a secret cannot be compared, a connector is
    /// kept); notices of drift the plan cannot remove are always shown, and --json has all
    #[arg(long)]
    pub quiet_notices: bool,
    #[command(flatten)]
    pub connection: Connection,
}

const MATCHING: &str =
    "Connectors are matched by id, then by name. Secrets are never returned by the API:
they cannot be compared, and are sent only to create, to change credentials, or with
--resend-secrets. Secret references ({\"env\": NAME}, {\"file\": PATH}) are resolved when needed.";

#[derive(Debug, Args)]
#[command(after_help = MATCHING)]
pub struct PlanArgs {
    #[command(flatten)]
    pub manifest: ManifestArgs,
}

#[derive(Debug, Args)]
#[command(after_help = format!("{MATCHING}

A plan that deletes asks first on a terminal, and is refused without --yes when stdin is not
one (a CI job, a pipe)."))]
pub struct ApplyArgs {
    /// Do not ask before deleting (needed when stdin is not a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
    #[command(flatten)]
    pub manifest: ManifestArgs,
}
