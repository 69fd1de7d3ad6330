//! The secondary job's decision per claim, from the primary's latest payment.

use super::decide::{decide, Decision};
use crate::claim::ClaimStatus;
use crate::ledger::{CobCandidate, PrimaryPayment};

fn candidate(status: ClaimStatus, pr: &str, adjustments: &str, reversed: bool) -> CobCandidate {
    CobCandidate {
        claim_id: "C1".into(),
        payer_id: "P1".into(),
        secondary_payer_id: "S1".into(),
        file: "/x/claims.x12".into(),
        st02: "0001".into(),
        payment: Some(PrimaryPayment {
            id: 1,
            status,
            reversed,
            clp01: "C1".into(),
            clp02: "1".into(),
            payer_claim_id: "PCN".into(),
            paid: "50".parse().unwrap(),
            patient_responsibility: pr.parse().unwrap(),
            adjustments: adjustments.into(),
            remit_file: "r.835".into(),
            remit_sha256: String::new(),
            st02: "0001".into(),
            payment_date: None,
            lines: None,
        }),
        live: Vec::new(),
    }
}

fn what(d: Decision) -> (&'static str, String, String) {
    match d {
        Decision::Send(_) => ("send", String::new(), String::new()),
        Decision::NotSent(n) => ("not sent", n.reason, n.next_action),
        Decision::Waiting(n) => ("waiting", n.reason, n.next_action),
        Decision::AwaitingPrimary => ("awaiting primary", String::new(), String::new()),
    }
}

#[test]
fn paid_partly_paid_and_patient_responsibility_are_sent() {
    for s in [ClaimStatus::Paid, ClaimStatus::Partial, ClaimStatus::PatientResponsibility] {
        assert_eq!(what(decide(&candidate(s, "10", "PR-2 10.00", false))).0, "send", "{s:?}");
    }
}

#[test]
fn a_denial_is_listed_with_its_next_action() {
    let (kind, reason, next) =
        what(decide(&candidate(ClaimStatus::Denied, "0", "CO-16 95.00", false)));
    assert_eq!(kind, "not sent");
    assert_eq!(reason, "denied by the primary payer (CO-16)");
    assert_eq!(next, "correct and resubmit");
}

#[test]
fn a_reversed_payment_waits_and_a_forwarded_claim_is_not_billed_again() {
    let (kind, reason, _) = what(decide(&candidate(ClaimStatus::Paid, "10", "", true)));
    assert_eq!(kind, "waiting");
    assert!(reason.contains("reversed"), "{reason}");
    let (kind, _, _) = what(decide(&candidate(ClaimStatus::Reversed, "0", "", false)));
    assert_eq!(kind, "waiting");
    let (kind, reason, next) = what(decide(&candidate(ClaimStatus::Forwarded, "0", "", false)));
    assert_eq!(kind, "not sent");
    assert!(reason.contains("forwarded"), "{reason}");
    assert_eq!(next, "wait for the other payer's remittance");
}

#[test]
fn paid_in_full_with_nothing_left_is_not_billed_and_no_payment_waits_for_the_primary() {
    let (kind, reason, _) = what(decide(&candidate(ClaimStatus::Paid, "0", "CO-45 5.00", false)));
    assert_eq!(kind, "not sent");
    assert!(reason.contains("nothing to bill"), "{reason}");
    let mut c = candidate(ClaimStatus::Paid, "0", "", false);
    c.payment = None;
    assert_eq!(what(decide(&c)).0, "awaiting primary");
}
