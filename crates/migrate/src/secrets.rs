//! Secrets in a manifest: never the value the API would not return anyway, but a reference
//! to where it lives.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use sha2::{Digest, Sha256};

use super::MigrateError;
use super::fs::{MAX_SECRET_FILE_BYTES, read_text};
use cohere_connectors::text::escape;
use cohere_connectors::{DefinitionValue, Secret};

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
    /// The contents of a file (trailing whitespace trimmed), such as a mounted secret: a
    /// regular file (links followed) of at most 64 KiB.
    File(PathBuf),
    /// The value itself. For manifests kept out of version control only.
    Value(Secret),
}

impl DefinitionValue for SecretRef {}

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
    /// A file must be a regular file once links are resolved (a FIFO, a directory or a
    /// device is refused without being read, and without waiting), of at most
    /// [`MAX_SECRET_FILE_BYTES`](crate::MAX_SECRET_FILE_BYTES), in UTF-8.
    ///
    /// # Errors
    ///
    /// When the variable is unset or empty, or the file cannot be read, breaks those rules or
    /// is empty.
    pub fn resolve(&self, reference: &SecretRef) -> Result<Secret, String> {
        let value = match reference {
            SecretRef::Value(secret) => secret.clone(),
            SecretRef::Env(name) => match self.given.get(name) {
                Some(secret) => secret.clone(),
                None if self.environment => match std::env::var(name) {
                    Ok(value) => Secret::new(value),
                    Err(_) => return Err(unset(name)),
                },
                None => return Err(unset(name)),
            },
            SecretRef::File(path) if self.files => {
                let text = read_text(path, MAX_SECRET_FILE_BYTES)
                    .map_err(|error| format!("cannot read {}: {error}", shown_path(path)))?;
                Secret::new(text.trim_end().to_owned())
            }
            SecretRef::File(path) => {
                return Err(format!("files are not read here ({})", shown_path(path)));
            }
        };
        if value.is_empty() {
            return Err(match reference {
                SecretRef::Env(name) => format!("environment variable {} is empty", escape(name)),
                SecretRef::File(path) => format!("{} is empty", shown_path(path)),
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

/// A path from a file, as messages show it: controls and bidi overrides escaped.
pub(crate) fn shown_path(path: &std::path::Path) -> String {
    escape(&path.display().to_string()).into_owned()
}

fn unset(name: &str) -> String {
    format!("environment variable {} is not set", escape(name))
}

/// The secrets a manifest connector can reference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretKind {
    /// `service_auth.token`.
    ServiceToken,
    /// `oauth.client_secret`.
    OAuthClientSecret,
    /// `url_password`.
    UrlPassword,
}

impl SecretKind {
    pub(crate) const ALL: [Self; 3] = [
        Self::ServiceToken,
        Self::OAuthClientSecret,
        Self::UrlPassword,
    ];

    /// The field of a manifest connector that holds it.
    pub(crate) fn field(self) -> &'static str {
        match self {
            Self::ServiceToken => "service_auth.token",
            Self::OAuthClientSecret => "oauth.client_secret",
            Self::UrlPassword => "url_password",
        }
    }

    /// The end of the variable an export names for it. None is the end of another, so a name
    /// says which secret it is for.
    fn suffix(self) -> &'static str {
        match self {
            Self::ServiceToken => "_SERVICE_TOKEN",
            Self::OAuthClientSecret => "_OAUTH_CLIENT_SECRET",
            Self::UrlPassword => "_URL_PASSWORD",
        }
    }
}

const PREFIX: &str = "CONNECTOR_";

/// How long the readable part of a name for an unusual id may be; its digest tells ids apart.
const MAX_READABLE_CHARS: usize = 48;

/// The environment variable an export names for a connector's secret. No two connectors get
/// the same name, so a token filled in for one is never sent to another:
///
/// - an id as the API derives them from names (lower-case letters and digits in runs joined
///   by single `-`: `team-wiki-2`) gives `CONNECTOR_TEAM_WIKI_2_SERVICE_TOKEN`: upper-cased,
///   `-` as `_`. Such ids have no `_`, so no two give the same name;
/// - any other id (`wiki.2`, `Wiki`, `wiki_2`, `ünï`) gives
///   `CONNECTOR_WIKI_2__1A2B3C4D5E6F7A8B_SERVICE_TOKEN`: the id upper-cased with anything but
///   letters and digits as `_` (at most 48 of them), `__`, and 16 hex digits of the SHA-256
///   of the exact id. No name of the first kind holds `__`, and the digest tells apart the ids
///   that read alike.
pub(crate) fn variable_name(id: &str, kind: SecretKind) -> String {
    if is_derived_id(id) {
        let readable = id.to_ascii_uppercase().replace('-', "_");
        return format!("{PREFIX}{readable}{}", kind.suffix());
    }
    let readable: String = id
        .chars()
        .take(MAX_READABLE_CHARS)
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    let digest = Sha256::digest(id.as_bytes());
    let hex: String = digest[..8]
        .iter()
        .map(|byte| format!("{byte:02X}"))
        .collect();
    format!("{PREFIX}{readable}__{hex}{}", kind.suffix())
}

/// Whether `id` has the shape the API gives ids: `[a-z0-9]+(-[a-z0-9]+)*`.
fn is_derived_id(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// The id the API would derive from `name` (lower case, runs of anything but ASCII letters
/// and digits as one `-`), to tell which export names a connector not created yet may use.
pub(crate) fn id_from_name(name: &str) -> Option<String> {
    let mut id = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    (!id.is_empty()).then(|| id.to_owned())
}

/// Whether `name` has the shape of a variable an export names (`CONNECTOR_..._SERVICE_TOKEN`
/// and the others), which then belongs to one connector only.
pub(crate) fn is_export_name(name: &str) -> bool {
    name.starts_with(PREFIX)
        && SecretKind::ALL.iter().any(|kind| {
            name.len() > PREFIX.len().saturating_add(kind.suffix().len())
                && name.ends_with(kind.suffix())
        })
}

/// The id an export name of the first kind (an id as the API derives them) belongs to.
pub(crate) fn derived_owner(name: &str) -> Option<String> {
    let rest = name.strip_prefix(PREFIX)?;
    let readable = SecretKind::ALL
        .iter()
        .find_map(|kind| rest.strip_suffix(kind.suffix()))?;
    let id = readable.to_ascii_lowercase().replace('_', "-");
    is_derived_id(&id).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_valid_shell_variables_and_never_shared() {
        let name = |id| variable_name(id, SecretKind::ServiceToken);
        assert_eq!(name("wiki-2"), "CONNECTOR_WIKI_2_SERVICE_TOKEN");
        let ids = [
            "wiki-2", "wiki.2", "wiki_2", "Wiki-2", "wiki--2", "-wiki-2", "wiki-2-", "é.x", "",
        ];
        let names: std::collections::HashSet<String> = ids.iter().map(|id| name(id)).collect();
        assert_eq!(names.len(), ids.len(), "{names:?}");
        for name in &names {
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{name}"
            );
            assert!(is_export_name(name), "{name}");
        }
        assert!(name("wiki.2").starts_with("CONNECTOR_WIKI_2__"));
        assert_eq!(
            derived_owner("CONNECTOR_WIKI_2_SERVICE_TOKEN").as_deref(),
            Some("wiki-2")
        );
        assert_eq!(derived_owner(&name("wiki.2")), None);
    }

    /// `id` with some of its punctuation swapped and some letters' case changed: an id that
    /// reads the same once upper-cased and punctuation dropped.
    fn alike(id: &str, flips: &[u8]) -> String {
        id.chars()
            .zip(flips.iter().chain(std::iter::repeat(&0)))
            .map(|(c, flip)| match (c, flip % 3) {
                (_, 0) => c,
                ('.' | '_' | '-', step) => {
                    ['.', '_', '-'][usize::from(step).wrapping_add(".-_".find(c).unwrap_or(0)) % 3]
                }
                (c, _) if c.is_ascii_lowercase() => c.to_ascii_uppercase(),
                (c, _) => c.to_ascii_lowercase(),
            })
            .collect()
    }

    proptest::proptest! {
        /// Ids that read alike once upper-cased and punctuation dropped never share a name,
        /// whatever secret each is for.
        #[test]
        fn distinct_ids_get_distinct_names(
            id in "[a-zA-Z0-9._-]{0,10}",
            flips in proptest::collection::vec(proptest::prelude::any::<u8>(), 10),
            kinds in (0..3_usize, 0..3_usize),
        ) {
            let other = alike(&id, &flips);
            let (kind, other_kind) = (SecretKind::ALL[kinds.0], SecretKind::ALL[kinds.1]);
            if (id.as_str(), kind) != (other.as_str(), other_kind) {
                proptest::prop_assert_ne!(variable_name(&id, kind), variable_name(&other, other_kind));
            }
        }
    }

    #[test]
    fn no_suffix_ends_another() {
        for a in SecretKind::ALL {
            for b in SecretKind::ALL {
                assert!(a == b || !a.suffix().ends_with(b.suffix()), "{a:?} {b:?}");
            }
        }
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
