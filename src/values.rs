//! Reading X12 element values into Rust types: `R` decimals (exact, at most
//! 18 digits), `D8` dates (CCYYMMDD) and trimmed text. The readers are
//! hand-written one-pass scans (they run for every amount and date of a
//! file); the tests check them against the nom grammars of `x12::grammar`. Shared by the
//! transaction readers (`edi835`, `edi837`); knows no segment or loop, and
//! never fails loudly: an unreadable value is `None` for the caller to
//! report with its position.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::Text;

/// Bytes as trimmed text; invalid UTF-8 is replaced, not an error.
pub fn text(raw: &[u8]) -> Text {
    let raw = raw.trim_ascii();
    if raw.is_empty() {
        return Text::default();
    }
    match std::str::from_utf8(raw) {
        Ok(s) => Text::new(s),
        Err(_) => Text::new(String::from_utf8_lossy(raw).trim()),
    }
}

/// [`text`] of bytes already known to be UTF-8: the same value, without
/// checking them again.
#[inline]
pub fn str_text(s: &str) -> Text {
    let s = s.trim_ascii();
    if s.is_empty() {
        Text::default()
    } else {
        Text::new(s)
    }
}

/// `s.trim()`, without its scan when `s` cannot need it: empty, or
/// starting and ending with a printable ASCII byte (what [`text`] reads
/// usually is).
#[inline]
pub fn trimmed(s: &str) -> &str {
    let b = s.as_bytes();
    let plain = |c: Option<&u8>| c.map_or(true, u8::is_ascii_graphic);
    if plain(b.first()) && plain(b.last()) {
        s
    } else {
        s.trim()
    }
}

/// `a.eq_ignore_ascii_case(b)` in one pass that stops at the first
/// difference and compares equal bytes at once (no call to compare the
/// short ids and codes it is used on).
#[inline]
pub fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| x == y || x.eq_ignore_ascii_case(&y))
}

/// Most digits an X12 `R` value may have (the element maximum length).
/// Keeping to it also keeps every sum of a run far from `Decimal`'s limit
/// (about 7.9e28), so adding amounts can never overflow.
pub const MAX_DIGITS: usize = 18;

/// Parses an X12 decimal (`R` type): optional sign, at most [`MAX_DIGITS`]
/// digits, optional point; surrounding spaces are ignored.
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    parse_decimal_bytes(s.as_bytes())
}

/// [`parse_decimal`] over bytes, in one pass: the digits (at most 18, so
/// they fit an `i64`) and the place of the point give the value exactly.
pub fn parse_decimal_bytes(raw: &[u8]) -> Option<Decimal> {
    let raw = raw.trim_ascii();
    let (negative, body) = match raw.first() {
        Some(b'-') => (true, &raw[1..]),
        Some(b'+') => (false, &raw[1..]),
        _ => (false, raw),
    };
    // Digits accumulate wrapping: past MAX_DIGITS the value is refused
    // anyway, and 18 digits fit a u64 exactly.
    let mut mantissa: u64 = 0;
    let mut digits = 0usize;
    // The number of digits before the point, once one is seen.
    let mut point: Option<usize> = None;
    for &b in body {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
            digits += 1;
        } else if b == b'.' && point.is_none() {
            point = Some(digits);
        } else {
            return None;
        }
    }
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let scale = (digits - point.unwrap_or(digits)) as u32;
    // As `Decimal::new` builds it: a zero is never negative.
    let negative = negative && mantissa != 0;
    Some(Decimal::from_parts(mantissa as u32, (mantissa >> 32) as u32, 0, negative, scale))
}

/// Parses a D8 date (CCYYMMDD).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    parse_date_bytes(s.as_bytes())
}

