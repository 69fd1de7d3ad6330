//! Money and dates as text, the one place they are formatted: [`money`]
//! (two decimals, for CSV reports), [`cents`] and [`json`] (exactly two
//! decimals, the one shape of money in every JSON output) and [`amount`]
//! (normalized, for X12 elements, the ledger and messages). No `fmt` on the
//! hot path: a million-claim run writes tens of millions of them. Each
//! function writes exactly what `Decimal`'s or chrono's own formatting would
//! (property-tested below); nothing here parses.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

/// Appends the decimal digits of `n`.
fn push_digits(out: &mut String, n: u128) {
    let mut buf = [0u8; 40];
    let mut i = buf.len();
    // Amounts fit in 64 bits: their digits come from 64-bit divisions,
    // which cost a fraction of 128-bit ones.
    match u64::try_from(n) {
        Ok(mut n) => loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        },
        Err(_) => {
            let mut n = n;
            loop {
                i -= 1;
                buf[i] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
        }
    }
    // ASCII digits only: always valid UTF-8.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `d` normalized, as `d.normalize().to_string()` writes it
/// (`85.6`, `120`, `-0.05`): the text of [`normalized_into`].
pub(crate) fn push_normalized(out: &mut String, d: Decimal) {
    let mut buf = [0u8; NORMALIZED_MAX];
    let start = normalized_into(&mut buf, d);
    // ASCII digits, a point and a sign only: always valid UTF-8.
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or_default());
}

/// Room for any normalized `Decimal`: at most 29 digits, a leading `0`,
/// the point and the sign (scale <= 28).
pub(crate) const NORMALIZED_MAX: usize = 40;

/// Writes `d` normalized, as `d.normalize().to_string()` writes it, at the
/// end of `buf` and returns where it starts. The trailing zeros of the
/// fraction are dropped from the mantissa directly, and the digits come
/// from 64-bit divisions when it fits (as amounts do): no allocation.
#[inline]
pub(crate) fn normalized_into(buf: &mut [u8; NORMALIZED_MAX], d: Decimal) -> usize {
    let mut scale = d.scale() as usize;
    let m = d.mantissa().unsigned_abs();
    let negative = d.mantissa() < 0;
    let mut i = buf.len();
    match u64::try_from(m) {
        Ok(mut small) => {
            while scale > 0 && small % 10 == 0 {
                small /= 10;
                scale -= 1;
            }
            // Digits from the right; at least one before the point (`0.05`).
            let mut written = 0;
            while small > 0 || written <= scale {
                if written == scale && scale > 0 {
                    i -= 1;
                    buf[i] = b'.';
                }
                i -= 1;
                buf[i] = b'0' + (small % 10) as u8;
                small /= 10;
                written += 1;
            }
        }
        Err(_) => {
            let mut m = m;
            while scale > 0 && m % 10 == 0 {
                m /= 10;
                scale -= 1;
            }
            let mut written = 0;
            while m > 0 || written <= scale {
                if written == scale && scale > 0 {
                    i -= 1;
                    buf[i] = b'.';
                }
                let (rest, v) = match u64::try_from(m) {
                    Ok(s) => (u128::from(s / 10), (s % 10) as u8),
                    Err(_) => (m / 10, (m % 10) as u8),
                };
                i -= 1;
                buf[i] = b'0' + v;
                m = rest;
                written += 1;
            }
        }
    }
    if negative {
        i -= 1;
        buf[i] = b'-';
    }
    i
}

