//! Reading encounter exports: the canonical CSV layout
//! (`shared/specs/encounter-csv.md`) or any other export through a
//! [`Layout`], grouped into [`Claim`]s by claim_id.
//!
//! What it does: accepts a UTF-8 BOM, matches headers case-insensitively after
//! trimming, in any order; lists unknown columns once as a warning; treats
//! empty cells as "not given"; groups rows of one claim wherever they are in
//! the file (claims keep first-seen order); reports claim-level values that
//! disagree between rows of a claim, naming both rows; turns every value that
//! cannot be read into a finding with file, row, column and claim_id (the
//! claim is then held back by `scrub`). It keeps the raw bytes of every row
//! so held-back claims can be written back out verbatim
//! ([`Encounters::write_rows`]).
//!
//! What it does not do: business rules (NPI check digits, code validity,
//! payer rules: `scrub`), or anything with the config. A file that cannot be
//! read, is not CSV, or lacks a required column is an [`Error`]; nothing else is.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::io::{self, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::{
    BillingProvider, Claim, Frequency, Payer, Person, ProviderRef, Relationship, ServiceLine, Sex,
    Source,
};
use crate::codeset::ndc;
use crate::finding::{Finding, Severity};
use crate::input::Input;

pub mod columns;
pub mod layout;

pub use columns::Col;
pub use layout::Layout;

use columns::{CLAIM_LEVEL, DX, MODIFIERS};

/// An encounter file that cannot be read at all (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {cause}")]
    Io {
        /// The input path.
        path: String,
        /// The I/O error.
        cause: io::Error,
    },
    /// The file is not CSV text (empty, binary, no header row).
    #[error("{path}: not a CSV encounter export: {message}")]
    NotCsv {
        /// The input path.
        path: String,
        /// Why.
        message: String,
    },
    /// Required columns are missing from the header.
    #[error("{path}: missing required column(s): {columns}")]
    MissingColumns {
        /// The input path.
        path: String,
        /// Comma-separated canonical names.
        columns: String,
    },
    /// A column appears twice in the header (which one to read?).
    #[error("{path}: column {column:?} appears more than once in the header")]
    DuplicateColumn {
        /// The input path.
        path: String,
        /// The header text.
        column: String,
    },
    /// The layout maps a column to a header the file does not have.
    #[error("{path}: layout {layout:?} maps {column} to header {header:?}, which the file does not have")]
    LayoutHeaderMissing {
        /// The input path.
        path: String,
        /// The layout's name.
        layout: String,
        /// The canonical column.
        column: String,
        /// The header the layout expects.
        header: String,
    },
}

/// Rule ids the reader itself emits (documented with the scrub rules).
pub mod rule {
    /// A claim-level value differs between rows of one claim.
    pub const ROW_DISAGREES: &str = "E-ROW-001";
    /// A row has no claim_id.
    pub const NO_CLAIM_ID: &str = "E-CID-002";
    /// A row has a different number of fields than the header.
    pub const FIELD_COUNT: &str = "E-CSV-002";
    /// A cell is not UTF-8 text.
    pub const NOT_UTF8: &str = "E-CSV-003";
    /// Columns in the file that are not read.
    pub const UNKNOWN_COLUMNS: &str = "W-CSV-001";
    /// A date cell is not a date in the expected format.
    pub const BAD_DATE: &str = "E-DATE-001";
    /// A number cell is not a plain decimal number.
    pub const BAD_NUMBER: &str = "E-NUM-001";
    /// A required line value (service_date, units, charge) is empty.
    pub const LINE_VALUE_MISSING: &str = "E-REQ-001";
    /// Sex is not M, F or U.
    pub const BAD_SEX: &str = "E-SEX-001";
    /// Relationship is not self, spouse, child or other.
    pub const BAD_RELATIONSHIP: &str = "E-REL-001";
    /// Patient columns given although the patient is the subscriber.
    pub const PATIENT_IGNORED: &str = "W-PAT-001";
    /// Frequency is not 1, 7 or 8.
    pub const BAD_FREQUENCY: &str = "E-FREQ-002";
    /// A diagnosis column is empty while a later one is filled.
    pub const DX_GAP: &str = "E-ICD-005";
    /// Diagnosis pointers that are not numbers.
    pub const BAD_POINTER: &str = "E-PTR-003";
}

