//! What migration work can end with.

/// Why exporting, reading a manifest, resolving a secret or running a tool failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrateError {
    /// A call to the Connectors API failed.
    #[error(transparent)]
    Api(#[from] cohere_connectors::Error),
    /// Writing or reading a file failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (never a secret).
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A manifest is not valid JSON of the manifest's shape, or breaks its rules.
    #[error("invalid manifest: {message}")]
    Manifest {
        /// What is wrong with it.
        message: String,
    },
    /// A saved plan is not valid JSON of the plan's format, or could not be saved as one.
    #[error("invalid plan: {message}")]
    InvalidPlan {
        /// What is wrong with it.
        message: String,
    },
    /// A secret reference could not be resolved.
    #[error("secret of connector `{connector}` ({field}): {message}")]
    Secret {
        /// The connector's id or name.
        connector: String,
        /// Which secret (`service_auth.token`, `oauth.client_secret`).
        field: &'static str,
        /// Why (an unset variable, an unreadable file; never the value).
        message: String,
    },
}

impl MigrateError {
    pub(crate) fn manifest(message: impl Into<String>) -> Self {
        Self::Manifest {
            message: message.into(),
        }
    }

    pub(crate) fn invalid_plan(message: impl Into<String>) -> Self {
        Self::InvalidPlan {
            message: message.into(),
        }
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io {
            context: context.into(),
            source,
        }
    }
}
