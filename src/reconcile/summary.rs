//! What a reconciliation returns: the [`Summary`] a caller prints (and
//! `reconcile --json` prints), with its parts: counts by status, the
//! tie-out, reversals, unreadable files, one entry per payment and what was
//! posted. `needs_attention` is the exit-1 rule; the summary's parts are
//! computed here from what the run kept ([`Compact`], the [`Book`], the
//! ledger's posting summary). This module prints nothing.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::report::{self, OutstandingRow, PlbRow};
use super::{Book, ClaimStatus, SentClaim};
use crate::ledger;
use crate::x12::Finding;
use crate::Text;

/// What one 835 transaction set (one payment) contributed.
#[derive(Debug, Serialize)]
pub struct SetSummary {
    /// The 835 file.
    pub file: String,
    /// ST02.
    pub st02: String,
    /// The paying payer's id.
    pub payer_id: String,
    /// TRN02 check or EFT trace number.
    pub trace: String,
    /// BPR16 payment date.
    pub payment_date: Option<NaiveDate>,
    /// BPR04 payment method.
    pub method: String,
    /// BPR02 total paid.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub bpr02: Decimal,
    /// Sum of CLP04.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
    /// Sum of the PLB amounts.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub plb: Decimal,
    /// Claim payments (CLPs).
    pub claims: usize,
    /// False when the set has no SE (a truncated file): reported, never posted.
    pub complete: bool,
    /// TRN03.
    pub trn03: String,
    /// The payment's content fingerprint ([`fingerprint`](super::fingerprint));
    /// ledger mode only.
    #[serde(skip)]
    pub(super) fingerprint: String,
    #[serde(skip)]
    pub(super) file_sha256: String,
}

/// Claim payments by status.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Paid in full as adjudicated.
    pub paid: usize,
    /// Partly paid (some of the charge denied or reduced, or a sent line not
    /// answered when the payment was accounted).
    pub partial: usize,
    /// Of the `partial` ones, those partial only because a sent line was not
    /// answered yet, whose claim a later payment of this run completed
    /// (every sent line answered at the end of the run): they need no one.
    pub partial_completed: usize,
    /// Denied.
    pub denied: usize,
    /// Nothing paid: all to the patient.
    pub patient_responsibility: usize,
    /// Reversals.
    pub reversed: usize,
    /// Matched to no sent claim.
    pub unmatched: usize,
    /// Not this payer's claim, forwarded by it to another payer (CLP02 23):
    /// wait for the other payer's remittance.
    pub forwarded: usize,
    /// Sent claims with no answer yet (ledger only).
    pub outstanding: usize,
    /// Processed and forwarded to another payer (CLP02 19/20/21 or NM1*TT),
    /// whatever their status.
    pub processed_and_forwarded: usize,
}

impl Counts {
    /// The claim payments `compact` counted by status in one pass, with
    /// `partial_completed` and `outstanding` as given.
    pub(super) fn of(compact: &[Compact], partial_completed: usize, outstanding: usize) -> Counts {
        let mut n = Counts {
            paid: 0,
            partial: 0,
            partial_completed,
            denied: 0,
            patient_responsibility: 0,
            reversed: 0,
            unmatched: 0,
            forwarded: 0,
            outstanding,
            processed_and_forwarded: 0,
        };
        for c in compact {
            let slot = match c.status {
                ClaimStatus::Paid => Some(&mut n.paid),
                ClaimStatus::Partial => Some(&mut n.partial),
                ClaimStatus::Denied => Some(&mut n.denied),
                ClaimStatus::PatientResponsibility => Some(&mut n.patient_responsibility),
                ClaimStatus::Reversed => Some(&mut n.reversed),
                ClaimStatus::Unmatched => Some(&mut n.unmatched),
                ClaimStatus::Forwarded => Some(&mut n.forwarded),
                // No claim payment has another status.
                _ => None,
            };
            if let Some(slot) = slot {
                *slot += 1;
            }
            n.processed_and_forwarded += usize::from(c.forwarded);
        }
        n
    }
}

/// The tie-out: what the claim payments and provider adjustments add up to,
/// against what the payers say they paid (BPR02).
#[derive(Debug, Serialize)]
pub struct TieOut {
    /// Sum of CLP04.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
    /// Minus the sum of PLB amounts.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub provider_adjustments_effect: Decimal,
    /// `paid + provider_adjustments_effect`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub expected_bpr02: Decimal,
    /// Sum of BPR02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub bpr02_total: Decimal,
    /// `expected_bpr02 == bpr02_total`.
    pub ok: bool,
}

