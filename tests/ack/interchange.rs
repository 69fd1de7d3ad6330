//! TA1 and 999 acknowledgments: a file accepted once, IK3 errors given to the
//! claim their segment belongs to, a rejected interchange, and a claim a 999
//! alone accepted followed up after `ack_days`.

use super::*;

#[test]
fn a_ta1_and_a_999_accept_every_claim_of_the_file_once() {
    let dir = built();
    let o = ack(dir.path(), &[&fixture("ack/clean-accepted.999")]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("read 1 file(s): 1 TA1, 2 999 set response(s), 0 277CA"), "{s}");
    assert!(s.contains("999 sets: accepted 2, accepted with errors 0, rejected 0"), "{s}");
    assert!(
        s.contains("recorded 3 acknowledgment(s), 10 claim event(s), 5 status change(s)"),
        "{s}"
    );
    let all = ["CF1001", "CF1002", "CF1003", "CF1004", "CF1005"];
    let accepted: Vec<(&str, &str)> = all.iter().map(|c| (*c, "accepted")).collect();
    assert_eq!(statuses(dir.path()), pairs(&accepted));
    // The TA1 accepted the interchange: an event, no status of its own.
    let ta1 = rows(dir.path()).into_iter().filter(|r| r.1 == "sent").count();
    assert_eq!(ta1, 5);
    // The same file again records nothing and says so.
    let again = ack(dir.path(), &[&fixture("ack/clean-accepted.999")]);
    assert_eq!(again.status.code(), Some(0), "{}", text(&again));
    assert!(String::from_utf8_lossy(&again.stdout)
        .contains("3 acknowledgment(s) already recorded: nothing recorded again"));
    assert!(rows(dir.path()).iter().all(|r| r.3 == "already"));
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM claim_acks"), 10);
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM claim_events WHERE source = 'ack'"), 10);
}

#[test]
fn a_999_gives_each_ik3_error_to_the_claim_its_segment_belongs_to() {
    let dir = built();
    let o = ack(dir.path(), &[&fixture("ack/clean-errors.999")]);
    assert_eq!(o.status.code(), Some(1), "a rejected set needs a person\n{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("999 sets: accepted 0, accepted with errors 1, rejected 1"), "{s}");
    let r = rows(dir.path());
    let detail = |id: &str| r.iter().find(|x| x.0 == id).unwrap().2.clone();
    // Set 0001, IK5 E: segment 26 is in CF1001's service lines; segment 44
    // in CF1002's patient loop.
    assert!(detail("CF1001")
        .contains("segment 26 DTP (loop 2400): IK304 8; element 3 (ref 1251) IK403 8"));
    assert!(!detail("CF1001").contains("segment 44"));
    assert!(detail("CF1002").contains("segment 44 N4 (loop 2010)"), "{}", detail("CF1002"));
    assert!(!detail("CF1003").contains("segment"), "{}", detail("CF1003"));
    // Set 0002, IK5 R: every claim rejected; the SV1 error is CF1005's.
    assert!(detail("CF1005").contains("set rejected (GS06 1 ST02 0002, IK5 R 5); segment 43 SV1"));
    assert!(!detail("CF1004").contains("SV1"), "{}", detail("CF1004"));
    assert_eq!(
        statuses(dir.path()),
        pairs(&[
            ("CF1001", "accepted"),
            ("CF1002", "accepted"),
            ("CF1003", "accepted"),
            ("CF1004", "rejected"),
            ("CF1005", "rejected"),
        ])
    );
    // No IK404 (a copy of the bad data, maybe a member id) is kept.
    assert!(!fs::read_to_string(dir.path().join("acks/acks.csv")).unwrap().contains("MEM"));
}

#[test]
fn a_ta1_rejection_rejects_every_claim_of_the_interchange() {
    let dir = built();
    let o = ack(dir.path(), &[&fixture("ack/clean-rejected.ta1")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("interchanges rejected (TA1): 1"), "{s}");
    let all = ["CF1001", "CF1002", "CF1003", "CF1004", "CF1005"];
    let rejected: Vec<(&str, &str)> = all.iter().map(|c| (*c, "rejected")).collect();
    assert_eq!(statuses(dir.path()), pairs(&rejected));
    let r = rows(dir.path());
    assert!(r
        .iter()
        .any(|x| x.0 == "CF1003"
            && x.2 == "interchange rejected (ISA13 000000001, TA104 R TA105 024)"));
    assert!(r.iter().any(|x| x.0 == "CF1003" && x.2.starts_with("set rejected (GS06 1, AK9 R")));
}

/// A claim a 999 accepted and no 277CA confirmed is on the worklist after
/// the payer's ack_days (default 2).
#[test]
fn a_claim_accepted_by_a_999_alone_is_followed_up_after_ack_days() {
    let dir = built();
    let d = dir.path();
    ack(d, &[&fixture("ack/clean-accepted.999")]);
    let on = |now: &str| -> serde_json::Value {
        let w = run(d, &["status", "--worklist", "--now", now, "--json"]);
        serde_json::from_slice(&w.stdout).unwrap()
    };
    assert_eq!(on("2025-12-04").as_array().unwrap().len(), 0, "2 days after the 999");
    let items = on("2025-12-05");
    assert_eq!(items.as_array().unwrap().len(), 5, "{items}");
    let i = &items[0];
    assert_eq!(i["next_action"], "check with the clearinghouse", "{i}");
    assert!(i["reason"].as_str().unwrap().contains("no 277CA 3 day(s) later (ack_days 2)"), "{i}");
}
