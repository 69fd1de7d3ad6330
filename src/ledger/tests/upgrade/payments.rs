//! Upgrades of the payment tables (versions 3 to 6): payment events out of
//! the history, the denied amount, payments keyed by content, earlier
//! payments answering every line, provider adjustments.

use super::*;

#[test]
fn version_3_moves_payment_events_out_of_history_and_keeps_payer_claim_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-2 ledger with one sent claim and one payment posted the
    // version-2 way (a copy of the payment in claim_history).
    {
        let conn = ledger_at_version(&path, 2);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 1,
                 '125', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-01T00:00:00');
             INSERT INTO claim_history (claim_id, payer_id, status, at, submission_id, detail)
                 VALUES ('C1', 'P1', 'sent', '2026-03-01T00:00:00', 1, NULL);
             INSERT INTO remittances VALUES (1, 'PAYER', 'T1', 'f', '/x/r.835', '0001', '100',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '100', '0', '25',
                 '0', 'CO-45 25.00');
             INSERT INTO claim_history (claim_id, payer_id, status, at, total_charge, detail)
                 VALUES ('C1', 'P1', 'paid', '2026-04-01T00:00:00', '125', 'trace T1 paid 100');",
        )
        .unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let one = |sql: &str| -> String { l.connection().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT payer_claim_id FROM claims WHERE claim_id = 'C1'"), "PCN-9");
    assert_eq!(one("SELECT group_concat(status, ',') FROM claim_history"), "sent");
    assert_eq!(
        one("SELECT group_concat(status || '@' || at || ':' || IFNULL(detail, ''), ',')
             FROM (SELECT * FROM claim_events WHERE claim_id = 'C1' ORDER BY at, source, seq)"),
        "sent@2026-03-01T00:00:00:,paid@2026-04-01T00:00:00:trace T1 paid 100"
    );
    let files = l.sent_files().unwrap();
    assert_eq!(files.len(), 1);
    let sent = l.sent_claims(&files).unwrap();
    assert_eq!(sent[0].payer_claim_id.as_deref(), Some("PCN-9"));
    assert_eq!(sent[0].submission, 0);
}

#[test]
fn version_4_adds_the_denied_amount_and_keeps_version_3_payments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-3 ledger holding a sent claim and a payment that reported
    // its CO-16 denial as contractual (version 3 had no denied column).
    {
        let conn = ledger_at_version(&path, 3);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'partial', 1, '0001',
                 '2026-04-01T00:00:00', 'PCN-9');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'partial', '125', '80', '0', '45',
                 '0', 'CO-45 20.00;CO-16 25.00');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let rows = |l: &Ledger| -> Vec<String> {
        let mut st = l
            .connection()
            .prepare(
                "SELECT claim_id || ':' || status || ':' || paid || ':' || contractual || ':'
                        || IFNULL(denied, 'NULL') || ':' || other_adjustments || ':' || adjustments
                 FROM claim_payments ORDER BY id",
            )
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    // The version-3 row is kept as it was; its denied amount is unknown.
    assert_eq!(rows(&l), ["C1:partial:80:45:NULL:0:CO-45 20.00;CO-16 25.00"]);
    // A payment posted now stores the contractual and denied parts apart.
    let files = l.sent_files().unwrap();
    let sent = l.sent_claims(&files).unwrap();
    let c2 = sent.iter().find(|c| c.claim_id == "C2").unwrap();
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let payment = PaymentPosting {
        claim_id: "C2".into(),
        payer_id: "P1".into(),
        claim_row: Some(c2.row),
        clp01: "C2".into(),
        clp02: "1".into(),
        payer_claim_id: "PCN-10".into(),
        status: ClaimStatus::Partial,
        claim_status: None,
        billed: d("125"),
        paid: d("70"),
        patient_responsibility: d("10"),
        contractual: d("20"),
        denied: d("25.50"),
        other_adjustments: d("-0.50"),
        adjustments: "CO-45 20.00;CO-151 25.50;PR-2 10.00;OA-23 -0.50".into(),
        reversal: false,
        lines: None,
        pos: Default::default(),
        allowed: d("80"),
        denials: Vec::new(),
        replaces_denial: false,
    };
    let remit = RemitPosting {
        payer_id: "P1".into(),
        trace: "T2".into(),
        trn03: "1999999999".into(),
        fingerprint: "fp".into(),
        file_sha256: "g".into(),
        file: "/x/r2.835".into(),
        st02: "0001".into(),
        bpr02: d("70"),
        payment_date: Some("2026-04-02".into()),
        plb_total: Decimal::ZERO,
        payments: vec![payment],
        adjustments: vec![],
        procedures: Default::default(),
    };
    let post = l.post_remittances(&[remit], "2026-04-03T00:00:00").unwrap();
    assert_eq!(post.payments, 1);
    assert_eq!(
        rows(&l),
        [
            "C1:partial:80:45:NULL:0:CO-45 20.00;CO-16 25.00",
            "C2:partial:70:20:25.5:-0.5:CO-45 20.00;CO-151 25.50;PR-2 10.00;OA-23 -0.50"
        ]
    );
    let status: String = l
        .connection()
        .query_row("SELECT status FROM claims WHERE claim_id = 'C2'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "partial");
}

#[test]
fn version_5_keys_payments_by_content_and_keeps_version_4_remittances() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-4 ledger holding a sent claim and the payment of trace T1
    // (file hash 'f'), posted the version-4 way (no TRN03, no fingerprint).
    {
        let conn = ledger_at_version(&path, 4);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-01T00:00:00', 'PCN-9');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments, denied)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '80', '0', '45',
                 '0', 'CO-45 45.00', '0');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let rows = |l: &Ledger, sql: &str| -> Vec<String> {
        let mut st = l.connection().prepare(sql).unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    let remittances = "SELECT id || ':' || payer_id || ':' || trace || ':' || IFNULL(trn03, 'NULL')
            || ':' || IFNULL(fingerprint, 'NULL') || ':' || file_sha256 || ':' || bpr02
         FROM remittances ORDER BY id";
    let payments = "SELECT remittance_id || ':' || claim_id || ':' || status || ':' || paid
         FROM claim_payments ORDER BY id";
    // The version-4 rows are kept; the claim's events still read them.
    assert_eq!(rows(&l, remittances), ["1:P1:T1:NULL:NULL:f:80"]);
    assert_eq!(rows(&l, payments), ["1:C1:paid:80"]);
    assert_eq!(
        rows(&l, "SELECT detail FROM claim_events WHERE source = 'payment'"),
        ["trace T1 paid 80"]
    );
    let fk: Vec<String> = rows(&l, "SELECT 'broken' FROM pragma_foreign_key_check");
    assert!(fk.is_empty());
    let sent = l.sent_claims(&l.sent_files().unwrap()).unwrap();
    let row = |id: &str| sent.iter().find(|c| c.claim_id == id).unwrap().row;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let payment = |claim: &str, paid: &str| PaymentPosting {
        claim_id: claim.into(),
        payer_id: "P1".into(),
        claim_row: Some(row(claim)),
        clp01: claim.into(),
        clp02: "1".into(),
        payer_claim_id: if claim == "C1" { "PCN-9" } else { "PCN-10" }.into(),
        status: ClaimStatus::Paid,
        claim_status: None,
        billed: d("125"),
        paid: d(paid),
        patient_responsibility: Decimal::ZERO,
        contractual: d("125") - d(paid),
        denied: Decimal::ZERO,
        other_adjustments: Decimal::ZERO,
        adjustments: format!("CO-45 {}", crate::numtext::money(d("125") - d(paid))),
        reversal: false,
        lines: None,
        pos: Default::default(),
        allowed: d(paid),
        denials: Vec::new(),
        replaces_denial: false,
    };
    let remit = |trace: &str, trn03: &str, fp: &str, file: &str, p: PaymentPosting| RemitPosting {
        payer_id: "P1".into(),
        trace: trace.into(),
        trn03: trn03.into(),
        fingerprint: fp.into(),
        file_sha256: file.into(),
        file: "/x/r2.835".into(),
        st02: "0001".into(),
        bpr02: p.paid,
        payment_date: Some("2026-03-30".into()),
        plb_total: Decimal::ZERO,
        payments: vec![p],
        adjustments: vec![],
        procedures: Default::default(),
    };
    // T1 in another file (a new envelope): the same BPR02 and claim payment.
    let again = remit("T1", "1999999999", "fp-a", "other", payment("C1", "80"));
    assert!(l.is_applied(&again).unwrap());
    // T1 paying another amount: a conflict with the version-4 payment.
    let other = remit("T1", "1999999999", "fp-b", "other2", payment("C1", "75"));
    assert!(!l.is_applied(&other).unwrap());
    // T2 twice in one file from two originating companies, then T2 again
    // from the first with other content: two payments and a conflict.
    let t2a = remit("T2", "1999999999", "fp-c", "g", payment("C2", "100"));
    let t2b = remit("T2", "1888888888", "fp-d", "g", payment("C2", "100"));
    let t2c = remit("T2", "1999999999", "fp-e", "h", payment("C2", "90"));
    let post =
        l.post_remittances(&[again, other, t2a.clone(), t2b, t2c], "2026-04-03T00:00:00").unwrap();
    let pair = |t: &str| ("P1".to_string(), t.to_string());
    assert_eq!(post.applied, [pair("T2"), pair("T2")]);
    assert_eq!(post.already_applied, [pair("T1")]);
    assert_eq!(post.conflicts, [pair("T1"), pair("T2")]);
    assert_eq!(post.payments, 2);
    assert_eq!(
        rows(&l, remittances),
        [
            "1:P1:T1:NULL:NULL:f:80",
            "2:P1:T2:1999999999:fp-c:g:100",
            "3:P1:T2:1888888888:fp-d:g:100"
        ]
    );
    assert_eq!(rows(&l, payments), ["1:C1:paid:80", "2:C2:paid:100", "3:C2:paid:100"]);
    // The same payment posted again later is already applied.
    let post = l.post_remittances(&[t2a], "2026-04-04T00:00:00").unwrap();
    assert_eq!((post.applied.len(), post.already_applied.len()), (0, 1));
}

#[test]
fn version_6_reads_earlier_payments_as_answering_every_line_and_adds_provider_adjustments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-5 ledger: C1 paid (trace T1), then reversed and paid again
    // (trace T2); C2 sent, never answered.
    {
        let conn = ledger_at_version(&path, 5);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-02T00:00:00', 'PCN-9B');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', '1512345678', 'fp1', 'f1', '/x/r1.835',
                 '0001', '80', '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO remittances VALUES (2, 'P1', 'T2', '1512345678', 'fp2', 'f2', '/x/r2.835',
                 '0001', '10', '0', '2026-04-01', '2026-04-02T00:00:00');
             INSERT INTO claim_payments (id, remittance_id, claim_id, payer_id, matched, clp01,
                 clp02, payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments, denied, reverses, reversed_by)
             VALUES
                 (1, 1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '80', '0', '45', '0',
                  'CO-45 45.00', '0', NULL, 2),
                 (2, 2, 'C1', 'P1', 1, 'C1', '22', 'PCN-9', 'reversed', '-125', '-80', '0', '-45',
                  '0', 'CO-45 -45.00', '0', 1, NULL),
                 (3, 2, 'C1', 'P1', 1, 'C1', '1', 'PCN-9B', 'partial', '125', '90', '0', '15',
                  '0', 'CO-45 15.00;CO-16 20.00', '20', NULL, NULL);",
        )
        .unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    // Every earlier row is kept, with no answered lines (NULL: every line).
    let mut st = l
        .connection()
        .prepare("SELECT id || ':' || status || ':' || IFNULL(lines, 'NULL') FROM claim_payments ORDER BY id")
        .unwrap();
    let rows: Vec<String> =
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows, ["1:paid:NULL", "2:reversed:NULL", "3:partial:NULL"]);
    // The live payment (the reversed one and the reversal are not) answers
    // every line of its claim; a reconciliation starts from it.
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(
        l.live_payments().unwrap(),
        [crate::ledger::LivePayment {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            payer_claim_id: "PCN-9B".into(),
            billed: d("125"),
            paid: d("90"),
            lines: None,
            status: ClaimStatus::Partial,
            denied: Some(d("20")),
        }]
    );
    // provider_adjustments exists, empty: no PLB was recorded before.
    let count: i64 = l
        .connection()
        .query_row("SELECT COUNT(*) FROM provider_adjustments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
    let money = l.claim_money("C1", "P1").unwrap();
    assert_eq!((money.paid, money.recouped, money.net), (d("90"), Decimal::ZERO, d("90")));
}
