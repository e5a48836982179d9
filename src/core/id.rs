//! Connector ids as they go into a URL path: one segment, whatever the id holds.

#[cfg(feature = "schemars")]
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest connector id accepted, in bytes. Cohere derives ids from connector names and
/// documents no limit; real ids are a few dozen bytes. This bound keeps every request line
/// far below what servers and proxies accept (8 KiB is common), even with each byte
/// percent-encoded.
pub const MAX_ID_BYTES: usize = 512;

/// A connector id that can travel as one segment of a URL path.
///
/// Every operation on one connector takes its id through this type, in the facade and in
/// [`raw`](crate::raw) alike. The id is percent-encoded into the path, and the few ids no
/// encoding can carry are refused before anything is sent:
///
/// - the empty id, `.` and `..`, which URLs resolve as path steps whatever their encoding;
/// - an id containing `\`, which URL parsers read as `/` in http(s) URLs (so that
///   `x\..\other` would reach the connector `other`);
/// - an id longer than [`MAX_ID_BYTES`].
///
/// ```
/// use cohere_connectors::ConnectorId;
///
/// let id = ConnectorId::new("web-search")?;
/// assert_eq!(id.as_str(), "web-search");
/// assert!(ConnectorId::new("x\\..\\victim").is_err());
/// assert!(ConnectorId::new("..").is_err());
/// # Ok::<(), cohere_connectors::InvalidId>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectorId(String);

impl ConnectorId {
    /// Checks `id` and wraps it.
    ///
    /// # Errors
    ///
    /// [`InvalidId`] for an id no URL path segment can carry (see the type's documentation).
    pub fn new(id: impl Into<String>) -> Result<Self, InvalidId> {
        let id = id.into();
        check(&id)?;
        Ok(Self(id))
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

fn check(id: &str) -> Result<(), InvalidId> {
    let reason = if id.is_empty() {
        "the connector id is empty"
    } else if id == "." || id == ".." {
        "`.` and `..` cannot be connector ids: URLs treat them as path steps"
    } else if id.contains('\\') {
        "a connector id cannot contain `\\`: URL parsers read it as `/`"
    } else if id.len() > MAX_ID_BYTES {
        "the connector id is longer than 512 bytes"
    } else {
        return Ok(());
    };
    Err(InvalidId { reason })
}

/// Why a string cannot be a [`ConnectorId`]. It never contains the id itself, which may be
/// long or hold anything.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidId {
    reason: &'static str,
}

impl InvalidId {
    /// What is wrong with the id.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

impl fmt::Display for InvalidId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.reason)
    }
}

impl std::error::Error for InvalidId {}

impl fmt::Display for ConnectorId {
    /// The id itself: the generated code percent-encodes it into the path.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ConnectorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::core::text::escape(&self.0), f)
    }
}

impl AsRef<str> for ConnectorId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ConnectorId {
    type Err = InvalidId;

    fn from_str(id: &str) -> Result<Self, InvalidId> {
        Self::new(id)
    }
}

impl TryFrom<&str> for ConnectorId {
    type Error = InvalidId;

    fn try_from(id: &str) -> Result<Self, InvalidId> {
        Self::new(id)
    }
}

impl TryFrom<&String> for ConnectorId {
    type Error = InvalidId;

    fn try_from(id: &String) -> Result<Self, InvalidId> {
        Self::new(id.as_str())
    }
}

impl TryFrom<String> for ConnectorId {
    type Error = InvalidId;

    fn try_from(id: String) -> Result<Self, InvalidId> {
        Self::new(id)
    }
}

impl From<ConnectorId> for String {
    fn from(id: ConnectorId) -> Self {
        id.0
    }
}

/// `&connector.id` goes where a string is taken (`client.connectors().get(&connector.id)`).
impl From<&ConnectorId> for String {
    fn from(id: &ConnectorId) -> Self {
        id.0.clone()
    }
}

impl std::ops::Deref for ConnectorId {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for ConnectorId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

macro_rules! eq_text {
    ($($text:ty),*) => {$(
        impl PartialEq<$text> for ConnectorId {
            fn eq(&self, other: &$text) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<ConnectorId> for $text {
            fn eq(&self, other: &ConnectorId) -> bool {
                *self == other.0
            }
        }
    )*};
}

eq_text!(str, &str, String);

impl Serialize for ConnectorId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ConnectorId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Self::new(id).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl JsonSchema for ConnectorId {
    fn schema_name() -> Cow<'static, str> {
        "ConnectorId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_ID_BYTES,
            "not": { "enum": [".", ".."] },
            "pattern": "^[^\\\\]*$",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_a_path_segment_cannot_carry_are_refused() {
        for bad in ["", ".", "..", "a\\b", "\\", &"x".repeat(MAX_ID_BYTES + 1)] {
            assert!(ConnectorId::new(bad).is_err(), "{bad:?}");
        }
        for good in [
            "a",
            "...",
            "a/b",
            "%2e%2e",
            "ünï",
            "a?b#c",
            &"x".repeat(MAX_ID_BYTES),
        ] {
            assert_eq!(ConnectorId::new(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn ids_read_as_the_strings_they_hold() {
        let id = ConnectorId::new("wiki").unwrap();
        assert_eq!(id, "wiki");
        assert_eq!("wiki", id);
        assert_eq!(id, String::from("wiki"));
        assert_eq!(id.len(), 4);
        let set: std::collections::HashSet<ConnectorId> = [id.clone()].into();
        assert!(set.contains("wiki"));
        assert_eq!(String::from(&id), "wiki");
    }

    #[test]
    fn the_error_never_shows_the_id() {
        let error = ConnectorId::new(format!("{}\\", "secret")).unwrap_err();
        assert!(!error.to_string().contains("secret"));
    }
}
