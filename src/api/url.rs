//! URLs in connector definitions (the search URL, the OAuth endpoints): one type that hides a
//! password in `Debug` and `Display`, and checks what it parses.

use std::borrow::{Borrow, Cow};
use std::fmt;
use std::ops::{Deref, Range};
use std::str::FromStr;

#[cfg(feature = "schemars")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::core::text::{escape, redact_url};

/// An absolute http(s) URL with a host: a connector's search URL or an OAuth endpoint.
///
/// It keeps the text it was given and sends and writes it byte for byte (never normalized:
/// `https://A.example` stays as it is, with no `/` added). It is checked where text is
/// *parsed*: [`HttpUrl::parse`], `str::parse`, and deserialization, so that a definition read
/// from a file or from a request body with a bad URL is refused as it is read. Builders that
/// take a string (`NewConnector::new`, `with_url`, the request builders) wrap it as given
/// (`From<String>`), and the request that carries it checks it before anything is sent. A
/// [`Connector`](crate::Connector) holds its URL as the API returned it: answers are shown,
/// not judged.
///
/// `Debug` and `Display` hide a password (`https://user:[redacted]@host/`) and escape control
/// characters; [`as_str`](Self::as_str), `Deref` and serialization give the URL itself,
/// because the API needs it.
///
/// ```
/// use cohere_connectors::HttpUrl;
///
/// let url: HttpUrl = "https://bot:hunter22@wiki.example.com/search".parse()?;
/// assert_eq!(format!("{url:?}"), r#""https://bot:[redacted]@wiki.example.com/search""#);
/// assert_eq!(url.to_string(), "https://bot:[redacted]@wiki.example.com/search");
/// assert_eq!(url, "https://bot:hunter22@wiki.example.com/search");
/// assert_eq!(url.password(), Some("hunter22"));
/// assert_eq!(url.without_password(), "https://bot@wiki.example.com/search");
///
/// assert!(HttpUrl::parse("/search").is_err());
/// assert!(HttpUrl::parse("ftp://files.example.com/").is_err());
/// # Ok::<(), cohere_connectors::InvalidUrl>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HttpUrl(String);

/// Why a text is not an [`HttpUrl`]. It never contains the text, which may hold a password.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidUrl {
    reason: Cow<'static, str>,
}

impl InvalidUrl {
    /// What is wrong with the URL.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for InvalidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "not an absolute http(s) URL with a host ({})",
            self.reason
        )
    }
}

impl std::error::Error for InvalidUrl {}

impl HttpUrl {
    /// Checks `text` and wraps it.
    ///
    /// # Errors
    ///
    /// [`InvalidUrl`] when it is not an absolute URL, its scheme is not `http` or `https`, or
    /// it has no host.
    pub fn parse(text: impl Into<String>) -> Result<Self, InvalidUrl> {
        let url = Self(text.into());
        url.check()?;
        Ok(url)
    }

