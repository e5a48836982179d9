//! Where a connector's credentials come from: a file, stdin, an environment variable, or (with a
//! warning) the command line.

use std::path::PathBuf;

use clap::Args;

/// A service token and how it is sent.
#[derive(Debug, Args, Default)]
pub struct ServiceToken {
    /// How the service token is sent: bearer, basic or noscheme
    #[arg(long, value_name = "TYPE", value_parser = ["bearer", "basic", "noscheme"])]
    pub service_auth: Option<String>,
    /// Read the service token from a file
    #[arg(long, value_name = "PATH", requires = "service_auth", conflicts_with_all = ["service_token_stdin", "service_token_env", "service_token"])]
    pub service_token_file: Option<PathBuf>,
    /// Read the service token from stdin
    #[arg(long, requires = "service_auth", conflicts_with_all = ["service_token_env", "service_token"])]
    pub service_token_stdin: bool,
    /// Read the service token from this environment variable
    #[arg(
        long,
        value_name = "VAR",
        requires = "service_auth",
        conflicts_with = "service_token"
    )]
    pub service_token_env: Option<String>,
    /// The service token, on the command line where `ps` shows it (a warning says so):
    /// prefer a file, stdin or a variable
    #[arg(long, value_name = "TOKEN", requires = "service_auth")]
    pub service_token: Option<String>,
}

/// OAuth settings, all given together.
#[derive(Debug, Args, Default)]
pub struct OAuthFlags {
    /// The OAuth client id
    #[arg(long, requires_all = ["oauth_client_secret_file", "oauth_authorize_url", "oauth_token_url"], conflicts_with = "service_auth")]
    pub oauth_client_id: Option<String>,
    /// Read the OAuth client secret from a file
    #[arg(long, value_name = "PATH", requires = "oauth_client_id")]
    pub oauth_client_secret_file: Option<PathBuf>,
    /// The provider's authorization URL
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub oauth_authorize_url: Option<String>,
    /// The provider's token URL
    #[arg(long, value_name = "URL", requires = "oauth_client_id")]
    pub oauth_token_url: Option<String>,
    /// The scopes to request
    #[arg(long, requires = "oauth_client_id")]
    pub oauth_scope: Option<String>,
}
