//! Schema upgrade tests: ledgers left at an older version are migrated and
//! keep their claims, payments and remittances.

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
        service_lines: Vec::new(),
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
        service_lines: Vec::new(),
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

/// A ledger file at `path` with the first `version` migrations applied, as
/// an older claimflow left it (for the migration tests).
fn ledger_at_version(path: &std::path::Path, version: usize) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
             description TEXT NOT NULL, applied_at TEXT NOT NULL);",
    )
    .unwrap();
    for (v, description, sql) in &MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00Z')",
            params![v, description],
        )
        .unwrap();
    }
    conn
}

#[test]
fn version_7_adds_acknowledgments_and_keeps_earlier_claims_without_spans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    {
        let conn = ledger_at_version(&path, 5);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 1,
                 '125', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO claim_history (claim_id, payer_id, status, at, submission_id, st02,
                 content_hash, frequency, total_charge)
                 VALUES ('C1', 'P1', 'sent', '2026-03-01T00:00:00', 1, '0001', 'h1', '1', '125');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert!(l.version().unwrap() >= 7);
    let sub = l.submission_by_gs06("001").unwrap().unwrap();
    assert_eq!(sub.isa13, "000000001");
    let claims = l.submitted_claims(sub.id, Some("0001")).unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].span, None, "sent before version 7: no span");
    let ack = |fp: &str, status| AckPosting {
        kind: "999",
        fingerprint: fp.into(),
        file: "a.999".into(),
        file_sha256: "s".into(),
        envelope: ("9".into(), "9".into(), "0001".into()),
        submission_id: Some(sub.id),
        reference: "GS06 1 ST02 0001".into(),
        outcome: "rejected".into(),
        codes: "IK5 R".into(),
        claims: vec![ClaimAck {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            submission_id: sub.id,
            status,
            claim_level: false,
            detail: "set rejected".into(),
            payer_claim_id: None,
            trace: None,
            status_date: None,
            by_set: false,
        }],
    };
    let s = l.post_acks(&[ack("f1", ClaimStatus::Rejected)], "2026-03-02T00:00:00").unwrap();
    assert_eq!((s.recorded.len(), s.claim_events, s.status_changes), (1, 1, 1));
    // The same acknowledgment again records nothing; a later 999
    // acceptance does not undo what was rejected.
    let s = l
        .post_acks(
            &[ack("f1", ClaimStatus::Rejected), ack("f2", ClaimStatus::Accepted)],
            "2026-03-03T00:00:00",
        )
        .unwrap();
    assert_eq!((s.already, s.recorded, s.status_changes), (vec![0], vec![1], 0));
    let events: Vec<String> = {
        let mut st = l
            .connection()
            .prepare("SELECT source || ' ' || status || ' ' || IFNULL(detail, '') FROM claim_events ORDER BY at, source, seq")
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    assert_eq!(
        events,
        ["history sent ", "ack rejected 999 set rejected", "ack accepted 999 set rejected"]
    );
    let r = l.latest_rejection("C1", "P1").unwrap().unwrap();
    assert_eq!(
        (r.at.as_str(), r.said.as_str(), r.by_set),
        ("2026-03-02T00:00:00", "999 set rejected", false)
    );
    assert_eq!(
        l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().status,
        ClaimStatus::Rejected
    );
}

#[test]
fn version_10_reads_the_277ca_status_date_of_earlier_events_and_holds_their_rejections() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    {
        let conn = ledger_at_version(&path, 9);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 1,
                 '125', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'rejected', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO acknowledgments VALUES (1, '277CA', 'fp1', 'a.277', 's', '9', '9',
                 '0001', 1, 'claim C1', 'rejected', 'A7:164:IL', '2026-03-02T00:00:00');
             INSERT INTO acknowledgments VALUES (2, '999', 'fp2', 'a.999', 's', '8', '8',
                 '0001', 1, 'GS06 1 ST02 0001', 'rejected', 'IK5 R', '2026-03-02T00:00:00');
             INSERT INTO claim_acks (ack_id, claim_id, payer_id, submission_id, status, detail)
                 VALUES (1, 'C1', 'P1', 1, 'rejected',
                     'claim rejected by P1 (A7:164:IL, status date 20260301)'),
                        (2, 'C1', 'P1', 1, 'rejected', 'set rejected (GS06 1 ST02 0001, IK5 R)');",
        )
        .unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let dates: Vec<(Option<String>, bool)> = {
        let mut st = l
            .connection()
            .prepare("SELECT status_date, by_set FROM claim_acks ORDER BY id")
            .unwrap();
        let r = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
        r.collect::<Result<_, _>>().unwrap()
    };
    assert_eq!(dates, [(Some("20260301".to_string()), false), (None, false)]);
    // Rejections recorded before version 11 are not taken as set-only.
    assert!(!l.latest_rejection("C1", "P1").unwrap().unwrap().by_set);
}