/// Everything read from one encounter file.
#[derive(Debug)]
pub struct Encounters {
    /// The input file as named by the caller.
    pub file: String,
    /// The claims, in first-seen order. A claim with reader findings is as
    /// complete as its rows allowed (lines that could not be read are left
    /// out) and must be held back: see [`Encounters::findings`].
    pub claims: Vec<Claim>,
    /// Reader findings: file-level warnings first (claim_id empty), then per
    /// claim in claim order, by row. Rows without a claim_id have findings
    /// with an empty claim_id and are listed in [`Encounters::unclaimed_rows`].
    pub findings: Vec<Finding>,
    /// Rows (1-based, header = row 1) that belong to no claim (no claim_id).
    pub unclaimed_rows: Vec<u64>,
    /// The header as in the file (trimmed).
    pub header: Vec<String>,
    /// Data rows skipped because every cell was empty (not findings).
    pub blank_rows: u64,
    labels: Vec<String>,
    data: Input,
    /// Byte offset where the header starts (after a BOM) and where each
    /// data row starts; a row ends where the next starts.
    header_start: usize,
    row_starts: Vec<usize>,
}

/// Where each canonical column comes from.
struct Mapping {
    source: Vec<Option<usize>>,
    defaults: Vec<Option<String>>,
    values: Vec<Option<HashMap<String, String>>>,
    labels: Vec<String>,
    date_format: String,
    money_us: bool,
}

/// FxHash (the rustc hasher) for the claim_id index: several times faster
/// than SipHash on short keys. The input is the practice's own export, so
/// hash flooding is not a concern.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// A claim-level value store: non-empty values of one claim, first seen.
struct ClaimVals {
    buf: String,
    /// Per claim-level column: index into `spans`, or `u8::MAX` when not given.
    idx: [u8; CLAIM_LEVEL],
    /// (start, end, row) into `buf`.
    spans: Vec<(u32, u32, u64)>,
}

impl ClaimVals {
    fn new() -> ClaimVals {
        ClaimVals { buf: String::new(), idx: [u8::MAX; CLAIM_LEVEL], spans: Vec::new() }
    }

    fn get(&self, col: Col) -> Option<(&str, u64)> {
        let i = *self.idx.get(col as usize)?;
        let (s, e, row) = *self.spans.get(usize::from(i))?;
        Some((&self.buf[s as usize..e as usize], row))
    }

    fn set(&mut self, col: Col, v: &str, row: u64) {
        let s = self.buf.len() as u32;
        self.buf.push_str(v);
        self.idx[col as usize] = self.spans.len() as u8;
        self.spans.push((s, self.buf.len() as u32, row));
    }
}

struct Group {
    claim_id: String,
    rows: Vec<u64>,
    vals: ClaimVals,
    lines: Vec<ServiceLine>,
    findings: Vec<Finding>,
}

/// Context for turning cells into findings.
struct Ctx<'a> {
    file: &'a str,
    map: &'a Mapping,
}

impl Ctx<'_> {
    fn finding(
        &self,
        claim_id: &str,
        row: u64,
        col: Col,
        rule: &'static str,
        severity: Severity,
        message: String,
    ) -> Finding {
        Finding {
            claim_id: claim_id.to_string(),
            file: self.file.to_string(),
            row,
            column: self.map.labels[col as usize].clone(),
            rule,
            severity,
            message,
        }
    }

    /// The value of `col` in `rec`: decoded, trimmed, defaulted, mapped.
    /// `Err` when the cell is not UTF-8.
    fn cell<'r>(&'r self, rec: &'r csv::ByteRecord, col: Col) -> Result<Option<Cow<'r, str>>, ()> {
        let c = col as usize;
        let mut v: Option<Cow<'r, str>> = None;
        if let Some(i) = self.map.source[c] {
            if let Some(raw) = rec.get(i) {
                let s = std::str::from_utf8(raw).map_err(|_| ())?.trim();
                if !s.is_empty() {
                    v = Some(Cow::Borrowed(s));
                }
            }
        }
        if v.is_none() {
            v = self.map.defaults[c].as_deref().filter(|d| !d.is_empty()).map(Cow::Borrowed);
        }
        if let (Some(val), Some(table)) = (&v, &self.map.values[c]) {
            if let Some(to) = table.get(&val.to_uppercase()) {
                v = Some(Cow::Borrowed(to.as_str()));
            }
        }
        Ok(v)
    }
}

