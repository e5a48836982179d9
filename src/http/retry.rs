//! When and how long to wait before trying again. The policy is the table in the README
//! ("Retries, timeouts and pagination"): GET and DELETE are retried on 408, 429, 500, 502,
//! 503, 504 and transport failures; POST and PATCH only on 429 and failed connections (the
//! server never saw them) unless the caller opts in, since they could be applied twice.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::{Error, Operation};

/// The default first backoff; Cohere's own SDKs start between 0.5 and 1 s.
pub(crate) const DEFAULT_BASE_DELAY: Duration = Duration::from_millis(500);
/// The default ceiling of one backoff.
pub(crate) const DEFAULT_MAX_DELAY: Duration = Duration::from_secs(60);
/// The default ceiling of a wait the server asks for; longer, and the error returns at once.
pub(crate) const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// How a client retries.
#[derive(Clone, Debug)]
pub(crate) struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_retry_after: Duration,
    pub non_idempotent: bool,
}

/// What to do after a failed attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Sleep this long, then send again.
    RetryAfter(Duration),
    /// Return the error.
    GiveUp,
}

impl RetryPolicy {
    /// Decides after the `attempt`-th attempt (1 for the first) failed with `error`.
    pub(crate) fn decide(&self, operation: Operation, attempt: u32, error: &Error) -> Decision {
        if attempt > self.max_retries || !self.is_retried(operation, error) {
            return Decision::GiveUp;
        }
        match server_requested_wait(error) {
            Some(wait) if wait > self.max_retry_after => Decision::GiveUp,
            Some(wait) => Decision::RetryAfter(wait),
            None => Decision::RetryAfter(self.backoff(attempt)),
        }
    }

    /// The README's table.
    fn is_retried(&self, operation: Operation, error: &Error) -> bool {
        let repeatable = operation.is_idempotent() || self.non_idempotent;
        match error {
            Error::Api(api) if api.status() == 429 => true,
            Error::Api(api) => repeatable && api.is_transient(),
            Error::Transport(transport) => repeatable || transport.is_connect(),
            _ => false,
        }
    }

    /// Exponential backoff with full jitter: a uniformly random wait between zero and
    /// `base * 2^(attempt - 1)`, capped at `max_delay`. Jitter keeps many clients that failed
    /// together from retrying together.
    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(31);
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(exponent))
            .min(self.max_delay);
        // `fastrand::f64()` is below 1, so the product stays below the ceiling; the fallback
        // only guards against float rounding at `Duration::MAX`.
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * fastrand::f64()).unwrap_or(ceiling)
    }
}

fn server_requested_wait(error: &Error) -> Option<Duration> {
    match error {
        Error::Api(api) => api.retry_after(),
        _ => None,
    }
}

/// Values of `X-RateLimit-Reset` above this are Unix times rather than a number of seconds
/// (it is September 2001 as a timestamp, and 31 years as a delay).
const EPOCH_THRESHOLD_SECS: u64 = 1_000_000_000;

/// How long the server asked the client to wait: `Retry-After` (seconds or an HTTP date), or
/// failing that `X-RateLimit-Reset` (seconds, or a Unix time). A date in the past means now.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    retry_after_at(headers, Utc::now())
}

fn retry_after_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let header = |name| {
        headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
    };
    if let Some(value) = header(RETRY_AFTER.as_str()) {
        if let Some(wait) = parse_seconds(value) {
            return Some(wait);
        }
        if let Ok(date) = DateTime::parse_from_rfc2822(value) {
            return Some(until(date.with_timezone(&Utc), now));
        }
    }
    rate_limit_reset_at(headers, now)
}

/// How long until the rate-limit window resets, from `X-RateLimit-Reset` (seconds, or a
/// Unix time).
pub(crate) fn rate_limit_reset(headers: &HeaderMap) -> Option<Duration> {
    rate_limit_reset_at(headers, Utc::now())
}

