//! How the report reads the ledger: a missing ledger is not created, reads
//! go beside a running job, an older ledger is read as it is and never
//! written, one too old names the command that upgrades it.

use super::*;

#[test]
fn a_missing_ledger_is_not_created() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let o = report(dir, &dir.join("none.db"), "rep", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no ledger at"), "{o:?}");
    assert!(!dir.join("none.db").exists() && !dir.join("rep").exists());
}

#[test]
fn reads_beside_a_running_job_without_waiting() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    // A build or reconcile holds the lock while it runs.
    let held = claimflow::ledger::Ledger::open(&db).unwrap();
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("claims sent 11"));
    drop(held);
}

/// The ledger file's bytes and modification time (and its WAL file's, when
/// there is one).
fn snapshot(db: &Path) -> (Vec<u8>, std::time::SystemTime) {
    (std::fs::read(db).unwrap(), db.metadata().unwrap().modified().unwrap())
}

/// A copy of the fixture ledger as a claimflow of schema 13 left it: the
/// version-14 row gone from `schema_migrations` (its view is read as it is).
fn ledger_at_13(dir: &Path) -> PathBuf {
    let db = fixture_ledger(dir);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM schema_migrations WHERE version > 13", []).unwrap();
    drop(conn);
    db
}

fn version(db: &Path) -> u32 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0)).unwrap()
}

#[test]
fn an_older_ledger_is_read_as_it_is_and_never_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = ledger_at_13(dir);
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("claims sent 11"), "{o:?}");
    // status (counts, a claim, the worklist) reads it read-only too.
    let ledger = db.display().to_string();
    for args in [
        vec!["status", "--ledger", &ledger],
        vec!["status", "R4001", "--ledger", &ledger],
        vec!["status", "--worklist", "--ledger", &ledger, "--now", "2027-03-15"],
    ] {
        let o = run(dir, &args);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{args:?}: {o:?}");
    }
    assert!(snapshot(&db) == before, "a read-only command changed the ledger file");
    assert_eq!(version(&db), 13, "not upgraded");
}

#[test]
fn a_ledger_too_old_for_the_report_names_the_command_that_upgrades_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = ledger_at_13(dir);
    // As schema 12 left it: no eligibility or claim status tables.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TABLE eligibility_inquiries; DROP TABLE coverage_answers;
         DROP TABLE status_inquiries; DROP TABLE status_answers;
         DELETE FROM schema_migrations WHERE version > 12;",
    )
    .unwrap();
    drop(conn);
    let before = snapshot(&db);
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("has schema version 12, older than the version")
            && err.contains("not upgraded: the next `claimflow build`"),
        "{err}"
    );
    assert!(!dir.join("rep/aging.csv").exists(), "no file written");
    let ledger = db.display().to_string();
    let o = run(dir, &["status", "--worklist", "--ledger", &ledger, "--now", "2027-03-15"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("the next `claimflow build`"), "{o:?}");
    assert!(snapshot(&db) == before, "a read-only command changed the ledger file");
    assert_eq!(version(&db), 12);
}
