//! `patient_balances.csv`: per claim, what insurance left to the patient.
//!
//! The live payments of each claim come together (ordered by claim id).
//! The primary payer is the payer of the first of them not processed as
//! secondary or tertiary (CLP02 2, 3, 20, 21), else of the first. The
//! patient's share is the
//! primary's patient responsibility (its PR adjustments: deductible,
//! coinsurance, copay, and every other PR reason as non-covered), less what
//! other payers of the same claim id paid toward it; it is never below 0.
//! Rows are written as they are folded, so memory does not grow with claims.
//!
//! The patient is the one the claim was sent for: from the ledger's
//! `claim_patients` (recorded by `build` since schema 8), else read from the
//! 837 the ledger says the claim was sent in. When neither is there the
//! name cells stay empty and the row is counted as unknown. Names and dates
//! of birth go into the file only: nothing here prints or returns them.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use rusqlite::Connection;
use rust_decimal::Decimal;

use super::queries::{self, LivePayment};
use super::Error;
use crate::ledger::PatientRecord;
use crate::numtext::money;

/// The header of `patient_balances.csv`.
pub(crate) const HEADER: [&str; 13] = [
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

/// The CLP02 values of a payment processed as secondary or tertiary.
const NOT_PRIMARY: [&str; 4] = ["2", "3", "20", "21"];

/// One claim being folded: its live payments, in posting order.
#[derive(Debug, Default)]
struct Acc {
    claim_id: String,
    payments: Vec<LivePayment>,
}

/// A claim's patient share, from its payments.
#[derive(Debug, Default)]
struct Share {
    primary: String,
    /// Deductible, coinsurance, copay (PR-1, PR-2, PR-3).
    shares: [Decimal; 3],
    pr: Decimal,
    secondary_paid: Decimal,
}

impl Acc {
    fn share(&self) -> Share {
        let first = self
            .payments
            .iter()
            .find(|p| !NOT_PRIMARY.contains(&p.clp02.trim()))
            .or(self.payments.first());
        let mut s = Share {
            primary: first.map(|p| p.payer_id.clone()).unwrap_or_default(),
            ..Share::default()
        };
        for p in &self.payments {
            if p.payer_id != s.primary {
                s.secondary_paid += p.paid;
                continue;
            }
            s.pr += p.patient_responsibility;
            for item in p.adjustments.split(';') {
                let Some((code, amount)) = item.trim().split_once(' ') else { continue };
                let Ok(amount) = amount.trim().parse::<Decimal>() else { continue };
                match code.trim() {
                    "PR-1" => s.shares[0] += amount,
                    "PR-2" => s.shares[1] += amount,
                    "PR-3" => s.shares[2] += amount,
                    _ => {}
                }
            }
        }
        s
    }
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
    let mut acc = Acc::default();
    let mut flush = |acc: Acc, totals: &mut BalanceTotals| -> Result<(), Error> {
        let share = acc.share();
        if share.pr <= Decimal::ZERO || filter.payer.is_some_and(|p| p != share.primary) {
            return Ok(());
        }
        let sent = queries::sent_as(conn, &acc.claim_id, &share.primary)?.unwrap_or_default();
        if filter.from.is_some_and(|f| sent.sent.map_or(true, |s| s < f))
            || filter.to.is_some_and(|t| sent.sent.map_or(true, |s| s > t))
        {
            return Ok(());
        }
        let patient = match sent.patient {
            Some(p) => Some(p),
            None if sent.file.is_empty() => None,
            None => cache
                .entry(sent.file.clone())
                .or_insert_with(|| read_837(&sent.file))
                .as_ref()
                .and_then(|m| m.get(&(acc.claim_id.clone(), share.primary.clone())))
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
        let balance = (share.pr - share.secondary_paid).max(Decimal::ZERO);
        let [deductible, coinsurance, copay] = share.shares;
        let non_covered = share.pr - deductible - coinsurance - copay;
        out.write_record([
            acc.claim_id.as_str(),
            share.primary.as_str(),
            &last,
            &first,
            &dob,
            &service,
            &money(balance),
            &money(deductible),
            &money(coinsurance),
            &money(copay),
            &money(non_covered),
            &money(share.pr),
            &money(share.secondary_paid),
        ])
        .map_err(Error::csv)?;
        totals.claims += 1;
        totals.total += balance;
        Ok(())
    };
    queries::each_live_payment(conn, |p| {
        if !acc.claim_id.is_empty() && acc.claim_id != p.claim_id {
            flush(std::mem::take(&mut acc), &mut totals)?;
        }
        if acc.claim_id.is_empty() {
            acc.claim_id = p.claim_id.clone();
        }
        acc.payments.push(p);
        Ok(())
    })?;
    if !acc.claim_id.is_empty() {
        flush(acc, &mut totals)?;
    }
    Ok(totals)
}
