//! Element values against their X12 data type: dates (DT), times (TM),
//! integers with implied decimals (N0-N2), decimals (R), and the length
//! rule (digits only for numbers). Knows nothing of any guide.

use super::model::Ty;

/// True when `v` is a real calendar date: CCYYMMDD (8 digits) or YYMMDD (6).
pub fn valid_date(v: &[u8]) -> bool {
    if !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let num = |s: &[u8]| s.iter().fold(0u32, |a, &b| a * 10 + u32::from(b - b'0'));
    let (year, rest) = match v.len() {
        8 => (num(&v[..4]), &v[4..]),
        6 => (2000 + num(&v[..2]), &v[2..]),
        _ => return false,
    };
    let (month, day) = (num(&rest[..2]), num(&rest[2..4]));
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// True when `v` is a real time: HHMM, HHMMSS, or HHMMSS with 1-2 decimal
/// seconds digits.
pub fn valid_time(v: &[u8]) -> bool {
    if !matches!(v.len(), 4 | 6 | 7 | 8) || !v.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let two = |i: usize| u32::from(v[i] - b'0') * 10 + u32::from(v[i + 1] - b'0');
    two(0) < 24 && two(2) < 60 && (v.len() < 6 || two(4) < 60)
}

/// The problem with `v` as a value of type `ty`, if any ("not a number"...).
#[inline]
pub(super) fn type_problem(ty: Ty, v: &[u8]) -> Option<&'static str> {
    match ty {
        Ty::DT if !valid_date(v) => Some("not a valid date (CCYYMMDD)"),
        Ty::TM if !valid_time(v) => Some("not a valid time (HHMM[SS[D[D]]])"),
        Ty::N0 | Ty::N1 | Ty::N2 => {
            let d = v.strip_prefix(b"-").unwrap_or(v);
            (d.is_empty() || !d.iter().all(u8::is_ascii_digit)).then_some("not an integer")
        }
        Ty::RN => {
            let d = v.strip_prefix(b"-").unwrap_or(v);
            let points = d.iter().filter(|&&b| b == b'.').count();
            let digits = d.iter().filter(|b| b.is_ascii_digit()).count();
            (points > 1 || digits == 0 || digits + points != d.len())
                .then_some("not a decimal number")
        }
        _ => None,
    }
}

/// The length of `v` as X12 counts it: digits only for numbers (no sign,
/// no decimal point), characters otherwise.
#[inline]
pub(super) fn length(ty: Ty, v: &[u8]) -> usize {
    match ty {
        Ty::N0 | Ty::N1 | Ty::N2 | Ty::RN => v.iter().filter(|b| b.is_ascii_digit()).count(),
        _ if v.is_ascii() => v.len(),
        _ => std::str::from_utf8(v).map_or(v.len(), |s| s.chars().count()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_calendar_dates() {
        assert!(valid_date(b"20240229"));
        assert!(!valid_date(b"20260229"));
        assert!(!valid_date(b"20260231"));
        assert!(!valid_date(b"20261301"));
        assert!(!valid_date(b"2026011"));
        assert!(valid_date(b"261127"));
        assert!(!valid_date(b"2026-01-01"));
    }

    #[test]
    fn times_and_numbers() {
        assert!(valid_time(b"0900") && valid_time(b"235959") && valid_time(b"23595912"));
        assert!(!valid_time(b"2400") && !valid_time(b"0960") && !valid_time(b"090"));
        assert_eq!(type_problem(Ty::RN, b"-12.50"), None);
        assert!(type_problem(Ty::RN, b"1.2.3").is_some());
        assert!(type_problem(Ty::N0, b"1.5").is_some());
        assert_eq!(length(Ty::RN, b"-123.45"), 5);
        assert_eq!(length(Ty::AN, "ÉCOLE".as_bytes()), 5);
    }
}
