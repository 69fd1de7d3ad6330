//! The secondary job: coordination-of-benefits (COB) 837P claims to
//! secondary payers, from what the ledger knows.
//!
//! For every claim sent to its primary payer naming a secondary (loop 2320
//! `S`, recorded by `build` in `other_coverage`) that was not yet sent to that
//! secondary, it looks at the primary's latest posted payment:
//!
//! - none yet: the claim waits for the primary (counted, not listed);
//! - reversed and not yet corrected: it waits (listed in [`Report::waiting`]);
//! - answered in part (the primary split the claim and a sent line has no
//!   answer yet): it waits, naming the lines; once every line is answered
//!   the COB claim carries every part;
//! - forwarded by the primary to the other payer (crossover: CLP02 19-21
//!   or 23, or NM1*TT in its 835): not sent, the other payer already has it
//!   ([`Report::not_sent`]);
//! - denied outright for a reason the secondary pays on (an amount the
//!   primary put on the patient, e.g. PR-96 or PR-204, or a
//!   coordination-of-benefits reason such as CO-22): sent, with AMT*D 0 and
//!   the primary's CAS, which the secondary needs to pay;
//! - denied outright for another reason (to correct or appeal at the
//!   primary first): not sent, listed with the denial's reasons and next
//!   action ([`Report::not_sent`]);
//! - paid in full with nothing left to the patient: not sent (nothing to
//!   bill), listed;
//! - otherwise the claim as sent (read back from the recorded 837) and the
//!   primary's 835 claim payment (read back from the remittance file) become
//!   a COB claim (see `cob`), checked by the COB balancing rules; a claim
//!   that does not balance is held back with a finding ([`Report::held`]).
//!
//! The COB claims go out in one 837P (`secondary-<ISA13>.x12` in the output
//! folder), written atomically and re-validated, and each is recorded in the
//! ledger as the claim at the secondary payer (frequency 1, control numbers
//! from the same counters), so `reconcile` matches the secondary's 835 to it
//! and running again sends nothing twice. With `dry_run` nothing is written
//! or recorded. Nothing here prints.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::Config;
use crate::finding::Finding;
use crate::ledger::{self, Ledger};
use crate::progress::Progress;

mod cob;
mod decide;
mod prepare;
mod source;
mod stream;
mod submit;

use decide::finding;

/// Rule id of a COB claim that cannot be built from what the ledger points at
/// (recorded 837 or 835 missing, changed, or without the claim).
pub const RULE_SOURCE: &str = "COB-SOURCE";

/// A secondary run that could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::Error),
    /// A file or folder could not be written.
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
    /// `out_dir` exists and is not a folder.
    #[error("{0}: not a folder")]
    NotAFolder(PathBuf),
    /// The 837P could not be written (a value the writer refuses).
    #[error("{path}: cannot write the 837P: {cause}")]
    Write837 {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        cause: crate::x12::WriteError,
    },
    /// The 837P written failed its own validation (a bug; nothing is sent).
    #[error("{path}: the 837P written does not validate ({first}); nothing was sent")]
    SelfCheck {
        /// The file.
        path: PathBuf,
        /// The first finding.
        first: String,
    },
}

impl Error {
    fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { path, what, cause }
    }
}

impl From<crate::sending::Error> for Error {
    fn from(e: crate::sending::Error) -> Error {
        use crate::sending::Error as Sending;
        match e {
            Sending::Ledger(e) => Error::Ledger(e),
            Sending::Io { path, what, cause } => Error::Io { path, what, cause },
            Sending::Write837 { path, cause } => Error::Write837 { path, cause },
        }
    }
}

/// How a run behaves.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock (envelope dates, the submission's time).
    pub now: NaiveDateTime,
    /// Decide and check everything, write and record nothing.
    pub dry_run: bool,
}

/// One COB claim sent (or, in a dry run, that would be sent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentCob {
    /// CLM01.
    pub claim_id: String,
    /// The secondary payer it goes to.
    pub payer_id: String,
    /// The primary payer.
    pub primary_payer_id: String,
    /// CLM02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub charge: Decimal,
    /// What the primary paid (2320 AMT*D).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub primary_paid: Decimal,
    /// What the primary left to the patient (its PR adjustments), which the
    /// secondary is asked to consider.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub patient_responsibility: Decimal,
}

/// A claim with secondary coverage that is not sent this run, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NotSent {
    /// CLM01.
    pub claim_id: String,
    /// The primary payer.
    pub primary_payer_id: String,
    /// The secondary payer.
    pub payer_id: String,
    /// The primary's status (denied, forwarded, reversed, paid, ...).
    pub primary_status: String,
    /// Why it is not sent.
    pub reason: String,
    /// What a person should do next (empty when nothing: the claim waits).
    pub next_action: String,
}

