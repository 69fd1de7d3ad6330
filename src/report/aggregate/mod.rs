//! The rows of each report file, folded from the query groups: aging
//! buckets and the headline counts (`aging`), denial rates, payments with
//! days to pay (median and 90th percentile from day-count histograms) and
//! procedures. Exact `Decimal` arithmetic throughout; memory grows with the
//! number of groups (payers, months, reasons, codes), not with claims.
//!
//! This module reads nothing and writes nothing.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::read::report::{
    Adjudicated, DaysGroup, DenialGroup, PaymentGroup, ProcedureGroup, RemitGroup,
};

mod aging;

pub use aging::{AgingRow, BUCKETS};
pub(crate) use aging::{ClaimFold, AWAITING_SECONDARY, REJECTED};

/// A ratio rounded to 4 decimals; `None` when the denominator is 0.
pub(crate) fn ratio(n: Decimal, d: Decimal) -> Option<Decimal> {
    (!d.is_zero()).then(|| (n / d).round_dp(4))
}

/// One row of `denials.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DenialRow {
    /// Payer id, or `ALL`.
    pub payer_id: String,
    /// The reason's category (`medical necessity`, …), or `total`.
    pub category: String,
    /// `GROUP-CARC` (`CO-50`); empty on total rows.
    pub carc: String,
    /// Claims with denied money for this reason.
    pub claims: u64,
    /// Service lines with denied money for this reason (line-level adjustments).
    pub lines: u64,
    /// Money denied.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// Claims over claims adjudicated by the payer.
    pub denial_rate: Option<Decimal>,
    /// Amount over the amount billed in the claims the payer adjudicated.
    pub denial_rate_amount: Option<Decimal>,
}

/// The rows of `denials.csv`: per payer its reasons (largest amount first)
/// and a total row, then every reason over all payers and the overall
/// total (`ALL`). Claims are counted per payer, so sums over payers count
/// each (claim, payer) once.
pub(crate) fn denial_rows(
    reasons: Vec<DenialGroup>,
    totals: Vec<DenialGroup>,
    adjudicated: &[Adjudicated],
) -> Vec<DenialRow> {
    let adj: BTreeMap<&str, (u64, Decimal)> =
        adjudicated.iter().map(|a| (a.payer_id.as_str(), (a.claims, a.billed))).collect();
    let all_adj = adjudicated
        .iter()
        .fold((0u64, Decimal::ZERO), |acc, a| (acc.0 + a.claims, acc.1 + a.billed));
    let row = |payer: &str,
               category: String,
               carc: String,
               g: (u64, u64, Decimal),
               base: (u64, Decimal)| {
        DenialRow {
            payer_id: payer.to_string(),
            category,
            carc,
            claims: g.0,
            lines: g.1,
            amount: g.2,
            denial_rate: ratio(Decimal::from(g.0), Decimal::from(base.0)),
            denial_rate_amount: ratio(g.2, base.1),
        }
    };
    let key = |g: &DenialGroup| format!("{}-{}", g.group_code, g.carc);
    let mut by_payer: BTreeMap<String, Vec<DenialGroup>> = BTreeMap::new();
    for g in reasons {
        by_payer.entry(g.payer_id.clone()).or_default().push(g);
    }
    let mut all: BTreeMap<String, (u64, u64, Decimal)> = BTreeMap::new();
    let mut out = Vec::new();
    for t in &totals {
        let base = adj.get(t.payer_id.as_str()).copied().unwrap_or_default();
        let mut gs = by_payer.remove(&t.payer_id).unwrap_or_default();
        gs.sort_by(|a, b| b.amount.cmp(&a.amount).then_with(|| key(a).cmp(&key(b))));
        for g in gs {
            let e = all.entry(key(&g)).or_default();
            *e = (e.0 + g.claims, e.1 + g.lines, e.2 + g.amount);
            let category = crate::claim::denial::carc_category(&g.carc).to_string();
            out.push(row(&g.payer_id, category, key(&g), (g.claims, g.lines, g.amount), base));
        }
        out.push(row(
            &t.payer_id,
            "total".into(),
            String::new(),
            (t.claims, t.lines, t.amount),
            base,
        ));
    }
    if totals.is_empty() {
        return out;
    }
    let mut reasons: Vec<_> = all.into_iter().collect();
    reasons.sort_by(|a, b| b.1 .2.cmp(&a.1 .2).then_with(|| a.0.cmp(&b.0)));
    for (k, g) in reasons {
        let carc = k.split_once('-').map_or(k.as_str(), |x| x.1);
        let category = crate::claim::denial::carc_category(carc).to_string();
        out.push(row("ALL", category, k.clone(), g, all_adj));
    }
    let sum = totals
        .iter()
        .fold((0, 0, Decimal::ZERO), |a, t| (a.0 + t.claims, a.1 + t.lines, a.2 + t.amount));
    out.push(row("ALL", "total".into(), String::new(), sum, all_adj));
    out
}

/// Median and 90th percentile of a day-count histogram (sorted by days):
/// the median is the middle value (the mean of the two middle values for
/// an even count); the 90th percentile is the nearest-rank value (the
/// smallest day count with at least 90 % of payments at or below it).
pub(crate) fn percentiles(hist: &[(i64, u64)]) -> Option<(Decimal, Decimal)> {
    let n: u64 = hist.iter().map(|h| h.1).sum();
    if n == 0 {
        return None;
    }
    let at = |rank: u64| -> i64 {
        let mut seen = 0;
        for (days, count) in hist {
            seen += count;
            if seen >= rank {
                return *days;
            }
        }
        hist.last().map_or(0, |h| h.0)
    };
    let median = if n % 2 == 1 {
        Decimal::from(at(n / 2 + 1))
    } else {
        (Decimal::from(at(n / 2)) + Decimal::from(at(n / 2 + 1))) / Decimal::TWO
    };
    let p90 = Decimal::from(at((n * 9).div_ceil(10)));
    Some((median.normalize(), p90))
}

