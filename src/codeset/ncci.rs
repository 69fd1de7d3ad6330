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
//! a claim breaks (see `scrub`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use super::shape;
use super::table::{self, problem, Header, Problem};

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

/// Edits being collected from files; [`Builder::finish`] sorts them and
/// resolves overlaps between files.
#[derive(Default)]
pub(crate) struct Builder {
    edits: Edits,
    rationale_ids: HashMap<String, u16>,
    /// Per file: its rank for overlaps (newest effective date, then name order).
    newest: Vec<i32>,
}

fn code_cell(cell: &str, column: &str) -> Result<u32, String> {
    pack(cell).ok_or_else(|| {
        format!(
            "{column} \"{cell}\" is not a CPT or HCPCS Level II code (5 digits, 4 digits + F, T or U, or a letter A-V + 4 digits)"
        )
    })
}

fn start_cell(cell: &str, column: &str) -> Result<i32, String> {
    table::date(cell)
        .map(day)
        .ok_or_else(|| format!("{column} \"{cell}\" is not a date (YYYYMMDD)"))
}

fn end_cell(cell: &str, column: &str) -> Result<i32, String> {
    match table::end_date(cell) {
        Ok(Some(d)) => Ok(day(d)),
        Ok(None) => Ok(OPEN),
        Err(()) => Err(format!("{column} \"{cell}\" is not a date (YYYYMMDD) or * (none)")),
    }
}

impl Builder {
    /// Rows of a kind collected so far.
    pub(crate) fn rows(&self, kind: table::FileKind) -> usize {
        match kind {
            table::FileKind::Ptp => self.edits.ptp.len(),
            table::FileKind::Mue => self.edits.mue.len(),
            table::FileKind::Addon => self.edits.addon.len(),
            _ => 0,
        }
    }

    /// Reads one PTP, MUE or add-on file (`file` is its load index).
    pub(crate) fn add(&mut self, file: usize, text: &str, h: &Header) -> Result<(), Problem> {
        let fid = u16::try_from(file).map_err(|_| problem(0, "too many code-set files"))?;
        while self.newest.len() <= file {
            self.newest.push(i32::MIN);
        }
        let mut newest = i32::MIN;
        let at = |line: usize| move |m: String| problem(line, m);
        match h.kind {
            table::FileKind::Ptp => {
                self.edits.loaded[0] = true;
                let edits = &mut self.edits;
                let ids = &mut self.rationale_ids;
                table::rows(text, h, |line, c| {
                    let column1 = code_cell(c[0], "Column 1").map_err(at(line))?;
                    let column2 = code_cell(c[1], "Column 2").map_err(at(line))?;
                    let effective = start_cell(c[2], "Effective Date").map_err(at(line))?;
                    let deleted = end_cell(c[3], "Deletion Date").map_err(at(line))?;
                    let modifier = match c[4] {
                        "0" => ModifierIndicator::NotAllowed,
                        "1" => ModifierIndicator::Allowed,
                        "9" => ModifierIndicator::NotApplicable,
                        other => {
                            return Err(problem(
                                line,
                                format!("Modifier \"{other}\" is not 0, 1 or 9"),
                            ))
                        }
                    };
                    let rationale = if c[5].is_empty() {
                        0
                    } else if let Some(id) = ids.get(c[5]) {
                        *id
                    } else {
                        if edits.rationales.is_empty() {
                            edits.rationales.push("".into());
                        }
                        let id = u16::try_from(edits.rationales.len()).unwrap_or(0);
                        edits.rationales.push(c[5].into());
                        ids.insert(c[5].to_string(), id);
                        id
                    };
                    newest = newest.max(effective);
                    edits.ptp.push(PtpEdit {
                        column1,
                        column2,
                        effective,
                        deleted,
                        modifier,
                        rationale,
                        file: fid,
                    });
                    Ok(())
                })?;
            }
            table::FileKind::Mue => {
                self.edits.loaded[1] = true;
                let edits = &mut self.edits;
                table::rows(text, h, |line, c| {
                    let code = code_cell(c[0], "HCPCS/CPT Code").map_err(at(line))?;
                    let value = c[1].parse::<u32>().map_err(|_| {
                        problem(
                            line,
                            format!(
                                "Practitioner Services MUE Values \"{}\" is not a whole number",
                                c[1]
                            ),
                        )
                    })?;
                    let indicator = match c[2].as_bytes().first() {
                        Some(b'1') => MueIndicator::Line,
                        Some(b'2') => MueIndicator::DatePolicy,
                        Some(b'3') => MueIndicator::DateClinical,
                        _ => {
                            return Err(problem(
                                line,
                                format!(
                                "MUE Adjudication Indicator \"{}\" does not start with 1, 2 or 3",
                                c[2]
                            ),
                            ))
                        }
                    };
                    edits.mue.push(Mue { code, value, indicator, file: fid });
                    Ok(())
                })?;
                // No dates in MUE files: later files (name order) win.
                newest = i32::try_from(file).unwrap_or(i32::MAX);
            }
            table::FileKind::Addon => {
                self.edits.loaded[2] = true;
                let edits = &mut self.edits;
                table::rows(text, h, |line, c| {
                    let addon = code_cell(c[0], "Add-on Code").map_err(at(line))?;
                    let kind = match c[2] {
                        "1" => AddonType::Listed,
                        "2" => AddonType::Any,
                        "3" => AddonType::ListedOrPayer,
                        other => {
                            return Err(problem(
                                line,
                                format!("Add-on Code Edit Type \"{other}\" is not 1, 2 or 3"),
                            ))
                        }
                    };
                    let primary = if c[1].eq_ignore_ascii_case("CCCCC") {
                        ANY_PRIMARY
                    } else {
                        code_cell(c[1], "Primary Code").map_err(at(line))?
                    };
                    let effective =
                        start_cell(c[3], "Add-on Code Effective Date").map_err(at(line))?;
                    let deleted = end_cell(c[4], "Add-on Code Deletion Date").map_err(at(line))?;
                    newest = newest.max(effective);
                    edits.addon.push(AddonEdit {
                        addon,
                        primary,
                        kind,
                        effective,
                        deleted,
                        file: fid,
                    });
                    Ok(())
                })?;
            }
            table::FileKind::Carc | table::FileKind::Rarc | table::FileKind::Cpt => {}
        }
        self.newest[file] = newest;
        Ok(())
    }

