//! Reading a streamed export on all cores: the rows after the header are
//! split into parts of about [`PART_BYTES`] bytes at line breaks, and each part is
//! scanned on rayon (its rows counted, each split only up to its claim_id,
//! where its claims start noted, their claim_ids hashed). A line break inside a quoted cell can make a part start
//! in the middle of a row: a part is only taken as scanned when the part
//! before it ended exactly where it starts, and is scanned again from where
//! that part did end otherwise, so row boundaries are the csv crate's, as in
//! a read from the start. From the scans come the row number of every part's
//! first row, whether each claim's rows are adjacent (no claim_id starts
//! twice), and runs of rows that start where a claim starts; the runs are then
//! read on rayon, a few at a time and in file order, by the same row loop as
//! a sequential read (`rows`), with exact row numbers and byte offsets. It
//! does not read a file whose claims' rows are apart (the caller reads it
//! whole).

use std::hash::BuildHasher;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::claim::Claim;
use crate::finding::Finding;

use super::super::record::{skip_breaks, Splitter};
use super::super::{Col, Error};
use super::rows::{is_blank, Grouping, Span};
use super::{Opened, Rows};

/// Bytes of the export in a part, about (a part ends at a line break).
pub const PART_BYTES: usize = 2 << 20;

/// What a part's scan found.
struct Scan {
    /// Where its first row starts (after line breaks).
    from: usize,
    /// Where the first row it did not read starts: the next part's `from`
    /// when the parts agree, else further on.
    end: usize,
    rows: u64,
    /// The claim_id of each claim that starts in the part (the first row's
    /// claim included), hashed.
    ids: Vec<u64>,
    first_id: Option<String>,
    last_id: Option<String>,
    /// Where the first two claims of the part start, and their rows' index
    /// in the part.
    starts: [Option<(usize, u64)>; 2],
}

/// A run of rows read as one: from where a claim starts (or the first data
/// row) to where the next run starts.
struct Run {
    from: usize,
    first_row: u64,
    stop: Option<usize>,
}

/// A run read: its claims, their findings, and the rest of [`Rows`].
type RunRead = (Vec<Claim>, Vec<Finding>, Rows);

