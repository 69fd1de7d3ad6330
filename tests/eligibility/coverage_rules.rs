//! The coverage rules of `build` and `check`: claims held on the newest
//! answer, and a payer that requires an answer.

use super::*;

/// Answers on file, then `check` and `build` with the coverage rules.
#[test]
fn build_and_check_hold_claims_on_the_newest_answer() {
    let dir = asked("");
    fs::write(dir.path().join("a.271"), answers_271()).unwrap();
    fs::write(dir.path().join("m.271"), medicare_not_found_271()).unwrap();
    run(dir.path(), &["eligibility", "read", "a.271", "m.271", "--now", "2025-11-30T10:00"]);
    let o =
        run(dir.path(), &["check", &fixture("build/clean.csv"), "--now", "2025-12-01", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let elig: Vec<(String, u64, String, String, String)> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().contains("ELIG"))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["row"].as_u64().unwrap(),
                f["column"].as_str().unwrap().to_string(),
                f["claim_id"].as_str().unwrap().to_string(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(elig.len(), 3, "{elig:?}");
    assert_eq!(
        elig[0],
        (
            "E-ELIG-001".into(),
            4,
            "service_date".into(),
            "CF1002".into(),
            "payer TESTPAYER1's 271 of 2025-11-30 says coverage is inactive: the date of service is not covered".into()
        )
    );
    assert_eq!(
        elig[1],
        (
            "E-ELIG-002".into(),
            7,
            "member_id".into(),
            "CF1003".into(),
            "payer TESTMCARE's 271 of 2025-11-30 did not find the member (75 (subscriber not found)): check member_id and the patient's name and birth date".into()
        )
    );
    assert_eq!(elig[2].0, "W-ELIG-003");
    assert_eq!((elig[2].1, elig[2].2.as_str(), elig[2].3.as_str()), (9, "payer_id", "CF1004"));
    assert!(
        elig[2].4.contains("names another payer as primary: OTHER PLAN (OTHER01)"),
        "{}",
        elig[2].4
    );
    assert_eq!(v["held"], 2);

    let o = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "built", "--now", "2025-12-01"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("built/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["held_claims"], serde_json::json!(["CF1002", "CF1003"]));
    let rejects = fs::read_to_string(dir.path().join("built/rejects.csv")).unwrap();
    assert!(rejects.contains("CF1002,4,service_date,E-ELIG-001,error,"), "{rejects}");
    assert!(rejects.contains("CF1003,7,member_id,E-ELIG-002,error,"), "{rejects}");
    crate::util::keep_all_837(&dir.path().join("built"));
    // status shows a claim's coverage answer.
    let o = run(dir.path(), &["status", "CF1004"]);
    let s = text(&o);
    assert!(s.contains("  coverage: active (271 of 2025-11-30, trace 000000001-4, primary payer OTHER PLAN (OTHER01))"), "{s}");
    let o = run(dir.path(), &["status", "CF1001", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["coverage"]["status"], "active", "{v}");
    assert_eq!(v[0]["coverage"]["plan_end"], "2025-12-31", "{v}");
    // report: eligibility.csv and a section of the page.
    let o = run(dir.path(), &["report", "--out", "rep", "--now", "2025-12-31"]);
    assert!(o.status.code() == Some(0), "{}", text(&o));
    let csv = fs::read_to_string(dir.path().join("rep/eligibility.csv")).unwrap();
    assert_eq!(
        csv,
        "payer_id,inquiries,answers,active,inactive,not_found,error,unknown,rejected\n\
         TESTMCARE,1,1,0,0,1,0,0,0\n\
         TESTPAYER1,4,4,2,1,0,0,1,0\n\
         ALL,5,5,2,1,1,0,1,0\n"
    );
    let html = fs::read_to_string(dir.path().join("rep/report.html")).unwrap();
    assert!(html.contains(r#"<section id="eligibility"><h2>Eligibility</h2>"#), "{html}");
}

#[test]
fn a_payer_that_requires_an_answer_holds_claims_without_a_fresh_one() {
    let extra = "\n[[payer]]\nid = \"ELIGPAYER\"\nname = \"Elig Plan\"\nfiling_indicator = \"CI\"\neligibility_required = true\neligibility_max_age_days = 10\n";
    let dir = asked(extra);
    let csv =
        fs::read_to_string(fixture("build/clean.csv")).unwrap().replace("TESTPAYER1", "ELIGPAYER");
    fs::write(dir.path().join("e.csv"), &csv).unwrap();
    let o = run(dir.path(), &["check", "e.csv", "--now", "2025-12-01", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f: Vec<&serde_json::Value> =
        v["findings"].as_array().unwrap().iter().filter(|f| f["rule"] == "E-ELIG-004").collect();
    assert_eq!(f.len(), 4, "{f:?}");
    assert_eq!((f[0]["row"].as_u64(), f[0]["column"].as_str()), (Some(2), Some("payer_id")));
    assert_eq!(f[0]["message"], "payer ELIGPAYER requires a 271 eligibility answer no older than 10 days and no answer is on file: run `claimflow eligibility request` and `eligibility read`");

    // An answer of 2025-11-10 is 21 days old on 2025-12-01: too old.
    let o = run(
        dir.path(),
        &["eligibility", "request", "e.csv", "--out", "out", "--now", "2025-11-10"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let old = x271(
        "20251110",
        &[
            "HL*1**20*1",
            "NM1*PR*2*ELIG PLAN*****PI*ELIGPAYER",
            "HL*2*1*21*1",
            "NM1*1P*2*TEST CLINIC*****XX*1234567893",
            "HL*3*2*22*0",
            "TRN*2*000000002-1*9877281234",
            "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
            "EB*1**30",
        ],
    );
    fs::write(dir.path().join("old.271"), old).unwrap();
    let o = run(dir.path(), &["eligibility", "read", "old.271", "--now", "2025-11-10"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(dir.path(), &["check", "e.csv", "--now", "2025-12-01", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cf1001 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "E-ELIG-004" && f["claim_id"] == "CF1001")
        .unwrap();
    assert!(
        cf1001["message"].as_str().unwrap().contains("the newest answer on file is of 2025-11-10"),
        "{cf1001}"
    );
    // Within 10 days it counts.
    let o = run(dir.path(), &["check", "e.csv", "--now", "2025-11-15", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["rule"] == "E-ELIG-004" && f["claim_id"] == "CF1001"));
}
