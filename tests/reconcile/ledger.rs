//! Posting to the ledger: once per remittance, reversals undone, outstanding
//! claims listed, a truncated remittance never posted, and a sent file that
//! is gone.

use super::*;

#[test]
fn ledger_posts_once_undoes_reversals_and_lists_outstanding_claims() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    let db_s = db.display().to_string();
    let [r1, r2] = remits();
    let now = "2026-04-10";

    // remit-1: six claims posted; C1007..C1010 are still outstanding.
    let o = run(dir.path(), &["reconcile", &r1, "--ledger", &db_s, "--out", "o1", "--now", now]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(
        s.contains("ledger: posted 6 claim payment(s) to their claims from 1 remittance(s)"),
        "{s}"
    );
    assert!(s.contains("outstanding 4"), "{s}");
    let out = read(dir.path().join("o1/outstanding.csv"));
    assert!(out.contains("C1007,DEMOPAYER1,180.00,180.00,2026-03-11,30\n"), "{out}");
    assert!(
        read(dir.path().join("o1/claims.csv")).contains("C1010,DEMOPAYER2,,outstanding,,90.00,")
    );
    assert_eq!(
        query(&db, "SELECT status FROM claims WHERE claim_id = 'C1004'"),
        vec!["patient_responsibility"]
    );

    // The same file again: nothing posted, and it says so.
    let o = run(dir.path(), &["reconcile", &r1, "--ledger", &db_s, "--out", "o2", "--now", now]);
    let s = stdout(&o);
    assert!(s.contains("remittance trace T100 was already applied: nothing posted"), "{s}");
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM claim_payments"), vec!["6"]);
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM remittances"), vec!["1"]);

    // remit-2: the reversal undoes C1006's first payment; the correction posts fresh.
    let o = run(dir.path(), &["reconcile", &r2, "--ledger", &db_s, "--out", "o3", "--now", now]);
    let s = stdout(&o);
    // 7 claim payments: 6 matched to claims, 1 unmatched (recorded, no claim touched).
    assert!(s.contains("ledger: posted 6 claim payment(s) to their claims from 2 remittance(s); 1 earlier posting(s) undone by reversals"), "{s}");
    assert!(s.contains("ledger: 1 unmatched claim payment(s) recorded without a claim"), "{s}");
    assert_eq!(
        query(
            &db,
            "SELECT status || ':' || paid || ':' || IFNULL(reversed_by, '-') || ':' || IFNULL(reverses, '-')
             FROM claim_payments WHERE claim_id = 'C1006' ORDER BY id"
        ),
        vec!["paid:90:7:-", "reversed:-90:-:6", "paid:95:-:-"]
    );
    // Live (not undone) payments of C1006 add up to the corrected amount.
    assert_eq!(
        query(
            &db,
            "SELECT SUM(paid) || '' FROM claim_payments WHERE claim_id = 'C1006'
               AND reversed_by IS NULL AND status <> 'reversed'"
        ),
        vec!["95"]
    );
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'C1006'"), vec!["paid"]);
    // The claim's events: the build's, then one per payment posted.
    let history = query(
        &db,
        "SELECT status FROM claim_events WHERE claim_id = 'C1006' ORDER BY at, source, seq",
    );
    assert_eq!(history, vec!["sent", "paid", "reversed", "paid"]);
    assert_eq!(
        query(
            &db,
            "SELECT detail FROM claim_events WHERE claim_id = 'C1006' AND status = 'reversed'"
        ),
        vec!["trace T200 paid -90; undoes payment #6"]
    );
    // The payer's claim number is kept on the claim for later matching.
    assert_eq!(
        query(&db, "SELECT IFNULL(payer_claim_id, '-') FROM claims WHERE claim_id = 'C1006'"),
        query(
            &db,
            "SELECT payer_claim_id FROM claim_payments WHERE claim_id = 'C1006' ORDER BY id DESC LIMIT 1"
        )
    );
    // Nothing outstanding any more; the unmatched payment is kept for audit.
    assert!(s.contains("outstanding 0"), "{s}");
    assert_eq!(
        query(&db, "SELECT claim_id FROM claim_payments WHERE matched = 0"),
        vec!["ZZ-NOT-OURS-1"]
    );
    // C1010 was matched by its payer claim number (REF*F8 in the sent 837).
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'C1010'"), vec!["paid"]);
}

#[test]
fn a_truncated_remittance_is_reported_but_never_posted() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    let db_s = db.display().to_string();
    let cut = fixture("x12/bad/truncated_remit.835");
    let o = run(
        dir.path(),
        &["reconcile", &cut, "--ledger", &db_s, "--out", "o1", "--now", "2026-04-10"],
    );
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("[X12-SE-MISSING]"), "{s}");
    assert!(s.contains("(trace T100) is truncated (no SE): not posted"), "{s}");
    assert!(s.contains("BPR02 total 329.50: MISMATCH"), "{s}");
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM claim_payments"), ["0"]);
    // The complete file, when it arrives, posts normally.
    let [r1, _] = remits();
    let o = run(
        dir.path(),
        &["reconcile", &r1, "--ledger", &db_s, "--out", "o2", "--now", "2026-04-10"],
    );
    assert!(stdout(&o)
        .contains("ledger: posted 6 claim payment(s) to their claims from 1 remittance(s)"));
}

#[test]
fn a_sent_file_that_is_gone_is_named_and_its_claims_still_match_by_claim() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    // The 837 the ledger recorded is moved away after it was sent.
    let sent = query(&db, "SELECT file FROM submissions");
    std::fs::remove_file(&sent[0]).unwrap();
    let [r1, _] = remits();
    let o = run(
        dir.path(),
        &[
            "reconcile",
            &r1,
            "--ledger",
            &db.display().to_string(),
            "--out",
            "o",
            "--now",
            "2026-04-10",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let named = format!("{}: warning: unreadable: sent file cannot be read", sent[0]);
    assert!(err.contains(&named) && err.contains("[FILE-UNREADABLE]"), "{err}");
    assert!(err.contains("matched without their service lines"), "{err}");
    // Claims still match (by claim id); lines cannot, and say so.
    let claims = read(dir.path().join("o/claims.csv"));
    assert!(
        claims.lines().any(|l| l.starts_with("C1001,") && l.contains(",claim_id,")),
        "{claims}"
    );
    assert!(!claims.contains(",unmatched,"), "{claims}");
}
