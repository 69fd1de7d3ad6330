//! The reconcile job as a library call: 835 files in; every claim payment
//! matched to the claims that were sent (from 837 files, or the ledger),
//! classified, written to the five CSV reports, tied out against the
//! payments' BPR02 totals, and (with the ledger) posted. The returned
//! [`Summary`] is what a caller prints; this module prints nothing.
//!
//! Memory stays bounded by a batch of transaction sets, not by the input:
//! sets are read and matched in parallel batches, their rows appended to the
//! reports, and only a few figures per claim payment are kept for the
//! summary. With the ledger, postings go to SQLite on their own thread while
//! the next batch is read.
//!
//! ```no_run
//! use claimflow::{clock, ledger::Ledger, progress::Progress, reconcile};
//! use std::path::{Path, PathBuf};
//!
//! let mut ledger = Ledger::open(Path::new("out/claimflow.db"))?;
//! let remits = [PathBuf::from("fixtures/835/demo.835")];
//! let options = reconcile::Options::new(clock::parse_now("2026-12-15")?);
//! let summary = reconcile::run(
//!     &remits,
//!     reconcile::Claims::Ledger(&mut ledger),
//!     Path::new("out/recon"),
//!     &options,
//!     &Progress::silent(),
//! )?;
//! println!("{} denied", summary.counts.denied);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use super::report::{self, OutstandingRow, PlbRow};
use super::{source, Book, ClaimIndex, ClaimResult, ClaimRule, PayerNames, SentClaim, Status};
use crate::edi835;
use crate::ledger::{
    self, DenialPosting, Ledger, LinePosting, PaymentPosting, PlbPosting, RemitPosting,
};
use crate::progress::Progress;
use crate::x12::{self, Finding, Severity, TransactionKind};
use crate::Text;

/// Why a reconciliation could not run. No report is left half-written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::Error),
    /// A file could not be read or written.
    #[error("{path}: {what}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// A `--claims` file holds no 837 transaction set.
    #[error("{0}: no 837 transaction set found (claims files must be the 837s that were sent)")]
    NotClaims(PathBuf),
    /// No remittance file could be read as an 835: nothing was reconciled
    /// and no report was written.
    #[error("no 835 could be read: {}", .0.iter().map(|b| format!("{}: {}", b.file, b.reason)).collect::<Vec<_>>().join("; "))]
    NoRemittance(Vec<BrokenFile>),
    /// The ledger posting thread stopped unexpectedly.
    #[error("the ledger posting thread panicked")]
    PostingThread,
}

/// Where the sent claims come from.
#[derive(Debug)]
pub enum Claims<'a> {
    /// The 837 files that were sent; nothing is posted, no claim is
    /// reported outstanding.
    Files(&'a [PathBuf]),
    /// The ledger: payments are posted, and claims still waiting for an
    /// answer are reported outstanding.
    Ledger(&'a mut Ledger),
}

/// How the job runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock: ages of outstanding claims, the posting time.
    pub now: NaiveDateTime,
    /// CARC codes (upper case) whose CO adjustments are contractual
    /// write-offs; any other CO adjustment is reported as denied. The
    /// config's `[reconcile] contractual_carcs`, by default
    /// [`DEFAULT_CONTRACTUAL_CARCS`](crate::config::DEFAULT_CONTRACTUAL_CARCS).
    pub contractual_carcs: Vec<String>,
    /// The payers' ids and aliases ([`PayerNames`]), from the config's
    /// payers when one is loaded. The payer ids of the sent claims are
    /// known names too; a remittance whose REF*2U, N1*PR N104 and TRN03 are
    /// all unknown is named in [`Summary::notes`].
    pub payers: PayerNames,
}

