//! Failures on demand, for testing what a client does when the API misbehaves.

use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Faults the emulator injects into the requests it receives. Cheap to clone; every clone
/// controls the same emulator.
///
/// ```no_run
/// use std::time::Duration;
/// use cohere_connectors::emulator::Emulator;
///
/// # async fn run() -> std::io::Result<()> {
/// let emulator = Emulator::start().await?;
/// emulator.faults().fail_next(2, 503);                            // two 503s, then normal
/// emulator.faults().fail_next_with_retry_after(1, 429, Duration::from_secs(1));
/// emulator.faults().drop_next(1);                                 // close without answering
/// emulator.faults().set_latency(Duration::from_millis(50));       // every answer waits
/// emulator.faults().clear();
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Faults {
    state: Arc<Mutex<FaultState>>,
}

#[derive(Debug, Default)]
struct FaultState {
    failures: Vec<Failure>,
    drops: u32,
    latency: Duration,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Failure {
    remaining: u32,
    status: u16,
    retry_after: Option<Duration>,
}

/// What the emulator does with the next request.
#[derive(Debug, PartialEq, Eq)]
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

    /// Answers the next `count` requests with `status` and a JSON error body.
    pub fn fail_next(&self, count: u32, status: u16) -> &Self {
        self.push(count, status, None)
    }

    /// Like [`fail_next`](Self::fail_next), with a `Retry-After` header (whole seconds,
    /// rounded up).
    pub fn fail_next_with_retry_after(&self, count: u32, status: u16, wait: Duration) -> &Self {
        self.push(count, status, Some(wait))
    }

    fn push(&self, count: u32, status: u16, retry_after: Option<Duration>) -> &Self {
        if count > 0 {
            self.state().failures.push(Failure {
                remaining: count,
                status,
                retry_after,
            });
        }
        self
    }

    /// Closes the connection of the next `count` requests without answering.
    pub fn drop_next(&self, count: u32) -> &Self {
        let mut state = self.state();
        state.drops = state.drops.saturating_add(count);
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

    pub(crate) fn latency(&self) -> Duration {
        self.state().latency
    }

    /// Takes the next request's fault, if one is pending: drops first, then failures in the
    /// order they were asked for.
    pub(crate) fn next_action(&self) -> Action {
        let mut state = self.state();
        if state.drops > 0 {
            state.drops = state.drops.saturating_sub(1);
            return Action::Drop;
        }
        let Some(failure) = state.failures.first_mut() else {
            return Action::Serve;
        };
        failure.remaining = failure.remaining.saturating_sub(1);
        let action = Action::Fail {
            status: failure.status,
            retry_after: failure.retry_after,
        };
        if failure.remaining == 0 {
            state.failures.remove(0);
        }
        action
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order() {
        let faults = Faults::default();
        faults
            .fail_next(2, 503)
            .fail_next_with_retry_after(1, 429, Duration::from_secs(3))
            .drop_next(1);
        let fail = |status, retry_after| Action::Fail {
            status,
            retry_after,
        };
        assert_eq!(faults.next_action(), Action::Drop);
        assert_eq!(faults.next_action(), fail(503, None));
        assert_eq!(faults.next_action(), fail(503, None));
        assert_eq!(
            faults.next_action(),
            fail(429, Some(Duration::from_secs(3)))
        );
        assert_eq!(faults.next_action(), Action::Serve);
    }

    #[test]
    fn clear_removes_everything() {
        let faults = Faults::default();
        faults
            .fail_next(5, 500)
            .drop_next(5)
            .set_latency(Duration::from_secs(1));
        faults.clear();
        assert_eq!(faults.next_action(), Action::Serve);
        assert_eq!(faults.latency(), Duration::ZERO);
    }
}
