//! The ack job as a library call: acknowledgment files in; each TA1, 999
//! set response and 277CA claim status matched to the submissions and
//! claims of the ledger, recorded once, and written as `acks.csv` (one row
//! per claim event, and one per acknowledgment that matched nothing). The
//! returned [`Report`] is what a caller prints; this module prints nothing.
//!
//! ```no_run
//! use claimflow::{ack, clock, ledger::Ledger};
//! use std::path::{Path, PathBuf};
//!
//! let mut ledger = Ledger::open(Path::new("out/claimflow.db"))?;
//! let files = [PathBuf::from("fixtures/ack/demo.999"), PathBuf::from("fixtures/ack/demo.277")];
//! let options = ack::Options::new(clock::parse_now("2026-11-28")?);
//! let report = ack::run(&files, &mut ledger, Some(Path::new("out/acks")), &options)?;
//! println!("{} claim(s) rejected", report.counts.claims_rejected);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::read::{self, Ack, Body, ClaimAck277, Outcome, SetAck, Ta1};
use crate::claim::ClaimStatus;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, AckPosting, ClaimAck, Ledger, Submission, SubmittedClaim};
use crate::reconcile::PayerNames;

/// Why the job could not run. Nothing is recorded and no report written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] ledger::Error),
    /// The report could not be written.
    #[error("{path}: {what}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// No file could be read at all.
    #[error("no acknowledgment file could be read: {}", .0.iter().map(|b| format!("{}: {}", b.file, b.reason)).collect::<Vec<_>>().join("; "))]
    NoFile(Vec<BrokenFile>),
}

/// A file that could not be read.
#[derive(Clone, Debug, Serialize)]
pub struct BrokenFile {
    /// The file as named.
    pub file: String,
    /// Why.
    pub reason: String,
}

/// How the job runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock: when the acknowledgments are recorded.
    pub now: NaiveDateTime,
    /// The payers' ids and aliases (from the config): a 277CA's 2100A id
    /// names the claim's payer through them.
    pub payers: PayerNames,
}

impl Options {
    /// Options with the run's clock `now` and no payer aliases.
    pub fn new(now: NaiveDateTime) -> Options {
        Options { now, payers: PayerNames::new() }
    }
}

/// One row of `acks.csv`: a claim event, or an acknowledgment that
/// matched nothing (empty claim and `status` unmatched).
#[derive(Clone, Debug, Serialize)]
pub struct AckRow {
    /// The acknowledgment file.
    pub file: String,
    /// `TA1`, `999` or `277CA`.
    pub kind: &'static str,
    /// Segment number (1-based, in the file) where the acknowledgment starts.
    pub segment: u32,
    /// What it answers: `ISA13 …`, `GS06 … ST02 …`, `claim …`.
    pub reference: String,
    /// The claim (empty when it matched none).
    pub claim_id: String,
    /// The claim's payer.
    pub payer_id: String,
    /// `accepted`, `rejected`, `sent` (nothing decided: an accepted
    /// interchange, a 277CA category that is neither) or `unmatched`.
    pub status: String,
    /// What it says of the claim, with its codes.
    pub detail: String,
    /// REF*1K.
    pub payer_claim_id: String,
    /// REF*D9.
    pub trace: String,
    /// `new`, `already` (recorded before: nothing recorded now), or
    /// `not recorded` (unmatched, or in a truncated set).
    pub recorded: &'static str,
}

/// Counts of what was read.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Counts {
    /// TA1s read.
    pub ta1: usize,
    /// Interchanges rejected by a TA1.
    pub interchanges_rejected: usize,
    /// 999 set (or group) responses read.
    pub sets: usize,
    /// Of those, accepted (IK5 A).
    pub sets_accepted: usize,
    /// Accepted with errors (IK5 E).
    pub sets_accepted_with_errors: usize,
    /// Rejected (IK5 M, R, W, X).
    pub sets_rejected: usize,
    /// 277CA claim statuses read.
    pub claim_statuses: usize,
    /// Claim events accepting a claim.
    pub claims_accepted: usize,
    /// Claim events rejecting a claim.
    pub claims_rejected: usize,
    /// Acknowledgments that matched nothing.
    pub unmatched: usize,
    /// Acknowledgments recorded before (nothing recorded now).
    pub already: usize,
}

