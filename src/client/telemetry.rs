//! Tracing of calls (feature `tracing`, on by default): one span per call with the operation,
//! method, attempts, final status and elapsed time, and one event per attempt and retry.
//!
//! Only operation ids, statuses, durations and error messages are recorded; none of them can
//! contain the API key or another secret (see [`Error`]'s guarantees).

use std::future::Future;
use std::time::{Duration, Instant};

use crate::{Error, Operation};

/// The trace of one facade call.
pub(crate) struct CallTrace {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    /// When the call started; `None` when no subscriber records the span (no clock is read).
    started: Option<Instant>,
}

impl CallTrace {
    #[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
    pub(crate) fn start(operation: Operation) -> Self {
        #[cfg(feature = "tracing")]
        let span = tracing::info_span!(
            "cohere_connectors.call",
            operation = operation.id(),
            method = operation.method(),
            attempts = tracing::field::Empty,
            status = tracing::field::Empty,
            elapsed_ms = tracing::field::Empty,
        );
        #[cfg(feature = "tracing")]
        let started = (!span.is_disabled()).then(Instant::now);
        #[cfg(not(feature = "tracing"))]
        let started = None;
        Self {
            #[cfg(feature = "tracing")]
            span,
            started,
        }
    }

    /// The time an attempt starts at, when a subscriber listens for the attempt events.
    pub(crate) fn clock(&self) -> Option<Instant> {
        #[cfg(feature = "tracing")]
        let listening = tracing::enabled!(tracing::Level::DEBUG);
        #[cfg(not(feature = "tracing"))]
        let listening = false;
        listening.then(Instant::now)
    }

    /// Runs `future` inside the call's span.
    pub(crate) fn instrument<F: Future>(&self, future: F) -> impl Future<Output = F::Output> {
        #[cfg(feature = "tracing")]
        {
            tracing::Instrument::instrument(future, self.span.clone())
        }
        #[cfg(not(feature = "tracing"))]
        {
            future
        }
    }

    pub(crate) fn attempt(&self, attempt: u32, elapsed: Duration, outcome: Result<u16, &Error>) {
        #[cfg(feature = "tracing")]
        match outcome {
            Ok(status) => tracing::debug!(
                attempt,
                status,
                elapsed_ms = millis(elapsed),
                "attempt succeeded"
            ),
            Err(error) => tracing::debug!(
                attempt,
                status = error.status(),
                elapsed_ms = millis(elapsed),
                error = %error,
                "attempt failed"
            ),
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (attempt, elapsed, outcome);
    }

    pub(crate) fn retry(&self, attempt: u32, wait: Duration, error: &Error) {
        #[cfg(feature = "tracing")]
        tracing::info!(
            attempt,
            wait_ms = millis(wait),
            error = %error,
            "retrying"
        );
        #[cfg(not(feature = "tracing"))]
        let _ = (attempt, wait, error);
    }

    pub(crate) fn finish(&self, attempts: u32, status: Option<u16>) {
        #[cfg(feature = "tracing")]
        {
            self.span.record("attempts", attempts);
            if let Some(status) = status {
                self.span.record("status", status);
            }
            if let Some(started) = self.started {
                self.span.record("elapsed_ms", millis(started.elapsed()));
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = (attempts, status, self.started);
    }
}

#[cfg(feature = "tracing")]
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The end of a streamed call, which outlives its call's span: an event with how many
/// events it read and how long it lasted, and its error when it failed.
#[cfg(feature = "chat")]
#[cfg_attr(not(feature = "tracing"), allow(unused_variables))]
pub(crate) fn stream_ended(
    operation: Operation,
    events: u64,
    elapsed: Duration,
    error: Option<&Error>,
) {
    #[cfg(feature = "tracing")]
    match error {
        None => tracing::debug!(
            operation = operation.id(),
            events,
            elapsed_ms = millis(elapsed),
            "stream ended"
        ),
        Some(error) => tracing::info!(
            operation = operation.id(),
            events,
            elapsed_ms = millis(elapsed),
            error = %error,
            "stream failed"
        ),
    }
}
