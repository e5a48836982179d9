//! Secrets in a manifest: never the value the API would not return anyway, but a reference
//! to where it lives.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::MigrateError;
use cohere_connectors::Secret;

/// Where a secret of a manifest comes from. The API never returns service tokens or OAuth
/// client secrets, so an export writes references (environment variable names) for the
/// operator to fill.
///
/// ```
/// use cohere_connectors_migrate::SecretRef;
///
/// let reference: SecretRef = serde_json::from_str(r#"{"env": "WIKI_TOKEN"}"#)?;
/// assert_eq!(reference, SecretRef::Env("WIKI_TOKEN".into()));
/// let inline: SecretRef = serde_json::from_str(r#"{"value": "t0k3n"}"#)?;
/// assert!(!format!("{inline:?}").contains("t0k3n"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase", deny_unknown_fields)]
#[schemars(
    description = "Where a secret comes from: an environment variable, a file, or the value itself."
)]
pub enum SecretRef {
    /// The value of an environment variable.
    Env(String),
    /// The contents of a file (trailing whitespace trimmed), such as a mounted secret.
    File(PathBuf),
    /// The value itself. For manifests kept out of version control only.
    Value(Secret),
}

impl fmt::Debug for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Env(name) => f.debug_tuple("Env").field(name).finish(),
            Self::File(path) => f.debug_tuple("File").field(path).finish(),
            Self::Value(_) => f.debug_tuple("Value").field(&"[redacted]").finish(),
        }
    }
}

/// Resolves [`SecretRef`]s: environment variables and files, with values given in code
/// taking precedence (for tests, or secrets fetched from a vault).
///
/// ```
/// use cohere_connectors_migrate::{SecretRef, Secrets};
///
/// let secrets = Secrets::from_env().with("WIKI_TOKEN", "t0k3n");
/// let token = secrets.resolve(&SecretRef::Env("WIKI_TOKEN".into()))?;
/// assert_eq!(token.expose(), "t0k3n");
/// let missing = Secrets::none().resolve(&SecretRef::Env("WIKI_TOKEN".into())).unwrap_err();
/// assert_eq!(missing, "environment variable WIKI_TOKEN is not set");
/// # Ok::<(), String>(())
/// ```
#[derive(Clone, Default)]
pub struct Secrets {
    given: HashMap<String, Secret>,
    environment: bool,
    files: bool,
}

impl Secrets {
    /// Reads environment variables and files.
    pub fn from_env() -> Self {
        Self {
            given: HashMap::new(),
            environment: true,
            files: true,
        }
    }

    /// Resolves only what is given with [`with`](Self::with) and inline values.
    pub fn none() -> Self {
        Self::default()
    }

    /// The value for `{"env": name}`, whatever the environment says.
    #[must_use]
    pub fn with(mut self, name: impl Into<String>, value: impl Into<Secret>) -> Self {
        self.given.insert(name.into(), value.into());
        self
    }

    /// The secret `reference` points to; the error says why not, never with a value.
    ///
    /// # Errors
    ///
    /// When the variable is unset or empty, or the file cannot be read or is empty.
    pub fn resolve(&self, reference: &SecretRef) -> Result<Secret, String> {
        let value = match reference {
            SecretRef::Value(secret) => secret.clone(),
            SecretRef::Env(name) => match self.given.get(name) {
                Some(secret) => secret.clone(),
                None if self.environment => match std::env::var(name) {
                    Ok(value) => Secret::new(value),
                    Err(_) => return Err(format!("environment variable {name} is not set")),
                },
                None => return Err(format!("environment variable {name} is not set")),
            },
            SecretRef::File(path) if self.files => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
                Secret::new(text.trim_end().to_owned())
            }
            SecretRef::File(path) => {
                return Err(format!("files are not read here ({})", path.display()));
            }
        };
        if value.is_empty() {
            return Err(match reference {
                SecretRef::Env(name) => format!("environment variable {name} is empty"),
                SecretRef::File(path) => format!("{} is empty", path.display()),
                SecretRef::Value(_) => "the value is empty".to_owned(),
            });
        }
        Ok(value)
    }

    pub(crate) fn resolve_for(
        &self,
        reference: &SecretRef,
        connector: &str,
        field: &'static str,
    ) -> Result<Secret, MigrateError> {
        self.resolve(reference)
            .map_err(|message| MigrateError::Secret {
                connector: connector.to_owned(),
                field,
                message,
            })
    }
}

impl fmt::Debug for Secrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.given.keys().collect();
        names.sort();
        f.debug_struct("Secrets")
            .field("given", &names)
            .field("environment", &self.environment)
            .field("files", &self.files)
            .finish()
    }
}

/// The environment variable an export names for a connector's secret:
/// `CONNECTOR_<ID>_<WHAT>`, the id upper-cased with anything but letters and digits as `_`.
pub(crate) fn variable_name(id: &str, what: &str) -> String {
    let id: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("CONNECTOR_{id}_{what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_shell_variables() {
        assert_eq!(
            variable_name("wiki-2", "SERVICE_TOKEN"),
            "CONNECTOR_WIKI_2_SERVICE_TOKEN"
        );
        assert_eq!(variable_name("é.x", "T"), "CONNECTOR___X_T");
    }

    #[test]
    fn files_are_read_and_trimmed_and_empty_values_refused() {
        let dir = std::env::temp_dir().join(format!("cc-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("token");
        std::fs::write(&file, "file-token\n").unwrap();
        let secrets = Secrets::from_env();
        assert_eq!(
            secrets
                .resolve(&SecretRef::File(file.clone()))
                .unwrap()
                .expose(),
            "file-token"
        );
        std::fs::write(&file, "\n").unwrap();
        assert!(
            secrets
                .resolve(&SecretRef::File(file.clone()))
                .unwrap_err()
                .ends_with("is empty")
        );
        assert!(Secrets::none().resolve(&SecretRef::File(file)).is_err());
        assert!(secrets.resolve(&SecretRef::Value(Secret::new(""))).is_err());
        let _ = std::fs::remove_dir_all(dir);
    }
}
