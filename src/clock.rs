//! The run's clock: `--now TIMESTAMP` parsing, or the local wall clock.
//!
//! Every date a command writes or compares (ISA09/ISA10, BHT dates, future
//! dates, timely filing, ages) comes from one [`NaiveDateTime`] taken here,
//! so the same input and `--now` give the same output. Accepted forms (local
//! time): `YYYY-MM-DD` (midnight), `YYYY-MM-DDTHH:MM`, `YYYY-MM-DDTHH:MM:SS`;
//! a space may stand for the `T`. This module does not read time zones.

use chrono::{NaiveDate, NaiveDateTime};

/// A `--now` value that is not one of the accepted forms.
#[derive(Debug, thiserror::Error)]
#[error("--now {0:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS")]
pub struct Error(pub String);

/// Parses a `--now` value.
pub fn parse_now(s: &str) -> Result<NaiveDateTime, Error> {
    let t = s.trim();
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(t, f) {
            return Ok(dt);
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| Error(s.to_string()))
}

/// `--now` when given, else the local wall clock (to the second).
pub fn now(arg: Option<&str>) -> Result<NaiveDateTime, Error> {
    match arg {
        Some(s) => parse_now(s),
        None => {
            let n = chrono::Local::now().naive_local();
            Ok(n.with_nanosecond_zero())
        }
    }
}

trait WithNanosecondZero {
    fn with_nanosecond_zero(self) -> Self;
}

impl WithNanosecondZero for NaiveDateTime {
    fn with_nanosecond_zero(self) -> NaiveDateTime {
        use chrono::Timelike;
        self.with_nanosecond(0).unwrap_or(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert_eq!(parse_now("2024-03-10").unwrap().to_string(), "2024-03-10 00:00:00");
        assert_eq!(parse_now("2024-03-10T08:30").unwrap().to_string(), "2024-03-10 08:30:00");
        assert_eq!(parse_now("2024-03-10T08:30:15").unwrap().to_string(), "2024-03-10 08:30:15");
    }

    #[test]
    fn rejects_other_forms() {
        for bad in ["", "2024-13-01", "03/10/2024", "2024-03-10T25:00", "now"] {
            assert!(parse_now(bad).is_err(), "{bad}");
        }
    }
}