/// What was recorded.
#[derive(Clone, Debug, Default, Serialize)]
pub struct LedgerSummary {
    /// Acknowledgments recorded now.
    pub recorded: usize,
    /// Acknowledgments recorded before.
    pub already: usize,
    /// Claim events recorded now.
    pub claim_events: usize,
    /// Claims whose current status changed.
    pub status_changes: usize,
}

/// What the job did.
#[derive(Debug, Serialize)]
pub struct Report {
    /// Files read.
    pub files: usize,
    /// Counts.
    pub counts: Counts,
    /// Every row of `acks.csv`, in file order.
    pub rows: Vec<AckRow>,
    /// Envelope findings, unmatched and truncated acknowledgments, by file
    /// and position.
    pub findings: Vec<Finding>,
    /// Files that could not be read.
    pub broken_files: Vec<BrokenFile>,
    /// What was recorded.
    pub ledger: LedgerSummary,
    /// `acks.csv`, when an output folder was given.
    pub acks_csv: Option<PathBuf>,
}

impl Report {
    /// True when a person is needed (exit 1): a rejection, an unmatched
    /// acknowledgment, an error finding or a broken file.
    pub fn needs_attention(&self) -> bool {
        self.counts.claims_rejected > 0
            || self.counts.interchanges_rejected > 0
            || self.counts.sets_rejected > 0
            || self.counts.unmatched > 0
            || !self.broken_files.is_empty()
            || self.findings.iter().any(Finding::is_error)
    }
}

/// An acknowledgment matched, before recording.
struct Matched {
    row_start: usize,
    posting: Option<AckPosting>,
}

/// Runs the job: reads `files`, matches and records their acknowledgments
/// in `ledger`, writes `acks.csv` into `out_dir` (created when missing)
/// when given.
pub fn run(
    files: &[PathBuf],
    ledger: &mut Ledger,
    out_dir: Option<&Path>,
    options: &Options,
) -> Result<Report, Error> {
    let mut report = Report {
        files: files.len(),
        counts: Counts::default(),
        rows: Vec::new(),
        findings: Vec::new(),
        broken_files: Vec::new(),
        ledger: LedgerSummary::default(),
        acks_csv: None,
    };
    let mut matched: Vec<Matched> = Vec::new();
    let mut cache = Cache::default();
    for path in files {
        let name = path.display().to_string();
        let bytes = match crate::input::open(path) {
            Ok(b) => b,
            Err(e) => {
                report.broken_files.push(BrokenFile { file: name, reason: e.to_string() });
                continue;
            }
        };
        let sha256 = ledger::hex(&Sha256::digest(&bytes[..]));
        let (acks, scan) = read::read(&bytes);
        drop(bytes);
        for f in scan.findings.into_iter().filter(|f| f.severity == Severity::Error) {
            report.findings.push(f.in_file(&name));
        }
        if acks.is_empty() {
            report.findings.push(
                Finding::new(
                    super::NOT_ACK,
                    Severity::Error,
                    "no TA1, 999 or 277CA acknowledgment in this file",
                )
                .in_file(&name),
            );
        }
        for a in &acks {
            let m = match_ack(a, &name, &sha256, ledger, options, &mut cache, &mut report)?;
            matched.push(m);
        }
    }
    if report.files == report.broken_files.len() {
        return Err(Error::NoFile(report.broken_files));
    }
    let posts: Vec<bool> = matched.iter().map(|m| m.posting.is_some()).collect();
    let postings: Vec<AckPosting> = matched.iter_mut().filter_map(|m| m.posting.take()).collect();
    let at = options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let posted = ledger.post_acks(&postings, &at)?;
    report.ledger = LedgerSummary {
        recorded: posted.recorded.len(),
        already: posted.already.len(),
        claim_events: posted.claim_events,
        status_changes: posted.status_changes,
    };
    report.counts.already = posted.already.len();
    // Mark each row with what became of its acknowledgment.
    let mut already = vec![false; postings.len()];
    for i in &posted.already {
        already[*i] = true;
    }
    let mut p = 0;
    for (k, m) in matched.iter().enumerate() {
        let end = matched.get(k + 1).map_or(report.rows.len(), |n| n.row_start);
        if posts[k] {
            let word = if already[p] { "already" } else { "new" };
            for row in &mut report.rows[m.row_start..end] {
                row.recorded = word;
            }
            p += 1;
        }
    }
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir)
            .map_err(|cause| Error::Io { path: dir.into(), what: "cannot create", cause })?;
        let path = dir.join("acks.csv");
        let bytes = acks_csv(&report.rows)
            .map_err(|cause| Error::Io { path: path.clone(), what: "cannot write", cause })?;
        crate::atomic::write(&path, &bytes)
            .map_err(|cause| Error::Io { path: path.clone(), what: "cannot write", cause })?;
        report.acks_csv = Some(path);
    }
    Ok(report)
}

