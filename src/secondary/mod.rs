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

use crate::claim::{Claim, ClaimStatus};
use crate::config::Config;
use crate::edi835::ClaimPayment;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, CobCandidate, Ledger, PrimaryPayment};
use crate::progress::Progress;

mod cob;
mod source;
mod submit;

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

/// What to do with one candidate.
enum Decision {
    /// Build and send its COB claim from this payment.
    Send(PrimaryPayment),
    /// Do not send (listed), or wait (listed), or wait for the primary (counted).
    NotSent(NotSent),
    Waiting(NotSent),
    AwaitingPrimary,
}

/// The denial's CARCs and the worklist's next action for them.
fn denial(p: &PrimaryPayment) -> (String, String) {
    let codes: Vec<&str> =
        p.adjustments.split(';').filter_map(|a| a.split_whitespace().next()).collect();
    let main = codes.iter().find(|c| !c.starts_with("PR-")).or(codes.first());
    let action = main
        .map(|c| {
            let (group, carc) = c.split_once('-').unwrap_or(("", c));
            let category = crate::claim::denial::category(carc);
            let group = crate::edi835::Group::from_code(group);
            crate::claim::denial::action(category, group, false).words().to_string()
        })
        .unwrap_or_else(|| "appeal".to_string());
    let reason = if codes.is_empty() {
        "denied by the primary payer".to_string()
    } else {
        format!("denied by the primary payer ({})", codes.join(", "))
    };
    (reason, action)
}

/// True when a full denial of the primary leaves the claim to the
/// secondary: an amount the primary put on the patient (PR, e.g. PR-96,
/// PR-204), or a reason saying another payer covers it (CO-22 and the other
/// coordination-of-benefits reasons). The secondary needs the denial (AMT*D
/// 0 and the primary's CAS) to pay. Denials the office must correct or
/// appeal at the primary first (CO-16, CO-50, ...) are not sent.
fn secondary_may_pay(p: &PrimaryPayment) -> bool {
    p.adjustments.split(';').filter_map(|a| a.split_whitespace().next()).any(|code| {
        let (group, carc) = code.split_once('-').unwrap_or(("", code));
        group.eq_ignore_ascii_case("PR") || crate::claim::other_payer_reason(carc)
    })
}

fn decide(c: &CobCandidate) -> Decision {
    let listed = |p: &PrimaryPayment, reason: String, next: &str| NotSent {
        claim_id: c.claim_id.clone(),
        primary_payer_id: c.payer_id.clone(),
        payer_id: c.secondary_payer_id.clone(),
        primary_status: p.status.as_str().to_string(),
        reason,
        next_action: next.to_string(),
    };
    let Some(p) = &c.payment else { return Decision::AwaitingPrimary };
    if p.reversed || p.status == ClaimStatus::Reversed {
        return Decision::Waiting(listed(
            p,
            "the primary's payment was reversed and is not yet corrected: waits for the corrected payment".into(),
            "",
        ));
    }
    match p.status {
        ClaimStatus::Denied if secondary_may_pay(p) => Decision::Send(p.clone()),
        ClaimStatus::Denied => {
            let (reason, action) = denial(p);
            Decision::NotSent(listed(p, reason, &action))
        }
        ClaimStatus::Forwarded => Decision::NotSent(listed(p, FORWARDED.into(), WAIT_OTHER)),
        _ if p.patient_responsibility.is_zero() && p.status == ClaimStatus::Paid => {
            Decision::NotSent(listed(
                p,
                "paid by the primary with nothing left to the patient: nothing to bill the secondary".into(),
                "",
            ))
        }
        ClaimStatus::Paid | ClaimStatus::Partial | ClaimStatus::PatientResponsibility => {
            Decision::Send(p.clone())
        }
        other => Decision::Waiting(listed(
            p,
            format!("the primary's latest answer is {}: waits", other.as_str()),
            "",
        )),
    }
}

/// Why a COB claim was held back, in billing words, from its findings.
fn held_reason(findings: &[&Finding]) -> String {
    let line = findings.iter().find(|f| f.rule == "837-COB-LINE");
    if let Some(f) = line {
        // The finding names the line: "..., line 2, payer ...".
        let which = f
            .message
            .split([',', ':'])
            .map(str::trim)
            .find(|p| p.starts_with("line "))
            .unwrap_or("every line");
        return format!(
            "cannot bill the secondary: the primary's remittance does not answer {which} as billed \
             (answered under another procedure code, or not at all), so the amounts cannot add up"
        );
    }
    if findings.iter().any(|f| f.rule.starts_with("837-COB")) {
        return "cannot bill the secondary: the primary's paid and adjusted amounts do not add up \
                to the charge"
            .to_string();
    }
    match findings.first() {
        Some(f) => format!("cannot bill the secondary: {}", f.message),
        None => "cannot bill the secondary".to_string(),
    }
}

/// Why a claim the primary forwarded (CLP02 19-21 or 23, NM1*TT) is not sent.
const FORWARDED: &str =
    "the primary forwarded the claim to the other payer itself: not billed again";
/// The worklist's next action for it.
const WAIT_OTHER: &str = "wait for the other payer's remittance";

/// A finding for claim `claim_id` of the run (no file position).
fn finding(rule: &'static str, claim_id: &str, message: String) -> Finding {
    Finding::new(rule, Severity::Error, message).for_claim(claim_id)
}

