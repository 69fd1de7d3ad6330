//! The follow-up worklist: every claim that needs a person on the run's
//! date, with the reason and the next action, oldest first then largest.
//!
//! | reason | when | next action |
//! |---|---|---|
//! | rejected | a 277CA rejected it, or a TA1 or 999 with an error inside the claim (codes in the reason) | correct and resubmit |
//! | rejected with its set | a TA1 or 999 rejected its interchange or set and named no error inside the claim | resend as is |
//! | no acknowledgment | sent (or resent, replacement, void) more than the payer's `ack_days` (default 2) ago, and no 999 or 277CA answered that file | check with the clearinghouse |
//! | no 277CA | accepted by a 999 more than `ack_days` ago, and no 277CA spoke of the claim | check with the clearinghouse |
//! | forwarded | the 835 forwarded it to another payer more than `ack_days` ago, and no payment was posted since | ask the other payer for the claim's status |
//! | no remittance | accepted more than the payer's `expected_days_to_pay` (default 30) ago, and no 835 yet | ask the payer for the claim's status |
//! | waiting for the payer's answer on line N | the payer answered part of the claim (a split claim), denied nothing, and a sent line has no answer yet | wait for the payer's answer; ask the payer for the claim's status after `expected_days_to_pay` |
//! | denied, partial | the latest 835 denied all or part of it | the denial's next action (as in `denials.csv`) |
//! | secondary ...: cannot bill the secondary | the last `claimflow secondary` run could not build the COB claim (the reason in billing words) | ask the primary payer to correct its remittance, then run secondary again |
//! | reversed | a payment was reversed and no corrected payment followed (not for a void, frequency 8: the reversal is what it asked for) | ask the payer for the corrected payment |
//! | 277 answer | the newest 277 claim status answer, while no 835 has come (see `answers`) | get the remittance, answer the payer's request, resubmit the inquiry... |
//!
//! Ages are whole days from the event that started the wait to `--now`.
//! This module reads the ledger's current state; it writes nothing.

use rust_decimal::Decimal;
use serde::Serialize;

use super::{date_of, Options};
use crate::claim::Action;
use crate::claim::ClaimStatus;
use crate::ledger::{self, ClaimState, Ledger};
use crate::numtext::money;
use crate::reconcile;

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
    #[serde(serialize_with = "crate::numtext::json::money")]
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
    let mut items: Vec<WorkItem> = Vec::new();
    for s in ledger.claim_states(ledger::Which::Open)? {
        // A forwarded claim (a crossover) is settled once the crossover
        // payer has answered: the claim's standing says so.
        if s.status == ClaimStatus::Forwarded && crossover_answered(ledger, &s)? {
            continue;
        }
        let a = answers.get(&(s.claim_id.clone(), s.payer_id.clone()));
        items.extend(
            super::answers::item_from_277(&s, a, options)
                .unwrap_or_else(|| item(s, options, today)),
        );
    }
    // COB claims `secondary` could not build: the patient's share waits on
    // them, so they need a person.
    for h in ledger.cob_held()? {
        let since = h.at.get(..10).unwrap_or(&h.at).to_string();
        items.push(WorkItem {
            age_days: date_of(&h.at).map_or(0, |d| (today - d).num_days()),
            reason: format!("secondary {}: {}", h.secondary_payer_id, h.reason),
            claim_id: h.claim_id,
            payer_id: h.payer_id,
            status: h.status,
            next_action: Action::AskPrimaryForCorrection.words(),
            category: None,
            amount: h.charge,
            since,
        });
    }
    items.sort_by(|a, b| {
        b.age_days
            .cmp(&a.age_days)
            .then(b.amount.cmp(&a.amount))
            .then_with(|| a.claim_id.cmp(&b.claim_id))
            .then_with(|| a.payer_id.cmp(&b.payer_id))
    });
    Ok(items)
}