fn rate_limit_reset_at(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let reset = headers.get("x-ratelimit-reset")?.to_str().ok()?.trim();
    let seconds: u64 = reset.parse().ok()?;
    if seconds > EPOCH_THRESHOLD_SECS {
        let at = DateTime::<Utc>::from_timestamp(i64::try_from(seconds).ok()?, 0)?;
        Some(until(at, now))
    } else {
        Some(Duration::from_secs(seconds))
    }
}

/// Whole or fractional seconds; negative or non-finite values are not a wait.
fn parse_seconds(value: &str) -> Option<Duration> {
    let seconds: f64 = value.parse().ok()?;
    Duration::try_from_secs_f64(seconds).ok()
}

fn until(at: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    at.signed_duration_since(now)
        .to_std()
        .unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::error::{ApiError, TransportError, TransportKind};
    use crate::core::text::Redactor;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 2,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(5),
            non_idempotent: false,
        }
    }

    fn api(status: u16, retry_after: Option<Duration>) -> Error {
        Error::Api(ApiError::from_body(
            Operation::GetConnector,
            status,
            retry_after,
            b"",
            true,
            crate::core::error::Retirement::Cohere,
            &Redactor::default(),
        ))
    }

    fn transport(kind: TransportKind) -> Error {
        Error::Transport(TransportError::new(Operation::GetConnector, kind, ""))
    }

    fn retried(policy: &RetryPolicy, operation: Operation, error: &Error) -> bool {
        matches!(policy.decide(operation, 1, error), Decision::RetryAfter(_))
    }

    #[test]
    fn the_policy_table() {
        let policy = policy();
        let (get, delete) = (Operation::GetConnector, Operation::DeleteConnector);
        let (create, update) = (Operation::CreateConnector, Operation::UpdateConnector);
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(retried(&policy, get, &api(status, None)), "GET {status}");
            assert!(
                retried(&policy, delete, &api(status, None)),
                "DELETE {status}"
            );
        }
        for status in [400, 401, 403, 404, 422, 498, 499, 501, 409] {
            for operation in [get, delete, create, update] {
                assert!(
                    !retried(&policy, operation, &api(status, None)),
                    "{operation} {status}"
                );
            }
        }
        for operation in [create, update] {
            assert!(
                retried(&policy, operation, &api(429, None)),
                "{operation} 429"
            );
            assert!(
                !retried(&policy, operation, &api(500, None)),
                "{operation} 500"
            );
            assert!(retried(
                &policy,
                operation,
                &transport(TransportKind::Connect)
            ));
            for kind in [
                TransportKind::Timeout,
                TransportKind::Request,
                TransportKind::Body,
            ] {
                assert!(
                    !retried(&policy, operation, &transport(kind)),
                    "{operation} {kind:?}"
                );
                assert!(retried(&policy, get, &transport(kind)), "GET {kind:?}");
            }
        }
        let opted_in = RetryPolicy {
            non_idempotent: true,
            ..policy
        };
        assert!(retried(&opted_in, create, &api(503, None)));
        assert!(retried(
            &opted_in,
            update,
            &transport(TransportKind::Timeout)
        ));
        assert!(!retried(&opted_in, create, &api(400, None)));
    }

    #[test]
    fn attempts_run_out() {
        let policy = policy();
        let error = api(503, None);
        assert!(matches!(
            policy.decide(Operation::GetConnector, 2, &error),
            Decision::RetryAfter(_)
        ));
        assert_eq!(
            policy.decide(Operation::GetConnector, 3, &error),
            Decision::GiveUp
        );
        let none = RetryPolicy {
            max_retries: 0,
            ..policy
        };
        assert_eq!(
            none.decide(Operation::GetConnector, 1, &error),
            Decision::GiveUp
        );
    }

    #[test]
    fn server_requested_waits_are_honoured_up_to_the_cap() {
        let policy = policy();
        assert_eq!(
            policy.decide(
                Operation::CreateConnector,
                1,
                &api(429, Some(Duration::from_secs(2)))
            ),
            Decision::RetryAfter(Duration::from_secs(2))
        );
        assert_eq!(
            policy.decide(
                Operation::GetConnector,
                1,
                &api(503, Some(Duration::from_secs(6)))
            ),
            Decision::GiveUp
        );
    }

    #[test]
    fn extreme_settings_never_overflow() {
        let policy = RetryPolicy {
            max_retries: u32::MAX,
            base_delay: Duration::MAX,
            max_delay: Duration::MAX,
            max_retry_after: Duration::MAX,
            non_idempotent: true,
        };
        for attempt in [1, 2, 31, 32, 64, u32::MAX - 1] {
            assert!(policy.backoff(attempt) <= Duration::MAX);
        }
        let huge = api(429, Some(Duration::MAX));
        assert_eq!(
            policy.decide(Operation::GetConnector, 1, &huge),
            Decision::RetryAfter(Duration::MAX)
        );
        assert!(matches!(
            policy.decide(Operation::GetConnector, u32::MAX, &huge),
            Decision::RetryAfter(_)
        ));
    }

    #[test]
    fn backoff_is_jittered_below_a_doubling_capped_ceiling() {
        let policy = policy();
        for attempt in 1..=40 {
            let ceiling = (Duration::from_millis(100) * 2u32.pow((attempt - 1).min(20)))
                .min(Duration::from_secs(1));
            for _ in 0..50 {
                assert!(policy.backoff(attempt) <= ceiling, "attempt {attempt}");
            }
        }
        let waits: std::collections::HashSet<_> = (0..20).map(|_| policy.backoff(3)).collect();
        assert!(waits.len() > 1, "the wait should vary");
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (name.parse().unwrap(), value.parse().unwrap()))
            .collect()
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-24T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn retry_after_in_seconds() {
        let wait = retry_after_at(&headers(&[("retry-after", "7")]), now());
        assert_eq!(wait, Some(Duration::from_secs(7)));
        let wait = retry_after_at(&headers(&[("retry-after", "0.5")]), now());
        assert_eq!(wait, Some(Duration::from_millis(500)));
    }

    #[test]
    fn retry_after_as_an_http_date() {
        let wait = retry_after_at(
            &headers(&[("retry-after", "Tue, 24 Nov 2026 12:00:30 GMT")]),
            now(),
        );
        assert_eq!(wait, Some(Duration::from_secs(30)));
        let past = retry_after_at(
            &headers(&[("retry-after", "Tue, 24 Nov 2026 11:00:00 GMT")]),
            now(),
        );
        assert_eq!(past, Some(Duration::ZERO));
    }

    #[test]
    fn rate_limit_reset_as_delay_or_unix_time() {
        let delay = retry_after_at(&headers(&[("x-ratelimit-reset", "12")]), now());
        assert_eq!(delay, Some(Duration::from_secs(12)));
        let at = now().timestamp() + 45;
        let unix = retry_after_at(&headers(&[("x-ratelimit-reset", &at.to_string())]), now());
        assert_eq!(unix, Some(Duration::from_secs(45)));
    }

    #[test]
    fn nonsense_is_no_hint() {
        for value in ["soon", "-3", "NaN", "inf", "", "1e400"] {
            assert_eq!(
                retry_after_at(&headers(&[("retry-after", value)]), now()),
                None,
                "{value}"
            );
        }
        assert_eq!(retry_after_at(&HeaderMap::new(), now()), None);
    }

    #[test]
    fn absurd_waits_parse_without_panicking() {
        for value in ["10000000000000000000", "18446744073709551616", "1e300"] {
            let _ = retry_after_at(&headers(&[("retry-after", value)]), now());
            let _ = retry_after_at(&headers(&[("x-ratelimit-reset", value)]), now());
        }
        let far = retry_after_at(&headers(&[("x-ratelimit-reset", "9999999999999")]), now());
        assert!(far.is_none() || far > Some(Duration::from_secs(1 << 30)));
    }
}