/// Submissions and their claims looked up once per run.
#[derive(Default)]
struct Cache {
    by_isa13: HashMap<String, Option<Submission>>,
    by_gs06: HashMap<String, Option<Submission>>,
    claims: HashMap<(i64, Option<String>), Vec<SubmittedClaim>>,
}

impl Cache {
    fn by_isa13(&mut self, l: &Ledger, isa13: &str) -> Result<Option<Submission>, Error> {
        if let Some(s) = self.by_isa13.get(isa13) {
            return Ok(s.clone());
        }
        let s = l.submission_by_isa13(isa13)?;
        self.by_isa13.insert(isa13.to_string(), s.clone());
        Ok(s)
    }

    fn by_gs06(&mut self, l: &Ledger, gs06: &str) -> Result<Option<Submission>, Error> {
        if let Some(s) = self.by_gs06.get(gs06) {
            return Ok(s.clone());
        }
        let s = l.submission_by_gs06(gs06)?;
        self.by_gs06.insert(gs06.to_string(), s.clone());
        Ok(s)
    }

    fn claims(
        &mut self,
        l: &Ledger,
        id: i64,
        st02: Option<&str>,
    ) -> Result<&[SubmittedClaim], Error> {
        let key = (id, st02.map(str::to_string));
        if !self.claims.contains_key(&key) {
            let c = l.submitted_claims(id, st02)?;
            self.claims.insert(key.clone(), c);
        }
        Ok(self.claims.get(&key).map_or(&[][..], Vec::as_slice))
    }
}

