//! The client an API command uses: the key, the URL, timeouts and retries, from flags first,
//! then the environment.

use cohere_connectors::{API_KEY_VAR, BASE_URL_VAR, Client, FALLBACK_API_KEY_VAR, Secret};

use crate::args::Connection;
use crate::failure::Failure;
use crate::secrets;
use crate::words::in_cli_words;

/// The variable that does what `--allow-insecure-http` does.
pub const ALLOW_INSECURE_HTTP_VAR: &str = "COHERE_CONNECTORS_ALLOW_INSECURE_HTTP";

/// A variable's value, when it is set and not blank.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|value| !value.trim().is_empty())
}

/// Whether a yes/no variable says yes; a value that is neither is a mistake worth a stop.
fn var_says_yes(name: &str) -> Result<bool, Failure> {
    match var(name)
        .map(|value| value.trim().to_ascii_lowercase())
        .as_deref()
    {
        None | Some("0" | "false" | "no") => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some(_) => Err(Failure::Usage(format!("{name} is 1 or 0"))),
    }
}

/// The API key: a file, stdin, the flag (with a warning), then CO_API_KEY, then
/// COHERE_API_KEY (the library's order).
fn api_key(flags: &Connection) -> Result<Secret, Failure> {
    const WHAT: &str = "API key";
    if let Some(path) = &flags.api_key_file {
        return secrets::from_file(path, WHAT);
    }
    if flags.api_key_stdin {
        return secrets::from_stdin(WHAT);
    }
    if let Some(key) = &flags.api_key {
        return secrets::from_flag(
            key,
            "--api-key",
            WHAT,
            "CO_API_KEY, --api-key-file or --api-key-stdin",
        );
    }
    var(API_KEY_VAR)
        .or_else(|| var(FALLBACK_API_KEY_VAR))
        .map(Secret::from)
        .ok_or_else(|| {
            Failure::Error(format!(
                "no API key: set {API_KEY_VAR} (or {FALLBACK_API_KEY_VAR}), or pass --api-key-file or --api-key-stdin"
            ))
        })
}

/// The client the flags and the environment describe.
pub fn client(flags: &Connection) -> Result<Client, Failure> {
    let allow_insecure_http = flags.allow_insecure_http || var_says_yes(ALLOW_INSECURE_HTTP_VAR)?;
    let base_url = flags.base_url.clone().or_else(|| var(BASE_URL_VAR));
    let mut builder = Client::builder().api_key(api_key(flags)?);
    if let Some(url) = &base_url {
        builder = builder.base_url(url.as_str());
    }
    if let Some(timeout) = flags.timeout {
        builder = builder.timeout(timeout);
    }
    if let Some(retries) = flags.max_retries {
        builder = builder.max_retries(retries);
    }
    match builder
        .clone()
        .allow_insecure_http(allow_insecure_http)
        .build()
    {
        Ok(client) => Ok(client),
        // Refused only for plain http: say which flag allows it.
        Err(_) if !allow_insecure_http && builder.allow_insecure_http(true).build().is_ok() => {
            Err(Failure::Error(format!(
                "refusing to send the API key over plain http to {}: anyone on the way can read it. Use https, or pass --allow-insecure-http (or set {ALLOW_INSECURE_HTTP_VAR}=1) where the network is trusted, such as an emulator in docker-compose",
                base_url.unwrap_or_default()
            )))
        }
        Err(error) => Err(Failure::Error(
            in_cli_words(&error.to_string()).into_owned(),
        )),
    }
}
