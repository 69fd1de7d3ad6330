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

use chrono::NaiveDateTime;
use rayon::prelude::*;

use super::report::{self, OutstandingRow, PlbRow};
use super::set::{finish_set, open_remit_file, posting, read_set, Against, Opened, Read, SetOut};
use super::source::{earlier_answers, known_payers, load, Loaded};
use super::summary::{
    ledger_note, outstanding_rows, reversal_notes, tie_out, unpaired_reversals, Compact, Counts,
    SetSummary, Summary,
};
use super::{Book, ClaimIndex, ClaimStatus, PayerNames};
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

/// Transaction sets handled per parallel batch: enough to keep every core
/// busy, few enough that memory stays bounded by the batch, not the input.
const SETS_PER_BATCH: usize = 8;

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
    // The 835s are opened, hashed and scanned while the claims load.
    progress.stage("load claims, open and scan 835s");
    let (loaded, opened) = std::thread::scope(|scope| {
        let opening =
            scope.spawn(|| remits.par_iter().map(|p| open_remit_file(p)).collect::<Vec<Opened>>());
        let loaded = load(claims);
        (loaded, opening.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let Loaded { sent, mut notes, ledger, waiting, ledger_rows, earlier } = loaded?;
    progress.stage("index claims");
    let index = ClaimIndex::new(&sent);
    let mut book = earlier_answers(&index, earlier);
    let payers = known_payers(&options.payers, &sent);

    let broken: Vec<Finding> = opened
        .iter()
        .filter_map(|o| o.broken.as_ref().map(|r| Finding::unreadable(&o.name, r)))
        .collect();
    if !remits.is_empty() && broken.len() == remits.len() {
        return Err(Error::NoRemittance(broken));
    }
    let mut kept = Kept::default();
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for (i, o) in opened.iter().enumerate() {
        for f in &o.scan.findings {
            kept.keep(&o.name, f.clone());
        }
        for (ic, _, set) in o.scan.sets() {
            if set.kind == TransactionKind::Remittance835 {
                jobs.push(Job { opened: o, file_no: i, control: ic.control.as_str(), set });
            }
        }
    }

    let writer =
        report::ReportWriter::create(out_dir).map_err(Error::io(out_dir, "writing reports"))?;
    let mut out = Collected {
        writer,
        kept,
        notes: &mut notes,
        sets: Vec::new(),
        plb: Vec::new(),
        compact: Vec::new(),
        denial_rows: 0,
        out_dir,
    };
    let at = options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let with_postings = ledger.is_some();
    progress.stage("read, match, write rows");
    let against = Against {
        index: &index,
        payers: &payers,
        contractual: &options.contractual_carcs,
        ledger_rows: with_postings.then_some(ledger_rows.as_slice()),
        reasons: &options.reasons,
    };
    let posted = read_match_post(&jobs, &against, &mut book, ledger, &mut out, &at, progress)?;
    let Collected { writer, kept, sets, plb, compact, denial_rows, .. } = out;

    let mut findings = kept.findings;
    findings.extend(unpaired_reversals(posted.as_ref()));
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
    Ok(Summary {
        files: remits.len(),
        transactions: sets.len(),
        claim_payments: compact.len(),
        counts,
        tie_out: tie_out(&compact, &plb, &sets),
        reversals: reversal_notes(&book, &compact, &sets),
        denial_rows,
        unreadable_files: broken,
        findings,
        findings_not_kept: kept.dropped,
        notes,
        reports: paths.iter().map(|p| p.display().to_string()).collect(),
        payments: sets,
        ledger: posted.map(ledger_note),
    })
}

/// One 835 transaction set to reconcile.
struct Job<'o> {
    opened: &'o Opened,
    file_no: usize,
    control: &'o str,
    set: &'o crate::x12::TransactionSet,
}

/// What the run keeps while the sets are read: the report writer, the
/// findings and notes, and a few figures per set and claim payment.
struct Collected<'n, 'p> {
    writer: report::ReportWriter,
    kept: Kept,
    notes: &'n mut Vec<Finding>,
    sets: Vec<SetSummary>,
    plb: Vec<PlbRow>,
    compact: Vec<Compact>,
    denial_rows: usize,
    out_dir: &'p Path,
}

/// Step 3: the sets read, matched and accounted in parallel batches, their
/// rows written, and (with `ledger`) posted. The ledger posts on its own
/// thread while the next batch is read, so SQLite's single writer overlaps
/// the parallel parsing. Each batch is one transaction; a set is applied at
/// most once, so a run stopped half-way is completed by running it again.
fn read_match_post(
    jobs: &[Job<'_>],
    against: &Against<'_>,
    book: &mut Book,
    ledger: Option<&mut Ledger>,
    out: &mut Collected<'_, '_>,
    at: &str,
    progress: &Progress,
) -> Result<Option<ledger::PostSummary>, Error> {
    std::thread::scope(|scope| -> Result<Option<ledger::PostSummary>, Error> {
        let (to_ledger, poster) = match ledger {
            Some(l) => {
                let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RemitPosting>>(2);
                let handle = scope.spawn(move || post_batches(l, rx, at));
                (Some(tx), Some(handle))
            }
            None => (None, None),
        };
        let read_batch = |batch: &[Job<'_>]| -> Vec<Read> {
            batch
                .par_iter()
                .map(|j| read_set(j.opened, j.file_no, j.control, j.set, against))
                .collect()
        };
        // While one batch is accounted, written and posted (mostly on one
        // core), the next is read and matched on the others.
        let mut batches = jobs.chunks(SETS_PER_BATCH);
        let mut current = batches.next().map(read_batch);
        while let Some(reads) = current.take() {
            let next = batches.next();
            let (next_reads, sent_on) = rayon::join(
                || next.map(read_batch),
                || write_batch(reads, against, book, out, to_ledger.as_ref()),
            );
            // A send fails only when the posting thread stopped on an
            // error, which joining it below reports.
            if !sent_on? {
                break;
            }
            current = next_reads;
        }
        drop(to_ledger);
        progress.stage("finish ledger posting");
        match poster {
            Some(h) => {
                let (post, busy, cpu) = h.join().map_err(|_| Error::PostingThread)??;
                progress.timing(&format!("ledger posting thread (cpu {cpu:.2} s) busy"), busy);
                Ok(Some(post))
            }
            None => Ok(None),
        }
    })
}

/// One batch of read sets accounted in file order, its rows formatted (in
/// parallel) and appended to the reports, and its postings sent to the
/// posting thread. False when the posting thread has stopped.
fn write_batch(
    mut reads: Vec<Read>,
    against: &Against<'_>,
    book: &mut Book,
    out: &mut Collected<'_, '_>,
    to_ledger: Option<&std::sync::mpsc::SyncSender<Vec<RemitPosting>>>,
) -> Result<bool, Error> {
    let with_postings = to_ledger.is_some();
    let out_dir = out.out_dir;
    // Accounting runs in file order: a payment sees what the payments
    // before it answered.
    for (k, rd) in reads.iter_mut().enumerate() {
        account_set(book, against.index, rd, !with_postings, out.sets.len() + k, &mut out.compact);
    }
    let outs: Vec<std::io::Result<SetOut>> =
        reads.into_par_iter().map(|rd| finish_set(rd, against)).collect();
    let mut postings = Vec::new();
    for set_out in outs {
        let set_out = set_out.map_err(Error::io(out_dir, "writing reports"))?;
        out.writer.append(&set_out.rows).map_err(Error::io(out_dir, "writing reports"))?;
        out.denial_rows += set_out.rows.denial_rows;
        for f in set_out.findings {
            out.kept.keep(&set_out.summary.file, f);
        }
        out.notes.extend(set_out.unknown_payer);
        if with_postings && set_out.summary.complete {
            let sent = against.index.claims();
            postings.push(posting(&set_out.summary, set_out.payments, &set_out.plb, sent));
        }
        out.plb.extend(set_out.plb);
        out.sets.push(set_out.summary);
    }
    Ok(match to_ledger {
        Some(tx) => tx.send(postings).is_ok(),
        None => true,
    })
}

/// One set's claim payments accounted in file order (lines answered,
/// reversals, PLB ties), and the little the summary keeps of each.
fn account_set(
    book: &mut Book,
    index: &ClaimIndex<'_>,
    rd: &mut Read,
    without_ledger: bool,
    set_no: usize,
    compact: &mut Vec<Compact>,
) {
    let sent = index.claims();
    rd.findings.extend(book.account(sent, &mut rd.results, without_ledger));
    for row in &mut rd.plb {
        row.sent = book.tie(index, &rd.results, rd.payer.as_deref(), &row.reference);
        if let Some(i) = row.sent {
            row.claim_id = sent[i].claim_id.clone();
        }
    }
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

/// The posting thread: each batch of remittances in one transaction.
/// Returns what was posted, the time spent posting and the thread's CPU
/// seconds.
fn post_batches(
    ledger: &mut Ledger,
    batches: std::sync::mpsc::Receiver<Vec<RemitPosting>>,
    at: &str,
) -> Result<(ledger::PostSummary, std::time::Duration, f64), Error> {
    let cpu = crate::progress::thread_cpu_seconds();
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
    Ok((post, busy, crate::progress::thread_cpu_seconds() - cpu))
}
