//! Unit tests of the accounting: answered lines, not_adjudicated lines,
//! the claim status by line, reversal pairing and PLB ties.

use super::*;
use crate::claim::ClaimStatus;
use crate::reconcile::testing::{line, sent, sent_with};
use crate::reconcile::ClaimRule;

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A claim payment of sent claim `claim` with CLP07 `pcn`, CLP03 and
/// CLP04, answering the sent lines of `answered`.
fn paying(
    claim: usize,
    status: ClaimStatus,
    pcn: &str,
    billed: &str,
    paid: &str,
    answered: u64,
) -> ClaimResult {
    ClaimResult {
        file: 0,
        pos: Default::default(),
        claim_id: Text::new(format!("C{claim}")),
        clp01: Text::new(format!("C{claim}")),
        sent: Some(claim),
        payer_id: "P".into(),
        payer_claim_id: pcn.into(),
        clp02: if status == ClaimStatus::Reversed { "22" } else { "1" }.into(),
        status,
        forwarded: false,
        rule: ClaimRule::ClaimId,
        figures: Figures { billed: d(billed), paid: d(paid), ..Figures::default() },
        carc: vec![],
        rarc: vec![],
        adjustments: String::new(),
        check_trace: "T1".into(),
        payment_date: None,
        lines: vec![],
        denial: None,
        pairing: None,
        candidates: vec![],
        answered,
        claim_status: None,
        later_payer: false,
        replaces_denial: false,
    }
}

/// Sent claims C0 (lines of 100 and 50) and C1 (one line of 80).
fn claims() -> Vec<SentClaim> {
    vec![
        sent_with("C0", vec![line("C0-1", "99213", 100, ""), line("C0-2", "36415", 50, "")]),
        sent_with("C1", vec![line("C1-1", "99212", 80, "")]),
    ]
}

fn statuses(rs: &[ClaimResult]) -> Vec<(ClaimStatus, Option<ClaimStatus>)> {
    rs.iter().map(|r| (r.status, r.claim_status)).collect()
}

#[test]
fn a_line_no_payment_answered_is_not_adjudicated_until_a_later_payment_answers_it() {
    let claims = claims();
    let mut book = Book::new(claims.len());
    // Payment 1: C0's first line only; C1 whole.
    let mut p1 = [
        paying(0, ClaimStatus::Paid, "A", "100", "80", 0b01),
        paying(1, ClaimStatus::Paid, "B", "80", "70", 0b1),
    ];
    assert!(book.account(&claims, &mut p1, true).is_empty());
    assert_eq!(
        statuses(&p1),
        [
            (ClaimStatus::Partial, Some(ClaimStatus::Partial)),
            (ClaimStatus::Paid, Some(ClaimStatus::Paid))
        ]
    );
    let na = &p1[0].lines[0];
    assert_eq!((na.line_id.as_str(), na.procedure.as_str()), ("C0-2", "36415"));
    assert_eq!(
        (na.status, na.rule, na.figures.billed),
        (ClaimStatus::NotAdjudicated, LineRule::None, d("50"))
    );
    assert_eq!(p1[0].lines.len(), 1);
    assert!(p1[1].lines.is_empty());
    assert_eq!(book.unanswered(0, &claims[0]), d("50"));
    assert_eq!(book.unanswered(1, &claims[1]), Decimal::ZERO);
    assert_eq!(book.partial_completed(&claims), 0);
    // Payment 2 answers the second line: the claim is paid and complete.
    let mut p2 = [paying(0, ClaimStatus::Paid, "A2", "50", "40", 0b10)];
    book.account(&claims, &mut p2, true);
    assert_eq!(statuses(&p2), [(ClaimStatus::Paid, Some(ClaimStatus::Paid))]);
    assert!(p2[0].lines.is_empty());
    assert_eq!(book.unanswered(0, &claims[0]), Decimal::ZERO);
    assert_eq!(book.partial_completed(&claims), 1);
    assert!(book.touched(0) && book.touched(1));
}

#[test]
fn parts_in_one_payment_answer_the_claim_together_and_a_denied_one_stays_denied() {
    let claims = claims();
    let mut book = Book::new(claims.len());
    let mut p = [
        paying(0, ClaimStatus::Paid, "A", "100", "80", 0b01),
        paying(0, ClaimStatus::Paid, "B", "50", "40", 0b10),
    ];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Paid, Some(ClaimStatus::Paid)); 2]);
    assert!(p.iter().all(|r| r.lines.is_empty()));
    // Denied for one line of two: the other is not adjudicated, the
    // payment stays denied, and nothing is "completed".
    let mut book = Book::new(claims.len());
    let mut p = [paying(0, ClaimStatus::Denied, "A", "100", "0", 0b01)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Denied, Some(ClaimStatus::Denied))]);
    assert_eq!(p[0].lines[0].status, ClaimStatus::NotAdjudicated);
    // The patient's share with a line unanswered is partial.
    let mut p = [paying(1, ClaimStatus::PatientResponsibility, "B", "80", "0", 0)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Partial, Some(ClaimStatus::Partial))]);
    assert_eq!(book.partial_completed(&claims), 0);
}

