//! Money across payers, scenario by scenario, on hand-made 835s
//! (`fixtures/835/money/`, written by `scripts/gen-money-fixtures.py`): a
//! copay paid at the visit credited to the patient's balance, balances
//! awaiting a secondary kept out of the billable total, and a full primary
//! denial billed to the secondary with the primary's adjustments.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

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

/// D1001's patient paid 25.00 at the visit (AMT*F5); the payer leaves a
/// 25.00 copay (PR-3): the patient owes nothing. D1003 (nothing paid at
/// the visit) still owes its coinsurance.
#[test]
fn a_copay_paid_at_the_visit_is_not_billed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/money/copay.835"), "--out", "recon"], "2026-12-15");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(text(&o).contains("paid 2,"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = lines(&d.join("rep/patient_balances.csv"));
    assert!(rows[0].ends_with(",stage,paid_at_visit"), "{rows:?}");
    assert_eq!(
        rows[1..],
        ["D1003,DEMOPAYER1,Placeholder,June,1957-01-08,2026-05-06,22.80,0.00,22.80,0.00,0.00,22.80,0.00,,final,0.00"],
        "D1001's copay was paid at the visit"
    );
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(s["patient_balance_claims"], 1);
    assert_eq!(s["patient_balance_total"], "22.80");
    // The ledger keeps what was paid at the visit with the claim as sent.
    let l = rusqlite::Connection::open(d.join("l.db")).unwrap();
    let paid: String = l
        .query_row("SELECT patient_paid FROM claim_patients WHERE claim_id = 'D1001'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(paid, "25");
    // So do the view and `status`.
    let owed: (String, String, String) = l
        .query_row(
            "SELECT amount, share, paid_at_visit FROM patient_responsibility WHERE claim_id = 'D1001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(owed, ("0.00".into(), "25.00".into(), "25.00".into()));
    let o = run(d, &["status", "D1001"], "2026-12-20");
    assert!(
        text(&o).contains("standing: DEMOPAYER1 paid 97.00; nothing to bill: patient balance 0.00 (share 25.00, paid at the visit 25.00)"),
        "{}",
        text(&o)
    );
}

/// Before the secondary answers, what the primary left to the patient is
/// listed as `awaiting_secondary` but is no statement's to bill: the
/// billable total holds only claims without a secondary (C3007).
#[test]
fn balances_awaiting_a_secondary_are_not_in_the_billable_total() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-04-10");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = lines(&d.join("rep/patient_balances.csv"));
    let stages: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.split(',').collect();
            (cells[0], cells[14])
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("C3001", "awaiting_secondary"),
            ("C3002", "awaiting_secondary"),
            ("C3003", "awaiting_secondary"),
            ("C3005", "awaiting_secondary"),
            ("C3006", "awaiting_secondary"),
            ("C3007", "final"),
        ]
    );
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(s["patient_balance_claims"], 1);
    assert_eq!(s["patient_balance_total"], "15.00");
    assert_eq!(s["patient_balance_awaiting_secondary_claims"], 5);
    assert_eq!(s["patient_balance_awaiting_secondary"], "125.00");
    assert!(
        text(&o)
            .contains("not billable yet: 5 claim(s), 125.00 wait for the secondary payer's answer"),
        "{}",
        text(&o)
    );
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

/// A capitated claim (CLP02 1, paid 0, CO-24 with 24 in
/// `contractual_carcs`) is settled under the contract: `paid`, its lines
/// `paid`, no denial row, off the worklist.
#[test]
fn a_capitated_zero_pay_claim_is_not_denied() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let config = config_with(d, "\n[reconcile]\ncontractual_carcs = [\"45\", \"253\", \"24\"]\n");
    let o = run_with(
        d,
        &config,
        &["build", &fixture("encounters/demo.csv"), "--out", "out"],
        "2026-11-27",
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run_with(
        d,
        &config,
        &["reconcile", &fixture("835/money/capitated.835"), "--out", "recon"],
        "2026-12-15",
    );
    assert!(text(&o).contains("paid 2, partial 0, denied 0"), "{}", text(&o));
    let claim = row_of(&d.join("recon/claims.csv"), "D1002").unwrap();
    assert_eq!((claim["status"].as_str(), claim["paid"].as_str()), ("paid", "0.00"));
    assert_eq!((claim["contractual"].as_str(), claim["denied"].as_str()), ("185.00", "0.00"));
    let statuses: Vec<String> = lines(&d.join("recon/lines.csv"))
        .into_iter()
        .filter(|l| l.starts_with("D1002,"))
        .map(|l| l.split(',').nth(5).unwrap().to_string())
        .collect();
    assert_eq!(statuses, ["paid", "paid"]);
    assert!(row_of(&d.join("recon/denials.csv"), "D1002").is_none());
    let o = run_with(d, &config, &["status", "--worklist"], "2026-12-16");
    assert!(!text(&o).contains("D1002"), "{}", text(&o));
}