/// What a run did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    /// True when nothing was written or recorded.
    pub dry_run: bool,
    /// The COB 837P written (`None` when none was, or in a dry run).
    pub x12_file: Option<PathBuf>,
    /// ISA13 of that file.
    pub isa13: Option<String>,
    /// COB claims sent (or that a dry run would send).
    pub sent: Vec<SentCob>,
    /// Sum of their CLM02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub sent_charge: Decimal,
    /// Claims not sent: denied by the primary, forwarded by it, or paid in
    /// full with nothing left.
    pub not_sent: Vec<NotSent>,
    /// Claims that wait: the primary's payment was reversed and not
    /// corrected, or the primary has not answered every line yet.
    pub waiting: Vec<NotSent>,
    /// Claims with secondary coverage whose primary has not answered yet.
    pub awaiting_primary: usize,
    /// Claims held back: COB balancing failed, or the recorded 837 or 835
    /// could not be read back. Each has its findings.
    pub held: Vec<String>,
    /// Every finding, by claim.
    pub findings: Vec<Finding>,
    /// How many COB claims were sent, not sent and waiting: the lengths of
    /// `sent`, `not_sent` and `waiting`, unless the run kept only the first
    /// of each ([`run_keeping`]). Not in the JSON (the lists are).
    #[serde(skip)]
    pub counts: Counts,
}

/// How many claims each list of a [`Report`] had (see [`Report::counts`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// COB claims sent (or that a dry run would send).
    pub sent: usize,
    /// Claims not sent.
    pub not_sent: usize,
    /// Claims that wait.
    pub waiting: usize,
}

impl Report {
    /// True when a person must look at something this run found: a claim
    /// held back (it does not balance, or its 837 or 835 cannot be read
    /// back). Claims the primary denied are listed, but they are already on
    /// reconcile's denials worklist: a denial that stays unworked would
    /// otherwise fail every nightly run.
    pub fn needs_attention(&self) -> bool {
        !self.held.is_empty()
    }
}

/// Candidates taken from the ledger at a time: a batch's claims are read
/// back, built, written and recorded before the next batch is read.
const BATCH: usize = 5_000;

/// Runs the secondary job: decides per claim, builds and checks the COB
/// claims, writes them as one 837P into `out_dir` (created when missing) and
/// records them in the ledger (nothing written or recorded with
/// `options.dry_run`). The report lists every claim; see [`run_keeping`]
/// for a report of bounded size.
pub fn run(
    config: &Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    options: &Options,
    progress: &Progress,
) -> Result<Report, Error> {
    run_keeping(config, ledger, out_dir, options, progress, usize::MAX)
}

/// Runs the secondary job like [`run`], but the report keeps only the first
/// `keep` claims of `sent`, `not_sent` and `waiting` ([`Report::counts`]
/// and `sent_charge` count them all), so that its size does not grow with
/// the number of claims. `held` and `findings` are whole.
///
/// The claims are taken from the ledger in batches of 5,000 candidates, in
/// the order they were recorded; each batch's claims are read back, built
/// and balanced (on rayon), then written set by set and recorded, and let
/// go before the next batch, so memory holds a batch, not the run (besides
/// the report's one line per claim).
pub fn run_keeping(
    config: &Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    options: &Options,
    progress: &Progress,
    keep: usize,
) -> Result<Report, Error> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::NotAFolder(out_dir.to_path_buf()));
    }
    progress.stage("finding, reading back, building, writing and recording the COB claims");
    let mut run = stream::Streamed::new(config, out_dir, options, keep);
    let mut first = prepare::Producer::new(config, options, ledger.reader()?);
    // The first stage prepares the next batch while this thread writes and
    // records the one before (handed over one at a time: at most two
    // batches are held).
    std::thread::scope(|s| -> Result<(), Error> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<prepare::Prepared, Error>>(0);
        s.spawn(move || loop {
            let next = first.next_batch().transpose();
            let Some(next) = next else { break };
            let failed = next.is_err();
            // A closed channel: the second stage stopped on an error.
            if tx.send(next).is_err() || failed {
                break;
            }
        });
        loop {
            let took = Instant::now();
            let Ok(batch) = rx.recv() else { break };
            run.waited(took.elapsed());
            run.batch(batch?, ledger)?;
            let (candidates, sent) = run.counts();
            progress.counts(candidates, sent);
        }
        Ok(())
    })?;
    run.finish(ledger, progress)
}

#[cfg(test)]
mod tests;
