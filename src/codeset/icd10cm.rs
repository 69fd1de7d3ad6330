//! ICD-10-CM releases: which codes exist and which are billable, for the
//! dates of service a release covers.
//!
//! A release is built from a code list (one code per line, no dots; `#`
//! lines are comments): every category and subcategory of the tabular list.
//! A code is billable when it is a leaf, i.e. no longer code in the list
//! starts with it. This module does not check syntax (see `scrub`) and does
//! not guess for dates outside a release: the caller gets
//! [`IcdStatus::NotCovered`].

use std::sync::Arc;

use chrono::NaiveDate;

/// What a code is in the release covering a date of service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IcdStatus {
    /// A valid, billable (leaf) code.
    Billable,
    /// A valid category or subcategory that has more specific codes below it:
    /// not billable.
    Header,
    /// Not in the release.
    Unknown,
    /// No loaded release covers the date of service.
    NotCovered,
}

/// A code packed into a fixed key: ICD-10-CM codes are 3 to 7 characters.
type Key = [u8; 7];

fn key(code: &str) -> Option<Key> {
    let b = code.as_bytes();
    if b.len() < 3 || b.len() > 7 {
        return None;
    }
    let mut k = [0u8; 7];
    k[..b.len()].copy_from_slice(b);
    Some(k)
}

/// The lines of `text` as `str::lines` gives them but for a CR before each
/// line break (which [`trim`] removes): found with memchr, as the shipped
/// list's 98,000 short lines are split at every start.
#[inline]
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut start = 0;
    memchr::memchr_iter(b'\n', text.as_bytes()).map(Some).chain(std::iter::once(None)).filter_map(
        move |end| {
            let from = start;
            let to = end.unwrap_or(text.len());
            start = to + 1;
            // A line ends before a LF, an ASCII byte: always a char boundary.
            text.get(from..to).filter(|l| end.is_some() || !l.is_empty())
        },
    )
}

/// `line.trim()`, without decoding characters for a plain ASCII line (the
/// shipped list has 98,000 of them, read at every start).
#[inline]
fn trim(line: &str) -> &str {
    let t = line.trim_ascii();
    // VT (0x0B) is Unicode whitespace but not ASCII whitespace.
    if line.is_ascii() && !t.starts_with('\x0b') && !t.ends_with('\x0b') {
        t
    } else {
        line.trim()
    }
}

/// One ICD-10-CM release and the dates of service it covers.
#[derive(Debug, Clone)]
pub struct IcdRelease {
    /// Name for messages, e.g. `ICD-10-CM FY2026`.
    pub name: String,
    /// First date of service covered (inclusive).
    pub first_date: NaiveDate,
    /// Last date of service covered (inclusive).
    pub last_date: NaiveDate,
    /// (code, billable), sorted by code: binary search over ~100k fixed
    /// 7-byte keys is faster than hashing them and needs no allocation.
    /// Shared: a clone of the code sets (each `validate` run takes one of
    /// the shipped list) does not copy the list.
    codes: Arc<Vec<(Key, bool)>>,
}

/// The (code, billable) table of a code list that is sorted already with
/// every code plain (printable ASCII without spaces): one pass, no list of
/// lines (the shipped list's 98,000 lines are read at every start). `None`
/// for any other list, which [`IcdRelease::from_code_list`] reads the
/// general way; both give the same table.
fn sorted_plain_codes(text: &str) -> Option<Vec<(Key, bool)>> {
    let bytes = text.as_bytes();
    let mut codes: Vec<(Key, bool)> =
        Vec::with_capacity(bytes.iter().filter(|&&b| b == b'\n').count() + 1);
    // The previous code as a number (its bytes from the top, zeros after:
    // numbers compare as the codes do) and its length.
    let (mut prev, mut prev_len) = (0u64, 0usize);
    let mut rest = bytes;
    // Lines are a few bytes long: a byte loop costs less than a search per line.
    while !rest.is_empty() {
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        let t = rest[..end].trim_ascii();
        rest = rest.get(end + 1..).unwrap_or_default();
        if t.is_empty() || t[0] == b'#' {
            continue;
        }
        // Anything else (non-ASCII, spaces or control bytes inside, VT at
        // an end) is left to the general reader.
        let mut code = 0u64;
        for (i, &b) in t.iter().enumerate() {
            if !(0x21..0x7f).contains(&b) {
                return None;
            }
            if i < 8 {
                code |= u64::from(b) << (56 - 8 * i);
            }
        }
        if t.len() < 3 || t.len() > 7 || code == prev {
            continue;
        }
        if code < prev {
            return None;
        }
        if let Some(last) = codes.last_mut() {
            // Billable unless this code starts with it.
            last.1 = (code ^ prev) >> (64 - 8 * prev_len) != 0;
        }
        let mut k = [0u8; 7];
        k[..t.len()].copy_from_slice(t);
        codes.push((k, true));
        (prev, prev_len) = (code, t.len());
    }
    Some(codes)
}

