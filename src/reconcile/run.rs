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

use super::batches::{read_match_post, Collected, Job, Kept};
use super::redelivered::already_posted;
use super::report::{self, OutstandingRow};
use super::set::{open_remit_file, Against, Opened};
use super::source::{earlier_answers, known_payers, load, Loaded};
use super::summary::{
    ledger_note, outstanding_rows, reversal_notes, tie_out, unpaired_reversals, Counts, Summary,
};
use super::PayerNames;
use crate::ledger::{self, Ledger};
use crate::progress::Progress;
use crate::x12::{Finding, TransactionKind};

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
    let with_hash = matches!(claims, Claims::Ledger(_));
    let (loaded, opened) = std::thread::scope(|scope| {
        let opening = scope.spawn(|| {
            remits.par_iter().map(|p| open_remit_file(p, with_hash)).collect::<Vec<Opened>>()
        });
        let loaded = load(claims);
        (loaded, opening.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
    });
    let Loaded { sent, mut notes, ledger, waiting, ledger_rows, ids } = loaded?;
    progress.stage("index claims");
    let index = Loaded::index(&sent, ids);
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

    // The live payments of earlier runs (ledger mode). Payments the ledger
    // holds already are accounted as this run's, from what was live
    // before them.
    let earlier = match ledger.as_deref() {
        Some(l) => l.live_payments_before(&already_posted(l, &jobs, &payers)?)?,
        None => Vec::new(),
    };
    let mut book = earlier_answers(&index, earlier);

    let writer =
        report::ReportWriter::create(out_dir).map_err(Error::io(out_dir, "writing reports"))?;
    let mut out = Collected {
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
    // The outstanding claims, the reports' last rows (synced) and the
    // summary's figures are done while the ledger posts its last batches;
    // the reports are put in place once every batch is posted.
    let (posted, (reports, counts, tie, reversals)) = read_match_post(
        &jobs,
        &against,
        &mut book,
        ledger,
        writer,
        &mut out,
        &at,
        progress,
        |writer, out, book| {
            let outstanding: Vec<OutstandingRow> = if with_postings {
                outstanding_rows(&sent, &waiting, book, options.now.date())
            } else {
                Vec::new()
            };
            let reports = writer
                .complete(&out.plb, &outstanding)
                .map_err(Error::io(out_dir, "writing reports"))?;
            let counts = Counts::of(&out.compact, book.partial_completed(&sent), outstanding.len());
            let tie = tie_out(&out.compact, &out.plb, &out.sets);
            let reversals = reversal_notes(book, &out.compact, &out.sets);
            Ok((reports, counts, tie, reversals))
        },
    )?;
    let Collected { kept, sets, compact, denial_rows, .. } = out;

    let mut findings = kept.findings;
    findings.extend(unpaired_reversals(posted.as_ref()));
    findings.sort_by(|a, b| a.file.cmp(&b.file).then(a.pos.cmp(&b.pos)));
    // A re-delivered 835 (every payment already applied, none conflicting)
    // posts nothing: the reports of the run that posted it stand (the
    // completed ones are dropped, their temp files removed).
    let nothing_new = posted.as_ref().is_some_and(|p| {
        p.applied.is_empty() && !p.already_applied.is_empty() && p.conflicts.is_empty()
    });
    progress.stage("put reports in place");
    let paths = if nothing_new {
        drop(reports);
        Vec::new()
    } else {
        reports.publish().map_err(Error::io(out_dir, "writing reports"))?
    };
    progress.done();

    let summary = Summary {
        files: remits.len(),
        transactions: sets.len(),
        claim_payments: compact.len(),
        counts,
        tie_out: tie,
        reversals,
        denial_rows,
        unreadable_files: broken,
        findings,
        findings_not_kept: kept.dropped,
        notes,
        reports: paths.iter().map(|p| p.display().to_string()).collect(),
        payments: sets,
        ledger: posted.map(ledger_note),
    };
    // A million claims take a fifth of a second to free: the caller gets
    // the summary without waiting for it.
    drop(index);
    free_elsewhere((sent, book, compact, waiting, ledger_rows));
    Ok(summary)
}

/// Drops `what` on a thread of its own (inline when no thread can be
/// started: the refused closure is dropped here), so large collections are
/// freed while the caller goes on.
fn free_elsewhere<T: Send + 'static>(what: T) {
    let _ = std::thread::Builder::new().name("free".into()).spawn(move || drop(what));
}
