//! Patient balances and A/R: patients of claims sent before the ledger kept
//! them, balances following the secondary payer, a front-end rejection not
//! owed by a payer.

use super::*;

#[test]
fn patients_of_claims_sent_before_the_ledger_kept_them_come_from_their_837() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    // As a ledger migrated from schema 5 holds them: no patient rows.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM claim_patients", []).unwrap();
    drop(conn);
    let o = report(dir, &db, "from837", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let want = lines(&dir.join("from837/patient_balances.csv"));
    assert_eq!(want.len(), 5);
    assert!(
        want[3].starts_with("R4001,DEMOPAYER1,Quillfeather,Ada,1970-02-03,2026-12-01,20.00"),
        "{want:?}"
    );
    // The 837s are gone too: the rows stay, unnamed, and are counted.
    for e in std::fs::read_dir(dir.join("out")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "x12") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let o = report(dir, &db, "gone", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("4 patient balance row(s) have no name"));
    let rows = lines(&dir.join("gone/patient_balances.csv"));
    assert_eq!(rows[3], "R4001,DEMOPAYER1,,,,,20.00,0.00,0.00,20.00,0.00,20.00,0.00,,final,0.00");
}

#[test]
fn patient_balances_follow_the_secondary_payer() {
    // The COB walk-through of docs/secondary.md: build cob.csv, the
    // primary's 835, `secondary`, the secondary's 835.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config = fixture("claimflow.toml");
    let db = dir.join("l.db").display().to_string();
    let c = ["--config", config.as_str(), "--ledger", db.as_str()];
    let steps: [(&[&str], &str); 4] = [
        (&["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20"),
        (&["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01"),
        (&["secondary", "--out", "out"], "2026-04-02"),
        (&["reconcile", &fixture("835/cob-secondary.835"), "--out", "r2"], "2026-04-21"),
    ];
    for (args, now) in steps {
        let mut all: Vec<&str> = args.to_vec();
        all.extend_from_slice(&c);
        all.extend_from_slice(&["--now", now]);
        let o = run(dir, &all);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{args:?}: {o:?}");
    }
    keep_all_837(&dir.join("out"));
    let o = report(dir, Path::new(&db), "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    // C3005: the primary left 20.00 coinsurance, the secondary paid 15.00
    // and left 5.00; C3006 waits for the secondary; C3007 has none.
    assert_eq!(
        lines(&dir.join("rep/patient_balances.csv"))[1..],
        [
            "C3005,DEMOPAYER1,Testcob,Hana,1970-06-06,2026-03-10,5.00,0.00,5.00,0.00,0.00,20.00,15.00,DEMOSECOND,after_secondary,0.00",
            "C3006,DEMOPAYER1,Testcob,Ivo,1971-07-07,2026-03-10,10.00,0.00,10.00,0.00,0.00,10.00,0.00,DEMOSECOND,awaiting_secondary,0.00",
            "C3007,DEMOPAYER1,Testcob,Jo,1972-08-08,2026-03-10,15.00,0.00,15.00,0.00,0.00,15.00,0.00,,final,0.00",
        ]
    );
    // The COB claims the secondary answered are not owed; C3008's payment
    // was reversed and not corrected (sent 2026-03-20: over 120 days by 2027-03-15).
    let aging = lines(&dir.join("rep/aging.csv"));
    assert!(aging.contains(&"ALL,total,1,130.00".to_string()), "{aging:?}");
    assert!(aging.contains(&"DEMOPAYER1,120+,1,130.00".to_string()));
    // By their standing, C3006 (its COB claim held) and C3004 (denied in
    // full, the secondary named and not billed) wait for the secondary:
    // apart from the A/R, with the patient share it is to answer.
    assert_eq!(aging.last().unwrap(), "ALL,awaiting secondary payer,2,10.00");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("rep/summary.json"))).unwrap();
    let o = &summary["claims_by_outcome"];
    assert_eq!((&o["waiting_for_secondary"], &o["denied"]), (&2.into(), &0.into()), "{summary}");
    keep_report("cob", &dir.join("rep"));
}

#[test]
fn a_claim_rejected_at_the_front_end_is_not_owed_by_a_payer() {
    // The README's acknowledgment path: the 277CA rejects D1002.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let config = fixture("claimflow.toml");
    let db = dir.join("l.db").display().to_string();
    let o = run(
        dir,
        &[
            "build",
            &fixture("encounters/demo.csv"),
            "--config",
            &config,
            "--ledger",
            &db,
            "--out",
            "out",
            "--now",
            "2026-11-27",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    keep_all_837(&dir.join("out"));
    let o = run(
        dir,
        &[
            "ack",
            &fixture("ack/demo.999"),
            &fixture("ack/demo.277"),
            "--config",
            &config,
            "--ledger",
            &db,
            "--out",
            "acks",
            "--now",
            "2026-11-28",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let o = report(dir, Path::new(&db), "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("rep/summary.json"))).unwrap();
    assert_eq!(summary["claims_sent"], 7);
    assert_eq!(summary["claims_rejected"], 1);
    assert_eq!(summary["claims_outstanding"], 6);
    // 2330.90 sent, less D1002's 185.00.
    assert_eq!(summary["ar_total"], "2145.90");
}
