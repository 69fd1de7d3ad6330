//! `patient_balances.csv`: per claim, what insurance left to the patient.
//!
//! Which payer's answer counts is the ledger's own rule (its
//! `patient_responsibility` view and `ledger::standing`, shared with
//! `status` and `secondary`; the answers are read by
//! `ledger::read::balances`): per claim sent to its primary payer, the
//! secondary's live payments once the secondary has paid, else the
//! primary's. The share is
//! that payer's patient responsibility, summed exactly, split into
//! deductible, coinsurance, copay (PR-1, PR-2, PR-3) and every other PR
//! reason (non-covered); the balance is the share less what the patient
//! paid at the visit (`AMT*F5`). The primary's own patient responsibility
//! and what the secondary paid are shown beside it. A share still waiting
//! for the secondary's answer is listed with its stage but left out of the
//! billable total. Rows are written as they are found, so memory does not
//! grow with claims.
//!
//! The patient is the one the claim was sent for: from the ledger's
//! `claim_patients` (recorded by `build` since schema 9), else read from the
//! 837 the ledger says the claim was sent in. When neither is there the
//! name cells stay empty and the row is counted as unknown. Names and dates
//! of birth go into the file only: nothing here prints or returns them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Error;
use crate::atomic::AtomicFile;
use crate::ledger::read::balances::ClaimAnswers;
use crate::ledger::{PatientRecord, Stage};
use crate::numtext::money;

/// The header of `patient_balances.csv`.
pub(crate) const HEADER: [&str; 16] = [
    "claim_id",
    "payer_id",
    "patient_last",
    "patient_first",
    "patient_dob",
    "service_date",
    "balance",
    "deductible",
    "coinsurance",
    "copay",
    "non_covered",
    "patient_responsibility",
    "secondary_paid",
    "secondary_payer_id",
    "stage",
    "paid_at_visit",
];

/// What was written, without any patient detail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BalanceTotals {
    /// Rows a patient statement can bill (stage `final` or
    /// `after_secondary`).
    pub claims: u64,
    /// Sum of their `balance`.
    pub total: Decimal,
    /// Rows whose share waits for the secondary's answer (not billable yet).
    pub awaiting_secondary_claims: u64,
    /// Sum of their `balance`.
    pub awaiting_secondary_total: Decimal,
    /// Rows whose patient the ledger and the recorded 837 could not name.
    pub patients_unknown: u64,
}

/// Deductible, coinsurance and copay (PR-1, PR-2, PR-3) in `adjustments`.
fn shares(adjustments: &str) -> [Decimal; 3] {
    let mut out = [Decimal::ZERO; 3];
    for item in adjustments.split(';') {
        let Some((code, amount)) = item.trim().split_once(' ') else { continue };
        let Ok(amount) = amount.trim().parse::<Decimal>() else { continue };
        match code.trim() {
            "PR-1" => out[0] += amount,
            "PR-2" => out[1] += amount,
            "PR-3" => out[2] += amount,
            _ => {}
        }
    }
    out
}

/// Patients read from recorded 837s, by file (`None`: unreadable).
type Cache = HashMap<String, Option<HashMap<(String, String), PatientRecord>>>;

/// The patients of the claims in 837 file `file`.
fn read_837(file: &str) -> Option<HashMap<(String, String), PatientRecord>> {
    let bytes = crate::input::open(std::path::Path::new(file)).ok()?;
    let claims = crate::edi837::read_claims(&bytes).ok()?;
    Some(
        claims
            .iter()
            .filter_map(|c| Some(((c.claim_id.clone(), c.payer.id.clone()), PatientRecord::of(c)?)))
            .collect(),
    )
}

/// `patient_balances.csv` as it is written: rows are added as the claims
/// pass, then the file is committed.
pub(crate) struct BalanceFile {
    path: PathBuf,
    out: csv::Writer<AtomicFile>,
    /// Only claims first sent on or after.
    from: Option<NaiveDate>,
    /// Only claims first sent on or before.
    to: Option<NaiveDate>,
    totals: BalanceTotals,
    cache: Cache,
}

