//! Text that came from outside (a server's messages and bodies, URLs a caller gave) made safe
//! to show: control characters escaped, the client's secrets replaced, passwords in URLs
//! hidden, length bounded. Everything an error, a `Debug` impl or a log line shows of such
//! text goes through here first.

use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::sync::Arc;

use crate::Secret;

/// How many characters of server text an error message keeps.
pub const SNIPPET_CHARS: usize = 200;
/// How many characters of a body that is not the API's JSON an error keeps.
pub const BODY_SNIPPET_CHARS: usize = 1024;
/// Secrets shorter than this are not searched for: they would match ordinary words, and no
/// real key or token is this short.
const MIN_SCRUBBED_LEN: usize = 6;
/// A text cut short that ends with this much of a secret has the rest hidden too.
const MIN_TAIL_PREFIX: usize = 4;
/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Whether a character could change how a terminal or a log viewer shows the text around it:
/// C0 and C1 controls, DEL, and the bidirectional overrides and isolates.
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every unsafe character written as an escape (`\u{1b}`).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut escaped = String::with_capacity(text.len().saturating_add(8));
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(escaped, "\\u{{{:x}}}", u32::from(c));
        } else {
            escaped.push(c);
        }
    }
    Cow::Owned(escaped)
}

/// Whitespace runs squeezed to one space, controls escaped, cut to `max_chars` characters
/// (with `…` when cut).
pub fn one_line(text: &str, max_chars: usize) -> String {
    let squeezed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let escaped = escape(&squeezed);
    cut(&escaped, max_chars)
}

fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// The secrets a call must never show: the client's API key and whatever secrets the request
/// itself carries. Server text is passed through [`Redactor::clean`] before it is stored in
/// an error, so that `Display`, `Debug` and tracing never see a secret a server echoed back.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Each secret in every form it may come back in (as sent, JSON-escaped,
    /// percent-encoded), longest first so that a longer form is replaced whole.
    needles: Vec<Arc<str>>,
}

impl Redactor {
    /// A redactor that also hides `secret` (unless it is shorter than 6 bytes: no real key
    /// is, and a short one would match ordinary words).
    pub fn with(self, secret: &Secret) -> Self {
        self.hiding(secret, MIN_SCRUBBED_LEN)
    }

    /// A redactor that also hides `secret` however short it is: for text that must never
    /// hold a token it was given (a service's answers and logs), where hiding an unrelated
    /// word that happens to match is the safe failure. An empty secret hides nothing.
    ///
    /// ```
    /// use cohere_connectors::{Secret, text::Redactor};
    ///
    /// let redactor = Redactor::default().with_any_length(&Secret::from("ab/c"));
    /// assert_eq!(redactor.scrub("echo ab/c and ab%2Fc", false), "echo [redacted] and [redacted]");
    /// assert_eq!(Redactor::default().with(&Secret::from("ab/c")).scrub("ab/c", false), "ab/c");
    /// ```
    pub fn with_any_length(self, secret: &Secret) -> Self {
        self.hiding(secret, 1)
    }

    /// Adds `secret`'s forms of at least `min_len` bytes.
    fn hiding(mut self, secret: &Secret, min_len: usize) -> Self {
        let value = secret.expose();
        if value.len() < min_len {
            return self;
        }
        let json = serde_json::to_string(value).unwrap_or_default();
        let json = json.trim_matches('"');
        let percent: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        for form in [value, json, percent.as_str()] {
            if form.len() >= min_len && !self.needles.iter().any(|n| &**n == form) {
                self.needles.push(Arc::from(form));
            }
        }
        self.needles
            .sort_by_key(|needle| std::cmp::Reverse(needle.len()));
        self
    }

    /// Hides every secret in `text`. A text that was `cut_short` (the start of a longer body)
    /// also loses a tail that could be the first characters of a secret.
    pub fn scrub<'t>(&self, text: &'t str, cut_short: bool) -> Cow<'t, str> {
        let mut text = Cow::Borrowed(text);
        for needle in &self.needles {
            if text.contains(&**needle) {
                text = Cow::Owned(text.replace(&**needle, REDACTED));
            }
        }
        match self.secret_tail(&text).filter(|_| cut_short) {
            Some(start) => Cow::Owned(format!("{}{REDACTED}", &text[..start])),
            None => text,
        }
    }

    /// Where a text ends with the first few characters of a secret (a body cut off mid-key).
    fn secret_tail(&self, text: &str) -> Option<usize> {
        self.needles
            .iter()
            .filter_map(|needle| {
                let longest = needle.len().min(text.len());
                (MIN_TAIL_PREFIX..=longest)
                    .rev()
                    .filter(|&len| needle.is_char_boundary(len))
                    .find(|&len| text.ends_with(&needle[..len]))
                    .map(|len| text.len().saturating_sub(len))
            })
            .min()
    }

    /// Server text as an error keeps it: secrets hidden, one line, controls escaped, at most
    /// `max_chars` characters.
    pub fn clean(&self, text: &str, max_chars: usize) -> String {
        one_line(&self.scrub(text, false), max_chars)
    }

    /// The start of a body as text, cleaned like [`clean`](Self::clean); `complete` says
    /// whether `body` is the whole body or only its first bytes.
    pub fn clean_bytes(&self, body: &[u8], max_chars: usize, complete: bool) -> String {
        // A character is at most four bytes: reading more than that cannot add text.
        let window = max_chars
            .saturating_mul(4)
            .saturating_add(64)
            .min(body.len());
        let text = String::from_utf8_lossy(&body[..window]);
        let cut_short = !complete || window < body.len();
        one_line(&self.scrub(&text, cut_short), max_chars)
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.needles.len())
            .finish()
    }
}