impl Options {
    /// Options with the run's clock `now` and the default contractual CARC codes.
    pub fn new(now: NaiveDateTime) -> Options {
        Options {
            now,
            contractual_carcs: crate::config::DEFAULT_CONTRACTUAL_CARCS
                .iter()
                .map(|c| c.to_string())
                .collect(),
            payers: PayerNames::new(),
        }
    }
}

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
    pub bpr02: Decimal,
    /// Sum of CLP04.
    pub paid: Decimal,
    /// Sum of the PLB amounts.
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
    fingerprint: String,
    #[serde(skip)]
    file_sha256: String,
}

/// Claim payments by status.
#[derive(Debug, Serialize)]
pub struct Counts {
    /// Paid in full as adjudicated.
    pub paid: usize,
    /// Partly paid (some of the charge denied or reduced).
    pub partial: usize,
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

/// The tie-out: what the claim payments and provider adjustments add up to,
/// against what the payers say they paid (BPR02).
#[derive(Debug, Serialize)]
pub struct TieOut {
    /// Sum of CLP04.
    pub paid: Decimal,
    /// Minus the sum of PLB amounts.
    pub provider_adjustments_effect: Decimal,
    /// `paid + provider_adjustments_effect`.
    pub expected_bpr02: Decimal,
    /// Sum of BPR02.
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
    pub amount: Decimal,
    /// Trace of the payment cancelled, when in these files.
    pub reverses_trace: Option<String>,
    /// Trace of the corrected payment, when in these files.
    pub corrected_by_trace: Option<String>,
    /// The corrected payment's amount.
    pub corrected_paid: Option<Decimal>,
}

/// A remittance file that could not be read as an 835.
#[derive(Clone, Debug, Serialize)]
pub struct BrokenFile {
    /// The file.
    pub file: String,
    /// Why.
    pub reason: String,
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
    /// Remittance files that could not be read.
    pub broken_files: Vec<BrokenFile>,
    /// Envelope, read and balancing findings, by file and position.
    pub findings: Vec<Finding>,
    /// Findings beyond the kept ones (counted only).
    pub findings_not_kept: usize,
    /// Warnings about the claims' sources (unreadable sent 837s, claims
    /// files with errors): no PHI, meant for stderr.
    pub notes: Vec<String>,
    /// The reports written.
    pub reports: Vec<String>,
    /// One entry per payment (835 transaction set).
    pub payments: Vec<SetSummary>,
    /// What was posted (ledger mode).
    pub ledger: Option<LedgerNote>,
}

impl Summary {
    /// True when a person must look: denials, partial payments, unmatched
    /// payments, reversals with no correction, error findings, unreadable
    /// files, a tie-out that does not hold, or a payment conflicting with one
    /// already applied.
    pub fn needs_attention(&self) -> bool {
        let c = &self.counts;
        let errors = self.findings.iter().filter(|f| f.is_error()).count() + self.findings_not_kept;
        let unpaired = self.reversals.iter().filter(|r| r.corrected_by_trace.is_none()).count();
        c.denied > 0
            || c.partial > 0
            || c.unmatched > 0
            || unpaired > 0
            || errors > 0
            || !self.broken_files.is_empty()
            || !self.tie_out.ok
            || self.ledger.as_ref().is_some_and(|l| !l.conflicts.is_empty())
    }
}

/// One 835 file, opened and scanned (its bytes stay mapped for the run).
struct Opened {
    name: String,
    input: Option<crate::input::Input>,
    scan: x12::Scan,
    hash: String,
    broken: Option<String>,
}

fn open_remit_file(path: &Path) -> Opened {
    let name = path.display().to_string();
    let input = match crate::input::open(path) {
        Ok(i) => i,
        Err(e) => {
            return Opened {
                name,
                input: None,
                scan: x12::Scan::default(),
                hash: String::new(),
                broken: Some(format!("cannot read: {e}")),
            }
        }
    };
    let hash = {
        use sha2::Digest;
        ledger::hex(&sha2::Sha256::digest(&input[..]))
    };
    let scan = x12::scan(&input);
    let sets = scan.sets().filter(|(_, _, s)| s.kind == TransactionKind::Remittance835).count();
    let broken =
        (sets == 0).then(|| match scan.findings.iter().find(|f| f.severity == Severity::Error) {
            Some(f) => format!("no 835 transaction set could be read ({f})"),
            None => "no 835 transaction set in the file".to_string(),
        });
    Opened { name, input: Some(input), scan, hash, broken }
}

/// One transaction set read and matched, not yet accounted.
struct Read {
    summary: SetSummary,
    results: Vec<ClaimResult>,
    plb: Vec<PlbRow>,
    findings: Vec<Finding>,
    /// Set when the set's payer is not a known payer id or alias.
    unknown_payer: Option<String>,
    /// The paying payer's id, when known.
    payer: Option<Text>,
    /// Per result, its service lines and denying adjustments (ledger mode only).
    detail: Vec<(Vec<LinePosting>, Vec<DenialPosting>)>,
}

/// What one transaction set contributed.
struct SetOut {
    summary: SetSummary,
    rows: report::Rows,
    plb: Vec<PlbRow>,
    findings: Vec<Finding>,
    /// Ledger postings (ledger mode only).
    payments: Vec<PaymentPosting>,
    unknown_payer: Option<String>,
}

/// The little kept of each claim payment after its rows are written.
struct Compact {
    status: Status,
    forwarded: bool,
    paid: Decimal,
    claim_id: Text,
    set: usize,
}

/// What every transaction set is matched against.
struct Against<'c> {
    index: &'c ClaimIndex<'c>,
    payers: &'c PayerNames,
    contractual: &'c [String],
    /// The sent claims' ledger rows (ledger mode only).
    ledger_rows: Option<&'c [i64]>,
}

