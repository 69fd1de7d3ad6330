//! `claimflow ack` and `claimflow status`: TA1, 999 and 277CA intake
//! against a ledger the build test export filled, bad input, the status
//! story and worklist, resubmission after a front-end rejection, and the
//! whole path of the README (build, ack, status, fix, build, reconcile).
//!
//! Every 837 produced is kept for the pyx12 oracle (`scripts/test.sh`);
//! the acknowledgment fixtures are checked by pyx12 there too.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

mod claim_status;
mod interchange;
mod resend;

/// A temp dir with the build test config copied in and `build/clean.csv`
/// built into `out/` (ledger `claimflow.db` beside the config): five
/// claims, two sets (0001: CF1001-CF1003, 0002: CF1004-CF1005), ISA13 1,
/// GS06 1.
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "out", "--now", "2025-12-01T02:00"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    keep_all_837(&dir.path().join("out"));
    dir
}

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

fn ack(dir: &Path, files: &[&str]) -> Output {
    let mut args = vec!["ack"];
    args.extend_from_slice(files);
    args.extend_from_slice(&["--out", "acks", "--now", "2025-12-02"]);
    run(dir, &args)
}

/// `claim_id -> status` of every claim in the ledger, sorted.
fn statuses(dir: &Path) -> Vec<(String, String)> {
    let o = run(dir, &["status", "CF1001", "CF1002", "CF1003", "CF1004", "CF1005", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| (c["claim_id"].as_str().unwrap().into(), c["status"].as_str().unwrap().into()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn count(dir: &Path, sql: &str) -> i64 {
    let db = rusqlite::Connection::open(dir.join("claimflow.db")).unwrap();
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// acks.csv rows as (claim_id, status, detail, recorded).
fn rows(dir: &Path) -> Vec<(String, String, String, String)> {
    let mut r = csv::Reader::from_path(dir.join("acks/acks.csv")).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            (rec[4].to_string(), rec[6].to_string(), rec[7].to_string(), rec[10].to_string())
        })
        .collect()
}

#[test]
fn bad_input_is_located_reported_and_never_recorded_twice() {
    let dir = built();
    // A 277CA for a claim never sent, a 999 for a group never sent.
    let o =
        ack(dir.path(), &[&fixture("ack/unknown-claim.277"), &fixture("ack/unknown-group.999")]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("unknown-claim.277:segment 20 (byte 594): 277CA claim ZZ9999: no claim with this id was sent [ACK-UNMATCHED]"), "{s}");
    assert!(s.contains("unknown-group.999:segment 5 (byte 224): 999 GS06 77 ST02 0001: no file sent with this group control number [ACK-UNMATCHED]"), "{s}");
    assert!(s.contains("unmatched acknowledgment(s): 2"), "{s}");
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM acknowledgments"), 0);
    let r = rows(dir.path());
    assert_eq!(r.len(), 2);
    assert!(r.iter().all(|x| x.1 == "unmatched" && x.3 == "not recorded"));
    // A truncated 277CA: located, nothing of its set recorded; the whole
    // file later records once.
    let t = ack(dir.path(), &[&fixture("ack/bad/truncated.277")]);
    assert_eq!(t.status.code(), Some(1), "{}", text(&t));
    let s = String::from_utf8_lossy(&t.stdout);
    assert!(s.contains("[X12-SE-MISSING]"), "{s}");
    assert!(s.contains("truncated.277:segment 20 (byte 600): 277CA claim CF1001: its transaction set has no SE"), "{s}");
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM acknowledgments"), 0);
    assert_eq!(statuses(dir.path())[0], ("CF1001".to_string(), "sent".to_string()));
    let full = ack(dir.path(), &[&fixture("ack/clean.277"), &fixture("ack/clean.277")]);
    assert_eq!(full.status.code(), Some(1), "{}", text(&full));
    let s = String::from_utf8_lossy(&full.stdout);
    assert!(s.contains("recorded 5 acknowledgment(s), 5 claim event(s)"), "{s}");
    assert!(s.contains("5 acknowledgment(s) already recorded"), "the same file twice: {s}");
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM claim_acks"), 5);
    // An unreadable file among good ones: reported, exit 1; alone: exit 2.
    let some = ack(dir.path(), &["missing.999", &fixture("ack/clean-accepted.999")]);
    assert_eq!(some.status.code(), Some(1), "{}", text(&some));
    let out = String::from_utf8_lossy(&some.stdout);
    assert!(
        out.contains("missing.999: unreadable: ") && out.contains("[FILE-UNREADABLE]"),
        "{out}"
    );
    let none = ack(dir.path(), &["missing.999"]);
    assert_eq!(none.status.code(), Some(2), "{}", text(&none));
    // An 835 is named as one, with the command that reads it (file_kinds.rs).
    let not_ack = ack(dir.path(), &[&fixture("835/demo.835")]);
    assert_eq!(not_ack.status.code(), Some(2), "{}", text(&not_ack));
    assert!(String::from_utf8_lossy(&not_ack.stderr).contains("`claimflow reconcile` reads it"));
}

#[test]
fn status_counts_stories_as_json_and_claims_never_acknowledged() {
    let dir = built();
    let o = run(dir.path(), &["status"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("TESTMCARE        sent                            1          63.25"), "{s}");
    // CF1004 went as a replacement (frequency 7): its status says so.
    assert!(s.contains("TESTPAYER1       sent                            3         742.20"), "{s}");
    assert!(s.contains("TESTPAYER1       replacement                     1          85.00"), "{s}");
    ack(dir.path(), &[&fixture("ack/clean.277")]);
    let j = run(dir.path(), &["status", "CF1002", "NOPE", "--json"]);
    assert_eq!(j.status.code(), Some(2), "an unknown id\n{}", text(&j));
    assert!(String::from_utf8_lossy(&j.stderr).contains("claim NOPE: not in the ledger"));
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    let c = &v[0];
    assert_eq!(c["claim_id"], "CF1002");
    assert_eq!(c["payer_id"], "TESTPAYER1");
    assert_eq!(c["status"], "rejected");
    let h = c["history"].as_array().unwrap();
    assert_eq!(h.len(), 2);
    assert_eq!(h[0]["source"], "build");
    assert_eq!(h[0]["status"], "sent");
    assert!(h[0]["detail"].as_str().unwrap().contains("(ISA13 000000001, GS06 1, ST02 0001)"));
    assert_eq!(h[1]["at"], "2025-12-02T00:00:00");
    assert_eq!(h[1]["source"], "ack");
    assert!(h[1]["detail"]
        .as_str()
        .unwrap()
        .starts_with("277CA claim rejected by TESTPAYER1 (A3:21:PR A7:164:IL"));
    // A fresh build never acknowledged: on the worklist after ack_days (2).
    let fresh = built();
    let w = run(fresh.path(), &["status", "--worklist", "--now", "2025-12-03"]);
    assert_eq!(w.status.code(), Some(0), "2 days is not late\n{}", text(&w));
    let w = run(fresh.path(), &["status", "--worklist", "--now", "2025-12-04", "--json"]);
    assert_eq!(w.status.code(), Some(1), "{}", text(&w));
    let items: serde_json::Value = serde_json::from_slice(&w.stdout).unwrap();
    let items = items.as_array().unwrap();
    assert_eq!(items.len(), 5);
    assert_eq!(items[0]["claim_id"], "CF1002", "largest first");
    assert_eq!(items[0]["next_action"], "check with the clearinghouse");
    assert!(items[0]["reason"]
        .as_str()
        .unwrap()
        .starts_with("no 999 or 277CA 3 day(s) after it was sent in claims-000000001.x12"));
}

/// The README's path on the demo fixtures: build, ack (999 + 277CA with one
/// rejection), status shows it, fix the row, build sends it again as an
/// original, reconcile, status `paid`.
#[test]
fn the_whole_path_from_the_readme() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = fixture("claimflow.toml");
    let demo = fixture("encounters/demo.csv");
    let with = |args: &[&str]| {
        let mut a = args.to_vec();
        a.extend_from_slice(&["--config", &cfg, "--ledger", "out/claimflow.db"]);
        run(d, &a)
    };
    let b = with(&["build", &demo, "--out", "out", "--now", "2026-11-27"]);
    assert_eq!(b.status.code(), Some(1), "held-back claims\n{}", text(&b));
    let a = with(&[
        "ack",
        &fixture("ack/demo.999"),
        &fixture("ack/demo.277"),
        "--out",
        "out/acks",
        "--now",
        "2026-11-28",
    ]);
    assert_eq!(a.status.code(), Some(1), "{}", text(&a));
    assert!(String::from_utf8_lossy(&a.stdout).contains(
        "rejected: claim D1002 (DEMOPAYER1): 277CA claim rejected by DEMOPAYER1 (A7:164:IL"
    ));
    let w = with(&["status", "--worklist", "--now", "2026-11-28"]);
    let ws = String::from_utf8_lossy(&w.stdout);
    assert!(
        ws.starts_with("D1002 DEMOPAYER1 rejected for 0 day(s), 185.00: 277CA claim rejected by DEMOPAYER1 (A7:164:IL [rejected: information invalid: member or contract number of the subscriber]"),
        "{ws}"
    );
    assert!(ws.contains("worklist: 1 claim(s), 185.00"), "{ws}");
    // Fix the row (the member id the payer could not find) and build again.
    let fixed = fs::read_to_string(&demo).unwrap().replace(",DEMO00002,", ",DEMO00021,");
    fs::write(d.join("demo-fixed.csv"), fixed).unwrap();
    let b2 = with(&["build", "demo-fixed.csv", "--out", "out/fixed", "--now", "2026-11-30"]);
    assert_eq!(b2.status.code(), Some(1), "{}", text(&b2));
    let s = String::from_utf8_lossy(&b2.stdout);
    assert!(
        s.starts_with("sent 1 claim(s), 2 line(s), 185.00 in out/fixed/claims-000000002.x12"),
        "{s}"
    );
    keep_all_837(&d.join("out"));
    let x12 = fs::read_to_string(d.join("out/fixed/claims-000000002.x12")).unwrap();
    assert!(x12.contains("CLM*D1002*185***11:B:1*"), "an original, frequency 1");
    let r =
        with(&["reconcile", &fixture("835/demo.835"), "--out", "out/recon", "--now", "2026-12-15"]);
    assert_eq!(r.status.code(), Some(1), "the demo's denial\n{}", text(&r));
    let st = with(&["status", "D1002", "--history"]);
    assert_eq!(st.status.code(), Some(0), "{}", text(&st));
    let s = String::from_utf8_lossy(&st.stdout);
    assert!(s.starts_with("D1002 DEMOPAYER1: paid (charge 185.00, sent 2026-11-30)"), "{s}");
    // Who owes what, then the story.
    assert_eq!(
        s.lines().nth(1),
        Some("  standing: DEMOPAYER1 paid 150.00; nothing to bill: patient balance 0.00 (share 0.00, paid at the visit 0.00)"),
        "{s}"
    );
    let sources: Vec<&str> =
        s.lines().skip(2).map(|l| l.split_whitespace().nth(1).unwrap_or("")).collect();
    assert_eq!(sources, ["build", "ack", "ack", "build", "remittance"], "{s}");
    // Payments are named by their check/EFT trace, never by a ledger row id.
    assert!(s.contains("paid                   835 payment, check/EFT trace "), "{s}");
    assert!(!s.contains(" #"), "{s}");
    let w = with(&["status", "--worklist", "--now", "2026-12-15"]);
    let ws = String::from_utf8_lossy(&w.stdout);
    assert!(
        ws.starts_with("D1006 DEMOPAYER1 denied for 0 day(s), 1375.00: denied in 835 trace"),
        "{ws}"
    );
    assert!(ws.contains("medical necessity (CO-50) -> appeal"), "{ws}");
}

/// The public 999 and 277CA samples (`CLAIMFLOW_SAMPLES`, when present):
/// each is read without a crash, every acknowledgment in it is found (and,
/// against an empty ledger, reported unmatched with exit 1), nothing is
/// recorded.
#[test]
fn public_acknowledgment_samples_are_read_and_reported() {
    let Some(samples) = std::env::var_os("CLAIMFLOW_SAMPLES").map(std::path::PathBuf::from) else {
        return;
    };
    if !samples.is_dir() {
        return;
    }
    // file, 999 set responses, 277CA claim statuses, 277CA batch or
    // provider rejections.
    let expected: &[(&str, usize, usize, usize)] = &[
        ("999/999-accepted-from-imsweb.txt", 1, 0, 0),
        ("999/999-invalid-ik5-before-ak1-ctx-repetitions-from-staedi.edi", 3, 0, 0),
        ("999/999-minimal-gs08-005010-for-270-from-aurelianware.edi", 1, 0, 0),
        ("999/999-partial-accept-3-837s-ik3-ik4-ctx-tr3-from-stupidedi.edi", 3, 0, 0),
        ("999/999-rejected-ik3-pipe-component-from-imsweb.txt", 1, 0, 0),
        ("999/999-repetition-bang-for-834-from-pyx12.txt", 1, 0, 0),
        ("999/999-two-gs-four-st-for-834-from-pyx12.txt", 4, 0, 0),
        ("277ca/277ca-accepted-a1-a2-from-imsweb.txt", 0, 1, 0),
        (
            "277ca/277ca-clearinghouse-some-claims-rejected-prose-header-tr3-from-stupidedi.edi",
            0,
            3,
            0,
        ),
        ("277ca/277ca-garbage-values-iea-mismatch-from-oopfactory.txt", 0, 1, 0),
        ("277ca/277ca-masked-real-x9-status-from-oopfactory.txt", 0, 3, 0),
        (
            "277ca/277ca-payer-accepts-and-rejects-claims-prose-header-tr3-from-stupidedi.edi",
            0,
            5,
            0,
        ),
        // Its second provider (2200C, no claims under it) is rejected: one
        // more acknowledgment, unmatched like the rest.
        ("277ca/277ca-payer-multi-provider-prose-header-tr3-from-stupidedi.edi", 0, 5, 1),
        ("277ca/277ca-rejected-a7-pipe-component-no-newlines-from-imsweb.txt", 0, 1, 0),
    ];
    let dir = tempfile::tempdir().unwrap();
    drop(claimflow::ledger::Ledger::open(&dir.path().join("claimflow.db")).unwrap());
    for (name, sets, claims, batches) in expected {
        let path = samples.join(name);
        if !path.exists() {
            continue;
        }
        let o = run(
            dir.path(),
            &[
                "ack",
                path.to_str().unwrap(),
                "--ledger",
                "claimflow.db",
                "--json",
                "--now",
                "2026-01-01",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{name}\n{}", text(&o));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(r["counts"]["sets"], *sets, "{name}");
        assert_eq!(r["counts"]["claim_statuses"], *claims, "{name}");
        assert_eq!(r["counts"]["batches_rejected"], *batches, "{name}");
        assert_eq!(r["counts"]["unmatched"], sets + claims + batches, "{name}");
    }
    assert_eq!(count(dir.path(), "SELECT COUNT(*) FROM acknowledgments"), 0);
}
