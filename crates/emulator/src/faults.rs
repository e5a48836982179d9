//! Failures on demand, for testing what a client does when the API misbehaves: per request
//! (latency, error statuses, dropped connections, applied by the server loop to every route)
//! and per stream (`POST /v2/chat` with `stream: true`: cut, stalled, endless or oversized
//! event streams, applied by the chat route).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Faults the emulator injects into the requests it receives, served in the order they were
/// queued: `fail_next(2, 503)` then `drop_next(1)` gives two 503s, then a dropped connection,
/// then normal answers. These apply to every route, `/v2/chat` included. Streamed chats
/// also take [`StreamFault`]s, from a queue of their own
/// ([`fault_next_streams`](Self::fault_next_streams)). Cheap to clone; every clone controls
/// the same emulator.
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_emulator::Emulator;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = Emulator::builder().seed(1).start().await?;
/// emulator
///     .faults()
///     .fail_next(1, 503)                                          // first a 503,
///     .drop_next(1);                                              // then a dropped connection
/// let client = emulator.client()?; // 2 retries with short waits
/// let page = client.connectors().list().await?;                   // rides both out
/// assert_eq!(page.connectors.len(), 1);
///
/// emulator.faults().set_latency(Duration::from_millis(5));        // every answer waits
/// emulator.faults().clear();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Faults {
    state: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    queue: VecDeque<Planned>,
    streams: VecDeque<PlannedStream>,
    latency: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PlannedStream {
    remaining: u32,
    fault: StreamFault,
}

/// What goes wrong with a streamed chat (`POST /v2/chat` with `stream: true`), queued with
/// [`Faults::fault_next_streams`]. Counts of events start at the first event, `message-start`;
/// a stream cut, reset or stalled always loses its `message-end` event and the `[DONE]`
/// terminator, however large the count.
///
/// ```
/// use std::time::Duration;
/// use cohere_connectors_emulator::{Emulator, StreamFault};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let emulator = Emulator::start().await?;
/// emulator
///     .faults()
///     .fault_next_streams(1, StreamFault::Cut { after_events: 3 }) // the next stream: 3 events, then the end
///     .fault_next_streams(1, StreamFault::Endless);                // the one after: never ends
/// assert_eq!(emulator.faults().pending(), 2);
/// # Ok(()) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamFault {
    /// Ends the response body cleanly after at most `after_events` events: the HTTP exchange
    /// completes, but the stream has no `message-end` and no `[DONE]`. A client must report
    /// it as cut, not as a quiet end.
    Cut {
        /// How many events are sent before the end.
        after_events: usize,
    },
    /// Closes the connection after at most `after_events` events, in the middle of the
    /// chunked body: the client sees the body break.
    Reset {
        /// How many events are sent before the connection is closed.
        after_events: usize,
    },
    /// Sends at most `after_events` events, then nothing, keeping the connection open until
    /// the client gives up (or the emulator stops).
    Stall {
        /// How many events are sent before the silence.
        after_events: usize,
    },
    /// Never ends: `message-start`, `content-start`, then `content-delta` events forever,
    /// as fast as the client reads them.
    Endless,
    /// The first delta event (`content-delta` or `tool-plan-delta`) has its text padded
    /// with spaces until the event is at least `bytes` long (at most
    /// [`MAX_OVERSIZED_EVENT_BYTES`]); the rest of the stream is as usual (and so is a
    /// stream without a delta, an answer cut to `max_tokens: 0`).
    Oversized {
        /// The least size of the event's `data` line, in bytes.
        bytes: usize,
    },
}

/// The largest event [`StreamFault::Oversized`] builds, so that a fault cannot make the
/// emulator itself run out of memory: 64 MiB.
pub const MAX_OVERSIZED_EVENT_BYTES: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Planned {
    remaining: u32,
    action: Action,
}

/// What the emulator does with the next request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    /// Close the connection without an answer.
    Drop,
    /// Answer with this status (and `Retry-After`) without looking at the request.
    Fail {
        status: u16,
        retry_after: Option<Duration>,
    },
    /// Handle it normally.
    Serve,
}

