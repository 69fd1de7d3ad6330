//! Ledger tests: migrations, counters, submissions, crash recovery, hashes.

use rusqlite::params;

use super::*;
use crate::claim::Claim;

mod hash;
mod upgrade;

fn sub(dir: &Path, isa13: u32) -> SubmissionRecord {
    SubmissionRecord {
        file: dir.join(format!("claims-{isa13:09}.x12")),
        file_sha256: "00".repeat(32),
        isa13: format!("{isa13:09}"),
        gs06: isa13.to_string(),
        st02: vec!["0001".into()],
        total_charge: Decimal::new(12500, 2),
        created_at: "2024-03-10T08:30:00".into(),
    }
}

fn rec(id: &str, hash: &str) -> ClaimRecord {
    ClaimRecord {
        claim_id: id.into(),
        payer_id: "P1".into(),
        content_hash: hash.into(),
        frequency: "1".into(),
        total_charge: Decimal::new(125, 0),
        st02: "0001".into(),
        status: ClaimStatus::Sent,
        span: None,
        detail: None,
        patient: None,
    }
}

#[test]
fn creates_schema_and_records_version() {
    let dir = tempfile::tempdir().unwrap();
    let l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    assert_eq!(l.counter("ISA13").unwrap(), 0);
    let mode: String = l.connection().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn refuses_ledger_from_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    {
        let l = Ledger::open(&path).unwrap();
        l.connection()
            .execute(
                "INSERT INTO schema_migrations VALUES (99, 'future', '2099-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
    }
    let err = Ledger::open(&path).unwrap_err();
    assert!(matches!(err, Error::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn control_numbers_increase_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (1, 1));
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (2, 2));
    drop(l);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (3, 3));
}

#[test]
fn a_new_ledger_starts_at_the_first_number_given_and_ignores_it_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    assert_eq!(l.allocate_control_numbers(5000).unwrap(), (5000, 5000));
    assert_eq!(l.allocate_control_numbers(5000).unwrap(), (5001, 5001));
    // Numbers already handed out: a lower or higher start changes nothing.
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (5002, 5002));
    assert_eq!(l.allocate_control_numbers(9000).unwrap(), (5003, 5003));
    assert_eq!(l.counter("ISA13").unwrap(), 5003);
}

#[test]
fn exhausted_counter_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    l.connection().execute("UPDATE counters SET value = 999999999", []).unwrap();
    assert!(matches!(l.allocate_control_numbers(1), Err(Error::Exhausted { .. })));
}

#[test]
fn pending_claims_count_only_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    let id = l.record_pending(&sub(dir.path(), 1), &[rec("C1", "h1"), rec("C2", "h2")]).unwrap();
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap(), vec![None]);
    l.complete(id).unwrap();
    let found = l.lookup(&[("C1", "P1"), ("C3", "P1"), ("C1", "OTHER")]).unwrap();
    assert_eq!(found[0].as_ref().unwrap().content_hash, "h1");
    assert_eq!(found[0].as_ref().unwrap().isa13, "000000001");
    assert_eq!(found[1], None);
    assert_eq!(found[2], None);
    // A later submission replaces the current state; history keeps both.
    let id2 = l.record_pending(&sub(dir.path(), 2), &[rec("C1", "h1b")]).unwrap();
    l.complete(id2).unwrap();
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().content_hash, "h1b");
    let n: i64 = l
        .connection()
        .query_row("SELECT COUNT(*) FROM claim_history WHERE claim_id = 'C1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn crash_recovery_completes_or_abandons_pending_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    let mut l = Ledger::open(&path).unwrap();
    let s1 = sub(dir.path(), 1);
    l.record_pending(&s1, &[rec("C1", "h1")]).unwrap();
    l.record_pending(&sub(dir.path(), 2), &[rec("C2", "h2")]).unwrap();
    drop(l); // "crash" after recording, before completing
    std::fs::write(&s1.file, b"ISA...").unwrap(); // file 1 was renamed into place
    let l = Ledger::open(&path).unwrap();
    let recovered: Vec<_> = l.recovered.iter().map(|f| (f.rule, f.message.as_str())).collect();
    assert_eq!(
        recovered,
        vec![
            (
                super::RECOVERED,
                "recovered interrupted submission ISA13 000000001: its file exists; recorded as sent"
            ),
            (
                super::ABANDONED,
                "interrupted submission ISA13 000000002 has no file; its claims count as not sent"
            ),
        ]
    );
    assert!(l.recovered.iter().all(|f| f.severity == crate::finding::Severity::Warning));
    let found = l.lookup(&[("C1", "P1"), ("C2", "P1")]).unwrap();
    assert!(found[0].is_some());
    assert!(found[1].is_none(), "file 2 never appeared: its claims are not sent");
}

