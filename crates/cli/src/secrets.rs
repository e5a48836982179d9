//! Secrets from the command line: a file, stdin, an environment variable, or a flag (with a
//! warning: a flag shows in `ps` and stays in shell history). Never echoed.
//!
//! Files and variables are read by the manifest's own resolver
//! (`cohere_connectors_migrate::Secrets`), so that a secret file given to a flag obeys the
//! same rules as one a manifest names.

use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use cohere_connectors::{AuthTokenType, Secret, ServiceAuth};
use cohere_connectors_migrate::{SecretRef, Secrets};

use crate::args::ServiceToken;
use crate::failure::Failure;
use crate::output;

/// The longest secret read from stdin: no key or token comes near it, and `< /dev/zero`
/// must end.
const MAX_STDIN_SECRET_BYTES: u64 = 64 * 1024;

/// Whether stdin has given its secret: it has one to give.
static STDIN_READ: AtomicBool = AtomicBool::new(false);

/// A secret from a file, trailing whitespace trimmed.
pub fn from_file(path: &Path, what: &str) -> Result<Secret, Failure> {
    resolve(&SecretRef::File(path.to_owned()), what)
}

/// A secret from an environment variable.
pub fn from_env(name: &str, what: &str) -> Result<Secret, Failure> {
    resolve(&SecretRef::Env(name.to_owned()), what)
}

fn resolve(reference: &SecretRef, what: &str) -> Result<Secret, Failure> {
    Secrets::from_env()
        .resolve(reference)
        .map_err(|message| Failure::Error(format!("cannot read the {what}: {message}")))
}

/// A secret from stdin, trailing whitespace trimmed. Stdin gives one secret per run.
pub fn from_stdin(what: &str) -> Result<Secret, Failure> {
    if STDIN_READ.swap(true, Ordering::SeqCst) {
        return Err(Failure::Usage(format!(
            "stdin gives one secret per run: read the {what} from a file or a variable"
        )));
    }
    let mut text = String::new();
    std::io::stdin()
        .take(MAX_STDIN_SECRET_BYTES.saturating_add(1))
        .read_to_string(&mut text)
        .map_err(|error| format!("cannot read the {what} from stdin: {error}"))?;
    if text.len() as u64 > MAX_STDIN_SECRET_BYTES {
        return Err(Failure::Error(format!(
            "the {what} on stdin is longer than {} KiB: not a secret",
            MAX_STDIN_SECRET_BYTES / 1024
        )));
    }
    non_empty(text, what)
}

/// A secret given on the command line, with a warning that it is visible there.
pub fn from_flag(value: &str, flag: &str, what: &str, instead: &str) -> Result<Secret, Failure> {
    output::warning(&format!(
        "{flag} puts the {what} on the command line, where `ps` shows it to other users and \
         shell history keeps it: prefer {instead}"
    ));
    non_empty(value.to_owned(), what)
}

fn non_empty(text: String, what: &str) -> Result<Secret, Failure> {
    let trimmed = text.trim_end_matches(['\n', '\r', ' ', '\t']);
    if trimmed.is_empty() {
        return Err(Failure::Error(format!("the {what} is empty")));
    }
    Ok(Secret::new(trimmed.to_owned()))
}

/// The service auth the flags describe, if any.
pub fn service_auth(flags: &ServiceToken) -> Result<Option<ServiceAuth>, Failure> {
    let Some(kind) = &flags.service_auth else {
        return Ok(None);
    };
    let token_type: AuthTokenType = kind.parse().map_err(Failure::Usage)?;
    const WHAT: &str = "service token";
    let token = if let Some(path) = &flags.service_token_file {
        from_file(path, WHAT)?
    } else if flags.service_token_stdin {
        from_stdin(WHAT)?
    } else if let Some(name) = &flags.service_token_env {
        from_env(name, WHAT)?
    } else if let Some(token) = &flags.service_token {
        from_flag(
            token,
            "--service-token",
            WHAT,
            "--service-token-file, --service-token-stdin or --service-token-env",
        )?
    } else {
        return Err(Failure::Usage(
            "--service-auth needs the token: --service-token-file, --service-token-stdin or --service-token-env".into(),
        ));
    };
    Ok(Some(ServiceAuth::new(token_type, token)))
}