/// One row of `payments.csv`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PaymentRow {
    /// Payer id.
    pub payer_id: String,
    /// `YYYY-MM` of the payment date.
    pub month: String,
    /// Claim payments posted (reversals included).
    pub claim_payments: u64,
    /// Sums of the claim payments' money columns.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub billed: Decimal,
    /// See `billed`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub allowed: Decimal,
    /// See `billed`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
    /// See `billed`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub contractual: Decimal,
    /// See `billed`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub patient_responsibility: Decimal,
    /// See `billed`.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub denied: Decimal,
    /// Provider-level adjustments (PLB, positive = taken back) of the
    /// payer's remittances that month.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub provider_adjustments: Decimal,
    /// BPR02 of those remittances: what was deposited.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub deposited: Decimal,
    /// Payments counted in the days to pay (live, paid more than 0).
    pub paid_claims: u64,
    /// Median days from first sent to payment.
    pub median_days_to_pay: Option<Decimal>,
    /// 90th percentile of the same.
    pub p90_days_to_pay: Option<Decimal>,
}

/// The row of payer `p` and month `m`, created empty when new.
fn slot<'a>(
    rows: &'a mut BTreeMap<(String, String), PaymentRow>,
    p: &str,
    m: &str,
) -> &'a mut PaymentRow {
    rows.entry((p.to_string(), m.to_string())).or_insert_with(|| PaymentRow {
        payer_id: p.to_string(),
        month: m.to_string(),
        ..PaymentRow::default()
    })
}

/// The rows of `payments.csv` (payer, then month), and the histogram of
/// days to pay over every row (for the headline median).
pub(crate) fn payment_rows(
    pays: Vec<PaymentGroup>,
    remits: Vec<RemitGroup>,
    days: Vec<DaysGroup>,
) -> (Vec<PaymentRow>, Vec<(i64, u64)>) {
    let mut rows: BTreeMap<(String, String), PaymentRow> = BTreeMap::new();
    for g in pays {
        {
            let r = slot(&mut rows, &g.payer_id, &g.month);
            r.claim_payments = g.payments;
            r.billed = g.billed;
            r.allowed = g.allowed;
            r.paid = g.paid;
            r.contractual = g.contractual;
            r.patient_responsibility = g.patient_responsibility;
            r.denied = g.denied;
        }
    }
    for g in remits {
        {
            let r = slot(&mut rows, &g.payer_id, &g.month);
            r.provider_adjustments = g.plb;
            r.deposited = g.bpr02;
        }
    }
    let mut hist: BTreeMap<(String, String), Vec<(i64, u64)>> = BTreeMap::new();
    let mut overall: BTreeMap<i64, u64> = BTreeMap::new();
    for d in days {
        *overall.entry(d.days).or_default() += d.payments;
        hist.entry((d.payer_id, d.month)).or_default().push((d.days, d.payments));
    }
    for (k, h) in hist {
        {
            let r = slot(&mut rows, &k.0, &k.1);
            r.paid_claims = h.iter().map(|x| x.1).sum();
            if let Some((median, p90)) = percentiles(&h) {
                r.median_days_to_pay = Some(median);
                r.p90_days_to_pay = Some(p90);
            }
        }
    }
    (rows.into_values().collect(), overall.into_iter().collect())
}

/// One row of `procedures.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProcedureRow {
    /// Procedure code as submitted.
    pub procedure: String,
    /// Service lines answered (net of reversals).
    pub lines: i64,
    /// Billed on them.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub billed: Decimal,
    /// Paid on them.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
}

/// The rows of `procedures.csv`: largest billed first, then largest paid,
/// then by code; codes that net to nothing are left out.
pub(crate) fn procedure_rows(groups: Vec<ProcedureGroup>) -> Vec<ProcedureRow> {
    let mut rows: Vec<ProcedureRow> = groups
        .into_iter()
        // A code whose lines were all reversed in the period nets to nothing.
        .filter(|g| g.lines != 0 || !g.billed.is_zero() || !g.paid.is_zero())
        .map(|g| ProcedureRow {
            procedure: g.procedure,
            lines: g.lines,
            billed: g.billed,
            paid: g.paid,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.billed
            .cmp(&a.billed)
            .then(b.paid.cmp(&a.paid))
            .then_with(|| a.procedure.cmp(&b.procedure))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn median_and_p90_from_a_histogram() {
        assert_eq!(percentiles(&[]), None);
        assert_eq!(percentiles(&[(12, 1)]), Some((d("12"), d("12"))));
        // 10, 20: median 15, p90 rank 2 -> 20.
        assert_eq!(percentiles(&[(10, 1), (20, 1)]), Some((d("15"), d("20"))));
        // 1..=10 once each: median 5.5, p90 rank 9 -> 9.
        let h: Vec<(i64, u64)> = (1..=10).map(|i| (i, 1)).collect();
        assert_eq!(percentiles(&h), Some((d("5.5"), d("9"))));
        // 3 x 5 days, 1 x 40 days: median 5, p90 rank 4 -> 40.
        assert_eq!(percentiles(&[(5, 3), (40, 1)]), Some((d("5"), d("40"))));
    }
}
