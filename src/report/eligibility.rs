//! `eligibility.csv` and the page's eligibility section: per payer, the
//! 270 inquiries sent and the 271 answers recorded, by coverage status
//! (the rows come from the ledger's eligibility tables). Counts only: no
//! member id or name.

use std::collections::BTreeMap;

use crate::ledger::Connection;

use super::Error;
use crate::coverage::CoverageStatus;

/// The header of `eligibility.csv`.
pub const ELIGIBILITY: [&str; 9] = [
    "payer_id",
    "inquiries",
    "answers",
    "active",
    "inactive",
    "not_found",
    "error",
    "unknown",
    "rejected",
];

/// One payer's eligibility counts (`payer_id` `ALL` for every payer).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct EligibilityRow {
    /// Payer id, or `ALL`.
    pub payer_id: String,
    /// 270 inquiries sent.
    pub inquiries: u64,
    /// 271 answers recorded.
    pub answers: u64,
    /// Answers by status: active, inactive, not_found, error, unknown, rejected.
    pub by_status: [u64; 6],
}

const ORDER: [CoverageStatus; 6] = [
    CoverageStatus::Active,
    CoverageStatus::Inactive,
    CoverageStatus::NotFound,
    CoverageStatus::Error,
    CoverageStatus::Unknown,
    CoverageStatus::Rejected,
];

/// The rows, by payer id, then `ALL`; only `payer` when given. Empty when
/// nothing was asked or answered.
pub(crate) fn rows(conn: &Connection, payer: Option<&str>) -> Result<Vec<EligibilityRow>, Error> {
    let mut by: BTreeMap<String, EligibilityRow> = BTreeMap::new();
    let keep = |p: &str| payer.map_or(true, |x| x == p);
    for (p, n) in crate::ledger::inquiry_counts(conn)? {
        if keep(&p) {
            by.entry(p.clone()).or_insert_with(|| row(&p)).inquiries += n;
        }
    }
    for c in crate::ledger::coverage_all(conn)? {
        if !keep(&c.payer_id) {
            continue;
        }
        let r = by.entry(c.payer_id.clone()).or_insert_with(|| row(&c.payer_id));
        r.answers += 1;
        let st = c.status.unwrap_or(CoverageStatus::Unknown);
        if let Some(i) = ORDER.iter().position(|s| *s == st) {
            r.by_status[i] += 1;
        }
    }
    if by.is_empty() {
        return Ok(Vec::new());
    }
    let mut all = row("ALL");
    for r in by.values() {
        all.inquiries += r.inquiries;
        all.answers += r.answers;
        for i in 0..6 {
            all.by_status[i] += r.by_status[i];
        }
    }
    let mut out: Vec<EligibilityRow> = by.into_values().collect();
    out.push(all);
    Ok(out)
}

fn row(p: &str) -> EligibilityRow {
    EligibilityRow { payer_id: p.to_string(), ..EligibilityRow::default() }
}

/// One row's cells.
pub(crate) fn cells(r: &EligibilityRow) -> Vec<String> {
    let mut v = vec![r.payer_id.clone(), r.inquiries.to_string(), r.answers.to_string()];
    v.extend(r.by_status.iter().map(u64::to_string));
    v
}