#[test]
fn later_status_is_recorded_for_known_claims_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    let id = l.record_pending(&sub(dir.path(), 1), &[rec("C1", "h1")]).unwrap();
    l.complete(id).unwrap();
    assert!(l
        .record_status("C1", "P1", ClaimStatus::Paid, "2024-04-01T00:00:00", Some("835 TRN 123"))
        .unwrap());
    assert!(!l
        .record_status("NOPE", "P1", ClaimStatus::Paid, "2024-04-01T00:00:00", None)
        .unwrap());
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().status, ClaimStatus::Paid);
    let statuses: Vec<String> = l
        .connection()
        .prepare("SELECT status FROM claim_history WHERE claim_id = 'C1' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses, ["sent", "paid"]);
}

/// Every row of a ledger table, as text, in a fixed order.
fn rows(l: &Ledger, sql: &str) -> Vec<String> {
    let mut st = l.connection().prepare(sql).unwrap();
    let n = st.column_count();
    st.query_map([], |r| {
        (0..n)
            .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
            .collect::<Result<Vec<_>, _>>()
            .map(|v| v.join("|"))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

#[test]
fn claims_queued_to_the_recording_thread_are_recorded_as_add_pending_records_them() {
    let span = Span { first: 12, last: 30, levels: vec![3, 4, 11] };
    let patient = PatientRecord {
        last: "DOE".into(),
        first: "JANE".into(),
        dob: chrono::NaiveDate::from_ymd_opt(1980, 2, 3),
        service_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap(),
        paid_at_visit: Some(Decimal::new(2050, 2)),
        line_ids: vec!["1".into(), "A7".into()],
        services: "20240301 99213  1".into(),
    };
    let claims: Vec<ClaimRecord> = (0..7)
        .map(|i| {
            let mut r = rec(&format!("C{i}"), &format!("h{i}"));
            if i % 2 == 0 {
                r.span = Some(span.clone());
                r.patient = Some(patient.clone());
                r.detail = Some("sent again".into());
            }
            r
        })
        .collect();
    let recorded = |queued: bool| {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
        let s = sub(dir.path(), 1);
        let id = l.begin_pending(&s, 0).unwrap();
        for set in claims.chunks(3) {
            if queued {
                l.queue_pending(id, &s.created_at, set.to_vec()).unwrap();
            } else {
                l.add_pending(id, &s.created_at, set).unwrap();
            }
        }
        l.end_pending(id, &s, claims.len()).unwrap();
        l.complete(id).unwrap();
        let fk: i64 = l.connection().query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert_eq!(fk, 1, "foreign keys are checked again after the batches");
        [
            rows(&l, "SELECT * FROM claim_history ORDER BY id"),
            rows(&l, "SELECT * FROM claim_patients ORDER BY claim_id"),
            rows(&l, "SELECT * FROM claims ORDER BY claim_id"),
        ]
    };
    let direct = recorded(false);
    assert_eq!(direct[0].len(), 7);
    assert_eq!(direct[1].len(), 4);
    assert!(direct[0][0].contains("Text(\"3,4,11\")"), "{}", direct[0][0]);
    assert!(
        direct[1][0]
            .contains("Text(\"1980-02-03\")|Text(\"2024-03-01\")|Text(\"20.5\")|Text(\"1;A7\")"),
        "{}",
        direct[1][0]
    );
    assert_eq!(recorded(true), direct);
}

#[test]
fn claims_of_an_unknown_submission_are_refused_directly_or_queued() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    let err = l.add_pending(42, "2024-03-10T08:30:00", &[rec("C1", "h1")]).unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    l.queue_pending(42, "2024-03-10T08:30:00", vec![rec("C1", "h1")]).unwrap();
    let err = l.flush_pending().unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    let n: i64 =
        l.connection().query_row("SELECT COUNT(*) FROM claim_history", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn posting_batches_gives_the_connection_its_own_settings_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    l.connection().execute_batch("PRAGMA cache_size = -3000").unwrap();
    let mut batches = 0;
    l.post_remittance_batches(vec![Vec::new(), Vec::new()], "2026-04-01T00:00:00", |p| {
        assert_eq!(p, crate::ledger::PostSummary::default());
        batches += 1;
    })
    .unwrap();
    assert_eq!(batches, 2);
    let get = |p: &str| -> i64 { l.connection().query_row(p, [], |r| r.get(0)).unwrap() };
    assert_eq!(get("PRAGMA cache_size"), -3000);
    assert_eq!(get("PRAGMA foreign_keys"), 1);
    assert_eq!(get("PRAGMA synchronous"), 2, "FULL");
}
