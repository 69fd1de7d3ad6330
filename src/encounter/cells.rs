//! Parsing cell text into values: plain decimals, money, dates and
//! diagnosis codes as stored. It knows nothing of rows, columns or findings
//! beyond the message for a bad date.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Col;

/// A plain decimal: optional minus, digits, at most one dot. (rust_decimal's
/// parser also accepts `_` and other forms an export should not contain.)
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.strip_prefix('-').unwrap_or(s);
    let dots = t.bytes().filter(|&b| b == b'.').count();
    if t.is_empty() || dots > 1 || t == "." || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// Money: a plain decimal, or with `us` also `$1,234.50` (a leading `$`,
/// `,` between groups of three digits).
pub(crate) fn parse_money(s: &str, us: bool) -> Option<Decimal> {
    if !us {
        return parse_decimal(s);
    }
    let (neg, t) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let t = t.strip_prefix('$').unwrap_or(t);
    let (int, frac) = t.split_once('.').map_or((t, None), |(i, f)| (i, Some(f)));
    if int.contains(',') {
        let groups: Vec<&str> = int.split(',').collect();
        let ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()))
            && groups[1..].iter().all(|g| g.len() == 3);
        if !ok {
            return None;
        }
    }
    let mut plain = String::with_capacity(s.len());
    if neg {
        plain.push('-');
    }
    plain.extend(int.chars().filter(|c| *c != ','));
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    parse_decimal(&plain)
}

pub(super) fn parse_date(s: &str, fmt: &str) -> Option<NaiveDate> {
    // Fast path for the canonical YYYY-MM-DD (chrono re-parses the format
    // string on every call); anything else goes through chrono.
    let b = s.as_bytes();
    if fmt == "%Y-%m-%d" && b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter()
                .try_fold(0u32, |n, d| d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0')))
        };
        let y = i32::try_from(num(0..4)?).ok()?;
        return NaiveDate::from_ymd_opt(y, num(5..7)?, num(8..10)?);
    }
    NaiveDate::parse_from_str(s, fmt).ok()
}

pub(super) fn date_msg(col: Col, fmt: &str) -> String {
    format!("{} is not a valid date in the format {fmt}", col.name())
}

/// ICD-10-CM as stored: trimmed, upper case, the dot after the category
/// removed (`e11.9` -> `E119`). A dot anywhere else is kept, so the syntax
/// rule reports it.
pub(crate) fn normalize_dx(v: &str) -> String {
    let u = v.trim().to_ascii_uppercase();
    if u.len() > 3 && u.as_bytes()[3] == b'.' && u.matches('.').count() == 1 {
        format!("{}{}", &u[..3], &u[4..])
    } else {
        u
    }
}