/// A URL with the password of its user info hidden (`https://user:[redacted]@host/`), for
/// showing a connector's URL to people. Works on any text, URL or not: only a
/// `scheme://user:password@` prefix is touched.
///
/// ```
/// assert_eq!(
///     cohere_connectors::redact_url("https://bob:hunter22@search.example.com/search"),
///     "https://bob:[redacted]@search.example.com/search"
/// );
/// assert_eq!(cohere_connectors::redact_url("https://search.example.com/"), "https://search.example.com/");
/// ```
pub fn redact_url(text: &str) -> Cow<'_, str> {
    let Some(scheme_end) = text.find("://") else {
        return Cow::Borrowed(text);
    };
    let authority_start = scheme_end.saturating_add(3);
    let rest = &text[authority_start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_len];
    let Some(at) = authority.rfind('@') else {
        return Cow::Borrowed(text);
    };
    let Some(colon) = authority[..at].find(':') else {
        return Cow::Borrowed(text);
    };
    let password_start = authority_start.saturating_add(colon).saturating_add(1);
    let password_end = authority_start.saturating_add(at);
    Cow::Owned(format!(
        "{}{REDACTED}{}",
        &text[..password_start],
        &text[password_end..]
    ))
}

/// Formats a URL field for `Debug` with [`redact_url`] applied.
pub struct DebugUrl<'a>(pub &'a str);

impl fmt::Debug for DebugUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&redact_url(self.0), f)
    }
}

/// Formats an optional URL field for `Debug` with [`redact_url`] applied.
pub struct DebugOptionUrl<'a>(pub Option<&'a str>);

impl fmt::Debug for DebugOptionUrl<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0.map(DebugUrl), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_overrides_are_escaped() {
        assert_eq!(
            escape("a\u{1b}[31mb\u{7}\u{0}\u{202e}c"),
            "a\\u{1b}[31mb\\u{7}\\u{0}\\u{202e}c"
        );
        assert!(matches!(escape("plain é"), Cow::Borrowed(_)));
    }

    #[test]
    fn one_line_squeezes_and_cuts() {
        assert_eq!(one_line("a\n\n b\tc", 10), "a b c");
        assert_eq!(
            one_line(&"x".repeat(50), 10),
            format!("{}…", "x".repeat(10))
        );
    }

    #[test]
    fn secrets_are_scrubbed_in_every_form() {
        let redactor = Redactor::default()
            .with(&Secret::from("sk-live/KEY\"1"))
            .with(&Secret::from("short"));
        let text =
            r#"echo: Bearer sk-live/KEY"1, json "sk-live/KEY\"1", url sk-live%2FKEY%221, short"#;
        assert_eq!(
            redactor.scrub(text, false),
            r#"echo: Bearer [redacted], json "[redacted]", url [redacted], short"#
        );
    }

    #[test]
    fn secrets_of_any_length_are_scrubbed_when_asked() {
        let redactor = Redactor::default()
            .with_any_length(&Secret::from("k\"/"))
            .with_any_length(&Secret::from("z"))
            .with_any_length(&Secret::from(""));
        assert_eq!(
            redactor.scrub(r#"raw k"/, json k\"/, url k%22%2F, one z"#, false),
            "raw [redacted], json [redacted], url [redacted], one [redacted]"
        );
        assert_eq!(redactor.scrub("nothing else", false), "nothing else");
    }

    #[test]
    fn a_secret_cut_at_the_end_is_hidden() {
        let redactor = Redactor::default().with(&Secret::from("sk-live-0123456789"));
        assert_eq!(
            redactor.scrub("key was sk-live-01", true),
            "key was [redacted]"
        );
        assert_eq!(
            redactor.scrub("key was sk-live-01", false),
            "key was sk-live-01"
        );
        assert_eq!(redactor.scrub("ends with sk-", true), "ends with sk-");
    }

    #[test]
    fn url_passwords_are_hidden() {
        assert_eq!(
            redact_url("https://user:pa:ss@search.example.com/s?q=1"),
            "https://user:[redacted]@search.example.com/s?q=1"
        );
        assert_eq!(redact_url("https://user@host/"), "https://user@host/");
        assert_eq!(redact_url("https://host/a@b:c"), "https://host/a@b:c");
        assert_eq!(redact_url("not a url"), "not a url");
        assert_eq!(redact_url("x://a:b@c@d/"), "x://a:[redacted]@d/");
    }
}
