//! Reading one code-set file the user supplies: finding its header row (lines
//! before it, such as CMS's copyright notice, are skipped), telling its kind
//! from that header, mapping the columns a kind needs, and walking its data
//! rows with their 1-based line numbers. Tab-separated text and CSV (quoted
//! cells allowed) are both read; cells are trimmed.
//!
//! This module knows the header names of the CMS and X12 layouts
//! (`docs/scrub-rules.md`, "Code files you supply"); it does not interpret
//! the cells (see `ncci` and `reasons`).

use chrono::NaiveDate;

/// What a code-set file holds, recognised by its header row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// NCCI procedure-to-procedure edits, practitioner.
    Ptp,
    /// Medically unlikely edits, practitioner.
    Mue,
    /// Add-on code edits.
    Addon,
    /// Claim adjustment reason codes.
    Carc,
    /// Remittance advice remark codes.
    Rarc,
    /// CPT and HCPCS procedure codes in use (the user's licensed list).
    Cpt,
}

impl FileKind {
    /// The name used in messages.
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Ptp => "NCCI PTP",
            FileKind::Mue => "MUE",
            FileKind::Addon => "add-on code edits",
            FileKind::Carc => "CARC list",
            FileKind::Rarc => "RARC list",
            FileKind::Cpt => "CPT list",
        }
    }
}

/// How a header cell is matched (case-insensitive, trimmed).
#[derive(Clone, Copy)]
pub(crate) enum Match {
    /// The whole cell.
    Exact(&'static str),
    /// The start of the cell (CMS names that carry an explanation).
    Start(&'static str),
}

impl Match {
    fn name(self) -> &'static str {
        match self {
            Match::Exact(n) | Match::Start(n) => n,
        }
    }

    fn matches(self, cell: &str) -> bool {
        let cell = cell.trim().trim_matches('"').trim();
        match self {
            Match::Exact(n) => cell.eq_ignore_ascii_case(n),
            Match::Start(n) => {
                cell.len() >= n.len()
                    && cell.is_char_boundary(n.len())
                    && cell[..n.len()].eq_ignore_ascii_case(n)
            }
        }
    }
}

/// The columns each kind needs, in the order its reader expects them, and
/// whether each is required.
pub(crate) fn columns(kind: FileKind) -> &'static [(Match, bool)] {
    use Match::{Exact, Start};
    match kind {
        FileKind::Ptp => &[
            (Exact("Column 1"), true),
            (Exact("Column 2"), true),
            (Exact("Effective Date"), true),
            (Start("Deletion Date"), true),
            (Start("Modifier"), true),
            (Exact("PTP Edit Rationale"), false),
        ],
        FileKind::Mue => &[
            (Exact("HCPCS/CPT Code"), true),
            (Exact("Practitioner Services MUE Values"), true),
            (Exact("MUE Adjudication Indicator"), true),
            (Exact("MUE Rationale"), false),
        ],
        FileKind::Addon => &[
            (Exact("Add-on Code"), true),
            (Exact("Primary Code"), true),
            (Exact("Add-on Code Edit Type"), true),
            (Exact("Add-on Code Effective Date"), true),
            (Start("Add-on Code Deletion Date"), true),
        ],
        FileKind::Carc => &[
            (Exact("carc"), true),
            (Exact("description"), true),
            (Exact("start"), true),
            (Exact("stop"), true),
        ],
        FileKind::Rarc => &[
            (Exact("rarc"), true),
            (Exact("description"), true),
            (Exact("start"), true),
            (Exact("stop"), true),
        ],
        FileKind::Cpt => &[
            (Exact("cpt"), true),
            (Exact("description"), true),
            (Exact("start"), true),
            (Exact("stop"), true),
        ],
    }
}

/// The kind a header row announces, from the cell(s) only that kind has.
fn kind_of(cells: &[String]) -> Option<FileKind> {
    let has = |m: Match| cells.iter().any(|c| m.matches(c));
    let first = cells.first().map(|c| c.trim().trim_matches('"').trim()).unwrap_or("");
    if first.eq_ignore_ascii_case("carc") {
        Some(FileKind::Carc)
    } else if first.eq_ignore_ascii_case("rarc") {
        Some(FileKind::Rarc)
    } else if first.eq_ignore_ascii_case("cpt") {
        Some(FileKind::Cpt)
    } else if has(Match::Exact("Column 1")) || has(Match::Exact("Column 2")) {
        Some(FileKind::Ptp)
    } else if has(Match::Exact("HCPCS/CPT Code"))
        || has(Match::Start("Practitioner Services MUE"))
        || has(Match::Exact("MUE Adjudication Indicator"))
    {
        Some(FileKind::Mue)
    } else if has(Match::Exact("Add-on Code")) || has(Match::Exact("Primary Code")) {
        Some(FileKind::Addon)
    } else {
        None
    }
}

/// Lines searched for the header row (CMS's notice takes a few dozen).
const HEADER_SEARCH_LINES: usize = 500;

/// A problem in a file, at a 1-based line (0: the file as a whole).
#[derive(Debug)]
pub(crate) struct Problem {
    pub line: usize,
    pub message: String,
}

pub(crate) fn problem(line: usize, message: impl Into<String>) -> Problem {
    Problem { line, message: message.into() }
}

