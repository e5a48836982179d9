//! JSON on stdout. It carries the data whole, with two exceptions that keep it safe to
//! print: URL passwords are hidden ([`Redacting`]), and the characters a terminal would act
//! on are written as `\u` escapes ([`JsonSink`]), which decode to the same text.

use std::borrow::Cow;
use std::fmt::Display;
use std::io::{self, Write};

use cohere_connectors::text::escape;
use serde_json::ser::{CharEscape, Formatter};

use super::without_passwords;
use super::written;
use crate::failure::Failure;

/// Whether a terminal would act on `c`, as the library's one escaping function decides it.
fn is_unsafe(c: char) -> bool {
    let mut utf8 = [0; 4];
    matches!(escape(c.encode_utf8(&mut utf8)), Cow::Owned(_))
}

/// A writer of JSON text to stdout that writes every character a terminal would act on as a
/// `\u` escape. Outside strings, JSON holds only ASCII punctuation and whitespace, so the
/// only such characters are inside strings, where an escape means the same character; the
/// whitespace between tokens (`\n`, `\t`, `\r`) is left alone. A write error's kind is kept
/// for [`end`](Self::end).
pub struct JsonSink<'a> {
    out: &'a mut dyn Write,
    /// The start of a character split between two writes.
    pending: Vec<u8>,
    failed: Option<io::Error>,
}

impl<'a> JsonSink<'a> {
    pub fn new(out: &'a mut dyn Write) -> Self {
        Self {
            out,
            pending: Vec::new(),
            failed: None,
        }
    }

    /// How writing through this sink ended: a write error first (a closed stdout), then the
    /// producer's own error.
    pub fn end<T, E: Display>(mut self, produced: Result<T, E>) -> Result<T, Failure> {
        let rest = std::mem::take(&mut self.pending);
        if !rest.is_empty() {
            let _ = self.write_through(&rest);
        }
        if let Some(error) = self.failed.take() {
            return written(Err(error));
        }
        produced.map_err(Failure::error)
    }

    fn write_through(&mut self, bytes: &[u8]) -> io::Result<()> {
        let result = self.out.write_all(bytes);
        if let Err(error) = &result {
            self.failed
                .get_or_insert_with(|| io::Error::new(error.kind(), error.to_string()));
        }
        result
    }

    fn write_text(&mut self, text: &str) -> io::Result<()> {
        if !text.chars().any(is_unsafe) {
            return self.write_through(text.as_bytes());
        }
        let mut safe = String::with_capacity(text.len().saturating_add(16));
        for c in text.chars() {
            if is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r') {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    safe.push_str(&format!("\\u{unit:04x}"));
                }
            } else {
                safe.push(c);
            }
        }
        self.write_through(safe.as_bytes())
    }
}

