//! What the ack job reports: counts, one [`AckRow`] per claim event (the
//! rows of `acks.csv`), findings, unreadable files and what was recorded;
//! and `acks.csv` itself. Plain data; nothing here reads or records.

use std::path::PathBuf;

use serde::Serialize;

use crate::finding::Finding;

/// One row of `acks.csv`: a claim event, or an acknowledgment that
/// matched nothing (empty claim and `status` unmatched).
#[derive(Clone, Debug, Serialize)]
pub struct AckRow {
    /// The acknowledgment file.
    pub file: String,
    /// `TA1`, `999` or `277CA`.
    pub kind: &'static str,
    /// Segment number (1-based, in the file) where the acknowledgment starts.
    pub segment: u32,
    /// What it answers: `ISA13 …`, `GS06 … ST02 …`, `claim …`.
    pub reference: String,
    /// The claim (empty when it matched none).
    pub claim_id: String,
    /// The claim's payer.
    pub payer_id: String,
    /// `accepted`, `rejected`, `sent` (nothing decided: an accepted
    /// interchange, a 277CA category that is neither) or `unmatched`.
    pub status: String,
    /// What it says of the claim, with its codes.
    pub detail: String,
    /// REF*1K.
    pub payer_claim_id: String,
    /// REF*D9.
    pub trace: String,
    /// `new`, `already` (recorded before: nothing recorded now), or
    /// `not recorded` (unmatched, or in a truncated set).
    pub recorded: &'static str,
}

/// Counts of what was read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// TA1s read.
    pub ta1: usize,
    /// Interchanges rejected by a TA1.
    pub interchanges_rejected: usize,
    /// 999 set (or group) responses read.
    pub sets: usize,
    /// Of those, accepted (IK5 A).
    pub sets_accepted: usize,
    /// Accepted with errors (IK5 E).
    pub sets_accepted_with_errors: usize,
    /// Rejected (IK5 M, R, W, X).
    pub sets_rejected: usize,
    /// 277CA claim statuses read.
    pub claim_statuses: usize,
    /// 277CA rejections of a whole batch (2200B: every claim of the set
    /// rejected) or of a billing provider (2200C: its claims of the set).
    pub batches_rejected: usize,
    /// Claim events accepting a claim.
    pub claims_accepted: usize,
    /// Claim events rejecting a claim.
    pub claims_rejected: usize,
    /// Acknowledgments that matched nothing.
    pub unmatched: usize,
    /// Acknowledgments recorded before (nothing recorded now).
    pub already: usize,
}

/// What was recorded.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LedgerSummary {
    /// Acknowledgments recorded now.
    pub recorded: usize,
    /// Acknowledgments recorded before.
    pub already: usize,
    /// Claim events recorded now.
    pub claim_events: usize,
    /// Claims whose current status changed.
    pub status_changes: usize,
}

/// What the job did.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Files read.
    pub files: usize,
    /// Counts.
    pub counts: Counts,
    /// Every row of `acks.csv`, in file order.
    pub rows: Vec<AckRow>,
    /// Envelope findings, unmatched and truncated acknowledgments, by file
    /// and position.
    pub findings: Vec<Finding>,
    /// Files that could not be read ([`Finding::unreadable`]).
    pub unreadable_files: Vec<Finding>,
    /// What was recorded.
    pub ledger: LedgerSummary,
    /// `acks.csv`, when an output folder was given.
    pub acks_csv: Option<PathBuf>,
}

impl Report {
    /// True when a person is needed (exit 1): a rejection, an unmatched
    /// acknowledgment, an error finding or a broken file.
    pub fn needs_attention(&self) -> bool {
        self.counts.claims_rejected > 0
            || self.counts.interchanges_rejected > 0
            || self.counts.sets_rejected > 0
            || self.counts.batches_rejected > 0
            || self.counts.unmatched > 0
            || !self.unreadable_files.is_empty()
            || self.findings.iter().any(Finding::is_error)
    }
}

/// `acks.csv`: one row per [`AckRow`].
pub(crate) fn acks_csv(rows: &[AckRow]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "file",
        "kind",
        "segment",
        "reference",
        "claim_id",
        "payer_id",
        "status",
        "detail",
        "payer_claim_id",
        "trace",
        "recorded",
    ])?;
    for r in rows {
        w.write_record([
            r.file.as_str(),
            r.kind,
            &r.segment.to_string(),
            &r.reference,
            &r.claim_id,
            &r.payer_id,
            &r.status,
            &r.detail,
            &r.payer_claim_id,
            &r.trace,
            r.recorded,
        ])?;
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}
