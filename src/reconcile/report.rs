//! Reconciliation reports: `claims.csv`, `lines.csv`, `provider_adjustments.csv`,
//! `denials.csv` and `outstanding.csv`, written atomically (temp file in the
//! same folder, fsync, rename) with mode 0600.
//!
//! Columns are fixed and documented in the README ("Reconcile"). Money is
//! written with two decimals (more only when the input had more), dates as
//! `YYYY-MM-DD`, code lists joined with `;`. Rows come in input order, so the
//! same input gives byte-identical files. This module decides nothing: the
//! rows are built by `reconcile`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use super::{ClaimIndex, ClaimResult, Figures, Status};
use crate::atomic::AtomicFile;
use crate::edi835::Remittance;

/// One PLB adjustment pair, as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlbRow {
    /// Index of the input file.
    pub file: usize,
    /// The payer's id.
    pub payer_id: String,
    /// PLB01.
    pub provider_id: String,
    /// PLB02.
    pub fiscal_date: Option<NaiveDate>,
    /// Reason code (`L6`, `WO`, `FB`, …).
    pub reason: String,
    /// Reference (component 2).
    pub reference: String,
    /// The claim the reference names, when it names a known one.
    pub claim_id: String,
    /// PLB amount (positive reduces the payment).
    pub amount: Decimal,
    /// TRN02.
    pub check_trace: String,
    /// BPR16.
    pub payment_date: Option<NaiveDate>,
}

/// The PLB rows of one remittance; references are resolved against the sent
/// claims, then against this remittance's own CLP01/CLP07.
pub fn plb_rows(index: &ClaimIndex<'_>, file: usize, rem: &Remittance) -> Vec<PlbRow> {
    let payer_id = rem.payer_id();
    let mut out = Vec::new();
    for p in &rem.provider_adjustments {
        for item in &p.items {
            let r = item.reference.trim();
            let mut claim_id = String::new();
            if !r.is_empty() {
                if let (Some(i), _) = index.find(r, r) {
                    claim_id = index.claims()[i].claim_id.clone();
                } else if let Some(c) = rem.claims.iter().find(|c| {
                    c.clp01_claim_id.eq_ignore_ascii_case(r)
                        || (!c.clp07_payer_claim_id.is_empty()
                            && c.clp07_payer_claim_id.eq_ignore_ascii_case(r))
                }) {
                    claim_id = c.clp01_claim_id.clone();
                }
            }
            out.push(PlbRow {
                file,
                payer_id: payer_id.clone(),
                provider_id: p.provider_id.clone(),
                fiscal_date: p.fiscal_date,
                reason: item.reason.clone(),
                reference: item.reference.clone(),
                claim_id,
                amount: item.amount,
                check_trace: rem.trace.trn02_number.clone(),
                payment_date: rem.payment.bpr16_date,
            });
        }
    }
    out
}

/// A claim sent but not remitted (ledger mode).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OutstandingRow {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// CLM02.
    pub billed: Decimal,
    /// When it was sent.
    pub sent_on: Option<NaiveDate>,
    /// Days from sending to `--now`.
    pub age_days: Option<i64>,
}

/// Money as written in reports: two decimals, more only when given.
pub fn money(d: Decimal) -> String {
    let n = d.normalize();
    if n.scale() <= 2 {
        format!("{n:.2}")
    } else {
        n.to_string()
    }
}

fn date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// Writes `path` atomically (see [`crate::atomic`]): temp file in the same
/// folder, mode 0600, fsync, rename.
pub fn write_atomic(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    fill(&mut f)?;
    f.commit()
}

fn figures_cols(f: &Figures) -> [String; 7] {
    [
        money(f.billed),
        money(f.allowed),
        money(f.paid),
        money(f.patient_responsibility),
        money(f.contractual),
        money(f.other_adjustments),
        money(f.variance),
    ]
}

/// Header of `claims.csv`.
pub const CLAIMS_HEADER: [&str; 16] = [
    "claim_id",
    "payer_id",
    "payer_claim_id",
    "status",
    "match_rule",
    "billed",
    "allowed",
    "paid",
    "patient_responsibility",
    "contractual",
    "other_adjustments",
    "variance",
    "carc_codes",
    "rarc_codes",
    "check_trace",
    "payment_date",
];

/// Header of `lines.csv`.
pub const LINES_HEADER: [&str; 18] = [
    "claim_id",
    "line_id",
    "procedure",
    "payer_id",
    "payer_claim_id",
    "status",
    "match_rule",
    "billed",
    "allowed",
    "paid",
    "patient_responsibility",
    "contractual",
    "other_adjustments",
    "variance",
    "carc_codes",
    "rarc_codes",
    "check_trace",
    "payment_date",
];

/// Header of `provider_adjustments.csv`.
pub const PLB_HEADER: [&str; 10] = [
    "payer_id",
    "provider_id",
    "fiscal_date",
    "reason",
    "reference",
    "claim_id",
    "amount",
    "payment_effect",
    "check_trace",
    "payment_date",
];

/// Header of `denials.csv`.
pub const DENIALS_HEADER: [&str; 14] = [
    "claim_id",
    "line_id",
    "procedure",
    "payer_id",
    "payer_claim_id",
    "billed",
    "paid",
    "denied_amount",
    "carc_codes",
    "rarc_codes",
    "category",
    "next_action",
    "check_trace",
    "payment_date",
];

