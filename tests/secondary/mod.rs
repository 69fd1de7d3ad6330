//! `claimflow secondary` and other coverage: the primary claim's 2320/2330
//! loops (self and spouse subscribers), the secondary scrub rules, the COB
//! 837P from the primary's 835 (golden file, pyx12 through the kept 837s),
//! balancing held back, denied and reversed claims, nothing sent twice, the
//! secondary's 835 reconciled to the secondary claim, patient
//! responsibility after all payers, and a replacement taking REF*F8 from
//! the ledger.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837, root};

mod cob_claim;
mod crash;
mod runs;

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

/// `--config` and `--ledger` for the fixture config and a ledger in `dir`.
fn cfg(dir: &Path) -> [String; 4] {
    [
        "--config".into(),
        fixture("claimflow.toml"),
        "--ledger".into(),
        dir.join("claimflow.db").display().to_string(),
    ]
}

fn build(dir: &Path, export: &str, out: &str, now: &str) -> Output {
    let mut a: Vec<String> = vec!["build".into(), export.into(), "--out".into(), out.into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), now.into()]);
    let o = claimflow(dir).args(&a).output().unwrap();
    keep_all_837(&dir.join(out));
    o
}

fn reconcile(dir: &Path, remit: &str, out: &str, now: &str) -> Output {
    let mut a: Vec<String> = vec!["reconcile".into(), fixture(remit), "--out".into(), out.into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), now.into()]);
    claimflow(dir).args(&a).output().unwrap()
}

fn secondary(dir: &Path, extra: &[&str]) -> Output {
    let mut a: Vec<String> = vec!["secondary".into(), "--out".into(), "cob".into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), "2026-04-02".into()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    let o = claimflow(dir).args(&a).output().unwrap();
    keep_all_837(&dir.join("cob"));
    o
}

/// Build the COB export and reconcile the primary's 835 into a fresh ledger.
fn primary_posted() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = reconcile(d, "835/cob-primary.835", "recon", "2026-04-01");
    // A denial and a reversal without its correction need a person.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    dir
}

fn segments(path: &Path) -> Vec<String> {
    fs::read_to_string(path).unwrap().split('~').map(|s| s.trim().to_string()).collect()
}

/// The segments of claim `id` (CLM to the next HL or SE) in an 837.
fn claim_segments(all: &[String], id: &str) -> Vec<String> {
    let start = all.iter().position(|s| s.starts_with(&format!("CLM*{id}*"))).unwrap();
    all[start..]
        .iter()
        .take_while(|s| !s.starts_with("HL*") && !s.starts_with("SE*"))
        .cloned()
        .collect()
}