/// The primary answers C3001 over two 835s. After the first, the COB claim
/// waits for line 2 (not held with balancing errors); after the second, it
/// carries both parts, the same claim as for one payment (golden file).
#[test]
fn a_claim_the_primary_split_over_two_835s_waits_for_every_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/money/split-1.835"), "--out", "r1"], "2026-04-01");
    assert!(o.status.code().is_some(), "{}", text(&o));
    let o = run(d, &["secondary", "--out", "cob", "--json"], "2026-04-02");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["held"], serde_json::json!([]), "{v}");
    assert_eq!(v["sent"], serde_json::json!([]), "{v}");
    let w = &v["waiting"][0];
    assert_eq!(w["claim_id"], "C3001");
    assert_eq!(
        w["reason"],
        "the primary has answered part of the claim: waits for its answer on line 2"
    );
    // The worklist says what the claim waits for: not a denial.
    let item = |now: &str| -> serde_json::Value {
        let o = run(d, &["status", "--worklist", "--json"], now);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().unwrap().iter().find(|i| i["claim_id"] == "C3001").unwrap().clone()
    };
    let i = item("2026-04-05");
    assert_eq!(
        i["reason"],
        "waiting for the payer's answer on line 2 (the rest answered in 835 trace COB-SPLIT-1)"
    );
    assert_eq!(i["next_action"], "wait for the payer's answer");
    let i = item("2026-05-15");
    assert_eq!(i["next_action"], "ask the payer for the claim's status", "{i}");
    let o = run(d, &["reconcile", &fixture("835/money/split-2.835"), "--out", "r2"], "2026-04-16");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(!text(&o).contains("RECON-CLP03"), "{}", text(&o));
    let o = run(d, &["status", "--worklist", "--json"], "2026-04-17");
    assert!(!String::from_utf8_lossy(&o.stdout).contains("C3001"));
    let o = run(d, &["secondary", "--out", "cob"], "2026-04-17");
    assert!(
        text(&o).contains("claim C3001 -> DEMOSECOND: charge 180.00, primary DEMOPAYER1 paid 98.00, patient responsibility 60.00"),
        "{}",
        text(&o)
    );
    let file = fs::read_dir(d.join("cob"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "x12"))
        .unwrap();
    let want = crate::util::root().join("fixtures/golden/secondary-cob.837");
    let mut got = claim_segments(&file, "C3001");
    let mut golden = claim_segments(&want, "C3001");
    // The adjudication date is the latest part's payment date.
    let dated = |v: &mut Vec<String>| v.retain(|s| !s.starts_with("DTP*573"));
    dated(&mut got);
    dated(&mut golden);
    assert_eq!(got, golden);
}

/// CLP03 other than CLM02 on a claim payment that answers every line is
/// still a warning (the split parts of the other tests are not).
#[test]
fn a_charge_other_than_sent_on_a_whole_claim_still_warns() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let remit = fs::read_to_string(fixture("835/money/copay.835"))
        .unwrap()
        .replace("CLP*D1003*1*142.4*", "CLP*D1003*1*150*");
    fs::write(d.join("changed.835"), remit).unwrap();
    let o = run(d, &["reconcile", "changed.835", "--out", "recon"], "2026-12-15");
    let out = text(&o);
    assert!(
        out.contains("claim D1003: warning: claim payment charge (CLP03) 150.00 is not the 142.40 sent (CLM02) [RECON-CLP03]"),
        "{out}"
    );
    assert_eq!(out.matches("[RECON-CLP03]").count(), 1, "{out}");
}

/// A claim first sent with frequency 7 is a `replacement`, as the docs say
/// of how a claim was last sent (D1004 of the demo).
#[test]
fn a_replacement_sent_first_shows_replacement() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["status", "D1004", "D1001"], "2026-11-27");
    let out = text(&o);
    assert!(out.contains("D1004 DEMOPAYER1: replacement (charge 150.00"), "{out}");
    assert!(out.contains("D1001 DEMOPAYER1: sent ("), "{out}");
}

