//! Reports against golden files, match rules and statuses, exit codes,
//! unreadable and unbalanced files, the JSON summary, and `parse` of an 835.

use super::*;

#[test]
fn reconciles_the_synthetic_remittances_against_837_claims() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out"]);
    // Denials, a partial payment and an unmatched claim need a person.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(s.contains("reconciled 13 claim payment(s) in 3 payment(s) from 2 file(s)"), "{s}");
    assert!(
        s.contains("paid 8, partial 1, denied 1, patient_responsibility 1, reversed 1, unmatched 1, forwarded 0, outstanding 0"),
        "{s}"
    );
    assert!(s.contains("  processed and forwarded to another payer: 1\n"), "{s}");
    assert!(
        s.contains(
            "tie-out: paid 772.00 + provider adjustments -37.50 = 734.50; BPR02 total 734.50: OK"
        ),
        "{s}"
    );
    assert!(
        s.contains("reversal: claim C1006 (-90.00 in trace T200) cancels the payment in trace T100; corrected payment 95.00 follows in trace T200"),
        "{s}"
    );
    let out = dir.path().join("out");
    for name in ["claims.csv", "lines.csv", "denials.csv", "provider_adjustments.csv"] {
        golden(&out, name);
    }
    assert_eq!(
        read(out.join("outstanding.csv")),
        "claim_id,payer_id,billed,outstanding_amount,sent_date,age_days\n"
    );
}

#[test]
fn match_rules_and_statuses_are_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out"]);
    let csv = read(dir.path().join("out/claims.csv"));
    let row = |id: &str, nth: usize| -> Vec<String> {
        csv.lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .nth(nth)
            .unwrap_or_else(|| panic!("{id} row {nth} missing"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    // status (col 3) and match_rule (col 4)
    assert_eq!(row("C1001", 0)[3..5], ["paid", "claim_id"]);
    assert_eq!(row("C1002", 0)[3..5], ["partial", "claim_id"]);
    assert_eq!(row("C1003", 0)[3..5], ["denied", "claim_id"]);
    assert_eq!(row("C1004", 0)[3..5], ["patient_responsibility", "claim_id"]);
    assert_eq!(row("C1005-LONG-CLAIM-ID", 0)[3..5], ["paid", "claim_id_prefix"]);
    assert_eq!(row("C1006", 1)[3..5], ["reversed", "claim_id"]);
    assert_eq!(row("C1009", 0)[3..5], ["paid+forwarded", "claim_id"]);
    assert_eq!(row("C1010", 0)[3..5], ["paid", "payer_claim_id"]);
    assert_eq!(row("ZZ-NOT-OURS-1", 0)[3..5], ["unmatched", "none"]);
    let lines = read(dir.path().join("out/lines.csv"));
    assert!(
        lines.contains("C1007,C1007-1,99214,DEMOPAYER1,PCN-1007,paid,original_procedure,"),
        "{lines}"
    );
    assert!(
        lines.contains("C1008,C1008-1,97110,DEMOPAYER1,PCN-1008,paid,procedure_date,"),
        "{lines}"
    );
    assert!(
        lines.contains("C1005-LONG-CLAIM-ID,C1005-1,99212,DEMOPAYER1,PCN-1005,paid,procedure,"),
        "{lines}"
    );
}

#[test]
fn everything_paid_exits_0_and_reports_are_private_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("835/paid-only.835");
    let claims = fixture("835/claims.837");
    let a = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "a"]);
    assert_eq!(a.status.code(), Some(0), "{}", stdout(&a));
    let b = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "b"]);
    assert_eq!(b.status.code(), Some(0));
    for name in
        ["claims.csv", "lines.csv", "denials.csv", "provider_adjustments.csv", "outstanding.csv"]
    {
        assert_eq!(read(dir.path().join("a").join(name)), read(dir.path().join("b").join(name)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join("a").join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left behind");
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_still_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("835/paid-only.835");
    let bad = fixture("x12/bad/not_x12.835");
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &bad, &good, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(
        s.contains(&format!("{bad}: unreadable: no 835 transaction set could be read"))
            && s.contains("[FILE-UNREADABLE]"),
        "{s}"
    );
    assert!(s.contains("reconciled 1 claim payment(s)"), "{s}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("not_x12.835"));
    assert!(read(dir.path().join("out/claims.csv")).contains("C1001,DEMOPAYER1,PCN-1001,paid"));
}

#[test]
fn could_not_run_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("x12/bad/not_x12.835");
    let claims = fixture("835/claims.837");
    // Only broken files.
    let o = run(dir.path(), &["reconcile", &bad, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    // No ledger and no --claims.
    let good = fixture("835/paid-only.835");
    let o = run(dir.path(), &["reconcile", &good, "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    // Bad --now.
    let o = run(
        dir.path(),
        &["reconcile", &good, "--claims", &claims, "--out", "o", "--now", "yesterday"],
    );
    assert_eq!(o.status.code(), Some(2));
    // Missing --out.
    let o = run(dir.path(), &["reconcile", &good, "--claims", &claims]);
    assert_eq!(o.status.code(), Some(2));
    // --claims and --ledger together.
    let o = run(
        dir.path(),
        &["reconcile", &good, "--out", "o", "--ledger", "x.db", "--claims", &claims],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unbalanced_remittance_is_flagged_by_validate_and_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("835/unbalanced.835");
    let o = run(dir.path(), &["validate", &f]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    for code in ["835-BAL-SVC", "835-BAL-CLP", "835-BAL-BPR", "835-CLP05"] {
        assert!(s.contains(&format!("[{code}]")), "{code} missing:\n{s}");
    }
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("BPR02 total 100.00: MISMATCH"), "{s}");
    assert!(s.contains("[835-BAL-CLP]"), "{s}");
    // variance = billed − paid − adjustments = 100 − 60 − 30
    assert!(read(dir.path().join("out/claims.csv"))
        .contains(",100.00,70.00,60.00,10.00,20.00,0.00,0.00,10.00,"));
}

#[test]
fn json_summary_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    let o =
        run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["claim_payments"], 13);
    assert_eq!(v["counts"]["denied"], 1);
    assert_eq!(v["tie_out"]["ok"], true);
    assert_eq!(v["tie_out"]["bpr02_total"], "734.50");
    assert_eq!(v["reversals"][0]["reverses_trace"], "T100");
    assert_eq!(v["denial_rows"], 2);
}

#[test]
fn parse_prints_the_typed_835_model() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["parse", "--remittances", &fixture("835/remit-2.835")]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["trace"]["trn02_number"], "T200");
    assert_eq!(v[0]["claims"][0]["clp02_status"], "22");
    assert_eq!(v[0]["claims"][2]["lines"][0]["svc06_original"]["code"], "99215");
    assert_eq!(v[1]["provider_adjustments"][0]["items"][0]["reason"], "FB");
    let o = run(dir.path(), &["parse", "--remittances", &fixture("x12/bad/not_x12.835")]);
    assert_eq!(o.status.code(), Some(1));
}
