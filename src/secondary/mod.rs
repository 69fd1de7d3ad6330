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

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::claim::Claim;
use crate::config::Config;
use crate::finding::Finding;
use crate::ledger::{self, CobCandidate, Ledger, PrimaryPayment};
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

/// Runs the secondary job: decides per claim, builds and checks the COB
/// claims, writes them as one 837P into `out_dir` (created when missing) and
/// records them in the ledger (nothing written or recorded with
/// `options.dry_run`).
pub fn run(
    config: &Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    options: &Options,
    progress: &Progress,
) -> Result<Report, Error> {
    if out_dir.exists() && !out_dir.is_dir() {
        return Err(Error::NotAFolder(out_dir.to_path_buf()));
    }
    progress.stage("finding claims with secondary coverage");
    let candidates = ledger.cob_candidates()?;
    let mut report = Report { dry_run: options.dry_run, ..Report::default() };
    let mut to_build: Vec<(&CobCandidate, PrimaryPayment)> = Vec::new();
    for c in &candidates {
        match decide(c) {
            Decision::Send(p) => to_build.push((c, p)),
            Decision::NotSent(n) => report.not_sent.push(n),
            Decision::Waiting(n) => report.waiting.push(n),
            Decision::AwaitingPrimary => report.awaiting_primary += 1,
        }
    }
    progress.stage("opening the primary's 835s");
    let payments: Vec<&PrimaryPayment> = to_build.iter().flat_map(|(c, p)| live(c, p)).collect();
    let mut remits = source::Remits::read(&payments);
    drop(payments);
    progress.stage("reading back the claims sent and the 835 sets, building the COB claims");
    // Each claim sent is read back from the file the ledger says it was last
    // sent in; the first occurrence there is used.
    let mut index: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, (c, _)) in to_build.iter().enumerate() {
        index.entry((c.file.as_str(), c.claim_id.as_str(), c.payer_id.as_str())).or_insert(i);
    }
    let mut files: Vec<&str> = to_build.iter().map(|(c, _)| c.file.as_str()).collect();
    files.sort_unstable();
    files.dedup();
    // Each COB claim is built as soon as its claim is read back, and the
    // claim sent and the primary's claim payments it used are let go.
    let mut outcomes: Vec<Option<Outcome>> = (0..to_build.len()).map(|_| None).collect();
    let mut broken: HashMap<&str, String> = HashMap::new();
    for file in files {
        let mut built = Vec::new();
        let read = source::each_sent(file, |sent| {
            let Some(&i) = index.get(&(file, sent.claim_id.as_str(), sent.payer.id.as_str()))
            else {
                return;
            };
            if outcomes[i].is_some() {
                return;
            }
            let (c, p) = &to_build[i];
            outcomes[i] = Some(outcome(c, p, &sent, &mut remits, config, options));
            live(c, p).for_each(|lp| remits.release(lp));
            built.push(i);
        });
        if let Err(why) = read {
            built.into_iter().for_each(|i| outcomes[i] = None);
            broken.insert(file, why);
        }
    }
    drop(remits);
    let sending = outcomes.iter().filter(|o| matches!(o, Some(Outcome::Sent(_)))).count();
    let mut claims: Vec<(Claim, submit::Pending)> = Vec::with_capacity(sending);
    for ((c, _), done) in to_build.iter().zip(outcomes) {
        match done {
            None => {
                let why =
                    broken.get(c.file.as_str()).map_or("the claim is not in it", String::as_str);
                report.findings.push(finding(
                    RULE_SOURCE,
                    &c.claim_id,
                    format!(
                        "claim {}: the 837 it was sent in ({}) cannot be read back: {why}",
                        c.claim_id, c.file
                    ),
                ));
                report.held.push(c.claim_id.clone());
            }
            Some(Outcome::Held(findings)) => {
                report.findings.extend(findings);
                report.held.push(c.claim_id.clone());
            }
            Some(Outcome::NotSent(n)) => report.not_sent.push(*n),
            Some(Outcome::Waiting(n)) => report.waiting.push(*n),
            Some(Outcome::Skip) => {}
            Some(Outcome::Sent(done)) => {
                let (sent, claim, pending) = *done;
                report.sent.push(sent);
                claims.push((claim, pending));
            }
        }
    }
    report.sent_charge = report.sent.iter().map(|s| s.charge).sum();
    if !options.dry_run {
        // The worklist lists what is held, in billing words, until a run
        // builds it.
        let held: Vec<(String, String, String, String)> = to_build
            .iter()
            .filter(|(c, _)| report.held.contains(&c.claim_id))
            .map(|(c, _)| {
                let mine: Vec<&Finding> =
                    report.findings.iter().filter(|f| f.claim_id == c.claim_id).collect();
                (
                    c.claim_id.clone(),
                    c.payer_id.clone(),
                    c.secondary_payer_id.clone(),
                    held_reason(&mine),
                )
            })
            .collect();
        let at = options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
        ledger.record_cob_held(&held, &at)?;
    }
    if !options.dry_run && !claims.is_empty() {
        progress.stage("writing the COB 837P");
        let (path, isa13) = submit::write_and_record(config, ledger, out_dir, options, &claims)?;
        report.x12_file = Some(path);
        report.isa13 = Some(isa13);
    }
    progress.done();
    Ok(report)
}

#[cfg(test)]
mod tests;