/// Reads and matches one transaction set (in parallel with the others of
/// its batch): balancing and read findings, ambiguous claim ids, CLP03
/// against the CLM02 sent.
fn read_set(
    opened: &Opened,
    file_no: usize,
    interchange_control: &str,
    set: &x12::TransactionSet,
    against: &Against<'_>,
) -> Read {
    let Against { index, payers, contractual, ledger_rows } = *against;
    let input = opened.input.as_deref().unwrap_or_default();
    let rem = edi835::read_set(input, set, interchange_control);
    let mut findings = edi835::balance(&rem);
    findings.extend(rem.findings.iter().filter(|f| f.rule != "835-READ").cloned());
    let payer = payers.paying_payer(&rem);
    let unknown_payer = payer.is_none().then(|| {
        format!(
            "warning: {}: 835 transaction {} (trace {}): payer {} is not a configured payer id or alias, nor the payer of a sent claim: its claim payments are matched by claim id alone",
            opened.name,
            rem.st02_control,
            rem.trace.trn02_number,
            rem.payer_id()
        )
    });
    let results = super::reconcile_remittance(
        index,
        file_no,
        &rem,
        payer.as_deref(),
        contractual,
        ledger_rows.is_some(),
    );
    for r in results.iter().filter(|r| r.rule == ClaimRule::None && !r.candidates.is_empty()) {
        let mut f = Finding::warning(
            r.pos,
            "CLP",
            "RECON-AMBIGUOUS",
            format!(
                "claim payment not matched: claims with this id were sent to payers {}, and the paying payer ({}) is none of them",
                r.candidates.join(", "),
                if payer.is_some() { r.payer_id.as_str() } else { "unknown" }
            ),
        );
        f.claim_id = r.claim_id.to_string();
        findings.push(f);
    }
    for r in results.iter().filter(|r| r.status != Status::Reversed) {
        let Some(i) = r.sent else { continue };
        let clm02 = index.claims()[i].charge;
        if r.figures.billed != clm02 {
            let mut f = Finding::warning(
                r.pos,
                "CLP",
                "RECON-CLP03",
                format!(
                    "claim payment charge (CLP03) {} is not the {} sent (CLM02)",
                    report::money(r.figures.billed),
                    report::money(clm02)
                ),
            );
            f.claim_id = r.claim_id.to_string();
            findings.push(f);
        }
    }
    let payer_id = payer.clone().unwrap_or_else(|| rem.payer_id());
    let plb = report::plb_rows(file_no, &rem, &payer_id);
    let summary = SetSummary {
        file: opened.name.clone(),
        st02: rem.st02_control.to_string(),
        payer_id: payer_id.to_string(),
        trace: rem.trace.trn02_number.to_string(),
        payment_date: rem.payment.bpr16_date,
        method: rem.payment.bpr04_method.to_string(),
        bpr02: rem.payment.bpr02_amount,
        paid: rem.paid_total(),
        plb: rem.plb_total(),
        claims: rem.claims.len(),
        complete: set.end.is_some(),
        trn03: rem.trace.trn03_originator.to_string(),
        fingerprint: if ledger_rows.is_some() { super::fingerprint(&rem) } else { String::new() },
        file_sha256: opened.hash.clone(),
    };
    let detail = match ledger_rows {
        Some(_) => rem
            .claims
            .iter()
            .zip(&results)
            .map(|(c, r)| super::detail::lines_and_denials(c, r.status, contractual))
            .collect(),
        None => Vec::new(),
    };
    Read { summary, results, plb, findings, unknown_payer, payer, detail }
}