/// A re-delivered 835 with a denial posts nothing, rewrites no report and
/// exits 0: its denial was on the worklist when it was first posted.
#[test]
fn a_redelivered_835_rewrites_nothing_and_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let args = ["reconcile", &fixture("835/money/cob-denied.835"), "--out", "r1"];
    let o = run(d, &args, "2026-04-01");
    assert_eq!(o.status.code(), Some(1), "the denials need a person\n{}", text(&o));
    let denials = fs::read(d.join("r1/denials.csv")).unwrap();
    // The same 835 again into the same folder, on another day.
    let o = run(d, &args, "2026-04-03");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("remittance trace COB-DENIED-1 was already applied: nothing posted"));
    assert!(text(&o).contains("reports: none rewritten (nothing new was posted)"), "{}", text(&o));
    assert_eq!(fs::read(d.join("r1/denials.csv")).unwrap(), denials);
    let outstanding = lines(&d.join("r1/outstanding.csv"));
    assert!(outstanding.iter().all(|l| !l.ends_with(",14")), "ages of the first run stand");
}

/// A corrected payment that comes before the reversal it goes with (one
/// 835) is the reversal's correction: no "NO corrected payment follows",
/// nothing to ask the payer for.
#[test]
fn a_correction_before_its_reversal_is_paired_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(
        d,
        &["reconcile", &fixture("835/money/correction-first.835"), "--out", "r1"],
        "2026-04-01",
    );
    let out = text(&o);
    assert!(!out.contains("NO corrected payment"), "{out}");
    assert!(
        out.contains("reversal: claim C3008 (-100.00 in trace COB-CORR-1) cancels the payment in trace COB-CORR-1; corrected payment 110.00 follows in trace COB-CORR-1"),
        "{out}"
    );
    let o = run(d, &["status", "C3008"], "2026-04-02");
    assert!(text(&o).contains("C3008 DEMOPAYER1: paid"), "{}", text(&o));
}

/// A/R at the secondary is what the primary left to the patient (and to
/// another payer), never the primary's CO or OA reductions: C3001 60.00,
/// C3002 25.00, C3003 10.00, C3005 20.00 before DEMOSECOND answers.
#[test]
fn the_secondary_owes_what_the_primary_left_to_the_patient() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    let o = run(d, &["secondary", "--out", "cob"], "2026-04-02");
    assert_eq!(o.status.code(), Some(1), "C3006 is held\n{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-04-10");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let aging = lines(&d.join("rep/aging.csv"));
    assert!(aging.contains(&"DEMOSECOND,total,4,115.00".to_string()), "{aging:?}");
}

/// A claim rejected at the front end is owed by no payer, but it ages
/// toward timely filing: its own A/R line, apart from the total.
#[test]
fn rejected_claims_are_a_separate_ar_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let acks = [fixture("ack/demo.999"), fixture("ack/demo.277")];
    let o = run(d, &["ack", &acks[0], &acks[1], "--out", "acks"], "2026-11-28");
    assert_eq!(o.status.code(), Some(1), "D1002 is rejected\n{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let aging = lines(&d.join("rep/aging.csv"));
    assert!(
        aging.contains(&"DEMOPAYER1,\"rejected, not yet resent\",1,185.00".to_string()),
        "{aging:?}"
    );
    assert_eq!(aging.last().unwrap(), "ALL,\"rejected, not yet resent\",1,185.00");
    assert!(aging.contains(&"ALL,total,6,2145.90".to_string()), "{aging:?}");
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(
        (s["ar_rejected_claims"].as_u64(), s["ar_rejected"].as_str()),
        (Some(1), Some("185.00"))
    );
    assert_eq!(s["ar_total"], "2145.90");
    assert!(text(&o).contains("rejected, not yet resent: 1 claim(s), 185.00"), "{}", text(&o));
}

