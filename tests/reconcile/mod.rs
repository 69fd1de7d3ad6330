//! `claimflow reconcile` end to end: reports, exit codes, broken files, the
//! ledger (applied once, reversals), money columns, payers, and full
//! build → 835 → reconcile runs. This file holds the helpers the modules
//! share (also used by `reconcile_lines`).

use std::path::{Path, PathBuf};
use std::process::Output;

use rust_decimal::Decimal;

use claimflow::ledger::{ClaimRecord, Ledger, SubmissionRecord};

use crate::util::{claimflow, fixture, root};

mod build_then_reconcile;
mod claims_written;
mod crash;
mod demo;
mod ledger;
mod money;
mod payers;
mod reports;

pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Compares a report with its golden file (UPDATE_GOLDEN=1 rewrites it).
fn golden(out: &Path, name: &str) {
    let got = read(out.join(name));
    let path = root().join("fixtures/golden/reconcile").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = read(path);
    assert_eq!(
        got, want,
        "{name} differs from fixtures/golden/reconcile/{name}\n~~~ got\n{got}~~~"
    );
}

fn remits() -> [String; 2] {
    [fixture("835/remit-1.835"), fixture("835/remit-2.835")]
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Records the fixture claims as sent in a new ledger (what `build` does),
/// with the 837 copied beside it.
fn ledger_with_sent_claims(dir: &Path) -> PathBuf {
    // As in claims.837: C1009 and C1010 went to DEMOPAYER2.
    ledger_with(
        dir,
        "835/claims.837",
        &[
            ("C1001", "DEMOPAYER1", "120"),
            ("C1002", "DEMOPAYER1", "200"),
            ("C1003", "DEMOPAYER1", "200"),
            ("C1004", "DEMOPAYER1", "100"),
            ("C1005-LONG-CLAIM-ID", "DEMOPAYER1", "80"),
            ("C1006", "DEMOPAYER1", "100"),
            ("C1007", "DEMOPAYER1", "180"),
            ("C1008", "DEMOPAYER1", "160"),
            ("C1009", "DEMOPAYER2", "100"),
            ("C1010", "DEMOPAYER2", "90"),
        ],
    )
}

/// A new ledger holding `claims` (claim id, payer id, charge) as sent in
/// the 837 fixture `sent`, copied beside it (what `build` records).
pub(crate) fn ledger_with(
    dir: &Path,
    sent_fixture: &str,
    claims: &[(&str, &str, &str)],
) -> PathBuf {
    let sent = dir.join("claims.837");
    std::fs::copy(fixture(sent_fixture), &sent).unwrap();
    let db = dir.join("claimflow.db");
    let mut l = Ledger::open(&db).unwrap();
    let records: Vec<ClaimRecord> = claims
        .iter()
        .map(|(id, payer, charge)| ClaimRecord {
            claim_id: id.to_string(),
            payer_id: payer.to_string(),
            content_hash: "synthetic".into(),
            frequency: "1".into(),
            total_charge: dec(charge),
            st02: "0001".into(),
            status: claimflow::claim::ClaimStatus::Sent,
            span: None,
            detail: None,
            patient: None,
        })
        .collect();
    let sub = SubmissionRecord {
        file: sent,
        file_sha256: "synthetic".into(),
        isa13: "000000201".into(),
        gs06: "201".into(),
        st02: vec!["0001".into()],
        total_charge: records.iter().map(|c| c.total_charge).sum(),
        created_at: "2026-03-11T12:00:00".into(),
    };
    let id = l.record_pending(&sub, &records).unwrap();
    l.complete(id).unwrap();
    db
}

pub(crate) fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn.prepare(sql).unwrap();
    let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

pub(crate) fn lines_of(p: PathBuf) -> Vec<String> {
    read(p).lines().map(str::to_string).collect()
}