/// Reads an encounter export (canonical layout, or `layout`) into claims.
///
/// Fatal errors (nothing usable): unreadable file, not CSV, missing
/// required columns, a layout that does not fit the file. Everything else is
/// a finding in [`Encounters::findings`].
pub fn read(path: &Path, layout: Option<&Layout>) -> Result<Encounters, Error> {
    let file = path.display().to_string();
    let data = crate::input::open(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    read_input(file, data, layout)
}

/// Reads an export already in memory; `file` names it in findings.
pub fn read_bytes(
    file: &str,
    bytes: Vec<u8>,
    layout: Option<&Layout>,
) -> Result<Encounters, Error> {
    read_input(file.to_string(), Input::Owned(bytes), layout)
}

fn not_csv(file: &str, message: &str) -> Error {
    Error::NotCsv { path: file.to_string(), message: message.to_string() }
}

fn read_input(file: String, data: Input, layout: Option<&Layout>) -> Result<Encounters, Error> {
    let base = if data.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    let body = &data[base..];
    if body.contains(&0) {
        return Err(not_csv(&file, "the file contains NUL bytes (binary data)"));
    }
    let delimiter = layout.map_or(b',', |l| l.delimiter);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let mut rec = csv::ByteRecord::new();
    let io_err = |e: csv::Error, file: &str| match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io { path: file.to_string(), cause: source },
        other => Error::NotCsv { path: file.to_string(), message: format!("{other:?}") },
    };
    if !rdr.read_byte_record(&mut rec).map_err(|e| io_err(e, &file))? {
        return Err(not_csv(&file, "the file is empty (a header row is required)"));
    }
    let header: Vec<String> = rec
        .iter()
        .map(|h| std::str::from_utf8(h).map(|s| s.trim().to_string()))
        .collect::<Result<_, _>>()
        .map_err(|_| not_csv(&file, "the header row is not UTF-8 text"))?;
    let (map, unknown) = build_mapping(&file, &header, layout)?;
    let ctx = Ctx { file: &file, map: &map };

    let mut findings = Vec::new();
    if !unknown.is_empty() {
        findings.push(Finding {
            claim_id: String::new(),
            file: file.clone(),
            row: 1,
            column: String::new(),
            rule: rule::UNKNOWN_COLUMNS,
            severity: Severity::Warning,
            message: format!("columns not read (ignored): {}", unknown.join(", ")),
        });
    }

    let mut groups: Vec<Group> = Vec::new();
    let mut by_id: HashMap<String, usize, FxBuild> = HashMap::default();
    let mut unclaimed_rows = Vec::new();
    let mut row_starts = Vec::new();
    let mut blank_rows = 0u64;
    let mut row: u64 = 1;
    while rdr.read_byte_record(&mut rec).map_err(|e| io_err(e, &file))? {
        row += 1;
        // The csv crate ends a record at `\r` and may report the start of
        // the next one at the `\n` that follows: skip line-break bytes so a
        // row's span starts at its first field.
        let mut start = rec.position().map(|p| p.byte() as usize).unwrap_or(0);
        while matches!(body.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        row_starts.push(base + start);
        // A row of empty cells (",,,,", common at the end of spreadsheet
        // exports) carries nothing: skip it rather than report it.
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            blank_rows += 1;
            continue;
        }
        let claim_id = match ctx.cell(&rec, Col::ClaimId) {
            Ok(Some(id)) => id,
            other => {
                let why = if other.is_err() {
                    "claim_id is not UTF-8 text"
                } else {
                    "row has no claim_id"
                };
                unclaimed_rows.push(row);
                findings.push(ctx.finding(
                    "",
                    row,
                    Col::ClaimId,
                    rule::NO_CLAIM_ID,
                    Severity::Error,
                    format!("{why}: it belongs to no claim and was not read further"),
                ));
                continue;
            }
        };
        let gi = match by_id.get(claim_id.as_ref()) {
            Some(&gi) => gi,
            None => {
                let id = claim_id.to_string();
                by_id.insert(id.clone(), groups.len());
                groups.push(Group {
                    claim_id: id,
                    rows: Vec::new(),
                    vals: ClaimVals::new(),
                    lines: Vec::new(),
                    findings: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[gi];
        g.rows.push(row);
        if rec.len() != header.len() {
            g.findings.push(Finding {
                claim_id: g.claim_id.clone(),
                file: file.clone(),
                row,
                column: String::new(),
                rule: rule::FIELD_COUNT,
                severity: Severity::Error,
                message: format!(
                    "row has {} fields but the header has {}; check quoting and commas",
                    rec.len(),
                    header.len()
                ),
            });
        }
        read_claim_level(&ctx, &rec, row, g);
        if let Some(line) = read_line(&ctx, &rec, row, &g.claim_id, &mut g.findings) {
            g.lines.push(line);
        }
    }

    // Sequential on purpose: the claims are built in the same allocator
    // arena the grouped rows are freed from, which keeps peak memory about
    // 200 MB lower per million lines than building them on rayon workers;
    // unzip writes each claim (about 1 KB) once into its final place.
    let (claims, per_claim): (Vec<Claim>, Vec<Vec<Finding>>) =
        groups.into_iter().map(|g| finish_claim(&ctx, g)).unzip();
    for mut f in per_claim {
        f.sort_by_key(|f| f.row);
        findings.append(&mut f);
    }
    let labels = map.labels;
    Ok(Encounters {
        file,
        claims,
        findings,
        unclaimed_rows,
        header,
        labels,
        data,
        header_start: base,
        row_starts,
        blank_rows,
    })
}

fn build_mapping(
    file: &str,
    header: &[String],
    layout: Option<&Layout>,
) -> Result<(Mapping, Vec<String>), Error> {
    let n = columns::COLUMNS.len();
    let mut map = Mapping {
        source: vec![None; n],
        defaults: vec![None; n],
        values: vec![None; n],
        labels: columns::ALL.iter().map(|c| c.name().to_string()).collect(),
        date_format: "%Y-%m-%d".into(),
        money_us: false,
    };
    let mut used = vec![false; header.len()];
    let find = |name: &str| -> Result<Option<usize>, Error> {
        let mut hits =
            header.iter().enumerate().filter(|(_, h)| h.eq_ignore_ascii_case(name.trim()));
        let first = hits.next().map(|(i, _)| i);
        if hits.next().is_some() {
            return Err(Error::DuplicateColumn { path: file.into(), column: name.to_string() });
        }
        Ok(first)
    };
    match layout {
        None => {
            let mut seen = HashSet::new();
            for h in header {
                if Col::from_name(h).is_some() && !seen.insert(h.to_ascii_lowercase()) {
                    return Err(Error::DuplicateColumn { path: file.into(), column: h.clone() });
                }
            }
            for (i, h) in header.iter().enumerate() {
                if let Some(c) = Col::from_name(h) {
                    map.source[c as usize] = Some(i);
                    map.labels[c as usize] = h.clone();
                    used[i] = true;
                }
            }
            let missing: Vec<&str> = columns::ALL
                .iter()
                .filter(|c| c.spec().required && map.source[**c as usize].is_none())
                .map(|c| c.name())
                .collect();
            if !missing.is_empty() {
                if header.len() <= 1 {
                    return Err(not_csv(
                        file,
                        "the header has no comma-separated columns (is this a CSV export?)",
                    ));
                }
                return Err(Error::MissingColumns {
                    path: file.into(),
                    columns: missing.join(", "),
                });
            }
        }
        Some(l) => {
            map.date_format = l.date_format.clone();
            map.money_us = l.money_us;
            for (c, h) in &l.columns {
                match find(h)? {
                    Some(i) => {
                        map.source[*c as usize] = Some(i);
                        map.labels[*c as usize] = header[i].clone();
                        used[i] = true;
                    }
                    None => {
                        if header.len() <= 1 {
                            return Err(not_csv(
                                file,
                                "the header has no comma-separated columns (is this a CSV export?)",
                            ));
                        }
                        return Err(Error::LayoutHeaderMissing {
                            path: file.into(),
                            layout: l.name.clone(),
                            column: c.name().into(),
                            header: h.clone(),
                        });
                    }
                }
            }
            for (c, v) in &l.defaults {
                map.defaults[*c as usize] = Some(v.clone());
                if map.source[*c as usize].is_none() {
                    map.labels[*c as usize] = format!("{} (layout default)", c.name());
                }
            }
            for (c, table) in &l.values {
                map.values[*c as usize] =
                    Some(table.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
            }
        }
    }
    let unknown = header
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(h, _)| if h.is_empty() { "(blank header)".to_string() } else { h.clone() })
        .collect();
    Ok((map, unknown))
}

fn read_claim_level(ctx: &Ctx<'_>, rec: &csv::ByteRecord, row: u64, g: &mut Group) {
    for &col in &columns::ALL[1..CLAIM_LEVEL] {
        let c = col as usize;
        if ctx.map.source[c].is_none() && ctx.map.defaults[c].is_none() {
            continue;
        }
        let v = match ctx.cell(rec, col) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(()) => {
                g.findings.push(not_utf8(ctx, &g.claim_id, row, col));
                continue;
            }
        };
        match g.vals.get(col) {
            None => g.vals.set(col, &v, row),
            Some((first, first_row)) if first != v => {
                let what = if col.spec().phi {
                    format!("differs from row {first_row}")
                } else {
                    format!("is {:?} here but {first:?} on row {first_row}", v.as_ref())
                };
                let msg = format!(
                    "{} {what}; every row of a claim must carry the same claim-level values",
                    col.name()
                );
                let f =
                    ctx.finding(&g.claim_id, row, col, rule::ROW_DISAGREES, Severity::Error, msg);
                g.findings.push(f);
            }
            Some(_) => {}
        }
    }
}

fn not_utf8(ctx: &Ctx<'_>, claim_id: &str, row: u64, col: Col) -> Finding {
    ctx.finding(
        claim_id,
        row,
        col,
        rule::NOT_UTF8,
        Severity::Error,
        format!("{} is not UTF-8 text; re-export the file as UTF-8", col.name()),
    )
}

/// A plain decimal: optional minus, digits, at most one dot. (rust_decimal's
/// parser also accepts `_` and other forms an export should not contain.)
pub fn parse_decimal(s: &str) -> Option<Decimal> {
    let t = s.strip_prefix('-').unwrap_or(s);
    let dots = t.bytes().filter(|&b| b == b'.').count();
    if t.is_empty() || dots > 1 || t == "." || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// Money: a plain decimal, or with `us` also `$1,234.50` (a leading `$`,
/// `,` between groups of three digits).
pub fn parse_money(s: &str, us: bool) -> Option<Decimal> {
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

fn parse_date(s: &str, fmt: &str) -> Option<NaiveDate> {
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

fn date_msg(col: Col, fmt: &str) -> String {
    format!("{} is not a valid date in the format {fmt}", col.name())
}

/// Reads the line-level values of a row; `None` when the line cannot be
/// built (a finding says why).
fn read_line(
    ctx: &Ctx<'_>,
    rec: &csv::ByteRecord,
    row: u64,
    claim_id: &str,
    findings: &mut Vec<Finding>,
) -> Option<ServiceLine> {
    let fmt = ctx.map.date_format.as_str();
    let mut ok = true;
    let get = |col: Col, findings: &mut Vec<Finding>| match ctx.cell(rec, col) {
        Ok(v) => v,
        Err(()) => {
            findings.push(not_utf8(ctx, claim_id, row, col));
            None
        }
    };
    let required = |col: Col, v: &Option<Cow<'_, str>>, findings: &mut Vec<Finding>| {
        if v.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                col,
                rule::LINE_VALUE_MISSING,
                Severity::Error,
                format!("{} is required on every service line", col.name()),
            ));
        }
    };
    let sd = get(Col::ServiceDate, findings);
    required(Col::ServiceDate, &sd, findings);
    let service_date = sd.as_deref().and_then(|s| {
        let d = parse_date(s, fmt);
        if d.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                Col::ServiceDate,
                rule::BAD_DATE,
                Severity::Error,
                date_msg(Col::ServiceDate, fmt),
            ));
        }
        d
    });
    ok &= service_date.is_some();
    let service_date_end = match get(Col::ServiceDateEnd, findings) {
        None => None,
        Some(s) => match parse_date(&s, fmt) {
            Some(d) => Some(d),
            None => {
                findings.push(ctx.finding(
                    claim_id,
                    row,
                    Col::ServiceDateEnd,
                    rule::BAD_DATE,
                    Severity::Error,
                    date_msg(Col::ServiceDateEnd, fmt),
                ));
                None
            }
        },
    };
    let number = |col: Col, findings: &mut Vec<Finding>| -> Option<Decimal> {
        let v = get(col, findings);
        required(col, &v, findings);
        let s = v?;
        let d =
            if col == Col::Charge { parse_money(&s, ctx.map.money_us) } else { parse_decimal(&s) };
        if d.is_none() {
            findings.push(ctx.finding(
                claim_id,
                row,
                col,
                rule::BAD_NUMBER,
                Severity::Error,
                if col == Col::Charge && ctx.map.money_us {
                    format!("{} {:?} is not an amount like 1234.50 or $1,234.50", col.name(), s)
                } else {
                    format!(
                        "{} {:?} is not a plain number (digits and one optional dot)",
                        col.name(),
                        s
                    )
                },
            ));
        }
        d
    };
    let units = number(Col::Units, findings);
    let charge = number(Col::Charge, findings);
    ok &= units.is_some() && charge.is_some();
    let procedure =
        get(Col::Procedure, findings).map(|s| s.to_ascii_uppercase()).unwrap_or_default();
    let modifiers: Vec<String> = MODIFIERS
        .iter()
        .filter_map(|c| get(*c, findings).map(|m| m.to_ascii_uppercase()))
        .collect();
    let mut dx_pointers = Vec::new();
    if let Some(p) = get(Col::DxPointers, findings) {
        for part in p.split([',', ':', ' ']).filter(|s| !s.is_empty()) {
            match part.parse::<u8>() {
                Ok(n) => dx_pointers.push(n),
                Err(_) => {
                    findings.push(ctx.finding(
                        claim_id,
                        row,
                        Col::DxPointers,
                        rule::BAD_POINTER,
                        Severity::Error,
                        format!(
                            "dx_pointers {:?}: {part:?} is not a diagnosis position (1 to 12)",
                            p.as_ref()
                        ),
                    ));
                    ok = false;
                }
            }
        }
    }
    let ndc = get(Col::Ndc, findings).map(|s| ndc::normalize(&s).unwrap_or_else(|| s.into_owned()));
    let line_id = get(Col::LineId, findings).map(Cow::into_owned).unwrap_or_default();
    if !ok {
        return None;
    }
    Some(ServiceLine {
        line_id,
        service_date: service_date?,
        service_date_end,
        procedure,
        modifiers,
        units: units?,
        charge: charge?,
        dx_pointers,
        ndc,
        row,
    })
}

