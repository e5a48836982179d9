//! The one path every facade call takes: run an attempt, retry by the policy, bound the whole
//! by the deadline. An attempt is whatever the API layer hands in; this layer knows nothing
//! of the generated bindings.

use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use crate::core::error::{TransportError, TransportKind};
use crate::http::retry::{Decision, RetryPolicy};
use crate::{Client, Error, Operation, Result};

use super::CallConfig;
use super::telemetry::CallTrace;

/// Every operation of the API documents exactly one success status.
pub(crate) const SUCCESS_STATUS: u16 = 200;

impl Client {
    /// Runs `attempt` until it succeeds, the retry policy gives up, or the deadline passes,
    /// under `config` (the client's, or one call's). A success comes with the number of
    /// attempts; the error returned is the last real one, with that number too.
    pub(crate) async fn execute<T, F, Fut>(
        &self,
        operation: Operation,
        config: &CallConfig,
        attempt: F,
    ) -> Result<(T, u32)>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let trace = CallTrace::start(operation);
        let attempts = AtomicU32::new(0);
        // A deadline too far away to be an `Instant` bounds nothing: no deadline.
        let deadline = config
            .deadline
            .and_then(|deadline| Some((deadline, Instant::now().checked_add(deadline)?)));
        let attempting = attempt_until_done(
            operation,
            &config.retry,
            &attempt,
            &attempts,
            deadline.map(|(_, at)| at),
            &trace,
        );

        let outcome = match deadline {
            None => trace.instrument(attempting).await,
            Some((deadline, _)) => {
                match trace
                    .instrument(tokio::time::timeout(deadline, attempting))
                    .await
                {
                    Ok(outcome) => outcome,
                    Err(_) => Err(deadline_passed(
                        operation,
                        deadline,
                        attempts.load(Ordering::Relaxed),
                    )),
                }
            }
        };
        let status = match &outcome {
            Ok(_) => Some(SUCCESS_STATUS),
            Err(error) => error.status(),
        };
        let attempts = attempts.load(Ordering::Relaxed);
        trace.finish(attempts, status);
        outcome.map(|value| (value, attempts))
    }
}

async fn attempt_until_done<T, F, Fut>(
    operation: Operation,
    policy: &RetryPolicy,
    attempt: &F,
    attempts: &AtomicU32,
    deadline_at: Option<Instant>,
    trace: &CallTrace,
) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    loop {
        let number = attempts.fetch_add(1, Ordering::Relaxed).saturating_add(1);
        // The clock is read only for a subscriber that records attempts.
        let started = trace.clock();
        let elapsed = || started.map_or(Duration::ZERO, |started| started.elapsed());
        let error = match attempt().await {
            Ok(value) => {
                trace.attempt(number, elapsed(), Ok(SUCCESS_STATUS));
                return Ok(value);
            }
            Err(error) => error,
        };
        trace.attempt(number, elapsed(), Err(&error));
        match policy.decide(operation, number, &error) {
            Decision::GiveUp => return Err(error.with_attempts(number)),
            // Sleeping into the deadline would only trade this error for a timeout.
            Decision::RetryAfter(wait) if wakes_after(wait, deadline_at) => {
                return Err(error.with_attempts(number));
            }
            Decision::RetryAfter(wait) => {
                trace.retry(number, wait, &error);
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// Whether a sleep of `wait` from now ends at or after `deadline_at` (a wait too long to be
/// an `Instant` ends after any deadline).
fn wakes_after(wait: Duration, deadline_at: Option<Instant>) -> bool {
    deadline_at.is_some_and(|at| Instant::now().checked_add(wait).is_none_or(|end| end >= at))
}

fn deadline_passed(operation: Operation, deadline: Duration, attempts: u32) -> Error {
    let error = TransportError::new(
        operation,
        TransportKind::Timeout,
        format!("the deadline of {deadline:?} passed"),
    );
    Error::Transport(error).with_attempts(attempts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_beyond_any_instant_end_after_the_deadline() {
        let soon = Instant::now().checked_add(Duration::from_secs(60));
        assert!(wakes_after(Duration::MAX, soon));
        assert!(!wakes_after(Duration::MAX, None));
        assert!(!wakes_after(Duration::from_millis(1), soon));
    }
}
