//! CARC, RARC and CPT lists the user supplies (X12's claim adjustment
//! reason codes, the remittance advice remark codes CMS maintains, and the
//! AMA's CPT codes with HCPCS Level II): each code's description and the
//! dates it may be used. claimflow ships no description text; without a
//! list, callers show the code alone.
//!
//! A code is in use on a date when its start date is on or before the date
//! and its stop date (empty = still in use) is after it. Several files of one
//! list are merged; where two give the same code, the row with the newest
//! start date wins. This module answers lookups; it does not decide what a
//! denial means (see `reconcile`).

use chrono::NaiveDate;

use super::ncci::day;
use super::table::{self, problem, Header, Problem};

/// One code of a list.
#[derive(Clone, Debug)]
struct Reason {
    code: Box<str>,
    description: Box<str>,
    start: i32,
    stop: i32,
}

/// A CARC, RARC or CPT list: codes sorted, each with its text and dates.
#[derive(Clone, Debug, Default)]
pub struct ReasonList {
    reasons: Vec<Reason>,
}

fn is_carc(c: &str) -> bool {
    let b = c.as_bytes();
    match b.first() {
        Some(d) if d.is_ascii_digit() => {
            (1..=3).contains(&b.len()) && b.iter().all(u8::is_ascii_digit)
        }
        Some(l) if l.is_ascii_uppercase() => {
            (2..=3).contains(&b.len()) && b[1..].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

fn is_rarc(c: &str) -> bool {
    let digits = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if let Some(r) = c.strip_prefix("MA") {
        digits(r, 2..=3)
    } else if let Some(r) = c.strip_prefix('M') {
        digits(r, 1..=3)
    } else if let Some(r) = c.strip_prefix('N') {
        digits(r, 1..=4)
    } else {
        false
    }
}

impl ReasonList {
    /// Reads one CARC, RARC or CPT file into the list.
    pub(crate) fn add(&mut self, text: &str, h: &Header) -> Result<(), Problem> {
        let kind = h.kind;
        table::rows(text, h, |line, c| {
            let code = c[0].to_ascii_uppercase();
            let expected = match kind {
                table::FileKind::Carc if !is_carc(&code) => {
                    Some("is not a CARC (1-3 digits, or a letter and 1-2 digits)")
                }
                table::FileKind::Rarc if !is_rarc(&code) => {
                    Some("is not a RARC (M + 1-3 digits, MA + 2-3, N + 1-4)")
                }
                table::FileKind::Cpt if super::shape::procedure_kind(&code).is_none() => Some(
                    "is not a CPT or HCPCS code (5 digits, 4 digits + F, T or U, or a letter A-V + 4 digits)",
                ),
                _ => None,
            };
            if let Some(expected) = expected {
                return Err(problem(line, format!("\"{}\" {expected}", c[0])));
            }
            let start = table::date(c[2]).map(day).ok_or_else(|| {
                problem(line, format!("start \"{}\" is not a date (YYYYMMDD)", c[2]))
            })?;
            let stop = match table::end_date(c[3]) {
                Ok(Some(d)) => day(d),
                Ok(None) => i32::MAX,
                Err(()) => {
                    return Err(problem(
                        line,
                        format!("stop \"{}\" is not a date (YYYYMMDD) or empty", c[3]),
                    ))
                }
            };
            self.reasons.push(Reason { code: code.into(), description: c[1].into(), start, stop });
            Ok(())
        })
    }

    /// Sorts by code; of two rows of one code, the newest start date comes first.
    pub(crate) fn finish(&mut self) {
        self.reasons.sort_by(|a, b| a.code.cmp(&b.code).then(b.start.cmp(&a.start)));
    }

    fn rows(&self, code: &str) -> &[Reason] {
        let code = code.trim();
        let lo = self.reasons.partition_point(|r| &*r.code < code);
        let hi = lo + self.reasons[lo..].partition_point(|r| &*r.code == code);
        &self.reasons[lo..hi]
    }

    /// The description of a code (of its newest row), when the list has it.
    pub fn description(&self, code: &str) -> Option<&str> {
        self.rows(code).first().map(|r| &*r.description)
    }

    /// Whether a code may be used on `date`: `Some(true)` in use,
    /// `Some(false)` not on the list or outside its start and stop dates.
    pub fn in_use(&self, code: &str, date: NaiveDate) -> bool {
        let d = day(date);
        self.rows(code).iter().any(|r| r.start <= d && d < r.stop)
    }

    /// Whether a code may be used on `date`, or, with no date, whether the
    /// list has it at all.
    pub fn listed(&self, code: &str, date: Option<NaiveDate>) -> bool {
        match date {
            Some(d) => self.in_use(code, d),
            None => !self.rows(code).is_empty(),
        }
    }

    /// Number of codes (rows) in the list.
    pub fn len(&self) -> usize {
        self.reasons.len()
    }

    /// True when the list holds no code.
    pub fn is_empty(&self) -> bool {
        self.reasons.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for c in ["1", "45", "253", "A1", "B15", "P23"] {
            assert!(is_carc(c), "{c}");
        }
        for c in ["", "2533", "AB1", "A123", "a1"] {
            assert!(!is_carc(c), "{c}");
        }
        for c in ["M1", "M144", "MA01", "MA130", "N1", "N1234"] {
            assert!(is_rarc(c), "{c}");
        }
        for c in ["M", "MA1", "N12345", "X12", "45"] {
            assert!(!is_rarc(c), "{c}");
        }
    }
}

/// The CARC and RARC lists a report shows texts from (both optional).
#[derive(Clone, Debug, Default)]
pub struct ReasonTexts {
    carc: Option<std::sync::Arc<ReasonList>>,
    rarc: Option<std::sync::Arc<ReasonList>>,
}

impl ReasonTexts {
    /// Texts from these lists.
    pub fn new(
        carc: Option<std::sync::Arc<ReasonList>>,
        rarc: Option<std::sync::Arc<ReasonList>>,
    ) -> ReasonTexts {
        ReasonTexts { carc, rarc }
    }

    /// True when no list is loaded.
    pub fn is_empty(&self) -> bool {
        self.carc.is_none() && self.rarc.is_none()
    }

    /// A CARC as shown: `CO-50` (group and code, or the code alone) followed
    /// by its text in parentheses when the CARC list has it; as given
    /// otherwise.
    pub fn carc(&self, shown: &str) -> String {
        let code = shown.rsplit('-').next().unwrap_or(shown);
        match self.carc.as_ref().and_then(|l| l.description(code)) {
            Some(text) => format!("{shown} ({text})"),
            None => shown.to_string(),
        }
    }

    /// A RARC as shown: the code, with its text in parentheses when the RARC
    /// list has it.
    pub fn rarc(&self, code: &str) -> String {
        match self.rarc.as_ref().and_then(|l| l.description(code)) {
            Some(text) => format!("{code} ({text})"),
            None => code.to_string(),
        }
    }

    /// CARCs as shown, joined by `sep`.
    pub fn carcs<S: AsRef<str>>(&self, codes: &[S], sep: &str) -> String {
        codes.iter().map(|c| self.carc(c.as_ref())).collect::<Vec<_>>().join(sep)
    }

    /// RARCs as shown, joined by `sep`.
    pub fn rarcs<S: AsRef<str>>(&self, codes: &[S], sep: &str) -> String {
        codes.iter().map(|c| self.rarc(c.as_ref())).collect::<Vec<_>>().join(sep)
    }
}
