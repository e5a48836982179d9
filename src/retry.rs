//! When and how long to wait before trying again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};

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
    let reset = header("x-ratelimit-reset")?;
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
    (at - now).to_std().unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        for value in ["soon", "-3", "NaN", "inf", ""] {
            assert_eq!(
                retry_after_at(&headers(&[("retry-after", value)]), now()),
                None,
                "{value}"
            );
        }
        assert_eq!(retry_after_at(&HeaderMap::new(), now()), None);
    }
}
