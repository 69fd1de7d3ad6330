//! A build that crashes before, during or after writing: nothing sent twice,
//! control numbers burnt, a renamed file counted as sent.

use super::*;

fn crash_build(dir: &Path, input: &str, at: &str) -> Output {
    let mut cmd = claimflow(dir);
    cmd.args(["build", input, "--out", "out", "--now", NOW]);
    cmd.env("CLAIMFLOW_TEST_CRASH_AT", at);
    let o = cmd.output().unwrap();
    crate::util::keep_all_837(&dir.join("out"));
    o
}

#[test]
fn crash_before_the_rename_sends_nothing_and_burns_the_number() {
    for at in ["allocated", "pending"] {
        let dir = setup();
        let o = crash_build(dir.path(), &fixture("build/clean.csv"), at);
        assert!(!o.status.success(), "{at}: the run must have aborted");
        let out = dir.path().join("out");
        assert!(x12_files(&out).is_empty(), "{at}: no 837 may appear");
        // The aborted run left its lock file, but the kernel released its lock.
        assert!(dir.path().join("claimflow.db.lock").exists(), "{at}");
        // The next run (not blocked by that file) sends everything, with a
        // new ISA13, and clears the temp file.
        let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
        assert_eq!(code(&o), 0, "{at}: {}", text(&o));
        let m = manifest(dir.path());
        assert_eq!(m["counts"]["sent"], 5, "{at}");
        assert_eq!(m["control_numbers"]["isa13"], "000000002", "{at}: 1 was burnt");
        assert_eq!(temp_files(&out), 0, "{at}");
        if at == "pending" {
            assert!(String::from_utf8_lossy(&o.stderr).contains("has no file"), "{}", text(&o));
        }
    }
}

#[test]
fn crash_between_ledger_batches_sends_nothing_and_burns_the_number() {
    let dir = setup();
    let mut cmd = claimflow(dir.path());
    cmd.args(["build", &fixture("build/clean.csv"), "--out", "out", "--now", NOW]);
    // 5 claims in batches of 2: the abort comes after the first batch.
    cmd.env("CLAIMFLOW_TEST_LEDGER_BATCH", "2").env("CLAIMFLOW_TEST_CRASH_AT", "batch");
    let o = cmd.output().unwrap();
    assert!(!o.status.success(), "the run must have aborted");
    let out = dir.path().join("out");
    assert!(x12_files(&out).is_empty(), "no 837 may appear");
    // Batches of 2 again, no crash: the half-recorded submission is
    // abandoned, every claim goes with a new ISA13 and is recorded.
    let mut cmd = claimflow(dir.path());
    cmd.args(["build", &fixture("build/clean.csv"), "--out", "out", "--now", NOW]);
    let o = cmd.env("CLAIMFLOW_TEST_LEDGER_BATCH", "2").output().unwrap();
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has no file"), "{}", text(&o));
    let m = manifest(dir.path());
    assert_eq!(m["counts"]["sent"], 5);
    assert_eq!(m["control_numbers"]["isa13"], "000000002", "1 was burnt");
    assert_eq!(temp_files(&out), 0);
    // All three batches were recorded: nothing goes twice.
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(manifest(dir.path())["counts"]["already_sent"], 5);
    assert_eq!(x12_files(&out).len(), 1, "nothing sent twice");
}

#[test]
fn crash_after_the_rename_counts_the_file_as_sent() {
    let dir = setup();
    let o = crash_build(dir.path(), &fixture("build/clean.csv"), "renamed");
    assert!(!o.status.success());
    let files = x12_files(&dir.path().join("out"));
    assert_eq!(files.len(), 1, "the file was renamed into place");
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("recorded as sent"), "{}", text(&o));
    assert_eq!(manifest(dir.path())["counts"]["already_sent"], 5);
    assert_eq!(x12_files(&dir.path().join("out")).len(), 1, "nothing sent twice");
}
