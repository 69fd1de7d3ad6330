//! NCCI PTP, MUE and add-on rules from code-set files in CMS layouts
//! (synthetic files, made-up codes of CPT shape), through `check` and
//! `build`: each rule and indicator, deleted and not yet effective edits,
//! indicator 9, edits across two claims of one patient and day, a claim sent
//! earlier (the ledger), the payer's `ncci` level, and what a run says about
//! the files it used.

use std::fs;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

use crate::util::{claimflow, fixture};

const PTP: &str = "CPT only copyright notice (made up)\n\nColumn 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale
04001\t04002\t\t20200101\t*\t1\tMisuse of column two code with column one code
04001\t04003\t\t20200101\t20250101\t0\tMutually exclusive procedures
04001\t04007\t\t20200101\t*\t0\tMutually exclusive procedures
04001\t04008\t\t20270101\t*\t0\t
05001\t05002\t\t20200101\t*\t9\t
";
const MUE: &str =
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale
04005,1,1 Line Edit,Anatomic Consideration
04006,4,2 Date of Service Edit: Policy,Code Descriptor
J0001,10,3 Date of Service Edit: Clinical,Clinical
";
const ADDON: &str = "Add-on Code\tPrimary Code\tAdd-on Code Edit Type\tAdd-on Code Effective Date\tAdd-on Code Deletion Date
04010\t04001\t1\t20200101\t*
04011\tCCCCC\t2\t20200101\t*
04012\t04001\t3\t20200101\t*
";

pub(crate) const HEADER: &str = "claim_id,billing_npi,payer_id,member_id,subscriber_last,subscriber_first,subscriber_dob,subscriber_sex,subscriber_address1,subscriber_city,subscriber_state,subscriber_zip,relationship,place_of_service,rendering_npi,rendering_last,rendering_first,dx1,service_date,procedure,modifier1,units,charge,dx_pointers";

/// One service line: claim, payer, patient (first name), date, code, modifier, units.
pub(crate) fn row(
    claim: &str,
    payer: &str,
    first: &str,
    date: &str,
    code: &str,
    m: &str,
    units: u32,
) -> String {
    format!("{claim},1234567893,{payer},MEM{first},Roe,{first},1980-02-03,F,1 Elm St,Springfield,IL,62701,self,11,1245319599,Smith,Pat,J45.909,{date},{code},{m},{units},100.00,1")
}

/// A temp dir with the code files in `codes/`, a config whose commercial
/// payer DEMOPAYER1 has `ncci = level` (none: the default) and which adds a
/// Medicaid payer DEMOMCAID.
pub(crate) fn setup(level: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let codes = dir.path().join("codes");
    fs::create_dir(&codes).unwrap();
    fs::write(codes.join("ptp-practitioner-part1.txt"), PTP).unwrap();
    fs::write(codes.join("mue-practitioner.csv"), MUE).unwrap();
    fs::write(codes.join("addon.txt"), ADDON).unwrap();
    let mut config = fs::read_to_string(fixture("claimflow.toml")).unwrap();
    if let Some(level) = level {
        config = config.replace(
            "id   = \"DEMOPAYER1\"",
            &format!("id   = \"DEMOPAYER1\"\nncci = \"{level}\""),
        );
    }
    config.push_str(
        "\n[[payer]]\nid = \"DEMOMCAID\"\nname = \"Demo Medicaid\"\nfiling_indicator = \"MC\"\n",
    );
    fs::write(dir.path().join("claimflow.toml"), config).unwrap();
    dir
}

fn write_export(dir: &Path, rows: &[String]) -> String {
    let path = dir.join("enc.csv");
    fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path.display().to_string()
}

fn check(dir: &Path, rows: &[String]) -> (Output, Vec<Value>) {
    let input = write_export(dir, rows);
    let o = claimflow(dir)
        .args(["--json", "check", &input, "--codeset-dir", "codes", "--now", "2026-11-27"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)));
    let findings = doc["findings"].as_array().cloned().unwrap_or_default();
    (o, findings)
}