/// Every live payment of the claim (several when the payer split it), else
/// the latest one.
fn live<'a>(
    c: &'a CobCandidate,
    p: &'a PrimaryPayment,
) -> impl Iterator<Item = &'a PrimaryPayment> + 'a {
    let only = c.live.is_empty().then_some(p);
    c.live.iter().chain(only)
}

/// The lines of claim `sent` (1-based positions) that no live payment of
/// the primary answered yet: empty when one answered the whole claim or
/// when together they answered every line (the ledger's rule).
fn unanswered(c: &CobCandidate, p: &PrimaryPayment, sent: &Claim) -> Vec<usize> {
    let ids: Vec<String> = ledger::PatientRecord::of(sent).map(|r| r.line_ids).unwrap_or_default();
    let answered: Vec<Option<String>> = live(c, p).map(|lp| lp.lines.clone()).collect();
    ledger::unanswered_lines(&ids, &answered).into_iter().map(|(n, _)| n).collect()
}

/// What became of one claim to send, in the order the report lists them.
enum Outcome {
    /// Held back with these findings.
    Held(Vec<Finding>),
    /// Waits (the primary has not answered every line yet).
    Waiting(Box<NotSent>),
    /// Not sent (the primary forwarded it).
    NotSent(Box<NotSent>),
    /// No claim payment to build from.
    Skip,
    /// Built and balanced: sent.
    Sent(Box<(SentCob, Claim, submit::Pending)>),
}

/// Builds and balances the COB claim of candidate `c` (the primary's latest
/// payment `p`) from the claim as sent and the primary's claim payments.
fn outcome(
    c: &CobCandidate,
    p: &PrimaryPayment,
    primary: &Claim,
    remits: &mut source::Remits,
    config: &Config,
    options: &Options,
) -> Outcome {
    let held = |message: String| Outcome::Held(vec![finding(RULE_SOURCE, &c.claim_id, message)]);
    // A primary that split the claim over several 835s: the COB claim waits
    // until every line is answered, then carries every part.
    let open = unanswered(c, p, primary);
    if !open.is_empty() {
        let lines: Vec<String> = open.iter().map(|n| n.to_string()).collect();
        return Outcome::Waiting(Box::new(NotSent {
            claim_id: c.claim_id.clone(),
            primary_payer_id: c.payer_id.clone(),
            payer_id: c.secondary_payer_id.clone(),
            primary_status: p.status.as_str().to_string(),
            reason: format!(
                "the primary has answered part of the claim: waits for its answer on line {}",
                lines.join(", ")
            ),
            next_action: String::new(),
        }));
    }
    live(c, p).for_each(|lp| remits.load(lp));
    let remits = &*remits;
    let mut found = Vec::new();
    for lp in live(c, p) {
        let Some(f) = remits.find(lp) else {
            let why = remits
                .broken
                .get(&lp.remit_file)
                .cloned()
                .unwrap_or_else(|| "the claim payment is not in it".into());
            return held(format!(
                "claim {}: the primary's 835 ({}, set {}) cannot be read back: {why}",
                c.claim_id, lp.remit_file, lp.st02
            ));
        };
        found.push(f);
    }
    let cps: Vec<&ClaimPayment> = found.iter().map(|(cp, _)| cp).collect();
    // See: 835 CLP02 19-21 and NM1*TT: the primary sent the claim on to
    // the other payer itself (crossover); billing it again would bill twice.
    if cps.iter().any(|cp| cp.is_forwarded()) {
        return Outcome::NotSent(Box::new(NotSent {
            claim_id: c.claim_id.clone(),
            primary_payer_id: c.payer_id.clone(),
            payer_id: c.secondary_payer_id.clone(),
            primary_status: format!("{}+forwarded", p.status.as_str()),
            reason: FORWARDED.into(),
            next_action: WAIT_OTHER.into(),
        }));
    }
    let date = found.last().and_then(|(_, d)| *d).unwrap_or(options.now.date());
    let claim = match cob::build(primary, &c.secondary_payer_id, &cps, date, config) {
        Ok(claim) => claim,
        Err(cob::Problem::NoSecondaryLoop) => {
            return held(format!(
                "claim {}: the 837 it was sent in names no secondary payer {} (loop 2320)",
                c.claim_id, c.secondary_payer_id
            ));
        }
        Err(cob::Problem::NoPayment) => return Outcome::Skip,
    };
    let imbalances = crate::edi837::cob::balance(&crate::edi837::cob::CobClaim::of(&claim));
    if !imbalances.is_empty() {
        return Outcome::Held(
            imbalances.into_iter().map(|i| finding(i.rule, &c.claim_id, i.message)).collect(),
        );
    }
    let pr = cob::patient_responsibility(&claim);
    let primary_paid = claim.other_payers[0].paid.unwrap_or_default();
    let sent = SentCob {
        claim_id: c.claim_id.clone(),
        payer_id: c.secondary_payer_id.clone(),
        primary_payer_id: c.payer_id.clone(),
        charge: claim.total_charge(),
        primary_paid,
        patient_responsibility: pr,
    };
    let pending = submit::Pending {
        primary_payer_id: c.payer_id.clone(),
        primary_payment_id: p.id,
        primary_paid,
        patient_responsibility: pr,
    };
    Outcome::Sent(Box::new((sent, claim, pending)))
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
