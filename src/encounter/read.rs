//! Reading an encounter file: opens it, reads the header and every row, and
//! groups rows by claim_id into claims (first-seen order) with their
//! findings. It leaves mapping columns to `map` and reading values to `line`
//! and `assemble`.

use std::path::Path;

use rustc_hash::FxHashMap;

use crate::claim::Claim;
use crate::finding::{Finding, Severity};
use crate::input::Input;

use super::assemble::{finish_claim, read_claim_level, ClaimVals, Group};
use super::line::read_line;
use super::map::{build_mapping, Ctx};
use super::{not_csv, rule, Col, Encounters, Error, Layout};

/// Reads an encounter export (canonical layout, or `layout`) into claims.
///
/// Fatal errors (nothing usable): unreadable file, not CSV, missing
/// required columns, a layout that does not fit the file. Everything else is
/// a finding in [`Encounters::findings`].
pub fn read(path: &Path, layout: Option<&Layout>) -> Result<Encounters, Error> {
    let file = path.display().to_string();
    let data = crate::input::open(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    read_input(file, data, layout, &mut |_, _| {})
}

/// [`read`], calling `on_rows(rows, claims)` with the data rows and claims
/// read so far every 16,384 rows (for progress on a terminal).
pub fn read_counting(
    path: &Path,
    layout: Option<&Layout>,
    on_rows: &mut dyn FnMut(u64, u64),
) -> Result<Encounters, Error> {
    let file = path.display().to_string();
    let data = crate::input::open(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    read_input(file, data, layout, on_rows)
}

/// Reads an export already in memory; `file` names it in findings.
pub fn read_bytes(
    file: &str,
    bytes: Vec<u8>,
    layout: Option<&Layout>,
) -> Result<Encounters, Error> {
    read_input(file.to_string(), Input::Owned(bytes), layout, &mut |_, _| {})
}

fn read_input(
    file: String,
    data: Input,
    layout: Option<&Layout>,
    on_rows: &mut dyn FnMut(u64, u64),
) -> Result<Encounters, Error> {
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
        findings.push(
            Finding::new(
                rule::UNKNOWN_COLUMNS,
                Severity::Warning,
                format!("columns not read (ignored): {}", unknown.join(", ")),
            )
            .in_file(&file)
            .at_row(1, ""),
        );
    }

    let mut groups: Vec<Group> = Vec::new();
    // FxHash: several times faster than SipHash on short keys; the input is
    // the practice's own export, so hash flooding is not a concern.
    let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
    let mut unclaimed_rows = Vec::new();
    let mut row_starts = Vec::new();
    let mut blank_rows = 0u64;
    let mut row: u64 = 1;
    while rdr.read_byte_record(&mut rec).map_err(|e| io_err(e, &file))? {
        row += 1;
        if row % 16_384 == 0 {
            on_rows(row - 1, groups.len() as u64);
        }
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
            let message = format!(
                "row has {} fields but the header has {}; check quoting and commas",
                rec.len(),
                header.len()
            );
            g.findings.push(
                Finding::new(rule::FIELD_COUNT, Severity::Error, message)
                    .in_file(&file)
                    .at_row(row, "")
                    .for_claim(&g.claim_id),
            );
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