    /// Whether the URL is an absolute http(s) URL with a host, for one built with `From`
    /// (requests call this before they are sent).
    ///
    /// # Errors
    ///
    /// As [`parse`](Self::parse).
    pub fn check(&self) -> Result<(), InvalidUrl> {
        let parsed = url::Url::parse(&self.0).map_err(|error| InvalidUrl {
            // The url crate's messages name the problem, never the input.
            reason: error.to_string().into(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(InvalidUrl {
                reason: "the scheme is not http or https".into(),
            });
        }
        if parsed.host_str().is_none_or(str::is_empty) {
            return Err(InvalidUrl {
                reason: "it has no host".into(),
            });
        }
        Ok(())
    }

    /// The URL itself, password included.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The URL as a `String`, password included.
    pub fn into_string(self) -> String {
        self.0
    }

    /// The URL for people: a password hidden, as `Display` shows it (without escaping).
    pub fn redacted(&self) -> Cow<'_, str> {
        redact_url(&self.0)
    }

    /// The password of the user info, as written in the URL (percent-encoded where the URL
    /// encodes it), if it has one.
    pub fn password(&self) -> Option<&str> {
        password_span(&self.0).map(|span| &self.0[span])
    }

    /// The same URL without the password of its user info (the user name stays); the rest
    /// of the text is unchanged.
    #[must_use]
    pub fn without_password(&self) -> HttpUrl {
        match password_span(&self.0) {
            // The `:` before the password goes too.
            Some(span) => Self(format!(
                "{}{}",
                &self.0[..span.start.saturating_sub(1)],
                &self.0[span.end..]
            )),
            None => self.clone(),
        }
    }

    /// The same URL with `password` as the password of its user info (replacing one it
    /// has). Characters a password cannot hold in a URL (`@`, `/`, `:`, whitespace, non-ASCII,
    /// ...) are percent-encoded; `%` is kept, as the start of a byte already encoded, so that
    /// a password taken from a URL with [`password`](Self::password) gives back the same
    /// text.
    ///
    /// # Errors
    ///
    /// [`InvalidUrl`] when the URL has no authority (`scheme://host`) to put a password in.
    pub fn with_password(&self, password: &str) -> Result<HttpUrl, InvalidUrl> {
        let bare = self.without_password();
        let authority = authority_span(&bare.0).ok_or_else(|| InvalidUrl {
            reason: "it has no host to put a password in front of".into(),
        })?;
        let encoded = encode_password(password);
        let authority_text = &bare.0[authority.clone()];
        let text = match authority_text.rfind('@') {
            // `user@host`: the password goes after the user name.
            Some(at) => {
                let at = authority.start.saturating_add(at);
                format!("{}:{encoded}{}", &bare.0[..at], &bare.0[at..])
            }
            // No user info: an empty user name, as `https://:password@host` writes it.
            None => format!(
                "{}:{encoded}@{}",
                &bare.0[..authority.start],
                &bare.0[authority.start..]
            ),
        };
        Ok(Self(text))
    }
}

/// Where the authority of a `scheme://authority/...` text is: up to the first `/`, `?`, `#`
/// or `\` (which http(s) URL parsers read as `/`).
fn authority_span(text: &str) -> Option<Range<usize>> {
    let start = text.find("://")?.saturating_add(3);
    let rest = &text[start..];
    let len = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    Some(start..start.saturating_add(len))
}

/// Where the password of the user info is: after the first `:` before the last `@` of the
/// authority, as URL parsers split it.
fn password_span(text: &str) -> Option<Range<usize>> {
    let authority = authority_span(text)?;
    let userinfo_len = text[authority.clone()].rfind('@')?;
    let userinfo = &text[authority.start..authority.start.saturating_add(userinfo_len)];
    let colon = userinfo.find(':')?;
    let start = authority.start.saturating_add(colon).saturating_add(1);
    Some(start..authority.start.saturating_add(userinfo_len))
}

/// `password` with what the user info of a URL cannot hold percent-encoded: everything but
/// RFC 3986's unreserved characters, its sub-delimiters and `%`.
fn encode_password(password: &str) -> Cow<'_, str> {
    let keep = |byte: u8| byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=%".contains(&byte);
    if password.bytes().all(keep) {
        return Cow::Borrowed(password);
    }
    let mut encoded = String::with_capacity(password.len().saturating_mul(3));
    for byte in password.bytes() {
        if keep(byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Cow::Owned(encoded)
}

impl fmt::Debug for HttpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&escape(&self.redacted()), f)
    }
}

impl fmt::Display for HttpUrl {
    /// The URL for people: a password hidden, control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&escape(&self.redacted()))
    }
}

impl FromStr for HttpUrl {
    type Err = InvalidUrl;

    fn from_str(text: &str) -> Result<Self, InvalidUrl> {
        Self::parse(text)
    }
}

/// Wraps the text as given, for builders and test data: the request that sends it checks it.
impl From<String> for HttpUrl {
    fn from(text: String) -> Self {
        Self(text)
    }
}

