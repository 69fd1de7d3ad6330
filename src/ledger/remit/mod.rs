//! Remittances in the ledger (schema versions 2 to 6): which 835s were
//! applied, the claim payments they posted, and reversals undoing earlier
//! postings.
//!
//! A payment (an 835 transaction set) is applied once, keyed by payer id +
//! TRN02 trace number + TRN03, whatever file or envelope carries it: the
//! same payment again (the same content fingerprint) posts nothing, and a
//! different payment under a key already used is a conflict that posts
//! nothing either. Rows posted before version 5 have no fingerprint: their
//! BPR02 and claim payments are compared instead.
//! Each claim payment adds a `claim_payments` row and, when it matched a sent
//! claim, sets that claim's current status (and the payer's claim number,
//! CLP07). The payment row is also the claim's status-history event: the
//! `claim_events` view lists `claim_history` (build events) and matched
//! payments together. A reversal (CLP02 = 22) marks the live payment of the
//! claim with the same payer claim number (CLP07) and the negated CLP03 and
//! CLP04 as `reversed_by` it (none found: nothing undone, and it is listed
//! in [`PostSummary::unpaired_reversals`]); the corrected payment that
//! follows posts fresh. Each remittance's PLB adjustments are recorded
//! too (`account`). This module does not match or classify (that is
//! `reconcile`).
//!
//! `sent` reads the claims and files the ledger knows as sent, `post` posts
//! remittances, `schema` holds the migrations of versions 2 to 5.

use rust_decimal::Decimal;

use crate::claim::ClaimStatus;
use crate::Text;

mod post;
mod schema;
mod sent;

pub(crate) use schema::{MIGRATION_V2, MIGRATION_V3, MIGRATION_V4, MIGRATION_V5};
pub use sent::{LedgerClaim, SentFile, SentRow};

/// One claim payment to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPosting {
    /// The matched claim's CLM01 (CLP01 when unmatched).
    pub claim_id: Text,
    /// The matched claim's payer id (the remittance's payer when unmatched).
    pub payer_id: Text,
    /// The matched claim's [`LedgerClaim::row`]; `None` when no sent claim
    /// matched (the payment is kept for audit, no claim changes).
    pub claim_row: Option<i64>,
    /// CLP01 as received.
    pub clp01: Text,
    /// CLP02.
    pub clp02: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// Classification (paid, denied, reversed, …).
    pub status: ClaimStatus,
    /// The status the matched claim has after this payment, when it is not
    /// `status` (a claim paid in parts: every live payment considered);
    /// `None`: `status`.
    pub claim_status: Option<ClaimStatus>,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// PR total.
    pub patient_responsibility: Decimal,
    /// Contractual total (CO adjustments with a contractual reason).
    pub contractual: Decimal,
    /// Denied total (the adjustments the office can act on).
    pub denied: Decimal,
    /// Total of the other adjustments.
    pub other_adjustments: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;` (claim, then lines).
    pub adjustments: String,
    /// True for a reversal (CLP02 = 22).
    pub reversal: bool,
    /// The sent line ids the payment answered, `;`-joined; `None` when it
    /// answered every line of the claim (or the lines are not known).
    pub lines: Option<String>,
    /// Where the CLP is in its file (names an unpaired reversal).
    pub pos: crate::x12::Position,
    /// Allowed amount (AMT*B6 of every line when each line gives one, else
    /// paid + patient responsibility).
    pub allowed: Decimal,
    /// The adjustments counted in `denied`, claim level then lines.
    pub denials: Vec<super::DenialPosting>,
    /// True when it answers lines an earlier live denial of the claim
    /// answered, without a reversal: it replaces that denial.
    pub replaces_denial: bool,
}

/// One 835 transaction set (one payment) to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemitPosting {
    /// The paying payer's id.
    pub payer_id: String,
    /// TRN02.
    pub trace: String,
    /// TRN03 (the payer's originating company id).
    pub trn03: String,
    /// sha256 (hex) of the payment's content, not of its bytes: the same
    /// payment in another envelope or byte form has the same fingerprint.
    pub fingerprint: String,
    /// sha256 of the file, hex.
    pub file_sha256: String,
    /// The file as named.
    pub file: String,
    /// ST02.
    pub st02: String,
    /// BPR02.
    pub bpr02: Decimal,
    /// BPR16, `YYYY-MM-DD`.
    pub payment_date: Option<String>,
    /// PLB total (positive = taken back).
    pub plb_total: Decimal,
    /// Claim payments in file order.
    pub payments: Vec<PaymentPosting>,
    /// The PLB adjustments, in file order.
    pub adjustments: Vec<super::PlbPosting>,
    /// The service lines of the matched payments, summed by the claim's
    /// payer and procedure (schema version 9); inserted with the
    /// remittance.
    pub procedures: super::ProcedureSums,
}

/// A reversal whose claim has no live payment with its payer claim number
/// and negated amounts: it was recorded, and nothing was undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpairedReversal {
    /// The 835 file.
    pub file: String,
    /// Where its CLP is.
    pub pos: crate::x12::Position,
    /// The claim.
    pub claim_id: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// CLP03 (negative).
    pub billed: Decimal,
    /// CLP04 (negative).
    pub paid: Decimal,
}

/// What a posting run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostSummary {
    /// (payer, trace) of sets posted now.
    pub applied: Vec<(String, String)>,
    /// (payer, trace) of sets that were already applied (nothing posted).
    pub already_applied: Vec<(String, String)>,
    /// (payer, trace) of sets whose payer and trace (and TRN03) belong to a
    /// different payment already applied: nothing posted.
    pub conflicts: Vec<(String, String)>,
    /// Claim payments posted.
    pub payments: usize,
    /// Of those, payments matched to no sent claim (recorded, no claim updated).
    pub unmatched: usize,
    /// Earlier postings undone by reversals.
    pub undone: usize,
    /// Reversals that found no live payment to undo.
    pub unpaired_reversals: Vec<UnpairedReversal>,
}
