//! Benchmark helper: records every claim of an 837 file as sent in a ledger,
//! as `claimflow build` would, so `reconcile` can be timed against a large
//! ledger without building a million encounters first.
//!
//! Each claim gets a made-up patient (for `report`'s patient balances): the
//! benchmark 837s carry synthetic people only, and the lean reader used here
//! does not read names.
//!
//! Usage: cargo run --release --example seed_ledger -- LEDGER.db CLAIMS.837

use std::path::PathBuf;

use claimflow::claim::ClaimStatus;
use claimflow::ledger::{ClaimRecord, Ledger, PatientRecord, SubmissionRecord};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (db, file) = match args.as_slice() {
        [_, db, file] => (PathBuf::from(db), PathBuf::from(file)),
        _ => return Err("usage: seed_ledger LEDGER.db CLAIMS.837".into()),
    };
    let bytes = std::fs::read(&file)?;
    let read = claimflow::edi837::read_summaries(&bytes);
    let sent = chrono::NaiveDate::from_ymd_opt(2026, 3, 1).ok_or("date")?;
    let dob = chrono::NaiveDate::from_ymd_opt(1970, 1, 1);
    let claims: Vec<ClaimRecord> = read
        .claims
        .iter()
        .enumerate()
        .map(|(i, c)| ClaimRecord {
            claim_id: c.claim_id.to_string(),
            payer_id: c.payer_id.to_string(),
            content_hash: "seeded".into(),
            frequency: "1".into(),
            total_charge: c.charge,
            st02: "0001".into(),
            status: ClaimStatus::Sent,
            span: None,
            detail: None,
            patient: Some(PatientRecord {
                last: format!("BENCH{}", i % 50_000),
                first: "PAT".into(),
                dob,
                service_date: c.lines.iter().filter_map(|l| l.date).min().unwrap_or(sent),
                paid_at_visit: None,
                line_ids: c.lines.iter().map(|l| l.line_id.to_string()).collect(),
                services: String::new(),
            }),
        })
        .collect();
    let mut ledger = Ledger::open(&db)?;
    let sub = SubmissionRecord {
        file: std::fs::canonicalize(&file)?,
        file_sha256: "seeded".into(),
        isa13: "000000001".into(),
        gs06: "1".into(),
        st02: vec!["0001".into()],
        total_charge: claims.iter().map(|c| c.total_charge).sum(),
        created_at: "2026-03-11T12:00:00".into(),
    };
    let id = ledger.record_pending(&sub, &claims)?;
    ledger.complete(id)?;
    println!("{}: {} claims recorded as sent in {}", file.display(), claims.len(), db.display());
    Ok(())
}
