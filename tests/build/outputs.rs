//! What a build writes: a valid 837P that reads back as the export said, a
//! byte-identical golden file, faulty claims held back with rejects, private
//! outputs with no temp files left, and the demo and layout exports.

use super::*;

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

/// `--verify` validates each set in memory besides the writer's own check:
/// on a valid build it changes nothing, neither the bytes nor the spans
/// recorded in the ledger (which the writer reports without re-reading).
#[test]
fn verify_gives_the_same_file_and_spans() {
    let spans = |dir: &Path| -> Vec<(String, i64, i64, String)> {
        let db = rusqlite::Connection::open(dir.join("claimflow.db")).unwrap();
        let mut q = db
            .prepare(
                "SELECT claim_id, clm_first, clm_last, hl_levels FROM claim_history \
                 ORDER BY claim_id",
            )
            .unwrap();
        let rows = q.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)));
        rows.unwrap().map(Result::unwrap).collect()
    };
    let (plain, verified) = (setup(), setup());
    for (dir, extra) in [(&plain, &[][..]), (&verified, &["--verify"][..])] {
        for export in ["build/clean.csv", "build/mixed.csv"] {
            let o = build(dir.path(), &fixture(export), extra);
            assert!(code(&o) <= 1, "{}", text(&o));
        }
    }
    let (a, b) = (x12_files(&plain.path().join("out")), x12_files(&verified.path().join("out")));
    assert!(!a.is_empty());
    assert_eq!(a.len(), b.len());
    for (a, b) in a.iter().zip(&b) {
        assert_eq!(fs::read(a).unwrap(), fs::read(b).unwrap());
    }
    let recorded = spans(plain.path());
    assert!(
        recorded.len() >= 5
            && recorded.iter().all(|(_, first, last, levels)| {
                first <= last && levels.split(',').count() >= 2
            })
    );
    assert_eq!(recorded, spans(verified.path()));
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
