//! A claim the payer split over two payments: complete at the end of one
//! run, only the unanswered part outstanding in the ledger, and a part denied
//! leaving the claim partial.

use super::*;

/// lines-split.835: L4002's part A (trace T750) leaves line 2 unanswered,
/// part B (trace T760, a later set of the same file) answers it.
const SPLIT_CLAIMS: [&str; 2] = [
    "L4002,DEMOPAYER1,PCN-4002A,partial,claim_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T750,2026-05-15",
    "L4002,DEMOPAYER1,PCN-4002B,paid,claim_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T760,2026-05-29",
];
/// Part A's row shows line 2 not_adjudicated as of that payment.
const SPLIT_LINES: [&str; 3] = [
    "L4002,L4002-1,99214,DEMOPAYER1,PCN-4002A,paid,line_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T750,2026-05-15",
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002A,not_adjudicated,none,80.00,,,,,,,,,,T750,2026-05-15",
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002B,paid,line_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T760,2026-05-29",
];
const SPLIT_COMPLETED: &str = "  of the partial: 1 left a sent line unanswered that a later payment of these files answered: the claim is complete\n";

#[test]
fn a_claim_split_across_payments_of_one_run_is_complete_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 837 mode: part A is partial as of its payment; nothing is left to do.
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/lines-split.835"),
            "--claims",
            &fixture("835/lines.837"),
            "--out",
            "files",
        ],
    );
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}");
    assert!(s.contains("  paid 1, partial 1, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 0\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    assert_eq!(report(d, "files", "claims.csv"), with_header(CLAIMS_HEADER, &SPLIT_CLAIMS));
    assert_eq!(report(d, "files", "lines.csv"), with_header(LINES_HEADER, &SPLIT_LINES));
    assert_eq!(report(d, "files", "outstanding.csv"), [OUTSTANDING_HEADER]);

    // Ledger mode: L4002 is paid and not outstanding at the end of the run;
    // the claims nothing answered are.
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) = reconcile_into(d, &db, &["835/lines-split.835"], "ledger", "2026-06-01");
    assert_eq!(code, Some(0), "{s}");
    assert!(s.contains("  paid 1, partial 1, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 6\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    let mut claims = with_header(CLAIMS_HEADER, &SPLIT_CLAIMS);
    let waiting = ["L4001", "L4003", "L4004", "L4005", "L4006", "L4007"];
    let charge = |id: &str| SENT.iter().find(|c| c.0 == id).unwrap().2;
    claims.extend(
        waiting
            .iter()
            .map(|id| format!("{id},DEMOPAYER1,,outstanding,,{}.00,,,,,,,,,,,", charge(id))),
    );
    assert_eq!(report(d, "ledger", "claims.csv"), claims);
    assert_eq!(report(d, "ledger", "lines.csv"), with_header(LINES_HEADER, &SPLIT_LINES));
    let outstanding: Vec<String> = waiting
        .iter()
        .map(|id| format!("{id},DEMOPAYER1,{0}.00,{0}.00,2026-03-11,82", charge(id)))
        .collect();
    let mut want = vec![OUTSTANDING_HEADER.to_string()];
    want.extend(outstanding);
    assert_eq!(report(d, "ledger", "outstanding.csv"), want);
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'L4002'"), ["paid"]);
    assert_eq!(
        query(
            &db,
            "SELECT payer_claim_id || ' ' || status || ' ' || paid || ' ' || IFNULL(lines, '*')
             FROM claim_payments ORDER BY id"
        ),
        ["PCN-4002A partial 100 L4002-1", "PCN-4002B paid 70 L4002-2"]
    );
}

#[test]
fn one_ledger_run_of_both_payments_leaves_only_what_is_unanswered_outstanding() {
    // lines-1.835 and lines-2.835 in one run: L4002's part B (in lines-2)
    // completes the claim part A (in lines-1) left partial.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) =
        reconcile_into(d, &db, &["835/lines-1.835", "835/lines-2.835"], "out", "2026-06-01");
    // L4001's second line is still unanswered, L4005's reversal has no
    // correction: a person must look.
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("  paid 8, partial 2, denied 0, patient_responsibility 0, reversed 3, unmatched 0, forwarded 0, outstanding 2\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    let mut claims: Vec<&str> = RUN1_CLAIMS.iter().chain(RUN2_CLAIMS.iter()).copied().collect();
    claims.extend([
        "L4001,DEMOPAYER1,,outstanding,,150.00,,,,,,,,,,,",
        "L4005,DEMOPAYER1,,outstanding,,60.00,,,,,,,,,,,",
    ]);
    assert_eq!(report(d, "out", "claims.csv"), with_header(CLAIMS_HEADER, &claims));
    let lines: Vec<&str> = RUN1_LINES.iter().chain(RUN2_LINES.iter()).copied().collect();
    assert_eq!(report(d, "out", "lines.csv"), with_header(LINES_HEADER, &lines));
    assert_eq!(
        report(d, "out", "outstanding.csv"),
        with_header(
            OUTSTANDING_HEADER,
            &[
                "L4001,DEMOPAYER1,150.00,50.00,2026-03-11,82",
                "L4005,DEMOPAYER1,60.00,60.00,2026-03-11,82",
            ]
        )
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ' ' || status FROM claims ORDER BY claim_id"),
        [
            "L4001 partial",
            "L4002 paid",
            "L4003 paid",
            "L4004 paid",
            "L4005 reversed",
            "L4006 paid",
            "L4007 paid"
        ]
    );
}

#[test]
fn a_claim_one_part_of_which_is_denied_ends_partial_in_the_ledger() {
    // lines-split-denied.835: L4003's line 1 paid (trace T770), its line 2
    // denied with CO-16 by a later payment of the file (trace T780).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) = reconcile_into(d, &db, &["835/lines-split-denied.835"], "out", "2026-06-01");
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("  paid 0, partial 1, denied 1, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 6\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    // Each payment keeps its own status; the claim has both parts' answer.
    assert_eq!(
        query(
            &db,
            "SELECT payer_claim_id || ' ' || status || ' ' || paid || ' ' || denied || ' '
                    || IFNULL(lines, '*')
             FROM claim_payments ORDER BY id"
        ),
        ["PCN-4003A partial 60 0 L4003-1", "PCN-4003B denied 0 30 L4003-2"]
    );
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'L4003'"), ["partial"]);
    // Every line is answered: L4003 is not outstanding; the denied part is on
    // the worklist (one row per denied claim payment).
    let outstanding = report(d, "out", "outstanding.csv");
    assert_eq!(outstanding.len(), 7, "{outstanding:?}");
    assert!(!outstanding.iter().any(|r| r.starts_with("L4003,")), "{outstanding:?}");
    assert_eq!(
        report(d, "out", "denials.csv"),
        with_header(
            DENIALS_HEADER,
            &["L4003,,,DEMOPAYER1,PCN-4003B,30.00,0.00,30.00,CO-16,M51,missing information,correct and resubmit,T780,2026-05-29"]
        )
    );
}