impl Write for JsonSink<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let joined;
        let bytes = if self.pending.is_empty() {
            buf
        } else {
            self.pending.extend_from_slice(buf);
            joined = std::mem::take(&mut self.pending);
            &joined[..]
        };
        match std::str::from_utf8(bytes) {
            Ok(text) => self.write_text(text)?,
            // A character cut by the end of this write: the rest comes with the next one.
            Err(error) if error.error_len().is_none() => {
                let (head, tail) = bytes.split_at(error.valid_up_to());
                let tail = tail.to_vec();
                self.write_text(std::str::from_utf8(head).unwrap_or_default())?;
                self.pending = tail;
            }
            // Not UTF-8 (no serializer writes that): passed on as it is.
            Err(_) => self.write_through(bytes)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A serde_json formatter that hides URL passwords in every string (keys included): it holds
/// each string until its end, then writes it through the formatter it wraps.
pub struct Redacting<F> {
    inner: F,
    string: Option<String>,
}

impl<F> Redacting<F> {
    pub fn new(inner: F) -> Self {
        Self {
            inner,
            string: None,
        }
    }
}

fn unescaped(escape: CharEscape) -> char {
    match escape {
        CharEscape::Quote => '"',
        CharEscape::ReverseSolidus => '\\',
        CharEscape::Solidus => '/',
        CharEscape::Backspace => '\u{8}',
        CharEscape::FormFeed => '\u{c}',
        CharEscape::LineFeed => '\n',
        CharEscape::CarriageReturn => '\r',
        CharEscape::Tab => '\t',
        CharEscape::AsciiControl(byte) => char::from(byte),
    }
}

fn escaped(c: char) -> Option<CharEscape> {
    Some(match c {
        '"' => CharEscape::Quote,
        '\\' => CharEscape::ReverseSolidus,
        '\u{8}' => CharEscape::Backspace,
        '\u{c}' => CharEscape::FormFeed,
        '\n' => CharEscape::LineFeed,
        '\r' => CharEscape::CarriageReturn,
        '\t' => CharEscape::Tab,
        c if u32::from(c) < 0x20 => CharEscape::AsciiControl(u8::try_from(c).unwrap_or(0)),
        _ => return None,
    })
}

impl<F: Formatter> Formatter for Redacting<F> {
    fn begin_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.string = Some(String::new());
        self.inner.begin_string(writer)
    }

    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        match &mut self.string {
            Some(string) => {
                string.push_str(fragment);
                Ok(())
            }
            None => self.inner.write_string_fragment(writer, fragment),
        }
    }

    fn write_char_escape<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        char_escape: CharEscape,
    ) -> io::Result<()> {
        match &mut self.string {
            Some(string) => {
                string.push(unescaped(char_escape));
                Ok(())
            }
            None => self.inner.write_char_escape(writer, char_escape),
        }
    }

    fn end_string<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        let string = self.string.take().unwrap_or_default();
        let shown = without_passwords(&string);
        let mut start = 0;
        for (at, c) in shown.char_indices() {
            if let Some(char_escape) = escaped(c) {
                self.inner
                    .write_string_fragment(writer, &shown[start..at])?;
                self.inner.write_char_escape(writer, char_escape)?;
                start = at.saturating_add(c.len_utf8());
            }
        }
        self.inner.write_string_fragment(writer, &shown[start..])?;
        self.inner.end_string(writer)
    }

    // The layout is the wrapped formatter's.
    fn begin_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_array(writer)
    }
    fn end_array<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array(writer)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_array_value(writer, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_array_value(writer)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object(writer)
    }
    fn end_object<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object(writer)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.inner.begin_object_key(writer, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_key(writer)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.begin_object_value(writer)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.inner.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn through_sink(chunks: &[&[u8]]) -> String {
        let mut out = Vec::new();
        let mut sink = JsonSink::new(&mut out);
        for chunk in chunks {
            sink.write_all(chunk).unwrap();
        }
        sink.end(Ok::<(), String>(())).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn the_sink_escapes_what_a_terminal_acts_on_and_the_json_means_the_same() {
        let value =
            serde_json::json!({"name": "a\u{202e}b\u{9b}c\u{7f}\u{1b}]0;x\u{7}", "n": [1, 2]});
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let safe = through_sink(&[pretty.as_bytes()]);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&safe).unwrap(),
            value
        );
        assert!(
            safe.contains(r"a\u202eb\u009bc\u007f\u001b]0;x\u0007"),
            "{safe}"
        );
    }

    #[test]
    fn a_character_split_between_writes_is_escaped_whole() {
        let text = "\"x\u{202e}y\"".as_bytes();
        // U+202E is three bytes, starting at index 2.
        let safe = through_sink(&[&text[..3], &text[3..4], &text[4..]]);
        assert_eq!(safe, r#""x\u202ey""#);
    }

    #[test]
    fn every_string_loses_its_url_password_whatever_its_place() {
        let value = serde_json::json!({
            "url": "https://bob:s3cret@wiki.example.com/search",
            "https://k:p@h/": ["x \"https://c:q@h2\" \n"],
        });
        let mut out = Vec::new();
        value
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut out,
                Redacting::new(serde_json::ser::CompactFormatter),
            ))
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back["url"],
            "https://bob:[redacted]@wiki.example.com/search"
        );
        assert_eq!(
            back["https://k:[redacted]@h/"][0],
            "x \"https://c:[redacted]@h2\" \n"
        );
        assert!(!text.contains("s3cret") && !text.contains(":p@") && !text.contains(":q@"));
    }

    use serde::Serialize;
}