/// `00` to `99`, two ASCII digits each.
const DIGIT_PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The text of money `d` with at most two decimals (`d.scale() <= 2`,
/// the X12 case), written from the right into `buf` (20 digits of cents,
/// the point and a sign fit): returns where it starts, or `None` when `d`
/// needs the general path of [`push_money`] (more decimals, or more than
/// 64 bits of cents). Normalizing and
/// rescaling to two decimals comes to scaling the mantissa by
/// `10^(2 - scale)`, which is done here directly.
#[inline(always)]
fn money_digits(d: Decimal, buf: &mut [u8; 24]) -> Option<usize> {
    let scale = d.scale();
    if d.is_zero() {
        let i = buf.len() - 4;
        buf[i..].copy_from_slice(b"0.00");
        return Some(i);
    }
    if scale > 2 {
        return None;
    }
    // Past 64 bits (beyond any X12 amount) the general path takes it.
    let mantissa = u64::try_from(d.mantissa().unsigned_abs()).ok()?;
    let mut cents = match scale {
        0 => mantissa.checked_mul(100)?,
        1 => mantissa.checked_mul(10)?,
        _ => mantissa,
    };
    // Two digits at a time from a table: half the divisions.
    fn pair(buf: &mut [u8; 24], i: &mut usize, v: u64) {
        let v = v as usize * 2;
        *i -= 2;
        buf[*i..*i + 2].copy_from_slice(&DIGIT_PAIRS[v..v + 2]);
    }
    let mut i = buf.len();
    pair(buf, &mut i, cents % 100);
    i -= 1;
    buf[i] = b'.';
    cents /= 100;
    while cents >= 100 {
        pair(buf, &mut i, cents % 100);
        cents /= 100;
    }
    if cents >= 10 {
        pair(buf, &mut i, cents);
    } else {
        i -= 1;
        buf[i] = b'0' + cents as u8;
    }
    if d.is_sign_negative() {
        i -= 1;
        buf[i] = b'-';
    }
    Some(i)
}

/// Appends `d` as money: two decimals, more only when `d` has more
/// significant ones (`100.00`, `-1.27`, `1.005`); zero is `0.00`.
pub(crate) fn push_money(out: &mut String, d: Decimal) {
    let mut buf = [0u8; 24];
    match money_digits(d, &mut buf) {
        // ASCII digits, a point and a sign only: always valid UTF-8.
        Some(i) => out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default()),
        None => push_money_general(out, d),
    }
}

/// [`push_money`] into bytes (a CSV row being written).
pub(crate) fn push_money_bytes(out: &mut Vec<u8>, d: Decimal) {
    let mut buf = [0u8; 24];
    match money_digits(d, &mut buf) {
        Some(i) => out.extend_from_slice(&buf[i..]),
        None => {
            let mut s = String::new();
            push_money_general(&mut s, d);
            out.extend_from_slice(s.as_bytes());
        }
    }
}

/// [`push_money`] for any `Decimal`.
fn push_money_general(out: &mut String, d: Decimal) {
    use std::fmt::Write as _;
    if d.is_zero() {
        out.push_str("0.00");
        return;
    }
    let mut cents = d;
    if d.scale() != 2 {
        let n = d.normalize();
        if n.scale() > 2 {
            push_normalized(out, n);
            return;
        }
        cents = n;
        cents.rescale(2);
        if cents.scale() != 2 {
            // Too many digits to carry two decimals exactly (never for X12
            // amounts, which have at most 18 digits).
            let _ = write!(out, "{n:.2}");
            return;
        }
    }
    let m = cents.mantissa();
    if m < 0 {
        out.push('-');
    }
    let m = m.unsigned_abs();
    let (units, c) = match u64::try_from(m) {
        Ok(m) => (u128::from(m / 100), (m % 100) as u8),
        Err(_) => (m / 100, (m % 100) as u8),
    };
    push_digits(out, units);
    out.push('.');
    out.push(char::from(b'0' + c / 10));
    out.push(char::from(b'0' + c % 10));
}

/// Money as claimflow prints it in reports, summaries and manifests: two
/// decimals, more only when `d` has more significant ones (see `push_money`).
pub fn money(d: Decimal) -> String {
    let mut s = String::with_capacity(16);
    push_money(&mut s, d);
    s
}

/// Money as every JSON output writes it: exactly two decimals (`1575.00`,
/// `-0.05`, `0.00`). An amount with more decimals (money in X12 5010 has at
/// most two) is rounded half away from zero.
pub fn cents(d: Decimal) -> String {
    let mut c = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    c.rescale(2);
    if c.scale() != 2 {
        // Too many digits to carry two decimals (beyond any X12 amount).
        return format!("{c:.2}");
    }
    let mut s = String::with_capacity(16);
    push_money(&mut s, c);
    s
}

