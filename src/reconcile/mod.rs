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
//! The [`ClaimIndex`] is built once (hash maps and a sorted id list), then
//! remittances are reconciled independently (in parallel by the caller);
//! `pair_reversals` links reversals to the payment they cancel and the
//! correction that follows. This module does not read files, write reports
//! (see `report`) or touch the ledger.

use crate::Text;
use std::collections::HashMap;

use chrono::NaiveDate;
use rayon::slice::ParallelSliceMut;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::claim::ClaimStatus;
use crate::edi835::{Adjustment, ClaimPayment, Group, Remittance, ServicePayment};
use crate::x12::Position;

mod account;
pub(crate) mod denial;
pub(crate) mod detail;
pub mod report;
mod run;
mod sent;
mod source;

pub use account::Book;
pub use denial::{Action, Category};
pub use run::{
    run, BrokenFile, Claims, Counts, Error, LedgerNote, Options, PaymentConflict, ReversalNote,
    SetSummary, Summary, TieOut,
};
pub use sent::{SentClaim, SentLine};

/// What happened to a claim (or line), per the 835.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Payment > 0 and no line denied.
    Paid,
    /// Payment > 0, but some of the charge was denied (a CO adjustment whose
    /// reason is not contractual, or a PI/OA one the office can act on).
    Partial,
    /// CLP02 = 4, or payment 0 and not all patient responsibility.
    Denied,
    /// Payment 0 and everything assigned to the patient (deductible…).
    PatientResponsibility,
    /// CLP02 = 22 (or a negative payment): cancels an earlier payment.
    Reversed,
    /// CLP02 = 23: not this payer's claim; it forwarded the claim to another
    /// payer, whose remittance is the answer. Not a denial.
    Forwarded,
    /// No sent claim matches.
    Unmatched,
    /// Sent, not remitted yet (ledger mode only).
    Outstanding,
    /// A sent line of a matched claim that no claim payment answered, in
    /// this payment or before it (line status only).
    NotAdjudicated,
}

impl Status {
    /// The word in the reports: the ledger's word for the claim status
    /// ([`ClaimStatus::as_str`]), `outstanding` for a claim with no payment.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Status::Paid => "paid",
            Status::Partial => "partial",
            Status::Denied => "denied",
            Status::PatientResponsibility => "patient_responsibility",
            Status::Reversed => "reversed",
            Status::Forwarded => "forwarded",
            Status::Unmatched => "unmatched",
            Status::Outstanding => "outstanding",
            Status::NotAdjudicated => "not_adjudicated",
        }
    }

    /// The ledger status a payment of this status gives its claim; `None`
    /// for `Outstanding` and `NotAdjudicated`, which no payment has.
    pub(crate) fn claim_status(self) -> Option<ClaimStatus> {
        Some(match self {
            Status::Paid => ClaimStatus::Paid,
            Status::Partial => ClaimStatus::Partial,
            Status::Denied => ClaimStatus::Denied,
            Status::PatientResponsibility => ClaimStatus::PatientResponsibility,
            Status::Reversed => ClaimStatus::Reversed,
            Status::Forwarded => ClaimStatus::Forwarded,
            Status::Unmatched => ClaimStatus::Unmatched,
            Status::Outstanding | Status::NotAdjudicated => return None,
        })
    }
}

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

/// Minimum length of a CLP01 for prefix matching: shorter ids match too much.
const MIN_PREFIX: usize = 6;

fn norm(s: &str) -> String {
    s.trim().to_ascii_uppercase()
}

/// The bytes of `norm(s)`, without allocating.
fn norm_bytes(s: &str) -> impl Iterator<Item = u8> + '_ {
    s.trim().bytes().map(|b| b.to_ascii_uppercase())
}

/// The hasher of the id maps (FxHash): the keys are claim ids we sent
/// ourselves, so the flooding resistance of the default hasher buys nothing.
type FastHash = rustc_hash::FxBuildHasher;

/// How payers name themselves in 835s: each payer id and alias (trimmed,
/// upper case) to the payer id. Filled from the config's payers (`id` and
/// `aliases`); the payer ids of the sent claims are added by the run.
#[derive(Clone, Debug, Default)]
pub struct PayerNames {
    names: HashMap<String, Text, FastHash>,
}

impl PayerNames {
    /// No names known.
    pub fn new() -> PayerNames {
        PayerNames::default()
    }

    /// Adds payer `id` and its `aliases`. A name already known keeps its payer.
    pub fn add<'s>(&mut self, id: &'s str, aliases: impl IntoIterator<Item = &'s str>) {
        let id = id.trim();
        if id.is_empty() {
            return;
        }
        for name in std::iter::once(id).chain(aliases) {
            let key = norm(name);
            if !key.is_empty() {
                self.names.entry(key).or_insert_with(|| Text::new(id));
            }
        }
    }

    /// True when no name is known.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The payer id `name` stands for.
    pub fn get(&self, name: &str) -> Option<&Text> {
        let trimmed = name.trim();
        if trimmed.is_empty() {
            return None;
        }
        if !trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.names.get(trimmed);
        }
        self.names.get(&norm(trimmed))
    }

    /// The paying payer of remittance `rem`: the first of REF*2U, N1*PR
    /// N104 and TRN03 that is a known payer id or alias.
    pub fn paying_payer(&self, rem: &Remittance) -> Option<Text> {
        let ref2u = rem.payer.refs.iter().filter(|r| r.qualifier == "2U").map(|r| r.value.as_str());
        ref2u
            .chain([rem.payer.id.as_str(), rem.trace.trn03_originator.as_str()])
            .find_map(|n| self.get(n))
            .cloned()
    }
}

/// No earlier claim with the same id (end of a [`ClaimIndex`] chain).
const NO_CLAIM: u32 = u32::MAX;

/// Lookup tables over the sent claims, built once.
#[derive(Debug)]
pub struct ClaimIndex<'a> {
    claims: &'a [SentClaim],
    /// Normalized claim id to the latest claim with that id.
    by_id: HashMap<String, usize, FastHash>,
    /// Per claim: the previous claim with the same normalized id (sent to
    /// another payer, or sent again), else [`NO_CLAIM`]. Walking it needs no
    /// allocation.
    same_id: Vec<u32>,
    /// Indexes of the claims in `by_id`, sorted by normalized id (for
    /// prefixes); built on the first prefix lookup, as most runs never need it.
    sorted: std::sync::OnceLock<Vec<usize>>,
    /// Normalized payer id, a 0x1F byte, normalized payer claim number.
    by_payer_claim: HashMap<String, usize, FastHash>,
}