/// Builds the claim from its grouped rows.
fn finish_claim(ctx: &Ctx<'_>, g: Group) -> (Claim, Vec<Finding>) {
    let Group { claim_id, rows, vals, mut lines, mut findings } = g;
    let first_row = rows.first().copied().unwrap_or(0);
    let fmt = ctx.map.date_format.as_str();
    let get = |c: Col| vals.get(c).map(|(v, _)| v);
    let row_of = |c: Col| vals.get(c).map(|(_, r)| r).unwrap_or(first_row);
    let text = |c: Col| get(c).unwrap_or("").to_string();
    let opt = |c: Col| get(c).map(str::to_string);
    let mut push = |c: Col, rule: &'static str, sev: Severity, msg: String| {
        findings.push(ctx.finding(&claim_id, row_of(c), c, rule, sev, msg));
    };
    let date = |c: Col, push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let s = get(c)?;
        let d = parse_date(s, fmt);
        if d.is_none() {
            push(c, rule::BAD_DATE, Severity::Error, date_msg(c, fmt));
        }
        d
    };
    let sex = |c: Col, push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let s = get(c)?;
        let x = Sex::from_code(s);
        if x.is_none() {
            push(
                c,
                rule::BAD_SEX,
                Severity::Error,
                format!("{} {s:?} must be M, F or U", c.name()),
            );
        }
        x
    };
    let person = |cols: [Col; 9], push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let [last, first, middle, dob, sx, a1, a2, city, state] = cols;
        let zip = if last == Col::SubscriberLast { Col::SubscriberZip } else { Col::PatientZip };
        Person {
            last: text(last),
            first: text(first),
            middle: opt(middle),
            dob: date(dob, push),
            sex: sex(sx, push),
            address: crate::claim::Address {
                line1: text(a1),
                line2: opt(a2),
                city: text(city),
                state: text(state).to_ascii_uppercase(),
                zip: crate::codeset::shape::normalize_zip(&text(zip)),
            },
        }
    };
    let subscriber = person(
        [
            Col::SubscriberLast,
            Col::SubscriberFirst,
            Col::SubscriberMiddle,
            Col::SubscriberDob,
            Col::SubscriberSex,
            Col::SubscriberAddress1,
            Col::SubscriberAddress2,
            Col::SubscriberCity,
            Col::SubscriberState,
        ],
        &mut push,
    );
    let relationship = match get(Col::Relationship) {
        None => Relationship::SelfInsured,
        Some(s) => Relationship::parse(s).unwrap_or_else(|| {
            push(
                Col::Relationship,
                rule::BAD_RELATIONSHIP,
                Severity::Error,
                format!("relationship {s:?} must be self, spouse, child or other"),
            );
            Relationship::SelfInsured
        }),
    };
    const PATIENT: [Col; 9] = [
        Col::PatientLast,
        Col::PatientFirst,
        Col::PatientMiddle,
        Col::PatientDob,
        Col::PatientSex,
        Col::PatientAddress1,
        Col::PatientAddress2,
        Col::PatientCity,
        Col::PatientState,
    ];
    let patient = if relationship == Relationship::SelfInsured {
        if let Some(c) = PATIENT.iter().chain([&Col::PatientZip]).find(|c| get(**c).is_some()) {
            push(
                *c,
                rule::PATIENT_IGNORED,
                Severity::Warning,
                "patient columns are filled but relationship is self: the subscriber is the \
                 patient and the patient columns are ignored"
                    .into(),
            );
        }
        None
    } else {
        Some(person(PATIENT, &mut push))
    };
    let frequency = Frequency::from_code(get(Col::Frequency).unwrap_or("")).unwrap_or_else(|| {
        push(
            Col::Frequency,
            rule::BAD_FREQUENCY,
            Severity::Error,
            format!(
                "frequency {:?} must be 1 (original), 7 (replacement) or 8 (void)",
                get(Col::Frequency).unwrap_or("")
            ),
        );
        Frequency::Original
    });
    let onset_date = date(Col::OnsetDate, &mut push);
    let provider = |npi: Col, last: Col, first: Col| {
        if get(npi).is_none() && get(last).is_none() && get(first).is_none() {
            return None;
        }
        Some(ProviderRef { npi: text(npi), last: text(last), first: text(first) })
    };
    let rendering = provider(Col::RenderingNpi, Col::RenderingLast, Col::RenderingFirst);
    let referring = provider(Col::ReferringNpi, Col::ReferringLast, Col::ReferringFirst);
    let mut diagnoses = Vec::new();
    let mut gap: Option<Col> = None;
    for c in DX {
        match get(c) {
            None => {
                gap.get_or_insert(c);
            }
            Some(v) => {
                if let Some(empty) = gap.take() {
                    push(
                        empty,
                        rule::DX_GAP,
                        Severity::Error,
                        format!(
                            "{} is empty but {} is filled; fill diagnoses from dx1 without gaps \
                             (pointers count positions)",
                            empty.name(),
                            c.name()
                        ),
                    );
                }
                diagnoses.push(normalize_dx(v));
            }
        }
    }
    let stated_total = get(Col::ClaimTotal).and_then(|s| {
        let d = parse_money(s, ctx.map.money_us);
        if d.is_none() {
            push(
                Col::ClaimTotal,
                rule::BAD_NUMBER,
                Severity::Error,
                format!("claim_total {s:?} is not a plain number"),
            );
        }
        d
    });
    assign_line_ids(&mut lines);
    let claim = Claim {
        claim_id: claim_id.clone(),
        billing: BillingProvider { npi: text(Col::BillingNpi), ..Default::default() },
        payer: Payer { id: text(Col::PayerId), ..Default::default() },
        member_id: text(Col::MemberId),
        group_number: opt(Col::GroupNumber),
        subscriber,
        relationship,
        patient,
        place_of_service: text(Col::PlaceOfService),
        frequency,
        original_ref: opt(Col::OriginalRef),
        prior_auth: opt(Col::PriorAuth),
        onset_date,
        rendering,
        referring,
        diagnoses,
        lines,
        stated_total,
        source: Source { file: ctx.file.to_string(), rows },
    };
    (claim, findings)
}

