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

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::config::Config;
use crate::finding::Finding;
use crate::ledger::{self, CobCandidate, CobCursor, Ledger, PrimaryPayment};
use crate::progress::Progress;

mod cob;
mod decide;
mod source;
mod submit;

use decide::{decide, finding, held_reason, live, outcome, Decision, Outcome};

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
    let mut run = Streamed::new(config, out_dir, options, keep);
    let mut cursor = CobCursor::default();
    loop {
        let took = Instant::now();
        let (candidates, next) = ledger.cob_candidates_page(cursor, BATCH)?;
        run.took.ledger += took.elapsed();
        if candidates.is_empty() {
            break;
        }
        cursor = next;
        run.batch(&candidates, ledger)?;
        progress.counts(run.candidates, run.report.counts.sent as u64);
    }
    run.finish(ledger, progress)
}

/// Where a run's time went, for `CLAIMFLOW_TIMINGS`.
#[derive(Debug, Default)]
struct Took {
    ledger: Duration,
    read_back: Duration,
    build: Duration,
    write: Duration,
}

/// A run in progress: what is kept from batch to batch.
struct Streamed<'c> {
    config: &'c Config,
    out_dir: &'c Path,
    options: &'c Options,
    report: Report,
    /// Not sent and waiting as decided from the ledger alone: the report
    /// lists them before those decided once the claim was read back.
    decided_not_sent: Vec<NotSent>,
    decided_waiting: Vec<NotSent>,
    /// The held candidates (claim, primary payer, secondary payer), in order.
    held: Vec<(String, String, String)>,
    /// Hashes of the claim ids of the candidates built and not held: the
    /// held list names every candidate built whose claim id is held, which
    /// only these can add to.
    built: Vec<u64>,
    /// (837 file, claim id, payer id) of the last candidate built: a
    /// candidate with the same is built from no claim (the first wins).
    last: Option<(String, String, String)>,
    sent837: source::Sent837,
    remits: source::Remits,
    emitter: Option<submit::Emitter<'c>>,
    /// Claims kept per list of the report.
    keep: usize,
    /// Candidates taken from the ledger.
    candidates: u64,
    took: Took,
}

