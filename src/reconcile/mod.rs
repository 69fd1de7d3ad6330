//! Reconciliation: 835 claim payments matched to the claims that were sent,
//! classified, and turned into report rows.
//!
//! Matching (see `docs/reconcile.md`): the paying payer of a set is found
//! by its REF*2U, N1*PR N104 or TRN03 ([`PayerNames`]); a CLP goes to a
//! sent claim of that payer by CLP01 = claim id (trimmed, case-insensitive),
//! then by CLP01 as an unambiguous prefix of a claim id (payers truncate),
//! then by CLP07 for claims whose payer claim number is known; then to the
//! claim with that id when only one payer was sent one. Each SVC goes to a sent line by
//! REF*6R, then by procedure + modifiers + date + charge (SVC06 when the payer
//! changed the code), then by procedure + date (split lines). Every result
//! says which rule matched.
//!
//! The [`ClaimIndex`] is built once (an id table, a hash map, a sorted id list), then
//! remittances are reconciled independently (in parallel by the caller);
//! the [`Book`] then accounts them in file order (lines answered,
//! reversals, PLB ties). This module holds the statuses, rules and result
//! types; by role: `index` (payers and sent claims), `lines` (service line
//! matching), `money` (money columns), `remittance` (one set's claim
//! payments), `fingerprint`, `account`, `denial`, `report`, `source` and
//! `run` (the job). It does not read files, write reports (see `report`) or
//! touch the ledger outside `run`.

use chrono::NaiveDate;
use serde::Serialize;

pub use crate::claim::ClaimStatus;
use crate::x12::Position;
use crate::Text;

mod account;
mod batches;
pub(crate) mod detail;
mod fingerprint;
mod index;
mod lines;
mod money;
mod redelivered;
mod remittance;
pub mod report;
mod run;
mod sent;
mod set;
mod source;
mod summary;
#[cfg(test)]
mod testing;

pub(crate) use crate::claim::denial::{denial_of, is_denial_adjustment};
pub use crate::claim::denial::{Bucket, Category, Denial};
pub use crate::claim::Action;
pub use crate::claim::PayerNames;
pub use account::Book;
pub use fingerprint::fingerprint;
pub use index::ClaimIndex;
pub(crate) use index::{payer_claim_key, FastHash};
pub(crate) use lines::{all_lines, line_bit};
pub use money::Figures;
pub use remittance::reconcile_remittance;
pub use run::{run, Claims, Error, Options};
pub use sent::{SentClaim, SentLine};
pub use summary::{Counts, LedgerNote, PaymentConflict, ReversalNote, SetSummary, Summary, TieOut};

/// How a claim payment was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimRule {
    /// CLP01 equals the id (trimmed, case-insensitive) of a claim sent to
    /// the paying payer.
    ClaimId,
    /// CLP01 is a prefix of exactly one claim id of the paying payer (the
    /// payer truncated it).
    ClaimIdPrefix,
    /// CLP07 equals a known payer claim number of the paying payer.
    PayerClaimId,
    /// CLP01 equals the id of exactly one sent claim, sent to another payer
    /// than the paying one, or the paying payer is unknown.
    ClaimIdOnly,
    /// Nothing matched.
    None,
}

impl ClaimRule {
    /// The word in the reports.
    pub(crate) fn words(self) -> &'static str {
        match self {
            ClaimRule::ClaimId => "claim_id",
            ClaimRule::ClaimIdPrefix => "claim_id_prefix",
            ClaimRule::PayerClaimId => "payer_claim_id",
            ClaimRule::ClaimIdOnly => "claim_id_only",
            ClaimRule::None => "none",
        }
    }
}

/// How a service line payment was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineRule {
    /// REF*6R equals the sent line id.
    LineId,
    /// SVC01 procedure + modifiers + date + charge.
    Procedure,
    /// SVC06 (the submitted code, the payer changed it) + modifiers + date + charge.
    OriginalProcedure,
    /// Procedure + date only (a line the payer split, or repriced).
    ProcedureDate,
    /// Charge + date, when exactly one sent line not yet matched has them
    /// (the payer re-coded the line without giving SVC06).
    ChargeDate,
    /// Nothing matched (or the claim is unmatched).
    None,
}

impl LineRule {
    /// The word in the reports.
    pub(crate) fn words(self) -> &'static str {
        match self {
            LineRule::LineId => "line_id",
            LineRule::Procedure => "procedure",
            LineRule::OriginalProcedure => "original_procedure",
            LineRule::ProcedureDate => "procedure_date",
            LineRule::ChargeDate => "charge_date",
            LineRule::None => "none",
        }
    }
}

