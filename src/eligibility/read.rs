//! `eligibility read`: 271 answers into coverage. Each answer is matched to
//! its inquiry by trace, then by payer, member and date of service (the
//! inquiry of that date, else the newest for the member and patient kind);
//! its status and benefits for the service types asked are summarized into
//! a [`Coverage`] and recorded (an answer already recorded is not recorded
//! again, and the run says so). An answer for no inquiry sent is listed as
//! unmatched; an AAA at the source or receiver level is a rejected inquiry
//! (it names no patient, so no claim is held for it).

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;
use rust_decimal::Decimal;

use super::Error;
use crate::atomic;
use crate::config::Config;
use crate::coverage::{
    follow_up_meaning, reject_reason_meaning, with_meaning, Coverage, CoverageStatus,
};
use crate::edi27x::{read_271, Answer271, CoverageLevel};
use crate::finding::{Finding, Position};
use crate::ledger::{InquiryRecord, Ledger};
use crate::numtext::money;

/// How `read` runs.
#[derive(Clone, Debug)]
pub struct ReadOptions {
    /// The run's clock (recorded with each answer).
    pub now: NaiveDateTime,
    /// Where `coverage.csv` goes, if anywhere.
    pub out_dir: Option<PathBuf>,
}

/// An answer for no inquiry on file.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Unmatched {
    /// The 271.
    pub file: String,
    /// Where the answer starts.
    pub pos: Position,
    /// Its trace (TRN02), if any.
    pub trace: String,
    /// Its payer (2100A NM109).
    pub payer_id: String,
}

/// One answer read and what became of it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AnswerRead {
    /// The coverage summarized.
    pub coverage: Coverage,
    /// False when the same answer was recorded by an earlier run.
    pub new: bool,
}

/// One 271 file read.
#[derive(Debug, serde::Serialize)]
pub struct FileRead {
    /// The file.
    pub file: String,
    /// 271 sets in it.
    pub sets: usize,
    /// Answers matched (and rejected inquiries), in file order.
    pub answers: Vec<AnswerRead>,
    /// Answers for no inquiry on file.
    pub unmatched: Vec<Unmatched>,
    /// Envelope findings and values that did not parse.
    pub findings: Vec<Finding>,
    /// The file could not be read at all (the reason).
    pub error: Option<String>,
}

impl FileRead {
    /// True when every answer in it was recorded before (reading it changed nothing).
    pub fn already_read(&self) -> bool {
        !self.answers.is_empty() && self.answers.iter().all(|a| !a.new)
    }
}

/// What `read` did.
#[derive(Debug, serde::Serialize)]
pub struct ReadReport {
    /// Per file, in the order given.
    pub files: Vec<FileRead>,
    /// `coverage.csv`, when written.
    pub coverage_file: Option<PathBuf>,
}

impl ReadReport {
    /// Every answer of the run.
    pub fn answers(&self) -> impl Iterator<Item = &AnswerRead> {
        self.files.iter().flat_map(|f| &f.answers)
    }

    /// True when a patient is inactive, not found or in error, an inquiry
    /// was rejected, an answer matched no inquiry, or a file had errors.
    pub fn needs_attention(&self) -> bool {
        self.answers().any(|a| a.coverage.status.is_some_and(CoverageStatus::needs_attention))
            || self.files.iter().any(|f| {
                !f.unmatched.is_empty()
                    || f.error.is_some()
                    || f.findings.iter().any(Finding::is_error)
            })
    }
}

/// The header of `coverage.csv`.
pub const COVERAGE_HEADER: [&str; 24] = [
    "payer_id",
    "member_id",
    "patient",
    "service_date",
    "status",
    "plan_begin",
    "plan_end",
    "plan_name",
    "group_number",
    "insurance_type",
    "copay",
    "coinsurance",
    "deductible",
    "deductible_remaining",
    "oop_remaining",
    "copay_out",
    "coinsurance_out",
    "deductible_out",
    "deductible_remaining_out",
    "other_payer_primary",
    "reject_reason",
    "follow_up",
    "answered_at",
    "trace",
];

/// Reads `files`, records the answers and writes `coverage.csv`.
pub fn read(
    files: &[PathBuf],
    config: &Config,
    ledger: &mut Ledger,
    options: &ReadOptions,
) -> Result<ReadReport, Error> {
    let mut out = Vec::new();
    for path in files {
        out.push(read_one(path, config, ledger, options)?);
    }
    let mut report = ReadReport { files: out, coverage_file: None };
    if let Some(dir) = &options.out_dir {
        std::fs::create_dir_all(dir).map_err(Error::io(dir, "cannot create output folder"))?;
        let dest = dir.join("coverage.csv");
        let bytes = coverage_csv(&report);
        atomic::write(&dest, &bytes).map_err(Error::io(&dest, "cannot write"))?;
        report.coverage_file = Some(dest);
    }
    Ok(report)
}