/// A reversal, with the payment it cancels and the correction that follows.
#[derive(Debug, Serialize)]
pub struct ReversalNote {
    /// The claim.
    pub claim_id: String,
    /// Trace of the payment carrying the reversal.
    pub check_trace: String,
    /// Amount reversed (negative).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// Trace of the payment cancelled, when in these files.
    pub reverses_trace: Option<String>,
    /// Trace of the corrected payment, when in these files.
    pub corrected_by_trace: Option<String>,
    /// The corrected payment's amount.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub corrected_paid: Option<Decimal>,
}

/// What was posted to the ledger.
#[derive(Debug, Serialize)]
pub struct LedgerNote {
    /// Traces posted now.
    pub applied: Vec<String>,
    /// Traces of payments already applied (by an earlier run, or earlier
    /// in this one, in any envelope): nothing posted.
    pub already_applied: Vec<String>,
    /// Payments whose payer, trace and TRN03 belong to a different payment
    /// already applied (another BPR02 or other claim payments): nothing of
    /// them posted.
    pub conflicts: Vec<PaymentConflict>,
    /// Claim payments recorded (matched or not).
    pub payments_posted: usize,
    /// Of those, the payments matched to no sent claim.
    pub payments_unmatched: usize,
    /// Earlier postings undone by reversals.
    pub postings_undone: usize,
}

/// A payment not posted because its key belongs to a different payment.
#[derive(Debug, Serialize)]
pub struct PaymentConflict {
    /// The paying payer's id.
    pub payer_id: String,
    /// TRN02.
    pub trace: String,
}

/// What a reconciliation found (also what `reconcile --json` prints).
#[derive(Debug, Serialize)]
pub struct Summary {
    /// Remittance files given.
    pub files: usize,
    /// 835 transaction sets read.
    pub transactions: usize,
    /// Claim payments (CLPs) read.
    pub claim_payments: usize,
    /// By status.
    pub counts: Counts,
    /// The tie-out.
    pub tie_out: TieOut,
    /// Reversals and their partners.
    pub reversals: Vec<ReversalNote>,
    /// Rows of `denials.csv` (the worklist).
    pub denial_rows: usize,
    /// Remittance files that could not be read as 835s
    /// ([`Finding::unreadable`]).
    pub unreadable_files: Vec<Finding>,
    /// Envelope, read and balancing findings, by file and position.
    pub findings: Vec<Finding>,
    /// Findings beyond the kept ones (counted only).
    pub findings_not_kept: usize,
    /// Warnings about the claims' sources (unreadable sent 837s, claims
    /// files with errors): no PHI, meant for stderr.
    pub notes: Vec<Finding>,
    /// The reports written.
    pub reports: Vec<String>,
    /// One entry per payment (835 transaction set).
    pub payments: Vec<SetSummary>,
    /// What was posted (ledger mode).
    pub ledger: Option<LedgerNote>,
}

impl Summary {
    /// True in ledger mode when every payment read was already applied (a
    /// re-delivered 835) and none conflicts: nothing was posted and no
    /// report was rewritten.
    pub fn redelivered(&self) -> bool {
        self.ledger.as_ref().is_some_and(|l| {
            l.applied.is_empty() && !l.already_applied.is_empty() && l.conflicts.is_empty()
        })
    }

    /// True when a person must look: denials, partial payments, unmatched
    /// payments, reversals with no correction, error findings, unreadable
    /// files, a tie-out that does not hold, or a payment conflicting with one
    /// already applied. A re-delivered 835 that posted nothing needs a person
    /// only for errors, unreadable files or a tie-out that does not hold.
    pub fn needs_attention(&self) -> bool {
        let c = &self.counts;
        let errors = self.findings.iter().filter(|f| f.is_error()).count() + self.findings_not_kept;
        if self.redelivered() {
            // Nothing posted: its denials were worked when it was posted.
            return errors > 0 || !self.unreadable_files.is_empty() || !self.tie_out.ok;
        }
        let unpaired = self.reversals.iter().filter(|r| r.corrected_by_trace.is_none()).count();
        c.denied > 0
            || c.partial > c.partial_completed
            || c.unmatched > 0
            || unpaired > 0
            || errors > 0
            || !self.unreadable_files.is_empty()
            || !self.tie_out.ok
            || self.ledger.as_ref().is_some_and(|l| !l.conflicts.is_empty())
    }
}

