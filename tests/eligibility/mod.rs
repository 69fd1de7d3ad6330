//! `claimflow eligibility request` and `eligibility read`: 270 inquiries
//! from the build test export, 271 answers for each coverage status
//! matched by trace and by member, re-reading, rejected and unmatched
//! answers, and the coverage rules of `build` and `check` (row, column,
//! message). The 271s are written here with made-up ids.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_for_oracle};

mod claim_status;
mod coverage_rules;

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// A temp dir with the build test config, and the inquiries of
/// `build/clean.csv` written into `out/` (ISA13 1): traces 000000001-1
/// (CF1001: TESTPAYER1, MEM1001, 2025-11-01), -2 (CF1002: the dependent of
/// MEM2002, 2025-11-02), -3 (CF1003: TESTMCARE, MEM1001, 2025-11-03), -4
/// (CF1004: TESTPAYER1, MEM1001, 2025-11-05), -5 (CF1005: TESTPAYER1,
/// MEM2002, 2025-11-06).
fn asked(extra_config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let config = fs::read_to_string(fixture("build/claimflow.toml")).unwrap();
    fs::write(dir.path().join("claimflow.toml"), format!("{config}{extra_config}")).unwrap();
    let o = run(
        dir.path(),
        &[
            "eligibility",
            "request",
            &fixture("build/clean.csv"),
            "--out",
            "out",
            "--now",
            "2025-11-30T08:00",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let x270 = fs::read(dir.path().join("out/eligibility-000000001.x12")).unwrap();
    keep_for_oracle("270", "eligibility-000000001.x12", &x270);
    dir
}

/// A 271 interchange: `body` is the segments after BHT (without SE).
fn x271(date: &str, body: &[&str]) -> String {
    let mut segs =
        vec!["ST*271*0001*005010X279A1".to_string(), format!("BHT*0022*11*R1*{date}*0900")];
    segs.extend(body.iter().map(|s| s.to_string()));
    segs.push(format!("SE*{}*0001", segs.len() + 1));
    format!(
        "ISA*00*          *00*          *ZZ*CLEARING       *ZZ*SUBMITTER      *251130*0900*^*00501*000000077*0*T*:~\nGS*HB*CLEARING*SUBMITTER*{date}*0900*77*X*005010X279A1~\n{}~\nGE*1*77~\nIEA*1*000000077~\n",
        segs.join("~\n")
    )
}

const SOURCE: &[&str] = &[
    "HL*1**20*1",
    "NM1*PR*2*TEST HEALTH PLAN*****PI*TESTPAYER1",
    "HL*2*1*21*1",
    "NM1*1P*2*TEST CLINIC*****XX*1234567893",
];

fn answers_271() -> String {
    let mut body: Vec<&str> = SOURCE.to_vec();
    body.extend([
        // -1: active, with money in and out of network.
        "HL*3*2*22*0",
        "TRN*2*000000001-1*9877281234",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "REF*6P*GRP100",
        "DTP*346*D8*20250101",
        "DTP*347*D8*20251231",
        "EB*1*IND*30*HM*GOLD PLAN",
        "EB*B*IND*30***27*25.00*****Y",
        "EB*B*IND*30***27*50.00*****N",
        "EB*A*IND*30*****0.2****Y",
        "EB*C*IND*30***23*1000.00*****Y",
        "EB*C*IND*30***29*400.5*****Y",
        "EB*G*IND*30***29*2500*****Y",
        "EB*C*IND*30***23*3000.00*****N",
        // -2: the dependent, inactive.
        "HL*4*2*22*1",
        "NM1*IL*1*SAMPLE*BRUCE****MI*MEM2002",
        "HL*5*4*23*0",
        "TRN*2*000000001-2*9877281234",
        "NM1*03*1*SAMPLE*CARLA",
        "EB*6**30",
        // -4: no trace echoed; matched by member, payer and date; another payer primary.
        "HL*6*2*22*0",
        "TRN*1*PAYERSOWN*9999999999",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "DTP*291*D8*20251105",
        "EB*1**30",
        "EB*R**30",
        "LS*2120",
        "NM1*PRP*2*OTHER PLAN*****PI*OTHER01",
        "LE*2120",
        // -5: no EB for the service type asked.
        "HL*7*2*22*0",
        "TRN*2*000000001-5*9877281234",
        "NM1*IL*1*SAMPLE*BRUCE****MI*MEM2002",
        "EB*1**98",
        "EB*B**98***27*abc",
        // Never asked: unmatched.
        "HL*8*2*22*0",
        "TRN*2*NEVERSENT*9877281234",
        "NM1*IL*1*NOBODY*NO****MI*ZZZ999",
        "EB*1**30",
    ]);
    x271("20251130", &body)
}

fn medicare_not_found_271() -> String {
    x271(
        "20251130",
        &[
            "HL*1**20*1",
            "NM1*PR*2*TEST MEDICARE*****PI*00451",
            "HL*2*1*21*1",
            "NM1*1P*2*TEST CLINIC*****XX*1881234565",
            "HL*3*2*22*0",
            "TRN*2*000000001-3*9877281234",
            "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
            "AAA*Y**75*C",
        ],
    )
}

fn coverage_rows(dir: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(dir.join("cov/coverage.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[..5], ["payer_id", "member_id", "patient", "service_date", "status"]);
    r.records().map(|x| x.unwrap().iter().map(String::from).collect()).collect()
}

fn row_for<'a>(rows: &'a [Vec<String>], trace: &str) -> &'a Vec<String> {
    rows.iter().find(|r| r[23] == trace).unwrap_or_else(|| panic!("{trace} in {rows:?}"))
}

#[test]
fn request_writes_one_inquiry_per_patient_payer_and_date() {
    let dir = asked("");
    let x = fs::read_to_string(dir.path().join("out/eligibility-000000001.x12")).unwrap();
    assert!(x.contains("GS*HS*"), "{x}");
    assert!(x.contains("ST*270*0001*005010X279A1~"), "{x}");
    // CF1001's three rows make one inquiry; five in all, three sets per ST
    // (the config's max_claims_per_transaction).
    assert!(x.contains("SE*34*0001~") && x.contains("SE*20*0002~"), "{x}");
    assert_eq!(x.matches("TRN*1*").count(), 5, "{x}");
    assert_eq!(x.matches("EQ*30~").count(), 5, "{x}");
    // The dependent: subscriber level without DMG, dependent level with TRN, NM1*03, INS*N*19.
    let dep = x.find("NM1*IL*1*SAMPLE*BRUCE****MI*MEM2002~").unwrap();
    let after = &x[dep..];
    assert!(after.starts_with("NM1*IL*1*SAMPLE*BRUCE****MI*MEM2002~\nHL*"), "{after}");
    assert!(after.contains("*23*0~\nTRN*1*000000001-2*1123456789~\nNM1*03*1*SAMPLE*CARLA~\nDMG*D8*20150304*F~\nINS*N*19~\nDTP*291*D8*20251102~\nEQ*30~"), "{after}");
    assert!(x.contains("NM1*IL*1*TESTER*ALICE****MI*MEM1001~\nREF*6P*GRP100~\nDMG*D8*19800506*F~\nDTP*291*D8*20251101~\nEQ*30~"), "{x}");
    // Asking again sends nothing, and says which inquiry was sent before.
    let o = run(
        dir.path(),
        &[
            "eligibility",
            "request",
            &fixture("build/clean.csv"),
            "--out",
            "out",
            "--now",
            "2025-11-30T09:00",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = text(&o);
    assert!(
        s.contains("2,3,11: payer TESTPAYER1 date 2025-11-01: asked before (trace 000000001-1"),
        "{s}"
    );
    assert!(s.contains("no new inquiry (no 270 written); 5 asked before"), "{s}");
    assert!(!dir.path().join("out/eligibility-000000002.x12").exists());
    // --again asks again under new traces.
    let o = run(
        dir.path(),
        &[
            "eligibility",
            "request",
            &fixture("build/clean.csv"),
            "--out",
            "out",
            "--again",
            "--now",
            "2025-11-30T09:00",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let again = fs::read_to_string(dir.path().join("out/eligibility-000000002.x12")).unwrap();
    assert!(again.contains("TRN*1*000000002-1*"), "{again}");
}

#[test]
fn rows_that_cannot_make_an_inquiry_are_findings_with_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let csv = "payer_id,billing_npi,member_id,subscriber_last,subscriber_first,subscriber_dob,relationship,patient_first,patient_last,patient_dob,service_date,service_type\n\
        TESTPAYER1,1234567893,M1,DOE,JO,1970-01-02,,,,,2025-11-10,98^UC\n\
        TESTPAYER1,1234567893,,DOE,JO,1970-01-02,,,,,2025-11-10,\n\
        NOPAYER,1234567893,M2,DOE,JO,1970-01-02,,,,,2025-11-10,\n\
        TESTPAYER1,1234567893,M3,DOE,JO,1970-01-02,child,KIM,,2010-01-01,2025-11-10,\n\
        TESTPAYER1,1234567893,M4,DOE,JO,1970-01-02,,,,,11/10/2025,\n\
        TESTPAYER1,1234567893,M5,DOE,JO,1970-01-02,,,,,2025-11-10,3000\n";
    fs::write(dir.path().join("schedule.csv"), csv).unwrap();
    let o = run(
        dir.path(),
        &[
            "eligibility",
            "request",
            "schedule.csv",
            "--out",
            "out",
            "--now",
            "2025-11-30",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let found: Vec<(u64, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["row"].as_u64().unwrap(),
                f["column"].as_str().unwrap().to_string(),
                f["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (3, "member_id".to_string(), "E-MEM-001".to_string()),
            (4, "payer_id".into(), "E-CFG-002".into()),
            (5, "patient_last".into(), "E-PAT-001".into()),
            (6, "service_date".into(), "E-DATE-001".into()),
            (7, "service_type".into(), "E-ELIG-005".into()),
        ]
    );
    assert_eq!(v["inquiries"].as_array().unwrap().len(), 1);
    let x = fs::read_to_string(dir.path().join("out/eligibility-000000001.x12")).unwrap();
    assert!(x.contains("EQ*98^UC~"), "{x}");
    let rejects = fs::read_to_string(dir.path().join("out/inquiry-rejects.csv")).unwrap();
    assert!(rejects.contains(",3,member_id,E-MEM-001,error,"), "{rejects}");
}

#[test]
fn read_records_each_coverage_status_and_lists_unmatched_answers() {
    let dir = asked("");
    fs::write(dir.path().join("a.271"), answers_271()).unwrap();
    fs::write(dir.path().join("m.271"), medicare_not_found_271()).unwrap();
    let o = run(
        dir.path(),
        &["eligibility", "read", "a.271", "m.271", "--out", "cov", "--now", "2025-11-30T10:00"],
    );
    // Inactive, not found and the unmatched answer each need a person.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = text(&o);
    assert!(
        s.contains(
            "answer from payer TESTPAYER1 (trace \"NEVERSENT\") matches no inquiry sent: unmatched"
        ),
        "{s}"
    );
    assert!(s.contains("EB07: \"abc\" is not a number [E-271-002]"), "{s}");
    assert!(!s.contains("ZZZ999") && !s.contains("ALICE"), "no member id or name printed: {s}");
    let rows = coverage_rows(dir.path());
    assert_eq!(rows.len(), 5, "{rows:?}");
    let active = row_for(&rows, "000000001-1");
    assert_eq!(active[..5], ["TESTPAYER1", "MEM1001", "subscriber", "2025-11-01", "active"]);
    assert_eq!(active[5..10], ["2025-01-01", "2025-12-31", "GOLD PLAN", "GRP100", "HM"]);
    // copay, coinsurance, deductible, remaining, oop; then out of network.
    assert_eq!(
        active[10..19],
        ["25.00", "0.20", "1000.00", "400.50", "2500.00", "50.00", "", "3000.00", ""]
    );
    assert_eq!(active[22], "2025-11-30T09:00");
    let dependent = row_for(&rows, "000000001-2");
    assert_eq!(dependent[..5], ["TESTPAYER1", "MEM2002", "dependent", "2025-11-02", "inactive"]);
    let by_member = row_for(&rows, "000000001-4");
    assert_eq!(by_member[3..5], ["2025-11-05", "active"]);
    assert_eq!(by_member[19], "OTHER PLAN (OTHER01)");
    assert_eq!(row_for(&rows, "000000001-5")[4], "unknown");
    let medicare = row_for(&rows, "000000001-3");
    assert_eq!(medicare[..5], ["TESTMCARE", "MEM1001", "subscriber", "2025-11-03", "not_found"]);
    assert_eq!(medicare[20], "75 (subscriber not found)");
    assert_eq!(medicare[21], "C (correct and resubmit)");

    // The same files again: nothing changes, and the run says so.
    let o = run(
        dir.path(),
        &["eligibility", "read", "a.271", "m.271", "--now", "2025-11-30T11:00", "--json"],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for f in v["files"].as_array().unwrap() {
        assert!(f["answers"].as_array().unwrap().iter().all(|a| a["new"] == false), "{f}");
    }
    // Benefit money in JSON is two-decimal text; coinsurance is a rate.
    let answers: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["answers"].as_array().unwrap())
        .collect();
    let gold = answers
        .iter()
        .map(|a| &a["coverage"])
        .find(|c| c["plan_name"] == "GOLD PLAN")
        .unwrap_or_else(|| panic!("{v}"));
    assert_eq!(gold["copay"], "25.00", "{gold}");
    assert_eq!(gold["deductible_remaining"], "400.50", "{gold}");
    assert_eq!(gold["oop_remaining"], "2500.00", "{gold}");
    assert_eq!(gold["coinsurance"], "0.2", "{gold}");
    let o = run(dir.path(), &["eligibility", "read", "m.271", "--now", "2025-11-30T11:00"]);
    assert!(
        text(&o).contains("m.271: already read: its 1 answers are on file; nothing changed"),
        "{}",
        text(&o)
    );
}

#[test]
fn an_aaa_at_the_source_level_is_a_rejected_inquiry_and_holds_no_claim() {
    let dir = asked("");
    let body = ["HL*1**20*0", "NM1*PR*2*TEST HEALTH PLAN*****PI*TESTPAYER1", "AAA*N**42*R"];
    fs::write(dir.path().join("r.271"), x271("20251130", &body)).unwrap();
    let o = run(
        dir.path(),
        &["eligibility", "read", "r.271", "--out", "cov", "--now", "2025-11-30T10:00"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("payer TESTPAYER1 source trace : rejected; reject 42 (payer unable to respond now); follow-up R (resubmission allowed)"), "{s}");
    let rows = coverage_rows(dir.path());
    assert_eq!(rows[0][4], "rejected");
    let o = run(dir.path(), &["check", &fixture("build/clean.csv"), "--now", "2025-12-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // An AAA at the subscriber level that is not "not found" is an error, and holds nothing.
    let mut body: Vec<&str> = SOURCE.to_vec();
    body.extend([
        "HL*3*2*22*0",
        "TRN*2*000000001-1*9877281234",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "AAA*Y**42*R",
    ]);
    fs::write(dir.path().join("e.271"), x271("20251130", &body)).unwrap();
    let o = run(
        dir.path(),
        &["eligibility", "read", "e.271", "--out", "cov", "--now", "2025-11-30T10:00"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert_eq!(row_for(&coverage_rows(dir.path()), "000000001-1")[4], "error");
    let o = run(dir.path(), &["check", &fixture("build/clean.csv"), "--now", "2025-12-01"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn an_answer_without_a_trace_or_with_a_wrong_se02_is_reported() {
    let dir = asked("");
    let o = run(dir.path(), &["eligibility", "read", "/work/none.271", "--now", "2025-11-30"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    // A wrong SE02 is an envelope finding; the answers are still read.
    let bad = answers_271().replace("*0001~\nGE", "*0002~\nGE");
    assert_ne!(bad, answers_271());
    fs::write(dir.path().join("bad.271"), bad).unwrap();
    let o = run(dir.path(), &["eligibility", "read", "bad.271", "--now", "2025-11-30"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("X12-SE02"), "{s}");
    assert!(s.contains("trace 000000001-1: active"), "{s}");
}

#[test]
fn the_public_271_samples_are_read_and_listed_as_unmatched() {
    let dir = asked("");
    let samples = Path::new("/work/shared/x12-samples/271");
    if !samples.is_dir() {
        return;
    }
    let good = samples.join("271-subscriber-health-benefit-check-from-linuxforhealth.271");
    let o =
        run(dir.path(), &["eligibility", "read", good.to_str().unwrap(), "--now", "2025-11-30"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("(trace \"93175-012547\") matches no inquiry sent: unmatched"),
        "{}",
        text(&o)
    );
    let bad = samples.join("271-subscriber-health-benefit-check-error-from-linuxforhealth.271");
    let o = run(dir.path(), &["eligibility", "read", bad.to_str().unwrap(), "--now", "2025-11-30"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("X12-SE02"), "{s}");
    assert!(
        s.contains("receiver trace : rejected; reject 50 (provider not eligible for inquiries)"),
        "{s}"
    );
}