/// Wraps the text as given, for builders and test data: the request that sends it checks it.
impl From<&str> for HttpUrl {
    fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

/// Wraps the text as given, for builders and test data: the request that sends it checks it.
impl From<&String> for HttpUrl {
    fn from(text: &String) -> Self {
        Self(text.clone())
    }
}

impl From<HttpUrl> for String {
    fn from(url: HttpUrl) -> Self {
        url.0
    }
}

impl Deref for HttpUrl {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for HttpUrl {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for HttpUrl {
    fn borrow(&self) -> &str {
        &self.0
    }
}

macro_rules! eq_text {
    ($($text:ty),*) => {$(
        impl PartialEq<$text> for HttpUrl {
            fn eq(&self, other: &$text) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<HttpUrl> for $text {
            fn eq(&self, other: &HttpUrl) -> bool {
                *self == other.0
            }
        }
    )*};
}

eq_text!(str, &str, String);

impl Serialize for HttpUrl {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for HttpUrl {
    /// Checks the URL: a definition with a bad one is refused as it is read. The error names
    /// the problem, never the URL.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::parse(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schemars")]
impl JsonSchema for HttpUrl {
    fn schema_name() -> Cow<'static, str> {
        "HttpUrl".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// A URL as the API returned it, unchecked: one odd connector must not make a whole page of
/// answers unreadable.
pub(crate) fn as_sent<'de, D: Deserializer<'de>>(deserializer: D) -> Result<HttpUrl, D::Error> {
    String::deserialize(deserializer).map(HttpUrl)
}

/// [`as_sent`] for an optional URL.
pub(crate) fn as_sent_option<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<HttpUrl>, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.map(HttpUrl))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parsing_checks_what_wrapping_keeps() {
        for good in [
            "https://a.example",
            "http://127.0.0.1:8080/search",
            "https://u:p@a.example/s?q=1#f",
            "HTTPS://A.EXAMPLE",
        ] {
            assert_eq!(HttpUrl::parse(good).unwrap(), good);
        }
        for bad in [
            "",
            "/search",
            "search",
            "ftp://a.example",
            "https://",
            "mailto:a@b",
        ] {
            let error = HttpUrl::parse(bad).unwrap_err();
            assert!(
                error.to_string().starts_with("not an absolute http(s) URL"),
                "{bad}"
            );
        }
        let wrapped = HttpUrl::from("not a url");
        assert_eq!(wrapped.as_str(), "not a url");
        assert!(wrapped.check().is_err());
    }

    #[test]
    fn errors_never_show_the_url() {
        let error = HttpUrl::parse("ftp://user:hunter22@files.example.com/").unwrap_err();
        assert!(!format!("{error} {error:?}").contains("hunter22"));
        let error = serde_json::from_str::<HttpUrl>(r#""https://u:hunter22@[bad""#).unwrap_err();
        assert!(!error.to_string().contains("hunter22"), "{error}");
    }

    #[test]
    fn passwords_come_out_and_go_in_without_touching_the_rest() {
        let url = HttpUrl::from("https://bob:p%40ss@Wiki.Example.com:8443/a/b?c=d@e");
        assert_eq!(url.password(), Some("p%40ss"));
        let bare = url.without_password();
        assert_eq!(bare, "https://bob@Wiki.Example.com:8443/a/b?c=d@e");
        assert_eq!(bare.with_password("p%40ss").unwrap(), url);
        assert_eq!(
            HttpUrl::from("https://host/x")
                .with_password("a@b/c d")
                .unwrap(),
            "https://:a%40b%2Fc%20d@host/x"
        );
        assert_eq!(HttpUrl::from("https://host/a@b:c").password(), None);
        assert_eq!(HttpUrl::from("https://u@host/").password(), None);
        assert!(HttpUrl::from("no authority").with_password("x").is_err());
        // `\` ends the authority for http(s), as URL parsers read it.
        assert_eq!(HttpUrl::from("https://h\\@x:y@z/").password(), None);
    }

    proptest! {
        /// Whatever the text, the password this type finds is the one `redact_url` hides, so
        /// that what is shown and what is taken out never disagree.
        #[test]
        fn the_password_is_what_redaction_hides(
            user in "[a-z%:]{0,4}", password in "[a-zA-Z0-9%@:!]{0,6}", host in "[a-z.@:]{1,6}", path in "[/a-z@:?#]{0,6}"
        ) {
            let text = format!("https://{user}:{password}@{host}{path}");
            let expected = match password_span(&text) {
                Some(span) => format!("{}[redacted]{}", &text[..span.start], &text[span.end..]),
                None => text.clone(),
            };
            prop_assert_eq!(redact_url(&text), expected);
            let url = HttpUrl::from(text.as_str());
            if let Some(found) = url.password().filter(|found| encode_password(found) == *found) {
                let bare = url.without_password();
                prop_assert_eq!(bare.password(), None);
                prop_assert_eq!(&bare.with_password(found).unwrap(), &url);
            }
        }
    }
}
