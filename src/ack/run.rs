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

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

use super::matching::{self, Cache};
use super::model::{Ack, Body, Outcome};
use super::read;
use super::report::{acks_csv, AckRow, Counts, LedgerSummary, Report};
use super::x212;
use crate::claim::ClaimStatus;
use crate::claim::PayerNames;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, AckPosting, Ledger};

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
        #[source]
        cause: std::io::Error,
    },
    /// No file could be read at all.
    #[error("no acknowledgment file could be read: {}", .0.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("; "))]
    NoFile(Vec<Finding>),
}

impl Error {
    fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { path, what, cause }
    }
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

/// An acknowledgment matched, before recording.
struct Matched {
    row_start: usize,
    posting: Option<AckPosting>,
    /// What it added to the report's counts of sets, interchanges and
    /// batches rejected or accepted (taken back when it was recorded before).
    counted: fn(&mut Counts, i64),
}

/// Adds `n` to the count an acknowledgment's kind and outcome go in.
fn count_of(body: &Body, outcome: Outcome) -> fn(&mut Counts, i64) {
    fn add(c: &mut usize, n: i64) {
        *c = c.saturating_add_signed(n as isize);
    }
    match (body, outcome) {
        (Body::Ta1(_), Outcome::Rejected) => |c, n| add(&mut c.interchanges_rejected, n),
        (Body::Set(_), Outcome::Accepted) => |c, n| add(&mut c.sets_accepted, n),
        (Body::Set(_), Outcome::AcceptedWithErrors) => {
            |c, n| add(&mut c.sets_accepted_with_errors, n)
        }
        (Body::Set(_), Outcome::Rejected) => |c, n| add(&mut c.sets_rejected, n),
        (Body::Batch(_), _) => |c, n| add(&mut c.batches_rejected, n),
        _ => |_, _| {},
    }
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
        unreadable_files: Vec::new(),
        ledger: LedgerSummary::default(),
        acks_csv: None,
    };
    let mut matched: Vec<Matched> = Vec::new();
    let mut cache = Cache::default();
    let mut status_rows = Vec::new();
    for path in files {
        let name = path.display().to_string();
        let bytes = match crate::input::open(path) {
            Ok(b) => b,
            Err(e) => {
                report.unreadable_files.push(Finding::unreadable(name, e));
                continue;
            }
        };
        let sha256 = ledger::hex(&Sha256::digest(&bytes[..]));
        let (acks, scan) = read::read(&bytes);
        // 277 claim status answers (X212) are recorded as they are read.
        let answers =
            x212::intake(&bytes, &scan, &name, ledger, options, &mut report, &mut status_rows)?;
        drop(bytes);
        for f in scan.findings.into_iter().filter(|f| f.severity == Severity::Error) {
            report.findings.push(f.in_file(&name));
        }
        if acks.is_empty() && answers == 0 {
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
    if report.files == report.unreadable_files.len() {
        return Err(Error::NoFile(report.unreadable_files));
    }
    let posts: Vec<bool> = matched.iter().map(|m| m.posting.is_some()).collect();
    let postings: Vec<AckPosting> = matched.iter_mut().filter_map(|m| m.posting.take()).collect();
    let at = options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let posted = ledger.post_acks(&postings, &at)?;
    report.ledger.recorded += posted.recorded.len();
    report.ledger.already += posted.already.len();
    report.ledger.claim_events += posted.claim_events;
    report.ledger.status_changes += posted.status_changes;
    report.counts.already += posted.already.len();
    // Mark each row with what became of its acknowledgment.
    let mut already = vec![false; postings.len()];
    for i in &posted.already {
        already[*i] = true;
    }
    // What was recorded before counts as read, not as accepted or
    // rejected again: a re-delivered file reports nothing new.
    let mut p = 0;
    for (k, m) in matched.iter().enumerate() {
        let end = matched.get(k + 1).map_or(report.rows.len(), |n| n.row_start);
        if posts[k] {
            let word = if already[p] { "already" } else { "new" };
            for row in &mut report.rows[m.row_start..end] {
                row.recorded = word;
                if already[p] {
                    match row.status.as_str() {
                        "accepted" => report.counts.claims_accepted -= 1,
                        "rejected" => report.counts.claims_rejected -= 1,
                        _ => {}
                    }
                }
            }
            if already[p] {
                (m.counted)(&mut report.counts, -1);
            }
            p += 1;
        }
    }
    report.rows.append(&mut status_rows);
    if let Some(dir) = out_dir {
        std::fs::create_dir_all(dir).map_err(Error::io(dir, "cannot create"))?;
        let path = dir.join("acks.csv");
        let bytes = acks_csv(&report.rows).map_err(Error::io(&path, "cannot write"))?;
        crate::atomic::write(&path, &bytes).map_err(Error::io(&path, "cannot write"))?;
        report.acks_csv = Some(path);
    }
    Ok(report)
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
            matching::match_ta1(t, l, cache)?
        }
        Body::Set(s) => {
            report.counts.sets += 1;
            matching::match_999(s, l, cache)?
        }
        Body::Claim(c) => {
            report.counts.claim_statuses += 1;
            matching::match_277(c, l, options)?
        }
        Body::Batch(b) => {
            report.counts.batches_rejected += 1;
            matching::match_batch(b, l, cache)?
        }
    };
    let outcome = outcome.unwrap_or(Outcome::Other);
    let counted = count_of(&a.body, outcome);
    if !matches!(a.body, Body::Batch(_)) {
        counted(&mut report.counts, 1);
    }
    let Ok(claims) = claims else {
        let why = claims.err().unwrap_or_default();
        report.counts.unmatched += 1;
        report.findings.push(
            Finding::new(
                super::UNMATCHED,
                Severity::Error,
                format!("{} {reference}: {why}", a.kind()),
            )
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
        return Ok(Matched { row_start, posting: None, counted });
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
        return Ok(Matched { row_start, posting: None, counted });
    }
    Ok(Matched {
        counted,
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
