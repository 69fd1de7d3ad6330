//! Patients, procedures and denials recorded and forgotten with abandoned
//! submissions; an older ledger opened read-only and never written.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

use super::*;
use crate::claim::ClaimStatus;
use crate::ledger::{ClaimRecord, Ledger, PaymentPosting, RemitPosting, SubmissionRecord};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn sub(file: &Path, isa13: &str) -> SubmissionRecord {
    SubmissionRecord {
        file: file.to_path_buf(),
        file_sha256: "h".into(),
        isa13: isa13.into(),
        gs06: "1".into(),
        st02: vec!["0001".into()],
        total_charge: d("125"),
        created_at: "2026-03-01T08:00:00".into(),
    }
}

fn claim(id: &str, last: &str) -> ClaimRecord {
    ClaimRecord {
        claim_id: id.into(),
        payer_id: "P1".into(),
        content_hash: "h".into(),
        frequency: "1".into(),
        total_charge: d("125"),
        st02: "0001".into(),
        status: ClaimStatus::Sent,
        span: None,
        detail: None,
        patient: Some(PatientRecord {
            last: last.into(),
            first: "Pat".into(),
            dob: NaiveDate::from_ymd_opt(1980, 5, 6),
            service_date: NaiveDate::from_ymd_opt(2026, 2, 27).unwrap(),
            paid_at_visit: None,
            line_ids: vec!["1".into()],
            services: "20260227 04001  1".into(),
        }),
    }
}

fn rows(l: &Ledger, sql: &str) -> Vec<String> {
    let mut st = l.connection().prepare(sql).unwrap();
    let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    r
}

#[test]
fn records_patients_procedures_and_denials_and_forgets_abandoned_patients() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let sent = dir.path().join("sent.x12");
    std::fs::write(&sent, b"x").unwrap();
    let mut l = Ledger::open(&path).unwrap();
    let id = l.record_pending(&sub(&sent, "000000001"), &[claim("C1", "Alpha")]).unwrap();
    l.complete(id).unwrap();
    // A crash before the rename: the next open abandons it.
    l.record_pending(&sub(&dir.path().join("gone.x12"), "000000002"), &[claim("C2", "Beta")])
        .unwrap();
    drop(l);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(
        rows(&l, "SELECT claim_id || ':' || patient_last || ':' || patient_dob || ':' || service_date FROM claim_patients"),
        ["C1:Alpha:1980-05-06:2026-02-27"]
    );
    let c1 = l.sent_claims(&l.sent_files().unwrap()).unwrap()[0].row;
    let payment = PaymentPosting {
        claim_id: "C1".into(),
        payer_id: "P1".into(),
        claim_row: Some(c1),
        clp01: "C1".into(),
        clp02: "1".into(),
        payer_claim_id: "PCN".into(),
        status: ClaimStatus::Partial,
        claim_status: None,
        billed: d("125"),
        paid: d("70"),
        patient_responsibility: d("10"),
        contractual: d("20"),
        denied: d("25"),
        other_adjustments: Decimal::ZERO,
        adjustments: "CO-16 5.00;CO-45 20.00;PR-2 10.00;CO-97 20.00".into(),
        reversal: false,
        allowed: d("82.5"),
        lines: None,
        pos: Default::default(),
        denials: vec![
            DenialPosting {
                line_no: 0,
                group_code: "CO".into(),
                carc: "16".into(),
                amount: d("5"),
            },
            DenialPosting {
                line_no: 2,
                group_code: "CO".into(),
                carc: "97".into(),
                amount: d("20"),
            },
        ],
        replaces_denial: false,
    };
    let mut procedures = ProcedureSums::default();
    let lines = [
        LinePosting { procedure: "99213".into(), billed: d("100"), paid: d("70") },
        LinePosting { procedure: "36415".into(), billed: d("20"), paid: Decimal::ZERO },
        LinePosting { procedure: "81002".into(), billed: d("5"), paid: Decimal::ZERO },
    ];
    procedures.add(&payment.payer_id, &lines, false);
    let remit = RemitPosting {
        payer_id: "P1".into(),
        trace: "T1".into(),
        trn03: "1".into(),
        fingerprint: "fp".into(),
        file_sha256: "f".into(),
        file: "/x/r.835".into(),
        st02: "0001".into(),
        bpr02: d("70"),
        payment_date: Some("2026-03-20".into()),
        plb_total: Decimal::ZERO,
        adjustments: Vec::new(),
        payments: vec![payment],
        procedures,
    };
    l.post_remittances(std::slice::from_ref(&remit), "2026-03-21T00:00:00").unwrap();
    assert_eq!(rows(&l, "SELECT allowed FROM claim_payments"), ["82.5"]);
    assert_eq!(
        rows(&l, "SELECT payer_id || ':' || procedure || ':' || lines || ':' || billed || ':' || paid FROM remittance_procedures"),
        ["P1:36415:1:20:0", "P1:81002:1:5:0", "P1:99213:1:100:70"]
    );
    assert_eq!(
        rows(&l, "SELECT line_no || ':' || group_code || '-' || carc || ':' || amount FROM payment_denials ORDER BY line_no"),
        ["0:CO-16:5", "2:CO-97:20"]
    );
    // In batches (as reconcile posts): each batch's summary in turn, the
    // same payment again posts nothing, and the connection is back to its
    // own PRAGMAs with every reference sound.
    let mut again = remit.clone();
    again.trace = "T2".into();
    again.fingerprint = "fp2".into();
    let mut summaries = Vec::new();
    l.post_remittance_batches(vec![vec![again], vec![remit]], "2026-03-22T00:00:00", |p| {
        summaries.push((p.applied, p.already_applied, p.payments))
    })
    .unwrap();
    let key = |t: &str| ("P1".to_string(), t.to_string());
    assert_eq!(summaries, [(vec![key("T2")], vec![], 1), (vec![], vec![key("T1")], 0)]);
    let pragma = |name: &str| -> i64 {
        l.connection().query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap()
    };
    assert_eq!((pragma("foreign_keys"), pragma("synchronous")), (1, 2), "ON, FULL");
    let unsound: Option<String> =
        l.connection().query_row("PRAGMA foreign_key_check", [], |r| r.get(0)).optional().unwrap();
    assert_eq!(unsound, None);
    assert_eq!(
        rows(&l, "SELECT r.trace || ':' || p.id || ':' || d.amount FROM payment_denials d JOIN claim_payments p ON p.id = d.payment_id JOIN remittances r ON r.id = p.remittance_id ORDER BY d.rowid"),
        ["T1:1:5", "T1:1:20", "T2:2:5", "T2:2:20"]
    );
}

