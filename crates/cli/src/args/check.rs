//! `check`: a connector service, checked as Cohere's registration checks it.

use std::path::PathBuf;

use clap::Args;

use super::{JsonOutput, ServiceToken};

#[derive(Debug, Args)]
#[command(
    after_help = "Exit code 1 when Cohere would refuse the connector; warnings alone exit 0."
)]
pub struct CheckArgs {
    /// The connector's search URL
    pub url: String,
    #[command(flatten)]
    pub service: ServiceToken,
    /// Read a user's OAuth token from a file (to check an OAuth connector)
    #[arg(long, value_name = "PATH", conflicts_with = "service_auth")]
    pub user_token_file: Option<PathBuf>,
    /// The query to search for (pick one that finds documents)
    #[arg(long, default_value = "connector check")]
    pub query: String,
    /// Seconds each call may take
    #[arg(long, default_value_t = 30, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    #[command(flatten)]
    pub output: JsonOutput,
}
