//! The row loop of the encounter reader: every data row read with the csv
//! crate, its span noted (for `held/`), blank rows and rows without a
//! claim_id set aside, and the rest grouped into claims, either all held to
//! the end of the file or each built as soon as its rows end (streamed).

use rustc_hash::FxHashMap;

use crate::claim::Claim;
use crate::finding::{Finding, Severity};

use super::super::assemble::{finish_claim, read_claim_level, ClaimVals, Group};
use super::super::line::read_line;
use super::super::map::Ctx;
use super::super::{rule, Col, Error};
use super::{io_err, Opened, Rows};

/// How rows are grouped into claims.
pub(super) enum Grouping<'g, 'f, E> {
    /// Every claim held until the end of the file.
    Whole(&'g mut Vec<Group>),
    /// Claims built when their rows end (rows of a claim adjacent), handed
    /// to the callback `batch` claims at a time with their findings.
    Stream { batch: usize, on_batch: &'f mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), E> },
}

impl Opened {
    pub(super) fn rows<E: From<Error>>(
        &self,
        grouping: Grouping<'_, '_, E>,
        on_rows: &mut dyn FnMut(u64, u64),
    ) -> Result<Rows, E> {
        let ctx = self.ctx();
        let file = &self.file;
        let body = &self.data[self.base..];
        let header_len = self.header.len();
        let mut rdr = self.data_rows();
        let mut rec = csv::ByteRecord::new();
        let mut findings = Vec::new();
        // Whole: every group; Stream: the open group only (the ones before
        // it are built and in `done` or handed on).
        let mut open: Vec<Group> = Vec::new();
        let (groups, mut stream) = match grouping {
            Grouping::Whole(g) => (g, None),
            Grouping::Stream { batch, on_batch } => (&mut open, Some((batch, on_batch))),
        };
        // FxHash: several times faster than SipHash on short keys; the input is
        // the practice's own export, so hash flooding is not a concern.
        let mut by_id: FxHashMap<String, usize> = FxHashMap::default();
        let mut done: Vec<Claim> = Vec::new();
        let mut done_findings: Vec<Finding> = Vec::new();
        let mut claims_seen = 0u64;
        let mut unclaimed_rows = Vec::new();
        let mut row_starts = Vec::new();
        let mut blank_rows = 0u64;
        let mut row: u64 = 1;
        while rdr.read_byte_record(&mut rec).map_err(|e| E::from(io_err(e, file)))? {
            row += 1;
            if row % 16_384 == 0 {
                on_rows(row - 1, claims_seen);
            }
            // The csv crate ends a record at `\r` and may report the start of
            // the next one at the `\n` that follows: skip line-break bytes so a
            // row's span starts at its first field.
            let mut start = rec.position().map(|p| p.byte() as usize).unwrap_or(0);
            while matches!(body.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            row_starts.push(self.base + start);
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
                    if let Some((batch, on_batch)) = &mut stream {
                        // The open claim's rows have ended.
                        if let Some(g) = groups.pop() {
                            by_id.clear();
                            finish_into(&ctx, g, &mut done, &mut done_findings);
                            if done.len() >= *batch {
                                on_batch(
                                    std::mem::take(&mut done),
                                    std::mem::take(&mut done_findings),
                                )?;
                                self.data.release(self.base + start);
                            }
                        }
                    }
                    claims_seen += 1;
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
            if rec.len() != header_len {
                let message = format!(
                    "row has {} fields but the header has {}; check quoting and commas",
                    rec.len(),
                    header_len
                );
                g.findings.push(
                    Finding::new(rule::FIELD_COUNT, Severity::Error, message)
                        .in_file(file)
                        .at_row(row, "")
                        .for_claim(&g.claim_id),
                );
            }
            read_claim_level(&ctx, &rec, row, g);
            if let Some(line) = read_line(&ctx, &rec, row, &g.claim_id, &mut g.findings) {
                g.lines.push(line);
            }
        }
        if let Some((_, on_batch)) = &mut stream {
            if let Some(g) = groups.pop() {
                finish_into(&ctx, g, &mut done, &mut done_findings);
            }
            if !done.is_empty() {
                on_batch(done, done_findings)?;
            }
        }
        Ok(Rows { findings, unclaimed_rows, row_starts, blank_rows })
    }
}

/// Builds a claim whose rows have ended; its findings by row.
fn finish_into(ctx: &Ctx<'_>, g: Group, claims: &mut Vec<Claim>, findings: &mut Vec<Finding>) {
    let (claim, mut f) = finish_claim(ctx, g);
    f.sort_by_key(|f| f.row);
    claims.push(claim);
    findings.append(&mut f);
}
