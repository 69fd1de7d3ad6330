//! `patient_balances.csv`: per claim, what insurance left to the patient.
//!
//! Which payer's answer counts is the ledger's own rule (its
//! `patient_responsibility` view, shared with `secondary`): per claim sent
//! to its primary payer, the secondary's live payments once the secondary
//! has paid, else the primary's. The balance is that payer's patient
//! responsibility, summed exactly, split into deductible, coinsurance,
//! copay (PR-1, PR-2, PR-3) and every other PR reason (non-covered); the
//! primary's own patient responsibility and what the secondary paid are
//! shown beside it. Rows are written as they are found, so memory does not
//! grow with claims.
//!
//! The patient is the one the claim was sent for: from the ledger's
//! `claim_patients` (recorded by `build` since schema 9), else read from the
//! 837 the ledger says the claim was sent in. When neither is there the
//! name cells stay empty and the row is counted as unknown. Names and dates
//! of birth go into the file only: nothing here prints or returns them.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use rusqlite::Connection;
use rust_decimal::Decimal;

use super::queries;
use super::Error;
use crate::ledger::PatientRecord;
use crate::numtext::money;

/// The header of `patient_balances.csv`.
pub(crate) const HEADER: [&str; 15] = [
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
];

/// What was written, without any patient detail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BalanceTotals {
    /// Rows (claims with a patient share).
    pub claims: u64,
    /// Sum of `balance`.
    pub total: Decimal,
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

/// The report's filter on claims.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClaimFilter<'a> {
    /// Only claims whose primary is this payer.
    pub payer: Option<&'a str>,
    /// First sent on or after.
    pub from: Option<NaiveDate>,
    /// First sent on or before.
    pub to: Option<NaiveDate>,
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

/// Writes the balance rows to `out` (after its header) and returns totals.
pub(crate) fn write<W: Write>(
    conn: &Connection,
    filter: ClaimFilter<'_>,
    out: &mut csv::Writer<W>,
) -> Result<BalanceTotals, Error> {
    let mut totals = BalanceTotals::default();
    let mut cache = Cache::new();
    queries::each_share(conn, |row| {
        if filter.payer.is_some_and(|p| p != row.primary) {
            return Ok(());
        }
        let setter = queries::payer_money(conn, &row.claim_id, &row.payer_id)?;
        let balance = setter.patient_responsibility;
        if balance <= Decimal::ZERO {
            return Ok(());
        }
        let sent = queries::sent_as(conn, &row.claim_id, &row.primary)?.unwrap_or_default();
        if filter.from.is_some_and(|f| sent.sent.map_or(true, |s| s < f))
            || filter.to.is_some_and(|t| sent.sent.map_or(true, |s| s > t))
        {
            return Ok(());
        }
        let (primary_pr, secondary_paid) = if row.payer_id == row.primary {
            let paid = if row.secondary.is_empty() {
                Decimal::ZERO
            } else {
                queries::payer_money(conn, &row.claim_id, &row.secondary)?.paid
            };
            (setter.patient_responsibility, paid)
        } else {
            let primary = queries::payer_money(conn, &row.claim_id, &row.primary)?;
            (primary.patient_responsibility, setter.paid)
        };
        let patient = match sent.patient {
            Some(p) => Some(p),
            None if sent.file.is_empty() => None,
            None => cache
                .entry(sent.file.clone())
                .or_insert_with(|| read_837(&sent.file))
                .as_ref()
                .and_then(|m| m.get(&(row.claim_id.clone(), row.primary.clone())))
                .map(|p| {
                    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
                    (
                        p.last.clone(),
                        p.first.clone(),
                        p.dob.map(day).unwrap_or_default(),
                        day(p.service_date),
                    )
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
        let non_covered = balance - deductible - coinsurance - copay;
        out.write_record([
            row.claim_id.as_str(),
            row.primary.as_str(),
            &last,
            &first,
            &dob,
            &service,
            &money(balance),
            &money(deductible),
            &money(coinsurance),
            &money(copay),
            &money(non_covered),
            &money(primary_pr),
            &money(secondary_paid),
            row.secondary.as_str(),
            row.stage.as_str(),
        ])
        .map_err(Error::csv)?;
        totals.claims += 1;
        totals.total += balance;
        Ok(())
    })?;
    Ok(totals)
}
