//! A streamed chat as a [`Stream`] of [`ChatEvent`]s, bounded in time and memory, that
//! never ends quietly before `message-end`.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt};
use tokio::time::Sleep;

use super::assemble::ChatAssembler;
use super::event::ChatEvent;
use super::response::ChatResponse;
use super::seam::{Opening, cut};
use super::sse::{EventSource, Frame};
use crate::api::response::ResponseMeta;
use crate::client::telemetry::stream_ended;
use crate::core::error::{TransportError, TransportKind};
use crate::core::text::Redactor;
use crate::{Error, Operation, Result};

/// The events of a streamed chat ([`ChatRequest::stream`](super::ChatRequest::stream)), as
/// they arrive; `Some(Err(..))` once, then `None`, when the stream fails.
///
/// The stream ends (`None`) right after `message-end` (what follows it, `data: [DONE]` or the
/// body's end, is not waited for): a body that ends before it (cut mid-event, or after
/// `content-end`), a connection reset, or a `[DONE]` before it, is an [`Error::Transport`]
/// whose `is_body()` is true, never a quiet end. An event of a type this version does not
/// know is yielded as [`ChatEvent::Other`] and left out of the response (Cohere adds event
/// types; a stream should not fail for one). What bounds it:
///
/// | what | bound |
/// |---|---|
/// | the wait for the answer and its first event | the attempt's timeout (`timeout`, 60 s by default); retried as a chat is, like any attempt |
/// | each wait for the next event | the attempt's timeout again: a stream that stalls fails with `is_timeout()` |
/// | the whole stream, retries included | the call's `deadline`, when one is set |
/// | one event | [`max_event_bytes`](super::ChatRequest::max_event_bytes) ([`MAX_EVENT_BYTES`](super::MAX_EVENT_BYTES), 1 MiB): past it, [`Error::Decode`] |
/// | the whole stream's bytes | [`max_stream_bytes`](super::ChatRequest::max_stream_bytes) ([`MAX_STREAM_BYTES`](super::MAX_STREAM_BYTES), 64 MiB): past it, [`Error::Decode`], whatever the events are |
/// | the response it assembles | `max_response_bytes` (2 MiB by default), as the response's JSON: past it, [`Error::Decode`]. So a stream that never ends is bounded even without a deadline. |
///
/// Once its first event has arrived, a stream is never retried: its events are the model's
/// one answer. Every event is scrubbed of the client's API key before it is decoded.
///
/// ```
/// use futures_util::StreamExt;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> cohere_connectors::Result<()> {
/// # let emulator = cohere_connectors_emulator::Emulator::start().await.unwrap();
/// # let client = emulator.client()?;
/// let mut stream = client
///     .chat("command-a-plus-05-2026")
///     .user("Hello")
///     .stream()
///     .await?;
/// let mut answer = String::new();
/// while let Some(event) = stream.next().await {
///     if let Some(text) = event?.text() {
///         answer.push_str(text); // print it as it comes
///     }
/// }
/// assert_eq!(answer, "You said: Hello");
/// # Ok(()) }
/// ```
pub struct ChatStream {
    source: EventSource,
    /// The event the opening attempt read, not yet yielded.
    first: Option<ChatEvent>,
    assembler: ChatAssembler,
    phase: Phase,
    idle: Option<Duration>,
    idle_timer: Option<Pin<Box<Sleep>>>,
    deadline: Option<(Duration, Pin<Box<Sleep>>)>,
    meta: ResponseMeta,
    started: Instant,
    events: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Before `message-end`.
    Streaming,
    /// After `message-end`: only `[DONE]` or the body's end may follow.
    Ended,
    /// Ended, and said so.
    Done,
    /// Failed, and said so.
    Failed,
}

impl ChatStream {
    /// The stream of `opening`, assembling at most `limit` bytes of response, bounded by
    /// `deadline` (how long the whole call may take, and when it ends).
    pub(crate) fn new(
        opening: Opening,
        limit: usize,
        redactor: &Redactor,
        deadline: Option<(Duration, Instant)>,
        started: Instant,
    ) -> Self {
        let Opening {
            meta,
            source,
            first,
            timeout,
        } = opening;
        Self {
            source,
            first: Some(first),
            assembler: ChatAssembler::with_limit(limit).hiding(redactor),
            phase: Phase::Streaming,
            idle: timeout,
            idle_timer: timeout.map(|timeout| Box::pin(tokio::time::sleep(timeout))),
            deadline: deadline.map(|(deadline, at)| {
                (
                    deadline,
                    Box::pin(tokio::time::sleep_until(tokio::time::Instant::from_std(at))),
                )
            }),
            meta,
            started,
            events: 0,
        }
    }