/// The little kept of each claim payment after its rows are written.
pub(super) struct Compact {
    pub(super) status: ClaimStatus,
    pub(super) forwarded: bool,
    pub(super) paid: Decimal,
    pub(super) claim_id: Text,
    pub(super) set: usize,
}

/// The claims still waiting, with what no live payment answered yet: sent
/// claims that were waiting when the run started (never answered, partly
/// answered or reversed) or that a payment of this run touched.
pub(super) fn outstanding_rows(
    claims: &[SentClaim],
    waiting: &[bool],
    book: &Book,
    today: NaiveDate,
) -> Vec<OutstandingRow> {
    use rayon::prelude::*;
    // In claim order (rayon's collect keeps it), on every core.
    claims
        .par_iter()
        .enumerate()
        .filter(|(i, _)| waiting.get(*i).copied().unwrap_or(false) || book.touched(*i))
        .filter_map(|(i, c)| {
            let outstanding = book.unanswered(i, c);
            (outstanding > Decimal::ZERO).then(|| OutstandingRow {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer_id.clone(),
                billed: c.charge,
                outstanding,
                sent_on: c.sent_on,
                age_days: c.sent_on.map(|d| (today - d).num_days()),
            })
        })
        .collect()
}

/// A finding per reversal the ledger could pair with no live payment.
pub(super) fn unpaired_reversals(posted: Option<&ledger::PostSummary>) -> Vec<Finding> {
    let unpaired = posted.map(|p| p.unpaired_reversals.as_slice()).unwrap_or_default();
    unpaired
        .iter()
        .map(|u| {
            let mut f = Finding::warning(
                u.pos,
                "CLP",
                "RECON-REVERSAL",
                format!(
                    "reversal (CLP02 22) of payer claim number {} for {} billed, {} paid matches no live payment of this claim in the ledger: nothing undone",
                    if u.payer_claim_id.trim().is_empty() { "(none)" } else { u.payer_claim_id.trim() },
                    report::money(-u.billed),
                    report::money(-u.paid),
                ),
            );
            f.claim_id = u.claim_id.to_string();
            f.in_file(&u.file)
        })
        .collect()
}

/// The payments against the sets' BPR02 totals.
pub(super) fn tie_out(compact: &[Compact], plb: &[PlbRow], sets: &[SetSummary]) -> TieOut {
    let paid: Decimal = compact.iter().map(|c| c.paid).sum();
    let plb_total: Decimal = plb.iter().map(|p| p.amount).sum();
    let bpr02_total: Decimal = sets.iter().map(|s| s.bpr02).sum();
    TieOut {
        paid,
        provider_adjustments_effect: -plb_total,
        expected_bpr02: paid - plb_total,
        bpr02_total,
        ok: paid - plb_total == bpr02_total,
    }
}

/// Each reversal with the payment it undoes and the one that corrects it.
pub(super) fn reversal_notes(
    book: &Book,
    compact: &[Compact],
    sets: &[SetSummary],
) -> Vec<ReversalNote> {
    book.pairs()
        .iter()
        .map(|(i, p)| {
            let r = &compact[*i];
            ReversalNote {
                claim_id: r.claim_id.to_string(),
                check_trace: sets[r.set].trace.clone(),
                amount: r.paid,
                reverses_trace: p.reverses.map(|j| sets[compact[j].set].trace.clone()),
                corrected_by_trace: p.corrected_by.map(|j| sets[compact[j].set].trace.clone()),
                corrected_paid: p.corrected_by.map(|j| compact[j].paid),
            }
        })
        .collect()
}

/// What the ledger posting did, for the summary.
pub(super) fn ledger_note(p: ledger::PostSummary) -> LedgerNote {
    LedgerNote {
        applied: p.applied.iter().map(|(_, t)| t.clone()).collect(),
        already_applied: p.already_applied.iter().map(|(_, t)| t.clone()).collect(),
        conflicts: p
            .conflicts
            .into_iter()
            .map(|(payer_id, trace)| PaymentConflict { payer_id, trace })
            .collect(),
        payments_posted: p.payments,
        payments_unmatched: p.unmatched,
        postings_undone: p.undone,
    }
}
