//! 835 shapes and how they post: capitated zero pay, a claim split over two
//! 835s, a charge other than sent, replacements, redelivered files,
//! corrections and reversals, lines answered under another code, a payment
//! overturning a denial, a voided claim.

use super::*;

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
