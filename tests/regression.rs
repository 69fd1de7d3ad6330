//! What a new user meets on a fresh clone: a failed build, a reconcile of
//! files that are not 835s, an impossible `--now`, money and help text,
//! each through the real binary.

use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_failed_build_creates_no_ledger_and_words_a_missing_export_as_check_does() {
    let dir = tempfile::tempdir().unwrap();
    let config = fixture("claimflow.toml");
    let build = claimflow(dir.path())
        .args(["build", "missing.csv", "--config", &config, "--out", "out"])
        .args(["--ledger", "ledger/claimflow.db", "--now", "2026-11-27"])
        .output()
        .unwrap();
    assert_eq!(build.status.code(), Some(2));
    assert!(!dir.path().join("ledger").exists(), "no ledger (nor its folder) for a failed build");
    assert!(!dir.path().join("out").exists(), "nothing written");
    let check = claimflow(dir.path())
        .args(["check", "missing.csv", "--config", &config, "--now", "2026-11-27"])
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(2));
    assert_eq!(stderr(&build), stderr(&check));
    assert!(
        stderr(&check).starts_with("claimflow: missing.csv: cannot read"),
        "{}",
        stderr(&check)
    );
}

#[test]
fn reconcile_of_no_835_exits_2_and_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let o = claimflow(dir.path())
        .args(["reconcile", &fixture("encounters/demo.csv"), "--out", "recon"])
        .args(["--claims", &fixture("835/claims.837")])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "", "no summary, no 'OK', no report list");
    assert!(
        stderr(&o).contains("demo.csv: a CSV file, not X12 (an 835 remittance expected)"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("recon").exists());
}

#[test]
fn claims_that_swallowed_the_835s_get_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    let o = claimflow(dir.path())
        .args(["reconcile", "--out", "recon", "--claims", &fixture("835/claims.837")])
        .arg(fixture("835/remit-1.835"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("--claims took every path after it (2 file(s))"), "{err}");
    assert!(err.contains("put the 835 files before --claims"), "{err}");
    // Ending the list with -- works.
    let o = claimflow(dir.path())
        .args(["reconcile", "--out", "recon", "--claims", &fixture("835/claims.837"), "--"])
        .arg(fixture("835/remit-1.835"))
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn an_impossible_now_is_no_such_date() {
    let dir = tempfile::tempdir().unwrap();
    let o = claimflow(dir.path())
        .args(["check", &fixture("encounters/clean.csv"), "--config", &fixture("claimflow.toml")])
        .args(["--now", "2026-13-45"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stderr(&o), "claimflow: --now \"2026-13-45\": no such date or time\n");
}

#[test]
fn build_prints_money_with_two_decimals() {
    let dir = tempfile::tempdir().unwrap();
    let o = claimflow(dir.path())
        .args(["build", &fixture("encounters/demo.csv"), "--config", &fixture("claimflow.toml")])
        .args(["--out", "out", "--ledger", "out/claimflow.db", "--now", "2026-11-27"])
        .output()
        .unwrap();
    keep_all_837(&dir.path().join("out"));
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.starts_with("sent 7 claim(s), 12 line(s), 2330.90 in "), "{s}");
    assert!(
        s.contains("held back: 15 claim(s), 3564.35 (not in that total: row(s) 27, 28, from which no service line could be read); "),
        "{s}"
    );
    let manifest = std::fs::read_to_string(dir.path().join("out/manifest.json")).unwrap();
    assert!(manifest.contains("\"sent_charge\": \"2330.90\""), "{manifest}");
}

#[test]
fn help_examples_are_one_per_line() {
    let dir = tempfile::tempdir().unwrap();
    for cmd in ["check", "validate", "parse", "reconcile", "build"] {
        let o = claimflow(dir.path()).args([cmd, "--help"]).output().unwrap();
        let help = stdout(&o);
        let examples: Vec<&str> = help
            .lines()
            .skip_while(|l| !l.starts_with("Examples:"))
            .skip(1)
            .take_while(|l| !l.trim().is_empty())
            .collect();
        assert!(examples.len() >= 2, "{cmd}: {help}");
        for line in examples {
            assert!(
                line.matches("claimflow ").count() <= 1,
                "{cmd}: two examples on one line: {line}"
            );
        }
        assert!(help.matches("[default: ./claimflow.toml]").count() <= 1, "{cmd}: {help}");
        assert!(!help.contains("--ledger fixtures/"), "{cmd}: an example writes into fixtures/");
    }
}