/// Medicare pays D1005 and forwards it to the supplemental plan (CLP02 19,
/// NM1*TT, MA18): the coinsurance waits for the crossover payer. That
/// payer's own 835 (CLP02 2, OA-23), for a claim never sent to it, is posted
/// under its id as the claim's secondary answer: the balance is paid, the
/// money and the deposit are the crossover payer's, the charge counts once.
#[test]
fn a_medicare_crossover_waits_for_and_credits_the_crossover_payer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let medicare = fixture("835/money/crossover-medicare.835");
    let o = run(d, &["reconcile", &medicare, "--out", "r1"], "2026-12-15");
    assert!(text(&o).contains("processed and forwarded to another payer: 1"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep1"], "2026-12-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        lines(&d.join("rep1/patient_balances.csv"))[1..],
        ["D1005,DEMOMCARE,Mockwell,Edna,1952-03-15,2026-06-09,34.00,0.00,34.00,0.00,0.00,34.00,0.00,,awaiting_secondary,0.00"]
    );
    assert_eq!(summary(&d.join("rep1/summary.json"))["patient_balance_total"], "0.00");
    // status says the same: the balance waits for the crossover payer.
    let o = run(d, &["status", "D1005"], "2026-12-20");
    assert!(
        text(&o).contains("  standing: DEMOMCARE paid 136.00; awaiting the crossover payer: patient balance 34.00 (share 34.00, paid at the visit 0.00), not billable until it answers"),
        "{}",
        text(&o)
    );

    let secondary = fixture("835/money/crossover-secondary.835");
    let o = run(d, &["reconcile", &secondary, "--out", "r2"], "2026-12-28");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let row = row_of(&d.join("r2/claims.csv"), "D1005").unwrap();
    assert_eq!(
        (row["payer_id"].as_str(), row["status"].as_str(), row["paid"].as_str()),
        ("DEMOSECOND", "paid", "34.00")
    );
    let l = rusqlite::Connection::open(d.join("l.db")).unwrap();
    let posted: Vec<String> = l
        .prepare("SELECT payer_id || ' ' || clp02 || ' ' || paid FROM claim_payments WHERE claim_id = 'D1005' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(posted, ["DEMOMCARE 19 136", "DEMOSECOND 2 34"]);
    // Medicare's claim keeps its own answer.
    let status: String = l
        .query_row("SELECT status FROM claims WHERE claim_id = 'D1005'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "paid");
    let o = run(d, &["report", "--out", "rep2"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(lines(&d.join("rep2/patient_balances.csv")).len(), 1, "nothing owed");
    let o = run(d, &["status", "D1005", "--json"], "2026-12-31");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let st = &v[0]["standing"];
    assert_eq!(
        (&st["awaiting"], &st["stage"], &st["secondary_payer_id"], &st["secondary_paid"]),
        (&"none".into(), &"after_secondary".into(), &"DEMOSECOND".into(), &"34.00".into()),
        "{v}"
    );
    assert_eq!(st["patient_balance"], "0.00");
    let payments = lines(&d.join("rep2/payments.csv"));
    assert!(
        payments.contains(
            &"DEMOSECOND,2026-12,0.00,34.00,34.00,0.00,0.00,,,1,0.00,0.00,34.00,0".to_string()
        ),
        "the charge is billed once, the money and the deposit are DEMOSECOND's: {payments:?}"
    );
    let s = summary(&d.join("rep2/summary.json"));
    assert_eq!(s["collection_rate"], "1.0000");
    assert_eq!(s["tie_out"]["ok"], true);
}

/// A line the payer answered under another procedure code is reported:
/// with SVC06 naming the code billed, or matched by charge and date alone
/// (C3006: 81003 billed, 99499 answered).
#[test]
fn a_line_answered_under_another_code_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    let out = text(&o);
    assert!(out.contains("claim C3006: warning: line 2 billed as procedure 81003 was answered under procedure 99499 (matched by the line's charge and date): check the payer's coding before billing the patient or a secondary [RECON-RECODED]"), "{out}");
    assert_eq!(out.matches("[RECON-RECODED]").count(), 1, "{out}");
    let o = claimflow(d)
        .args([
            "reconcile",
            &fixture("835/recoded.835"),
            "--claims",
            &fixture("835/recoded.837"),
            "--out",
            "r2",
        ])
        .output()
        .unwrap();
    let out = text(&o);
    assert!(out.contains("claim R5001: warning: line R5001-1 billed as procedure 99213 was answered under procedure 99212 (SVC06 names the code billed)"), "{out}");
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

/// A denial (CO-16) overturned by a later payment without a reversal: the
/// newest answer replaces it. The claim is paid, the denial is no longer
/// denied money, and the charge counts once in payments.csv.
#[test]
fn a_later_payment_replaces_the_denial_it_overturns() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o =
        run(d, &["reconcile", &fixture("835/money/overturned-1.835"), "--out", "r1"], "2026-04-01");
    assert!(text(&o).contains("denied 1"), "{}", text(&o));
    let o =
        run(d, &["reconcile", &fixture("835/money/overturned-2.835"), "--out", "r2"], "2026-04-21");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["status", "C3007"], "2026-04-22");
    assert!(text(&o).contains("C3007 DEMOPAYER1: paid"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-04-30");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        lines(&d.join("rep/payments.csv"))[1],
        "DEMOPAYER1,2026-04,75.00,75.00,60.00,0.00,15.00,31,31,2,0.00,0.00,60.00,1"
    );
    assert_eq!(lines(&d.join("rep/denials.csv")).len(), 1, "no denied money left");
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!((s["denied_amount"].as_str(), s["claims_denied"].as_u64()), (Some("0.00"), Some(0)));
    assert_eq!(s["tie_out"]["ok"], true);
}

/// A voided claim (frequency 8) whose payment the payer takes back: the
/// reversal is what the void asked for, so the worklist does not ask the
/// payer for a corrected payment (C3008: paid, voided, reversed).
#[test]
fn a_voided_claim_whose_payment_is_reversed_is_not_on_the_worklist() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o =
        run(d, &["reconcile", &fixture("835/money/void-paid.835"), "--out", "r1"], "2026-04-01");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The void of C3008: its row again, frequency 8, naming the payer's
    // claim number.
    let export = fs::read_to_string(fixture("encounters/cob.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(export.as_bytes());
    let header = rows.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut w = csv::Writer::from_path(d.join("void.csv")).unwrap();
    w.write_record(&header).unwrap();
    for r in rows.records().map(Result::unwrap).filter(|r| &r[0] == "C3008") {
        let mut cells: Vec<String> = r.iter().map(str::to_string).collect();
        cells[at("frequency")] = "8".into();
        cells[at("original_ref")] = "PCN3008".into();
        w.write_record(&cells).unwrap();
    }
    w.flush().unwrap();
    let void = d.join("void.csv").display().to_string();
    let o = run(d, &["build", &void, "--out", "out2"], "2026-04-05");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let args = ["reconcile", &fixture("835/money/void-reversal.835"), "--out", "r2"];
    let o = run(d, &args, "2026-04-21");
    assert!(text(&o).contains("C3008"), "{}", text(&o));
    let o = run(d, &["status", "C3008"], "2026-04-22");
    assert!(text(&o).contains("C3008 DEMOPAYER1: reversed"), "{}", text(&o));
    // Long after every wait has passed: nothing to ask the payer about C3008.
    let o = run(d, &["status", "--worklist"], "2026-09-01");
    let out = text(&o);
    assert!(!out.contains("C3008"), "a void expects no corrected payment:\n{out}");
    assert!(!out.contains("corrected payment"), "{out}");
}

/// The report takes A/R and outcomes from the claim's standing: after
/// Medicare's crossover (CLP02 19) and before the crossover payer answers,
/// D1005 is waiting for that payer, not paid; its coinsurance is on the
/// `awaiting secondary payer` line of `aging.csv`, apart from the A/R.
/// Once the crossover payer has paid, the claim is paid and the line goes.
#[test]
fn the_report_counts_a_crossover_as_awaiting_the_crossover_payer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let medicare = fixture("835/money/crossover-medicare.835");
    let o = run(d, &["reconcile", &medicare, "--out", "r1"], "2026-12-15");
    assert!(text(&o).contains("processed and forwarded to another payer: 1"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep1"], "2026-12-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&d.join("rep1/summary.json"));
    let outcome = &s["claims_by_outcome"];
    assert_eq!(
        (&outcome["paid"], &outcome["waiting_for_secondary"], &outcome["outstanding"]),
        (&0.into(), &1.into(), &6.into()),
        "{s}"
    );
    assert_eq!(
        (&s["ar_awaiting_secondary_claims"], &s["ar_awaiting_secondary"]),
        (&1.into(), &"34.00".into()),
        "{s}"
    );
    let aging = lines(&d.join("rep1/aging.csv"));
    assert!(aging.contains(&"DEMOMCARE,awaiting secondary payer,1,34.00".to_string()), "{aging:?}");
    assert!(aging.contains(&"ALL,awaiting secondary payer,1,34.00".to_string()), "{aging:?}");
    assert!(text(&o).contains("awaiting a secondary payer: 1 claim(s), 34.00"), "{}", text(&o));
    // The A/R proper (money expected from the payers billed) is unchanged.
    assert_eq!(s["ar_total"], "2110.90");

    let secondary = fixture("835/money/crossover-secondary.835");
    let o = run(d, &["reconcile", &secondary, "--out", "r2"], "2026-12-28");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep2"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&d.join("rep2/summary.json"));
    let outcome = &s["claims_by_outcome"];
    assert_eq!(
        (&outcome["paid"], &outcome["waiting_for_secondary"]),
        (&1.into(), &0.into()),
        "{s}"
    );
    assert_eq!(s["ar_awaiting_secondary_claims"], 0);
    let aging = lines(&d.join("rep2/aging.csv"));
    assert!(!aging.iter().any(|l| l.contains("awaiting secondary payer")), "{aging:?}");
}
