//! The query a provider sends the user's browser back with (RFC 6749 section 4.1.2), read
//! with bounds: the whole query, each parameter, and no parameter given twice (which one
//! counts would be a guess).

use std::fmt;

use super::error::OAuthError;
use cohere_connectors::Secret;
use cohere_connectors::text::one_line;

/// The longest callback query read.
pub const MAX_CALLBACK_QUERY_BYTES: usize = 16 * 1024;
/// The longest `state` taken (the broker's are 43 characters).
const MAX_STATE_BYTES: usize = 256;
/// The longest `code` taken (providers' run to a few hundred characters; some are JWTs).
const MAX_CODE_BYTES: usize = 8 * 1024;
/// The longest `error` and `error_description` taken.
const MAX_ERROR_BYTES: usize = 256;
const MAX_DESCRIPTION_BYTES: usize = 2048;

/// What a provider sent the user back with: `state`, and `code` or `error` (with its
/// `error_description`). Other parameters (`scope`, `iss`, `session_state`...) are ignored.
/// `Debug` hides the code.
///
/// ```
/// use cohere_connectors_migrate::oauth::CallbackParams;
///
/// let params = CallbackParams::from_query("code=c-123&state=s-456&scope=read")?;
/// assert_eq!(params.state(), Some("s-456"));
/// assert!(!format!("{params:?}").contains("c-123"));
/// assert!(CallbackParams::from_query("state=a&state=b").is_err());
/// # Ok::<(), cohere_connectors_migrate::oauth::OAuthError>(())
/// ```
#[derive(Clone, Default)]
pub struct CallbackParams {
    pub(crate) state: Option<String>,
    pub(crate) code: Option<Secret>,
    pub(crate) error: Option<String>,
    pub(crate) error_description: Option<String>,
}

impl CallbackParams {
    /// The parameters of a callback's query string (without the `?`).
    ///
    /// # Errors
    ///
    /// [`OAuthError::InvalidCallback`] when the query is longer than
    /// [`MAX_CALLBACK_QUERY_BYTES`], a parameter is repeated, or one is longer than it can
    /// be (`state` 256 bytes, `code` 8 KiB).
    pub fn from_query(query: &str) -> Result<Self, OAuthError> {
        let invalid = |reason| OAuthError::InvalidCallback { reason };
        if query.len() > MAX_CALLBACK_QUERY_BYTES {
            return Err(invalid("the query is longer than 16 KiB"));
        }
        let mut params = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let (slot, max, what): (&mut Option<String>, usize, &'static str) = match &*name {
                "state" => (&mut params.state, MAX_STATE_BYTES, "state is too long"),
                "error" => (&mut params.error, MAX_ERROR_BYTES, "error is too long"),
                "error_description" => (
                    &mut params.error_description,
                    MAX_DESCRIPTION_BYTES,
                    "error_description is too long",
                ),
                "code" => {
                    if params.code.is_some() {
                        return Err(invalid("a parameter is repeated"));
                    }
                    if value.len() > MAX_CODE_BYTES {
                        return Err(invalid("code is too long"));
                    }
                    params.code = Some(Secret::new(value.into_owned()));
                    continue;
                }
                _ => continue,
            };
            if slot.is_some() {
                return Err(invalid("a parameter is repeated"));
            }
            if value.len() > max {
                return Err(invalid(what));
            }
            *slot = Some(value.into_owned());
        }
        Ok(params)
    }

    /// Parameters for a callback with a code, for a server of your own that reads them
    /// itself.
    pub fn with_code(state: impl Into<String>, code: impl Into<Secret>) -> Self {
        Self {
            state: Some(state.into()),
            code: Some(code.into()),
            ..Self::default()
        }
    }

    /// The `state`.
    pub fn state(&self) -> Option<&str> {
        self.state.as_deref()
    }

    /// The provider's `error`, if it sent one (`access_denied`), escaped and cut.
    pub fn error(&self) -> Option<String> {
        self.error.as_deref().map(|error| one_line(error, 64))
    }
}

impl fmt::Debug for CallbackParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackParams")
            .field("state", &self.state.as_deref().map(|_| "[given]"))
            .field("code", &self.code)
            .field("error", &self.error())
            .finish_non_exhaustive()
    }
}
