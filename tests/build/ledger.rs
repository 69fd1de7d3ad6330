//! Builds against the ledger: nothing sent twice, a changed claim held until
//! replaced or resent, control numbers never reused and where they start, a
//! locked ledger, a missing ledger folder, and runs that could not start.

use super::*;

#[test]
fn rerun_sends_nothing_twice() {
    let dir = setup();
    assert_eq!(code(&build(dir.path(), &fixture("build/clean.csv"), &[])), 0);
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("already sent: 5 claim(s)"),
        "{}",
        text(&o)
    );
    assert_eq!(x12_files(&dir.path().join("out")).len(), 1, "no second 837");
    let m = manifest(dir.path());
    assert_eq!(m["counts"]["sent"], 0);
    assert_eq!(m["counts"]["already_sent"], 5);
    assert_eq!(m["control_numbers"]["isa13"], serde_json::Value::Null);
}

/// The clean fixture with CF1005's charge changed (and optionally its frequency).
fn changed_export(dir: &Path, replacement: bool) -> String {
    let input = fs::read_to_string(fixture("build/clean.csv")).unwrap();
    let mut out = String::new();
    for line in input.lines() {
        let mut l = line.to_string();
        if l.starts_with("CF1005,") {
            l = l.replace(",160,", ",175,");
            if replacement {
                // place_of_service,frequency,original_ref
                l = l.replace(",22,,,", ",22,7,ICN555,");
            }
        }
        out.push_str(&l);
        out.push('\n');
    }
    let path = dir.join(if replacement { "replacement.csv" } else { "changed.csv" });
    fs::write(&path, out).unwrap();
    path.display().to_string()
}

