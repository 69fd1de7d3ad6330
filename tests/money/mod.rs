//! Money across payers, scenario by scenario, on hand-made 835s
//! (`fixtures/835/money/`, written by `scripts/gen-money-fixtures.py`): a
//! copay paid at the visit credited to the patient's balance, balances
//! awaiting a secondary kept out of the billable total, and a full primary
//! denial billed to the secondary with the primary's adjustments.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

mod patient_share;
mod remits;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

/// Runs `claimflow ARGS --config fixture --ledger dir/l.db --now NOW` in `dir`.
fn run(dir: &Path, args: &[&str], now: &str) -> Output {
    run_with(dir, &fixture("claimflow.toml"), args, now)
}

/// The fixture config with `extra` appended, written into `dir`.
fn config_with(dir: &Path, extra: &str) -> String {
    let mut text = fs::read_to_string(fixture("claimflow.toml")).unwrap();
    text.push_str(extra);
    let path = dir.join("claimflow.toml");
    fs::write(&path, text).unwrap();
    path.display().to_string()
}

/// Runs `claimflow ARGS --config CONFIG --ledger dir/l.db --now NOW` in `dir`.
fn run_with(dir: &Path, config: &str, args: &[&str], now: &str) -> Output {
    let db = dir.join("l.db").display().to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--config", config, "--ledger", &db, "--now", now]);
    let o = claimflow(dir).args(&all).output().unwrap();
    keep_all_837(dir);
    o
}

fn lines(p: &Path) -> Vec<String> {
    fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .lines()
        .map(str::to_string)
        .collect()
}

fn summary(p: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(p).unwrap()).unwrap()
}

/// The segments of claim `id` (CLM to the next HL or SE) in an 837.
fn claim_segments(path: &Path, id: &str) -> Vec<String> {
    let all: Vec<String> =
        fs::read_to_string(path).unwrap().split('~').map(|s| s.trim().to_string()).collect();
    let start = all.iter().position(|s| s.starts_with(&format!("CLM*{id}*"))).unwrap();
    all[start..]
        .iter()
        .take_while(|s| !s.starts_with("HL*") && !s.starts_with("SE*"))
        .cloned()
        .collect()
}

/// A full denial by the primary for a reason the secondary pays on (CO-22:
/// another payer first; PR-204: not covered by the plan) goes to the
/// secondary with AMT*D*0 and the primary's adjustments; the 837 validates.
#[test]
fn a_full_primary_denial_is_billed_to_the_secondary_with_its_adjustments() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o =
        run(d, &["reconcile", &fixture("835/money/cob-denied.835"), "--out", "r1"], "2026-04-01");
    assert!(text(&o).contains("denied 2"), "{}", text(&o));
    let o = run(d, &["secondary", "--out", "cob", "--json"], "2026-04-02");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sent: Vec<(&str, &str, &str)> = v["sent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["claim_id"].as_str().unwrap(),
                s["primary_paid"].as_str().unwrap(),
                s["patient_responsibility"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(sent, [("C3001", "0.00", "0.00"), ("C3004", "0.00", "95.00")]);
    assert_eq!(v["held"], serde_json::json!([]));
    let file = d.join(v["x12_file"].as_str().unwrap());
    let c3001 = claim_segments(&file, "C3001");
    assert!(c3001.contains(&"AMT*D*0".to_string()), "{c3001:?}");
    assert!(c3001.contains(&"CAS*CO*22*150".to_string()), "{c3001:?}");
    assert!(c3001.contains(&"CAS*CO*22*30".to_string()), "{c3001:?}");
    let c3004 = claim_segments(&file, "C3004");
    assert!(c3004.contains(&"AMT*D*0".to_string()), "{c3004:?}");
    assert!(c3004.contains(&"CAS*PR*204*95".to_string()), "{c3004:?}");
    let o = claimflow(d).args(["validate", file.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// The cells of the row of `claim_id` in a reconcile CSV, by header name.
fn row_of(path: &Path, claim_id: &str) -> Option<std::collections::HashMap<String, String>> {
    let rows = lines(path);
    let header: Vec<String> = rows[0].split(',').map(str::to_string).collect();
    rows[1..]
        .iter()
        .find(|r| r.starts_with(&format!("{claim_id},")))
        .map(|r| header.iter().cloned().zip(r.split(',').map(str::to_string)).collect())
}

/// A COB claim `secondary` cannot build (C3006: the primary answered line 2
/// under another code) is on the worklist in billing words with the next
/// action, until a run builds it.
#[test]
fn a_cob_claim_that_cannot_be_built_is_on_the_worklist() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    let o = run(d, &["secondary", "--out", "cob"], "2026-04-02");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["status", "--worklist", "--json"], "2026-04-05");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let i = v.as_array().unwrap().iter().find(|i| i["claim_id"] == "C3006").unwrap();
    assert_eq!(
        i["reason"],
        "secondary DEMOSECOND: cannot bill the secondary: the primary's remittance does not answer line 2 as billed (answered under another procedure code, or not at all), so the amounts cannot add up"
    );
    assert_eq!(
        i["next_action"],
        "ask the primary payer to correct its remittance, then run secondary again"
    );
    assert_eq!(i["age_days"], 3);
}