/// Matches one acknowledgment: adds its rows (and findings) to `report`
/// and returns what to record (None when it matched nothing or its set is
/// truncated).
fn match_ack(
    a: &Ack,
    file: &str,
    sha256: &str,
    l: &Ledger,
    options: &Options,
    cache: &mut Cache,
    report: &mut Report,
) -> Result<Matched, Error> {
    let row_start = report.rows.len();
    let (reference, outcome, codes, claims, submission) = match &a.body {
        Body::Ta1(t) => {
            report.counts.ta1 += 1;
            match_ta1(t, l, cache)?
        }
        Body::Set(s) => {
            report.counts.sets += 1;
            match_999(s, l, cache)?
        }
        Body::Claim(c) => {
            report.counts.claim_statuses += 1;
            match_277(c, l, options)?
        }
    };
    let outcome = outcome.unwrap_or(Outcome::Other);
    match (&a.body, outcome) {
        (Body::Ta1(_), Outcome::Rejected) => report.counts.interchanges_rejected += 1,
        (Body::Set(_), Outcome::Accepted) => report.counts.sets_accepted += 1,
        (Body::Set(_), Outcome::AcceptedWithErrors) => report.counts.sets_accepted_with_errors += 1,
        (Body::Set(_), Outcome::Rejected) => report.counts.sets_rejected += 1,
        _ => {}
    }
    let Ok(claims) = claims else {
        let why = claims.err().unwrap_or_default();
        report.counts.unmatched += 1;
        report.findings.push(
            Finding::new(super::UNMATCHED, Severity::Error, format!("{} {reference}: {why}", a.kind()))
                .in_file(file)
                .at(a.pos, ""),
        );
        report.rows.push(AckRow {
            file: file.to_string(),
            kind: a.kind(),
            segment: a.pos.segment,
            reference,
            claim_id: String::new(),
            payer_id: String::new(),
            status: "unmatched".into(),
            detail: format!("{codes}; {why}"),
            payer_claim_id: String::new(),
            trace: String::new(),
            recorded: "not recorded",
        });
        return Ok(Matched { row_start, posting: None });
    };
    for c in &claims {
        match c.status {
            ClaimStatus::Accepted => report.counts.claims_accepted += 1,
            ClaimStatus::Rejected => report.counts.claims_rejected += 1,
            _ => {}
        }
        report.rows.push(AckRow {
            file: file.to_string(),
            kind: a.kind(),
            segment: a.pos.segment,
            reference: reference.clone(),
            claim_id: c.claim_id.clone(),
            payer_id: c.payer_id.clone(),
            status: c.status.as_str().to_string(),
            detail: c.detail.clone(),
            payer_claim_id: c.payer_claim_id.clone().unwrap_or_default(),
            trace: c.trace.clone().unwrap_or_default(),
            recorded: "not recorded",
        });
    }
    if !a.complete {
        report.findings.push(
            Finding::new(
                super::TRUNCATED,
                Severity::Error,
                format!(
                    "{} {reference}: its transaction set has no SE (the file is truncated): \
                     not recorded; ask for the file again",
                    a.kind()
                ),
            )
            .in_file(file)
            .at(a.pos, ""),
        );
        return Ok(Matched { row_start, posting: None });
    }
    Ok(Matched {
        row_start,
        posting: Some(AckPosting {
            kind: a.kind(),
            fingerprint: a.fingerprint.clone(),
            file: file.to_string(),
            file_sha256: sha256.to_string(),
            envelope: a.envelope.clone(),
            submission_id: submission,
            reference,
            outcome: outcome.as_str().to_string(),
            codes,
            claims,
        }),
    })
}

/// (reference, outcome, codes, the claims it speaks of or why none, submission)
type MatchResult = (String, Option<Outcome>, String, Result<Vec<ClaimAck>, String>, Option<i64>);

fn match_ta1(t: &Ta1, l: &Ledger, cache: &mut Cache) -> Result<MatchResult, Error> {
    let reference = format!("ISA13 {}", t.isa13);
    let outcome = match t.code.as_str() {
        "A" => Outcome::Accepted,
        "E" => Outcome::AcceptedWithErrors,
        "R" => Outcome::Rejected,
        _ => Outcome::Other,
    };
    let codes = format!("TA104 {} TA105 {}", t.code, t.note);
    let Some(sub) = cache.by_isa13(l, &t.isa13)? else {
        let why = "no file sent with this interchange control number".to_string();
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    let (status, said) = match outcome {
        Outcome::Rejected => (ClaimStatus::Rejected, "interchange rejected"),
        Outcome::AcceptedWithErrors => (ClaimStatus::Sent, "interchange accepted with errors"),
        Outcome::Accepted => (ClaimStatus::Sent, "interchange accepted"),
        Outcome::Other => (ClaimStatus::Sent, "interchange answered"),
    };
    let detail = format!("{said} ({reference}, {codes})");
    let claims = cache
        .claims(l, sub.id, None)?
        .iter()
        .map(|c| ClaimAck {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer_id.clone(),
            submission_id: sub.id,
            status,
            claim_level: false,
            detail: detail.clone(),
            payer_claim_id: None,
            trace: None,
        })
        .collect();
    Ok((reference, Some(outcome), codes, Ok(claims), Some(sub.id)))
}

/// The claims a 999 error at segment `position` of a set concerns:
/// the claim whose loop holds it; else every claim under the HL level
/// that holds it; else none (the set's header).
fn claims_at(position: u32, claims: &[SubmittedClaim]) -> Vec<usize> {
    let within: Vec<usize> = claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.as_ref().is_some_and(|s| s.first <= position && position <= s.last))
        .map(|(i, _)| i)
        .collect();
    if !within.is_empty() {
        return within;
    }
    let level = claims
        .iter()
        .filter_map(|c| c.span.as_ref())
        .flat_map(|s| s.levels.iter().copied())
        .filter(|&hl| hl <= position)
        .max();
    let Some(level) = level else { return Vec::new() };
    claims
        .iter()
        .enumerate()
        .filter(|(_, c)| c.span.as_ref().is_some_and(|s| s.levels.contains(&level)))
        .map(|(i, _)| i)
        .collect()
}