fn same_payer(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

impl<'a> ClaimIndex<'a> {
    /// Indexes `claims`. When a claim id appears twice for one payer (sent
    /// again), the later one wins.
    pub fn new(claims: &'a [SentClaim]) -> ClaimIndex<'a> {
        let mut by_id: HashMap<String, usize, FastHash> =
            HashMap::with_capacity_and_hasher(claims.len(), FastHash::default());
        let mut by_payer_claim = HashMap::with_hasher(FastHash::default());
        let mut same_id = vec![NO_CLAIM; claims.len()];
        for (i, c) in claims.iter().enumerate() {
            let id = c.claim_id.trim();
            // Most ids are sent in upper case already: no second pass.
            let key = if id.bytes().any(|b| b.is_ascii_lowercase()) {
                id.to_ascii_uppercase()
            } else {
                id.to_string()
            };
            if let Some(prev) = by_id.insert(key, i) {
                same_id[i] = u32::try_from(prev).unwrap_or(NO_CLAIM);
            }
            if let Some(p) = c.payer_claim_id.as_deref().filter(|p| !p.trim().is_empty()) {
                by_payer_claim.insert(payer_claim_key(&c.payer_id, p), i);
            }
        }
        ClaimIndex { claims, by_id, same_id, sorted: std::sync::OnceLock::new(), by_payer_claim }
    }

    /// The sent claims.
    pub(crate) fn claims(&self) -> &'a [SentClaim] {
        self.claims
    }

    /// The claims with the same normalized id as claim `i`, latest first.
    fn chain(&self, i: usize) -> impl Iterator<Item = usize> + '_ {
        std::iter::successors(Some(i), |&j| {
            let p = self.same_id[j];
            (p != NO_CLAIM).then_some(p as usize)
        })
    }

    /// The latest claim with the same id as claim `i` sent to `payer`.
    fn for_payer(&self, i: usize, payer: &str) -> Option<usize> {
        self.chain(i).find(|&j| same_payer(&self.claims[j].payer_id, payer))
    }

    /// The latest claim sent with the id of `i` when every claim with that
    /// id was sent to one payer; `None` when several payers have it.
    fn only_one(&self, i: usize) -> Option<usize> {
        let payer = &self.claims[i].payer_id;
        self.chain(i).all(|j| same_payer(&self.claims[j].payer_id, payer)).then_some(i)
    }

    /// The latest claim whose normalized id is `claim_id` normalized.
    fn latest(&self, claim_id: &str) -> Option<usize> {
        let trimmed = claim_id.trim();
        // Fast path without allocating: ids are usually sent in upper case.
        if !trimmed.bytes().any(|b| b.is_ascii_lowercase()) {
            return self.by_id.get(trimmed).copied();
        }
        self.by_id.get(&norm(trimmed)).copied()
    }

    /// Finds the sent claim for CLP01 `claim_id` / CLP07 `payer_claim_id`
    /// paid by `payer` (the paying payer's id, `None` when unknown), in the
    /// order of `docs/reconcile.md`: claim id, prefix and payer claim number
    /// among the paying payer's claims, then the claim id alone when exactly
    /// one payer was sent a claim with that id.
    pub(crate) fn find(
        &self,
        claim_id: &str,
        payer_claim_id: &str,
        payer: Option<&str>,
    ) -> (Option<usize>, ClaimRule) {
        let latest = self.latest(claim_id);
        if let Some(payer) = payer {
            if let Some(i) = latest.and_then(|i| self.for_payer(i, payer)) {
                return (Some(i), ClaimRule::ClaimId);
            }
            if let Some(i) = self.prefix(claim_id, payer) {
                return (Some(i), ClaimRule::ClaimIdPrefix);
            }
            let pcn = payer_claim_id.trim();
            if !pcn.is_empty() {
                if let Some(&i) = self.by_payer_claim.get(&payer_claim_key(payer, pcn)) {
                    return (Some(i), ClaimRule::PayerClaimId);
                }
            }
        }
        match latest.and_then(|i| self.only_one(i)) {
            Some(i) => (Some(i), ClaimRule::ClaimIdOnly),
            None => (None, ClaimRule::None),
        }
    }

    /// The one claim of `payer` whose id starts with `claim_id` (at least
    /// [`MIN_PREFIX`] characters).
    fn prefix(&self, claim_id: &str, payer: &str) -> Option<usize> {
        let key = norm(claim_id);
        if key.len() < MIN_PREFIX {
            return None;
        }
        let id = |i: usize| norm_bytes(&self.claims[i].claim_id);
        let sorted = self.sorted.get_or_init(|| {
            let mut v: Vec<usize> = self.by_id.values().copied().collect();
            v.par_sort_unstable_by(|&a, &b| id(a).cmp(id(b)));
            v
        });
        let start = sorted.partition_point(|&i| id(i).lt(key.bytes()));
        let mut hits = sorted[start..]
            .iter()
            .take_while(|&&i| id(i).take(key.len()).eq(key.bytes()))
            .filter_map(|&i| self.for_payer(i, payer));
        match (hits.next(), hits.next()) {
            (Some(i), None) => Some(i),
            _ => None,
        }
    }

    /// The payer ids of the sent claims with CLP01 `claim_id` as their id,
    /// distinct, sorted (for a finding when it is ambiguous).
    pub(crate) fn payers_of(&self, claim_id: &str) -> Vec<Text> {
        let mut payers: Vec<Text> = match self.latest(claim_id) {
            Some(i) => self.chain(i).map(|j| self.claims[j].payer_id.clone()).collect(),
            None => Vec::new(),
        };
        payers.sort();
        payers.dedup();
        payers
    }
}

fn payer_claim_key(payer: &str, payer_claim_id: &str) -> String {
    let mut k = norm(payer);
    k.push('\u{1f}');
    k.push_str(&norm(payer_claim_id));
    k
}