/// One service line's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineResult {
    /// Position of the SVC.
    pub pos: Position,
    /// The sent line's id when matched, else REF*6R, else empty.
    pub line_id: Text,
    /// SVC01 code with modifiers (`99213:25`).
    pub procedure: Text,
    /// Line status (paid, partial, denied, patient_responsibility, reversed, unmatched).
    pub status: ClaimStatus,
    /// How it matched.
    pub rule: LineRule,
    /// Money.
    pub figures: Figures,
    /// `GROUP-CARC` codes, distinct, in file order.
    pub carc: Vec<Text>,
    /// LQ remark codes.
    pub rarc: Vec<Text>,
    /// Set when the line is denied, or paid with a denied reduction (for the worklist).
    pub denial: Option<Denial>,
}

/// Links of a reversal: indexes into the result list of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Pairing {
    /// The earlier payment this reversal cancels, when it is in this run.
    pub reverses: Option<usize>,
    /// The corrected payment that follows it, when there is one.
    pub corrected_by: Option<usize>,
}

/// One claim payment's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ClaimResult {
    /// Index of the input file (order given on the command line).
    pub file: usize,
    /// Position of the CLP in its file.
    pub pos: Position,
    /// The matched claim's id, else CLP01.
    pub claim_id: Text,
    /// CLP01 as received.
    pub clp01: Text,
    /// Index of the matched sent claim.
    pub sent: Option<usize>,
    /// The paying payer's id as the config (or the sent claims) name it,
    /// else the 835's (REF*2U, N1*PR N104 or TRN03).
    pub payer_id: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// CLP02.
    pub clp02: Text,
    /// The classification.
    pub status: ClaimStatus,
    /// Processed and forwarded to another payer (CLP02 19/20/21 or
    /// NM1*TT); false for status [`ClaimStatus::Forwarded`], which says so itself.
    pub forwarded: bool,
    /// How it matched.
    pub rule: ClaimRule,
    /// Money.
    pub figures: Figures,
    /// `GROUP-CARC` codes of claim and lines, distinct, in file order.
    pub carc: Vec<Text>,
    /// Remark codes (MOA/MIA, then LQ), distinct.
    pub rarc: Vec<Text>,
    /// Every adjustment as `GROUP-CARC amount`, joined with `;` (claim, then
    /// lines); empty unless asked for (see [`reconcile_remittance`]).
    pub adjustments: String,
    /// TRN02.
    pub check_trace: Text,
    /// BPR16.
    pub payment_date: Option<NaiveDate>,
    /// Lines.
    pub lines: Vec<LineResult>,
    /// Set when the whole claim is denied, or when a paid claim has denied
    /// reductions at claim level (CAS after CLP); the lines carry their own.
    pub denial: Option<Denial>,
    /// Set on reversals.
    pub pairing: Option<Pairing>,
    /// When unmatched although sent claims have CLP01 as their id (several
    /// payers, none the paying one): those claims' payer ids, sorted.
    pub candidates: Vec<Text>,
    /// The sent lines this payment answers, one bit per line in sent order
    /// (bit `i` for line `i`; lines past the 64th share the last bit): the
    /// lines its SVCs matched, or every line when it has no SVC
    /// (adjudicated at claim level). 0 when unmatched.
    pub answered: u64,
    /// The status of the matched claim once this payment is accounted
    /// ([`Book::account`]): every live payment of the claim considered, line
    /// by line (a claim paid in parts is `paid` once every part is in, even
    /// when an earlier part was `partial` for want of the later one).
    /// `None` until accounted, and for unmatched payments.
    pub claim_status: Option<ClaimStatus>,
    /// True when the paying payer is not the claim's payer and answers as a
    /// later payer (CLP02 2 or 3: processed as secondary or tertiary): the
    /// crossover payer of a claim the primary forwarded. Its payment is that
    /// payer's answer on the claim, posted under its own id; it answers
    /// nothing of the primary's claim.
    pub later_payer: bool,
    /// True when it answers lines an earlier live denial of the claim
    /// answered, and is no reversal: it overturns that denial, which stops
    /// counting (in this run and in the ledger).
    pub replaces_denial: bool,
}

impl ClaimResult {
    /// The status word, with `+forwarded` when the claim was forwarded.
    pub(crate) fn status_words(&self) -> String {
        if self.forwarded {
            format!("{}+forwarded", self.status.as_str())
        } else {
            self.status.as_str().to_string()
        }
    }
}