fn match_999(s: &SetAck, l: &Ledger, cache: &mut Cache) -> Result<MatchResult, Error> {
    let reference = if s.st02.is_empty() {
        format!("GS06 {}", s.gs06)
    } else {
        format!("GS06 {} ST02 {}", s.gs06, s.st02)
    };
    let outcome = match s.code.as_str() {
        "A" => Outcome::Accepted,
        "E" => Outcome::AcceptedWithErrors,
        "M" | "R" | "W" | "X" => Outcome::Rejected,
        _ => Outcome::Other,
    };
    let mut codes = if s.st02.is_empty() {
        format!("AK9 {}", s.code)
    } else {
        format!("IK5 {}", s.code)
    };
    if !s.reasons.is_empty() {
        codes.push_str(&format!(" {}", s.reasons.join(",")));
    }
    for e in &s.errors {
        codes.push_str(&format!("; {}", e.describe()));
    }
    if !s.functional_id.is_empty() && s.functional_id != "HC" {
        let why = format!("it answers a group of kind {} (claims are HC)", s.functional_id);
        return Ok((reference, Some(outcome), codes, Err(why), None));
    }
    let Some(sub) = cache.by_gs06(l, &s.gs06)? else {
        let why = "no file sent with this group control number".to_string();
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    let st02 = (!s.st02.is_empty()).then_some(s.st02.as_str());
    if let Some(st) = st02 {
        if !sub.st02.iter().any(|x| x == st) {
            let why = format!("the file with GS06 {} (ISA13 {}) has no set {st}", sub.gs06, sub.isa13);
            return Ok((reference, Some(outcome), codes, Err(why), None));
        }
    }
    let claims = cache.claims(l, sub.id, st02)?;
    let mut per_claim: Vec<Vec<String>> = vec![Vec::new(); claims.len()];
    let mut header = Vec::new();
    for e in &s.errors {
        let at = claims_at(e.position, claims);
        if at.is_empty() {
            header.push(e.describe());
        }
        for i in at {
            per_claim[i].push(e.describe());
        }
    }
    let status = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => ClaimStatus::Accepted,
        Outcome::Rejected => ClaimStatus::Rejected,
        Outcome::Other => ClaimStatus::Sent,
    };
    let said = match outcome {
        Outcome::Accepted => "set accepted",
        Outcome::AcceptedWithErrors => "set accepted with errors",
        Outcome::Rejected => "set rejected",
        Outcome::Other => "set answered",
    };
    let verdict = if s.st02.is_empty() { codes.clone() } else { format!("IK5 {}", s.code) };
    let list = claims
        .iter()
        .zip(per_claim)
        .map(|(c, errors)| {
            let mut detail = format!("{said} ({reference}, {verdict}");
            if !s.reasons.is_empty() && !s.st02.is_empty() {
                detail.push_str(&format!(" {}", s.reasons.join(",")));
            }
            detail.push(')');
            for e in errors.iter().chain(&header) {
                detail.push_str("; ");
                detail.push_str(e);
            }
            ClaimAck {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer_id.clone(),
                submission_id: sub.id,
                status,
                claim_level: false,
                detail,
                payer_claim_id: None,
                trace: None,
            }
        })
        .collect();
    Ok((reference, Some(outcome), codes, Ok(list), Some(sub.id)))
}