impl<'c> Streamed<'c> {
    fn new(
        config: &'c Config,
        out_dir: &'c Path,
        options: &'c Options,
        keep: usize,
    ) -> Streamed<'c> {
        Streamed {
            config,
            out_dir,
            options,
            report: Report { dry_run: options.dry_run, ..Report::default() },
            decided_not_sent: Vec::new(),
            decided_waiting: Vec::new(),
            held: Vec::new(),
            built: Vec::new(),
            last: None,
            sent837: source::Sent837::default(),
            remits: source::Remits::default(),
            emitter: None,
            keep,
            candidates: 0,
            took: Took::default(),
        }
    }

    /// Decides, reads back, builds, writes and records one batch.
    fn batch(&mut self, candidates: &[CobCandidate], ledger: &mut Ledger) -> Result<(), Error> {
        self.candidates += candidates.len() as u64;
        let mut to_build: Vec<(&CobCandidate, PrimaryPayment)> = Vec::new();
        for c in candidates {
            match decide(c) {
                Decision::Send(p) => to_build.push((c, p)),
                Decision::NotSent(n) => {
                    self.report.counts.not_sent += 1;
                    keep(&mut self.decided_not_sent, n, self.keep);
                }
                Decision::Waiting(n) => {
                    self.report.counts.waiting += 1;
                    keep(&mut self.decided_waiting, n, self.keep);
                }
                Decision::AwaitingPrimary => self.report.awaiting_primary += 1,
            }
        }
        if to_build.is_empty() {
            return Ok(());
        }
        let took = Instant::now();
        let payments: Vec<&PrimaryPayment> =
            to_build.iter().flat_map(|(c, p)| live(c, p)).collect();
        self.remits.load(&payments);
        drop(payments);
        // Each claim sent is read back from the file the ledger says it was
        // last sent in; the first occurrence there is used.
        let wanted: Vec<source::Wanted<'_>> = to_build
            .iter()
            .map(|(c, _)| {
                (c.file.as_str(), c.st02.as_str(), c.claim_id.as_str(), c.payer_id.as_str())
            })
            .collect();
        let mut backs = self.sent837.read(&wanted);
        for (w, back) in wanted.iter().zip(&mut backs) {
            let same = self
                .last
                .as_ref()
                .is_some_and(|(f, c, p)| (f.as_str(), c.as_str(), p.as_str()) == (w.0, w.2, w.3));
            if same {
                if matches!(back, source::Back::Claim(_)) {
                    *back = source::Back::Missing;
                }
            } else {
                self.last = Some((w.0.to_string(), w.2.to_string(), w.3.to_string()));
            }
        }
        drop(wanted);
        self.took.read_back += took.elapsed();
        let took = Instant::now();
        let (config, options, remits) = (self.config, self.options, &self.remits);
        let outcomes: Vec<Result<Outcome, String>> = to_build
            .par_iter()
            .zip(backs.into_par_iter())
            .map(|((c, p), back)| match back {
                source::Back::Claim(sent) => Ok(outcome(c, p, &sent, remits, config, options)),
                source::Back::Missing => Err("the claim is not in it".to_string()),
                source::Back::Broken(why) => Err(why),
            })
            .collect();
        self.took.build += took.elapsed();
        let took = Instant::now();
        for ((c, _), done) in to_build.iter().zip(outcomes) {
            self.route(c, done, ledger)?;
        }
        self.took.write += took.elapsed();
        self.sent837.release();
        self.remits.release();
        Ok(())
    }

    /// Puts the outcome of candidate `c` in the report, and a COB claim
    /// into the 837P (started with the first one).
    fn route(
        &mut self,
        c: &CobCandidate,
        done: Result<Outcome, String>,
        ledger: &mut Ledger,
    ) -> Result<(), Error> {
        let held = match done {
            Err(why) => {
                self.report.findings.push(finding(
                    RULE_SOURCE,
                    &c.claim_id,
                    format!(
                        "claim {}: the 837 it was sent in ({}) cannot be read back: {why}",
                        c.claim_id, c.file
                    ),
                ));
                true
            }
            Ok(Outcome::Held(findings)) => {
                self.report.findings.extend(findings);
                true
            }
            Ok(Outcome::NotSent(n)) => {
                self.report.counts.not_sent += 1;
                keep(&mut self.report.not_sent, *n, self.keep);
                false
            }
            Ok(Outcome::Waiting(n)) => {
                self.report.counts.waiting += 1;
                keep(&mut self.report.waiting, *n, self.keep);
                false
            }
            Ok(Outcome::Skip) => false,
            Ok(Outcome::Sent(done)) => {
                let (sent, claim, pending) = *done;
                self.report.counts.sent += 1;
                self.report.sent_charge += sent.charge;
                keep(&mut self.report.sent, sent, self.keep);
                if !self.options.dry_run {
                    let emitter = match &mut self.emitter {
                        Some(e) => e,
                        None => self.emitter.insert(submit::Emitter::open(
                            self.config,
                            ledger,
                            self.out_dir,
                            self.options,
                        )?),
                    };
                    emitter.send(claim, pending, ledger)?;
                }
                false
            }
        };
        if held {
            self.report.held.push(c.claim_id.clone());
            self.held.push((c.claim_id.clone(), c.payer_id.clone(), c.secondary_payer_id.clone()));
        } else {
            self.built.push(id_hash(&c.claim_id));
        }
        Ok(())
    }

    /// Completes the report, records the held claims and completes the
    /// 837P's submission.
    fn finish(mut self, ledger: &mut Ledger, progress: &Progress) -> Result<Report, Error> {
        let mut report = std::mem::take(&mut self.report);
        // The report lists first what was decided from the ledger alone.
        for (list, decided) in [
            (&mut report.not_sent, &mut self.decided_not_sent),
            (&mut report.waiting, &mut self.decided_waiting),
        ] {
            let late = std::mem::replace(list, std::mem::take(decided));
            list.extend(late);
            list.truncate(self.keep);
        }
        let took = Instant::now();
        if !self.options.dry_run {
            // The worklist lists what is held, in billing words, until a run
            // builds it. (Before the submission completes, the ledger still
            // answers the candidates as it did when the run began.)
            let keys = self.held_keys(ledger, &report.held)?;
            let rows: Vec<(String, String, String, String)> = keys
                .into_iter()
                .map(|(claim_id, payer_id, secondary)| {
                    let mine: Vec<&Finding> =
                        report.findings.iter().filter(|f| f.claim_id == claim_id).collect();
                    let reason = held_reason(&mine);
                    (claim_id, payer_id, secondary, reason)
                })
                .collect();
            let at = self.options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
            ledger.record_cob_held(&rows, &at)?;
        }
        if let Some(emitter) = self.emitter.take() {
            progress.stage("writing the last set, renaming the COB 837P into place (fsync), completing its submission");
            let (path, isa13) = emitter.finish(ledger)?;
            report.x12_file = Some(path);
            report.isa13 = Some(isa13);
        }
        self.took.write += took.elapsed();
        let t = &self.took;
        progress.timing("  of which ledger reads (candidates, payments)", t.ledger);
        progress.timing("  of which reading back the 837 claims and 835 sets", t.read_back);
        progress.timing("  of which building and balancing the COB claims", t.build);
        progress.timing("  of which writing, validating and recording the 837P", t.write);
        progress.done();
        Ok(report)
    }

    /// Every candidate built whose claim id is held, in order: the held
    /// candidates, unless a candidate built and not held shares a claim id
    /// with one of them; then the candidates are taken from the ledger again
    /// to find them in order.
    fn held_keys(
        &mut self,
        ledger: &Ledger,
        held: &[String],
    ) -> Result<Vec<(String, String, String)>, Error> {
        let mut hashes: Vec<u64> = held.iter().map(|id| id_hash(id)).collect();
        hashes.sort_unstable();
        let shared = self.built.iter().any(|h| hashes.binary_search(h).is_ok());
        if !shared {
            return Ok(std::mem::take(&mut self.held));
        }
        let held: HashSet<&str> = held.iter().map(String::as_str).collect();
        let mut keys = Vec::new();
        let mut cursor = CobCursor::default();
        loop {
            let (candidates, next) = ledger.cob_candidates_page(cursor, BATCH)?;
            if candidates.is_empty() {
                break;
            }
            cursor = next;
            for c in candidates {
                if matches!(decide(&c), Decision::Send(_)) && held.contains(c.claim_id.as_str()) {
                    keys.push((c.claim_id, c.payer_id, c.secondary_payer_id));
                }
            }
        }
        Ok(keys)
    }
}

/// Adds `item` to `list` unless it holds `keep` already.
fn keep<T>(list: &mut Vec<T>, item: T, keep: usize) {
    if list.len() < keep {
        list.push(item);
    }
}

/// A hash of claim id `id` (the same in every run).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests;