fn read_one(
    path: &Path,
    config: &Config,
    ledger: &mut Ledger,
    options: &ReadOptions,
) -> Result<FileRead, Error> {
    let file = path.display().to_string();
    let mut fr = FileRead {
        file: file.clone(),
        sets: 0,
        answers: Vec::new(),
        unmatched: Vec::new(),
        findings: Vec::new(),
        error: None,
    };
    let bytes = match crate::input::open(path) {
        Ok(b) => b,
        Err(e) => {
            fr.error = Some(format!("cannot read: {e}"));
            return Ok(fr);
        }
    };
    let read = read_271(&bytes);
    fr.sets = read.sets;
    fr.findings = read.scan.findings.iter().cloned().chain(read.findings).collect();
    for f in &mut fr.findings {
        f.file = file.clone();
    }
    if read.sets == 0 {
        fr.error = Some("no 271 transaction set in the file".into());
        return Ok(fr);
    }
    let mut to_record = Vec::new();
    for a in &read.answers {
        let payer_id = config
            .payer
            .iter()
            .find(|p| p.id == a.payer_id || p.aliases.contains(&a.payer_id))
            .map_or_else(|| a.payer_id.clone(), |p| p.id.clone());
        let inquiry = match a.level {
            CoverageLevel::Source | CoverageLevel::Receiver => None,
            _ => match find_inquiry(ledger, a, &payer_id)? {
                Some(q) => Some(q),
                None => {
                    fr.unmatched.push(Unmatched {
                        file: file.clone(),
                        pos: a.pos,
                        trace: a.trace.clone(),
                        payer_id: a.payer_id.clone(),
                    });
                    continue;
                }
            },
        };
        let c = summarize(a, &payer_id, inquiry.as_ref());
        let new = !ledger.coverage_recorded(&a.fingerprint)?;
        if new {
            to_record.push((a.fingerprint.clone(), c.clone()));
        }
        fr.answers.push(AnswerRead { coverage: c, new });
    }
    ledger.record_coverage(&to_record, &file, options.now)?;
    Ok(fr)
}

/// The inquiry an answer answers: by trace, then by payer, member and date.
fn find_inquiry(
    ledger: &Ledger,
    a: &Answer271,
    payer_id: &str,
) -> Result<Option<InquiryRecord>, Error> {
    if !a.trace.is_empty() {
        if let Some(q) = ledger.eligibility_inquiry(&a.trace)? {
            return Ok(Some(q));
        }
    }
    if a.member_id.is_empty() {
        return Ok(None);
    }
    let kind = if a.level == CoverageLevel::Dependent { "dependent" } else { "subscriber" };
    let of: Vec<InquiryRecord> = ledger
        .eligibility_inquiries_of(payer_id, &a.member_id)?
        .into_iter()
        .filter(|q| q.patient == kind)
        .collect();
    if let Some(d) = a.service_date {
        if let Some(q) = of.iter().find(|q| q.service_date == d) {
            return Ok(Some(q.clone()));
        }
    }
    Ok(of.into_iter().next())
}

fn is_asked(types: &[String], asked: &[&str]) -> bool {
    types.is_empty() || types.iter().any(|t| asked.contains(&t.as_str()))
}

