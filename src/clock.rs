//! The run's clock: `--now TIMESTAMP` parsing, shared by every command that
//! has date rules or writes dates (check, build, reconcile).
//!
//! Accepts `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM` and `YYYY-MM-DDTHH:MM:SS` (local
//! time, no zone). It does not read the system clock unless asked
//! ([`now_or_local`]).

use chrono::{NaiveDate, NaiveDateTime};

/// A `--now` value that is none of the accepted forms, or names a date or
/// time that does not exist.
#[derive(Debug, thiserror::Error)]
#[error("--now {value:?}: {}", if *.impossible { "no such date or time" } else { "expected YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS" })]
pub struct Error {
    /// The text given.
    pub value: String,
    /// True when the text has an accepted shape but no such date or time
    /// exists (`2026-13-45`, `2026-02-30T25:00`).
    pub impossible: bool,
}

/// Parses a `--now` timestamp (local time). A bare date means midnight.
pub fn parse_now(s: &str) -> Result<NaiveDateTime, Error> {
    let t = s.trim();
    let parsed = match t.len() {
        10 => NaiveDate::parse_from_str(t, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)),
        16 => NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").ok(),
        19 => NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok(),
        _ => None,
    };
    parsed.ok_or_else(|| Error { value: s.to_string(), impossible: has_accepted_shape(t) })
}

/// True when `t` is digits and separators in one of the accepted shapes.
fn has_accepted_shape(t: &str) -> bool {
    const SHAPE: &[u8] = b"dddd-dd-ddTdd:dd:dd";
    [10, 16, 19].contains(&t.len())
        && t.bytes().zip(SHAPE).all(|(b, &s)| if s == b'd' { b.is_ascii_digit() } else { b == s })
}

/// The given `--now`, or the local wall clock when none was given.
pub fn now_or_local(arg: Option<&str>) -> Result<NaiveDateTime, Error> {
    match arg {
        Some(s) => parse_now(s),
        None => Ok(chrono::Local::now().naive_local()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_three_forms() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        assert_eq!(parse_now("2026-11-27").unwrap(), d.and_hms_opt(0, 0, 0).unwrap());
        assert_eq!(parse_now("2026-11-27T13:45").unwrap(), d.and_hms_opt(13, 45, 0).unwrap());
        assert_eq!(parse_now("2026-11-27T13:45:09").unwrap(), d.and_hms_opt(13, 45, 9).unwrap());
    }

    #[test]
    fn rejects_other_forms() {
        for bad in
            ["", "2026-11-27 13:45", "27/11/2026", "2026-02-30", "2026-11-27T25:00", "2026-11-27Z"]
        {
            assert!(parse_now(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_impossible_date_is_named_as_such() {
        for bad in ["2026-13-45", "2026-02-30", "2026-11-27T25:00", "2026-11-27T13:45:61"] {
            let e = parse_now(bad).unwrap_err();
            assert!(e.impossible, "{bad}");
            assert_eq!(e.to_string(), format!("--now {bad:?}: no such date or time"));
        }
        let e = parse_now("27/11/2026").unwrap_err();
        assert!(!e.impossible);
        assert!(e.to_string().contains("expected YYYY-MM-DD"), "{e}");
    }
}
