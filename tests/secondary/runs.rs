//! Which claims a secondary run sends and what it records: nothing twice, a
//! dry run that only reads, the secondary's 835 reconciled, held, denied,
//! forwarded and split claims, the primary's 835 found from anywhere, the
//! library call.

use super::*;

#[test]
fn running_twice_sends_nothing_twice_and_dry_run_records_nothing() {
    let dir = primary_posted();
    let d = dir.path();
    let o = secondary(d, &["--dry-run", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert!(v["x12_file"].is_null());
    assert!(!d.join("cob").exists(), "a dry run writes nothing");
    let first = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert_eq!(v["sent_charge"], "630.00");
    assert_eq!(v["isa13"], "000000002");
    let again = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 0, "{}", text(&again));
    assert!(v["x12_file"].is_null());
    assert_eq!(fs::read_dir(d.join("cob")).unwrap().count(), 1);
}

/// The ledger file's bytes and modification time, and its lock file's
/// bytes (the process id of the last run that took the lock).
fn snapshot(db: &Path) -> (Vec<u8>, std::time::SystemTime, Vec<u8>) {
    let lock = db.with_extension("db.lock");
    (
        fs::read(db).unwrap(),
        db.metadata().unwrap().modified().unwrap(),
        fs::read(lock).unwrap_or_default(),
    )
}

#[test]
fn a_dry_run_opens_the_ledger_read_only_and_never_writes_it() {
    let dir = primary_posted();
    let d = dir.path();
    let db = d.join("claimflow.db");
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = secondary(d, &["--dry-run", "--json"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert!(snapshot(&db) == before, "a dry run changed the ledger or took its lock");
    // An older ledger is read as it is, not upgraded.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM schema_migrations WHERE version > 13", []).unwrap();
    drop(conn);
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = secondary(d, &["--dry-run", "--json"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(snapshot(&db) == before, "a dry run upgraded the ledger");
}

#[test]
fn the_secondary_835_is_reconciled_to_the_secondary_claim() {
    let dir = primary_posted();
    let d = dir.path();
    secondary(d, &[]);
    let o = reconcile(d, "835/cob-secondary.835", "recon2", "2026-04-21");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("paid 4, partial 0, denied 0"), "{}", text(&o));
    let claims = fs::read_to_string(d.join("recon2/claims.csv")).unwrap();
    assert_eq!(claims.lines().filter(|l| l.contains("DEMOSECOND")).count(), 4, "{claims}");
    let l = rusqlite::Connection::open(d.join("claimflow.db")).unwrap();
    let status = |id: &str, payer: &str| -> String {
        l.query_row(
            "SELECT status FROM claims WHERE claim_id = ?1 AND payer_id = ?2",
            [id, payer],
            |r| r.get(0),
        )
        .unwrap()
    };
    // Both payers' stories: the primary's claim keeps its own status.
    assert_eq!(status("C3001", "DEMOSECOND"), "paid");
    assert_eq!(status("C3001", "DEMOPAYER1"), "paid");
    assert_eq!(status("C3002", "DEMOPAYER1"), "partial");
    // The secondary submission is frequency 1 under the secondary payer.
    let freq: String = l
        .query_row(
            "SELECT frequency FROM claims WHERE claim_id = 'C3005' AND payer_id = 'DEMOSECOND'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(freq, "1");
    // Patient responsibility after all payers.
    let pr = |id: &str| -> (String, String, String) {
        l.query_row(
            "SELECT payer_id, amount, stage FROM patient_responsibility WHERE claim_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(pr("C3005"), ("DEMOSECOND".into(), "5.00".into(), "after_secondary".into()));
    assert_eq!(pr("C3001"), ("DEMOSECOND".into(), "0.00".into(), "after_secondary".into()));
    assert_eq!(pr("C3004"), ("DEMOPAYER1".into(), "0.00".into(), "awaiting_secondary".into()));
    assert_eq!(pr("C3007"), ("DEMOPAYER1".into(), "15.00".into(), "final".into()));
}

#[test]
fn the_status_history_names_the_secondary_send_by_its_own_source() {
    let dir = primary_posted();
    let d = dir.path();
    let o = secondary(d, &[]);
    assert!(text(&o).contains("claim C3001 -> DEMOSECOND"), "{}", text(&o));
    let mut a: Vec<String> = vec!["status".into(), "C3001".into(), "--history".into()];
    a.extend(cfg(d));
    a.push("--json".into());
    let o = claimflow(d).args(&a).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first_source = |payer: &str| {
        let c = v.as_array().unwrap().iter().find(|c| c["payer_id"] == payer).unwrap();
        c["history"][0]["source"].as_str().unwrap().to_string()
    };
    assert_eq!(first_source("DEMOPAYER1"), "build", "{v}");
    assert_eq!(first_source("DEMOSECOND"), "secondary", "{v}");
}

#[test]
fn a_claim_that_does_not_balance_is_held_with_its_findings() {
    let dir = primary_posted();
    let o = secondary(dir.path(), &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["held"], serde_json::json!(["C3006"]));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["claim_id"] == "C3006")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["837-COB-LINE", "837-COB-CLAIM", "837-COB-PAID"]);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("line 2") && msg.contains("60.00"), "{msg}");
}

/// The job through the library: `claimflow::secondary::run` returns the
/// typed report and prints nothing.
#[test]
fn secondary_through_the_library() {
    use claimflow::{clock, config::Config, ledger::Ledger, progress::Progress, secondary};
    let dir = primary_posted();
    let d = dir.path();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let mut ledger = Ledger::open(&d.join("claimflow.db")).unwrap();
    let options =
        secondary::Options { now: clock::parse_now("2026-04-02").unwrap(), dry_run: false };
    let r = secondary::run(&config, &mut ledger, &d.join("lib"), &options, &Progress::silent())
        .unwrap();
    keep_all_837(&d.join("lib"));
    let ids: Vec<&str> = r.sent.iter().map(|s| s.claim_id.as_str()).collect();
    assert_eq!(ids, ["C3001", "C3002", "C3003", "C3005"]);
    assert_eq!(r.sent[0].patient_responsibility, "60".parse().unwrap());
    assert_eq!(r.not_sent.len(), 1);
    assert_eq!(r.not_sent[0].next_action, "appeal");
    assert_eq!(r.waiting[0].claim_id, "C3008");
    assert_eq!(r.held, ["C3006"]);
    assert!(r.needs_attention());
    assert!(r.x12_file.as_ref().unwrap().ends_with("secondary-000000002.x12"));
}

/// A denial is listed but does not fail the run: it is on reconcile's
/// worklist already, and an unworked denial would fail every nightly run.
#[test]
fn denials_alone_do_not_fail_the_run() {
    use claimflow::secondary::{NotSent, Report};
    let dir = primary_posted();
    let r: serde_json::Value =
        serde_json::from_slice(&secondary(dir.path(), &["--json"]).stdout).unwrap();
    assert_eq!(r["not_sent"][0]["claim_id"], "C3004");
    assert_eq!(r["not_sent"][0]["primary_status"], "denied");
    let denied = NotSent {
        claim_id: "C3004".into(),
        primary_payer_id: "DEMOPAYER1".into(),
        payer_id: "DEMOSECOND".into(),
        primary_status: "denied".into(),
        reason: "denied by the primary payer (CO-50)".into(),
        next_action: "appeal".into(),
    };
    let mut report = Report { not_sent: vec![denied], ..Report::default() };
    assert!(!report.needs_attention());
    report.held.push("C3006".into());
    assert!(report.needs_attention());
}

/// A primary that forwarded the claim itself (CLP02 19, crossover) is not
/// billed again: the claim is listed with the next action.
#[test]
fn a_claim_the_primary_forwarded_is_not_billed_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The primary's 835 with C3001 processed as primary and forwarded.
    let remit = fs::read_to_string(fixture("835/cob-primary.835"))
        .unwrap()
        .replace("CLP*C3001*1*", "CLP*C3001*19*");
    fs::write(d.join("crossover.835"), remit).unwrap();
    let mut a: Vec<String> =
        vec!["reconcile".into(), "crossover.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    claimflow(d).args(&a).output().unwrap();
    let o = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sent: Vec<&str> =
        v["sent"].as_array().unwrap().iter().map(|s| s["claim_id"].as_str().unwrap()).collect();
    assert_eq!(sent, ["C3002", "C3003", "C3005"]);
    let n = v["not_sent"].as_array().unwrap().iter().find(|n| n["claim_id"] == "C3001").unwrap();
    assert!(n["reason"].as_str().unwrap().contains("forwarded"), "{n}");
    assert_eq!(n["next_action"], "wait for the other payer's remittance");
}

/// A primary that split the claim over two claim payments (one per line):
/// the COB claim adds them up and is the same as for one payment.
#[test]
fn a_claim_the_primary_split_is_billed_once_with_both_payments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let remit = fs::read_to_string(fixture("835/cob-primary.835")).unwrap();
    let split = remit
        .replace("CLP*C3001*1*180*98*60*12*PCN3001~", "CLP*C3001*1*150*98*30*12*PCN3001~")
        .replace(
            "REF*6R*1~\nSVC*HC:36415*30*0**1~",
            "REF*6R*1~\nCLP*C3001*1*30*0*30*12*PCN3001~\nNM1*QC*1*TESTCOB*ALMA****MI*COB00001~\nSVC*HC:36415*30*0**1~",
        );
    assert_ne!(split, remit);
    // Two more segments in the set.
    let se = split.lines().find(|l| l.starts_with("SE*")).unwrap().to_string();
    let n: usize = se[3..se.find("*0001").unwrap()].parse().unwrap();
    let split = split.replace(&se, &format!("SE*{}*0001~", n + 2));
    fs::write(d.join("split.835"), split).unwrap();
    let o = run(d, &["validate", "split.835"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut a: Vec<String> =
        vec!["reconcile".into(), "split.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    let o = claimflow(d).args(&a).output().unwrap();
    assert!(o.status.code().is_some(), "{}", text(&o));
    let o = secondary(d, &[]);
    assert!(text(&o).contains("claim C3001 -> DEMOSECOND: charge 180.00, primary DEMOPAYER1 paid 98.00, patient responsibility 60.00"), "{}", text(&o));
    let got = segments(&d.join("cob/secondary-000000002.x12"));
    let want = segments(&root().join("fixtures/golden/secondary-cob.837"));
    assert_eq!(claim_segments(&got, "C3001"), claim_segments(&want, "C3001"));
}

#[test]
fn the_primary_835_is_found_from_any_working_directory() {
    // reconcile is given a relative path; secondary runs from another folder.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    fs::copy(fixture("835/cob-primary.835"), d.join("primary.835")).unwrap();
    let mut a: Vec<String> =
        vec!["reconcile".into(), "primary.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    let o = claimflow(d).args(&a).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let elsewhere = d.join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let mut a: Vec<String> = vec!["secondary".into(), "--out".into(), "cob".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-02".into(), "--dry-run".into()]);
    let o = claimflow(&elsewhere).args(&a).output().unwrap();
    let out = text(&o);
    assert!(!out.contains("COB-SOURCE"), "{out}");
    assert!(out.contains("claim C3001 -> DEMOSECOND"), "{out}");
}