impl Opened {
    /// Reads the export as [`Opened::read_batches`] does, on all cores (see
    /// the module doc), handing on the claims of each run of rows (about
    /// `part` bytes of the export) in file order. Returns `Ok(None)`, having
    /// handed nothing on, when a claim's rows are not adjacent.
    pub fn read_parallel<E: From<Error> + Send>(
        &self,
        part: usize,
        on_rows: &mut dyn FnMut(u64, u64),
        on_batch: &mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), E>,
    ) -> Result<Option<Rows>, E> {
        let body = self.body();
        let start = self.data_rows().next_start();
        let mut rows = Rows {
            findings: Vec::new(),
            unclaimed_rows: Vec::new(),
            row_starts: Vec::new(),
            blank_rows: 0,
        };
        if start >= body.len() {
            return Ok(Some(rows));
        }
        let Some(runs) = self.plan(body, start, part.max(1)) else { return Ok(None) };
        // A few runs at a time on rayon, in file order: memory stays that of
        // a few runs' claims.
        let wave = 2 * rayon::current_num_threads().max(1);
        let (mut rows_read, mut claims) = (0u64, 0u64);
        for runs in runs.chunks(wave) {
            let read: Vec<Result<RunRead, E>> = runs.par_iter().map(|r| self.read_run(r)).collect();
            for r in read {
                let (c, f, mut part_rows) = r?;
                rows_read += part_rows.row_starts.len() as u64;
                claims += c.len() as u64;
                rows.findings.append(&mut part_rows.findings);
                rows.unclaimed_rows.append(&mut part_rows.unclaimed_rows);
                rows.row_starts.append(&mut part_rows.row_starts);
                rows.blank_rows += part_rows.blank_rows;
                if !c.is_empty() {
                    on_batch(c, f)?;
                }
            }
            on_rows(rows_read, claims);
            if let Some(stop) = runs.last().and_then(|r| r.stop) {
                self.data.release(self.base + stop);
            }
        }
        Ok(Some(rows))
    }

    /// Scans the parts (see the module doc); the runs to read, or `None`
    /// when a claim_id starts twice.
    fn plan(&self, body: &[u8], start: usize, part: usize) -> Option<Vec<Run>> {
        // Nominal part starts: the first row start after each `part` bytes.
        let mut froms = vec![start];
        let mut at = start;
        while at + part < body.len() {
            let Some(nl) = memchr::memchr(b'\n', &body[at + part..]) else { break };
            let next = skip_breaks(body, at + part + nl + 1);
            if next >= body.len() {
                break;
            }
            froms.push(next);
            at = next;
        }
        let stops: Vec<usize> = froms[1..].iter().copied().chain([body.len()]).collect();
        // Each part's pages leave memory once scanned.
        let mut scans: Vec<Scan> = froms
            .par_iter()
            .zip(&stops)
            .map(|(&from, &stop)| {
                let s = self.scan(body, from, stop);
                self.data.release_range(self.base + from, self.base + s.end);
                s
            })
            .collect();
        // A part that does not start where the one before it ended (a line
        // break inside a quoted cell) is scanned again from there.
        for i in 1..scans.len() {
            let end = scans[i - 1].end;
            if end != scans[i].from {
                scans[i] = self.scan(body, end, stops[i]);
            }
        }
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        let mut last: Option<&str> = None;
        let mut runs = vec![Run { from: start, first_row: 2, stop: None }];
        let mut rows_before = 0u64;
        for (i, s) in scans.iter().enumerate() {
            // Its first claim continues the claim the part before ended with.
            let goes_on = s.first_id.is_some() && s.first_id.as_deref() == last;
            for id in &s.ids[usize::from(goes_on)..] {
                if !seen.insert(*id) {
                    return None;
                }
            }
            let cut = s.starts[usize::from(goes_on)];
            if let (true, Some((from, index))) = (i > 0, cut) {
                if let Some(r) = runs.last_mut() {
                    r.stop = Some(from);
                }
                runs.push(Run { from, first_row: 2 + rows_before + index, stop: None });
            }
            rows_before += s.rows;
            if s.last_id.is_some() {
                last = s.last_id.as_deref();
            }
        }
        Some(runs)
    }

    /// Scans the rows that start from `from` (a row start) until one starts
    /// at or after `stop`.
    fn scan(&self, body: &[u8], from: usize, stop: usize) -> Scan {
        let mut s = Scan {
            from,
            end: from,
            rows: 0,
            ids: Vec::new(),
            first_id: None,
            last_id: None,
            starts: [None, None],
        };
        if from >= stop {
            return s;
        }
        let ctx = self.ctx();
        let mut rows = Splitter::new(body, self.delimiter, from);
        let hasher =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default();
        // Only the fields up to the claim_id are split when it is in the
        // file; a row whose claim_id cell is blank is read whole (a blank
        // row is skipped, a layout may give a default claim_id).
        let id_col = self.map.source[Col::ClaimId as usize];
        loop {
            let at = rows.next_start();
            s.end = at;
            if at >= stop {
                break;
            }
            let rec = match id_col {
                Some(c) => rows.next_prefix(c.saturating_add(1)),
                None => rows.next(),
            };
            let Some(rec) = rec else { break };
            let blank_id = id_col
                .and_then(|c| rec.get(c))
                .map_or(true, |f| f.iter().all(u8::is_ascii_whitespace));
            let rec = if blank_id && id_col.is_some() {
                rows.seek(at);
                let Some(rec) = rows.next() else { break };
                rec
            } else {
                rec
            };
            let index = s.rows;
            s.rows += 1;
            if is_blank(&rec) {
                continue;
            }
            let Ok(Some(id)) = ctx.cell(&rec, Col::ClaimId) else { continue };
            if s.last_id.as_deref() == Some(id.as_ref()) {
                continue;
            }
            s.ids.push(hasher.hash_one(id.as_ref()));
            if let Some(slot) = s.starts.iter_mut().find(|x| x.is_none()) {
                *slot = Some((at, index));
            }
            if s.first_id.is_none() {
                s.first_id = Some(id.to_string());
            }
            s.last_id = Some(id.into_owned());
        }
        s
    }

    /// Reads one run with the sequential row loop.
    fn read_run<E: From<Error>>(&self, run: &Run) -> Result<RunRead, E> {
        let span = Span {
            rows: Splitter::new(self.body(), self.delimiter, run.from),
            first_row: run.first_row,
            stop: run.stop,
            release: false,
        };
        let (mut claims, mut findings) = (Vec::new(), Vec::new());
        let rows = self.rows_in(
            span,
            Grouping::Stream {
                batch: usize::MAX,
                on_batch: &mut |c, f| {
                    claims = c;
                    findings = f;
                    Ok::<(), E>(())
                },
            },
            &mut |_, _| {},
        )?;
        Ok((claims, findings, rows))
    }
}
