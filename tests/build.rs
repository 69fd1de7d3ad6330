//! `claimflow build`: outputs, exit codes, golden file, ledger behaviour, lock.
//!
//! Every 837 produced is kept for the pyx12 oracle (`scripts/test.sh`).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{claimflow, fixture, keep_for_oracle, root};

const NOW: &str = "2025-12-01T02:00";

/// A temp dir with the build fixtures' config copied in (so the default
/// ledger `claimflow.db` lands beside it, inside the temp dir).
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    dir
}

fn build(dir: &Path, input: &str, extra: &[&str]) -> Output {
    let mut cmd = claimflow(dir);
    cmd.args(["build", input, "--out", "out", "--now", NOW]);
    cmd.args(extra);
    let o = cmd.output().unwrap();
    crate::util::keep_all_837(&dir.join("out"));
    o
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn x12_files(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(out)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "x12"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("out/manifest.json")).unwrap()).unwrap()
}

fn keep(name: &str, path: &Path) {
    keep_for_oracle("837", name, &fs::read(path).unwrap());
}

#[test]
fn builds_clean_export_into_valid_837p() {
    let dir = setup();
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let files = x12_files(&dir.path().join("out"));
    assert_eq!(files.len(), 1);
    assert!(files[0].ends_with("claims-000000001.x12"));
    keep("build-clean.x12", &files[0]);
    let bytes = fs::read(&files[0]).unwrap();
    let report = claimflow::validate::validate_file("clean", &bytes);
    assert!(report.is_valid(), "{:?}", report.findings);
    // 5 claims with max_claims_per_transaction = 3: two ST/SE sets.
    assert_eq!(report.sets, 2);
    let m = manifest(dir.path());
    assert_eq!(m["counts"]["sent"], 5);
    assert_eq!(m["counts"]["held"], 0);
    assert_eq!(m["counts"]["lines"], 10);
    assert_eq!(m["control_numbers"]["isa13"], "000000001");
    assert_eq!(m["control_numbers"]["st02"], serde_json::json!(["0001", "0002"]));
    assert_eq!(m["totals"]["sent_charge"], "890.45");
    assert_eq!(m["now"], "2025-12-01T02:00:00");
    let input_sha = m["inputs"][0]["sha256"].as_str().unwrap();
    assert_eq!(input_sha.len(), 64);
    let rejects = fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    assert!(rejects.starts_with("claim_id,row,column,rule,severity,message\n"));
    assert!(!dir.path().join("out/held/clean.csv").exists());
    assert!(String::from_utf8_lossy(&o.stdout).contains("sent 5 claim(s), 10 line(s), 890.45"));
}