/// The content fingerprint of a payment (one 835 transaction set): sha256,
/// hex, over BPR01-04 and BPR16, TRN02 and TRN03, every PLB item, and per
/// claim payment CLP01-CLP07, its adjustments and its service lines (SVC01
/// code and modifiers, SVC02, SVC03, SVC05, REF*6R, adjustments). Values
/// are trimmed, ids upper case, amounts normalized (`125.00` = `125`), and
/// each is written with its length: the same payment in another envelope
/// (ISA13, GS06, ST02), with other delimiters or line endings, has the same
/// fingerprint; any other amount, code or claim changes it.
pub fn fingerprint(rem: &Remittance) -> String {
    use sha2::Digest;
    /// The canonical bytes, hashed once at the end; a text buffer for amounts.
    struct Canon(Vec<u8>, String);
    impl Canon {
        fn n(&mut self, n: usize) {
            self.0.extend_from_slice(&(n as u32).to_le_bytes());
        }
        fn s(&mut self, v: &str) {
            let v = v.trim();
            self.n(v.len());
            self.0.extend_from_slice(v.as_bytes());
        }
        fn id(&mut self, v: &str) {
            let v = v.trim();
            self.n(v.len());
            self.0.extend(v.bytes().map(|b| b.to_ascii_uppercase()));
        }
        fn dec(&mut self, d: Decimal) {
            self.1.clear();
            crate::numtext::push_normalized(&mut self.1, d);
            self.n(self.1.len());
            self.0.extend_from_slice(self.1.as_bytes());
        }
        fn opt(&mut self, d: Option<Decimal>) {
            match d {
                Some(d) => self.dec(d),
                None => self.s("-"),
            }
        }
        fn adjustments(&mut self, adjs: &[Adjustment]) {
            self.n(adjs.len());
            for a in adjs {
                self.id(&a.group_code);
                self.id(&a.reason);
                self.dec(a.amount);
                self.opt(a.quantity);
            }
        }
    }
    let mut c = Canon(Vec::with_capacity(256 * rem.claims.len() + 256), String::new());
    c.s("claimflow-payment-v1");
    let p = &rem.payment;
    c.id(&p.bpr01_handling);
    c.dec(p.bpr02_amount);
    c.id(&p.bpr03_credit_debit);
    c.id(&p.bpr04_method);
    c.s(&p.bpr16_date.map(|d| d.to_string()).unwrap_or_default());
    c.id(&rem.trace.trn02_number);
    c.id(&rem.trace.trn03_originator);
    for plb in &rem.provider_adjustments {
        c.id(&plb.provider_id);
        c.s(&plb.fiscal_date.map(|d| d.to_string()).unwrap_or_default());
        c.n(plb.items.len());
        for i in &plb.items {
            c.id(&i.reason);
            c.id(&i.reference);
            c.dec(i.amount);
        }
    }
    c.n(rem.claims.len());
    for cp in &rem.claims {
        c.id(&cp.clp01_claim_id);
        c.id(&cp.clp02_status);
        c.dec(cp.clp03_charge);
        c.dec(cp.clp04_paid);
        c.opt(cp.clp05_patient_responsibility);
        c.id(&cp.clp06_filing_indicator);
        c.id(&cp.clp07_payer_claim_id);
        c.adjustments(&cp.adjustments);
        c.n(cp.lines.len());
        for l in &cp.lines {
            c.id(&l.svc01_procedure.code);
            c.n(l.svc01_procedure.modifiers.len());
            for m in &l.svc01_procedure.modifiers {
                c.id(m);
            }
            c.dec(l.svc02_charge);
            c.dec(l.svc03_paid);
            c.opt(l.svc05_units);
            c.id(l.line_id.as_deref().unwrap_or_default());
            c.adjustments(&l.adjustments);
        }
    }
    crate::ledger::hex(&sha2::Sha256::digest(&c.0))
}

/// Money figures of a claim or line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// CLP03 / SVC02.
    pub billed: Decimal,
    /// Sum of AMT*B6 when every line reports it; else paid + patient responsibility.
    pub allowed: Decimal,
    /// CLP04 / SVC03.
    pub paid: Decimal,
    /// Sum of PR adjustments.
    pub patient_responsibility: Decimal,
    /// Sum of CO adjustments whose reason is a contractual one
    /// ([`Options::contractual_carcs`](crate::reconcile::Options)).
    pub contractual: Decimal,
    /// Sum of the adjustments that deny money the office can act on (see
    /// [`Bucket::Denied`]).
    pub denied: Decimal,
    /// Sum of the other adjustments (see [`Bucket::Other`]).
    pub other_adjustments: Decimal,
    /// billed − paid − patient responsibility − contractual − denied − other
    /// adjustments (0 when balanced).
    pub variance: Decimal,
}

/// The money column an adjustment is reported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    /// Group PR: the patient's share.
    PatientResponsibility,
    /// Group CO with a reason in the contractual list: the contract write-off.
    Contractual,
    /// Money withheld for a reason the office can act on (resubmit, appeal,
    /// bill another payer, bill the patient): group CO with any reason not in
    /// the contractual list, and group PI or OA, except as [`Bucket::Other`] says.
    Denied,
    /// Adjustments that are not the office's to act on: PI or OA with a
    /// reason in the contractual list (a contract reduction the payer filed
    /// under another group), OA-23 (the amount another payer's adjudication
    /// already covers), and the legacy CR group or an unknown group code.
    Other,
}

/// The CARC reason of the other payer's adjudication (OA-23).
const PRIOR_PAYER_CARC: &str = "23";

/// Which money column adjustment `a` is reported in; `contractual` are the
/// contractual CARC codes (upper case).
pub(crate) fn bucket(a: &Adjustment, contractual: &[String]) -> Bucket {
    let reason = a.reason.trim();
    let is_contractual = || contractual.iter().any(|c| c.eq_ignore_ascii_case(reason));
    match a.group {
        Some(Group::PR) => Bucket::PatientResponsibility,
        Some(Group::CO) if is_contractual() => Bucket::Contractual,
        Some(Group::CO) => Bucket::Denied,
        Some(Group::PI | Group::OA) if is_contractual() || reason == PRIOR_PAYER_CARC => {
            Bucket::Other
        }
        Some(Group::PI | Group::OA) => Bucket::Denied,
        _ => Bucket::Other,
    }
}

