//! Typos in ids: claim ids match ignoring case (as reconcile matches them),
//! an unknown claim id or `--payer` is an error naming the closest known
//! ids, and "not found" exits 2, never 1 ("needs a person"); a missing
//! config file says how to get one.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

/// A temp dir with `build/clean.csv` built (claims CF1001-CF1005 to
/// TESTPAYER1 and TESTMCARE), ledger `claimflow.db` beside the config.
fn built() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = run(
        dir.path(),
        &["build", &fixture("build/clean.csv"), "--out", "out", "--now", "2025-12-01T02:00"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    keep_all_837(&dir.path().join("out"));
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn status_finds_a_claim_id_in_another_case() {
    let dir = built();
    let o = run(dir.path(), &["status", "cf1002", " Cf1003 "]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.starts_with("CF1002 TESTPAYER1: sent"), "{out}");
    assert!(out.contains("\nCF1003 TESTMCARE: sent"), "{out}");
}

#[test]
fn status_names_the_closest_ids_of_an_unknown_one_and_exits_2() {
    let dir = built();
    let o = run(dir.path(), &["status", "CF1002", "CF1020", "NOPE"]);
    assert_eq!(o.status.code(), Some(2), "not found is not 'needs a person'");
    let err = stderr(&o);
    assert!(
        err.contains("claim CF1020: not in the ledger; closest known: CF1001, CF1002, CF1003"),
        "{err}"
    );
    assert!(
        err.contains("claim NOPE: not in the ledger; no claim id in the ledger is close to it"),
        "{err}"
    );
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("CF1002 TESTPAYER1"),
        "the known one is shown"
    );
}

#[test]
fn report_of_an_unknown_payer_is_an_error_naming_the_payers() {
    let dir = built();
    let o = run(dir.path(), &["report", "--out", "rep", "--payer", "NOPE"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--payer NOPE: no claim or payment of this payer in the ledger; known payers: TESTMCARE, TESTPAYER1"),
        "{err}"
    );
    assert!(!dir.path().join("rep").exists(), "nothing written");
    let o = run(dir.path(), &["report", "--out", "rep", "--payer", "TESTPAYR1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("closest known: TESTPAYER1"), "{}", stderr(&o));
}

#[test]
fn report_payer_matches_ignoring_case() {
    let dir = built();
    let o = run(dir.path(), &["report", "--out", "rep", "--payer", "testmcare", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["payer"], "TESTMCARE");
    assert_eq!(v["claims_sent"], 1);
}

#[test]
fn a_missing_config_says_how_to_get_one() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["check", &fixture("build/clean.csv")]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o).trim_end(),
        "claimflow: claimflow.toml: no config file (read when --config is not given): pass --config FILE, or copy the commented example fixtures/claimflow.toml to ./claimflow.toml and edit it (every key: docs/config.md)"
    );
    let o = run(dir.path(), &["status", "--config", "elsewhere.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("elsewhere.toml: no config file (named by --config): check the path, or copy the commented example fixtures/claimflow.toml"), "{}", stderr(&o));
}