#[test]
fn round_trip_reads_back_what_the_export_said() {
    let dir = setup();
    let o = build(dir.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let bytes = fs::read(&x12_files(&dir.path().join("out"))[0]).unwrap();
    let claims = claimflow::edi837::read_claims(&bytes).unwrap();
    assert_eq!(claims.len(), 5);
    let by_id = |id: &str| claims.iter().find(|c| c.claim_id == id).unwrap();
    let c = by_id("CF1002");
    assert_eq!(c.payer.id, "TESTPAYER1");
    assert_eq!(c.billing.npi, "1234567893");
    assert_eq!(c.billing.tax_id, "123456789");
    assert_eq!(c.patient.as_ref().unwrap().first, "CARLA");
    assert_eq!(c.prior_auth.as_deref(), Some("PA55501"));
    assert_eq!(c.referring.as_ref().unwrap().npi, "1245319599");
    assert_eq!(c.rendering.as_ref().unwrap().npi, "1679576722");
    assert_eq!(c.diagnoses, ["J069"]);
    let ids: Vec<&str> = c.lines.iter().map(|l| l.line_id.as_str()).collect();
    assert_eq!(ids, ["L1", "L2", "L3"]);
    assert_eq!(c.lines[1].procedure, "97110");
    assert_eq!(c.lines[1].modifiers, ["GP"]);
    assert_eq!(c.lines[1].units.to_string(), "3");
    assert_eq!(c.lines[1].service_date_end.unwrap().to_string(), "2025-11-04");
    assert_eq!(c.lines[2].ndc.as_deref(), Some("00003029328"));
    assert_eq!(c.lines[0].charge.to_string(), "185.5");
    let a = by_id("CF1001");
    assert_eq!(a.lines.len(), 3, "non-adjacent rows of one claim are one claim");
    assert_eq!(a.total_charge().to_string(), "172.5");
    assert_eq!(a.lines[0].modifiers, ["25"]);
    assert_eq!(a.lines[0].dx_pointers, [1, 2]);
    let d = by_id("CF1004");
    assert_eq!(d.frequency.code(), "7");
    assert_eq!(d.original_ref.as_deref(), Some("PAYERICN7788"));
    assert_eq!(d.lines[0].dx_pointers, [3, 1, 2]);
    assert_eq!(by_id("CF1003").payer.filing_indicator, "MB");
    assert_eq!(by_id("CF1005").place_of_service, "22");
}

#[test]
fn golden_file_is_byte_identical_on_rerun() {
    let golden = root().join("fixtures/golden/build-clean.837");
    let a = setup();
    let o = build(a.path(), &fixture("build/clean.csv"), &[]);
    assert_eq!(code(&o), 0, "{}", text(&o));
    let got = fs::read(a.path().join("out/claims-000000001.x12")).unwrap();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(golden.parent().unwrap()).unwrap();
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read(&golden).expect("golden file (UPDATE_GOLDEN=1 cargo test to create)");
    assert!(
        got == want,
        "output differs from {}:\n{}",
        golden.display(),
        String::from_utf8_lossy(&got)
    );
    // A fresh ledger and the same --now give the same bytes, manifest included.
    let b = setup();
    assert_eq!(code(&build(b.path(), &fixture("build/clean.csv"), &[])), 0);
    assert_eq!(fs::read(b.path().join("out/claims-000000001.x12")).unwrap(), got);
    // One worker thread gives the same bytes as many.
    let c = setup();
    let mut cmd = claimflow(c.path());
    cmd.args([
        "--threads",
        "1",
        "build",
        &fixture("build/clean.csv"),
        "--out",
        "out",
        "--now",
        NOW,
    ]);
    assert_eq!(code(&cmd.output().unwrap()), 0);
    assert_eq!(fs::read(c.path().join("out/claims-000000001.x12")).unwrap(), got);
    let strip = |d: &Path| {
        let mut m = manifest(d);
        m["inputs"][1]["path"] = serde_json::Value::Null;
        m
    };
    assert_eq!(strip(a.path()), strip(b.path()));
}

#[test]
fn holds_back_faulty_claims_with_rejects_and_rows() {
    let dir = setup();
    let o = build(dir.path(), &fixture("build/mixed.csv"), &[]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let files = x12_files(&dir.path().join("out"));
    keep("build-mixed.x12", &files[0]);
    let sent = fs::read_to_string(&files[0]).unwrap();
    assert!(sent.contains("CLM*CF1001*"));
    assert!(!sent.contains("BAD200"), "held claims must not be sent");
    let rejects = fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    for id in ["BAD2001", "BAD2002", "BAD2003"] {
        assert!(
            rejects.lines().any(|l| l.starts_with(id) && l.contains(",error,")),
            "{id}: {rejects}"
        );
    }
    // The held rows are the original rows, with the header, to fix and re-run.
    let held = fs::read_to_string(dir.path().join("out/held/mixed.csv")).unwrap();
    let input = fs::read_to_string(fixture("build/mixed.csv")).unwrap();
    let header = input.lines().next().unwrap();
    assert_eq!(held.lines().next().unwrap(), header);
    let held_rows: Vec<&str> = held.lines().skip(1).collect();
    let bad_rows: Vec<&str> = input.lines().filter(|l| l.starts_with("BAD")).collect();
    assert_eq!(held_rows, bad_rows);
    let m = manifest(dir.path());
    assert_eq!(m["counts"]["held"], 3);
    assert_eq!(m["counts"]["sent"], 5);
    assert_eq!(m["held_claims"], serde_json::json!(["BAD2001", "BAD2002", "BAD2003"]));
    // No PHI in what the run printed.
    let all = text(&o);
    for phi in ["TESTER", "ALICE", "SAMPLE", "1980-05-06", "MEM1001", "MEM2002"] {
        assert!(!all.contains(phi), "{phi} printed:\n{all}");
    }
}

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

#[cfg(unix)]
#[test]
fn outputs_are_private_and_leave_no_temp_files() {
    use std::os::unix::fs::PermissionsExt;
    let dir = setup();
    assert_eq!(code(&build(dir.path(), &fixture("build/mixed.csv"), &[])), 1);
    let out = dir.path().join("out");
    let mut names = Vec::new();
    for p in [out.clone(), out.join("held")] {
        for e in fs::read_dir(&p).unwrap().flatten() {
            if e.path().is_file() {
                let mode = e.metadata().unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", e.path().display());
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
    }
    names.sort();
    assert_eq!(names, ["claims-000000001.x12", "manifest.json", "mixed.csv", "rejects.csv"]);
}

#[test]
fn builds_the_demo_and_the_layout_export() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("claimflow.toml");
    let run = |args: &[&str]| {
        let mut cmd = claimflow(dir.path());
        cmd.args(["build", "--config", &config, "--ledger", "demo.db", "--now", "2026-11-27"]);
        cmd.args(args);
        cmd.output().unwrap()
    };
    let o = run(&[&fixture("encounters/demo.csv"), "--out", "demo"]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let files = x12_files(&dir.path().join("demo"));
    assert_eq!(files.len(), 1);
    keep("build-demo.x12", &files[0]);
    let m: serde_json::Value =
        serde_json::from_slice(&fs::read(dir.path().join("demo/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["counts"]["sent"], 7);
    assert_eq!(m["counts"]["held"], 15);
    let o = run(&[
        &fixture("layouts/acme-export.csv"),
        "--layout",
        &fixture("layouts/acme-pm.toml"),
        "--out",
        "acme",
    ]);
    assert_eq!(code(&o), 1, "{}", text(&o));
    let files = x12_files(&dir.path().join("acme"));
    assert!(files[0].ends_with("claims-000000002.x12"), "one ledger, next ISA13");
    keep("build-layout.x12", &files[0]);
    let claims = claimflow::edi837::read_claims(&fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(claims.len(), 4);
    let held = fs::read_to_string(dir.path().join("acme/held/acme-export.csv")).unwrap();
    let input = fs::read_to_string(fixture("layouts/acme-export.csv")).unwrap();
    assert_eq!(held.lines().next(), input.lines().next(), "held rows keep the export's own header");
}

fn crash_build(dir: &Path, input: &str, at: &str) -> Output {
    let mut cmd = claimflow(dir);
    cmd.args(["build", input, "--out", "out", "--now", NOW]);
    cmd.env("CLAIMFLOW_TEST_CRASH_AT", at);
    let o = cmd.output().unwrap();
    crate::util::keep_all_837(&dir.join("out"));
    o
}

fn temp_files(out: &Path) -> usize {
    fs::read_dir(out)
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count())
        .unwrap_or(0)
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