#[test]
fn an_earlier_run_s_lines_count_as_answered() {
    let claims = claims();
    let mut book = Book::new(claims.len());
    book.add_earlier(0, "A", d("100"), d("80"), 0b01, ClaimStatus::Paid);
    assert_eq!(book.unanswered(0, &claims[0]), d("50"));
    // Never answered: the whole charge.
    assert_eq!(book.unanswered(1, &claims[1]), d("80"));
    assert!(!book.touched(0));
    let mut p = [paying(0, ClaimStatus::Paid, "B", "50", "40", 0b10)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Paid, Some(ClaimStatus::Paid))]);
    assert!(p[0].lines.is_empty());
    // A claim whose lines are not known: no line is unanswered.
    let unknown = vec![sent("C9")];
    let mut book = Book::new(1);
    let mut p = [paying(0, ClaimStatus::Paid, "A", "100", "80", 0)];
    book.account(&unknown, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Paid, Some(ClaimStatus::Paid))]);
    assert_eq!(book.unanswered(0, &unknown[0]), Decimal::ZERO);
}

#[test]
fn the_claim_s_status_takes_the_latest_answer_of_each_line() {
    let claims = claims();
    // Part A paid line 1, part B denied line 2: partial, whichever came last.
    let mut book = Book::new(claims.len());
    book.add_earlier(0, "A", d("100"), d("80"), 0b01, ClaimStatus::Paid);
    let mut p = [paying(0, ClaimStatus::Denied, "B", "50", "0", 0b10)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Denied, Some(ClaimStatus::Partial))]);
    // Denied whole, then paid whole (a corrected claim): paid.
    let mut book = Book::new(claims.len());
    book.add_earlier(0, "A", d("150"), d("0"), 0b11, ClaimStatus::Denied);
    let mut p = [paying(0, ClaimStatus::Paid, "B", "150", "120", 0b11)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Paid, Some(ClaimStatus::Paid))]);
    // A payment that matched none of the claim's lines.
    let mut book = Book::new(claims.len());
    let mut p = [paying(0, ClaimStatus::Paid, "A", "150", "120", 0)];
    book.account(&claims, &mut p, true);
    assert_eq!(statuses(&p), [(ClaimStatus::Partial, Some(ClaimStatus::Partial))]);
    assert_eq!(p[0].lines.len(), 2);
}

#[test]
fn combines_line_statuses_into_one() {
    use ClaimStatus::*;
    let table: &[(&[ClaimStatus], bool, ClaimStatus)] = &[
        (&[Paid], false, Paid),
        (&[Paid], true, Partial),
        (&[Partial, Paid], false, Partial),
        (&[Paid, Denied], false, Partial),
        (&[Paid, PatientResponsibility], false, Paid),
        (&[Paid, Forwarded], false, Paid),
        (&[PatientResponsibility], false, PatientResponsibility),
        (&[PatientResponsibility], true, Partial),
        (&[PatientResponsibility, Denied], false, Denied),
        (&[Denied], true, Denied),
        (&[Forwarded], false, Forwarded),
        (&[Forwarded, Denied], false, Denied),
    ];
    for (statuses, missing, want) in table {
        assert_eq!(combine(statuses, *missing), *want, "{statuses:?} missing {missing}");
    }
}

#[test]
fn an_earlier_payment_partial_only_for_a_missing_line_was_paid_on_its_own() {
    let z = Some(Decimal::ZERO);
    assert_eq!(own_status(ClaimStatus::Partial, z, d("80")), Some(ClaimStatus::Paid));
    assert_eq!(
        own_status(ClaimStatus::Partial, z, d("0")),
        Some(ClaimStatus::PatientResponsibility)
    );
    assert_eq!(
        own_status(ClaimStatus::Partial, Some(d("20")), d("80")),
        Some(ClaimStatus::Partial)
    );
    // Posted by schema version 3: no denied amount to tell.
    assert_eq!(own_status(ClaimStatus::Partial, None, d("80")), Some(ClaimStatus::Partial));
    assert_eq!(own_status(ClaimStatus::Denied, z, d("0")), Some(ClaimStatus::Denied));
    assert_eq!(own_status(ClaimStatus::Reversed, z, d("-80")), None);
}