/// ICD-10-CM as stored: trimmed, upper case, the dot after the category
/// removed (`e11.9` -> `E119`). A dot anywhere else is kept, so the syntax
/// rule reports it.
pub fn normalize_dx(v: &str) -> String {
    let u = v.trim().to_ascii_uppercase();
    if u.len() > 3 && u.as_bytes()[3] == b'.' && u.matches('.').count() == 1 {
        format!("{}{}", &u[..3], &u[4..])
    } else {
        u
    }
}

/// Gives every line without a line_id one: its 1-based position, or the next
/// number no other line of the claim uses.
fn assign_line_ids(lines: &mut [ServiceLine]) {
    let mut used: HashSet<String> =
        lines.iter().filter(|l| !l.line_id.is_empty()).map(|l| l.line_id.clone()).collect();
    for (i, l) in lines.iter_mut().enumerate() {
        if l.line_id.is_empty() {
            let mut n = i + 1;
            while used.contains(&n.to_string()) {
                n += 1;
            }
            l.line_id = n.to_string();
            used.insert(l.line_id.clone());
        }
    }
}

impl Encounters {
    /// How a canonical column is named in this file's header (for findings):
    /// the header text, `NAME (layout default)`, or the canonical name when
    /// the file does not have it. Names that are not canonical columns come
    /// back unchanged.
    pub fn column_label(&self, canonical: &str) -> String {
        match Col::from_name(canonical) {
            Some(c) => self.labels[c as usize].clone(),
            None => canonical.to_string(),
        }
    }

