//! Every command that reads files, given a file of another kind: one line
//! naming what the file is and which command reads it, exit 2, and the
//! other files of the run still read.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

/// A temp dir with the build test config and `build/clean.csv` built into
/// `out/` (the 837P `out/claims-000000001.x12`, the ledger `claimflow.db`).
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "out", "--now", "2025-12-01T02:00"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    keep_all_837(&dir.path().join("out"));
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Exit 2 and exactly one stderr line, holding every piece of `expected`.
fn assert_wrong_kind(o: &Output, expected: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    for e in expected {
        assert!(err.contains(e), "{e:?} not in: {err}");
    }
}

const CLAIMS: &str = "out/claims-000000001.x12";

#[test]
fn ack_given_an_835_names_it_and_reconcile() {
    let dir = built();
    let o = run(dir.path(), &["ack", &fixture("835/demo.835"), "--out", "acks"]);
    assert_wrong_kind(
        &o,
        &[
            "demo.835: an X12 835 remittance, not a TA1, 999 or 277CA",
            "`claimflow reconcile` reads it",
        ],
    );
    assert!(!dir.path().join("acks").exists(), "nothing written");
}

#[test]
fn ack_given_an_837_a_csv_and_a_999_reads_the_999_and_exits_2() {
    let dir = built();
    let csv = fixture("build/clean.csv");
    let o = run(
        dir.path(),
        &["ack", CLAIMS, &csv, &fixture("ack/clean-accepted.999"), "--now", "2025-12-02"],
    );
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("claims-000000001.x12: an X12 837P claim file, not a TA1"), "{err}");
    assert!(err.contains("clean.csv: a CSV file, not X12"), "{err}");
    assert!(
        err.contains("`claimflow check` and `claimflow build` read encounter exports"),
        "{err}"
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("read 1 file(s): 1 TA1, 2 999 set response(s)"), "{out}");
}

#[test]
fn reconcile_given_a_csv_or_an_837_writes_nothing() {
    let dir = built();
    let o = run(dir.path(), &["reconcile", &fixture("build/clean.csv"), "--out", "recon"]);
    assert_wrong_kind(&o, &["clean.csv: a CSV file, not X12 (an 835 remittance expected)"]);
    let o = run(dir.path(), &["reconcile", CLAIMS, "--out", "recon"]);
    assert_wrong_kind(
        &o,
        &["an X12 837P claim file, not an 835 remittance", "`claimflow reconcile --claims` reads"],
    );
    assert!(!dir.path().join("recon").exists(), "nothing written");
}

#[test]
fn reconcile_claims_given_an_acknowledgment() {
    let dir = built();
    let o = run(
        dir.path(),
        &[
            "reconcile",
            &fixture("835/demo.835"),
            "--out",
            "recon",
            "--claims",
            &fixture("ack/demo.277"),
        ],
    );
    assert_wrong_kind(
        &o,
        &[
            "demo.277: an X12 277CA claim acknowledgment, not an 837 claim file",
            "`claimflow ack` reads it",
        ],
    );
}

#[test]
fn validate_given_a_csv() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["validate", &fixture("build/clean.csv")]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("clean.csv: a CSV file, not X12"), "{}", stderr(&o));
}

#[test]
fn parse_given_a_csv_and_parse_remittances_given_an_837() {
    let dir = built();
    let o = run(dir.path(), &["parse", &fixture("build/clean.csv")]);
    assert_wrong_kind(&o, &["a CSV file, not X12 (an X12 file expected)"]);
    let o = run(dir.path(), &["parse", "--remittances", CLAIMS]);
    assert_wrong_kind(&o, &["an X12 837P claim file, not an 835 remittance"]);
    assert!(o.stdout.is_empty(), "no `[]` printed");
    let o = run(dir.path(), &["parse", "--remittances", &fixture("ack/clean-rejected.ta1")]);
    assert_wrong_kind(&o, &["clean-rejected.ta1: an X12", "`claimflow ack` reads it"]);
}

#[test]
fn build_and_check_given_x12() {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = run(dir.path(), &["build", &fixture("835/demo.835"), "--out", "out"]);
    assert_wrong_kind(&o, &["demo.835: an X12 835 remittance, not an encounter export"]);
    assert!(!dir.path().join("out").exists(), "nothing written");
    assert!(!dir.path().join("claimflow.db").exists(), "no ledger created");
    let o = run(dir.path(), &["check", &fixture("ack/demo.999")]);
    assert_wrong_kind(
        &o,
        &[
            "demo.999: an X12 999 acknowledgment, not an encounter export",
            "`claimflow ack` reads it",
        ],
    );
}

#[test]
fn another_x12_transaction_is_named_by_its_st01() {
    let dir = built();
    let isa = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *251201*1200*^*00501*000000009*0*T*:~";
    let x270 = format!("{isa}GS*HS*S*R*20251201*1200*9*X*005010X279A1~ST*270*0001*005010X279A1~BHT*0022*13*1*20251201*1200~SE*3*0001~GE*1*9~IEA*1*000000009~");
    fs::write(dir.path().join("inquiry.x12"), x270).unwrap();
    let o = run(dir.path(), &["ack", "inquiry.x12"]);
    assert_wrong_kind(&o, &["inquiry.x12: an X12 270 transaction, not a TA1, 999 or 277CA"]);
}