/// The findings of `rule` as (claim, row, severity, message).
fn of(findings: &[Value], rule: &str) -> Vec<(String, u64, String, String)> {
    findings
        .iter()
        .filter(|f| f["rule"] == rule)
        .map(|f| {
            assert_eq!(f["column"], "procedure", "{f}");
            (
                f["claim_id"].as_str().unwrap().to_string(),
                f["row"].as_u64().unwrap(),
                f["severity"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const DAY: &str = "2026-03-02";

#[test]
fn ptp_indicators_dates_and_modifiers() {
    let dir = setup(Some("error"));
    let p = "DEMOPAYER1";
    let rows = [
        // A: indicator 1 without a modifier: 04002 is flagged (row 3).
        row("A", p, "Ann", DAY, "04001", "", 1),
        row("A", p, "Ann", DAY, "04002", "", 1),
        // B: indicator 1, modifier 59 on the column-two line: bypassed.
        row("B", p, "Bea", DAY, "04001", "", 1),
        row("B", p, "Bea", DAY, "04002", "59", 1),
        // C: indicator 0: a modifier does not bypass it (row 7).
        row("C", p, "Cy", DAY, "04001", "", 1),
        row("C", p, "Cy", DAY, "04007", "XS", 1),
        // D: an edit deleted before the date, one not yet effective,
        // indicator 9: none applies.
        row("D", p, "Di", DAY, "04001", "", 1),
        row("D", p, "Di", DAY, "04003", "", 1),
        row("D", p, "Di", DAY, "04008", "", 1),
        row("D", p, "Di", DAY, "05001", "", 1),
        row("D", p, "Di", DAY, "05002", "", 1),
        // E: indicator 1, modifier LT on the column-one line: bypassed.
        row("E", p, "Ed", DAY, "04001", "LT", 1),
        row("E", p, "Ed", DAY, "04002", "", 1),
    ];
    let (o, findings) = check(dir.path(), &rows);
    assert_eq!(o.status.code(), Some(1));
    let f = of(&findings, "E-NCCI-001");
    assert_eq!(f.len(), 2, "{f:#?}");
    let (claim, r, sev, msg) = &f[0];
    assert_eq!((claim.as_str(), *r, sev.as_str()), ("A", 3, "error"));
    assert!(msg.contains("04002") && msg.contains("04001 (row 2)"), "{msg}");
    assert!(
        msg.contains("modifier indicator 1") && msg.contains("59") && msg.contains("XU"),
        "{msg}"
    );
    assert!(msg.contains("Misuse of column two code with column one code"), "{msg}");
    let (claim, r, _, msg) = &f[1];
    assert_eq!((claim.as_str(), *r), ("C", 7));
    assert!(msg.contains("modifier indicator 0") && msg.contains("04007"), "{msg}");
    assert!(!msg.contains("Ann") && !msg.contains("1980"), "no PHI: {msg}");
}

#[test]
fn ptp_across_claims_of_one_patient_and_day() {
    let dir = setup(Some("error"));
    let p = "DEMOPAYER1";
    let rows = [
        row("F1", p, "Fay", DAY, "04001", "", 1),
        // Same patient and day, another claim: flagged, naming F1.
        row("F2", "DEMOMCAID", "Fay", DAY, "04002", "", 1),
        // Same patient, another day: not flagged.
        row("F3", p, "Fay", "2026-03-03", "04002", "", 1),
        // Another patient, same day: not flagged.
        row("G1", p, "Gus", DAY, "04002", "", 1),
    ];
    let (_, findings) = check(dir.path(), &rows);
    let f = of(&findings, "E-NCCI-001");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!((f[0].0.as_str(), f[0].1), ("F2", 3));
    assert!(f[0].3.contains("claim F1, row 2"), "{}", f[0].3);
}

#[test]
fn mue_per_line_per_day_and_clinical() {
    let dir = setup(Some("error"));
    let p = "DEMOPAYER1";
    let rows = [
        // Indicator 1: 2 units on a line over an MUE of 1.
        row("M1", p, "Mo", DAY, "04005", "", 2),
        // Indicator 1: two lines of 1 unit each are fine.
        row("M2", p, "Mia", DAY, "04005", "", 1),
        row("M2", p, "Mia", DAY, "04005", "RT", 1),
        // Indicator 2: 3 + 2 units over two claims of one patient and day (MUE 4).
        row("M3", p, "Max", DAY, "04006", "", 3),
        row("M4", p, "Max", DAY, "04006", "", 2),
        // Indicator 2: 4 units on one day are fine.
        row("M5", p, "Meg", DAY, "04006", "", 4),
        // Indicator 3: 12 units over 10: a warning.
        row("M6", p, "Mel", DAY, "J0001", "", 12),
    ];
    let (_, findings) = check(dir.path(), &rows);
    let f = of(&findings, "E-MUE-001");
    let got: Vec<(&str, u64)> = f.iter().map(|x| (x.0.as_str(), x.1)).collect();
    assert_eq!(got, [("M1", 2), ("M3", 5), ("M4", 6)], "{f:#?}");
    assert!(f[0].3.contains("2 units") && f[0].3.contains("MUE is 1 per line"), "{}", f[0].3);
    assert!(f[1].3.contains("5 units") && f[1].3.contains("claim M4, row 6"), "{}", f[1].3);
    let w = of(&findings, "W-MUE-002");
    assert_eq!(w.len(), 1, "{w:#?}");
    assert_eq!((w[0].0.as_str(), w[0].2.as_str()), ("M6", "warning"));
    assert!(w[0].3.contains("12 units") && w[0].3.contains("appeal"), "{}", w[0].3);
}

#[test]
fn addon_edit_types() {
    let dir = setup(Some("error"));
    let p = "DEMOPAYER1";
    let rows = [
        // Type 1 without its primary: error.
        row("N1", p, "Ned", DAY, "04010", "", 1),
        // Type 1 with its primary on another claim of the day: fine.
        row("N2", p, "Nia", DAY, "04001", "", 1),
        row("N3", p, "Nia", DAY, "04010", "", 1),
        // Type 2 alone: error; with any other code: fine.
        row("N4", p, "Noe", DAY, "04011", "", 1),
        row("N5", p, "Nox", DAY, "04011", "", 1),
        row("N5", p, "Nox", DAY, "04099", "", 1),
        // Type 3 without a listed primary: a warning.
        row("N6", p, "Nat", DAY, "04012", "", 1),
        row("N6", p, "Nat", DAY, "04099", "", 1),
    ];
    let (_, findings) = check(dir.path(), &rows);
    let f = of(&findings, "E-ADDON-001");
    let got: Vec<(&str, u64, &str)> = f.iter().map(|x| (x.0.as_str(), x.1, x.2.as_str())).collect();
    assert_eq!(got, [("N1", 2, "error"), ("N4", 5, "error"), ("N6", 8, "warning")], "{f:#?}");
    assert!(f[0].3.contains("04010") && f[0].3.contains("04001"), "{}", f[0].3);
}

#[test]
fn payer_level_decides_severity() {
    let rows = |payer: &str| {
        vec![
            row("A", payer, "Ann", DAY, "04001", "", 1),
            row("A", payer, "Ann", DAY, "04002", "", 1),
        ]
    };
    // A commercial payer by default: a warning, same rule id; the claim goes.
    let dir = setup(None);
    let (o, findings) = check(dir.path(), &rows("DEMOPAYER1"));
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(of(&findings, "E-NCCI-001")[0].2, "warning");
    // Medicaid (MC) by default: an error.
    let (o, findings) = check(dir.path(), &rows("DEMOMCAID"));
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(of(&findings, "E-NCCI-001")[0].2, "error");
    // ncci = "off": nothing.
    let dir = setup(Some("off"));
    let (o, findings) = check(dir.path(), &rows("DEMOPAYER1"));
    assert_eq!(o.status.code(), Some(0));
    assert!(of(&findings, "E-NCCI-001").is_empty());
}

#[test]
fn run_names_the_files_used_or_says_edits_were_not_checked() {
    let dir = setup(None);
    let rows = [row("A", "DEMOPAYER1", "Ann", DAY, "99213", "", 1)];
    let (o, _) = check(dir.path(), &rows);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("ptp-practitioner-part1.txt (ptp): 5 row(s)"), "{err}");
    assert!(err.contains("mue-practitioner.csv (mue): 3 row(s)"), "{err}");
    assert!(!err.contains("not checked"), "{err}");
    // The folder from the config's [codesets] dir, relative to the config.
    let config = dir.path().join("claimflow.toml");
    let mut text = fs::read_to_string(&config).unwrap();
    text.push_str("\n[codesets]\ndir = \"codes\"\n");
    fs::write(&config, text).unwrap();
    let input = write_export(
        dir.path(),
        &[
            row("A", "DEMOMCAID", "Ann", DAY, "04001", "", 1),
            row("A", "DEMOMCAID", "Ann", DAY, "04002", "", 1),
        ],
    );
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let o = claimflow(&sub)
        .args(["check", &input, "--config", "../claimflow.toml", "--now", "2026-11-27"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("E-NCCI-001"));
    // Without files: said once.
    let o = claimflow(dir.path())
        .args(["check", &input, "--config", &fixture("claimflow.toml"), "--now", "2026-11-27"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.matches("NCCI/MUE edits were not checked").count(), 1, "{err}");
}

#[test]
fn bad_code_file_exits_2_naming_file_and_line() {
    let dir = setup(None);
    fs::write(
        dir.path().join("codes/mue-practitioner.csv"),
        "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator\n04005,1,1\n4005,1,1\n",
    )
    .unwrap();
    let input = write_export(dir.path(), &[row("A", "DEMOPAYER1", "Ann", DAY, "04001", "", 1)]);
    let o = claimflow(dir.path())
        .args(["check", &input, "--codeset-dir", "codes", "--now", "2026-11-27"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("mue-practitioner.csv: line 3: HCPCS/CPT Code \"4005\" is not a CPT or HCPCS"),
        "{err}"
    );
}

fn build(dir: &Path, rows: &[String], out: &str) -> Output {
    let input = write_export(dir, rows);
    let o = claimflow(dir)
        .args(["build", &input, "--out", out, "--codeset-dir", "codes", "--now", "2026-11-27"])
        .output()
        .unwrap();
    crate::util::keep_all_837(&dir.join(out));
    o
}

#[test]
fn build_checks_claims_sent_earlier_and_records_the_files() {
    let dir = setup(Some("error"));
    let p = "DEMOPAYER1";
    let o = build(
        dir.path(),
        &[row("L1", p, "Lou", DAY, "04001", "", 1), row("L1", p, "Lou", DAY, "04006", "", 3)],
        "out1",
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.path().join("out1/manifest.json")).unwrap()).unwrap();
    let files = manifest["codesets"].as_array().unwrap();
    assert_eq!(files.len(), 3, "{files:#?}");
    assert!(files.iter().all(|f| f["sha256"].as_str().unwrap().len() == 64));
    assert!(files
        .iter()
        .any(|f| f["path"].as_str().unwrap().ends_with("addon.txt") && f["kind"] == "addon"));
    // A later export: the same patient and day, 04002 (column two of 04001
    // sent in L1) and 2 more units of 04006 (MUE 4 per day).
    let o = build(
        dir.path(),
        &[
            row("L2", p, "Lou", DAY, "04002", "", 1),
            row("L3", p, "Lou", DAY, "04006", "", 2),
            row("L4", p, "Lea", DAY, "04002", "", 1),
        ],
        "out2",
    );
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stdout));
    let rejects = fs::read_to_string(dir.path().join("out2/rejects.csv")).unwrap();
    assert!(rejects.contains("L2,2,procedure,E-NCCI-001,error,"), "{rejects}");
    assert!(rejects.contains("claim L1, sent earlier"), "{rejects}");
    assert!(rejects.contains("L3,3,procedure,E-MUE-001,error,"), "{rejects}");
    let manifest: Value =
        serde_json::from_slice(&fs::read(dir.path().join("out2/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["held_claims"], serde_json::json!(["L2", "L3"]));
    assert_eq!(manifest["counts"]["sent"], 1);
    // The same export again after L1's own export: L1 is not its own pair.
    let o = build(
        dir.path(),
        &[row("L1", p, "Lou", DAY, "04001", "", 1), row("L1", p, "Lou", DAY, "04006", "", 3)],
        "out3",
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
}

/// The demo walk-through with CARC and RARC lists in the config's code-set
/// folder: the denials worklist, `status --worklist` and the report show
/// each code with its text.
#[test]
fn carc_and_rarc_texts_in_denials_worklist_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let codes = d.join("codes");
    fs::create_dir(&codes).unwrap();
    fs::write(
        codes.join("carc.csv"),
        "carc,description,start,stop\n50,\"Made-up CARC text, for the test\",19950101,\n",
    )
    .unwrap();
    fs::write(
        codes.join("rarc.txt"),
        "rarc\tdescription\tstart\tstop\nN130\tMade-up RARC text\t20030101\t\n",
    )
    .unwrap();
    let mut config = fs::read_to_string(fixture("claimflow.toml")).unwrap();
    config.push_str("\n[codesets]\ndir = \"codes\"\n");
    fs::write(d.join("claimflow.toml"), config).unwrap();
    let run = |args: &[&str]| {
        let o = claimflow(d).args(args).output().unwrap();
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    let demo = fixture("encounters/demo.csv");
    run(&["build", &demo, "--out", "out", "--ledger", "out/claimflow.db", "--now", "2026-11-27"]);
    crate::util::keep_all_837(&d.join("out"));
    let remit = fixture("835/demo.835");
    run(&[
        "reconcile",
        &remit,
        "--ledger",
        "out/claimflow.db",
        "--out",
        "out/recon",
        "--now",
        "2026-12-15",
    ]);
    let denials = fs::read_to_string(d.join("out/recon/denials.csv")).unwrap();
    assert!(denials.contains("\"CO-50 (Made-up CARC text, for the test)\""), "{denials}");
    assert!(denials.contains("N130 (Made-up RARC text)"), "{denials}");
    let o = run(&["status", "--worklist", "--ledger", "out/claimflow.db", "--now", "2026-12-16"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("CO-50 (Made-up CARC text, for the test)"), "{out}");
    run(&["report", "--ledger", "out/claimflow.db", "--out", "out/report", "--now", "2026-12-31"]);
    let html = fs::read_to_string(d.join("out/report/report.html")).unwrap();
    assert!(html.contains("CO-50 (Made-up CARC text, for the test)"), "report.html");
    let csv = fs::read_to_string(d.join("out/report/denials.csv")).unwrap();
    assert!(csv.contains("CO-50 (Made-up CARC text, for the test)"), "{csv}");
    // Without the lists: the codes alone.
    fs::remove_file(codes.join("carc.csv")).unwrap();
    fs::remove_file(codes.join("rarc.txt")).unwrap();
    run(&[
        "reconcile",
        &remit,
        "--ledger",
        "out/claimflow.db",
        "--out",
        "out/recon2",
        "--now",
        "2026-12-15",
    ]);
    let o = run(&["status", "--worklist", "--ledger", "out/claimflow.db", "--now", "2026-12-16"]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("(CO-50") && !out.contains("Made-up"), "{out}");
}