impl Figures {
    /// A claim the payer says is not its own (CLP02 23): what it did not
    /// pay is for the other payer to answer, so nothing is `denied`; those
    /// amounts are `other_adjustments`.
    fn not_ours(&mut self) {
        self.other_adjustments += self.denied;
        self.denied = Decimal::ZERO;
    }

    fn new<'x>(
        billed: Decimal,
        paid: Decimal,
        adjustments: impl Iterator<Item = &'x Adjustment>,
        allowed: Option<Decimal>,
        contractual: &[String],
    ) -> Figures {
        let mut f = Figures { billed, paid, ..Figures::default() };
        for a in adjustments {
            match bucket(a, contractual) {
                Bucket::PatientResponsibility => f.patient_responsibility += a.amount,
                Bucket::Contractual => f.contractual += a.amount,
                Bucket::Denied => f.denied += a.amount,
                Bucket::Other => f.other_adjustments += a.amount,
            }
        }
        f.allowed = allowed.unwrap_or(f.paid + f.patient_responsibility);
        f.variance = billed
            - paid
            - f.patient_responsibility
            - f.contractual
            - f.denied
            - f.other_adjustments;
        f
    }
}

/// A denial worklist entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Denial {
    /// Category of the main reason.
    pub category: Category,
    /// Suggested next action.
    pub action: Action,
    /// For a denied claim or line, the amount not paid (billed − paid); for
    /// a reduction of a paid claim or line, the reduction (its `denied` money).
    pub amount: Decimal,
    /// `GROUP-CARC` codes of the adjustments it covers, distinct, in file order.
    pub carc: Vec<Text>,
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
    pub status: Status,
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
    pub status: Status,
    /// Processed and forwarded to another payer (CLP02 19/20/21 or
    /// NM1*TT); false for status [`Status::Forwarded`], which says so itself.
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
}

impl ClaimResult {
    /// The status word, with `+forwarded` when the claim was forwarded.
    pub(crate) fn status_words(&self) -> String {
        if self.forwarded {
            format!("{}+forwarded", self.status.words())
        } else {
            self.status.words().to_string()
        }
    }
}

fn distinct(into: &mut Vec<Text>, s: Text) {
    if !s.is_empty() && !into.contains(&s) {
        into.push(s);
    }
}

fn carc_code(a: &Adjustment) -> Text {
    let mut s = Text::with_capacity(a.group_code.len() + 1 + a.reason.len());
    s.push_str(&a.group_code);
    s.push('-');
    s.push_str(&a.reason);
    s
}

/// The main reason of a denial: the largest denying adjustment; else the
/// largest non-patient one; else the largest.
fn primary<'x>(
    adjs: impl Iterator<Item = &'x Adjustment> + Clone,
    contractual: &[String],
) -> Option<&'x Adjustment> {
    let largest = |it: &mut dyn Iterator<Item = &'x Adjustment>| it.max_by_key(|a| a.amount);
    largest(&mut adjs.clone().filter(|a| bucket(a, contractual) == Bucket::Denied))
        .or_else(|| largest(&mut adjs.clone().filter(|a| a.group != Some(Group::PR))))
        .or_else(|| largest(&mut adjs.clone()))
}

/// The worklist entry for adjustments `adjs` (all of a denied claim or
/// line, or only the denying ones of a reduction).
fn denial_of<'x>(
    adjs: impl Iterator<Item = &'x Adjustment> + Clone,
    amount: Decimal,
    contractual: &[String],
    forwarded: bool,
) -> Denial {
    let mut carc = Vec::new();
    for a in adjs.clone() {
        distinct(&mut carc, carc_code(a));
    }
    match primary(adjs, contractual) {
        Some(a) => {
            let category = denial::category(&a.reason);
            let action = denial::action(category, a.group, forwarded);
            Denial { category, action, amount, carc }
        }
        None => Denial { category: Category::Other, action: Action::Appeal, amount, carc },
    }
}

/// The worklist entry of a payment the ledger recorded: its adjustments as
/// `claim_payments.adjustments` holds them (`GROUP-CARC amount` joined with
/// `;`), read back and classified as [`reconcile_remittance`] does. Used by
/// the status worklist; words it cannot read are left out.
pub(crate) fn denial_of_recorded(
    adjustments: &str,
    amount: Decimal,
    contractual: &[String],
) -> Denial {
    let adjs: Vec<Adjustment> = adjustments
        .split(';')
        .filter_map(|a| {
            let (code, value) = a.trim().split_once(' ')?;
            let (group, reason) = code.split_once('-')?;
            Some(Adjustment {
                group: Group::from_code(group),
                group_code: Text::new(group),
                reason: Text::new(reason),
                amount: value.trim().parse().ok()?,
                quantity: None,
            })
        })
        .collect();
    let denying: Vec<&Adjustment> =
        adjs.iter().filter(|a| is_denial_adjustment(a, contractual)).collect();
    if denying.is_empty() {
        denial_of(adjs.iter(), amount, contractual, false)
    } else {
        denial_of(denying.into_iter(), amount, contractual, false)
    }
}

/// True for an adjustment that denies money (see [`Bucket::Denied`]) and
/// is not zero.
fn is_denial_adjustment(a: &Adjustment, contractual: &[String]) -> bool {
    a.amount != Decimal::ZERO && bucket(a, contractual) == Bucket::Denied
}

/// Classifies one claim payment, as `docs/reconcile.md` defines it;
/// `contractual` are the contractual CARC codes.
///
/// A contractual reduction (CO-45 and the like) is not a denial: a claim
/// paid 0 whose only adjustments are the patient's share and the fee
/// schedule reduction is `patient_responsibility` (the deductible case). A
/// paid claim with any denying adjustment (claim or line) is `partial`.
pub(crate) fn classify(c: &ClaimPayment, matched: bool, contractual: &[String]) -> Status {
    let denies = |a: &Adjustment| is_denial_adjustment(a, contractual);
    if !matched {
        return Status::Unmatched;
    }
    if c.is_reversal() || c.clp04_paid < Decimal::ZERO {
        return Status::Reversed;
    }
    if c.clp02_status.trim() == "23" {
        return Status::Forwarded;
    }
    if c.clp02_status == "4" {
        return Status::Denied;
    }
    if c.clp04_paid > Decimal::ZERO {
        if c.all_adjustments().any(denies) {
            return Status::Partial;
        }
        return Status::Paid;
    }
    let pr: Decimal =
        c.all_adjustments().filter(|a| a.group == Some(Group::PR)).map(|a| a.amount).sum();
    if pr > Decimal::ZERO && !c.all_adjustments().any(denies) {
        Status::PatientResponsibility
    } else {
        Status::Denied
    }
}

