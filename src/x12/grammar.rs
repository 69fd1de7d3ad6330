//! The grammars of X12 element values as small named nom parsers: dates
//! (`D8` CCYYMMDD, the six-digit YYMMDD a `DT` element may hold, `RD8`
//! ranges), times (`TM`), `R` decimals and `N` integers. They are the
//! specification the hot readers (`values::parse_decimal`,
//! `values::parse_date`, `schema::valid_date`, `schema::valid_time`, one-pass
//! scans 2-5x faster: `cargo bench --bench values`) are tested against
//! (proptest: the same answer on random input). Each parser reads
//! one value as the tokenizer gives it (no surrounding spaces; callers
//! trim). They check the shape only: whether a date is on the calendar is
//! [`is_calendar_date`], and turning what was read into `chrono` or
//! `Decimal` values is the caller's. The segment scan of the tokenizer is
//! not here (`lex` keeps its hand-tuned scan). Knows nothing of healthcare.

use nom::branch::alt;
use nom::bytes::complete::{tag, take_while_m_n};
use nom::character::complete::{digit0, digit1};
use nom::combinator::{all_consuming, map, opt};
use nom::sequence::{preceded, separated_pair};
use nom::{IResult, Parser};

/// A date as read: year (four digits), month and day (not yet checked
/// against the calendar).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ymd {
    /// CCYY (a six-digit date's YY is read as 20YY).
    pub year: u32,
    /// MM.
    pub month: u32,
    /// DD.
    pub day: u32,
}

/// A time as read: hours, minutes, and seconds when given (the decimal
/// seconds digits are read and dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hms {
    /// HH.
    pub hour: u32,
    /// MM.
    pub minute: u32,
    /// SS, when given.
    pub second: Option<u32>,
}

/// An `R` value as read: its sign, its digits as an integer, and how many
/// of them follow the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RNumber {
    /// The digits, without the point, negated for a `-` sign.
    pub mantissa: i64,
    /// Digits after the point (0 with no point, or a point and nothing after).
    pub scale: u32,
}

/// Most digits an `R` value may have (the element maximum length); 18
/// digits always fit an `i64`.
pub const R_MAX_DIGITS: usize = 18;

/// The number `digits` (ASCII digits) stand for.
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'))
}

/// `n` digits in a row (the parsers below take the whole run at once and
/// cut it, which keeps them as fast as a hand-written scan).
fn digits<'a>(
    n: usize,
) -> impl Parser<&'a [u8], Output = &'a [u8], Error = nom::error::Error<&'a [u8]>> {
    take_while_m_n(n, n, |b: u8| b.is_ascii_digit())
}

/// `D8 = CCYY MM DD`
pub fn d8(i: &[u8]) -> IResult<&[u8], Ymd> {
    map(digits(8), |d: &[u8]| Ymd {
        year: number(&d[..4]),
        month: number(&d[4..6]),
        day: number(&d[6..]),
    })
    .parse(i)
}

/// `yymmdd = YY MM DD`, the year read as 20YY.
pub fn yymmdd(i: &[u8]) -> IResult<&[u8], Ymd> {
    map(digits(6), |d: &[u8]| Ymd {
        year: 2000 + number(&d[..2]),
        month: number(&d[2..4]),
        day: number(&d[4..]),
    })
    .parse(i)
}

/// `DT = D8 / yymmdd`, the whole value.
pub fn dt(i: &[u8]) -> IResult<&[u8], Ymd> {
    all_consuming(alt((d8, yymmdd))).parse(i)
}

/// `RD8 = D8 "-" D8`, the whole value.
pub fn rd8(i: &[u8]) -> IResult<&[u8], (Ymd, Ymd)> {
    all_consuming(separated_pair(d8, tag(&b"-"[..]), d8)).parse(i)
}

/// `TM = HH MM [SS [1*2DIGIT]]`, the whole value: 4, 6, 7 or 8 digits.
pub fn tm(i: &[u8]) -> IResult<&[u8], Hms> {
    let (rest, d) = all_consuming(take_while_m_n(4, 8, |b: u8| b.is_ascii_digit())).parse(i)?;
    if d.len() == 5 {
        return Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Digit)));
    }
    let second = (d.len() >= 6).then(|| number(&d[4..6]));
    Ok((rest, Hms { hour: number(&d[..2]), minute: number(&d[2..4]), second }))
}

