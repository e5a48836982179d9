//! The manifest: an account's connectors as a file, to recreate, audit or migrate them.
//!
//! The file ([`Manifest`]), its connectors ([`ManifestConnector`], a
//! [`ConnectorDefinition`](cohere_connectors::ConnectorDefinition) in the manifest's form) and
//! the rules a manifest must keep ([`Manifest::validate`]).

mod connector;
mod rules;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::MigrateError;
use super::fs::{MAX_MANIFEST_BYTES, read_text};
use super::secrets::shown_path;

pub(crate) use connector::{AccountAuth, account_auth};
pub use connector::{InManifest, ManifestConnector, ManifestOAuth, ManifestServiceAuth};

/// The manifest format this crate writes (and the only one it reads).
pub const MANIFEST_VERSION: u32 = 1;

/// An account's connectors: everything the API returns, secrets as references to fill.
/// Written by [`export`](super::export), read by [`Manifest::from_json`] and
/// [`Manifest::read`], validated by [`Manifest::json_schema`] and [`Manifest::validate`].
///
/// ```
/// use cohere_connectors_migrate::Manifest;
///
/// let manifest = Manifest::from_json(r#"{
///   "version": 1,
///   "connectors": [
///     {"name": "Wiki", "url": "https://wiki.example.com/search",
///      "service_auth": {"type": "bearer", "token": {"env": "WIKI_TOKEN"}}}
///   ]
/// }"#)?;
/// assert_eq!(manifest.connectors[0].definition.name, "Wiki");
/// # Ok::<(), cohere_connectors_migrate::MigrateError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "cohere-connectors manifest",
    description = "An account's connectors: everything the API returns, secrets as references to fill."
)]
#[non_exhaustive]
pub struct Manifest {
    /// The format's version: 1.
    pub version: u32,
    /// When it was exported (absent in a manifest written by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exported_at: Option<DateTime<Utc>>,
    /// The connectors, newest first as the API lists them (order does not matter to read).
    pub connectors: Vec<ManifestConnector>,
}

impl Manifest {
    /// A manifest of these connectors.
    pub fn new(connectors: Vec<ManifestConnector>) -> Self {
        Self {
            version: MANIFEST_VERSION,
            exported_at: None,
            connectors,
        }
    }

    /// Reads a manifest and checks its rules (see [`validate`](Self::validate)).
    ///
    /// # Errors
    ///
    /// [`MigrateError::Manifest`] naming the line and column, or the rule broken. It never
    /// quotes a value (a secret may be in the wrong place).
    pub fn from_json(json: &str) -> Result<Self, MigrateError> {
        let manifest: Self = serde_json::from_str(json).map_err(|error| {
            MigrateError::manifest(format!(
                "{} (line {}, column {})",
                error_kind(&error),
                error.line(),
                error.column()
            ))
        })?;
        manifest.validate()?;
        Ok(manifest)
    }

    /// Reads and validates the manifest at `path`: a regular file (links followed; a FIFO,
    /// a directory or a device is refused without waiting) of at most
    /// [`MAX_MANIFEST_BYTES`](crate::MAX_MANIFEST_BYTES) (16 MiB).
    ///
    /// # Errors
    ///
    /// When the file cannot be read or breaks those rules, or as
    /// [`from_json`](Self::from_json).
    pub fn read(path: impl AsRef<std::path::Path>) -> Result<Self, MigrateError> {
        let path = path.as_ref();
        let text = read_text(path, MAX_MANIFEST_BYTES).map_err(|error| {
            MigrateError::io(format!("cannot read {}", shown_path(path)), error)
        })?;
        Self::from_json(&text)
    }

    /// Checks the rules a manifest keeps beyond its shape:
    ///
    /// - the version is 1;
    /// - ids are unique; a connector without an id (one to create, matched by name) has a
    ///   name no other such connector has, and a URL;
    /// - URLs are absolute http(s) URLs with a host; `url_password` goes with a URL that
    ///   holds no password itself;
    /// - no connector has both OAuth and service auth;
    /// - secret references name something; a variable of the shape an export writes
    ///   (`CONNECTOR_<ID>_SERVICE_TOKEN`, ...) belongs to the connector it names, so that one
    ///   connector's secret is never sent to another's URL. Two connectors may share a
    ///   variable of another name on purpose.
    ///
    /// # Errors
    ///
    /// [`MigrateError::Manifest`] with the first rule broken, naming the connector.
    pub fn validate(&self) -> Result<(), MigrateError> {
        rules::validate(self)
    }

    /// The JSON Schema of the manifest (draft 2020-12), as `cohere-connectors schema` prints
    /// it.
    pub fn json_schema() -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(Manifest)).unwrap_or_default()
    }

    /// A digest of the manifest (`sha256:` and 64 hex digits of its JSON as this crate
    /// writes it), to tell which manifest a saved plan was made from.
    pub fn digest(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        let hex: String = Sha256::digest(&json)
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect();
        format!("sha256:{hex}")
    }
}

/// What a serde error says, without the values it quotes (a secret may be in the wrong
/// place): field names stay, quoted values become `"…"`.
pub(crate) fn error_kind(error: &serde_json::Error) -> String {
    use serde_json::error::Category;
    match error.classify() {
        Category::Syntax | Category::Eof => "not valid JSON".to_owned(),
        Category::Io => "could not be read".to_owned(),
        Category::Data => {
            let text = error.to_string();
            let text = text.split(" at line ").next().unwrap_or_default();
            let mut unquoted = String::with_capacity(text.len());
            for (index, part) in text.split('"').enumerate() {
                if index % 2 == 0 {
                    unquoted.push_str(part);
                } else {
                    unquoted.push_str("\"…\"");
                }
            }
            // Values are also quoted in backticks after their kind (`integer `5``, `unknown
            // variant `x``); field names and the expected values are kept.
            let mut cleaned = String::with_capacity(unquoted.len());
            for (index, part) in unquoted.split('`').enumerate() {
                let quoted = index % 2 == 1;
                let value = [
                    "variant ", "integer ", "point ", "boolean ", "char ", "value: ",
                ]
                .iter()
                .any(|kind| cleaned.ends_with(kind));
                if !quoted {
                    cleaned.push_str(part);
                } else if value {
                    cleaned.push('…');
                } else {
                    cleaned.push('`');
                    cleaned.push_str(part);
                    cleaned.push('`');
                }
            }
            let unquoted = cleaned;
            cohere_connectors::text::one_line(&unquoted, 200)
        }
    }
}
