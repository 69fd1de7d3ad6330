//! `claimflow check`: exit codes, findings on the demo export, layouts,
//! JSON output, and that nothing is written.

use std::fs;

use crate::util::{claimflow, fixture};

fn run_check(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = claimflow(dir).arg("check").args(args).output().expect("run claimflow");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn demo_args<'a>(input: &'a str, config: &'a str) -> Vec<&'a str> {
    vec![input, "--config", config, "--now", "2026-11-27"]
}

#[test]
fn clean_export_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let (input, config) = (fixture("encounters/clean.csv"), fixture("claimflow.toml"));
    let (code, stdout, stderr) = run_check(dir.path(), &demo_args(&input, &config));
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("6 claims: 6 clean, 0 held back"), "{stdout}");
    // Without NCCI files, the one thing on stderr is that they were not checked.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.starts_with("claimflow: note: NCCI/MUE edits were not checked"), "{stderr}");
}

#[test]
fn demo_export_reports_each_fault_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (input, config) = (fixture("encounters/demo.csv"), fixture("claimflow.toml"));
    let (code, stdout, _) = run_check(dir.path(), &demo_args(&input, &config));
    assert_eq!(code, 1, "{stdout}");
    // (row, column, claim, rule) for each planted fault.
    let expected = [
        ("13", "billing_npi", "F2001", "E-NPI-001"),
        ("14", "payer_id", "F2002", "E-CFG-002"),
        ("14", "member_id", "F2002", "E-MEM-001"),
        ("15", "dx1", "F2003", "E-ICD-003"),
        ("15", "dx2", "F2003", "E-ICD-002"),
        ("15", "dx_pointers", "F2003", "E-PTR-001"),
        ("16", "procedure", "F2004", "E-CPT-001"),
        ("16", "modifier1", "F2004", "E-MOD-001"),
        ("16", "charge", "F2004", "E-CHG-001"),
        ("16", "units", "F2004", "E-UNT-001"),
        ("17", "subscriber_last", "F2005", "X12_DELIMITER_IN_DATA"),
        ("17", "subscriber_state", "F2005", "E-STATE-001"),
        ("17", "subscriber_sex", "F2005", "E-SEX-001"),
        ("18", "patient_dob", "F2006", "E-PAT-001"),
        ("19", "service_date", "F2007", "E-DOS-001"),
        ("20", "service_date", "F2008", "E-TF-001"),
        ("21", "place_of_service", "F2009", "E-POS-001"),
        ("21", "original_ref", "F2009", "E-FREQ-001"),
        ("22", "prior_auth", "F2010", "E-PA-001"),
        ("23", "procedure", "F2010", "E-DUP-001"),
        ("25", "place_of_service", "F2011", "E-ROW-001"),
        ("26", "ndc", "F2012", "E-NDC-001"),
        ("26", "ndc_quantity", "F2012", "E-NDC-002"),
        ("26", "ndc_unit", "F2012", "E-NDC-003"),
        ("26", "service_date", "F2012", "E-DOS-002"),
        ("27", "claim_id", "", "E-CID-002"),
        ("28", "service_date", "F2013", "E-DATE-001"),
        ("29", "charge", "F2013", "E-CHG-002"),
        ("30", "rendering_npi", "F2014", "E-NPI-002"),
        ("30", "referring_npi", "F2014", "E-NPI-003"),
        ("31", "claim_id", "F2015-TOO-LONG-CLAIMID", "E-CID-001"),
        ("31", "claim_total", "F2015-TOO-LONG-CLAIMID", "E-TOT-001"),
    ];
    for (row, col, claim, rule) in expected {
        let hit = stdout.lines().any(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.first().is_some_and(|loc| loc.ends_with(&format!("demo.csv:{row}")))
                && w.contains(&col)
                && (claim.is_empty() || w.contains(&claim))
                && w.contains(&rule)
        });
        assert!(hit, "missing {rule} {claim} row {row} {col} in\n{stdout}");
    }
    // The warning-only claim goes; no clean claim has an error. The claims
    // no loaded ICD-10-CM release covers (W3001, F2007) get one warning for
    // the run, with their count and dates, not one per claim.
    assert_eq!(stdout.matches("W-ICD-001").count(), 1, "{stdout}");
    assert!(
        stdout.contains("2 claim(s) have dates of service from 2026-10-05 to 2026-12-01, which no loaded ICD-10-CM release covers"),
        "{stdout}"
    );
    for clean in ["D1001", "D1002", "D1003", "D1004", "D1005", "D1006"] {
        assert!(!stdout.contains(clean), "{clean} should be clean:\n{stdout}");
    }
    assert!(
        stdout.contains("22 claims: 7 clean, 15 held back; 1 rows without claim_id"),
        "{stdout}"
    );
    // No PHI in the output messages.
    for phi in ["Testperson", "1961-04-12", "DEMO00011", "12 Sample Rd"] {
        assert!(!stdout.contains(phi), "{phi} leaked:\n{stdout}");
    }
}