/// The sent line ids a payment answered, `;`-joined; `None` when it
/// answered every line of the claim (or the lines are not known).
fn answered_ids(sent: &SentClaim, answered: u64) -> Option<String> {
    let all = super::all_lines(sent.lines.len());
    if all == 0 || answered & all == all {
        return None;
    }
    let ids: Vec<&str> = sent
        .lines
        .iter()
        .enumerate()
        .filter(|(n, _)| answered & super::line_bit(*n) != 0)
        .map(|(_, l)| l.line_id.as_str())
        .collect();
    Some(ids.join(";"))
}

/// Formats the rows of an accounted set and builds its ledger postings (in
/// parallel with the others of its batch).
fn finish_set(read: Read, against: &Against<'_>) -> std::io::Result<SetOut> {
    let Read { summary, results, plb, findings, unknown_payer, detail, .. } = read;
    let index = against.index;
    let rows = report::format_rows(&results)?;
    // The results are not needed after this: their strings move into the postings.
    let payments = match against.ledger_rows {
        Some(rows) => results
            .into_iter()
            .zip(detail)
            // Every result of a remittance has a ledger status (none is
            // `Outstanding`, which only the reports use).
            .filter_map(|(r, (lines, denials))| Some((r.status.claim_status()?, r, lines, denials)))
            .map(|(status, r, service_lines, denials)| PaymentPosting {
                payer_id: match r.sent {
                    Some(i) => index.claims()[i].payer_id.clone(),
                    None => r.payer_id,
                },
                claim_row: r.sent.map(|i| rows[i]),
                status,
                reversal: r.status == Status::Reversed,
                lines: match r.sent {
                    Some(i) if r.status != Status::Reversed => {
                        answered_ids(&index.claims()[i], r.answered)
                    }
                    _ => None,
                },
                pos: r.pos,
                claim_id: r.claim_id,
                clp01: r.clp01,
                clp02: r.clp02,
                payer_claim_id: r.payer_claim_id,
                billed: r.figures.billed,
                paid: r.figures.paid,
                patient_responsibility: r.figures.patient_responsibility,
                contractual: r.figures.contractual,
                denied: r.figures.denied,
                other_adjustments: r.figures.other_adjustments,
                allowed: r.figures.allowed,
                adjustments: r.adjustments,
                service_lines,
                denials,
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(SetOut { summary, rows, plb, findings, payments, unknown_payer })
}

/// The ledger posting of one transaction set, with its PLB adjustments.
fn posting(
    s: &SetSummary,
    payments: Vec<PaymentPosting>,
    plb: &[PlbRow],
    claims: &[SentClaim],
) -> RemitPosting {
    RemitPosting {
        adjustments: plb
            .iter()
            .map(|p| PlbPosting {
                provider_id: p.provider_id.clone(),
                fiscal_date: p.fiscal_date.map(|d| d.format("%Y-%m-%d").to_string()),
                reason: p.reason.clone(),
                reference: p.reference.clone(),
                amount: p.amount,
                claim: p.sent.map(|i| (claims[i].claim_id.clone(), claims[i].payer_id.clone())),
            })
            .collect(),
        payer_id: s.payer_id.clone(),
        trace: s.trace.clone(),
        trn03: s.trn03.clone(),
        fingerprint: s.fingerprint.clone(),
        file_sha256: s.file_sha256.clone(),
        // Recorded absolute, so a later job (`secondary` reads the primary's
        // payment back from it) finds the file from any working directory.
        file: std::fs::canonicalize(&s.file)
            .map_or_else(|_| s.file.clone(), |p| p.display().to_string()),
        st02: s.st02.clone(),
        bpr02: s.bpr02,
        payment_date: s.payment_date.map(|d| d.format("%Y-%m-%d").to_string()),
        plb_total: s.plb,
        payments,
    }
}

/// The claims still waiting, with what no live payment answered yet: sent
/// claims that were waiting when the run started (never answered, partly
/// answered or reversed) or that a payment of this run touched.
fn outstanding_rows(
    claims: &[SentClaim],
    waiting: &[bool],
    book: &Book,
    today: NaiveDate,
) -> Vec<OutstandingRow> {
    claims
        .iter()
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

/// Transaction sets handled per parallel batch: enough to keep every core
/// busy, few enough that memory stays bounded by the batch, not the input.
const SETS_PER_BATCH: usize = 16;

/// At most this many findings are kept for the summary; the rest are counted.
const MAX_KEPT_FINDINGS: usize = 10_000;

/// Findings kept for the summary, up to [`MAX_KEPT_FINDINGS`].
#[derive(Default)]
struct Kept {
    findings: Vec<Finding>,
    dropped: usize,
}

impl Kept {
    fn keep(&mut self, file: &str, finding: Finding) {
        if self.findings.len() < MAX_KEPT_FINDINGS {
            self.findings.push(finding.in_file(file));
        } else {
            self.dropped += 1;
        }
    }
}

/// Reconciles the 835 files `remits` against `claims` and writes
/// `claims.csv`, `lines.csv`, `provider_adjustments.csv`, `denials.csv` and
/// `outstanding.csv` into `out_dir` (created when missing; each file atomic,
/// mode 0600). A file that is not an 835 is reported in the summary and the
/// others still reconcile; when none can be read, nothing is written and
/// [`Error::NoRemittance`] names each file's problem.
pub fn run(
    remits: &[PathBuf],
    claims: Claims<'_>,
    out_dir: &Path,
    options: &Options,
    progress: &Progress,
) -> Result<Summary, Error> {
    progress.stage("load claims");
    let mut waiting: Vec<bool> = Vec::new();
    let mut ledger_rows: Vec<i64> = Vec::new();
    let mut earlier: Vec<ledger::LivePayment> = Vec::new();
    let (sent, mut notes, mut ledger) = match claims {
        Claims::Files(paths) => {
            let (sent, notes) = source::from_837_files(paths)?;
            (sent, notes, None)
        }
        Claims::Ledger(l) => {
            let lc = source::from_ledger(l)?;
            waiting = lc.waiting;
            ledger_rows = lc.rows;
            earlier = lc.earlier;
            (lc.claims, lc.notes, Some(l))
        }
    };
    progress.stage("index claims");
    let index = ClaimIndex::new(&sent);
    // What earlier runs' live payments answered (ledger mode).
    let mut book = Book::new(sent.len());
    for p in earlier {
        let Some(i) = index.latest(&p.claim_id).and_then(|i| index.for_payer(i, &p.payer_id))
        else {
            continue;
        };
        let lines = source::line_mask(&sent[i], p.lines.as_deref());
        book.add_earlier(i, &p.payer_claim_id, p.billed, p.paid, lines);
    }
    // The payer ids the claims were sent to name their payers too.
    let mut payers = options.payers.clone();
    for c in &sent {
        if payers.get(&c.payer_id).is_none() {
            payers.add(&c.payer_id, []);
        }
    }
    progress.stage("open and scan 835s");
    let opened: Vec<Opened> = remits.par_iter().map(|p| open_remit_file(p)).collect();
    let broken: Vec<BrokenFile> = opened
        .iter()
        .filter_map(|o| {
            o.broken.as_ref().map(|r| BrokenFile { file: o.name.clone(), reason: r.clone() })
        })
        .collect();
    if !remits.is_empty() && broken.len() == remits.len() {
        return Err(Error::NoRemittance(broken));
    }
    let mut kept = Kept::default();
    let mut jobs = Vec::new();
    for (i, o) in opened.iter().enumerate() {
        for f in &o.scan.findings {
            kept.keep(&o.name, f.clone());
        }
        for (ic, _, set) in o.scan.sets() {
            if set.kind == TransactionKind::Remittance835 {
                jobs.push((i, ic.control.as_str(), set));
            }
        }
    }

    let mut writer = report::ReportWriter::create(out_dir).map_err(|cause| Error::Io {
        path: out_dir.to_path_buf(),
        what: "writing reports",
        cause,
    })?;
    let mut sets: Vec<SetSummary> = Vec::new();
    let mut plb: Vec<PlbRow> = Vec::new();
    let mut compact: Vec<Compact> = Vec::new();
    let mut denial_rows = 0usize;
    let at = options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let with_postings = ledger.is_some();
    progress.stage("read, match, write rows");
    // The ledger posts on its own thread while the next batch is read, so
    // SQLite's single writer overlaps the parallel parsing. Each batch is one
    // transaction; a set is applied at most once, so a run stopped half-way
    // is completed by running it again.
    let against = Against {
        index: &index,
        payers: &payers,
        contractual: &options.contractual_carcs,
        ledger_rows: with_postings.then_some(ledger_rows.as_slice()),
    };
    let posted = std::thread::scope(|scope| -> Result<Option<ledger::PostSummary>, Error> {
        let (to_ledger, poster) = match ledger.take() {
            Some(l) => {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RemitPosting>>(2);
                let at = &at;
                let handle = scope.spawn(move || post_batches(l, rx, at));
                (Some(tx), Some(handle))
            }
            None => (None, None),
        };
        for batch in jobs.chunks(SETS_PER_BATCH) {
            let mut reads: Vec<Read> = batch
                .par_iter()
                .map(|(i, ctl, set)| read_set(&opened[*i], *i, ctl, set, &against))
                .collect();
            // Accounting runs in file order: a payment sees what the payments
            // before it answered.
            for (k, rd) in reads.iter_mut().enumerate() {
                rd.findings.extend(book.account(&sent, &mut rd.results, !with_postings));
                for row in &mut rd.plb {
                    row.sent = book.tie(&index, &rd.results, rd.payer.as_deref(), &row.reference);
                    if let Some(i) = row.sent {
                        row.claim_id = sent[i].claim_id.clone();
                    }
                }
                let set_no = sets.len() + k;
                compact.extend(rd.results.iter().map(|r| Compact {
                    status: r.status,
                    forwarded: r.forwarded,
                    paid: r.figures.paid,
                    // Only reversals are named in the summary.
                    claim_id: if r.status == Status::Reversed {
                        r.claim_id.clone()
                    } else {
                        Text::default()
                    },
                    set: set_no,
                }));
            }
            let outs: Vec<std::io::Result<SetOut>> =
                reads.into_par_iter().map(|rd| finish_set(rd, &against)).collect();
            let mut postings = Vec::new();
            for out in outs {
                let io_err = |cause| Error::Io {
                    path: out_dir.to_path_buf(),
                    what: "writing reports",
                    cause,
                };
                let out = out.map_err(io_err)?;
                writer.append(&out.rows).map_err(io_err)?;
                denial_rows += out.rows.denial_rows;
                for f in out.findings {
                    kept.keep(&out.summary.file, f);
                }
                notes.extend(out.unknown_payer);
                if with_postings && out.summary.complete {
                    postings.push(posting(&out.summary, out.payments, &out.plb, &sent));
                }
                plb.extend(out.plb);
                sets.push(out.summary);
            }
            if let Some(tx) = &to_ledger {
                // A send fails only when the posting thread stopped on an
                // error, which joining it below reports.
                if tx.send(postings).is_err() {
                    break;
                }
            }
        }
        drop(to_ledger);
        progress.stage("finish ledger posting");
        match poster {
            Some(h) => {
                let (post, busy) = h.join().map_err(|_| Error::PostingThread)??;
                progress.timing("ledger posting thread busy", busy);
                Ok(Some(post))
            }
            None => Ok(None),
        }
    })?;
    let mut findings = kept.findings;
    for u in posted.as_ref().map(|p| p.unpaired_reversals.as_slice()).unwrap_or_default() {
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
        findings.push(f.in_file(&u.file));
    }
    findings.sort_by(|a, b| a.file.cmp(&b.file).then(a.pos.cmp(&b.pos)));
    let outstanding: Vec<OutstandingRow> = if with_postings {
        outstanding_rows(&sent, &waiting, &book, options.now.date())
    } else {
        Vec::new()
    };
    progress.stage("finish reports (fsync, rename)");
    let paths = writer.finish(&plb, &outstanding).map_err(|cause| Error::Io {
        path: out_dir.to_path_buf(),
        what: "writing reports",
        cause,
    })?;
    progress.done();

    let count = |st: Status| compact.iter().filter(|c| c.status == st).count();
    let counts = Counts {
        paid: count(Status::Paid),
        partial: count(Status::Partial),
        denied: count(Status::Denied),
        patient_responsibility: count(Status::PatientResponsibility),
        reversed: count(Status::Reversed),
        unmatched: count(Status::Unmatched),
        forwarded: count(Status::Forwarded),
        outstanding: outstanding.len(),
        processed_and_forwarded: compact.iter().filter(|c| c.forwarded).count(),
    };
    let paid: Decimal = compact.iter().map(|c| c.paid).sum();
    let plb_total: Decimal = plb.iter().map(|p| p.amount).sum();
    let bpr02_total: Decimal = sets.iter().map(|s| s.bpr02).sum();
    let tie_out = TieOut {
        paid,
        provider_adjustments_effect: -plb_total,
        expected_bpr02: paid - plb_total,
        bpr02_total,
        ok: paid - plb_total == bpr02_total,
    };
    let reversals = book
        .pairs()
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
        .collect();
    Ok(Summary {
        files: remits.len(),
        transactions: sets.len(),
        claim_payments: compact.len(),
        counts,
        tie_out,
        reversals,
        denial_rows,
        broken_files: broken,
        findings,
        findings_not_kept: kept.dropped,
        notes,
        reports: paths.iter().map(|p| p.display().to_string()).collect(),
        payments: sets,
        ledger: posted.map(|p| LedgerNote {
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
        }),
    })
}

/// The posting thread: each batch of remittances in one transaction.
/// Returns what was posted and the time spent posting.
fn post_batches(
    ledger: &mut Ledger,
    batches: std::sync::mpsc::Receiver<Vec<RemitPosting>>,
    at: &str,
) -> Result<(ledger::PostSummary, std::time::Duration), Error> {
    let mut post = ledger::PostSummary::default();
    let mut busy = std::time::Duration::ZERO;
    for batch in batches {
        let started = std::time::Instant::now();
        let p = ledger.post_remittances(&batch, at)?;
        busy += started.elapsed();
        post.applied.extend(p.applied);
        post.already_applied.extend(p.already_applied);
        post.conflicts.extend(p.conflicts);
        post.payments += p.payments;
        post.unmatched += p.unmatched;
        post.undone += p.undone;
        post.unpaired_reversals.extend(p.unpaired_reversals);
    }
    Ok((post, busy))
}