#[test]
fn changed_claim_after_sending_is_held_until_replacement_or_resend() {
    let dir = setup();
    assert_eq!(code(&build(dir.path(), &fixture("build/clean.csv"), &[])), 0);
    let changed = changed_export(dir.path(), false);
    let o = build(dir.path(), &changed, &[]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let rejects = fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    let rule = "E-LEDGER-001";
    let line = rejects.lines().find(|l| l.contains(rule)).unwrap();
    assert!(line.starts_with("CF1005,"), "{line}");
    assert!(line.contains("frequency 7"), "{line}");
    assert_eq!(x12_files(&dir.path().join("out")).len(), 1);
    assert!(dir.path().join("out/held/changed.csv").exists());

    // A replacement (frequency 7) goes, in a new interchange.
    let repl = changed_export(dir.path(), true);
    let o = build(dir.path(), &repl, &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let files = x12_files(&dir.path().join("out"));
    assert_eq!(files.len(), 2);
    assert!(files[1].ends_with("claims-000000002.x12"));
    keep("build-replacement.x12", &files[1]);
    let sent = fs::read_to_string(&files[1]).unwrap();
    assert!(sent.contains("CLM*CF1005*175***22:B:7*"), "{sent}");
    assert!(sent.contains("REF*F8*ICN555~"));
    assert!(!sent.contains("CLM*CF1001*"), "unchanged claims are not re-sent");

    // --resend sends the changed original again, deliberately.
    let o = build(dir.path(), &changed, &["--resend"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let files = x12_files(&dir.path().join("out"));
    assert_eq!(files.len(), 3);
    assert!(files[2].ends_with("claims-000000003.x12"));
    assert_eq!(manifest(dir.path())["counts"]["sent"], 5);
    keep("build-resend.x12", &files[2]);
}

#[test]
fn control_numbers_increase_and_are_never_reused() {
    let dir = setup();
    let ledger = dir.path().join("ledger.db");
    let ledger = ledger.to_str().unwrap();
    assert_eq!(code(&build(dir.path(), &fixture("build/clean.csv"), &["--ledger", ledger])), 0);
    // Burn a number as a crashed run would (allocated, file never written).
    {
        let mut l = claimflow::ledger::Ledger::open(Path::new(ledger)).unwrap();
        assert_eq!(l.allocate_control_numbers(1).unwrap(), (2, 2));
    }
    let changed = changed_export(dir.path(), false);
    let o = build(dir.path(), &changed, &["--ledger", ledger, "--resend"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert_eq!(manifest(dir.path())["control_numbers"]["isa13"], "000000003");
    let f = dir.path().join("out/claims-000000003.x12");
    let s = fs::read_to_string(&f).unwrap();
    assert!(
        s.contains("*000000003*0*T*:~")
            && s.contains("GS*HC*TESTSUBMITTER*TESTCLEARING*20251201*0200*3*X*005010X222A1~")
    );
    assert!(!dir.path().join("claimflow.db").exists(), "--ledger was used, not the default");
}

#[test]
fn second_run_on_a_locked_ledger_exits_2_and_writes_nothing() {
    let dir = setup();
    let lock_file = dir.path().join("claimflow.db.lock");
    // A live process holds the lock: this test process.
    let held = claimflow::ledger::LockFile::acquire(&dir.path().join("claimflow.db")).unwrap();
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("in use by another claimflow run"), "{}", text(&o));
    assert!(stderr.contains(&format!("(pid {}, lock file ", std::process::id())), "{}", text(&o));
    assert!(stderr.contains("released automatically when that process ends"), "{}", text(&o));
    assert!(!dir.path().join("out").exists(), "nothing written");
    drop(held);
    // A lock file left behind by a dead process (its pid, no lock held) does
    // not block, and is left in place after the run.
    fs::write(&lock_file, "99999999\n").unwrap();
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(lock_file.exists(), "the lock file is not deleted");
}

#[test]
fn ledger_in_a_missing_folder_creates_the_folder() {
    let dir = setup();
    let o =
        build(dir.path(), &fixture("build/clean.csv"), &["--ledger", "newdir/sub/claimflow.db"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(dir.path().join("newdir/sub/claimflow.db").is_file());
}

#[test]
fn could_not_run_exits_2_with_nothing_written() {
    let dir = setup();
    let o = build(dir.path(), "missing.csv", &[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(!dir.path().join("out").exists());
    let o = build(dir.path(), &fixture("build/clean.csv"), &["--config", "nope.toml"]);
    assert_eq!(code(&o), 2);
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.toml"));
    let o = build(dir.path(), &fixture("build/clean.csv"), &["--now", "yesterday"]);
    assert_eq!(code(&o), 2);
    assert!(!dir.path().join("out").exists());
    // Not a CSV at all.
    fs::write(dir.path().join("junk.csv"), b"\x00\x01\x02 not,a\ncsv").unwrap();
    let o = build(dir.path(), "junk.csv", &[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(!dir.path().join("out").exists());
}

/// The config of `dir` with `control_number_start = N` under `[interchange]`.
fn set_control_number_start(dir: &Path, n: u32) {
    let path = dir.join("claimflow.toml");
    let text: String = fs::read_to_string(&path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("control_number_start"))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = text.replacen(
        "[interchange]\n",
        &format!("[interchange]\ncontrol_number_start = {n}\n"),
        1,
    );
    fs::write(&path, text).unwrap();
}

#[test]
fn control_number_start_is_where_a_new_ledger_begins_and_never_goes_back() {
    let dir = setup();
    set_control_number_start(dir.path(), 41000);
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let files = x12_files(&dir.path().join("out"));
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with("claims-000041000.x12"), "{files:?}");
    let x12 = fs::read_to_string(&files[0]).unwrap();
    assert!(x12.contains("*000041000*0*T*"), "ISA13");
    assert!(x12.contains("*41000*X*005010X222A1~"), "GS06");
    assert_eq!(manifest(dir.path())["control_numbers"]["isa13"], "000041000");

    // The ledger has issued numbers now: a higher start is ignored, with a
    // note, and numbers go on from the last one.
    set_control_number_start(dir.path(), 50000);
    let o = build(dir.path(), &fixture("build/clean.csv"), &["--resend"]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains(
            "claimflow: warning: control_number_start 50000 is ignored: this ledger has already issued control numbers up to 41000, and numbers go on from there [BUILD-ISA13-START]"
        ),
        "{}",
        text(&o)
    );
    assert_eq!(manifest(dir.path())["control_numbers"]["isa13"], "000041001");
}

#[test]
fn control_number_start_out_of_range_is_a_config_error() {
    let dir = setup();
    set_control_number_start(dir.path(), 0);
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 2, "{}", text(&o));
    assert!(text(&o).contains("interchange.control_number_start"), "{}", text(&o));
    assert!(!dir.path().join("claimflow.db").exists());
}