impl IcdRelease {
    /// Builds a release from a code list (one code per line, no dots, `#`
    /// comments and blank lines ignored; lines that are not 3-7 characters are
    /// skipped). Billable codes are the leaves.
    pub(crate) fn from_code_list(
        name: &str,
        first: NaiveDate,
        last: NaiveDate,
        text: &str,
    ) -> IcdRelease {
        let codes = sorted_plain_codes(text).unwrap_or_else(|| Self::general_code_list(text));
        IcdRelease {
            name: name.to_string(),
            first_date: first,
            last_date: last,
            codes: Arc::new(codes),
        }
    }

    /// The (code, billable) table of any code list (see [`IcdRelease::from_code_list`]).
    fn general_code_list(text: &str) -> Vec<(Key, bool)> {
        let mut list: Vec<&str> = lines(text)
            .map(trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#') && key(l).is_some())
            .collect();
        // The shipped list is sorted already: checking costs less than sorting.
        if !list.windows(2).all(|w| w[0] <= w[1]) {
            list.sort_unstable();
        }
        list.dedup();
        let mut codes = Vec::with_capacity(list.len());
        for (i, c) in list.iter().enumerate() {
            let leaf = !list.get(i + 1).is_some_and(|next| next.starts_with(c));
            if let Some(k) = key(c) {
                codes.push((k, leaf));
            }
        }
        // Zero padding keeps byte order equal to string order, but sort
        // (when needed) so the invariant does not rest on that.
        if !codes.windows(2).all(|w| w[0].0 <= w[1].0) {
            codes.sort_unstable_by_key(|(k, _)| *k);
        }
        codes
    }

    /// Builds a release from the CMS order file (`icd10cm_order_YYYY.txt`:
    /// order number in columns 1-5, code in 7-13, header flag in 15 with 1 =
    /// billable and 0 = header, then descriptions, which are not kept).
    /// Lines that do not have that shape are skipped.
    fn from_order_file(name: &str, first: NaiveDate, last: NaiveDate, text: &str) -> IcdRelease {
        let mut codes: Vec<(Key, bool)> = text
            .lines()
            .filter_map(|l| {
                let b = l.as_bytes();
                if b.len() < 15 || !b[..5].iter().all(u8::is_ascii_digit) || b[5] != b' ' {
                    return None;
                }
                let code = l.get(6..13)?.trim();
                let billable = match b[14] {
                    b'1' => true,
                    b'0' => false,
                    _ => return None,
                };
                Some((key(code)?, billable))
            })
            .collect();
        codes.sort_unstable_by_key(|(k, _)| *k);
        codes.dedup_by_key(|(k, _)| *k);
        IcdRelease {
            name: name.to_string(),
            first_date: first,
            last_date: last,
            codes: Arc::new(codes),
        }
    }

    /// A release from either format: the CMS order file when its first
    /// non-comment line looks like one, else a code list.
    pub(crate) fn from_text(
        name: &str,
        first: NaiveDate,
        last: NaiveDate,
        text: &str,
    ) -> IcdRelease {
        let first_line =
            text.lines().map(str::trim_end).find(|l| !l.is_empty() && !l.starts_with('#'));
        let is_order = first_line.is_some_and(|l| {
            let b = l.as_bytes();
            b.len() >= 15 && b[..5].iter().all(u8::is_ascii_digit) && b[5] == b' '
        });
        if is_order {
            IcdRelease::from_order_file(name, first, last, text)
        } else {
            IcdRelease::from_code_list(name, first, last, text)
        }
    }

    /// True when `date` is within this release's dates of service.
    pub(crate) fn covers(&self, date: NaiveDate) -> bool {
        self.first_date <= date && date <= self.last_date
    }

    /// Number of codes (categories included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.codes.len()
    }

