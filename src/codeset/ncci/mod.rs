//! NCCI practitioner edits the user supplies: procedure-to-procedure (PTP)
//! pairs, medically unlikely edits (MUE) and add-on code edits, as compact
//! sorted tables (codes packed into `u32`, dates as day numbers) built once
//! per run and searched by binary search.
//!
//! Several files of one kind are merged (e.g. CMS's four PTP parts). When
//! two files hold the same edit (overlapping quarters), the rows of the file
//! with the newest effective date win for that edit; MUE files carry no
//! dates, so there the file whose name sorts last wins. This module answers
//! "which edits apply to these codes on this date"; it does not decide what
//! a claim breaks (see `scrub`). Loading the files is `builder`.

use chrono::{Datelike, NaiveDate};

use super::shape;

mod builder;

pub(crate) use builder::Builder;

/// A CPT or HCPCS Level II code (5 characters of 0-9 and A-Z) packed into
/// a `u32` whose order is the codes' text order.
pub(crate) fn pack(code: &str) -> Option<u32> {
    shape::procedure_kind(code)?;
    Some(pack_any(code))
}

fn pack_any(code: &str) -> u32 {
    code.bytes().fold(0u32, |k, b| {
        let d = match b {
            b'0'..=b'9' => b - b'0',
            _ => b - b'A' + 10,
        };
        k * 36 + u32::from(d)
    })
}

/// The text of a packed code.
pub(crate) fn unpack(mut k: u32) -> String {
    let mut b = [0u8; 5];
    for slot in b.iter_mut().rev() {
        let d = (k % 36) as u8;
        *slot = if d < 10 { b'0' + d } else { b'A' + d - 10 };
        k /= 36;
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// Day number of a date (days from the common era).
pub(crate) fn day(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

/// No deletion date: still in effect.
const OPEN: i32 = i32::MAX;

/// `CCCCC` in an add-on file's primary column: any primary code (type 2).
pub(crate) const ANY_PRIMARY: u32 = u32::MAX;

/// The PTP modifier indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModifierIndicator {
    /// 0: no modifier bypasses the edit.
    NotAllowed,
    /// 1: a PTP-associated modifier on either line bypasses it.
    Allowed,
    /// 9: not applicable; the edit is void.
    NotApplicable,
}

/// One PTP edit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PtpEdit {
    pub column1: u32,
    pub column2: u32,
    pub effective: i32,
    pub deleted: i32,
    pub modifier: ModifierIndicator,
    /// Index into the rationale texts (0 = none).
    pub rationale: u16,
    file: u16,
}

/// The MUE adjudication indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MueIndicator {
    /// 1: each line's units.
    Line,
    /// 2: all lines of the date of service, absolute (policy).
    DatePolicy,
    /// 3: all lines of the date of service, clinical (may be paid on appeal).
    DateClinical,
}

/// One MUE.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mue {
    pub code: u32,
    pub value: u32,
    pub indicator: MueIndicator,
    file: u16,
}

/// The add-on code edit type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddonType {
    /// 1: only the listed primary codes.
    Listed,
    /// 2: primaries not listed: any other code of the day passes.
    Any,
    /// 3: listed primaries; others may be allowed by the payer (warning).
    ListedOrPayer,
}

/// One add-on code edit row (one primary).
#[derive(Clone, Copy, Debug)]
pub(crate) struct AddonEdit {
    pub addon: u32,
    pub primary: u32,
    pub kind: AddonType,
    pub effective: i32,
    pub deleted: i32,
    file: u16,
}

impl PtpEdit {
    pub(crate) fn in_effect(&self, d: i32) -> bool {
        self.effective <= d && d < self.deleted
    }
}

impl AddonEdit {
    pub(crate) fn in_effect(&self, d: i32) -> bool {
        self.effective <= d && d < self.deleted
    }
}

/// The NCCI tables of a run (empty when no file was supplied).
#[derive(Debug, Default)]
pub struct Edits {
    /// Sorted by (column 1, column 2).
    ptp: Vec<PtpEdit>,
    /// Each distinct column-1 code and where its edits start in `ptp`, with
    /// a last entry (u32::MAX, len): a small first level that stays in cache,
    /// so a pair costs two short searches instead of one over the whole table.
    ptp_column1: Vec<(u32, u32)>,
    /// Sorted by code.
    mue: Vec<Mue>,
    /// Sorted by (add-on, primary).
    addon: Vec<AddonEdit>,
    rationales: Vec<Box<str>>,
    /// Every code an edit names (either PTP column, MUE, add-on, primary), sorted.
    codes: Vec<u32>,
    /// Whether a PTP, MUE or add-on file was loaded (an empty file counts).
    pub(crate) loaded: [bool; 3],
    /// Per file (by load index): edits kept, edits replaced by a newer file.
    pub(crate) kept: Vec<(usize, usize)>,
}

impl Edits {
    /// True when no NCCI file (PTP, MUE or add-on) was loaded.
    pub fn is_empty(&self) -> bool {
        !self.loaded.iter().any(|l| *l)
    }

    /// Number of PTP edits, MUEs and add-on edit rows.
    pub fn counts(&self) -> (usize, usize, usize) {
        (self.ptp.len(), self.mue.len(), self.addon.len())
    }

    /// The PTP edits with this column-one and column-two code (any date).
    pub(crate) fn ptp(&self, column1: u32, column2: u32) -> &[PtpEdit] {
        let Ok(k) = self.ptp_column1.binary_search_by_key(&column1, |e| e.0) else {
            return &[];
        };
        let (start, end) = (self.ptp_column1[k].1 as usize, self.ptp_column1[k + 1].1 as usize);
        let edits = &self.ptp[start..end];
        let lo = edits.partition_point(|e| e.column2 < column2);
        let hi = lo + edits[lo..].partition_point(|e| e.column2 == column2);
        &edits[lo..hi]
    }

    /// True when some loaded edit names this code.
    pub(crate) fn names(&self, code: u32) -> bool {
        self.codes.binary_search(&code).is_ok()
    }

    /// The rationale text of an edit ("" when none).
    pub(crate) fn rationale(&self, e: &PtpEdit) -> &str {
        self.rationales.get(usize::from(e.rationale)).map_or("", |r| r)
    }

    /// The MUE of a code.
    pub(crate) fn mue(&self, code: u32) -> Option<&Mue> {
        self.mue.binary_search_by_key(&code, |m| m.code).ok().map(|i| &self.mue[i])
    }

    /// The add-on edit rows of an add-on code (any date).
    pub(crate) fn addon(&self, code: u32) -> &[AddonEdit] {
        let lo = self.addon.partition_point(|e| e.addon < code);
        let hi = lo + self.addon[lo..].partition_point(|e| e.addon == code);
        &self.addon[lo..hi]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_keeps_text_order() {
        let codes = ["00100", "04001", "0001F", "0042T", "99213", "A0021", "J0690", "V5299"];
        for w in codes.windows(2) {
            let (a, b) = (pack(w[0]).unwrap(), pack(w[1]).unwrap());
            assert_eq!(a.cmp(&b), w[0].cmp(w[1]), "{w:?}");
        }
        for c in codes {
            assert_eq!(unpack(pack(c).unwrap()), c);
        }
        assert!(pack("W1234").is_none() && pack("0400").is_none() && pack("04001 ").is_none());
    }
}
