//! Everything the tool writes. Outside text (from the API, a connector, a manifest, an
//! error) goes through [`shown`] before it reaches a terminal: URL passwords hidden, and
//! control and bidi characters escaped with the library's one escaping function
//! (`cohere_connectors::text::escape`). JSON keeps the data, with the same passwords hidden
//! and the same characters as `\u` escapes (see [`json`]).

mod json;
pub mod render;
mod stdout;

use std::borrow::Cow;
use std::io::Write;

use anstyle::{AnsiColor, Style};
use cohere_connectors::text::{escape, one_line, redact_url};

pub use stdout::{Layout, Stdout, written};

pub const ADDED: Style = AnsiColor::Green.on_default();
pub const CHANGED: Style = AnsiColor::Yellow.on_default();
pub const REMOVED: Style = AnsiColor::Red.on_default();
pub const NOTE: Style = AnsiColor::Cyan.on_default();
pub const ERROR: Style = AnsiColor::Red.on_default().bold();
pub const WARNING: Style = AnsiColor::Yellow.on_default().bold();

/// The longest error line: library errors are bounded already; this bounds the rest (a
/// manifest's path, an I/O error).
const MAX_ERROR_CHARS: usize = 2_000;

/// Every URL in `text` with its password hidden (`https://bob:[redacted]@host/`). The rule
/// of every output, JSON included: a URL password is a secret.
pub fn without_passwords(text: &str) -> Cow<'_, str> {
    if !text.contains("://") {
        return Cow::Borrowed(text);
    }
    // `redact_url` hides the password of the first URL of a text: one word at a time, it
    // hides every one (a URL holds no whitespace).
    Cow::Owned(
        text.split_inclusive(char::is_whitespace)
            .map(redact_url)
            .collect(),
    )
}

/// Outside text as a terminal may show it: URL passwords hidden, control and bidi
/// characters escaped.
pub fn shown(text: &str) -> String {
    escape(&without_passwords(text)).into_owned()
}

/// `text` in `style` (the stream drops the style when colour is off). `text` is made
/// [`shown`] first: a style is the only escape sequence that reaches a terminal.
pub fn paint(style: Option<Style>, text: &str) -> String {
    let text = shown(text);
    match style {
        Some(style) => format!("{style}{text}{style:#}"),
        None => text,
    }
}

/// A line on stderr (diagnostics, progress), [`shown`] and styled. A closed stderr is no
/// reason to stop: what failed is reported by the exit code.
pub fn note(style: Option<Style>, text: &str) {
    let _ = writeln!(anstream::stderr(), "{}", paint(style, text));
}

/// `warning: <text>` on stderr.
pub fn warning(text: &str) {
    let _ = writeln!(
        anstream::stderr(),
        "{} {}",
        paint(Some(WARNING), "warning:"),
        shown(text)
    );
}

/// `error: <message>` on stderr, on one line.
pub fn error(message: &str) {
    let line = one_line(&without_passwords(message), MAX_ERROR_CHARS);
    let _ = writeln!(
        anstream::stderr(),
        "{} {line}",
        paint(Some(ERROR), "error:")
    );
}

/// A spinner counting connectors on stderr, when stderr is a terminal.
pub fn spinner(message: &'static str) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} {msg}") {
        bar.set_style(style);
    }
    bar.set_message(message);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_url_of_a_text_loses_its_password_and_nothing_else_changes() {
        assert_eq!(
            without_passwords("url: \"https://a:p1@x/s\" -> \"https://b:p2@y\"\n"),
            "url: \"https://a:[redacted]@x/s\" -> \"https://b:[redacted]@y\"\n"
        );
        assert_eq!(without_passwords("no url here"), "no url here");
        assert_eq!(
            without_passwords("https://user@host/ https://host/"),
            "https://user@host/ https://host/"
        );
    }

    #[test]
    fn shown_text_has_no_control_or_bidi_character_left() {
        let hostile = "a\u{1b}]52;c;x\u{7}b\r\u{9b}c\u{202e}d\u{2066}e\u{7f}";
        let text = shown(hostile);
        assert!(
            !text.chars().any(|c| c.is_control()
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "{text}"
        );
        assert_eq!(paint(None, "\u{1b}[2J"), "\\u{1b}[2J");
    }
}
