//! stdout, the one way to it. Every write goes through [`written`], which is where a reader
//! that went away (`| head`) becomes [`Failure::StdoutClosed`]: the kind of the I/O error
//! at the write, never the text of some error that happens to mention a broken pipe.

use std::io::{self, Write};

use anstyle::Style;
use serde::Serialize;

use super::json::{JsonSink, Redacting};
use super::paint;
use crate::failure::Failure;

/// How a JSON value is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// Indented, then a newline: for people and `jq`.
    Pretty,
    /// One line, then a newline: JSON Lines.
    Line,
    /// One line, nothing after it: an element of an array being streamed.
    Inline,
}

/// The outcome of a write to stdout.
pub fn written<T>(result: io::Result<T>) -> Result<T, Failure> {
    result.map_err(|error| match error.kind() {
        io::ErrorKind::BrokenPipe => Failure::StdoutClosed,
        _ => Failure::Error(format!("cannot write to stdout: {error}")),
    })
}

/// stdout, with colour only where it is wanted (a terminal, no NO_COLOR, or --color).
pub struct Stdout {
    stream: anstream::AutoStream<io::Stdout>,
}

impl Stdout {
    pub fn new() -> Self {
        Self {
            stream: anstream::stdout(),
        }
    }

    /// A line for people; outside text in it is made [`shown`](super::shown).
    pub fn line(&mut self, text: &str) -> Result<(), Failure> {
        self.styled(None, text)
    }

    /// A line in `style`.
    pub fn styled(&mut self, style: Option<Style>, text: &str) -> Result<(), Failure> {
        written(writeln!(self.stream, "{}", paint(style, text)))
    }

    /// Several lines (a table): each made [`shown`](super::shown).
    pub fn lines(&mut self, text: &str) -> Result<(), Failure> {
        text.lines().try_for_each(|line| self.line(line))
    }

    /// Text this program made itself, with no outside data in it (completions, JSON
    /// punctuation), as it is.
    pub fn own(&mut self, text: &[u8]) -> Result<(), Failure> {
        written(self.stream.write_all(text))
    }

    /// `value` as JSON: URL passwords hidden, and the characters a terminal would act on as
    /// `\u` escapes (valid JSON, the same data).
    pub fn json(&mut self, value: &impl Serialize, layout: Layout) -> Result<(), Failure> {
        let mut sink = self.json_sink();
        let serialized = match layout {
            Layout::Pretty => value.serialize(&mut serde_json::Serializer::with_formatter(
                &mut sink,
                Redacting::new(serde_json::ser::PrettyFormatter::new()),
            )),
            Layout::Line | Layout::Inline => {
                value.serialize(&mut serde_json::Serializer::with_formatter(
                    &mut sink,
                    Redacting::new(serde_json::ser::CompactFormatter),
                ))
            }
        };
        if layout != Layout::Inline && serialized.is_ok() {
            let _ = sink.write_all(b"\n");
        }
        sink.end(serialized)
    }

    /// A writer for JSON made elsewhere (an export), filtered as [`json`](Self::json) filters
    /// its own (except for passwords: an export writes them as references).
    pub fn json_sink(&mut self) -> JsonSink<'_> {
        JsonSink::new(&mut self.stream)
    }

    pub fn flush(&mut self) -> Result<(), Failure> {
        written(self.stream.flush())
    }
}
