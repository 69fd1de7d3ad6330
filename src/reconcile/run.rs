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

use super::report::{self, OutstandingRow, PlbRow};
use super::set::{finish_set, open_remit_file, posting, read_set, Against, Opened, Read, SetOut};
use super::summary::{
    Counts, LedgerNote, PaymentConflict, ReversalNote, SetSummary, Summary, TieOut,
};
use super::{source, Book, ClaimIndex, ClaimStatus, PayerNames, SentClaim};
use crate::ledger::{self, Ledger, RemitPosting};
use crate::progress::Progress;
use crate::x12::{Finding, TransactionKind};
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
        #[source]
        cause: std::io::Error,
    },
    /// A `--claims` file holds no 837 transaction set.
    #[error("{0}: no 837 transaction set found (claims files must be the 837s that were sent)")]
    NotClaims(PathBuf),
    /// No remittance file could be read as an 835: nothing was reconciled
    /// and no report was written.
    #[error("no 835 could be read: {}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "))]
    NoRemittance(Vec<Finding>),
    /// The ledger posting thread stopped unexpectedly.
    #[error("the ledger posting thread panicked")]
    PostingThread,
}

impl Error {
    pub(crate) fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { path, what, cause }
    }
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
    /// The CARC and RARC lists (`[codesets] dir`): `denials.csv` shows each
    /// code with its text when a list has it, the code alone otherwise.
    pub reasons: crate::codeset::ReasonTexts,
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
            reasons: crate::codeset::ReasonTexts::default(),
        }
    }
}

/// The little kept of each claim payment after its rows are written.
struct Compact {
    status: ClaimStatus,
    forwarded: bool,
    paid: Decimal,
    claim_id: Text,
    set: usize,
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
/// [`Error::NoRemittance`] names each file's problem. In ledger mode, when
/// every payment read was already applied, nothing is posted and no report
/// is rewritten.
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
        let Some(status) = super::account::own_status(p.status, p.denied, p.paid) else {
            continue;
        };
        let lines = source::line_mask(&sent[i], p.lines.as_deref());
        book.add_earlier(i, &p.payer_claim_id, p.billed, p.paid, lines, status);
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
    let broken: Vec<Finding> = opened
        .iter()
        .filter_map(|o| o.broken.as_ref().map(|r| Finding::unreadable(&o.name, r)))
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

    let mut writer =
        report::ReportWriter::create(out_dir).map_err(Error::io(out_dir, "writing reports"))?;
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
        reasons: &options.reasons,
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
                    claim_id: if r.status == ClaimStatus::Reversed {
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
                let out = out.map_err(Error::io(out_dir, "writing reports"))?;
                writer.append(&out.rows).map_err(Error::io(out_dir, "writing reports"))?;
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
    // A re-delivered 835 (every payment already applied, none conflicting)
    // posts nothing: the reports of the run that posted it stand.
    let nothing_new = posted.as_ref().is_some_and(|p| {
        p.applied.is_empty() && !p.already_applied.is_empty() && p.conflicts.is_empty()
    });
    progress.stage("finish reports (fsync, rename)");
    let paths = if nothing_new {
        drop(writer);
        Vec::new()
    } else {
        writer.finish(&plb, &outstanding).map_err(Error::io(out_dir, "writing reports"))?
    };
    progress.done();

    let count = |st: ClaimStatus| compact.iter().filter(|c| c.status == st).count();
    let counts = Counts {
        paid: count(ClaimStatus::Paid),
        partial: count(ClaimStatus::Partial),
        partial_completed: book.partial_completed(&sent),
        denied: count(ClaimStatus::Denied),
        patient_responsibility: count(ClaimStatus::PatientResponsibility),
        reversed: count(ClaimStatus::Reversed),
        unmatched: count(ClaimStatus::Unmatched),
        forwarded: count(ClaimStatus::Forwarded),
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
        unreadable_files: broken,
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
