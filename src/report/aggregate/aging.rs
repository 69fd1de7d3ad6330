//! `aging.csv` and the headline claim counts: the claims folded as they
//! stream by ([`ClaimFold`]) into age buckets per payer, the claims that
//! wait for a later payer, and the front-end rejections not yet resent.
//!
//! This module reads nothing and writes nothing.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::ledger::read::claims::ClaimFacts;
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
    pub outcomes: crate::report::Outcomes,
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
