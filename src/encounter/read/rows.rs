//! The row loop of the encounter reader: every data row split into fields
//! (`record`, the csv crate's rules), its span noted (for `held/`), blank rows and rows without a
//! claim_id set aside, and the rest grouped into claims, either all held to
//! the end of the file or each built as soon as its rows end (streamed).

use rustc_hash::FxHashMap;

use crate::claim::Claim;
use crate::finding::{Finding, Severity};

use super::super::assemble::{finish_claim, read_claim_level, Group};
use super::super::line::read_line;
use super::super::map::Ctx;
use super::super::record::{Record, Splitter};
use super::super::{rule, Col, Error};
use super::{Opened, Rows};

/// How rows are grouped into claims.
pub(super) enum Grouping<'g, 'f, E> {
    /// Every claim held until the end of the file.
    Whole(&'g mut Vec<Group>),
    /// Claims built when their rows end (rows of a claim adjacent), handed
    /// to the callback `batch` claims at a time with their findings.
    Stream { batch: usize, on_batch: &'f mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), E> },
}

/// The rows a run reads: all of them, or a run of them that starts and
/// stops at claim boundaries (parallel reading, `chunks`).
pub(super) struct Span<'b> {
    /// A splitter positioned before the first row.
    pub(super) rows: Splitter<'b>,
    /// The first row's number (2 for the first data row).
    pub(super) first_row: u64,
    /// Stop before the row that starts at this body offset (after line
    /// breaks); `None`: read to the end.
    pub(super) stop: Option<usize>,
    /// Release the pages behind each batch handed on (a sequential read).
    pub(super) release: bool,
}

impl Opened {
    pub(super) fn rows<E: From<Error>>(
        &self,
        grouping: Grouping<'_, '_, E>,
        on_rows: &mut dyn FnMut(u64, u64),
    ) -> Result<Rows, E> {
        let span = Span { rows: self.data_rows(), first_row: 2, stop: None, release: true };
        self.rows_in(span, grouping, on_rows)
    }

    /// [`Opened::rows`] over a [`Span`] of the body.
    pub(super) fn rows_in<E: From<Error>>(
        &self,
        span: Span<'_>,
        grouping: Grouping<'_, '_, E>,
        on_rows: &mut dyn FnMut(u64, u64),
    ) -> Result<Rows, E> {
        let ctx = self.ctx();
        let file = &self.file;
        let header_len = self.header.len();
        let Span { mut rows, first_row, stop, release } = span;
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
        let mut row: u64 = first_row - 1;
        loop {
            if stop.is_some_and(|stop| rows.next_start() >= stop) {
                break;
            }
            let Some(rec) = rows.next() else { break };
            let rec = &rec;
            row += 1;
            if row % 16_384 == 0 {
                on_rows(row - 1, claims_seen);
            }
            let start = rec.start;
            row_starts.push(self.base + start);
            // A row of empty cells (",,,,", common at the end of spreadsheet
            // exports) carries nothing: skip it rather than report it.
            if is_blank(rec) {
                blank_rows += 1;
                continue;
            }
            let Some(claim_id) = claim_id_of(&ctx, rec, row, &mut unclaimed_rows, &mut findings)
            else {
                continue;
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
                                if release {
                                    self.data.release(self.base + start);
                                }
                            }
                        }
                    }
                    claims_seen += 1;
                    let id = claim_id.to_string();
                    by_id.insert(id.clone(), groups.len());
                    groups.push(Group::new(id));
                    groups.len() - 1
                }
            };
            let g = &mut groups[gi];
            read_row(&ctx, rec, row, header_len, file, g);
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

/// The claim_id of data row `row`; `None` when it has none (or it is not
/// UTF-8), the row then noted in `unclaimed` with its finding.
pub(super) fn claim_id_of<'r>(
    ctx: &'r Ctx<'_>,
    rec: &'r Record<'_>,
    row: u64,
    unclaimed: &mut Vec<u64>,
    findings: &mut Vec<Finding>,
) -> Option<std::borrow::Cow<'r, str>> {
    let why = match ctx.cell(rec, Col::ClaimId) {
        Ok(Some(id)) => return Some(id),
        Ok(None) => "row has no claim_id",
        Err(()) => "claim_id is not UTF-8 text",
    };
    unclaimed.push(row);
    findings.push(ctx.finding(
        "",
        row,
        Col::ClaimId,
        rule::NO_CLAIM_ID,
        Severity::Error,
        format!("{why}: it belongs to no claim and was not read further"),
    ));
    None
}

/// Data row `row` of claim `g`: its field count against the header's, its
/// claim-level values and its service line.
pub(super) fn read_row(
    ctx: &Ctx<'_>,
    rec: &Record<'_>,
    row: u64,
    header_len: usize,
    file: &str,
    g: &mut Group,
) {
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
    // The rows of a claim repeat its claim-level values: a row whose
    // claim-level fields are the bytes of the claim's first row (which set
    // every value it has and gave no finding) adds nothing and disagrees
    // with nothing.
    let prefix = ctx.map.claim_end.and_then(|k| rec.prefix(k));
    let same = match (g.claim_bytes, prefix) {
        (Some(first), Some(this)) => rec.body_bytes(first) == rec.body_bytes(this),
        _ => false,
    };
    if !same {
        let before = g.findings.len();
        read_claim_level(ctx, rec, row, g);
        if g.rows.len() == 1 && g.findings.len() == before {
            g.claim_bytes = prefix;
        }
    }
    if let Some(line) = read_line(ctx, rec, row, &g.claim_id, &mut g.findings) {
        g.lines.push(line);
    }
}

/// A row of empty or blank cells only.
pub(super) fn is_blank(rec: &Record<'_>) -> bool {
    rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace))
}

/// Builds a claim whose rows have ended; its findings by row.
fn finish_into(ctx: &Ctx<'_>, g: Group, claims: &mut Vec<Claim>, findings: &mut Vec<Finding>) {
    let (claim, mut f) = finish_claim(ctx, g);
    f.sort_by_key(|f| f.row);
    claims.push(claim);
    findings.append(&mut f);
}
