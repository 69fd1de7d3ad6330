//! Schema upgrade tests: ledgers left at an older version are migrated and
//! keep their claims, payments and remittances.

use super::*;

mod payments;

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
