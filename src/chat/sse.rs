//! A streamed answer's body as frames: server-sent events decoded by `sse-stream`, each
//! event bounded in size before the decoder holds it, each `data` line scrubbed of the
//! client's secrets and decoded into a [`ChatEvent`], and the `[DONE]` that ends the stream
//! recognised by its whole line.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sse_stream::{Sse, SseByteStream};

use super::event::ChatEvent;
use crate::core::error::DecodeError;
use crate::core::text::Redactor;
use crate::http::exchange::transport_error;
use crate::{Error, Operation, Result};

/// The largest event a stream may send: 1 MiB of its lines (their line ends aside), from the
/// end of the event before it to the blank line that ends it. A larger one ends the stream with [`Error::Decode`]
/// as soon as its bytes pass the bound, before the decoder holds them. Cohere's events are a
/// few hundred bytes (a citation with its sources a few KiB).
pub const MAX_EVENT_BYTES: usize = 1024 * 1024;

/// The most bytes a whole stream may send by default: 64 MiB of its body, comments, line
/// ends and events that add nothing to the response included. Past it, [`Error::Decode`]:
/// a server that streams forever (events the response does not keep, keep-alive comments)
/// ends, deadline or not. A long answer of Cohere's is far below it (its 4,096-token answer
/// streams in under 2 MiB).
pub const MAX_STREAM_BYTES: usize = 64 * 1024 * 1024;

/// The bounds of one stream's bytes; see [`MAX_EVENT_BYTES`] and [`MAX_STREAM_BYTES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    /// The most bytes of one event.
    pub event_bytes: usize,
    /// The most bytes of the whole body.
    pub stream_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            event_bytes: MAX_EVENT_BYTES,
            stream_bytes: MAX_STREAM_BYTES,
        }
    }
}

/// The `data` of the frame that ends a stream, compared with the whole line.
const DONE: &str = "[DONE]";

type Body = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// One frame of a stream.
#[derive(Debug)]
pub(crate) enum Frame {
    /// An event.
    Event(ChatEvent),
    /// `data: [DONE]`: the stream's end.
    Done,
}

/// The frames of a streamed answer's body.
pub(crate) struct EventSource {
    decoder: SseByteStream<Bounded>,
    redactor: Redactor,
    /// How many frames with data have arrived, for error messages.
    frames: u64,
}

impl EventSource {
    /// The frames of `response`'s body; `redactor` hides the client's secrets in them.
    pub(crate) fn new(response: reqwest::Response, redactor: Redactor, limits: Limits) -> Self {
        let body: Body = Box::pin(response.bytes_stream());
        Self {
            decoder: SseByteStream::new(Bounded::new(body, limits)),
            redactor,
            frames: 0,
        }
    }

    /// The next frame; `None` when the body ended (wherever it ended).
    pub(crate) fn poll_frame(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Frame>>> {
        loop {
            let block = match self.decoder.poll_next_unpin(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(error))) => {
                    return Poll::Ready(Some(Err(self.stream_error(error))));
                }
                Poll::Ready(Some(Ok(block))) => block,
            };
            // A block without data (only `event:`, `id:` or `retry:`) carries no event.
            let Sse {
                data: Some(data), ..
            } = block
            else {
                continue;
            };
            self.frames = self.frames.saturating_add(1);
            return Poll::Ready(Some(self.frame(&data)));
        }
    }

    /// The next frame, awaited.
    pub(crate) async fn next_frame(&mut self) -> Option<Result<Frame>> {
        std::future::poll_fn(|cx| self.poll_frame(cx)).await
    }

    fn frame(&self, data: &str) -> Result<Frame> {
        if data == DONE {
            return Ok(Frame::Done);
        }
        let data = self.redactor.scrub(data, false);
        ChatEvent::decode(&data).map(Frame::Event).map_err(|error| {
            self.decode_error(
                &format!("event {} does not match the API: {error}", self.frames),
                data.as_bytes(),
            )
        })
    }

    fn stream_error(&self, error: sse_stream::Error) -> Error {
        match error {
            sse_stream::Error::Body(source) => match source.downcast::<FrameError>() {
                Ok(frame) => match *frame {
                    FrameError::Body(error) => transport_error(
                        Operation::Chat,
                        error,
                        crate::core::error::TransportKind::Body,
                        &self.redactor,
                    ),
                    FrameError::TooLarge { limit } => self.decode_error(
                        &format!(
                            "an event of the stream is over {limit} bytes; the stream was not read further"
                        ),
                        b"",
                    ),
                    FrameError::StreamTooLarge { limit } => self.decode_error(
                        &format!(
                            "the stream is over {limit} bytes (max_stream_bytes); the stream was not read further"
                        ),
                        b"",
                    ),
                },
                Err(other) => self.decode_error(&other.to_string(), b""),
            },
            other => self.decode_error(
                &format!("the stream is not server-sent events: {other}"),
                b"",
            ),
        }
    }

    fn decode_error(&self, reason: &str, body: &[u8]) -> Error {
        Error::Decode(DecodeError::new(
            Operation::Chat,
            200,
            reason,
            body,
            &self.redactor,
        ))
    }
}