/// [`parse_date`] over bytes.
pub fn parse_date_bytes(raw: &[u8]) -> Option<NaiveDate> {
    let b = raw.trim_ascii();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    NaiveDate::from_ymd_opt(num(0..4) as i32, num(4..6), num(6..8))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The straightforward reading of an X12 `R` value, to check the one-pass
    /// parser against.
    fn reference_decimal(s: &str) -> Option<Decimal> {
        let s = s.trim_ascii();
        let body = s.strip_prefix('-').or_else(|| s.strip_prefix('+')).unwrap_or(s);
        if body.is_empty()
            || !body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            || body.bytes().filter(|&b| b == b'.').count() > 1
            || body.bytes().filter(u8::is_ascii_digit).count() > MAX_DIGITS
            || body == "."
        {
            return None;
        }
        let body = body.strip_suffix('.').unwrap_or(body);
        let d: Decimal = if body.starts_with('.') {
            format!("0{body}").parse().ok()?
        } else {
            body.parse().ok()?
        };
        Some(if s.starts_with('-') { -d } else { d })
    }

    /// An `R` value read by the nom grammar.
    fn grammar_decimal(raw: &[u8]) -> Option<Decimal> {
        let (_, r) = crate::x12::grammar::r_number(raw.trim_ascii()).ok()?;
        Some(Decimal::new(r.mantissa, r.scale))
    }

    /// A D8 value read by the nom grammar.
    fn grammar_date(raw: &[u8]) -> Option<NaiveDate> {
        match crate::x12::grammar::d8(raw.trim_ascii()) {
            Ok((&[], d)) => NaiveDate::from_ymd_opt(d.year as i32, d.month, d.day),
            _ => None,
        }
    }

    proptest::proptest! {
        #[test]
        fn decimal_reader_agrees_with_the_grammar(v in proptest::collection::vec(proptest::sample::select(b" +-.0123456789e".to_vec()), 0..24)) {
            let got = parse_decimal_bytes(&v);
            let want = grammar_decimal(&v);
            // The same representation: value, scale and sign (no negative zero).
            proptest::prop_assert_eq!(got.map(|d| d.serialize()), want.map(|d| d.serialize()), "{:?}", v);
        }

        #[test]
        fn date_reader_agrees_with_the_grammar(v in proptest::collection::vec(proptest::sample::select(b" -0123456789".to_vec()), 0..12)) {
            proptest::prop_assert_eq!(parse_date_bytes(&v), grammar_date(&v), "{:?}", v);
        }

        #[test]
        fn any_bytes_read_without_panic(v in proptest::collection::vec(proptest::num::u8::ANY, 0..30)) {
            proptest::prop_assert_eq!(parse_decimal_bytes(&v), grammar_decimal(&v));
            proptest::prop_assert_eq!(parse_date_bytes(&v), grammar_date(&v));
        }

        #[test]
        fn one_pass_decimal_parser_agrees_with_the_reference(s in "[ ]?[-+]?[0-9.]{0,21}[ ]?") {
            let got = parse_decimal(&s);
            let want = reference_decimal(&s);
            // Same value and the same number of decimals (reports keep them).
            proptest::prop_assert_eq!(got.map(|d| (d, d.scale())), want.map(|d| (d, d.scale())), "{:?}", s);
        }
    }

    #[test]
    fn same_ignoring_case_is_eq_ignore_ascii_case() {
        let words = ["", "a", "A", "45", "253", "co", "CO", "Co", "cO", "é", "É", "B7", "b7", "B8"];
        for a in words {
            for b in words {
                assert_eq!(same_ignoring_case(a, b), a.eq_ignore_ascii_case(b), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn trimmed_is_trim() {
        for s in [
            "", " ", "a", " a", "a ", "\u{b}a", "a\u{b}", "\u{a0}45", "45\u{a0}", "\t1\n", "é",
            "CO",
        ] {
            assert_eq!(trimmed(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn decimal_edge_cases() {
        for (s, want) in [
            ("5.", Some(Decimal::new(5, 0))),
            (".5", Some(Decimal::new(5, 1))),
            ("-0.50", Some(Decimal::new(-50, 2))),
            ("-0", Some(Decimal::new(0, 0))),
            ("-0.00", Some(Decimal::new(0, 2))),
            ("+12", Some(Decimal::new(12, 0))),
            ("999999999999999999", Some(Decimal::new(999_999_999_999_999_999, 0))),
            ("1000000000000000000", None),
            (".", None),
            ("-", None),
            ("1.2.3", None),
            ("1e5", None),
            ("", None),
        ] {
            assert_eq!(parse_decimal(s), want, "{s:?}");
            assert_eq!(
                parse_decimal(s).map(|d| d.serialize()),
                want.map(|d| d.serialize()),
                "{s:?}"
            );
        }
    }
}