/// serde helpers for money fields of JSON outputs: `#[serde(serialize_with =
/// "crate::numtext::json::money")]` on a `Decimal`, `json::money_opt` on an
/// `Option<Decimal>` (`null` when `None`). Both write [`cents`].
pub mod json {
    use rust_decimal::Decimal;

    /// A `Decimal` as [`super::cents`] text.
    pub fn money<S: serde::Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::cents(*d))
    }

    /// An `Option<Decimal>` as [`super::cents`] text, or `null`.
    pub fn money_opt<S: serde::Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::cents(*d)),
            None => s.serialize_none(),
        }
    }
}

/// An amount as X12 and the ledger carry it: normalized, no trailing zeros
/// (`100`, `100.5`, `-0.05`; see `push_normalized`).
pub fn amount(d: Decimal) -> String {
    let mut s = String::with_capacity(16);
    push_normalized(&mut s, d);
    s
}

/// `YYYY-MM-DD` of a date in years 0-9999 (`None` for others).
#[inline]
fn iso_date(d: NaiveDate) -> Option<[u8; 10]> {
    let year = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let (month, day) = (d.month(), d.day());
    let digit = |v: u32| b'0' + (v % 10) as u8;
    Some([
        digit(year / 1000),
        digit(year / 100),
        digit(year / 10),
        digit(year),
        b'-',
        digit(month / 10),
        digit(month),
        b'-',
        digit(day / 10),
        digit(day),
    ])
}

/// Appends `YYYY-MM-DD`.
pub(crate) fn push_iso_date(out: &mut String, d: NaiveDate) {
    match iso_date(d) {
        // ASCII digits and dashes only: always valid UTF-8.
        Some(b) => out.push_str(std::str::from_utf8(&b).unwrap_or_default()),
        None => {
            use std::fmt::Write as _;
            let _ = write!(out, "{}", d.format("%Y-%m-%d"));
        }
    }
}