#[test]
fn a_version_5_ledger_is_read_as_it_is_on_a_read_only_open_and_never_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
                 description TEXT NOT NULL, applied_at TEXT NOT NULL);",
        )
        .unwrap();
        for (v, description, sql) in super::super::MIGRATIONS.iter().filter(|m| m.0 <= 5) {
            conn.execute_batch(sql).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00Z')",
                params![v, description],
            )
            .unwrap();
        }
        conn.execute_batch(
            "INSERT INTO remittances (id, payer_id, trace, file_sha256, file, st02, bpr02,
                 plb_total, payment_date, applied_at)
             VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80', '0', '2026-03-30', '2026-04-01');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01,
                 clp02, payer_claim_id, status, billed, paid, patient_responsibility,
                 contractual, other_adjustments, adjustments, denied)
             VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN', 'paid', '125', '80', '0', '45', '0',
                 'CO-45 45.00', '0');",
        )
        .unwrap();
    }
    let before = (std::fs::read(&path).unwrap(), path.metadata().unwrap().modified().unwrap());
    let conn = open_read_only(&path).unwrap();
    let version: u32 =
        conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 5);
    let kept: String = conn.query_row("SELECT paid FROM claim_payments", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, "80");
    // A column of a later version is not there: the reader says which
    // command upgrades the ledger.
    assert!(conn
        .query_row("SELECT allowed FROM claim_payments", [], |r| r.get::<_, Option<String>>(0))
        .is_err());
    let outdated = crate::ledger::read::outdated(&conn).unwrap();
    assert!(outdated.to_string().contains("`claimflow build`"), "{outdated}");
    // Read-only: nothing can be written through it.
    assert!(conn.execute("DELETE FROM claim_payments", []).is_err());
    drop(conn);
    let after = (std::fs::read(&path).unwrap(), path.metadata().unwrap().modified().unwrap());
    assert!(before == after, "a read-only open changed the ledger file");
    // No ledger, no file made.
    let missing = dir.path().join("none.db");
    assert!(matches!(open_read_only(&missing), Err(Error::Missing { .. })));
    assert!(!missing.exists());
}

#[test]
fn services_text_writes_what_chrono_and_decimal_write() {
    // The text as written with `fmt` (the form `claim_patients.services`
    // holds in ledgers already written).
    let by_fmt = |c: &crate::claim::Claim| {
        c.lines
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {}",
                    l.service_date.format("%Y%m%d"),
                    l.procedure,
                    l.modifiers.join(":"),
                    l.units.normalize()
                )
            })
            .collect::<Vec<_>>()
            .join(";")
    };
    let mut claims = crate::edi837::tests::sample_claims();
    let c = &mut claims[0];
    let first = c.lines[0].clone();
    for (date, units, modifiers) in [
        ((2026, 3, 2), "1.500", vec!["59", "LT"]),
        ((999, 12, 31), "0.25", vec![]),
        ((10000, 1, 9), "12", vec!["25"]),
        ((2024, 10, 1), "-2.0", vec!["A", "B", "C", "D"]),
    ] {
        let mut l = first.clone();
        l.service_date = NaiveDate::from_ymd_opt(date.0, date.1, date.2).unwrap();
        l.units = units.parse().unwrap();
        l.modifiers = modifiers.into_iter().map(String::from).collect();
        c.lines.push(l);
    }
    for c in &claims {
        assert_eq!(patients::services_text(c), by_fmt(c));
    }
}
