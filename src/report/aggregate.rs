//! The rows of each report file, folded from the query groups: aging
//! buckets, denial rates, payments with days to pay (median and 90th
//! percentile from day-count histograms), procedures, and the headline
//! counts. Exact `Decimal` arithmetic throughout; memory grows with the
//! number of groups (payers, months, reasons, codes), not with claims.
//!
//! This module reads nothing and writes nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::read::claims::ClaimFacts;
use crate::ledger::read::report::{
    Adjudicated, DaysGroup, DenialGroup, PaymentGroup, ProcedureGroup, RemitGroup,
};
use crate::ledger::Stage;

/// The age buckets of `aging.csv`, in days since the claim was first sent.
pub const BUCKETS: [&str; 5] = ["0-30", "31-60", "61-90", "91-120", "120+"];

/// The `aging.csv` bucket of claims rejected at the front end and not sent
/// again: apart from the A/R (no payer has them), but aging toward timely
/// filing.
pub const REJECTED: &str = "rejected, not yet resent";

/// The `aging.csv` line of the claims a payer answered in full whose
/// standing waits for the next payer (the secondary named but not billed
/// yet, or the crossover payer the primary forwarded the claim to): the
/// patient share that payer is to answer, by the claim's payer, apart from
/// the A/R buckets (a COB claim already sent carries its own A/R).
pub const AWAITING_SECONDARY: &str = "awaiting secondary payer";

/// The bucket index of an age in days (a claim sent after `--now` is 0-30).
fn bucket(days: i64) -> usize {
    match days {
        i64::MIN..=30 => 0,
        31..=60 => 1,
        61..=90 => 2,
        91..=120 => 3,
        _ => 4,
    }
}

/// One row of `aging.csv`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AgingRow {
    /// Payer id, or `ALL`.
    pub payer_id: String,
    /// One of [`BUCKETS`], or `total`.
    pub bucket: String,
    /// Claims with money still expected from the payer.
    pub claims: u64,
    /// That money.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
}

/// Claims counted as they stream by, folded into aging and headline counts.
#[derive(Debug, Default)]
pub(crate) struct ClaimFold {
    /// Per payer: (claims, amount) per bucket.
    by_payer: BTreeMap<String, [(u64, Decimal); 5]>,
    /// Claims sent (in the period).
    pub sent: u64,
    /// Claims with a live payment that paid more than 0.
    pub paid: u64,
    /// Claims whose current status is `denied`.
    pub denied: u64,
    /// Claims rejected at the front end (999/277CA) and not sent again:
    /// no payer has them, so nothing is expected from one.
    pub rejected: u64,
    /// Claims with money still expected.
    pub outstanding: u64,
    /// Every claim sent in exactly one outcome (the headline cards).
    pub outcomes: super::Outcomes,
    /// Per payer: (claims, charge) of the claims rejected at the front end
    /// and not sent again.
    rejected_by_payer: BTreeMap<String, (u64, Decimal)>,
    /// Per payer: (claims, patient share) of the claims waiting for a
    /// secondary or crossover payer not billed by a COB claim.
    awaiting_by_payer: BTreeMap<String, (u64, Decimal)>,
}

impl ClaimFold {
    /// Adds one claim, as of `now`; claims first sent outside `from..=to`
    /// are left out.
    pub(crate) fn add(
        &mut self,
        c: ClaimFacts,
        now: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) {
        if from.is_some_and(|f| c.sent.map_or(true, |s| s < f))
            || to.is_some_and(|t| c.sent.map_or(true, |s| s > t))
        {
            return;
        }
        self.sent += 1;
        self.paid += u64::from(c.paid);
        self.denied += u64::from(c.status == "denied");
        if c.status == "rejected" {
            self.rejected += 1;
            self.outcomes.rejected += 1;
            let r = self.rejected_by_payer.entry(c.payer_id).or_default();
            r.0 += 1;
            r.1 += c.charge;
            return;
        }
        // Sent with no answer, the unanswered part of a split answer, or
        // reversed and not corrected: what live payments did not answer.
        let open = c.expected.unwrap_or(c.charge) - c.answered;
        if open <= Decimal::ZERO {
            // The claim's standing says whether a later payer still has to
            // answer (a secondary named or billed, a crossover); a COB claim
            // (no standing of its own) goes by its status.
            let awaiting = match &c.standing {
                Some(s) => s.stage == Stage::AwaitingSecondary,
                None => c.status == "forwarded" || c.secondary_pending,
            };
            let o = &mut self.outcomes;
            if awaiting {
                o.waiting_for_secondary += 1;
                if let (Some(s), false) = (&c.standing, c.cob_billed) {
                    let a = self.awaiting_by_payer.entry(c.payer_id).or_default();
                    a.0 += 1;
                    a.1 += s.balance;
                }
                return;
            }
            match c.status.as_str() {
                "denied" => o.denied += 1,
                "patient_responsibility" if !c.paid => o.left_to_patient += 1,
                _ => o.paid += 1,
            }
            return;
        }
        self.outcomes.outstanding += 1;
        self.outstanding += 1;
        let days = c.sent.map_or(0, |s| (now - s).num_days());
        let slot = &mut self.by_payer.entry(c.payer_id).or_default()[bucket(days)];
        slot.0 += 1;
        slot.1 += open;
    }

