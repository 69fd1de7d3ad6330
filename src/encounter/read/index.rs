//! Reading an export whose claims' rows are not adjacent without holding
//! every claim: [`Opened::index_claims`] reads the file once, noting where
//! each row starts and which claim (an ordinal, in first-seen order) it
//! belongs to, and keeps only that index (about 12 bytes per row while it is
//! made, 8 after); [`Opened::read_indexed`] then reads the claims in
//! first-seen order (the order [`super::read`] gives), each from its rows'
//! offsets, and hands them on in batches, as [`Opened::read_batches`] does
//! for an export whose rows are adjacent. Claims, findings and row numbers
//! are those of [`super::read`]. It decides nothing about adjacency (see
//! [`Opened::claims_adjacent`]).

use rustc_hash::FxHashMap;

use crate::claim::Claim;
use crate::finding::Finding;

use super::super::assemble::{finish_claim, Group};
use super::super::{Col, Error};
use super::rows::{claim_id_of, is_blank, read_row};
use super::{Opened, Rows};

/// The rows of an export by claim: what [`Opened::read_indexed`] reads.
pub struct ClaimIndex {
    /// Data-row indexes (row number - 2), claim by claim in first-seen
    /// order, each claim's in file order.
    rows: Vec<u32>,
    /// Where each claim's rows start in `rows`, and where the last ends.
    starts: Vec<u32>,
    /// The file-level and unclaimed-row findings, and where each row starts.
    rest: Rows,
}

impl ClaimIndex {
    /// Claims in the export.
    pub fn claims(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    /// What [`Opened::into_encounters`] needs of the rows read.
    pub fn into_rows(self) -> Rows {
        self.rest
    }
}

/// Marks a row that belongs to no claim (blank, or no claim_id).
const NO_CLAIM: u32 = u32::MAX;

impl Opened {
    /// Reads every row once, noting where it starts and its claim, and
    /// reporting the rows without a claim_id as [`super::read`] does.
    /// `Ok(None)` when the export has more rows or claims than the index
    /// can number (over four billion). Pages of the file already read are
    /// released as it goes.
    pub fn index_claims(&self) -> Result<Option<ClaimIndex>, Error> {
        let ctx = self.ctx();
        let mut rows = self.data_rows();
        let mut findings = Vec::new();
        let mut unclaimed_rows = Vec::new();
        let mut row_starts = Vec::new();
        let mut blank_rows = 0u64;
        // The claim of each data row (NO_CLAIM for none).
        let mut claim_of: Vec<u32> = Vec::new();
        let mut by_id: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut row: u64 = 1;
        while let Some(rec) = rows.next() {
            let rec = &rec;
            row += 1;
            let start = rec.start;
            row_starts.push(self.base + start);
            if row % 65_536 == 0 {
                self.data.release(self.base + start);
            }
            if is_blank(rec) {
                blank_rows += 1;
                claim_of.push(NO_CLAIM);
                continue;
            }
            let Some(claim_id) = claim_id_of(&ctx, rec, row, &mut unclaimed_rows, &mut findings)
            else {
                claim_of.push(NO_CLAIM);
                continue;
            };
            let ordinal = match by_id.get(claim_id.as_ref()) {
                Some(&o) => o,
                None => {
                    let Ok(o) = u32::try_from(by_id.len()) else { return Ok(None) };
                    if o == NO_CLAIM {
                        return Ok(None);
                    }
                    by_id.insert(claim_id.into_owned().into_boxed_str(), o);
                    o
                }
            };
            claim_of.push(ordinal);
        }
        drop(by_id);
        if u32::try_from(claim_of.len()).is_err() {
            return Ok(None);
        }
        // A counting sort of the rows by claim (rows stay in file order).
        let claims = claim_of.iter().filter(|&&c| c != NO_CLAIM).max().map_or(0, |&m| m + 1);
        let mut starts = vec![0u32; claims as usize + 1];
        for &c in claim_of.iter().filter(|&&c| c != NO_CLAIM) {
            starts[c as usize + 1] += 1;
        }
        for i in 0..claims as usize {
            starts[i + 1] += starts[i];
        }
        let mut fill = starts.clone();
        let mut rows = vec![0u32; starts[claims as usize] as usize];
        for (i, &c) in claim_of.iter().enumerate() {
            if c != NO_CLAIM {
                let slot = &mut fill[c as usize];
                rows[*slot as usize] = i as u32;
                *slot += 1;
            }
        }
        self.data.release(usize::MAX);
        let rest = Rows { findings, unclaimed_rows, row_starts, blank_rows };
        Ok(Some(ClaimIndex { rows, starts, rest }))
    }

    /// Reads the claims of `index` (made by [`Opened::index_claims`] on this
    /// export) in first-seen order, each from its rows, calling
    /// `on_batch(claims, findings)` with `batch` claims at a time (the last
    /// batch may be smaller) and their reader findings (claim by claim, each
    /// claim's by row), and `on_rows(rows, claims)` now and then for
    /// progress. The pages of the file read are released after each batch.
    /// Returns the callback's first error; [`ClaimIndex::into_rows`] gives
    /// what [`Opened::into_encounters`] needs.
    pub fn read_indexed<E: From<Error>>(
        &self,
        index: &ClaimIndex,
        batch: usize,
        on_rows: &mut dyn FnMut(u64, u64),
        on_batch: &mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), E>,
    ) -> Result<(), E> {
        let ctx = self.ctx();
        let file = &self.file;
        let header_len = self.header.len();
        let batch = batch.max(1);
        // One splitter, moved to each row.
        let mut splitter = self.data_rows();
        let mut done: Vec<Claim> = Vec::new();
        let mut done_findings: Vec<Finding> = Vec::new();
        let mut rows_read = 0u64;
        let ClaimIndex { rows, starts, rest } = index;
        let rows = rows.as_slice();
        for (n, span) in starts.windows(2).enumerate() {
            let mut group: Option<Group> = None;
            for &i in &rows[span[0] as usize..span[1] as usize] {
                let row = u64::from(i) + 2;
                let Some(&at) = rest.row_starts.get(i as usize) else { continue };
                splitter.seek(at - self.base);
                let Some(rec) = splitter.next() else { continue };
                let rec = &rec;
                rows_read += 1;
                if rows_read % 16_384 == 0 {
                    on_rows(rows_read, n as u64 + 1);
                }
                let g = match &mut group {
                    Some(g) => g,
                    None => {
                        let Ok(Some(id)) = ctx.cell(rec, Col::ClaimId) else { continue };
                        group.insert(Group::new(id.into_owned()))
                    }
                };
                read_row(&ctx, rec, row, header_len, file, g);
            }
            if let Some(g) = group {
                let (claim, mut f) = finish_claim(&ctx, g);
                f.sort_by_key(|f| f.row);
                done.push(claim);
                done_findings.append(&mut f);
            }
            if done.len() >= batch {
                on_batch(std::mem::take(&mut done), std::mem::take(&mut done_findings))?;
                self.data.release(usize::MAX);
            }
        }
        if !done.is_empty() {
            on_batch(done, done_findings)?;
        }
        self.data.release(usize::MAX);
        Ok(())
    }
}