fn line_status(l: &ServicePayment, claim: Status, contractual: &[String]) -> Status {
    let pr: Decimal =
        l.adjustments.iter().filter(|a| a.group == Some(Group::PR)).map(|a| a.amount).sum();
    let denies = l.adjustments.iter().any(|a| is_denial_adjustment(a, contractual));
    match claim {
        Status::Unmatched | Status::Reversed | Status::Forwarded => claim,
        _ if l.svc03_paid > Decimal::ZERO && denies => Status::Partial,
        _ if l.svc03_paid > Decimal::ZERO => Status::Paid,
        _ if denies => Status::Denied,
        _ if pr > Decimal::ZERO => Status::PatientResponsibility,
        // A zero-charge line with nothing adjusted: nothing owed either way.
        _ if l.adjustments.iter().all(|a| a.amount == Decimal::ZERO) => Status::Paid,
        _ => Status::Denied,
    }
}

/// The same modifiers in any order (trimmed, case-insensitive), without
/// allocating: there are at most four of each.
fn mods_eq(a: &[Text], b: &[Text]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let same = |x: &Text, y: &Text| x.trim().eq_ignore_ascii_case(y.trim());
    a.iter()
        .all(|m| a.iter().filter(|n| same(m, n)).count() == b.iter().filter(|n| same(m, n)).count())
}

/// Matches each SVC of `claim` to a line of `sent`, in the order of
/// `docs/reconcile.md`: REF*6R; procedure + modifiers + date + charge (the
/// submitted code: SVC06 when given, then SVC01); procedure + date; charge +
/// date when exactly one unmatched sent line has them.
fn match_lines(sent: &SentClaim, claim: &ClaimPayment) -> Vec<(Option<usize>, LineRule)> {
    let mut used = vec![false; sent.lines.len()];
    let fallback_date = claim.date("232").or_else(|| claim.date("150"));
    let mut out = Vec::with_capacity(claim.lines.len());
    for svc in &claim.lines {
        // 1. REF*6R line item control number. Several SVCs may name the same
        //    line (the payer split it), so used lines stay eligible.
        if let Some(id) = svc.line_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            if let Some(i) =
                sent.lines.iter().position(|l| l.line_id.trim().eq_ignore_ascii_case(id))
            {
                used[i] = true;
                out.push((Some(i), LineRule::LineId));
                continue;
            }
        }
        // The submitted code first (SVC06 when the payer re-coded), then the
        // adjudicated one (some payers repeat the code sent in SVC01).
        let codes: [(&crate::edi835::Procedure, LineRule); 2] = match &svc.svc06_original {
            Some(original) => [
                (original, LineRule::OriginalProcedure),
                (&svc.svc01_procedure, LineRule::Procedure),
            ],
            None => [
                (&svc.svc01_procedure, LineRule::Procedure),
                (&svc.svc01_procedure, LineRule::Procedure),
            ],
        };
        let date = svc.service_date.or(fallback_date);
        let same_code =
            |l: &SentLine, code: &str| l.procedure.trim().eq_ignore_ascii_case(code.trim());
        let same_date = |l: &SentLine| date.is_none() || l.date.is_none() || l.date == date;
        // A reversal's charge is negative.
        let charge = svc.svc02_charge.abs();
        // 2. procedure + modifiers + date + charge.
        let exact = codes.iter().find_map(|(proc, rule)| {
            sent.lines
                .iter()
                .enumerate()
                .position(|(i, l)| {
                    !used[i]
                        && same_code(l, &proc.code)
                        && mods_eq(&l.modifiers, &proc.modifiers)
                        && same_date(l)
                        && l.charge == charge
                })
                .map(|i| (i, *rule))
        });
        if let Some((i, rule)) = exact {
            used[i] = true;
            out.push((Some(i), rule));
            continue;
        }
        // 3. procedure + date: split or repriced lines; unused lines first.
        let loose = codes.iter().find_map(|(proc, _)| {
            sent.lines
                .iter()
                .enumerate()
                .position(|(i, l)| !used[i] && same_code(l, &proc.code) && same_date(l))
        });
        let loose = loose.or_else(|| {
            codes.iter().find_map(|(proc, _)| {
                sent.lines.iter().position(|l| same_code(l, &proc.code) && same_date(l))
            })
        });
        if let Some(i) = loose {
            used[i] = true;
            out.push((Some(i), LineRule::ProcedureDate));
            continue;
        }
        // 4. charge + date, only when one unused line has them: a line the
        //    payer re-coded without saying so in SVC06.
        let mut same_money = (0..sent.lines.len())
            .filter(|&i| !used[i] && sent.lines[i].charge == charge && same_date(&sent.lines[i]));
        match (same_money.next(), same_money.next()) {
            (Some(i), None) if charge != Decimal::ZERO => {
                used[i] = true;
                out.push((Some(i), LineRule::ChargeDate));
            }
            _ => out.push((None, LineRule::None)),
        }
    }
    out
}

/// The bit of sent line `i` in an answered-lines mask (lines past the 64th,
/// which an 837P cannot have, share the last bit).
pub(crate) fn line_bit(i: usize) -> u64 {
    1u64 << i.min(63)
}