/// Header of `outstanding.csv`.
pub const OUTSTANDING_HEADER: [&str; 5] =
    ["claim_id", "payer_id", "billed", "sent_date", "age_days"];

fn csv_writer(w: &mut dyn Write) -> csv::Writer<&mut dyn Write> {
    csv::WriterBuilder::new().from_writer(w)
}

fn csv_err(e: csv::Error) -> io::Error {
    io::Error::other(e)
}

/// The file names written into the output folder, in order.
pub const REPORT_FILES: [&str; 5] =
    ["claims.csv", "lines.csv", "provider_adjustments.csv", "denials.csv", "outstanding.csv"];

/// Writes every report into `dir` (created when missing). Returns the paths.
pub fn write_all(
    dir: &Path,
    results: &[ClaimResult],
    plb: &[PlbRow],
    outstanding: &[OutstandingRow],
) -> io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let paths: Vec<PathBuf> = REPORT_FILES.iter().map(|f| dir.join(f)).collect();
    write_atomic(&paths[0], |w| {
        let mut c = csv_writer(w);
        c.write_record(CLAIMS_HEADER).map_err(csv_err)?;
        for r in results {
            let f = figures_cols(&r.figures);
            c.write_record([
                r.claim_id.as_str(),
                &r.payer_id,
                &r.payer_claim_id,
                &r.status_words(),
                r.rule.words(),
                &f[0],
                &f[1],
                &f[2],
                &f[3],
                &f[4],
                &f[5],
                &f[6],
                &r.carc.join(";"),
                &r.rarc.join(";"),
                &r.check_trace,
                &date(r.payment_date),
            ])
            .map_err(csv_err)?;
        }
        for o in outstanding {
            let billed = money(o.billed);
            c.write_record([
                o.claim_id.as_str(),
                &o.payer_id,
                "",
                Status::Outstanding.words(),
                "",
                &billed,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ])
            .map_err(csv_err)?;
        }
        c.flush()
    })?;
    write_atomic(&paths[1], |w| {
        let mut c = csv_writer(w);
        c.write_record(LINES_HEADER).map_err(csv_err)?;
        for r in results {
            for l in &r.lines {
                let f = figures_cols(&l.figures);
                c.write_record([
                    r.claim_id.as_str(),
                    &l.line_id,
                    &l.procedure,
                    &r.payer_id,
                    &r.payer_claim_id,
                    l.status.words(),
                    l.rule.words(),
                    &f[0],
                    &f[1],
                    &f[2],
                    &f[3],
                    &f[4],
                    &f[5],
                    &f[6],
                    &l.carc.join(";"),
                    &l.rarc.join(";"),
                    &r.check_trace,
                    &date(r.payment_date),
                ])
                .map_err(csv_err)?;
            }
        }
        c.flush()
    })?;
    write_atomic(&paths[2], |w| {
        let mut c = csv_writer(w);
        c.write_record(PLB_HEADER).map_err(csv_err)?;
        for p in plb {
            c.write_record([
                p.payer_id.as_str(),
                &p.provider_id,
                &date(p.fiscal_date),
                &p.reason,
                &p.reference,
                &p.claim_id,
                &money(p.amount),
                &money(-p.amount),
                &p.check_trace,
                &date(p.payment_date),
            ])
            .map_err(csv_err)?;
        }
        c.flush()
    })?;
    write_atomic(&paths[3], |w| {
        let mut c = csv_writer(w);
        c.write_record(DENIALS_HEADER).map_err(csv_err)?;
        for r in results {
            if let Some(d) = &r.denial {
                c.write_record([
                    r.claim_id.as_str(),
                    "",
                    "",
                    &r.payer_id,
                    &r.payer_claim_id,
                    &money(r.figures.billed),
                    &money(r.figures.paid),
                    &money(d.amount),
                    &r.carc.join(";"),
                    &r.rarc.join(";"),
                    d.category.words(),
                    d.action.words(),
                    &r.check_trace,
                    &date(r.payment_date),
                ])
                .map_err(csv_err)?;
                continue;
            }
            if r.status != Status::Partial {
                continue;
            }
            for l in &r.lines {
                if let Some(d) = &l.denial {
                    c.write_record([
                        r.claim_id.as_str(),
                        &l.line_id,
                        &l.procedure,
                        &r.payer_id,
                        &r.payer_claim_id,
                        &money(l.figures.billed),
                        &money(l.figures.paid),
                        &money(d.amount),
                        &l.carc.join(";"),
                        &l.rarc.join(";"),
                        d.category.words(),
                        d.action.words(),
                        &r.check_trace,
                        &date(r.payment_date),
                    ])
                    .map_err(csv_err)?;
                }
            }
        }
        c.flush()
    })?;
    write_atomic(&paths[4], |w| {
        let mut c = csv_writer(w);
        c.write_record(OUTSTANDING_HEADER).map_err(csv_err)?;
        for o in outstanding {
            c.write_record([
                o.claim_id.as_str(),
                &o.payer_id,
                &money(o.billed),
                &date(o.sent_on),
                &o.age_days.map(|a| a.to_string()).unwrap_or_default(),
            ])
            .map_err(csv_err)?;
        }
        c.flush()
    })?;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_money_with_two_decimals() {
        assert_eq!(money(Decimal::new(100, 0)), "100.00");
        assert_eq!(money(Decimal::new(-127, 2)), "-1.27");
        assert_eq!(money(Decimal::new(1005, 3)), "1.005");
        assert_eq!(money(Decimal::new(10, 1)), "1.00");
    }
}