/// A file's header found: its kind, separator, the index of each column of
/// [`columns`] (None for an absent optional one), and where data starts.
pub(crate) struct Header {
    pub kind: FileKind,
    pub sep: u8,
    pub index: Vec<Option<usize>>,
    /// 1-based line of the header row.
    pub line: usize,
    /// Byte offset of the first data line.
    pub data_start: usize,
}

/// Finds the header row: the first line (of the first
/// [`HEADER_SEARCH_LINES`]) whose cells announce a kind.
pub(crate) fn header(text: &str) -> Result<Header, Problem> {
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').take(HEADER_SEARCH_LINES).enumerate() {
        let line_no = i + 1;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let sep = if line.contains('\t') { b'\t' } else { b',' };
        let cells = split_owned(line, sep);
        let Some(kind) = kind_of(&cells) else { continue };
        let mut index = Vec::new();
        let mut missing = Vec::new();
        for (m, required) in columns(kind) {
            let found = cells.iter().position(|c| m.matches(c));
            if found.is_none() && *required {
                missing.push(m.name());
            }
            index.push(found);
        }
        if !missing.is_empty() {
            return Err(problem(
                line_no,
                format!(
                    "header of a {} file without the column(s) {}",
                    kind.label(),
                    missing.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        return Ok(Header { kind, sep, index, line: line_no, data_start: offset });
    }
    Err(problem(
        0,
        "not a code-set file: no header row of an NCCI PTP, MUE, add-on code edit, CARC or RARC \
         file found (see docs/scrub-rules.md, \"Code files you supply\")",
    ))
}

fn split_owned(line: &str, sep: u8) -> Vec<String> {
    if sep == b'\t' {
        return line.split('\t').map(|c| c.trim().to_string()).collect();
    }
    let mut r =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(line.as_bytes());
    let mut rec = csv::StringRecord::new();
    match r.read_record(&mut rec) {
        Ok(true) => rec.iter().map(|c| c.trim().to_string()).collect(),
        _ => line.split(',').map(|c| c.trim().to_string()).collect(),
    }
}

/// Calls `f(line, cells)` for every non-blank data row after the header;
/// `cells[k]` is the trimmed cell of the header's k-th column ("" when the
/// column is absent or the row is short). Stops at the first problem.
pub(crate) fn rows(
    text: &str,
    h: &Header,
    mut f: impl FnMut(usize, &[&str]) -> Result<(), Problem>,
) -> Result<(), Problem> {
    let data = &text[h.data_start..];
    if h.sep == b'\t' {
        let mut cells: Vec<&str> = Vec::with_capacity(h.index.len());
        let mut all: Vec<&str> = Vec::with_capacity(16);
        for (i, raw) in data.split('\n').enumerate() {
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.trim().is_empty() {
                continue;
            }
            all.clear();
            all.extend(line.split('\t'));
            cells.clear();
            cells.extend(
                h.index.iter().map(|ix| ix.and_then(|k| all.get(k)).map_or("", |c| c.trim())),
            );
            f(h.line + 1 + i, &cells)?;
        }
        return Ok(());
    }
    let mut r =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(data.as_bytes());
    let mut rec = csv::StringRecord::new();
    loop {
        let line = h.line + r.position().line() as usize;
        match r.read_record(&mut rec) {
            Ok(false) => return Ok(()),
            Ok(true) => {}
            Err(e) => return Err(problem(line, format!("not readable as CSV: {e}"))),
        }
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let cells: Vec<&str> =
            h.index.iter().map(|ix| ix.and_then(|k| rec.get(k)).map_or("", |c| c.trim())).collect();
        f(line, &cells)?;
    }
}

/// A `YYYYMMDD` date.
pub(crate) fn date(cell: &str) -> Option<NaiveDate> {
    let b = cell.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| cell[r].parse::<u32>().ok();
    NaiveDate::from_ymd_opt(n(0..4)? as i32, n(4..6)?, n(6..8)?)
}

/// A deletion or stop date: `*` or empty is none (still in effect).
pub(crate) fn end_date(cell: &str) -> Result<Option<NaiveDate>, ()> {
    if cell.is_empty() || cell == "*" {
        return Ok(None);
    }
    date(cell).map(Some).ok_or(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_after_notice_and_kinds() {
        let t = "CPT only copyright 2025 American Medical Association\n\nColumn 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale\n04001\t04002\t\t20200101\t*\t1\tx\n";
        let h = header(t).unwrap();
        assert_eq!((h.kind, h.line, h.sep), (FileKind::Ptp, 3, b'\t'));
        assert_eq!(h.index, vec![Some(0), Some(1), Some(3), Some(4), Some(5), Some(6)]);
        let mut seen = Vec::new();
        rows(t, &h, |l, c| {
            seen.push((l, c.join("|")));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![(4, "04001|04002|20200101|*|1|x".to_string())]);
        let csv = "carc,description,start,stop\n1,\"Deductible, text\",19950101,\n";
        let h = header(csv).unwrap();
        assert_eq!(h.kind, FileKind::Carc);
        let mut seen = Vec::new();
        rows(csv, &h, |l, c| {
            seen.push((l, c[1].to_string()));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![(2, "Deductible, text".to_string())]);
    }

    #[test]
    fn addon_code_never_matches_edit_type() {
        let t = "Add-on Code Edit Type,Primary Code,Add-on Code Effective Date,Add-on Code Deletion Date\n";
        let e = header(t).err().unwrap();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("\"Add-on Code\""), "{}", e.message);
        assert!(header("claim_id,row\n1,2\n").is_err());
    }
}
