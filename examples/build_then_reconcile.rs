//! The library walk-through: the nightly build of the demo export, the
//! reconciliation of the payers' answer, then the money report, through
//! `claimflow::build`, `claimflow::reconcile` and `claimflow::report` (no
//! binary involved). Output goes to a temporary
//! folder, or to the folder given.
//!
//! Usage: cargo run --example build_then_reconcile [-- OUT_DIR]

use std::path::{Path, PathBuf};

use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::ledger::Ledger;
use claimflow::progress::Progress;
use claimflow::{build, clock, ledger, reconcile, report};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let temp = tempfile::tempdir()?;
    let out = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| temp.path().into());
    std::fs::create_dir_all(&out)?;
    let progress = Progress::silent();

    // 1. Build: encounters -> scrubbed claims -> 837P, rejects, held rows, manifest, ledger.
    let config_file = root.join("fixtures/claimflow.toml");
    let config = Config::load(&config_file)?;
    let export = root.join("fixtures/encounters/demo.csv");
    let inputs = build::Inputs {
        config_file: Some(&config_file),
        ..build::Inputs::new(&export, &config, CodeSets::shipped())
    };
    let options = build::Options { now: clock::parse_now("2026-11-27")?, resend: false };
    let mut ledger = Ledger::open(&out.join("claimflow.db"))?;
    let built = build::run(&inputs, &options, &mut ledger, &out, &progress)?;
    let counts = &built.manifest.counts;
    println!(
        "build: {} claims read, {} sent ({}), {} held back",
        counts.claims, counts.sent, built.manifest.totals.sent_charge, counts.held
    );
    if let Some(file) = &built.x12_file {
        println!("  837P: {}", file.display());
    }
    for f in built.errors().take(3) {
        println!("  held: claim {} row {}: {} [{}]", f.claim_id, f.row, f.message, f.rule);
    }

    // 2. Reconcile the payers' 835 against the ledger, posting the payments.
    let remits = [root.join("fixtures/835/demo.835")];
    let options = reconcile::Options::new(clock::parse_now("2026-12-15")?);
    let claims = reconcile::Claims::Ledger(&mut ledger);
    let summary = reconcile::run(&remits, claims, &out.join("recon"), &options, &progress)?;
    let c = &summary.counts;
    println!(
        "reconcile: {} claim payments: {} paid, {} denied, {} to the patient, {} unmatched; tie-out {}",
        summary.claim_payments,
        c.paid,
        c.denied,
        c.patient_responsibility,
        c.unmatched,
        if summary.tie_out.ok { "OK" } else { "MISMATCH" }
    );
    println!(
        "  denials worklist: {} row(s) in {}",
        summary.denial_rows,
        out.join("recon/denials.csv").display()
    );
    println!("  needs a person: {}", summary.needs_attention());

    // 3. The money report, read from the ledger (no lock taken, nothing written to it).
    let conn = ledger::open_read_only(&out.join("claimflow.db"))?;
    let options = report::Options::new(clock::parse_now("2026-12-31")?);
    let r = report::run(&conn, &out.join("report"), &options)?;
    let s = &r.summary;
    println!(
        "report: A/R {}, paid {}, denied {}, median days to pay {}; {} file(s) in {}",
        s.ar_total,
        s.payments_posted,
        s.denied_amount,
        s.median_days_to_pay.as_deref().unwrap_or("n/a"),
        r.files.len(),
        out.join("report").display()
    );
    Ok(())
}