/// True when the payer the primary forwarded claim `s` to has answered
/// (its standing is past the secondary).
fn crossover_answered(ledger: &Ledger, s: &ClaimState) -> Result<bool, ledger::Error> {
    Ok(ledger
        .claim_answers(&s.claim_id, &s.payer_id)?
        .is_some_and(|a| a.standing(None).stage == ledger::Stage::AfterSecondary))
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
            let (at, detail, by_set) = match (&s.rejection, &s.ack) {
                (Some((at, d, by_set)), _) => (at.clone(), d.clone(), *by_set),
                (None, Some((at, ClaimStatus::Rejected, d))) => (at.clone(), d.clone(), false),
                _ => (s.sent_at.clone(), "a front-end rejection".to_string(), false),
            };
            if by_set {
                let reason = format!(
                    "rejected with its set or interchange, not for its own content: {detail}; \
                     the next build of an export holding it sends it again as is"
                );
                return Some(mk(reason, Action::ResendAsIs, None, &at, s.total_charge));
            }
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
            if s.payment.is_some() {
                return None;
            }
            // A 999 accepts the set's syntax, not the claim: the payer (or
            // the clearinghouse for it) confirms the claim with a 277CA.
            if !s.confirmed_by_277 && days > i64::from(ack_days) {
                let reason = format!(
                    "accepted by a 999 {}, no 277CA {days} day(s) later (ack_days {ack_days})",
                    at.get(..10).unwrap_or(&at)
                );
                return Some(mk(reason, Action::CheckWithClearinghouse, None, &at, s.total_charge));
            }
            if days <= i64::from(days_to_pay) {
                return None;
            }
            let reason = format!(
                "accepted {}, no 835 {days} day(s) later (expected_days_to_pay {days_to_pay})",
                at.get(..10).unwrap_or(&at)
            );
            Some(mk(reason, Action::AskPayerForStatus, None, &at, s.total_charge))
        }
        // Answered in part (the payer split the claim), nothing denied: the
        // claim waits for the payer's answer on the other lines.
        ClaimStatus::Partial
            if !s.unanswered_lines.is_empty()
                && s.payment.as_ref().is_some_and(|p| p.denied.unwrap_or_default().is_zero()) =>
        {
            let p = s.payment.as_ref()?;
            let lines: Vec<String> = s.unanswered_lines.iter().map(|n| n.to_string()).collect();
            let days = age(&p.applied_at);
            let late = days > i64::from(days_to_pay);
            let reason = format!(
                "waiting for the payer's answer on line {} (the rest answered in 835 trace {}{})",
                lines.join(", "),
                p.trace,
                if late {
                    format!("; {days} day(s) ago, expected_days_to_pay {days_to_pay}")
                } else {
                    String::new()
                }
            );
            let action = if late { Action::AskPayerForStatus } else { Action::WaitForPayer };
            Some(mk(reason, action, None, &p.applied_at, s.total_charge))
        }
        ClaimStatus::Denied | ClaimStatus::Partial => {
            let p = s.payment.as_ref()?;
            let amount = match p.denied {
                Some(d) if d > Decimal::ZERO => d,
                _ => p.billed - p.paid,
            };
            let d =
                reconcile::denial_of_recorded(&p.adjustments, amount, &options.contractual_carcs);
            let codes = options.reasons.carcs(&d.carc, " ");
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
        // A void (frequency 8) asks the payer to take its payment back: the
        // reversal is the answer, no corrected payment follows.
        ClaimStatus::Reversed if s.frequency.trim() == "8" => None,
        ClaimStatus::Forwarded => {
            let p = s.payment.as_ref()?;
            let days = age(&p.applied_at);
            if s.answered_since || days <= i64::from(ack_days) {
                return None;
            }
            let reason = format!(
                "forwarded to another payer in 835 trace {} ({}), no answer from that payer {days} day(s) later (ack_days {ack_days})",
                p.trace,
                p.applied_at.get(..10).unwrap_or(&p.applied_at)
            );
            Some(mk(reason, Action::AskOtherPayer, None, &p.applied_at, s.total_charge))
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
            rejection: None,
            confirmed_by_277: true,
            answered_since: false,
            payment: None,
            unanswered_lines: Vec::new(),
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
    fn a_voided_claim_whose_payment_is_reversed_expects_no_correction() {
        let mut s = state(ClaimStatus::Reversed);
        s.frequency = "8".into();
        s.payment = Some(payment(ClaimStatus::Reversed, -9000, 0, ""));
        assert!(item(s.clone(), &options(), today()).is_none());
        s.frequency = "7".into();
        assert!(item(s, &options(), today()).is_some());
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

    #[test]
    fn a_claim_rejected_only_with_its_set_is_resent_as_is() {
        let mut s = state(ClaimStatus::Rejected);
        s.rejection = Some((
            "2026-01-02T00:00:00".into(),
            "999 set rejected (GS06 4 ST02 0001, IK5 R)".into(),
            true,
        ));
        let i = item(s.clone(), &options(), today()).unwrap();
        assert_eq!(i.next_action, "resend as is");
        assert!(i.reason.starts_with("rejected with its set or interchange"), "{}", i.reason);
        // Named by an error of its own: corrected first.
        s.rejection.as_mut().unwrap().2 = false;
        assert_eq!(item(s, &options(), today()).unwrap().next_action, "correct and resubmit");
    }

    #[test]
    fn a_999_acceptance_waits_ack_days_for_its_277ca() {
        let mut s = state(ClaimStatus::Accepted);
        s.confirmed_by_277 = false;
        s.accepted_at = Some("2026-02-06T00:00:00".into());
        assert!(item(s.clone(), &options(), today()).is_none(), "5 days: ack_days 5");
        s.accepted_at = Some("2026-02-05T00:00:00".into());
        let i = item(s.clone(), &options(), today()).unwrap();
        assert_eq!(i.next_action, "check with the clearinghouse");
        assert_eq!(i.reason, "accepted by a 999 2026-02-05, no 277CA 6 day(s) later (ack_days 5)");
        // Confirmed by a 277CA: waits for the 835 (expected_days_to_pay 20).
        s.confirmed_by_277 = true;
        assert!(item(s, &options(), today()).is_none());
    }

    #[test]
    fn a_forwarded_claim_waits_ack_days_for_the_other_payer() {
        let mut s = state(ClaimStatus::Forwarded);
        let mut p = payment(ClaimStatus::Forwarded, 0, 0, "");
        p.applied_at = "2026-02-06T00:00:00".into();
        s.payment = Some(p);
        assert!(item(s.clone(), &options(), today()).is_none(), "5 days: ack_days 5");
        s.payment.as_mut().unwrap().applied_at = "2026-02-05T00:00:00".into();
        let i = item(s.clone(), &options(), today()).unwrap();
        assert_eq!(i.next_action, "ask the other payer for the claim's status");
        assert_eq!(i.age_days, 6);
        // The other payer's payment is posted: off the worklist.
        s.answered_since = true;
        assert!(item(s, &options(), today()).is_none());
    }
}