    /// The rows of `aging.csv`: each payer's five buckets and total, then
    /// the same over every payer (`ALL`); nothing when no claim was sent.
    pub(crate) fn rows(&self) -> Vec<AgingRow> {
        let mut out = Vec::new();
        if self.sent == 0 {
            return out;
        }
        let mut all = [(0u64, Decimal::ZERO); 5];
        let push = |payer: &str, b: &[(u64, Decimal); 5], out: &mut Vec<AgingRow>| {
            for (name, (claims, amount)) in BUCKETS.iter().zip(b) {
                out.push(AgingRow {
                    payer_id: payer.to_string(),
                    bucket: name.to_string(),
                    claims: *claims,
                    amount: *amount,
                });
            }
            out.push(AgingRow {
                payer_id: payer.to_string(),
                bucket: "total".into(),
                claims: b.iter().map(|x| x.0).sum(),
                amount: b.iter().map(|x| x.1).sum(),
            });
        };
        let none = [(0u64, Decimal::ZERO); 5];
        let mut payers: Vec<&String> = self
            .by_payer
            .keys()
            .chain(self.rejected_by_payer.keys())
            .chain(self.awaiting_by_payer.keys())
            .collect();
        payers.sort();
        payers.dedup();
        let line = |payer: &str,
                    bucket: &str,
                    (claims, amount): (u64, Decimal),
                    out: &mut Vec<AgingRow>| {
            if claims > 0 {
                out.push(AgingRow {
                    payer_id: payer.to_string(),
                    bucket: bucket.into(),
                    claims,
                    amount,
                });
            }
        };
        let mut all_awaiting = (0u64, Decimal::ZERO);
        let mut all_rejected = (0u64, Decimal::ZERO);
        for payer in payers {
            let b = self.by_payer.get(payer).unwrap_or(&none);
            push(payer, b, &mut out);
            for (a, x) in all.iter_mut().zip(b) {
                a.0 += x.0;
                a.1 += x.1;
            }
            let w = self.awaiting_by_payer.get(payer).copied().unwrap_or_default();
            line(payer, AWAITING_SECONDARY, w, &mut out);
            all_awaiting.0 += w.0;
            all_awaiting.1 += w.1;
            let r = self.rejected_by_payer.get(payer).copied().unwrap_or_default();
            line(payer, REJECTED, r, &mut out);
            all_rejected.0 += r.0;
            all_rejected.1 += r.1;
        }
        push("ALL", &all, &mut out);
        line("ALL", AWAITING_SECONDARY, all_awaiting, &mut out);
        line("ALL", REJECTED, all_rejected, &mut out);
        out
    }
}

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
    fn buckets_by_age() {
        let got: Vec<usize> = [-3, 0, 30, 31, 60, 61, 90, 91, 120, 121].map(bucket).to_vec();
        assert_eq!(got, [0, 0, 0, 1, 1, 2, 2, 3, 3, 4]);
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

    #[test]
    fn a_cob_claim_waits_for_what_the_primary_left() {
        let now = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let cob = |answered: &str| ClaimFacts {
            payer_id: "SEC".into(),
            status: "sent".into(),
            sent: NaiveDate::from_ymd_opt(2026, 6, 1),
            charge: d("180"),
            answered: d(answered),
            paid: false,
            expected: Some(d("60")),
            secondary_pending: false,
            cob_billed: false,
            standing: None,
        };
        let mut f = ClaimFold::default();
        f.add(cob("0"), now, None, None);
        f.add(cob("180"), now, None, None);
        assert_eq!(f.rows().last().map(|r| (r.claims, r.amount)), Some((1, d("60"))));
    }

    #[test]
    fn a_claim_whose_standing_awaits_a_later_payer_is_apart_from_the_ar() {
        let now = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let mut medicare = crate::ledger::PayerAnswer {
            payments: 1,
            paid: d("80"),
            patient_responsibility: d("20"),
            ..Default::default()
        };
        medicare.forwarded = true;
        let claim = |standing, cob_billed| ClaimFacts {
            payer_id: "MCARE".into(),
            status: "paid".into(),
            sent: NaiveDate::from_ymd_opt(2026, 6, 1),
            charge: d("100"),
            answered: d("100"),
            paid: true,
            expected: None,
            secondary_pending: false,
            cob_billed,
            standing: Some(standing),
        };
        let waiting = crate::ledger::standing(&medicare, None, d("5"));
        let mut f = ClaimFold::default();
        f.add(claim(waiting.clone(), false), now, None, None);
        // Billed to the secondary: its COB claim carries the A/R.
        f.add(claim(waiting, true), now, None, None);
        medicare.forwarded = false;
        f.add(claim(crate::ledger::standing(&medicare, None, d("0")), false), now, None, None);
        let o = &f.outcomes;
        assert_eq!((o.waiting_for_secondary, o.paid, o.outstanding), (2, 1, 0));
        let rows = f.rows();
        let show: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {} {}", r.payer_id, r.bucket, r.claims, r.amount))
            .collect();
        assert_eq!(show[6], "MCARE awaiting secondary payer 1 15");
        assert_eq!(show[12], "ALL total 0 0");
        assert_eq!(show.last().unwrap(), "ALL awaiting secondary payer 1 15");
    }

    #[test]
    fn aging_rows_total_per_payer_and_overall() {
        let now = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let claim = |payer: &str, sent: (u32, u32), charge: &str, answered: &str| ClaimFacts {
            payer_id: payer.into(),
            status: "sent".into(),
            sent: NaiveDate::from_ymd_opt(2026, sent.0, sent.1),
            charge: d(charge),
            answered: d(answered),
            paid: false,
            expected: None,
            secondary_pending: false,
            cob_billed: false,
            standing: None,
        };
        let mut f = ClaimFold::default();
        f.add(claim("B", (6, 20), "100", "0"), now, None, None);
        f.add(claim("A", (1, 2), "250.50", "200"), now, None, None);
        f.add(claim("A", (6, 1), "80", "80"), now, None, None);
        f.add(claim("A", (3, 1), "10", "0"), now, NaiveDate::from_ymd_opt(2026, 4, 1), None);
        let mut rejected = claim("A", (6, 2), "40", "0");
        rejected.status = "rejected".into();
        f.add(rejected, now, None, None);
        let rows = f.rows();
        assert_eq!((f.sent, f.outstanding, f.rejected), (4, 2, 1));
        // One outcome per claim: the counts add up to the claims sent.
        let o = &f.outcomes;
        assert_eq!((o.outstanding, o.rejected, o.paid), (2, 1, 1));
        let sum = o.paid + o.denied + o.left_to_patient + o.waiting_for_secondary;
        assert_eq!(sum + o.outstanding + o.rejected, f.sent);
        let show: Vec<String> = rows
            .iter()
            .map(|r| format!("{} {} {} {}", r.payer_id, r.bucket, r.claims, r.amount))
            .collect();
        assert_eq!(show[4], "A 120+ 1 50.50");
        assert_eq!(show[5], "A total 1 50.50");
        // The rejected claim is apart from the A/R, on a line of its own.
        assert_eq!(show[6], "A rejected, not yet resent 1 40");
        assert_eq!(show[7], "B 0-30 1 100");
        assert_eq!(show[18], "ALL total 2 150.50");
        assert_eq!(show[19], "ALL rejected, not yet resent 1 40");
        assert_eq!(rows.len(), 20);
    }
}
