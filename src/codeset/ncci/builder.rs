//! Loading NCCI edit files into [`Edits`]: each row's cells checked
//! (codes, dates, indicators), rows collected per file, and
//! [`Builder::finish`] sorting them and resolving overlaps between files
//! (the newest effective date, or for MUE the name sorting last, wins).

use std::collections::HashMap;

use super::{
    day, pack, AddonEdit, AddonType, Edits, ModifierIndicator, Mue, MueIndicator, PtpEdit,
    ANY_PRIMARY, OPEN,
};
use crate::codeset::table::{self, problem, Header, Problem};

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