/// Why the body stopped before the decoder saw it.
#[derive(Debug)]
enum FrameError {
    /// The body broke off (or its read timed out).
    Body(reqwest::Error),
    /// One event passed `limit` bytes.
    TooLarge { limit: usize },
    /// The whole body passed `limit` bytes.
    StreamTooLarge { limit: usize },
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Body(error) => write!(f, "{error}"),
            Self::TooLarge { limit } => write!(f, "an event is over {limit} bytes"),
            Self::StreamTooLarge { limit } => write!(f, "the stream is over {limit} bytes"),
        }
    }
}

impl std::error::Error for FrameError {}

/// The body's chunks, refused as soon as the bytes since the end of the last event pass the
/// limit. An event ends with a blank line (two line ends in a row; a line end is CR, LF or
/// CRLF, as server-sent events have it), so this only follows line ends, byte by byte: it
/// holds nothing, and the decoder behind it never holds more of one event than `limit` bytes
/// and its line ends.
struct Bounded {
    body: Body,
    limit: usize,
    /// The most bytes of the whole body.
    total_limit: usize,
    /// Bytes of the body so far.
    total: usize,
    /// Bytes since the end of the last event.
    pending: usize,
    /// Whether the last byte ended a line (or nothing has arrived).
    at_line_start: bool,
    /// Whether the last byte was a CR, whose LF (if one follows) ends the same line.
    after_cr: bool,
    failed: bool,
}

impl Bounded {
    fn new(body: Body, limits: Limits) -> Self {
        Self {
            body,
            limit: limits.event_bytes,
            total_limit: limits.stream_bytes,
            total: 0,
            pending: 0,
            at_line_start: true,
            after_cr: false,
            failed: false,
        }
    }

    /// Counts `chunk`; `false` when an event passes the limit in it. Line ends are not
    /// counted (a blank line resets the count, and a decoder holds a line end as one byte at
    /// most), so an event holds at most `limit` bytes and as many line ends.
    fn admit(&mut self, chunk: &[u8]) -> bool {
        for &byte in chunk {
            if byte == b'\n' && self.after_cr {
                // The LF of a CRLF: the line already ended at the CR.
                self.after_cr = false;
                continue;
            }
            self.after_cr = byte == b'\r';
            if byte == b'\r' || byte == b'\n' {
                if self.at_line_start {
                    // A blank line: the event ended.
                    self.pending = 0;
                }
                self.at_line_start = true;
                continue;
            }
            self.at_line_start = false;
            self.pending = self.pending.saturating_add(1);
            if self.pending > self.limit {
                return false;
            }
        }
        true
    }
}

impl Stream for Bounded {
    type Item = std::result::Result<Bytes, FrameError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.failed {
            return Poll::Ready(None);
        }
        match self.body.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                self.total = self.total.saturating_add(chunk.len());
                if self.total > self.total_limit {
                    self.failed = true;
                    let limit = self.total_limit;
                    return Poll::Ready(Some(Err(FrameError::StreamTooLarge { limit })));
                }
                if self.admit(&chunk) {
                    Poll::Ready(Some(Ok(chunk)))
                } else {
                    self.failed = true;
                    let limit = self.limit;
                    Poll::Ready(Some(Err(FrameError::TooLarge { limit })))
                }
            }
            Poll::Ready(Some(Err(error))) => {
                self.failed = true;
                Poll::Ready(Some(Err(FrameError::Body(error))))
            }
            other => other.map(|_| None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounded(limit: usize) -> Bounded {
        let limits = Limits {
            event_bytes: limit,
            stream_bytes: usize::MAX,
        };
        Bounded::new(Box::pin(futures_util::stream::empty()), limits)
    }

    #[test]
    fn events_are_counted_from_the_last_blank_line() {
        let mut bound = bounded(16);
        assert!(bound.admit(b"data: 0123456789\n\n"));
        assert_eq!(bound.pending, 0);
        assert!(bound.admit(b"data: 01234"));
        assert!(
            bound.admit(b"56789\r\n\r\n"),
            "CRLF line ends, split across chunks"
        );
        assert_eq!(bound.pending, 0);
        assert!(bound.admit(b"data: x\r\r"));
        assert_eq!(bound.pending, 0, "CR alone ends lines too");
        assert!(!bound.admit(b"data: 0123456789A"));
    }

    #[test]
    fn many_short_lines_still_count_as_one_event() {
        let mut bound = bounded(70);
        for _ in 0..10 {
            assert!(bound.admit(b"data: x\n"));
        }
        assert!(!bound.admit(b"data: x\n"), "{}", bound.pending);
    }

    #[test]
    fn a_comment_without_end_is_an_event_too() {
        let mut bound = bounded(8);
        assert!(!bound.admit(b": keep-alive that never ends"));
    }
}
