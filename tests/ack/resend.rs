//! Sending again after a front-end rejection: a corrected claim as an
//! original once, a claim rejected with its set or its interchange as it was.

use super::*;

#[test]
fn a_rejected_claim_goes_again_as_an_original_once_corrected() {
    let dir = built();
    ack(dir.path(), &[&fixture("ack/clean.277")]);
    // Unchanged: held back with a finding naming the rejection.
    let same = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "again", "--now", "2025-12-03"],
    );
    assert_eq!(same.status.code(), Some(1), "{}", text(&same));
    let rejects = fs::read_to_string(dir.path().join("again/rejects.csv")).unwrap();
    let rule = "E-LEDGER-002";
    assert!(rejects.contains(&format!("CF1002,4,,{rule},error,")), "{rejects}");
    assert!(rejects.contains("CF1002,4,,E-LEDGER-002,error,\"claim CF1002 was rejected at the front end (277CA claim rejected by TESTPAYER1 (A3:21:PR A7:164:IL"), "{rejects}");
    // Corrected (a new member id): sent as an original, frequency 1.
    let fixed = dir.path().join("fixed.csv");
    let csv: String = fs::read_to_string(fixture("build/clean.csv"))
        .unwrap()
        .lines()
        .map(|l| if l.starts_with("CF1002,") { l.replace(",MEM2002,", ",MEM2012,") } else { l.into() } + "\n")
        .collect();
    fs::write(&fixed, csv).unwrap();
    let o = run(
        dir.path(),
        &["build", fixed.to_str().unwrap(), "--out", "fixed", "--now", "2025-12-04"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    keep_all_837(&dir.path().join("fixed"));
    let x12 = fs::read_to_string(dir.path().join("fixed/claims-000000002.x12")).unwrap();
    assert!(x12.contains("CLM*CF1002*409.7***11:B:1*"), "{x12}");
    assert_eq!(x12.matches("CLM*").count(), 1, "only the corrected claim goes");
    let s = run(dir.path(), &["status", "CF1002", "--history"]);
    let s = String::from_utf8_lossy(&s.stdout);
    assert!(s.starts_with("CF1002 TESTPAYER1: sent (charge 409.70, sent 2025-12-04)"), "{s}");
    assert!(s.contains("sent again as an original after a front-end rejection"), "{s}");
    // A 999 for the new file matches the new submission.
    assert_eq!(count(dir.path(), "SELECT submission_id FROM claims WHERE claim_id = 'CF1002'"), 2);
}

/// A 999 rejecting set 0002 for an error in CF1005: CF1004, rejected only
/// with its set, is sent again as it is by the next build, with nothing
/// else; CF1005 still needs its correction.
#[test]
fn a_claim_rejected_only_with_its_set_is_sent_again_as_is() {
    let dir = built();
    let d = dir.path();
    ack(d, &[&fixture("ack/clean-errors.999")]);
    let w = run(d, &["status", "--worklist", "--now", "2025-12-02", "--json"]);
    let items: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
    let action = |id: &str| {
        items.as_array().unwrap().iter().find(|i| i["claim_id"] == id).unwrap()["next_action"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(action("CF1004"), "resend as is");
    assert_eq!(action("CF1005"), "correct and resubmit");
    let o =
        run(d, &["build", &fixture("build/clean.csv"), "--out", "again", "--now", "2025-12-03"]);
    assert_eq!(o.status.code(), Some(1), "CF1005 is held\n{}", text(&o));
    keep_all_837(&d.join("again"));
    let rejects = fs::read_to_string(d.join("again/rejects.csv")).unwrap();
    assert!(rejects.contains("CF1005") && rejects.contains("E-LEDGER-002"), "{rejects}");
    assert!(!rejects.contains("CF1004"), "{rejects}");
    let first = fs::read_to_string(d.join("out/claims-000000001.x12")).unwrap();
    let x12 = fs::read_to_string(d.join("again/claims-000000002.x12")).unwrap();
    let clm = |x: &str| -> Vec<String> {
        x.lines().filter(|l| l.starts_with("CLM*")).map(str::to_string).collect()
    };
    let was = clm(&first).into_iter().find(|l| l.starts_with("CLM*CF1004*")).unwrap();
    assert_eq!(clm(&x12), [was], "only CF1004, as it was");
    let s = run(d, &["status", "CF1004", "--history"]);
    let s = String::from_utf8_lossy(&s.stdout);
    assert!(s.starts_with("CF1004 TESTPAYER1: resent (charge 85.00, sent 2025-12-03)"), "{s}");
    assert!(
        s.contains("sent again as is: its set or interchange was rejected, not the claim"),
        "{s}"
    );
    let o = run(d, &["validate", "again/claims-000000002.x12"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

/// A TA1 rejecting the interchange rejects no claim's content: the next
/// build sends all five again as they are, without --resend.
#[test]
fn claims_rejected_with_their_interchange_are_sent_again_as_is() {
    let dir = built();
    let d = dir.path();
    ack(d, &[&fixture("ack/clean-rejected.ta1")]);
    let o =
        run(d, &["build", &fixture("build/clean.csv"), "--out", "again", "--now", "2025-12-03"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    keep_all_837(&d.join("again"));
    let x12 = fs::read_to_string(d.join("again/claims-000000002.x12")).unwrap();
    assert_eq!(x12.matches("CLM*").count(), 5);
    assert!(statuses(d).iter().all(|(_, s)| s == "resent"), "{:?}", statuses(d));
    assert_eq!(
        count(d, "SELECT COUNT(*) FROM claim_history WHERE status = 'resent' AND detail LIKE 'sent again as is%'"),
        5
    );
}
