//! Reads every figure (inside the caller's read transaction) and writes the
//! report's files: the CSVs, `summary.json` and `report.html`, each through
//! `atomic` (temp file, fsync, rename; mode 0600). The cells of each CSV row
//! are made here once and used by the HTML tables too, so the page shows
//! exactly what the files hold.
//!
//! This module does not open the ledger or print anything.

use std::path::{Path, PathBuf};

use crate::ledger::Connection;
use rust_decimal::Decimal;

use super::aggregate::{self, AgingRow, ClaimFold, DenialRow, PaymentRow, ProcedureRow};
use super::patient::BalanceFile;
use super::{Error, Options, Report, Summary, TieOut};
use crate::atomic::AtomicFile;
use crate::ledger::read::claims::each_claim;
use crate::ledger::read::report::{self as queries, Filter};
use crate::numtext::{cents, money};

/// `aging.csv` columns.
pub(crate) const AGING: [&str; 4] = ["payer_id", "bucket", "claims", "amount"];
/// `denials.csv` columns.
pub(crate) const DENIALS: [&str; 8] = [
    "payer_id",
    "category",
    "carc",
    "claims",
    "lines",
    "amount",
    "denial_rate",
    "denial_rate_amount",
];
/// `payments.csv` columns.
pub(crate) const PAYMENTS: [&str; 14] = [
    "payer_id",
    "month",
    "billed",
    "allowed",
    "paid",
    "contractual",
    "patient_responsibility",
    "median_days_to_pay",
    "p90_days_to_pay",
    "claim_payments",
    "denied",
    "provider_adjustments",
    "deposited",
    "paid_claims",
];
/// `procedures.csv` columns.
pub(crate) const PROCEDURES: [&str; 4] = ["procedure", "lines", "billed", "paid"];

/// A rate as text: 4 decimals, empty when there is none.
pub(crate) fn rate(r: Option<Decimal>) -> String {
    r.map(|d| format!("{d:.4}")).unwrap_or_default()
}