/// The answer summarized for the service types asked.
fn summarize(a: &Answer271, payer_id: &str, q: Option<&InquiryRecord>) -> Coverage {
    let asked: Vec<&str> = q.map_or_else(|| vec!["30"], |q| q.service_types.split('^').collect());
    let mut c = Coverage {
        payer_id: payer_id.to_string(),
        // The member id as asked: claims carry the same.
        member_id: q.map_or_else(|| a.member_id.clone(), |q| q.member_id.clone()),
        patient: a.level.word().to_string(),
        patient_key: q.map_or_else(String::new, |q| q.patient_key.clone()),
        service_date: q.map(|q| q.service_date).or(a.service_date),
        plan_begin: a.plan_begin,
        plan_end: a.plan_end,
        group_number: a.group_number.clone(),
        answered_at: a.answered_at,
        trace: q.map_or_else(|| a.trace.clone(), |q| q.trace.clone()),
        ..Coverage::default()
    };
    if let Some((reason, follow)) = a.rejects.first() {
        c.reject_reason = with_meaning(reason, reject_reason_meaning(reason));
        c.follow_up = with_meaning(follow, follow_up_meaning(follow));
        c.status = Some(match a.level {
            CoverageLevel::Source | CoverageLevel::Receiver => CoverageStatus::Rejected,
            _ if matches!(reason.as_str(), "72" | "73" | "75" | "76") => CoverageStatus::NotFound,
            _ => CoverageStatus::Error,
        });
        return c;
    }
    let relevant: Vec<_> =
        a.benefits.iter().filter(|b| is_asked(&b.service_types, &asked)).collect();
    let status_eb = relevant
        .iter()
        .find(|b| matches!(b.code.as_str(), "1" | "2" | "3" | "4" | "5" | "6" | "7" | "8"));
    c.status = Some(match status_eb.map(|b| b.code.as_str()) {
        Some("6" | "7" | "8") => CoverageStatus::Inactive,
        Some(_) => CoverageStatus::Active,
        None => CoverageStatus::Unknown,
    });
    if let Some(b) = status_eb {
        c.plan_name = b.plan_name.clone();
        c.insurance_type = b.insurance_type.clone();
        if c.plan_begin.is_none() && c.plan_end.is_none() {
            c.plan_begin = b.begin;
            c.plan_end = b.end;
        }
    }
    for b in &relevant {
        if c.plan_name.is_empty() && !b.plan_name.is_empty() {
            c.plan_name = b.plan_name.clone();
        }
        if c.insurance_type.is_empty() && !b.insurance_type.is_empty() {
            c.insurance_type = b.insurance_type.clone();
        }
        let out_net = b.network == "N";
        let set = |slot: &mut Option<Decimal>, v: Option<Decimal>| {
            if slot.is_none() {
                *slot = v;
            }
        };
        match (b.code.as_str(), b.period.as_str(), out_net) {
            ("B", _, false) => set(&mut c.copay, b.amount),
            ("B", _, true) => set(&mut c.copay_out, b.amount),
            ("A", _, false) => set(&mut c.coinsurance, b.percent),
            ("A", _, true) => set(&mut c.coinsurance_out, b.percent),
            ("C", "29", false) => set(&mut c.deductible_remaining, b.amount),
            ("C", "29", true) => set(&mut c.deductible_remaining_out, b.amount),
            ("C", _, false) => set(&mut c.deductible, b.amount),
            ("C", _, true) => set(&mut c.deductible_out, b.amount),
            ("G", "29", false) => set(&mut c.oop_remaining, b.amount),
            _ => {}
        }
        if b.code == "R" && c.other_payer_primary.is_empty() {
            if let Some((q, name, id)) = &b.other {
                // PRP names the primary payer; PR when no order is given.
                if q == "PRP" || q == "PR" {
                    c.other_payer_primary = match (name.is_empty(), id.is_empty()) {
                        (false, false) => format!("{name} ({id})"),
                        (false, true) => name.clone(),
                        _ => id.clone(),
                    };
                }
            }
        }
    }
    c
}

fn coverage_csv(report: &ReadReport) -> Vec<u8> {
    let mut rows: Vec<&Coverage> = report.answers().map(|a| &a.coverage).collect();
    // Newest first within a patient and payer.
    rows.sort_by(|a, b| {
        (&a.payer_id, &a.member_id, &a.patient_key)
            .cmp(&(&b.payer_id, &b.member_id, &b.patient_key))
            .then(b.answered_at.cmp(&a.answered_at))
    });
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(COVERAGE_HEADER);
    let m = |d: Option<Decimal>| d.map(money).unwrap_or_default();
    let d = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    for c in rows {
        let _ = w.write_record([
            c.payer_id.as_str(),
            &c.member_id,
            &c.patient,
            &d(c.service_date),
            c.status.map_or("unknown", CoverageStatus::word),
            &d(c.plan_begin),
            &d(c.plan_end),
            &c.plan_name,
            &c.group_number,
            &c.insurance_type,
            &m(c.copay),
            &m(c.coinsurance),
            &m(c.deductible),
            &m(c.deductible_remaining),
            &m(c.oop_remaining),
            &m(c.copay_out),
            &m(c.coinsurance_out),
            &m(c.deductible_out),
            &m(c.deductible_remaining_out),
            &c.other_payer_primary,
            &c.reject_reason,
            &c.follow_up,
            &c.answered_at.map(|t| t.format("%Y-%m-%dT%H:%M").to_string()).unwrap_or_default(),
            &c.trace,
        ]);
    }
    w.into_inner().unwrap_or_default()
}
