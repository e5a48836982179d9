//! Reading the API's timestamps fast. A page of 100 connectors holds 200 of them, and
//! chrono's general parser spends about 700 instructions on each (7% of decoding a page).
//! The API writes them in one shape, RFC 3339 in UTC (`2024-05-01T10:00:00.123456Z`): that
//! shape is read here directly, and anything else goes to chrono's own parser, so what is
//! accepted, and how, is exactly what chrono accepts.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use serde::Deserializer;

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, or `None` for anything this fast path
/// does not read (which chrono then reads or refuses).
pub(crate) fn parse_fast(text: &str) -> Option<DateTime<Utc>> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<u32> {
        bytes.get(range)?.iter().try_fold(0u32, |value, byte| {
            byte.is_ascii_digit().then(|| {
                value
                    .wrapping_mul(10)
                    .wrapping_add(u32::from(byte.wrapping_sub(b'0')))
            })
        })
    };
    let separator = |at: usize, expected: u8| bytes.get(at) == Some(&expected);
    let shaped = separator(4, b'-')
        && separator(7, b'-')
        && matches!(bytes.get(10), Some(b'T' | b't'))
        && separator(13, b':')
        && separator(16, b':');
    if !shaped {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(0..4)?).ok()?,
        digits(5..7)?,
        digits(8..10)?,
    )?;
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    let mut at = 19;
    let mut nanos = 0u32;
    if bytes.get(at) == Some(&b'.') {
        let start = at.checked_add(1)?;
        let end = bytes[start..]
            .iter()
            .position(|byte| !byte.is_ascii_digit())
            .map_or(bytes.len(), |length| start.saturating_add(length));
        // chrono reads up to nine digits of a fraction and ignores the rest; the fast path
        // keeps to what fits exactly.
        let length = end.checked_sub(start)?;
        if !(1..=9).contains(&length) {
            return None;
        }
        let scale = 10u32.checked_pow(9u32.checked_sub(u32::try_from(length).ok()?)?)?;
        nanos = digits(start..end)?.checked_mul(scale)?;
        at = end;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let local = NaiveDateTime::new(date, time);
    let offset_seconds = match bytes.get(at..)? {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |high: &u8, low: &u8| -> Option<i64> {
                (high.is_ascii_digit() && low.is_ascii_digit()).then(|| {
                    i64::from(high.wrapping_sub(b'0'))
                        .wrapping_mul(10)
                        .wrapping_add(i64::from(low.wrapping_sub(b'0')))
                })
            };
            let (hours, minutes) = (two(h1, h2)?, two(m1, m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours
                .wrapping_mul(3600)
                .wrapping_add(minutes.wrapping_mul(60));
            if *sign == b'-' {
                seconds.wrapping_neg()
            } else {
                seconds
            }
        }
        _ => return None,
    };
    let utc = local.checked_sub_signed(TimeDelta::try_seconds(offset_seconds)?)?;
    Some(DateTime::from_naive_utc_and_offset(utc, Utc))
}

/// Deserializes a timestamp: the fast path, then chrono's parser for anything else.
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    struct Timestamp;

    impl serde::de::Visitor<'_> for Timestamp {
        type Value = DateTime<Utc>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an RFC 3339 date and time")
        }

        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
            match parse_fast(text) {
                Some(parsed) => Ok(parsed),
                None => text
                    .parse::<DateTime<chrono::FixedOffset>>()
                    .map(|parsed| parsed.with_timezone(&Utc))
                    .map_err(E::custom),
            }
        }
    }

    deserializer.deserialize_str(Timestamp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chrono_parse(text: &str) -> Option<DateTime<Utc>> {
        text.parse::<DateTime<chrono::FixedOffset>>()
            .ok()
            .map(|parsed| parsed.with_timezone(&Utc))
    }

    #[test]
    fn the_apis_shapes_take_the_fast_path() {
        for text in [
            "2024-05-01T10:00:00Z",
            "2024-05-01T10:00:00.5Z",
            "2024-05-01T10:00:00.123456Z",
            "2024-05-01T10:00:00.123456789z",
            "2024-02-29T23:59:59+01:30",
            "1999-12-31T00:00:00-05:00",
        ] {
            let fast = parse_fast(text);
            assert!(fast.is_some(), "{text}");
            assert_eq!(fast, chrono_parse(text), "{text}");
        }
        for other in [
            "2023-02-29T10:00:00Z",
            "2024-05-01 10:00:00Z",
            "2024-05-01T10:00:60Z",
            "2024-05-01T10:00:00.1234567891Z",
            "2024-05-01T10:00:00",
            "2024-05-01T10:00:00+24:00",
            "",
            "2024-05-01T10:00:00Z trailing",
        ] {
            assert_eq!(parse_fast(other), None, "{other}");
        }
    }

    proptest! {
        /// Wherever the fast path answers, it answers as chrono does.
        #[test]
        fn the_fast_path_agrees_with_chrono(
            year in 0u32..10_000, month in 0u32..14, day in 0u32..33,
            hour in 0u32..26, minute in 0u32..62, second in 0u32..62,
            fraction in proptest::option::of("[0-9]{1,10}"),
            zone in prop_oneof![
                Just("Z".to_owned()),
                Just("z".to_owned()),
                (0u32..26, 0u32..62, prop_oneof![Just('+'), Just('-')])
                    .prop_map(|(h, m, sign)| format!("{sign}{h:02}:{m:02}")),
            ],
        ) {
            let fraction = fraction.map(|digits| format!(".{digits}")).unwrap_or_default();
            let text = format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}{fraction}{zone}");
            if let Some(fast) = parse_fast(&text) {
                prop_assert_eq!(Some(fast), chrono_parse(&text), "{}", text);
            }
        }

        /// Any text: never a panic, and never an answer chrono would not give.
        #[test]
        fn any_text_is_safe(text in "\\PC{0,40}") {
            if let Some(fast) = parse_fast(&text) {
                prop_assert_eq!(Some(fast), chrono_parse(&text));
            }
        }
    }
}
