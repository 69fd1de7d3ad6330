//! The follow-up worklist: every claim that needs a person on the run's
//! date, with the reason and the next action, oldest first then largest.
//!
//! | reason | when | next action |
//! |---|---|---|
//! | rejected | a TA1, 999 or 277CA rejected it (codes in the reason) | correct and resubmit |
//! | no acknowledgment | sent (or resent, replacement, void) more than the payer's `ack_days` (default 2) ago, and no 999 or 277CA answered that file | check with the clearinghouse |
//! | no remittance | accepted more than the payer's `expected_days_to_pay` (default 30) ago, and no 835 yet | ask the payer for the claim's status |
//! | denied, partial | the latest 835 denied all or part of it | the denial's next action (as in `denials.csv`) |
//! | reversed | a payment was reversed and no corrected payment followed | ask the payer for the corrected payment |
//! | 277 answer | the newest 277 claim status answer, while no 835 has come (see `answers`) | get the remittance, answer the payer's request, resubmit the inquiry... |
//!
//! Ages are whole days from the event that started the wait to `--now`.
//! This module reads the ledger's current state; it writes nothing.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{date_of, Options};
use crate::claim::ClaimStatus;
use crate::ledger::{self, ClaimState, Ledger};
use crate::numtext::money;
use crate::reconcile::{self, Action};

/// One claim that needs a person.
#[derive(Clone, Debug, Serialize)]
pub struct WorkItem {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// Current status.
    pub status: ClaimStatus,
    /// Why it is here, with codes.
    pub reason: String,
    /// What to do (the words of `denials.csv`' next_action, and three of
    /// the worklist's own).
    pub next_action: &'static str,
    /// The denial category, for denied and partly paid claims.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<&'static str>,
    /// Days since the event that started the wait.
    pub age_days: i64,
    /// The amount at stake: the denied amount of a denied or partly paid
    /// claim, else the claim's charge.
    pub amount: Decimal,
    /// The event's date (YYYY-MM-DD).
    pub since: String,
}

/// The worklist on `options.now`, oldest first, then largest amount, then
/// by claim id.
pub fn worklist(ledger: &Ledger, options: &Options) -> Result<Vec<WorkItem>, ledger::Error> {
    let today = options.now.date();
    // The newest 277 claim status answer beats the days-to-pay estimate.
    let answers = ledger.latest_status_answers()?;
    let mut items: Vec<WorkItem> = ledger
        .claim_states(ledger::Which::Open)?
        .into_iter()
        .filter_map(|s| {
            let a = answers.get(&(s.claim_id.clone(), s.payer_id.clone()));
            super::answers::item_from_277(&s, a, options).unwrap_or_else(|| item(s, options, today))
        })
        .collect();
    items.sort_by(|a, b| {
        b.age_days
            .cmp(&a.age_days)
            .then(b.amount.cmp(&a.amount))
            .then_with(|| a.claim_id.cmp(&b.claim_id))
            .then_with(|| a.payer_id.cmp(&b.payer_id))
    });
    Ok(items)
}

