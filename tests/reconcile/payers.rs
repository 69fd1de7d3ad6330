//! Payers: one claim id sent to two payers matched by the paying payer,
//! payer aliases, and a payment applied once whatever its envelope.

use super::*;

/// The claims of payers.837: P3001 sent to two payers, the others to one.
const PAYERS_SENT: &[(&str, &str, &str)] = &[
    ("P3001", "DEMOPAYER1", "100"),
    ("P3002", "DEMOPAYER1", "150"),
    ("P3001", "DEMOPAYER2", "100"),
    ("P3003", "DEMOPAYER2", "80"),
    ("P3004", "DEMOPAYER2", "60"),
];

/// fixtures/claimflow.toml with `aliases = ["1512345678"]` for DEMOPAYER1.
fn config_with_alias(dir: &Path) -> PathBuf {
    let text = read(PathBuf::from(fixture("claimflow.toml")))
        .replace("# aliases = [\"1512345678\"]", "aliases = [\"1512345678\"]");
    assert!(text.contains("\naliases = [\"1512345678\"]"));
    let path = dir.join("claimflow.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn one_claim_id_at_two_payers_is_matched_by_the_paying_payer() {
    let dir = tempfile::tempdir().unwrap();
    let remit = fixture("835/payers.835");
    let claims = fixture("835/payers.837");
    // No config: set T620 names its payer only by TRN03 1512345678, which is
    // no known payer. P3001 was sent to two payers: unmatched, with a
    // finding naming them; P3002 to one: matched by its id alone.
    let o = run(dir.path(), &["reconcile", &remit, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(
        s.contains("payers.835:segment 38 (byte 990), claim P3001: warning: claim payment not matched: claims with this id were sent to payers DEMOPAYER1, DEMOPAYER2, and the paying payer (unknown) is none of them [RECON-AMBIGUOUS]\n"),
        "{s}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("payer 1512345678 is not a configured payer id or alias, nor the payer of a sent claim: its claim payments are matched by claim id alone").count(),
        1,
        "{err}"
    );
    assert!(err.contains("835 transaction 0002 (trace T620)"), "{err}");
    assert_eq!(
        lines_of(dir.path().join("out/claims.csv"))[1..],
        [
            "P3001,DEMOPAYER2,PCN2-3001,paid,claim_id,100.00,30.00,30.00,0.00,20.00,0.00,50.00,0.00,OA-23;CO-45,,T610,2026-04-10",
            "P3001,1512345678,PCN1-3001,unmatched,none,100.00,70.00,50.00,20.00,30.00,0.00,0.00,0.00,PR-2;CO-45,,T620,2026-04-11",
            "P3002,1512345678,PCN1-3002,paid,claim_id_only,150.00,120.00,120.00,0.00,30.00,0.00,0.00,0.00,CO-45,,T620,2026-04-11",
        ]
    );

    // With the config's alias, T620 is DEMOPAYER1's: each payment goes to
    // the claim sent to its payer, in the ledger too.
    let cfg = config_with_alias(dir.path()).display().to_string();
    let db = ledger_with(dir.path(), "835/payers.837", PAYERS_SENT).display().to_string();
    let o = run(
        dir.path(),
        &[
            "reconcile",
            &remit,
            "--config",
            &cfg,
            "--ledger",
            &db,
            "--out",
            "o2",
            "--now",
            "2026-04-20",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("not a configured payer"));
    assert_eq!(
        lines_of(dir.path().join("o2/claims.csv"))[1..],
        [
            "P3001,DEMOPAYER2,PCN2-3001,paid,claim_id,100.00,30.00,30.00,0.00,20.00,0.00,50.00,0.00,OA-23;CO-45,,T610,2026-04-10",
            "P3001,DEMOPAYER1,PCN1-3001,paid,claim_id,100.00,70.00,50.00,20.00,30.00,0.00,0.00,0.00,PR-2;CO-45,,T620,2026-04-11",
            "P3002,DEMOPAYER1,PCN1-3002,paid,claim_id,150.00,120.00,120.00,0.00,30.00,0.00,0.00,0.00,CO-45,,T620,2026-04-11",
            "P3003,DEMOPAYER2,,outstanding,,80.00,,,,,,,,,,,",
            "P3004,DEMOPAYER2,,outstanding,,60.00,,,,,,,,,,,",
        ]
    );
    let db = PathBuf::from(db);
    assert_eq!(
        query(
            &db,
            "SELECT r.trace || ' ' || r.payer_id || ' ' || p.claim_id || ' ' || p.payer_id || ' ' || p.status || ' ' || p.paid
             FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id ORDER BY p.id"
        ),
        [
            "T610 DEMOPAYER2 P3001 DEMOPAYER2 paid 30",
            "T620 DEMOPAYER1 P3001 DEMOPAYER1 paid 50",
            "T620 DEMOPAYER1 P3002 DEMOPAYER1 paid 120",
        ]
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ' ' || payer_id || ' ' || status || ' ' || IFNULL(payer_claim_id, '-') FROM claims ORDER BY rowid"),
        [
            "P3001 DEMOPAYER1 paid PCN1-3001",
            "P3002 DEMOPAYER1 paid PCN1-3002",
            "P3001 DEMOPAYER2 paid PCN2-3001",
            "P3003 DEMOPAYER2 sent -",
            "P3004 DEMOPAYER2 sent -"
        ]
    );
}

/// (trace, TRN03, payer, fingerprint set?) of every remittance row, then
/// (trace, claim, payer, status, paid) of every claim payment row.
fn payment_rows(db: &Path) -> (Vec<String>, Vec<String>) {
    (
        query(
            db,
            "SELECT trace || ' ' || IFNULL(trn03, '-') || ' ' || payer_id || ' ' || (length(fingerprint) = 64)
             FROM remittances ORDER BY id",
        ),
        query(
            db,
            "SELECT r.trace || ' ' || p.claim_id || ' ' || p.payer_id || ' ' || p.status || ' ' || p.paid
             FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id ORDER BY p.id",
        ),
    )
}

#[test]
fn a_payment_is_applied_once_whatever_its_envelope_and_a_conflict_posts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = config_with_alias(d).display().to_string();
    let db = ledger_with(d, "835/payers.837", PAYERS_SENT);
    let db_s = db.display().to_string();
    let reconcile = |file: &str, out: &str| {
        let o = run(
            d,
            &[
                "reconcile",
                &fixture(file),
                "--config",
                &cfg,
                "--ledger",
                &db_s,
                "--out",
                out,
                "--now",
                "2026-04-20",
            ],
        );
        (o.status.code(), stdout(&o))
    };
    let (code, s) = reconcile("835/payers.835", "o1");
    assert_eq!(code, Some(0), "{s}");
    let first = payment_rows(&db);
    assert_eq!(first.0, ["T610 1999999999 DEMOPAYER2 1", "T620 1512345678 DEMOPAYER1 1"]);
    assert_eq!(first.1.len(), 3);

    // T610 re-delivered by the clearinghouse: new ISA13/GS06, CRLF endings.
    let resent = std::fs::read(fixture("835/payers-resent.835")).unwrap();
    assert!(resent.windows(3).any(|w| w == b"~\r\n"));
    let (code, s) = reconcile("835/payers-resent.835", "o2");
    assert_eq!(code, Some(0), "{s}");
    assert!(
        s.contains("  ledger: remittance trace T610 was already applied: nothing posted\n"),
        "{s}"
    );
    assert!(!s.contains("ledger: posted"), "{s}");
    assert_eq!(payment_rows(&db), first);
    // Nothing was posted: no report is written (those of the run that
    // posted it stand), and it says so.
    assert!(!d.join("o2/claims.csv").exists());
    assert!(s.contains("reports: none rewritten (nothing new was posted)"), "{s}");

    // Two payments in one file under one check number (two TRN03s): both post.
    let (code, s) = reconcile("835/payers-two.835", "o3");
    assert_eq!(code, Some(0), "{s}");
    assert!(
        s.contains("ledger: posted 2 claim payment(s) to their claims from 2 remittance(s)"),
        "{s}"
    );
    let two = payment_rows(&db);
    assert_eq!(
        two.0,
        [
            "T610 1999999999 DEMOPAYER2 1",
            "T620 1512345678 DEMOPAYER1 1",
            "T630 1999999999 DEMOPAYER2 1",
            "T630 1888888888 DEMOPAYER2 1",
        ]
    );
    assert_eq!(two.1[3..], ["T630 P3003 DEMOPAYER2 paid 64", "T630 P3004 DEMOPAYER2 paid 50"]);
    assert_eq!(
        lines_of(d.join("o3/claims.csv"))[1..],
        [
            "P3003,DEMOPAYER2,PCN2-3003,paid,claim_id,80.00,64.00,64.00,0.00,16.00,0.00,0.00,0.00,CO-45,,T630,2026-04-12",
            "P3004,DEMOPAYER2,PCN2-3004,paid,claim_id,60.00,50.00,50.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T630,2026-04-12",
        ]
    );
    // The same file again: both already applied.
    let (_, s) = reconcile("835/payers-two.835", "o4");
    assert_eq!(
        s.matches("remittance trace T630 was already applied: nothing posted").count(),
        2,
        "{s}"
    );
    assert_eq!(payment_rows(&db), two);

    // Trace T610 again with another amount: a conflict, nothing posted, exit 1.
    let (code, s) = reconcile("835/payers-conflict.835", "o5");
    assert_eq!(code, Some(1), "{s}");
    assert!(
        s.contains("  ledger: CONFLICT: payer DEMOPAYER2 trace T610 was already applied with another amount or other claim payments: nothing of this payment posted; ask the payer which one stands\n"),
        "{s}"
    );
    assert!(!s.contains("ledger: posted"), "{s}");
    assert_eq!(payment_rows(&db), two);
    assert_eq!(
        query(&db, "SELECT status || ' ' || payer_claim_id FROM claims WHERE claim_id = 'P3001' AND payer_id = 'DEMOPAYER2'"),
        ["paid PCN2-3001"]
    );
    // --json names the conflict too.
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/payers-conflict.835"),
            "--config",
            &cfg,
            "--ledger",
            &db_s,
            "--out",
            "o6",
            "--now",
            "2026-04-20",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ledger"]["conflicts"][0]["payer_id"], "DEMOPAYER2");
    assert_eq!(v["ledger"]["conflicts"][0]["trace"], "T610");
}