    /// Number of codes (categories included), for the run's summary.
    pub(crate) fn code_count(&self) -> usize {
        self.codes.len()
    }

    /// True when the release holds no codes.
    pub(crate) fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Number of billable (leaf) codes.
    #[cfg(test)]
    fn billable_count(&self) -> usize {
        self.codes.iter().filter(|(_, b)| *b).count()
    }

    /// What `code` (no dot, upper case) is in this release.
    pub(crate) fn lookup(&self, code: &str) -> IcdStatus {
        let found = key(code)
            .and_then(|k| self.codes.binary_search_by_key(&k, |(c, _)| *c).ok())
            .map(|i| self.codes[i].1);
        match found {
            Some(true) => IcdStatus::Billable,
            Some(false) => IcdStatus::Header,
            None => IcdStatus::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codeset::CodeSets;

    const FY: &str = include_str!("../../data/icd10cm/fy2026.txt");

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn leaves_are_billable() {
        let r = IcdRelease::from_code_list(
            "t",
            d(2025, 10, 1),
            d(2026, 9, 30),
            "# c\nE11\nE119\nE1165\nE116\nZ23\n",
        );
        assert_eq!(r.lookup("E119"), IcdStatus::Billable);
        assert_eq!(r.lookup("E11"), IcdStatus::Header);
        assert_eq!(r.lookup("E116"), IcdStatus::Header);
        assert_eq!(r.lookup("E1165"), IcdStatus::Billable);
        assert_eq!(r.lookup("Z23"), IcdStatus::Billable);
        assert_eq!(r.lookup("E999"), IcdStatus::Unknown);
    }

    #[test]
    fn lines_are_split_as_str_lines_does() {
        for text in ["", "\n", "a", "a\n", "a\nb", "a\r\nb\r\n", "\n\nA00\n \n", "é\nü"] {
            let ours: Vec<&str> = lines(text).map(trim).collect();
            let std: Vec<&str> = text.lines().map(str::trim).collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn lines_are_trimmed_as_str_trim_does() {
        for line in
            ["", " ", "E11", " E11\t", "\x0bE11", " \x0bE11 ", "E11\x0b", "\u{a0}E11", "\x0c E11\r"]
        {
            assert_eq!(trim(line), line.trim(), "{line:?}");
        }
        let r = IcdRelease::from_code_list(
            "t",
            d(2025, 10, 1),
            d(2026, 9, 30),
            "Z23\n \x0bE11\nE119 \n",
        );
        assert_eq!(r.lookup("E11"), IcdStatus::Header);
        assert_eq!(r.lookup("E119"), IcdStatus::Billable);
        assert_eq!(r.lookup("Z23"), IcdStatus::Billable);
    }

    #[test]
    fn the_one_pass_reader_agrees_with_the_general_one() {
        assert_eq!(sorted_plain_codes(FY), Some(IcdRelease::general_code_list(FY)));
        for text in [
            "",
            "A00\nA00\nA000\n",
            "# c\n\nE11\r\nE119\r\n  E1165\t\nZ23",
            "AB\nABCDEFGH\nABC\nABCD\nABCDEFG\n",
            "B00\nA00\n",
            "A00\nA0 0\n",
            "A00\n\u{a0}A001\n",
            "A00\n\x0bA001\n",
        ] {
            if let Some(fast) = sorted_plain_codes(text) {
                assert_eq!(fast, IcdRelease::general_code_list(text), "{text:?}");
            }
        }
        assert!(sorted_plain_codes("B00\nA00\n").is_none());
    }

    proptest::proptest! {
        #[test]
        fn any_code_list_reads_the_same_both_ways(lines in proptest::collection::vec(
            proptest::string::string_regex("[ #A-C0-2\\.\t\r\u{b}\u{a0}]{0,9}").unwrap(), 0..40),
            sorted in proptest::bool::ANY) {
            let mut lines = lines;
            if sorted {
                lines.sort();
            }
            let text = lines.join("\n");
            if let Some(fast) = sorted_plain_codes(&text) {
                proptest::prop_assert_eq!(fast, IcdRelease::general_code_list(&text));
            }
        }
    }

    #[test]
    fn reads_cms_order_file() {
        let text = "00001 A00     0 Cholera (header)\n00002 A000    1 Cholera due to one\n00003 A001    1 Cholera due to two\n";
        let r = IcdRelease::from_text("t", d(2026, 10, 1), d(2027, 9, 30), text);
        assert_eq!(r.len(), 3);
        assert_eq!(r.lookup("A00"), IcdStatus::Header);
        assert_eq!(r.lookup("A000"), IcdStatus::Billable);
        let r = IcdRelease::from_text("t", d(2026, 10, 1), d(2027, 9, 30), "A00\nA000\n");
        assert_eq!(r.lookup("A000"), IcdStatus::Billable);
        assert_eq!(r.lookup("A00"), IcdStatus::Header);
    }

    #[test]
    fn imports_a_release_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("icd10cm-FY2027.txt"), "# test\nE11\nE119\nZ999\n").unwrap();
        std::fs::write(dir.path().join("README"), "ignored").unwrap();
        let cs = CodeSets::with_dir(dir.path()).unwrap();
        assert_eq!(cs.icd10cm.len(), 2);
        assert_eq!(cs.icd10cm("Z999", d(2026, 10, 1)), IcdStatus::Billable);
        assert_eq!(cs.icd10cm("Z999", d(2027, 9, 30)), IcdStatus::Billable);
        assert_eq!(cs.icd10cm("Z999", d(2026, 9, 30)), IcdStatus::Unknown);
        assert_eq!(cs.icd10cm("E119", d(2027, 10, 1)), IcdStatus::NotCovered);
        std::fs::write(dir.path().join("icd10cm-next.txt"), "E119\n").unwrap();
        let e = CodeSets::with_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("icd10cm-next.txt") && e.contains("FY"), "{e}");
        std::fs::remove_file(dir.path().join("icd10cm-next.txt")).unwrap();
        std::fs::write(dir.path().join("icd10cm-FY2028.txt"), "no codes here\n").unwrap();
        let e = CodeSets::with_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("no ICD-10-CM codes"), "{e}");
        assert!(CodeSets::with_dir(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn shipped_fy2026_release() {
        let cs = CodeSets::shipped();
        let r = &cs.icd10cm[0];
        assert_eq!(r.len(), 98_186);
        assert_eq!(r.billable_count(), 74_719);
        let dos = d(2026, 3, 15);
        assert_eq!(cs.icd10cm("E119", dos), IcdStatus::Billable);
        assert_eq!(cs.icd10cm("E11", dos), IcdStatus::Header);
        assert_eq!(cs.icd10cm("QA00101", dos), IcdStatus::Billable);
        assert_eq!(cs.icd10cm("QA001", dos), IcdStatus::Header);
        assert_eq!(cs.icd10cm("J0690", dos), IcdStatus::Unknown);
        assert_eq!(cs.icd10cm("E119", d(2026, 10, 1)), IcdStatus::NotCovered);
        assert_eq!(cs.icd10cm("E119", d(2025, 9, 30)), IcdStatus::NotCovered);
        assert_eq!(cs.icd10cm("E119", d(2025, 10, 1)), IcdStatus::Billable);
        assert_eq!(cs.icd10cm("E119", d(2026, 9, 30)), IcdStatus::Billable);
    }
}