#[test]
fn version_14_reads_patient_responsibility_on_the_standing_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    let rows = |conn: &Connection| -> Vec<String> {
        let mut st = conn
            .prepare(
                "SELECT claim_id || ' ' || payer_id || ' ' || amount || ' ' || stage
                 FROM patient_responsibility ORDER BY claim_id",
            )
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    {
        let conn = ledger_at_version(&path, 13);
        // C1: a crossover (CLP02 19) the other payer has not answered; C2:
        // the same, answered by P2; C3: a 25.00 copay paid at the visit.
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 3,
                 '300', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '100', 'forwarded', 1, '0001',
                 '2026-03-01T00:00:00', NULL),
                 ('C2', 'P1', 'h2', '1', '100', 'forwarded', 1, '0001', '2026-03-01T00:00:00', NULL),
                 ('C3', 'P1', 'h3', '1', '100', 'paid', 1, '0001', '2026-03-01T00:00:00', NULL);
             INSERT INTO claim_patients (claim_id, payer_id, submission_id, patient_last,
                 patient_first, service_date, patient_paid)
                 VALUES ('C3', 'P1', 1, 'Testlast', 'Testfirst', '2026-02-27', '25');
             INSERT INTO remittances (id, payer_id, trace, file_sha256, file, st02, bpr02,
                 plb_total, payment_date, applied_at, fingerprint)
                 VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '235', '0', '2026-03-30',
                     '2026-04-01', 'fp1');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01,
                 clp02, payer_claim_id, status, billed, paid, patient_responsibility,
                 contractual, other_adjustments, adjustments, denied)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '19', 'N1', 'forwarded', '100', '80', '20', '0',
                     '0', 'PR-2 20', '0'),
                 (1, 'C2', 'P1', 1, 'C2', '19', 'N2', 'forwarded', '100', '80', '20', '0', '0',
                     'PR-2 20', '0'),
                 (1, 'C2', 'P2', 1, 'C2', '2', 'S2', 'paid', '20', '15', '5', '0', '0',
                     'PR-1 5', '0'),
                 (1, 'C3', 'P1', 1, 'C3', '1', 'N3', 'paid', '100', '60', '25', '15', '0',
                     'CO-45 15;PR-3 25', '0');",
        )
        .unwrap();
        // Version 13's view takes a crossover's share as final and credits
        // nothing paid at the visit.
        assert_eq!(rows(&conn), ["C1 P1 20.00 final", "C2 P1 20.00 final", "C3 P1 25.00 final"]);
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    assert_eq!(
        rows(l.connection()),
        ["C1 P1 20.00 awaiting_secondary", "C2 P2 5.00 after_secondary", "C3 P1 0.00 final"]
    );
    let c3: (String, String, String) = l
        .connection()
        .query_row(
            "SELECT share, paid_at_visit, COALESCE(secondary_payer_id, '')
             FROM patient_responsibility WHERE claim_id = 'C3'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(c3, ("25.00".to_string(), "25.00".to_string(), String::new()));
    // The view and the standing rule agree, claim by claim.
    for (claim, stage, balance) in [
        ("C1", Stage::AwaitingSecondary, "20"),
        ("C2", Stage::AfterSecondary, "5"),
        ("C3", Stage::Final, "0"),
    ] {
        let a = l.claim_answers(claim, "P1").unwrap().unwrap();
        let s = a.standing(None);
        assert_eq!((s.stage, s.balance), (stage, balance.parse().unwrap()), "{claim}");
    }
}