/// [`push_iso_date`] into bytes (a CSV row being written).
pub(crate) fn push_iso_date_bytes(out: &mut Vec<u8>, d: NaiveDate) {
    match iso_date(d) {
        Some(b) => out.extend_from_slice(&b),
        None => out.extend_from_slice(d.format("%Y-%m-%d").to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_as_normalize_writes_them() {
        let mut cases = vec![
            Decimal::ZERO,
            -Decimal::ZERO,
            Decimal::new(0, 5),
            Decimal::new(-0, 2),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(1, 28),
            Decimal::new(-1, 28),
            Decimal::from_i128_with_scale(184_467_440_737_095_516_150, 2),
            Decimal::from_i128_with_scale(-184_467_440_737_095_516_000, 20),
        ];
        for m in [1i64, 5, 10, 50, 100, 120, 856, 1005, 12_000, 99_999, 123_456_789, i64::MAX] {
            for scale in [0, 1, 2, 3, 4, 9, 18, 28] {
                cases.push(Decimal::new(m, scale));
                cases.push(Decimal::new(-m, scale));
            }
        }
        for d in cases {
            let mut s = String::from("x");
            push_normalized(&mut s, d);
            assert_eq!(s, format!("x{}", d.normalize()), "{d:?}");
        }
    }

    #[test]
    fn money_has_two_decimals_unless_more_are_given() {
        assert_eq!(money(Decimal::new(100, 0)), "100.00");
        assert_eq!(money(Decimal::new(-127, 2)), "-1.27");
        assert_eq!(money(Decimal::new(1005, 3)), "1.005");
        assert_eq!(money(Decimal::new(10, 1)), "1.00");
        assert_eq!(money(-Decimal::new(0, 2)), "0.00");
        assert_eq!(money(Decimal::new(-5, 2)), "-0.05");
        assert_eq!(money(Decimal::new(-50, 3)), "-0.05");
        assert_eq!(money(Decimal::new(123_456_789_012_345_678, 2)), "1234567890123456.78");
        assert_eq!(money(Decimal::new(7, 0)), "7.00");
        assert_eq!(money(Decimal::new(12, 4)), "0.0012");
        // Mantissas past 64 bits take the 128-bit path.
        let big = Decimal::from_i128_with_scale(184_467_440_737_095_516_150, 2);
        assert_eq!(money(big), "1844674407370955161.50");
        assert_eq!(money(-big), "-1844674407370955161.50");
        let mut s = String::new();
        push_normalized(&mut s, Decimal::MAX);
        assert_eq!(s, Decimal::MAX.to_string());
    }

    #[test]
    fn cents_have_exactly_two_decimals() {
        assert_eq!(cents(Decimal::new(1575, 0)), "1575.00");
        assert_eq!(cents(Decimal::new(15754, 1)), "1575.40");
        assert_eq!(cents(Decimal::new(1005, 3)), "1.01");
        assert_eq!(cents(Decimal::new(-1005, 3)), "-1.01");
        assert_eq!(cents(Decimal::new(1004, 3)), "1.00");
        assert_eq!(cents(Decimal::new(-1, 3)), "0.00");
        assert_eq!(cents(Decimal::new(-5, 2)), "-0.05");
        assert_eq!(cents(Decimal::new(12_000, 4)), "1.20");
        assert_eq!(cents(Decimal::MAX), format!("{:.2}", Decimal::MAX));
    }

    /// Every path of `push_money` (String and bytes) against the general one.
    fn check_money_paths(d: Decimal) {
        let mut want = String::from("x");
        push_money_general(&mut want, d);
        let mut got = String::from("x");
        push_money(&mut got, d);
        assert_eq!(got, want, "{d:?}");
        let mut bytes = b"x".to_vec();
        push_money_bytes(&mut bytes, d);
        assert_eq!(String::from_utf8_lossy(&bytes), want, "{d:?}");
    }

    #[test]
    fn money_fast_path_agrees_with_the_general_one_at_the_edges() {
        let mut cases = vec![Decimal::ZERO, -Decimal::ZERO, Decimal::MAX, Decimal::MIN];
        for m in [1i64, 9, 10, 99, 100, 101, 12_000, i64::MAX / 100, i64::MAX / 10, i64::MAX] {
            for scale in 0..=4 {
                cases.push(Decimal::new(m, scale));
                cases.push(Decimal::new(-m, scale));
            }
        }
        for m in [u64::MAX as i128, u64::MAX as i128 + 1, (1i128 << 95) + 7, (1i128 << 96) - 1] {
            for scale in 0..=3 {
                cases.push(Decimal::from_i128_with_scale(m, scale));
                cases.push(Decimal::from_i128_with_scale(-m, scale));
            }
        }
        for d in cases {
            check_money_paths(d);
        }
    }

    proptest::proptest! {
        #[test]
        fn cents_match_rounded_decimal_formatting(m in proptest::num::i64::ANY, scale in 0u32..8) {
            let d = Decimal::new(m, scale);
            let r = d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            let want = if r.is_zero() { "0.00".to_string() } else { format!("{r:.2}") };
            proptest::prop_assert_eq!(cents(d), want);
        }

        #[test]
        fn money_matches_decimal_formatting(m in -10i64.pow(18)..10i64.pow(18), scale in 0u32..6) {
            let d = Decimal::new(m, scale);
            let n = d.normalize();
            let want = if d.is_zero() {
                "0.00".to_string()
            } else if n.scale() <= 2 {
                format!("{n:.2}")
            } else {
                n.to_string()
            };
            proptest::prop_assert_eq!(money(d), want);
        }

        #[test]
        fn money_fast_path_agrees_with_the_general_one(m in proptest::num::i64::ANY, scale in 0u32..5) {
            check_money_paths(Decimal::new(m, scale));
        }

        #[test]
        fn normalized_matches_decimal_formatting(m in proptest::num::i64::ANY, scale in 0u32..12) {
            let d = Decimal::new(m, scale);
            let mut s = String::new();
            push_normalized(&mut s, d);
            proptest::prop_assert_eq!(s, d.normalize().to_string());
        }

        #[test]
        fn dates_are_iso(days in -1_000_000i32..4_000_000) {
            if let Some(d) = NaiveDate::from_num_days_from_ce_opt(days) {
                let mut s = String::new();
                push_iso_date(&mut s, d);
                proptest::prop_assert_eq!(&s, &d.format("%Y-%m-%d").to_string());
                let mut b = Vec::new();
                push_iso_date_bytes(&mut b, d);
                proptest::prop_assert_eq!(String::from_utf8_lossy(&b), s);
            }
        }
    }
}