    /// Sorts the tables and, where files overlap on an edit, keeps only the
    /// rows of the newest file. `files` is the number of files loaded.
    pub(crate) fn finish(mut self, files: usize) -> Edits {
        let rank = |f: u16| (self.newest.get(usize::from(f)).copied().unwrap_or(i32::MIN), f);
        let mut kept = vec![(0usize, 0usize); files];
        fn resolve<T>(
            v: &mut Vec<T>,
            key: impl Fn(&T) -> (u32, u32),
            file: impl Fn(&T) -> u16,
            rank: impl Fn(u16) -> (i32, u16),
            kept: &mut [(usize, usize)],
        ) {
            // Stable by key, then the newest file first within a key.
            v.sort_by(|a, b| key(a).cmp(&key(b)).then(rank(file(b)).cmp(&rank(file(a)))));
            let mut out = 0;
            let mut i = 0;
            while i < v.len() {
                let k = key(&v[i]);
                let best = file(&v[i]);
                let mut j = i;
                while j < v.len() && key(&v[j]) == k {
                    let f = usize::from(file(&v[j]));
                    if file(&v[j]) == best {
                        v.swap(out, j);
                        out += 1;
                        if let Some(s) = kept.get_mut(f) {
                            s.0 += 1;
                        }
                    } else if let Some(s) = kept.get_mut(f) {
                        s.1 += 1;
                    }
                    j += 1;
                }
                i = j;
            }
            v.truncate(out);
        }
        resolve(&mut self.edits.ptp, |e| (e.column1, e.column2), |e| e.file, rank, &mut kept);
        resolve(&mut self.edits.mue, |e| (e.code, 0), |e| e.file, rank, &mut kept);
        resolve(&mut self.edits.addon, |e| (e.addon, e.primary), |e| e.file, rank, &mut kept);
        self.edits.ptp.shrink_to_fit();
        let mut first = Vec::new();
        for (i, e) in self.edits.ptp.iter().enumerate() {
            if first.last().map(|(c, _): &(u32, u32)| *c) != Some(e.column1) {
                first.push((e.column1, i as u32));
            }
        }
        first.push((u32::MAX, self.edits.ptp.len() as u32));
        self.edits.ptp_column1 = first;
        let e = &self.edits;
        let mut codes: Vec<u32> = e
            .ptp
            .iter()
            .flat_map(|p| [p.column1, p.column2])
            .chain(e.mue.iter().map(|m| m.code))
            .chain(e.addon.iter().flat_map(|a| [a.addon, a.primary]))
            .filter(|c| *c != ANY_PRIMARY)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        self.edits.codes = codes;
        self.edits.kept = kept;
        self.edits
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
