//! Failures on demand, for testing what a client does when the API misbehaves.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Faults the emulator injects into the requests it receives, served in the order they were
/// queued: `fail_next(2, 503)` then `drop_next(1)` gives two 503s, then a dropped connection,
/// then normal answers. Cheap to clone; every clone controls the same emulator.
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
    latency: Duration,
}

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

    /// How many requests still have a fault waiting for them.
    pub fn pending(&self) -> u64 {
        self.state()
            .queue
            .iter()
            .map(|planned| u64::from(planned.remaining))
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
    fn huge_counts_and_clear() {
        let faults = Faults::default();
        faults
            .fail_next(u32::MAX, 500)
            .drop_next(u32::MAX)
            .set_latency(Duration::from_secs(1));
        assert_eq!(faults.pending(), 2 * u64::from(u32::MAX));
        faults.clear();
        assert_eq!(faults.next_action(), Action::Serve);
        assert_eq!(faults.latency(), Duration::ZERO);
    }
}