impl BalanceFile {
    /// Creates the file at `path` (a temporary file until
    /// [`BalanceFile::commit`]) and writes its header; rows of claims first
    /// sent outside `from..=to` are left out.
    pub(crate) fn create(
        path: &Path,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Self, Error> {
        let file = AtomicFile::create(path).map_err(|e| write_error(path, e))?;
        let mut out = csv::Writer::from_writer(file);
        out.write_record(HEADER).map_err(|e| write_error(path, e.into()))?;
        let path = path.to_path_buf();
        Ok(BalanceFile {
            path,
            out,
            from,
            to,
            totals: BalanceTotals::default(),
            cache: Cache::new(),
        })
    }

    /// Writes the row of a claim with a patient share (its answers as the
    /// ledger's bulk pass gives them), when its balance is above zero.
    pub(crate) fn add(&mut self, answers: ClaimAnswers) -> Result<(), Error> {
        let sent = answers.sent.sent;
        if self.from.is_some_and(|f| sent.map_or(true, |s| s < f))
            || self.to.is_some_and(|t| sent.map_or(true, |s| s > t))
        {
            return Ok(());
        }
        row(&answers, &mut self.cache, &mut self.totals, &mut self.out)
            .map_err(|e| write_error(&self.path, e.into()))
    }

    /// Commits the file and returns its totals.
    pub(crate) fn commit(self) -> Result<BalanceTotals, Error> {
        let path = self.path;
        let file = self.out.into_inner().map_err(|e| write_error(&path, e.into_error()))?;
        file.commit().map_err(|e| write_error(&path, e))?;
        Ok(self.totals)
    }
}

fn write_error(path: &Path, cause: std::io::Error) -> Error {
    Error::Write { path: path.to_path_buf(), cause }
}

/// Writes the balance row of `answers` to `out` when its balance is above
/// zero, and counts it in `totals`.
fn row<W: Write>(
    answers: &ClaimAnswers,
    cache: &mut Cache,
    totals: &mut BalanceTotals,
    out: &mut csv::Writer<W>,
) -> Result<(), csv::Error> {
    let ClaimAnswers { claim_id, primary_payer, second_payer: second, sent, .. } = answers;
    let (primary, secondary) = (&answers.primary, &answers.secondary);
    let mut from_837 = || {
        if sent.file.is_empty() {
            return None;
        }
        cache
            .entry(sent.file.clone())
            .or_insert_with(|| read_837(&sent.file))
            .as_ref()
            .and_then(|m| m.get(&(claim_id.clone(), primary_payer.clone())))
            .cloned()
    };
    let paid_at_visit = match sent.paid_at_visit {
        Some(recorded) => recorded,
        None => from_837().and_then(|p| p.paid_at_visit),
    };
    let standing = answers.standing(paid_at_visit);
    if standing.balance <= Decimal::ZERO {
        return Ok(());
    }
    let setter = match (&secondary, standing.stage) {
        (Some(s), Stage::AfterSecondary) => s,
        _ => primary,
    };
    let secondary_paid = secondary.as_ref().map_or(Decimal::ZERO, |s| s.paid);
    let patient = match sent.patient.clone() {
        Some(p) => Some(p),
        None => from_837().map(|p| {
            let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
            (p.last, p.first, p.dob.map(day).unwrap_or_default(), day(p.service_date))
        }),
    };
    let (last, first, dob, service) = match patient {
        Some(p) => p,
        None => {
            totals.patients_unknown += 1;
            Default::default()
        }
    };
    let [deductible, coinsurance, copay] = shares(&setter.adjustments);
    let non_covered = standing.share - deductible - coinsurance - copay;
    out.write_record([
        claim_id.as_str(),
        primary_payer.as_str(),
        &last,
        &first,
        &dob,
        &service,
        &money(standing.balance),
        &money(deductible),
        &money(coinsurance),
        &money(copay),
        &money(non_covered),
        &money(primary.patient_responsibility),
        &money(secondary_paid),
        second.as_deref().unwrap_or(""),
        standing.stage.as_str(),
        &money(standing.paid_at_visit),
    ])?;
    if standing.billable() {
        totals.claims += 1;
        totals.total += standing.balance;
    } else {
        totals.awaiting_secondary_claims += 1;
        totals.awaiting_secondary_total += standing.balance;
    }
    Ok(())
}