#[test]
fn a_reversal_undoes_the_latest_live_payment_with_its_clp07_and_negated_amounts() {
    let claims = claims();
    let mut book = Book::new(claims.len());
    book.add_earlier(1, "X", d("80"), d("70"), 0b1, ClaimStatus::Paid);
    let mut p = [
        paying(1, ClaimStatus::Paid, "Y", "80", "60", 0b1),
        paying(1, ClaimStatus::Paid, "X", "80", "70", 0b1),
    ];
    book.account(&claims, &mut p, true);
    // Other amounts than any payment of X: nothing undone, a warning.
    let mut r = [paying(1, ClaimStatus::Reversed, "X", "-80", "-60", 0)];
    let findings = book.account(&claims, &mut r, true);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].rule, "RECON-REVERSAL");
    assert_eq!(findings[0].claim_id, "C1");
    assert!(findings[0].message.contains("payer claim number X for 80.00 billed, 60.00 paid"));
    assert_eq!(r[0].pairing, Some(Pairing::default()));
    // The ledger reports its own: no finding asked for.
    let mut r = [paying(1, ClaimStatus::Reversed, "Z", "-80", "-70", 0)];
    assert!(book.account(&claims, &mut r, false).is_empty());
    // X, 80/70: the latest of the two (this run's, index 1), not the
    // earlier run's; then the earlier run's; then Y by amounts alone.
    let mut r = [
        paying(1, ClaimStatus::Reversed, "x", "-80", "-70", 0),
        paying(1, ClaimStatus::Reversed, "X", "-80", "-70", 0),
    ];
    book.account(&claims, &mut r, true);
    assert_eq!(r[0].pairing, Some(Pairing { reverses: Some(1), corrected_by: None }));
    assert_eq!(r[1].pairing, Some(Pairing { reverses: None, corrected_by: None }));
    assert_eq!(r[1].claim_status, Some(ClaimStatus::Paid), "Y still stands");
    let mut r = [paying(1, ClaimStatus::Reversed, "", "-80", "-60", 0)];
    book.account(&claims, &mut r, true);
    assert_eq!(r[0].pairing, Some(Pairing { reverses: Some(0), corrected_by: None }));
    // Nothing stands: reversed, the whole charge outstanding again.
    assert_eq!(r[0].claim_status, Some(ClaimStatus::Reversed));
    assert_eq!(book.unanswered(1, &claims[1]), d("80"));
    // The claim's next payment is the correction of every reversal
    // still waiting for one.
    let mut c = [paying(1, ClaimStatus::Paid, "W", "80", "75", 0b1)];
    book.account(&claims, &mut c, true);
    let corrected: Vec<Option<usize>> = book.pairs().iter().map(|(_, p)| p.corrected_by).collect();
    assert_eq!(corrected, [Some(7); 5]);
    let at: Vec<usize> = book.pairs().iter().map(|(at, _)| *at).collect();
    assert_eq!(at, [2, 3, 4, 5, 6]);
    assert_eq!(book.unanswered(1, &claims[1]), Decimal::ZERO);
}

#[test]
fn a_plb_reference_is_tied_by_clp07_in_the_payment_then_known_numbers_then_claim_id() {
    // C1 has a payer claim number from the ledger; C3 went to payer Q only.
    let mut claims = vec![sent("C1"), sent("C2"), sent("C3"), sent("C4")];
    claims[0].payer_claim_id = Some("PCN-1".into());
    claims[2].payer_id = "Q".into();
    let index = ClaimIndex::new(&claims);
    let mut book = Book::new(claims.len());
    let p = Some("P");
    // 1. The CLP07 of a claim payment of the same payment (C2 here) wins
    //    over the number the ledger knows for C1.
    let set = [paying(1, ClaimStatus::Paid, "pcn-1", "100", "80", 0)];
    assert_eq!(book.tie(&index, &set, p, " PCN-1 "), Some(1));
    // An unmatched claim payment of the payment ties nothing.
    let mut unmatched = paying(1, ClaimStatus::Unmatched, "PCN-7", "100", "80", 0);
    unmatched.sent = None;
    assert_eq!(book.tie(&index, &[unmatched], p, "PCN-7"), None);
    // 2. A payer claim number the ledger knows, of the paying payer only.
    assert_eq!(book.tie(&index, &[], p, "PCN-1"), Some(0));
    assert_eq!(book.tie(&index, &[], Some("Q"), "PCN-1"), None);
    // 3. The CLP07 of a payment earlier in the run, of the paying payer.
    let mut earlier = [
        paying(3, ClaimStatus::Paid, "PCN-4", "100", "80", 0),
        paying(2, ClaimStatus::Paid, "PCN-3", "100", "80", 0),
    ];
    book.account(&claims, &mut earlier, true);
    assert_eq!(book.tie(&index, &[], p, "pcn-4"), Some(3));
    assert_eq!(book.tie(&index, &[], p, "PCN-3"), None, "C3 is payer Q's");
    assert_eq!(book.tie(&index, &[], Some("Q"), "PCN-3"), Some(2));
    // Payments accounted after the first lookup are found too.
    let mut later = [paying(1, ClaimStatus::Paid, "PCN-2", "100", "80", 0)];
    book.account(&claims, &mut later, true);
    assert_eq!(book.tie(&index, &[], p, "PCN-2"), Some(1));
    // 4. A claim id, exactly: of the paying payer, or sent to one payer.
    assert_eq!(book.tie(&index, &[], p, "c4"), Some(3));
    assert_eq!(book.tie(&index, &[], p, "C3"), Some(2));
    assert_eq!(book.tie(&index, &[], None, "C4"), Some(3));
    assert_eq!(book.tie(&index, &[], p, "C"), None, "no prefix");
    assert_eq!(book.tie(&index, &[], p, "NOCLAIM"), None);
    assert_eq!(book.tie(&index, &[], p, "  "), None);
}