#[test]
fn json_output_lists_findings() {
    let dir = tempfile::tempdir().unwrap();
    let (input, config) = (fixture("encounters/demo.csv"), fixture("claimflow.toml"));
    let mut args = demo_args(&input, &config);
    args.push("--json");
    let (code, stdout, _) = run_check(dir.path(), &args);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).expect("JSON on stdout");
    assert_eq!(v["claims"], 22);
    assert_eq!(v["clean"], 7);
    assert_eq!(v["held"], 15);
    assert_eq!(v["unclaimed_rows"], serde_json::json!([27]));
    let f = v["findings"].as_array().unwrap();
    let npi = f.iter().find(|f| f["rule"] == "E-NPI-001").unwrap();
    assert_eq!(npi["claim_id"], "F2001");
    assert_eq!(npi["row"], 13);
    assert_eq!(npi["column"], "billing_npi");
    assert_eq!(npi["severity"], "error");
    assert!(npi["file"].as_str().unwrap().ends_with("demo.csv"));
}

#[test]
fn layout_export_is_read_and_columns_named_as_in_the_export() {
    let dir = tempfile::tempdir().unwrap();
    let (input, config, layout) = (
        fixture("layouts/acme-export.csv"),
        fixture("claimflow.toml"),
        fixture("layouts/acme-pm.toml"),
    );
    let mut args = demo_args(&input, &config);
    args.extend(["--layout", &layout]);
    let (code, stdout, stderr) = run_check(dir.path(), &args);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.contains("5 claims: 4 clean, 1 held back"), "{stdout}");
    assert!(stdout.contains("columns not read (ignored): Clinic, Entered By"), "{stdout}");
    assert!(
        stdout.lines().any(|l| l.contains("acme-export.csv:7")
            && l.contains("Policy No")
            && l.contains("E-MEM-001")),
        "{stdout}"
    );
}

#[test]
fn could_not_run_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("claimflow.toml");
    let bad = dir.path().join("bad.csv");
    fs::write(&bad, "claim_id,billing_npi\nC1,1234567893\n").unwrap();
    let bad = bad.display().to_string();
    let (code, stdout, stderr) = run_check(dir.path(), &demo_args(&bad, &config));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("bad.csv") && stderr.contains("missing required column(s)"),
        "{stderr}"
    );
    // Not CSV.
    let x12 = dir.path().join("claims.x12");
    fs::write(&x12, "ISA*00*          *00*~GS*HC~").unwrap();
    let x12 = x12.display().to_string();
    let (code, _, stderr) = run_check(dir.path(), &demo_args(&x12, &config));
    assert_eq!(code, 2);
    assert!(stderr.contains("claims.x12") && stderr.contains("not a CSV"), "{stderr}");
    // Missing input, missing config, bad --now, bad layout.
    let input = fixture("encounters/clean.csv");
    let (code, _, stderr) = run_check(dir.path(), &demo_args("nope.csv", &config));
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("nope.csv"));
    let (code, _, stderr) = run_check(dir.path(), &[&input, "--now", "2026-11-27"]);
    assert_eq!(code, 2, "default ./claimflow.toml is absent: {stderr}");
    assert!(stderr.contains("claimflow.toml"), "{stderr}");
    let (code, _, stderr) =
        run_check(dir.path(), &[&input, "--config", &config, "--now", "27/11/2026"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--now"), "{stderr}");
    let (code, _, stderr) =
        run_check(dir.path(), &[&input, "--config", &config, "--layout", &config]);
    assert_eq!(code, 2);
    assert!(stderr.contains("layout") || stderr.contains("unknown field"), "{stderr}");
    // check writes nothing.
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
}

#[test]
fn now_accepts_three_forms_and_moves_date_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (input, config) = (fixture("encounters/clean.csv"), fixture("claimflow.toml"));
    for now in ["2026-11-27", "2026-11-27T08:30", "2026-11-27T08:30:15"] {
        let (code, out, err) = run_check(dir.path(), &[&input, "--config", &config, "--now", now]);
        assert_eq!(code, 0, "{now}: {out}{err}");
    }
    // A clock before the services puts them in the future.
    let (code, out, _) =
        run_check(dir.path(), &[&input, "--config", &config, "--now", "2026-01-01"]);
    assert_eq!(code, 1);
    assert!(out.contains("E-DOS-001"), "{out}");
}