impl Faults {
    fn state(&self) -> std::sync::MutexGuard<'_, FaultState> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push(&self, count: u32, action: Action) -> &Self {
        if count > 0 {
            self.state().queue.push_back(Planned {
                remaining: count,
                action,
            });
        }
        self
    }

    /// Answers the next `count` requests with `status` and a JSON error body.
    pub fn fail_next(&self, count: u32, status: u16) -> &Self {
        self.push(
            count,
            Action::Fail {
                status,
                retry_after: None,
            },
        )
    }

    /// Like [`fail_next`](Self::fail_next), with a `Retry-After` header (whole seconds,
    /// rounded up).
    pub fn fail_next_with_retry_after(&self, count: u32, status: u16, wait: Duration) -> &Self {
        self.push(
            count,
            Action::Fail {
                status,
                retry_after: Some(wait),
            },
        )
    }

    /// Closes the connection of the next `count` requests without answering.
    pub fn drop_next(&self, count: u32) -> &Self {
        self.push(count, Action::Drop)
    }

    /// Makes the next `count` streamed chats (`POST /v2/chat` with `stream: true`, once
    /// accepted) go wrong as `fault` says. Only streamed chats take these faults, in the order
    /// queued; requests faulted with [`fail_next`](Self::fail_next) or
    /// [`drop_next`](Self::drop_next) never reach the chat, so they take none.
    pub fn fault_next_streams(&self, count: u32, fault: StreamFault) -> &Self {
        if count > 0 {
            self.state().streams.push_back(PlannedStream {
                remaining: count,
                fault,
            });
        }
        self
    }

    /// Delays every answer by `latency` (zero: no delay).
    pub fn set_latency(&self, latency: Duration) -> &Self {
        self.state().latency = latency;
        self
    }

    /// Removes every fault.
    pub fn clear(&self) -> &Self {
        *self.state() = FaultState::default();
        self
    }

    /// How many requests (and streams) still have a fault waiting for them.
    pub fn pending(&self) -> u64 {
        let state = self.state();
        let requests = state.queue.iter().map(|planned| planned.remaining);
        let streams = state.streams.iter().map(|planned| planned.remaining);
        requests
            .chain(streams)
            .map(u64::from)
            .fold(0, u64::saturating_add)
    }

    pub(crate) fn latency(&self) -> Duration {
        self.state().latency
    }

    /// Takes the next request's fault, if one is queued.
    pub(crate) fn next_action(&self) -> Action {
        let mut state = self.state();
        let Some(planned) = state.queue.front_mut() else {
            return Action::Serve;
        };
        let action = planned.action;
        planned.remaining = planned.remaining.saturating_sub(1);
        if planned.remaining == 0 {
            state.queue.pop_front();
        }
        action
    }

    /// Takes the next stream's fault, if one is queued.
    pub(crate) fn next_stream_fault(&self) -> Option<StreamFault> {
        let mut state = self.state();
        let planned = state.streams.front_mut()?;
        let fault = planned.fault;
        planned.remaining = planned.remaining.saturating_sub(1);
        if planned.remaining == 0 {
            state.streams.pop_front();
        }
        Some(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_served_in_the_order_queued() {
        let faults = Faults::default();
        faults
            .fail_next(2, 503)
            .drop_next(1)
            .fail_next_with_retry_after(1, 429, Duration::from_secs(3))
            .drop_next(1);
        assert_eq!(faults.pending(), 5);
        let fail = |status, retry_after| Action::Fail {
            status,
            retry_after,
        };
        let served: Vec<Action> = (0..6).map(|_| faults.next_action()).collect();
        assert_eq!(
            served,
            [
                fail(503, None),
                fail(503, None),
                Action::Drop,
                fail(429, Some(Duration::from_secs(3))),
                Action::Drop,
                Action::Serve,
            ]
        );
    }

    #[test]
    fn stream_faults_are_a_queue_of_their_own() {
        let faults = Faults::default();
        faults
            .fail_next(1, 503)
            .fault_next_streams(2, StreamFault::Cut { after_events: 1 })
            .fault_next_streams(0, StreamFault::Endless)
            .fault_next_streams(1, StreamFault::Endless);
        assert_eq!(faults.pending(), 4);
        let cut = Some(StreamFault::Cut { after_events: 1 });
        assert_eq!(faults.next_stream_fault(), cut);
        // A request fault does not consume a stream fault, nor the other way round.
        assert_eq!(faults.next_action(), fail(503));
        assert_eq!(faults.next_stream_fault(), cut);
        assert_eq!(faults.next_stream_fault(), Some(StreamFault::Endless));
        assert_eq!(faults.next_stream_fault(), None);
        assert_eq!(faults.pending(), 0);
    }

    fn fail(status: u16) -> Action {
        Action::Fail {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn huge_counts_and_clear() {
        let faults = Faults::default();
        faults
            .fail_next(u32::MAX, 500)
            .drop_next(u32::MAX)
            .set_latency(Duration::from_secs(1));
        assert_eq!(faults.pending(), 2 * u64::from(u32::MAX));
        faults.fault_next_streams(u32::MAX, StreamFault::Endless);
        assert_eq!(faults.pending(), 3 * u64::from(u32::MAX));
        faults.clear();
        assert_eq!(faults.next_action(), Action::Serve);
        assert_eq!(faults.next_stream_fault(), None);
        assert_eq!(faults.latency(), Duration::ZERO);
    }
}