    /// What the response's head said: status, headers, request id, rate limit, attempts.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// Reads the rest of the stream and returns the response its events make (the events
    /// already yielded included): the same [`ChatResponse`] the request answers without
    /// `stream`.
    ///
    /// # Errors
    ///
    /// As the stream's events; [`Error::Protocol`] when the stream had already failed.
    pub async fn response(mut self) -> Result<ChatResponse> {
        while let Some(event) = self.next().await {
            event?;
        }
        self.assembler.finish()
    }

    /// Takes `event` in: the assembler checks its place and keeps what it adds.
    fn accept(&mut self, event: ChatEvent) -> Poll<Option<Result<ChatEvent>>> {
        if let Err(error) = self.assembler.push(&event) {
            return self.fail(error);
        }
        self.events = self.events.saturating_add(1);
        if matches!(event, ChatEvent::MessageEnd { .. }) {
            self.phase = Phase::Ended;
        }
        if let (Some(idle), Some(timer)) = (self.idle, self.idle_timer.as_mut())
            && let Some(next) = tokio::time::Instant::now().checked_add(idle)
        {
            timer.as_mut().reset(next);
        }
        Poll::Ready(Some(Ok(event)))
    }

    /// The body ended, with `[DONE]` or without: the end, after `message-end`.
    fn end(&mut self, with_done: bool) -> Poll<Option<Result<ChatEvent>>> {
        if self.phase == Phase::Ended {
            self.phase = Phase::Done;
            stream_ended(Operation::Chat, self.events, self.started.elapsed(), None);
            return Poll::Ready(None);
        }
        let how = if with_done { "sent [DONE]" } else { "ended" };
        let error = cut(format!(
            "the stream {how} after {} events, before message-end: the answer is incomplete",
            self.events
        ));
        self.fail(error)
    }

    fn fail(&mut self, error: Error) -> Poll<Option<Result<ChatEvent>>> {
        self.phase = Phase::Failed;
        stream_ended(
            Operation::Chat,
            self.events,
            self.started.elapsed(),
            Some(&error),
        );
        Poll::Ready(Some(Err(error)))
    }

    /// Whether the call's deadline has passed (checked before every read, so that a stream
    /// that is always ready cannot outrun it).
    fn past_deadline(&mut self, cx: &mut Context<'_>) -> Option<Error> {
        let (deadline, timer) = self.deadline.as_mut()?;
        timer
            .as_mut()
            .poll(cx)
            .is_ready()
            .then(|| timeout(format!("the deadline of {deadline:?} passed")))
    }

    /// Whether the wait for the next event has lasted the attempt's timeout.
    fn idle_too_long(&mut self, cx: &mut Context<'_>) -> Option<Error> {
        let (idle, timer) = (self.idle?, self.idle_timer.as_mut()?);
        timer.as_mut().poll(cx).is_ready().then(|| {
            timeout(format!(
                "no event for {idle:?} after {} events",
                self.events
            ))
        })
    }
}

fn timeout(message: String) -> Error {
    Error::Transport(TransportError::new(
        Operation::Chat,
        TransportKind::Timeout,
        message,
    ))
}

impl Stream for ChatStream {
    type Item = Result<ChatEvent>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if matches!(this.phase, Phase::Done | Phase::Failed) {
            return Poll::Ready(None);
        }
        if let Some(first) = this.first.take() {
            return this.accept(first);
        }
        if this.phase == Phase::Ended {
            // `message-end` is the answer's end: what follows it (`[DONE]`, the body's end)
            // is not waited for, so a server that holds the connection open after it costs
            // no idle timeout.
            return this.end(false);
        }
        if let Some(error) = this.past_deadline(cx) {
            return this.fail(error);
        }
        match this.source.poll_frame(cx) {
            Poll::Ready(Some(Ok(Frame::Event(event)))) => this.accept(event),
            Poll::Ready(Some(Ok(Frame::Done))) => this.end(true),
            Poll::Ready(Some(Err(error))) => this.fail(error),
            Poll::Ready(None) => this.end(false),
            Poll::Pending => match this.idle_too_long(cx) {
                Some(error) => this.fail(error),
                None => Poll::Pending,
            },
        }
    }
}

impl futures_util::stream::FusedStream for ChatStream {
    fn is_terminated(&self) -> bool {
        matches!(self.phase, Phase::Done | Phase::Failed)
    }
}

impl std::fmt::Debug for ChatStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatStream")
            .field("phase", &self.phase)
            .field("events", &self.events)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}