#[test]
fn default_config_is_read_from_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let input = fixture("encounters/clean.csv");
    let (code, out, err) = run_check(dir.path(), &[&input, "--now", "2026-11-27"]);
    assert_eq!(code, 0, "{out}{err}");
}

#[test]
fn codeset_dir_adds_a_newer_icd10cm_release() {
    let dir = tempfile::tempdir().unwrap();
    let demo = fs::read_to_string(fixture("encounters/demo.csv")).unwrap();
    let only: String = demo
        .lines()
        .filter(|l| l.starts_with("claim_id,") || l.starts_with("W3001,"))
        .map(|l| format!("{l}\n"))
        .collect();
    let input = dir.path().join("w.csv");
    fs::write(&input, only).unwrap();
    let input = input.display().to_string();
    let config = fixture("claimflow.toml");
    let (code, out, _) = run_check(dir.path(), &demo_args(&input, &config));
    assert_eq!(code, 0, "a warning alone does not hold the claim: {out}");
    assert!(out.contains("W-ICD-001") && out.contains("2026-10-05"), "{out}");
    let sets = dir.path().join("codesets");
    fs::create_dir(&sets).unwrap();
    fs::write(sets.join("icd10cm-FY2027.txt"), "J06\nJ060\nJ069\n").unwrap();
    let sets = sets.display().to_string();
    let mut args = demo_args(&input, &config);
    args.extend(["--codeset-dir", &sets]);
    let (code, out, err) = run_check(dir.path(), &args);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("W-ICD-001"), "{out}");
    // The imported release is really consulted: J069 removed -> not valid.
    fs::write(dir.path().join("codesets/icd10cm-FY2027.txt"), "J06\nJ060\n").unwrap();
    let (code, out, _) = run_check(dir.path(), &args);
    assert_eq!(code, 1);
    assert!(out.contains("E-ICD-002"), "{out}");
    // A badly named release file: could not run.
    fs::write(dir.path().join("codesets/icd10cm-latest.txt"), "J069\n").unwrap();
    let (code, _, err) = run_check(dir.path(), &args);
    assert_eq!(code, 2);
    assert!(err.contains("icd10cm-latest.txt"), "{err}");
}

#[test]
fn list_rules_prints_the_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, _) = run_check(dir.path(), &["--list-rules"]);
    assert_eq!(code, 0);
    assert!(out.lines().any(|l| l.starts_with("E-NPI-001") && l.contains("error")), "{out}");
    assert!(out.contains("X12_DELIMITER_IN_DATA") && out.contains("W-ICD-001"), "{out}");
    let (code, out, _) = run_check(dir.path(), &["--list-rules", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == "E-TF-001" && r["severity"] == "error"));
    // Without --list-rules the input is required: could not run.
    let (code, _, err) = run_check(dir.path(), &[]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn reads_standard_input() {
    use std::io::Write;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("claimflow.toml");
    let mut child = claimflow(dir.path())
        .args(["check", "-", "--config", &config, "--now", "2026-11-27"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let demo = fs::read(fixture("encounters/demo.csv")).unwrap();
    child.stdin.take().unwrap().write_all(&demo).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("-:13") && stdout.contains("E-NPI-001"), "{stdout}");
}

#[test]
fn explain_prints_what_and_fix_for_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, _) = run_check(dir.path(), &["--list-rules", "--json"]);
    assert_eq!(code, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    assert!(rules.len() > 90);
    for r in &rules {
        let id = r["id"].as_str().unwrap();
        let (code, stdout, stderr) = run_check(dir.path(), &["--explain", id]);
        assert_eq!(code, 0, "{id}: {stderr}");
        assert!(stdout.starts_with(&format!("{id} (")), "{stdout}");
        assert!(stdout.contains(&format!("checks: {}", r["what"].as_str().unwrap())), "{stdout}");
        assert!(stdout.lines().any(|l| l.starts_with("fix:") && l.len() > 30), "{stdout}");
    }
    let (code, stdout, _) = run_check(dir.path(), &["--explain", "w-mue-002", "--json"]);
    assert_eq!(code, 0);
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        (doc["id"].as_str(), doc["severity"].as_str()),
        (Some("W-MUE-002"), Some("warning"))
    );
    assert!(doc["fix"].as_str().unwrap().contains("appeal"));
    // An unknown id: exit 2 with the closest ids.
    let (code, stdout, stderr) = run_check(dir.path(), &["--explain", "E-NPI-01"]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("unknown rule \"E-NPI-01\"; the closest: E-NPI-001"), "{stderr}");
}