/// Days as text (`21`, `21.5`), empty when there are none.
pub(crate) fn days(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

/// The cells of an `aging.csv` row.
pub(crate) fn aging_cells(r: &AgingRow) -> Vec<String> {
    vec![r.payer_id.clone(), r.bucket.clone(), r.claims.to_string(), money(r.amount)]
}

/// The cells of a `denials.csv` row.
pub(crate) fn denial_cells(r: &DenialRow, reasons: &crate::codeset::ReasonTexts) -> Vec<String> {
    vec![
        r.payer_id.clone(),
        r.category.clone(),
        reasons.carc(&r.carc),
        r.claims.to_string(),
        r.lines.to_string(),
        money(r.amount),
        rate(r.denial_rate),
        rate(r.denial_rate_amount),
    ]
}

/// The cells of a `payments.csv` row.
pub(crate) fn payment_cells(r: &PaymentRow) -> Vec<String> {
    vec![
        r.payer_id.clone(),
        r.month.clone(),
        money(r.billed),
        money(r.allowed),
        money(r.paid),
        money(r.contractual),
        money(r.patient_responsibility),
        days(r.median_days_to_pay),
        days(r.p90_days_to_pay),
        r.claim_payments.to_string(),
        money(r.denied),
        money(r.provider_adjustments),
        money(r.deposited),
        r.paid_claims.to_string(),
    ]
}

/// The cells of a `procedures.csv` row.
pub(crate) fn procedure_cells(r: &ProcedureRow) -> Vec<String> {
    vec![r.procedure.clone(), r.lines.to_string(), money(r.billed), money(r.paid)]
}

/// Writes one CSV file atomically.
fn csv_file(
    path: &Path,
    header: &[&str],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<(), Error> {
    let io = |cause| Error::Write { path: path.to_path_buf(), cause };
    let file = AtomicFile::create(path).map_err(io)?;
    let mut w = csv::Writer::from_writer(file);
    let named = |e: csv::Error| Error::Write { path: path.to_path_buf(), cause: e.into() };
    w.write_record(header).map_err(named)?;
    for r in rows {
        w.write_record(&r).map_err(named)?;
    }
    let file = w.into_inner().map_err(|e| io(e.into_error()))?;
    file.commit().map_err(io)
}

/// Reads every figure and writes every file into `out_dir`.
pub(crate) fn read_and_write(
    conn: &Connection,
    out_dir: &Path,
    o: &Options,
) -> Result<Report, Error> {
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let filter = Filter { payer: o.payer.clone(), from: o.from.map(day), to: o.to.map(day) };
    let now = o.now.date();

    let path = |name: &str| out_dir.join(name);

    // One pass over the claims: aging and counts, and the patient balances
    // written as they pass.
    let mut claims = ClaimFold::default();
    let mut balances = BalanceFile::create(&path("patient_balances.csv"), o.from, o.to)?;
    each_claim::<Error>(conn, &filter, |facts, share| {
        if let Some(c) = facts {
            claims.add(c, now, o.from, o.to);
        }
        match share {
            Some(answers) => balances.add(answers),
            None => Ok(()),
        }
    })?;
    let aging = claims.rows();
    let (payments, hist) = aggregate::payment_rows(
        queries::payments(conn, &filter)?,
        queries::remittances(conn, &filter)?,
        queries::days_to_pay(conn, &filter)?,
    );
    let denials = aggregate::denial_rows(
        queries::denials(conn, &filter, true)?,
        queries::denials(conn, &filter, false)?,
        &queries::adjudicated(conn, &filter)?,
    );
    let procedures = aggregate::procedure_rows(queries::procedures(conn, &filter)?);
    let totals = queries::totals(conn, &filter)?;
    let eligibility = super::eligibility::rows(conn, o.payer.as_deref())?;

    let balances = balances.commit()?;
    csv_file(&path("aging.csv"), &AGING, aging.iter().map(aging_cells))?;
    csv_file(&path("denials.csv"), &DENIALS, denials.iter().map(|d| denial_cells(d, &o.reasons)))?;
    csv_file(&path("payments.csv"), &PAYMENTS, payments.iter().map(payment_cells))?;
    csv_file(&path("procedures.csv"), &PROCEDURES, procedures.iter().map(procedure_cells))?;
    csv_file(
        &path("eligibility.csv"),
        &super::eligibility::ELIGIBILITY,
        eligibility.iter().map(super::eligibility::cells),
    )?;

    let names = [
        "aging.csv",
        "denials.csv",
        "payments.csv",
        "patient_balances.csv",
        "procedures.csv",
        "eligibility.csv",
        "summary.json",
        "report.html",
    ];
    let overall = |b: &str| aging.iter().find(|r| r.payer_id == "ALL" && r.bucket == b);
    let ar_total = overall("total").map_or(Decimal::ZERO, |r| r.amount);
    let rejected = overall(aggregate::REJECTED);
    let awaiting = overall(aggregate::AWAITING_SECONDARY);
    let ar_over_90: Decimal =
        ["91-120", "120+"].iter().filter_map(|b| overall(b)).map(|r| r.amount).sum();
    let sum = |f: fn(&PaymentRow) -> Decimal| payments.iter().map(f).sum::<Decimal>();
    let csv_paid = sum(|r| r.paid);
    let collection = aggregate::ratio(csv_paid, sum(|r| r.billed) - sum(|r| r.contractual));
    let tie_out = TieOut {
        payments_csv_paid: cents(csv_paid),
        ledger_paid: cents(totals.paid),
        provider_adjustments: cents(totals.plb),
        deposited: cents(totals.bpr02),
        ok: csv_paid == totals.paid && totals.paid - totals.plb == totals.bpr02,
    };
    let denied_amount = denials
        .iter()
        .find(|r| r.payer_id == "ALL" && r.category == "total")
        .map_or(Decimal::ZERO, |r| r.amount);
    let summary = Summary {
        as_of: day(now),
        from: o.from.map(day),
        to: o.to.map(day),
        payer: o.payer.clone(),
        claims_sent: claims.sent,
        claims_paid: claims.paid,
        claims_denied: claims.denied,
        claims_outstanding: claims.outstanding,
        claims_rejected: claims.rejected,
        claims_by_outcome: claims.outcomes.clone(),
        ar_total: cents(ar_total),
        ar_over_90: cents(ar_over_90),
        ar_awaiting_secondary_claims: awaiting.map_or(0, |r| r.claims),
        ar_awaiting_secondary: cents(awaiting.map_or(Decimal::ZERO, |r| r.amount)),
        ar_rejected_claims: rejected.map_or(0, |r| r.claims),
        ar_rejected: cents(rejected.map_or(Decimal::ZERO, |r| r.amount)),
        collection_rate: collection.map(|r| rate(Some(r))),
        median_days_to_pay: aggregate::percentiles(&hist).map(|p| days(Some(p.0))),
        payments_posted: cents(csv_paid),
        denied_amount: cents(denied_amount),
        patient_balance_claims: balances.claims,
        patient_balance_total: cents(balances.total),
        patient_balance_awaiting_secondary_claims: balances.awaiting_secondary_claims,
        patient_balance_awaiting_secondary: cents(balances.awaiting_secondary_total),
        patients_unknown: balances.patients_unknown,
        tie_out,
        files: names.iter().map(|s| s.to_string()).collect(),
    };
    let mut report = Report {
        summary,
        aging,
        denials,
        payments,
        procedures,
        eligibility,
        patient_balances: balances,
        files: names.iter().map(|n| path(n)).collect::<Vec<PathBuf>>(),
    };
    let json = serde_json::to_vec_pretty(&report.summary)
        .map_err(|e| Error::Write { path: path("summary.json"), cause: e.into() })?;
    write_whole(&path("summary.json"), &[json.as_slice(), b"\n"].concat())?;
    let page = super::html::page(&report, &o.reasons);
    write_whole(&path("report.html"), page.as_bytes())?;
    report.files.shrink_to_fit();
    Ok(report)
}

fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    crate::atomic::write(path, bytes)
        .map_err(|cause| Error::Write { path: path.to_path_buf(), cause })
}