fn item(s: ClaimState, options: &Options, today: chrono::NaiveDate) -> Option<WorkItem> {
    let (ack_days, days_to_pay) = options.days(&s.payer_id);
    let age = |at: &str| date_of(at).map_or(0, |d| (today - d).num_days());
    let mk = |reason: String, action: Action, category, since: &str, amount| WorkItem {
        claim_id: s.claim_id.clone(),
        payer_id: s.payer_id.clone(),
        status: s.status,
        reason,
        next_action: action.words(),
        category,
        age_days: age(since),
        amount,
        since: since.get(..10).unwrap_or(since).to_string(),
    };
    match s.status {
        ClaimStatus::Rejected => {
            let (at, detail) = match &s.ack {
                Some((at, ClaimStatus::Rejected, d)) => (at.clone(), d.clone()),
                _ => (s.sent_at.clone(), "a front-end rejection".to_string()),
            };
            let reason = format!("rejected: {detail}");
            Some(mk(reason, Action::CorrectAndResubmit, None, &at, s.total_charge))
        }
        st if st.is_sending() => {
            // A TA1 that accepted the file says nothing of the claims.
            let answered = s.ack.as_ref().is_some_and(|a| a.1 != ClaimStatus::Sent);
            let days = age(&s.sent_at);
            if answered || days <= i64::from(ack_days) {
                return None;
            }
            let reason = format!(
                "no 999 or 277CA {days} day(s) after it was sent in {} (ISA13 {}; ack_days {ack_days})",
                file_name(&s.file),
                s.control.0
            );
            Some(mk(reason, Action::CheckWithClearinghouse, None, &s.sent_at, s.total_charge))
        }
        ClaimStatus::Accepted => {
            let at = s.accepted_at.clone().or_else(|| s.ack.as_ref().map(|a| a.0.clone()))?;
            let days = age(&at);
            if s.payment.is_some() || days <= i64::from(days_to_pay) {
                return None;
            }
            let reason = format!(
                "accepted {}, no 835 {days} day(s) later (expected_days_to_pay {days_to_pay})",
                at.get(..10).unwrap_or(&at)
            );
            Some(mk(reason, Action::AskPayerForStatus, None, &at, s.total_charge))
        }
        ClaimStatus::Denied | ClaimStatus::Partial => {
            let p = s.payment.as_ref()?;
            let amount = match p.denied {
                Some(d) if d > Decimal::ZERO => d,
                _ => p.billed - p.paid,
            };
            let d =
                reconcile::denial_of_recorded(&p.adjustments, amount, &options.contractual_carcs);
            let codes = d.carc.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(" ");
            let reason = if s.status == ClaimStatus::Denied {
                format!("denied in 835 trace {}: {} ({codes})", p.trace, d.category.words())
            } else {
                format!(
                    "partly paid in 835 trace {}: {} of {} denied: {} ({codes})",
                    p.trace,
                    money(amount),
                    money(p.billed),
                    d.category.words()
                )
            };
            Some(mk(reason, d.action, Some(d.category.words()), &p.applied_at, amount))
        }
        ClaimStatus::Reversed => {
            let p = s.payment.as_ref()?;
            let reason =
                format!("payment reversed in 835 trace {} and no corrected payment yet", p.trace);
            Some(mk(reason, Action::AskPayerForCorrection, None, &p.applied_at, s.total_charge))
        }
        _ => None,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The worklist as CSV: claim_id, payer_id, status, age_days, amount,
/// since, reason, category, next_action.
pub fn worklist_csv(items: &[WorkItem]) -> std::io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "claim_id",
        "payer_id",
        "status",
        "age_days",
        "amount",
        "since",
        "reason",
        "category",
        "next_action",
    ])?;
    for i in items {
        w.write_record([
            i.claim_id.as_str(),
            &i.payer_id,
            i.status.as_str(),
            &i.age_days.to_string(),
            &money(i.amount),
            &i.since,
            &i.reason,
            i.category.unwrap_or(""),
            i.next_action,
        ])?;
    }
    w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::PaymentState;

    fn state(status: ClaimStatus) -> ClaimState {
        ClaimState {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            status,
            total_charge: Decimal::new(20000, 2),
            frequency: "1".into(),
            sent_at: "2026-01-01T02:00:00".into(),
            file: "/out/claims-000000004.x12".into(),
            control: ("000000004".into(), "4".into(), "0001".into()),
            payer_claim_id: None,
            ack: None,
            accepted_at: None,
            payment: None,
        }
    }

    fn payment(status: ClaimStatus, paid: i64, denied: i64, adjustments: &str) -> PaymentState {
        PaymentState {
            status,
            billed: Decimal::new(20000, 2),
            paid: Decimal::new(paid, 2),
            denied: Some(Decimal::new(denied, 2)),
            adjustments: adjustments.into(),
            applied_at: "2026-02-01T00:00:00".into(),
            trace: "T9".into(),
            reversed: false,
        }
    }

    fn options() -> Options {
        let now =
            chrono::NaiveDate::from_ymd_opt(2026, 2, 11).unwrap().and_hms_opt(8, 0, 0).unwrap();
        let mut o = Options::new(now);
        o.payer_days.insert("P1".into(), (5, 20));
        o
    }

    fn today() -> chrono::NaiveDate {
        options().now.date()
    }

    #[test]
    fn a_partial_payment_takes_its_denial_category_and_action() {
        let mut s = state(ClaimStatus::Partial);
        s.payment = Some(payment(ClaimStatus::Partial, 9000, 6000, "CO-45 50.00;CO-16 60.00"));
        let i = item(s, &options(), today()).unwrap();
        assert_eq!(i.amount, Decimal::new(6000, 2));
        assert_eq!(i.age_days, 10);
        assert_eq!(i.category, Some("missing information"));
        assert_eq!(i.next_action, "correct and resubmit");
        assert_eq!(
            i.reason,
            "partly paid in 835 trace T9: 60.00 of 200.00 denied: missing information (CO-16)"
        );
    }

    #[test]
    fn a_reversal_without_correction_asks_for_it() {
        let mut s = state(ClaimStatus::Reversed);
        s.payment = Some(payment(ClaimStatus::Reversed, -9000, 0, ""));
        let i = item(s, &options(), today()).unwrap();
        assert_eq!(i.next_action, "ask the payer for the corrected payment");
        assert_eq!(i.amount, Decimal::new(20000, 2));
    }

    #[test]
    fn waits_are_measured_against_the_payer_s_days() {
        // Sent 41 days ago, no acknowledgment (ack_days 5).
        let i = item(state(ClaimStatus::Sent), &options(), today()).unwrap();
        assert_eq!(i.next_action, "check with the clearinghouse");
        assert!(
            i.reason.contains(
                "41 day(s) after it was sent in claims-000000004.x12 (ISA13 000000004; ack_days 5)"
            ),
            "{}",
            i.reason
        );
        // A TA1 acceptance is no claim acknowledgment.
        let mut s = state(ClaimStatus::Sent);
        s.ack = Some(("2026-01-02T00:00:00".into(), ClaimStatus::Sent, "TA1 ...".into()));
        assert!(item(s, &options(), today()).is_some());
        // Accepted 20 days ago (expected_days_to_pay 20): not late yet; 21: late.
        let mut s = state(ClaimStatus::Accepted);
        s.accepted_at = Some("2026-01-22T00:00:00".into());
        assert!(item(s.clone(), &options(), today()).is_none());
        s.accepted_at = Some("2026-01-21T00:00:00".into());
        assert_eq!(
            item(s, &options(), today()).unwrap().next_action,
            "ask the payer for the claim's status"
        );
        // Paid claims are never on it.
        assert!(item(state(ClaimStatus::Paid), &options(), today()).is_none());
    }
}
