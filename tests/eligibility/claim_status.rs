//! 276 claim status inquiries and 277 answers: `status --inquire` once a day
//! for claims past their days to pay, 277 answers into the history and the
//! worklist, the 277 category deciding the status, the public X212 sample.

use super::*;

/// Built, acknowledged (CF1002 rejected, the four others accepted on
/// 2025-12-02), then asked about on 2026-01-15 (past 30 days to pay):
/// traces 000000002-1 (CF1001), -2 (CF1005), -3 (CF1004), -4 (CF1003).
fn inquired() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "out", "--now", "2025-12-01T02:00"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    crate::util::keep_all_837(&dir.path().join("out"));
    let o = run(dir.path(), &["ack", &fixture("ack/clean.277"), "--now", "2025-12-02"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o =
        run(dir.path(), &["status", "--inquire", "--out", "outbox", "--now", "2026-01-15T08:00"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    dir
}

fn x277(body: &[&str]) -> String {
    let mut segs = vec![
        "ST*277*0001*005010X212".to_string(),
        "BHT*0010*08*R277*20260116*0900*DG".to_string(),
        "HL*1**20*1".into(),
        "NM1*PR*2*TEST HEALTH PLAN*****PI*TESTPAYER1".into(),
        "HL*2*1*21*1".into(),
        "NM1*41*2*TEST MEDICAL GROUP*****46*TEST01".into(),
        "HL*3*2*19*1".into(),
        "NM1*1P*2*TEST MEDICAL GROUP*****XX*1234567893".into(),
    ];
    segs.extend(body.iter().map(|s| s.to_string()));
    segs.push(format!("SE*{}*0001", segs.len() + 1));
    format!(
        "ISA*00*          *00*          *ZZ*TESTCLEARING   *ZZ*TESTSUBMITTER  *260116*0900*^*00501*000000088*0*T*:~\nGS*HN*TESTCLEARING*TESTSUBMITTER*20260116*0900*88*X*005010X212~\n{}~\nGE*1*88~\nIEA*1*000000088~\n",
        segs.join("~\n")
    )
}

#[test]
fn status_inquire_writes_a_276_for_claims_past_their_days_to_pay_once_a_day() {
    let dir = inquired();
    let x = fs::read_to_string(dir.path().join("outbox/status-000000002.x12")).unwrap();
    keep_for_oracle("276", "status-000000002.x12", x.as_bytes());
    assert!(x.contains("GS*HR*") && x.contains("ST*276*0001*005010X212~"), "{x}");
    assert!(x.contains("NM1*41*2*Test Medical Group*****46*TEST01~"), "{x}");
    assert!(x.contains("HL*4*3*22*0~\nDMG*D8*19800506*F~\nNM1*IL*1*TESTER*ALICE****MI*MEM1001~\nTRN*1*000000002-1~\nREF*1K*TP1251202001~\nREF*EJ*CF1001~\nAMT*T3*172.5~\nDTP*472*D8*20251101~"), "{x}");
    // CF1002 was rejected: not asked about.
    assert!(!x.contains("REF*EJ*CF1002~"), "{x}");
    assert_eq!(x.matches("TRN*1*").count(), 4, "{x}");
    // The same day again: nothing is asked twice.
    let o = run(
        dir.path(),
        &["status", "--inquire", "--out", "outbox", "--now", "2026-01-15T15:00", "CF1001"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(
        text(&o).contains("CF1001 TESTPAYER1: not asked: asked today already (trace 000000002-1)"),
        "{}",
        text(&o)
    );
    assert!(!dir.path().join("outbox/status-000000003.x12").exists());
    // The inquiry is in the claim's history.
    let o = run(dir.path(), &["status", "CF1001", "--history"]);
    assert!(
        text(&o).contains("status_inquiry         276 claim status inquiry, trace 000000002-1"),
        "{}",
        text(&o)
    );
    // A claim named that the ledger does not know: exit 1.
    let o =
        run(dir.path(), &["status", "--inquire", "--out", "outbox", "--now", "2026-01-16", "NOPE"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

#[test]
fn ack_reads_277_claim_status_answers_into_history_and_the_worklist() {
    let dir = inquired();
    let answers = x277(&[
        // CF1001: finalized, paid, with the check.
        "HL*4*3*22*0",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "TRN*2*000000002-1",
        "STC*F1:65*20260110**172.50*150.00*20260110**20260111*CHK12345",
        "REF*1K*TP1251202001",
        "REF*EJ*CF1001",
        // CF1005: the payer asks for information.
        "HL*5*3*22*0",
        "NM1*IL*1*SAMPLE*BRUCE****MI*MEM2002",
        "TRN*2*000000002-2",
        "STC*R4:250*20260110",
        "REF*EJ*CF1005",
        // CF1004: no trace echoed, found by REF*EJ; pending.
        "HL*6*3*22*0",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "TRN*2*SOMETHINGELSE",
        "STC*P1:20*20260110",
        "REF*EJ*CF1004",
        // Never sent.
        "HL*7*3*22*0",
        "NM1*IL*1*NOBODY*NO****MI*X",
        "TRN*2*UNKNOWN",
        "STC*F1:65*20260110",
        "REF*EJ*NOPE9",
        "HL*8*2*19*0",
        "NM1*1P*2*OTHER*****XX*1999999984",
        "TRN*1*0",
        "STC*E0:24:85*20260116",
    ]);
    fs::write(dir.path().join("a.277"), &answers).unwrap();
    let o = run(dir.path(), &["ack", "a.277", "--out", "acks", "--now", "2026-01-16T10:00"]);
    // The unmatched answers need a person.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = text(&o);
    assert!(s.contains("277 trace UNKNOWN (F1:65) matches no claim status inquiry sent"), "{s}");
    assert!(s.contains("277 trace 0 (E0:24:85) is a status of the whole inquiry"), "{s}");
    let o = run(dir.path(), &["status", "CF1001", "--history"]);
    let h = text(&o);
    assert!(h.contains("CF1001 TESTPAYER1: accepted"), "a 277 posts no money: {h}");
    assert!(h.contains("finalized              277 claim status F1:65, status date 20260110, payer claim number TP1251202001, charge 172.50, paid 150.00, check CHK12345 of 20260111, trace 000000002-1"), "{h}");
    let acks = fs::read_to_string(dir.path().join("acks/acks.csv")).unwrap();
    assert!(
        acks.contains(",277,") && acks.contains(",CF1005,TESTPAYER1,information_requested,"),
        "{acks}"
    );

    let o = run(dir.path(), &["status", "--worklist", "--now", "2026-01-16T12:00", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let action = |id: &str| {
        v.as_array().unwrap().iter().find(|i| i["claim_id"] == id).map(|i| {
            (
                i["next_action"].as_str().unwrap().to_string(),
                i["reason"].as_str().unwrap().to_string(),
            )
        })
    };
    assert_eq!(action("CF1001").unwrap().0, "835 expected: get the remittance");
    let (a, why) = action("CF1005").unwrap();
    assert_eq!(a, "payer asks for information");
    assert!(why.contains("R4:250"), "{why}");
    // Pending: off the worklist until the payer's days to pay have passed again.
    assert_eq!(action("CF1004"), None);
    // CF1003 had no answer: still the days-to-pay row.
    assert_eq!(action("CF1003").unwrap().0, "ask the payer for the claim's status");
    let o = run(dir.path(), &["status", "--worklist", "--now", "2026-02-20", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let cf1004 = v.as_array().unwrap().iter().find(|i| i["claim_id"] == "CF1004").unwrap();
    assert_eq!(cf1004["next_action"], "ask the payer for the claim's status");

    // Read again: nothing new.
    let o = run(dir.path(), &["ack", "a.277", "--now", "2026-01-17", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ledger"]["recorded"], 0, "{v}");
    assert_eq!(v["ledger"]["already"], 3, "{v}");
}

#[test]
fn a_277_category_decides_the_history_status() {
    use claimflow::ack::status_of_category as s;
    for (cat, want) in [
        ("A1", "accepted"),
        ("A2", "accepted"),
        ("A7", "rejected"),
        ("A3", "rejected"),
        ("P0", "pending"),
        ("P5", "pending"),
        ("F0", "finalized"),
        ("F1", "finalized"),
        ("F2", "finalized_denied"),
        ("F3", "finalized"),
        ("F3F", "finalized"),
        ("F3N", "finalized"),
        ("F4", "finalized_denied"),
        ("R0", "information_requested"),
        ("R16", "information_requested"),
        ("E0", "status_error"),
        ("E4", "status_error"),
        ("D0", "not_on_file"),
    ] {
        assert_eq!(s(cat), want, "{cat}");
    }
}

#[test]
fn the_public_277_x212_sample_is_read_as_claim_status_not_277ca() {
    let sample = Path::new("/work/shared/x12-samples/other/277-x212-claim-status-response-not-277ca-from-linuxforhealth.277");
    if !sample.is_file() {
        return;
    }
    let dir = inquired();
    let o = run(dir.path(), &["ack", sample.to_str().unwrap(), "--now", "2026-01-16", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // Three claims answered, none of ours: unmatched, not "no acknowledgment in this file".
    assert_eq!(v["counts"]["claim_statuses"], 3, "{v}");
    assert_eq!(v["counts"]["unmatched"], 3, "{v}");
    assert!(!text(&o).contains("ACK-NONE"), "{}", text(&o));
}