/// The mask of every line of a claim sent with `n` lines (0 when its lines
/// are not known).
pub(crate) fn all_lines(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// Reconciles one remittance (transaction set) from file number `file`.
///
/// `payer` is the paying payer's id ([`PayerNames::paying_payer`]); `None`
/// when the payer is unknown, and then claims match by claim id alone.
/// `contractual` are the CARC codes whose CO adjustments are contractual
/// write-offs ([`Options::contractual_carcs`]). `with_adjustments` fills
/// [`ClaimResult::adjustments`] (for the ledger); without it the field stays
/// empty, which saves time on large runs.
pub fn reconcile_remittance(
    index: &ClaimIndex<'_>,
    file: usize,
    rem: &Remittance,
    payer: Option<&str>,
    contractual: &[String],
    with_adjustments: bool,
) -> Vec<ClaimResult> {
    let payer_id = match payer {
        Some(p) => Text::new(p),
        None => rem.payer_id(),
    };
    rem.claims
        .iter()
        .map(|c| {
            reconcile_claim(index, file, rem, &payer_id, payer, c, contractual, with_adjustments)
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn reconcile_claim(
    index: &ClaimIndex<'_>,
    file: usize,
    rem: &Remittance,
    payer_id: &str,
    payer: Option<&str>,
    c: &ClaimPayment,
    contractual: &[String],
    with_adjustments: bool,
) -> ClaimResult {
    let (sent_idx, rule) = index.find(&c.clp01_claim_id, &c.clp07_payer_claim_id, payer);
    // Several payers were sent a claim with this id and none is the paying one.
    let candidates =
        if sent_idx.is_none() { index.payers_of(&c.clp01_claim_id) } else { Vec::new() };
    let sent = sent_idx.map(|i| &index.claims()[i]);
    let status = classify(c, sent.is_some(), contractual);
    let denies = |a: &&Adjustment| is_denial_adjustment(a, contractual);
    let forwarded = status != Status::Forwarded && c.is_forwarded();
    let line_matches = match sent {
        Some(s) => match_lines(s, c),
        None => vec![(None, LineRule::None); c.lines.len()],
    };
    let answered = match sent {
        None => 0,
        Some(s) if c.lines.is_empty() => all_lines(s.lines.len()),
        Some(_) => line_matches.iter().filter_map(|(m, _)| m.map(line_bit)).fold(0, |a, b| a | b),
    };
    let mut carc = Vec::new();
    let mut rarc = Vec::new();
    for a in c.all_adjustments() {
        distinct(&mut carc, carc_code(a));
    }
    for r in c.remark_codes() {
        distinct(&mut rarc, r);
    }
    let mut lines = Vec::with_capacity(c.lines.len());
    for (l, (m, lrule)) in c.lines.iter().zip(line_matches) {
        let mut lcarc = Vec::new();
        let mut lrarc = Vec::new();
        for a in &l.adjustments {
            distinct(&mut lcarc, carc_code(a));
        }
        for r in &l.remarks {
            distinct(&mut lrarc, r.code.clone());
            distinct(&mut rarc, r.code.clone());
        }
        let lstatus = line_status(l, status, contractual);
        let mut figures = Figures::new(
            l.svc02_charge,
            l.svc03_paid,
            l.adjustments.iter(),
            l.allowed,
            contractual,
        );
        if status == Status::Forwarded {
            figures.not_ours();
        }
        let denial = match lstatus {
            Status::Denied => {
                let amount = l.svc02_charge - l.svc03_paid;
                Some(denial_of(l.adjustments.iter(), amount, contractual, forwarded))
            }
            Status::Partial => {
                let amount = figures.denied;
                Some(denial_of(l.adjustments.iter().filter(denies), amount, contractual, forwarded))
            }
            _ => None,
        };
        let line_id = match (m, sent) {
            (Some(i), Some(s)) => s.lines[i].line_id.clone(),
            _ => l.line_id.clone().unwrap_or_default(),
        };
        lines.push(LineResult {
            pos: l.pos,
            line_id,
            procedure: l.svc01_procedure.display(),
            status: lstatus,
            rule: lrule,
            figures,
            carc: lcarc,
            rarc: lrarc,
            denial,
        });
    }
    let allowed = if !c.lines.is_empty() && c.lines.iter().all(|l| l.allowed.is_some()) {
        Some(c.lines.iter().filter_map(|l| l.allowed).sum())
    } else {
        None
    };
    let mut figures =
        Figures::new(c.clp03_charge, c.clp04_paid, c.all_adjustments(), allowed, contractual);
    if status == Status::Forwarded {
        figures.not_ours();
    }
    let mut adjustments = String::new();
    if with_adjustments {
        for (i, a) in c.all_adjustments().enumerate() {
            if i > 0 {
                adjustments.push(';');
            }
            adjustments.push_str(&carc_code(a));
            adjustments.push(' ');
            crate::numtext::push_money(&mut adjustments, a.amount);
        }
    }
    let denial = match status {
        Status::Denied => {
            let amount = c.clp03_charge - c.clp04_paid;
            Some(denial_of(c.all_adjustments(), amount, contractual, forwarded))
        }
        // Reductions at claim level (CAS after CLP); the lines carry their own.
        Status::Partial if c.adjustments.iter().any(|a| denies(&a)) => {
            let amount = c.adjustments.iter().filter(denies).map(|a| a.amount).sum();
            Some(denial_of(c.adjustments.iter().filter(denies), amount, contractual, forwarded))
        }
        _ => None,
    };
    ClaimResult {
        file,
        pos: c.pos,
        claim_id: sent.map(|s| s.claim_id.clone()).unwrap_or_else(|| c.clp01_claim_id.clone()),
        clp01: c.clp01_claim_id.clone(),
        sent: sent_idx,
        payer_id: Text::new(payer_id),
        payer_claim_id: c.clp07_payer_claim_id.clone(),
        clp02: c.clp02_status.clone(),
        status,
        forwarded,
        rule,
        figures,
        carc,
        rarc,
        adjustments,
        check_trace: rem.trace.trn02_number.clone(),
        payment_date: rem.payment.bpr16_date,
        lines,
        denial,
        pairing: None,
        candidates,
        answered,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sent(id: &str) -> SentClaim {
        SentClaim {
            claim_id: Text::new(id),
            payer_id: "P".into(),
            payer_claim_id: None,
            charge: Decimal::new(100, 0),
            sent_on: None,
            lines: vec![],
        }
    }

    #[test]
    fn finds_claims_by_id_prefix_and_payer_number() {
        let mut claims = vec![sent("ABC-000123-X"), sent("abc-000999"), sent("ZZ1")];
        claims[2].payer_claim_id = Some("PCN77".into());
        let ix = ClaimIndex::new(&claims);
        let p = Some("P");
        assert_eq!(ix.find(" abc-000123-x ", "", p), (Some(0), ClaimRule::ClaimId));
        assert_eq!(ix.find("ABC-0001", "", p), (Some(0), ClaimRule::ClaimIdPrefix));
        // Ambiguous prefix: two claims start with ABC-000.
        assert_eq!(ix.find("ABC-000", "", p), (None, ClaimRule::None));
        // Too short to trust as a prefix.
        assert_eq!(ix.find("ZZ", "", p), (None, ClaimRule::None));
        assert_eq!(ix.find("UNKNOWN", "pcn77", p), (Some(2), ClaimRule::PayerClaimId));
        // Another payer's claim number is not this payer's.
        assert_eq!(ix.find("UNKNOWN", "pcn77", Some("Q")), (None, ClaimRule::None));
        // Payer unknown, or not the payer the claim went to: one claim has the id.
        assert_eq!(ix.find("ABC-000123-X", "", None), (Some(0), ClaimRule::ClaimIdOnly));
        assert_eq!(ix.find("ABC-000123-X", "", Some("Q")), (Some(0), ClaimRule::ClaimIdOnly));
    }

    #[test]
    fn a_claim_id_sent_to_two_payers_matches_by_payer_or_not_at_all() {
        let mut claims = vec![sent("C1"), sent("C1"), sent("C2")];
        claims[1].payer_id = "Q".into();
        let ix = ClaimIndex::new(&claims);
        assert_eq!(ix.find("c1", "", Some("p")), (Some(0), ClaimRule::ClaimId));
        assert_eq!(ix.find("C1", "", Some("Q")), (Some(1), ClaimRule::ClaimId));
        assert_eq!(ix.find("C1", "", None), (None, ClaimRule::None));
        assert_eq!(ix.find("C1", "", Some("R")), (None, ClaimRule::None));
        assert_eq!(ix.payers_of("C1"), vec![Text::new("P"), Text::new("Q")]);
        assert!(ix.payers_of("C3").is_empty());
        // The same id sent twice to one payer is one claim: the later wins.
        let again = vec![sent("C1"), sent("C1")];
        let ix = ClaimIndex::new(&again);
        assert_eq!(ix.find("C1", "", None), (Some(1), ClaimRule::ClaimIdOnly));
        assert_eq!(ix.find("C1", "", Some("P")), (Some(1), ClaimRule::ClaimId));
    }

    #[test]
    fn a_payment_has_one_fingerprint_whatever_its_envelope_or_line_endings() {
        let read = |name: &str| {
            let path =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/835").join(name);
            crate::edi835::read_file(&std::fs::read(path).unwrap()).remittances
        };
        let first = read("payers.835");
        let resent = read("payers-resent.835");
        let conflict = read("payers-conflict.835");
        let fp = fingerprint(&first[0]);
        assert_eq!(fp.len(), 64);
        assert_eq!(fingerprint(&resent[0]), fp, "new ISA13/GS06, CRLF");
        assert_ne!(fingerprint(&first[1]), fp);
        assert_ne!(fingerprint(&conflict[0]), fp, "same trace, other amounts");
        let mut changed = first[0].clone();
        changed.claims[0].lines[0].adjustments[0].reason = "24".into();
        assert_ne!(fingerprint(&changed), fp);
    }

    #[test]
    fn payer_names_resolve_ids_and_aliases() {
        let mut names = PayerNames::new();
        names.add("DEMOPAYER1", ["1512345678", "dhp"]);
        names.add("DEMOPAYER2", []);
        assert_eq!(names.get(" dhp ").map(Text::as_str), Some("DEMOPAYER1"));
        assert_eq!(names.get("1512345678").map(Text::as_str), Some("DEMOPAYER1"));
        assert_eq!(names.get("demopayer2").map(Text::as_str), Some("DEMOPAYER2"));
        assert_eq!(names.get("OTHER"), None);
        assert_eq!(names.get(""), None);
    }

    /// (charge, paid, [(group, reason, amount)])
    type TestLine<'a> = (i64, i64, &'a [(&'a str, &'a str, i64)]);

    fn payment(status: &str, charge: i64, paid: i64, lines: &[TestLine<'_>]) -> ClaimPayment {
        let adj = |g: &str, r: &str, a: i64| Adjustment {
            group: Group::from_code(g),
            group_code: g.into(),
            reason: r.into(),
            amount: Decimal::new(a, 0),
            quantity: None,
        };
        ClaimPayment {
            pos: Position::default(),
            lx: None,
            clp01_claim_id: "C".into(),
            clp02_status: status.into(),
            clp03_charge: Decimal::new(charge, 0),
            clp04_paid: Decimal::new(paid, 0),
            clp05_patient_responsibility: None,
            clp06_filing_indicator: Text::default(),
            clp07_payer_claim_id: Text::default(),
            clp08_facility: Text::default(),
            clp09_frequency: Text::default(),
            clp11_drg: Text::default(),
            clp12_drg_weight: None,
            clp13_discharge_fraction: None,
            adjustments: vec![],
            names: vec![],
            mia: None,
            moa: None,
            refs: vec![],
            dates: vec![],
            amounts: vec![],
            quantities: vec![],
            lines: lines
                .iter()
                .map(|(c, p, adjs)| ServicePayment {
                    pos: Position::default(),
                    svc01_procedure: crate::edi835::Procedure::default(),
                    svc02_charge: Decimal::new(*c, 0),
                    svc03_paid: Decimal::new(*p, 0),
                    svc04_revenue_code: Text::default(),
                    svc05_units: None,
                    svc06_original: None,
                    svc07_original_units: None,
                    service_date: None,
                    service_date_end: None,
                    adjustments: adjs.iter().map(|(g, r, a)| adj(g, r, *a)).collect(),
                    line_id: None,
                    refs: vec![],
                    allowed: None,
                    amounts: vec![],
                    quantities: vec![],
                    remarks: vec![],
                })
                .collect(),
        }
    }

    /// The default contractual CARC codes.
    fn carcs() -> Vec<String> {
        crate::config::DEFAULT_CONTRACTUAL_CARCS.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn classifies_each_status() {
        let paid = payment("1", 100, 80, &[(100, 80, &[("CO", "45", 20)])]);
        assert_eq!(classify(&paid, true, &carcs()), Status::Paid);
        assert_eq!(classify(&paid, false, &carcs()), Status::Unmatched);
        let partial =
            payment("1", 150, 80, &[(100, 80, &[("CO", "45", 20)]), (50, 0, &[("CO", "97", 50)])]);
        assert_eq!(classify(&partial, true, &carcs()), Status::Partial);
        // A zero-paid line whose only reduction is contractual is not a denial.
        let contractual_zero =
            payment("1", 150, 80, &[(100, 80, &[("CO", "45", 20)]), (50, 0, &[("CO", "45", 50)])]);
        assert_eq!(classify(&contractual_zero, true, &carcs()), Status::Paid);
        let denied = payment("4", 100, 0, &[(100, 0, &[("PR", "1", 100)])]);
        assert_eq!(classify(&denied, true, &carcs()), Status::Denied, "CLP02 4 wins");
        let zero = payment("1", 100, 0, &[(100, 0, &[("CO", "16", 100)])]);
        assert_eq!(classify(&zero, true, &carcs()), Status::Denied);
        let deductible = payment("1", 100, 0, &[(100, 0, &[("PR", "1", 80), ("CO", "45", 20)])]);
        assert_eq!(classify(&deductible, true, &carcs()), Status::PatientResponsibility);
        let reversal = payment("22", -100, -80, &[(-100, -80, &[("CO", "45", -20)])]);
        assert_eq!(classify(&reversal, true, &carcs()), Status::Reversed);
        let negative = payment("1", 100, -5, &[]);
        assert_eq!(classify(&negative, true, &carcs()), Status::Reversed);
    }

    #[test]
    fn each_group_and_reason_has_one_money_column() {
        let adj = |g: &str, r: &str| Adjustment {
            group: Group::from_code(g),
            group_code: g.into(),
            reason: r.into(),
            amount: Decimal::ONE,
            quantity: None,
        };
        let contractual = carcs();
        let with_131 = vec!["45".to_string(), "253".to_string(), "131".to_string()];
        let table: &[(&str, &str, &[String], Bucket)] = &[
            ("PR", "1", &contractual, Bucket::PatientResponsibility),
            ("PR", "45", &contractual, Bucket::PatientResponsibility),
            ("CO", "45", &contractual, Bucket::Contractual),
            ("CO", " 253 ", &contractual, Bucket::Contractual),
            ("CO", "16", &contractual, Bucket::Denied),
            ("CO", "151", &contractual, Bucket::Denied),
            ("CO", "131", &contractual, Bucket::Denied),
            ("CO", "131", &with_131, Bucket::Contractual),
            ("CO", "45", &[], Bucket::Denied),
            ("PI", "96", &contractual, Bucket::Denied),
            ("OA", "18", &contractual, Bucket::Denied),
            ("OA", "23", &contractual, Bucket::Other),
            ("PI", "45", &contractual, Bucket::Other),
            ("OA", "253", &contractual, Bucket::Other),
            ("CR", "16", &contractual, Bucket::Other),
            ("ZZ", "16", &contractual, Bucket::Other),
        ];
        for (g, r, list, want) in table {
            assert_eq!(bucket(&adj(g, r), list), *want, "{g}-{r} with {list:?}");
        }
    }

    #[test]
    fn money_columns_reconcile_and_a_paid_reduction_is_partial() {
        // CO-151 on a paid line: units reduced.
        let units = payment(
            "1",
            300,
            150,
            &[(200, 150, &[("CO", "45", 20), ("CO", "151", 30)]), (100, 0, &[("PR", "1", 100)])],
        );
        assert_eq!(classify(&units, true, &carcs()), Status::Partial);
        assert_eq!(line_status(&units.lines[0], Status::Partial, &carcs()), Status::Partial);
        assert_eq!(
            line_status(&units.lines[1], Status::Partial, &carcs()),
            Status::PatientResponsibility
        );
        let f = Figures::new(
            units.clp03_charge,
            units.clp04_paid,
            units.all_adjustments(),
            None,
            &carcs(),
        );
        assert_eq!(
            (f.patient_responsibility, f.contractual, f.denied, f.other_adjustments, f.variance),
            (
                Decimal::new(100, 0),
                Decimal::new(20, 0),
                Decimal::new(30, 0),
                Decimal::ZERO,
                Decimal::ZERO
            )
        );
        // With 151 listed as contractual the same payment is paid.
        let with_151 = vec!["45".to_string(), "151".to_string()];
        assert_eq!(classify(&units, true, &with_151), Status::Paid);
        // CO-16 at claim level on a paid claim.
        let mut claim_level = payment("1", 200, 150, &[(200, 170, &[("CO", "45", 30)])]);
        claim_level.adjustments.push(Adjustment {
            group: Some(Group::CO),
            group_code: "CO".into(),
            reason: "16".into(),
            amount: Decimal::new(20, 0),
            quantity: None,
        });
        assert_eq!(classify(&claim_level, true, &carcs()), Status::Partial);
        // A zero amount denies nothing.
        let zero = payment("1", 100, 100, &[(100, 100, &[("CO", "16", 0)])]);
        assert_eq!(classify(&zero, true, &carcs()), Status::Paid);
    }

    #[test]
    fn clp02_23_is_forwarded_and_19_to_21_are_processed() {
        let not_ours = payment("23", 100, 0, &[(100, 0, &[("CO", "109", 100)])]);
        assert_eq!(classify(&not_ours, true, &carcs()), Status::Forwarded);
        assert_eq!(classify(&not_ours, false, &carcs()), Status::Unmatched);
        assert_eq!(line_status(&not_ours.lines[0], Status::Forwarded, &carcs()), Status::Forwarded);
        for clp02 in ["19", "20", "21"] {
            let paid = payment(clp02, 100, 80, &[(100, 80, &[("CO", "45", 20)])]);
            assert_eq!(classify(&paid, true, &carcs()), Status::Paid, "CLP02 {clp02}");
            let zero = payment(clp02, 100, 0, &[(100, 0, &[("CO", "22", 100)])]);
            assert_eq!(classify(&zero, true, &carcs()), Status::Denied, "CLP02 {clp02}");
        }
        assert_eq!(Status::Forwarded.claim_status(), Some(ClaimStatus::Forwarded));
    }
}