    /// Every input row of the given claims plus the unclaimed rows, sorted:
    /// what goes to `held/` when those claims are held back.
    pub fn held_rows<'a>(&self, held: impl IntoIterator<Item = &'a Claim>) -> Vec<u64> {
        let mut rows: Vec<u64> =
            held.into_iter().flat_map(|c| c.source.rows.iter().copied()).collect();
        rows.extend(&self.unclaimed_rows);
        rows.sort_unstable();
        rows.dedup();
        rows
    }

    /// Writes the original header and the given rows (1-based, header = row
    /// 1; data rows start at 2), byte for byte as they were in the input, so
    /// the result can be fixed and re-run with the same layout. Rows that do
    /// not exist are skipped. Each row ends with a line break.
    pub fn write_rows<W: Write>(&self, mut w: W, rows: &[u64]) -> io::Result<()> {
        let end_of = |i: usize| self.row_starts.get(i + 1).copied().unwrap_or(self.data.len());
        let header_end = self.row_starts.first().copied().unwrap_or(self.data.len());
        let mut put = |bytes: &[u8]| -> io::Result<()> {
            w.write_all(bytes)?;
            if !bytes.ends_with(b"\n") {
                w.write_all(b"\n")?;
            }
            Ok(())
        };
        put(&self.data[self.header_start..header_end])?;
        for &r in rows {
            let Some(i) = r.checked_sub(2).map(|i| i as usize) else { continue };
            if let Some(&start) = self.row_starts.get(i) {
                put(&self.data[start..end_of(i)])?;
            }
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests;
