//! Export: every connector of an account into a manifest, one page in memory at a time.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use futures_util::TryStreamExt;

use super::MigrateError;
use super::fs::Replacement;
use super::manifest::{MANIFEST_VERSION, ManifestConnector};
use super::secrets::shown_path;
use cohere_connectors::Client;

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ExportSummary {
    /// Connectors written.
    pub connectors: u64,
    /// Secret references written (service tokens, OAuth client secrets, URL passwords) for
    /// the operator to fill before the manifest can recreate the account.
    pub secret_references: u64,
}

/// Writes every connector of the account to `out` as a [`Manifest`](super::Manifest) (JSON,
/// one connector per line), streaming: memory stays at one page of 100 whatever the size of
/// the account. What it writes, [`Manifest::from_json`](super::Manifest::from_json) reads
/// back and [`plan`](crate::sync::plan) compares to nothing to change.
///
/// The manifest holds no secret. The ones the API never returns are written as environment
/// variables to fill (`CONNECTOR_<ID>_SERVICE_TOKEN`, `CONNECTOR_<ID>_OAUTH_CLIENT_SECRET`),
/// and so is a password in a search URL, which the URL is written without
/// (`CONNECTOR_<ID>_URL_PASSWORD`, put back when the URL is used). No two connectors get the
/// same variable, whatever their ids (see the README's "Moving to Chat v2 tools").
///
/// `out` is written with blocking calls: give it a buffer or a file.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::{Manifest, export};
///
/// let emulator = cohere_connectors_emulator::Emulator::builder().seed(3).start().await?;
/// let mut out = Vec::new();
/// let summary = export(&emulator.client()?, &mut out).await?;
/// assert_eq!(summary.connectors, 3);
/// let manifest = Manifest::from_json(std::str::from_utf8(&out)?)?;
/// assert_eq!(manifest.connectors[0].id.as_deref(), Some("sample-connector-3"));
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// The first failed call ([`MigrateError::Api`]: a retired API among them) or write;
/// [`MigrateError::Manifest`] for a connector the API returned with a URL a manifest cannot
/// hold (not an http(s) URL, a password in an OAuth endpoint).
pub async fn export<W: Write>(client: &Client, mut out: W) -> Result<ExportSummary, MigrateError> {
    let write_error = |error| MigrateError::io("cannot write the manifest", error);
    write!(
        out,
        "{{\n  \"version\": {MANIFEST_VERSION},\n  \"exported_at\": {},\n  \"connectors\": [",
        serde_json::to_string(&Utc::now()).unwrap_or_else(|_| "null".into())
    )
    .map_err(write_error)?;
    let mut summary = ExportSummary::default();
    let mut connectors = client.connectors().list().limit(100).stream();
    while let Some(connector) = connectors.try_next().await? {
        let entry = ManifestConnector::from_connector(&connector)?;
        let references = u64::try_from(entry.secret_references().count()).unwrap_or(u64::MAX);
        let line = serde_json::to_string(&entry)
            .map_err(|error| MigrateError::io("cannot write the manifest", error.into()))?;
        let separator = if summary.connectors == 0 { "" } else { "," };
        write!(out, "{separator}\n    {line}").map_err(write_error)?;
        summary.connectors = summary.connectors.saturating_add(1);
        summary.secret_references = summary.secret_references.saturating_add(references);
    }
    let close = if summary.connectors == 0 {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    };
    out.write_all(close.as_bytes()).map_err(write_error)?;
    out.flush().map_err(write_error)?;
    Ok(summary)
}

/// [`export`] to a file, written whole or not at all: into a temporary file beside `path`
/// (created exclusively, with a random name, mode 0600), synced, then renamed over it. A file
/// it replaces keeps its mode; a link at `path` is replaced, not followed. On any error, and
/// when the future is dropped, the temporary file is removed and `path` is left as it was.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use cohere_connectors_migrate::{Manifest, export_file};
///
/// let emulator = cohere_connectors_emulator::Emulator::builder().seed(2).start().await?;
/// let path = std::env::temp_dir().join(format!("export-doc-{}.json", std::process::id()));
/// export_file(&emulator.client()?, &path).await?;
/// assert_eq!(Manifest::read(&path)?.connectors.len(), 2);
/// # #[cfg(unix)]
/// # {
/// use std::os::unix::fs::PermissionsExt;
/// assert_eq!(std::fs::metadata(&path)?.permissions().mode() & 0o777, 0o600);
/// # }
/// # std::fs::remove_file(&path)?;
/// # Ok(()) }
/// ```
///
/// # Errors
///
/// As [`export`], and when the file cannot be created, written or renamed.
pub async fn export_file(
    client: &Client,
    path: impl AsRef<Path>,
) -> Result<ExportSummary, MigrateError> {
    let path = path.as_ref();
    let failed = |error| MigrateError::io(format!("cannot write {}", shown_path(path)), error);
    let mut replacement = Replacement::begin(path).map_err(failed)?;
    let summary = export(client, std::io::BufWriter::new(replacement.file())).await?;
    replacement.commit().map_err(failed)?;
    Ok(summary)
}
