//! Secrets from the command line: a flag, a file or stdin, never echoed.

use std::io::Read;
use std::path::Path;

use cohere_connectors::{AuthTokenType, Secret, ServiceAuth};

use crate::args::ServiceToken;

/// A secret from a file, trailing whitespace trimmed.
pub fn from_file(path: &Path, what: &str) -> Result<Secret, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| format!("cannot read the {what} from {}: {error}", path.display()))?;
    non_empty(text, what)
}

/// A secret from stdin, trailing whitespace trimmed.
pub fn from_stdin(what: &str) -> Result<Secret, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|error| format!("cannot read the {what} from stdin: {error}"))?;
    non_empty(text, what)
}

fn non_empty(text: String, what: &str) -> Result<Secret, String> {
    let trimmed = text.trim_end_matches(['\n', '\r', ' ', '\t']);
    if trimmed.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    Ok(Secret::new(trimmed.to_owned()))
}

/// The service auth the flags describe, if any.
pub fn service_auth(flags: &ServiceToken) -> Result<Option<ServiceAuth>, String> {
    let Some(kind) = &flags.service_auth else {
        return Ok(None);
    };
    let token_type: AuthTokenType = kind.parse()?;
    let token = if let Some(token) = &flags.service_token {
        non_empty(token.clone(), "service token")?
    } else if let Some(path) = &flags.service_token_file {
        from_file(path, "service token")?
    } else if flags.service_token_stdin {
        from_stdin("service token")?
    } else {
        return Err("--service-auth needs the token: --service-token-file, --service-token-stdin or --service-token".into());
    };
    Ok(Some(ServiceAuth::new(token_type, token)))
}