/// `R = ["-" / "+"] (1*DIGIT ["." *DIGIT] / "." 1*DIGIT)`, at most
/// [`R_MAX_DIGITS`] digits, the whole value.
pub fn r_number(i: &[u8]) -> IResult<&[u8], RNumber> {
    let sign = take_while_m_n(0, 1, |b: u8| b == b'-' || b == b'+');
    let (rest, (sign, whole, fraction)) =
        all_consuming((sign, digit0, opt(preceded(tag(&b"."[..]), digit0)))).parse(i)?;
    let fraction = fraction.unwrap_or_default();
    let digits = whole.len() + fraction.len();
    if digits == 0 || digits > R_MAX_DIGITS {
        return Err(nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Digit)));
    }
    let mantissa = whole.iter().chain(fraction).fold(0i64, |n, &d| n * 10 + i64::from(d - b'0'));
    let mantissa = if sign == b"-" { -mantissa } else { mantissa };
    Ok((rest, RNumber { mantissa, scale: fraction.len() as u32 }))
}

/// `N = ["-"] 1*DIGIT`, the whole value (the implied decimals of N1, N2
/// are the caller's).
pub fn n_integer(i: &[u8]) -> IResult<&[u8], &[u8]> {
    all_consuming(nom::combinator::recognize((opt(tag(&b"-"[..])), digit1))).parse(i)
}

/// True when `year`-`month`-`day` is on the (proleptic Gregorian) calendar.
pub fn is_calendar_date(d: Ymd) -> bool {
    let leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    let days = match d.month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d.day)
}

/// True when `t` is a time of day (hours below 24, minutes and seconds
/// below 60).
pub fn is_time_of_day(t: Hms) -> bool {
    t.hour < 24 && t.minute < 60 && !matches!(t.second, Some(s) if s >= 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok<T>(r: IResult<&[u8], T>) -> Option<T> {
        r.ok().map(|(_, v)| v)
    }

    #[test]
    fn dates_times_and_numbers_by_their_grammar() {
        assert_eq!(ok(dt(b"20260229")), Some(Ymd { year: 2026, month: 2, day: 29 }));
        assert!(!is_calendar_date(ok(dt(b"20260229")).unwrap()));
        assert_eq!(ok(dt(b"261127")), Some(Ymd { year: 2026, month: 11, day: 27 }));
        assert_eq!(ok(dt(b"2026112")), None);
        assert_eq!(ok(dt(b"2026-11-27")), None);
        let (a, b) = ok(rd8(b"20260101-20260131")).unwrap();
        assert_eq!((a.day, b.day), (1, 31));
        assert_eq!(ok(rd8(b"20260101")), None);
        assert_eq!(ok(tm(b"0930")), Some(Hms { hour: 9, minute: 30, second: None }));
        assert_eq!(ok(tm(b"09301512")).and_then(|t| t.second), Some(15));
        assert_eq!(ok(tm(b"093")), None);
        assert_eq!(ok(tm(b"093015123")), None);
        assert_eq!(ok(r_number(b"-12.50")), Some(RNumber { mantissa: -1250, scale: 2 }));
        assert_eq!(ok(r_number(b".5")), Some(RNumber { mantissa: 5, scale: 1 }));
        assert_eq!(ok(r_number(b"5.")), Some(RNumber { mantissa: 5, scale: 0 }));
        for bad in [&b"."[..], b"-", b"", b"1.2.3", b"1e5", b"1000000000000000000"] {
            assert_eq!(ok(r_number(bad)), None, "{:?}", String::from_utf8_lossy(bad));
        }
        assert_eq!(ok(n_integer(b"-42")), Some(&b"-42"[..]));
        assert_eq!(ok(n_integer(b"4.2")), None);
        assert_eq!(ok(n_integer(b"+4")), None);
    }

    /// A DT value checked by the grammar.
    fn grammar_valid_date(v: &[u8]) -> bool {
        dt(v).is_ok_and(|(_, d)| is_calendar_date(d))
    }

    /// A TM value checked by the grammar.
    fn grammar_valid_time(v: &[u8]) -> bool {
        tm(v).is_ok_and(|(_, t)| is_time_of_day(t))
    }

    proptest::proptest! {
        #[test]
        fn the_validators_date_and_time_checks_agree_with_the_grammar(
            v in proptest::collection::vec(proptest::sample::select(b"0123456789-".to_vec()), 0..10)
        ) {
            proptest::prop_assert_eq!(crate::x12::schema::valid_date(&v), grammar_valid_date(&v), "{:?}", v);
            proptest::prop_assert_eq!(crate::x12::schema::valid_time(&v), grammar_valid_time(&v), "{:?}", v);
        }

        #[test]
        fn no_value_makes_a_parser_panic(v in proptest::collection::vec(proptest::num::u8::ANY, 0..24)) {
            let _ = (dt(&v), rd8(&v), tm(&v), r_number(&v), n_integer(&v));
        }
    }
}