fn match_277(c: &ClaimAck277, l: &Ledger, options: &Options) -> Result<MatchResult, Error> {
    let reference = format!("claim {}", c.claim_id);
    let outcome = c.outcome();
    let codes = c.codes();
    let candidates = l.current_claims(&c.claim_id)?;
    let payer = options.payers.get(&c.source_id).map(|p| p.to_string());
    let found = match &payer {
        Some(p) => candidates.iter().find(|k| k.payer_id == *p),
        None if candidates.len() == 1 => candidates.first(),
        None => None,
    };
    let Some(k) = found else {
        let why = if candidates.is_empty() {
            "no claim with this id was sent".to_string()
        } else if let Some(p) = payer {
            format!("this claim was not sent to payer {p} (the 277CA's source {})", c.source_id)
        } else {
            format!(
                "this claim was sent to {} payers and the 277CA's source {} is no payer id or alias in the config",
                candidates.len(),
                c.source_id
            )
        };
        return Ok((reference, Some(outcome), codes, Err(why), None));
    };
    // The batch it answers (our BHT03: ISA13 then ST02), when it was sent there.
    let mut submission = k.submission_id;
    if c.batch.len() == 13 && c.batch.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(sub) = l.submission_by_isa13(&c.batch[..9])? {
            if l.was_sent_in(sub.id, &c.claim_id, &k.payer_id)? {
                submission = sub.id;
            }
        }
    }
    let status = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => ClaimStatus::Accepted,
        Outcome::Rejected => ClaimStatus::Rejected,
        Outcome::Other => ClaimStatus::Sent,
    };
    let said = match outcome {
        Outcome::Accepted | Outcome::AcceptedWithErrors => "claim accepted",
        Outcome::Rejected => "claim rejected",
        Outcome::Other => "claim status",
    };
    let mut detail = format!("{said} by {} ({codes}", c.source_id);
    if !c.date.is_empty() {
        detail.push_str(&format!(", status date {}", c.date));
    }
    if !c.payer_claim_id.is_empty() {
        detail.push_str(&format!(", payer claim number {}", c.payer_claim_id));
    }
    if !c.trace.is_empty() {
        detail.push_str(&format!(", trace {}", c.trace));
    }
    detail.push(')');
    let ack = ClaimAck {
        claim_id: c.claim_id.clone(),
        payer_id: k.payer_id.clone(),
        submission_id: submission,
        status,
        claim_level: true,
        detail,
        payer_claim_id: (!c.payer_claim_id.is_empty()).then(|| c.payer_claim_id.clone()),
        trace: (!c.trace.is_empty()).then(|| c.trace.clone()),
    };
    Ok((reference, Some(outcome), codes, Ok(vec![ack]), Some(submission)))
}

/// `acks.csv`: one row per [`AckRow`].
fn acks_csv(rows: &[AckRow]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "file",
        "kind",
        "segment",
        "reference",
        "claim_id",
        "payer_id",
        "status",
        "detail",
        "payer_claim_id",
        "trace",
        "recorded",
    ])?;
    for r in rows {
        w.write_record([
            r.file.as_str(),
            r.kind,
            &r.segment.to_string(),
            &r.reference,
            &r.claim_id,
            &r.payer_id,
            &r.status,
            &r.detail,
            &r.payer_claim_id,
            &r.trace,
            r.recorded,
        ])?;
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Span;

    fn claim(id: &str, first: u32, last: u32, levels: &[u32]) -> SubmittedClaim {
        SubmittedClaim {
            claim_id: id.into(),
            payer_id: "P".into(),
            st02: "0001".into(),
            span: Some(Span { first, last, levels: levels.to_vec() }),
        }
    }

    #[test]
    fn an_error_goes_to_the_claim_or_level_that_holds_its_segment() {
        // Billing HL at 6; subscriber A (HL 11) with claims C1, C2; subscriber
        // B (HL 30) with patient HL 34 and claim C3.
        let claims = [
            claim("C1", 17, 22, &[6, 11]),
            claim("C2", 23, 29, &[6, 11]),
            claim("C3", 40, 45, &[6, 30, 34]),
        ];
        assert_eq!(claims_at(20, &claims), [0]);
        assert_eq!(claims_at(23, &claims), [1]);
        assert_eq!(claims_at(13, &claims), [0, 1], "subscriber A's segments");
        assert_eq!(claims_at(31, &claims), [2], "subscriber B's segments");
        assert_eq!(claims_at(36, &claims), [2], "the patient's segments");
        assert_eq!(claims_at(8, &claims), [0, 1, 2], "the billing provider's segments");
        assert!(claims_at(3, &claims).is_empty(), "the set's header");
    }
}
