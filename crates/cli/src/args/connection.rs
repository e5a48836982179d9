//! How an API command reaches the API: the key, the URL, timeouts and retries.
//!
//! Environment variables are read by `crate::connection`, not by clap: a value clap takes
//! from the environment is shown in error usage lines as if it had been typed, and clap reads
//! one variable per flag where the key has two (CO_API_KEY, then COHERE_API_KEY).

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

/// The longest `--timeout`: a day. Longer is a typo, not a wait.
const MAX_TIMEOUT_SECS: f64 = 86_400.0;

/// Flags of every command that calls the API.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct Connection {
    /// The API key, on the command line where `ps` and shell history show it (a warning says
    /// so): prefer CO_API_KEY (or COHERE_API_KEY), --api-key-file or --api-key-stdin
    #[arg(long, value_name = "KEY", conflicts_with_all = ["api_key_file", "api_key_stdin"])]
    pub api_key: Option<String>,
    /// Read the API key from a file
    #[arg(long, value_name = "PATH", conflicts_with = "api_key_stdin")]
    pub api_key_file: Option<PathBuf>,
    /// Read the API key from stdin
    #[arg(long)]
    pub api_key_stdin: bool,
    /// The API's base URL, e.g. an emulator's [env: CO_API_URL] [default: https://api.cohere.com]
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Send the API key over plain http to a host that is not this machine, such as an
    /// emulator in docker-compose: anyone on the path can read it
    /// [env: COHERE_CONNECTORS_ALLOW_INSECURE_HTTP=1]
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Seconds each attempt may take [default: 60]
    #[arg(long, value_name = "SECONDS", value_parser = seconds)]
    pub timeout: Option<Duration>,
    /// How many times a failed request is retried (0: never) [default: 2]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub max_retries: Option<u32>,
}

fn seconds(text: &str) -> Result<Duration, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| "a number of seconds, such as 30 or 0.5".to_owned())?;
    if !(seconds > 0.0 && seconds <= MAX_TIMEOUT_SECS) {
        return Err(format!("between 0 and {MAX_TIMEOUT_SECS} seconds"));
    }
    Ok(Duration::from_secs_f64(seconds))
}
