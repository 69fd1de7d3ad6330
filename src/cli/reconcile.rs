//! `claimflow reconcile`: 835 remittances matched to the claims that were
//! sent (from 837 files with `--claims`, or the ledger), classified, reported
//! in CSV files, summarized on stdout, and (with the ledger) posted.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::{NaiveDate, NaiveDateTime};
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use claimflow::edi835;
use claimflow::reconcile::report::{self, money, OutstandingRow, PlbRow};
use claimflow::reconcile::{self, ClaimIndex, ClaimResult, SentClaim, Status};
use claimflow::x12::{self, Finding, Severity, TransactionKind};

use super::{Global, Outcome};

/// Match 835 remittances to sent claims, classify every claim payment, and
/// write reports.
///
/// Claims come from 837 files (`--claims`, no config or ledger needed) or
/// from the ledger. Writes claims.csv, lines.csv, provider_adjustments.csv,
/// denials.csv and outstanding.csv into --out (atomically, mode 0600) and
/// prints a summary with the tie-out check (paid + provider adjustments =
/// BPR02 total). A broken 835 file is reported; the others still reconcile.
///
/// Exit: 0 everything paid and balanced; 1 something needs a person
/// (denials, unmatched or unbalanced payments, unpaired reversals, a bad
/// file); 2 could not run.
///
/// Examples:
///   claimflow reconcile inbox/*.835 --claims outbox/*.x12 --out recon/
///   claimflow reconcile inbox/remit.835 --config claimflow.toml --out recon/ --now 2026-03-01
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 835 remittance files.
    #[arg(required = true, value_name = "REMIT.835")]
    files: Vec<PathBuf>,
    /// Read the sent claims from these 837 files instead of the ledger.
    #[arg(long, value_name = "FILE.837", num_args = 1..)]
    claims: Vec<PathBuf>,
    /// Configuration file (default ./claimflow.toml); locates the ledger.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ledger file (default: claimflow.db beside the config).
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Folder for the reports (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The run's clock: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (local).
    #[arg(long, value_name = "TIMESTAMP")]
    now: Option<String>,
}

/// Parses `--now`.
pub fn parse_now(s: &str) -> anyhow::Result<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).unwrap_or_default());
    }
    for f in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    bail!("--now {s:?}: expected YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS")
}

/// One finding with the file it is in.
#[derive(Debug, Clone, Serialize)]
struct FileFinding {
    file: String,
    #[serde(flatten)]
    finding: Finding,
}

/// What one transaction set contributed.
#[derive(Debug, Serialize)]
struct SetSummary {
    file: String,
    st02: String,
    payer_id: String,
    trace: String,
    payment_date: Option<NaiveDate>,
    method: String,
    bpr02: Decimal,
    paid: Decimal,
    plb: Decimal,
    claims: usize,
}

/// Everything read from one 835 file.
#[derive(Debug, Default)]
struct FileOutcome {
    sets: Vec<SetSummary>,
    results: Vec<ClaimResult>,
    plb: Vec<PlbRow>,
    findings: Vec<Finding>,
    /// Why the file could not be used at all.
    broken: Option<String>,
    /// SHA-256 of the file (hex), for the ledger's applied-once key.
    #[allow(dead_code)]
    hash: String,
}

fn read_remit_file(path: &Path, file_no: usize, index: &ClaimIndex<'_>) -> FileOutcome {
    let input = match claimflow::input::open(path) {
        Ok(i) => i,
        Err(e) => {
            return FileOutcome { broken: Some(format!("cannot read: {e}")), ..Default::default() }
        }
    };
    let hash = {
        use sha2::Digest;
        let d = sha2::Sha256::digest(&input[..]);
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let scan = x12::scan(&input);
    let sets: Vec<(String, &x12::TransactionSet)> = scan
        .sets()
        .filter(|(_, _, s)| s.kind == TransactionKind::Remittance835)
        .map(|(ic, _, s)| (ic.control.clone(), s))
        .collect();
    let name = path.display().to_string();
    if sets.is_empty() {
        let why = match scan.findings.iter().find(|f| f.severity == Severity::Error) {
            Some(f) => format!("no 835 transaction set could be read ({}: {})", f.pos, f.message),
            None => "no 835 transaction set in the file".to_string(),
        };
        return FileOutcome {
            broken: Some(why),
            hash,
            findings: scan.findings,
            ..Default::default()
        };
    }
    let per_set: Vec<_> = sets
        .par_iter()
        .map(|(ctl, set)| {
            let rem = edi835::read_set(&input, set, ctl);
            let mut findings = edi835::balance(&rem);
            findings.extend(rem.findings.iter().filter(|f| f.code != "835-READ").cloned());
            let results = reconcile::reconcile_remittance(index, file_no, &rem);
            let plb = report::plb_rows(index, file_no, &rem);
            let summary = SetSummary {
                file: name.clone(),
                st02: rem.st02_control.clone(),
                payer_id: rem.payer_id(),
                trace: rem.trace.trn02_number.clone(),
                payment_date: rem.payment.bpr16_date,
                method: rem.payment.bpr04_method.clone(),
                bpr02: rem.payment.bpr02_amount,
                paid: rem.paid_total(),
                plb: rem.plb_total(),
                claims: rem.claims.len(),
            };
            (summary, results, plb, findings)
        })
        .collect();
    let mut out = FileOutcome { hash, findings: scan.findings, ..Default::default() };
    for (summary, results, plb, findings) in per_set {
        out.sets.push(summary);
        out.results.extend(results);
        out.plb.extend(plb);
        out.findings.extend(findings);
    }
    out.findings.sort_by_key(|f| f.pos);
    out
}

fn load_claims_from_837(paths: &[PathBuf]) -> anyhow::Result<Vec<SentClaim>> {
    let read: Vec<anyhow::Result<reconcile::sent::Read837>> = paths
        .par_iter()
        .map(|p| {
            let input = claimflow::input::open(p)
                .with_context(|| format!("{}: cannot read", p.display()))?;
            let r = reconcile::read_837(&input);
            if r.sets == 0 {
                bail!("{}: no 837 transaction set found", p.display());
            }
            Ok(r)
        })
        .collect();
    let mut claims = Vec::new();
    for r in read {
        let r = r?;
        for f in r.findings.iter().filter(|f| f.severity == Severity::Error).take(3) {
            eprintln!("claimflow: warning: claims file: {}: {} [{}]", f.pos, f.message, f.code);
        }
        claims.extend(r.claims);
    }
    Ok(claims)
}

#[derive(Debug, Serialize)]
struct Counts {
    paid: usize,
    partial: usize,
    denied: usize,
    patient_responsibility: usize,
    reversed: usize,
    unmatched: usize,
    outstanding: usize,
    forwarded: usize,
}

#[derive(Debug, Serialize)]
struct TieOut {
    paid: Decimal,
    provider_adjustments_effect: Decimal,
    expected_bpr02: Decimal,
    bpr02_total: Decimal,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct ReversalNote {
    claim_id: String,
    check_trace: String,
    amount: Decimal,
    reverses_trace: Option<String>,
    corrected_by_trace: Option<String>,
    corrected_paid: Option<Decimal>,
}

#[derive(Debug, Serialize)]
struct BrokenFile {
    file: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct Summary {
    files: usize,
    transactions: usize,
    claim_payments: usize,
    counts: Counts,
    tie_out: TieOut,
    reversals: Vec<ReversalNote>,
    denial_rows: usize,
    broken_files: Vec<BrokenFile>,
    findings: Vec<FileFinding>,
    reports: Vec<String>,
    payments: Vec<SetSummary>,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let now = match &args.now {
        Some(s) => parse_now(s)?,
        None => chrono::Local::now().naive_local(),
    };
    let (claims, _ledger_path): (Vec<SentClaim>, Option<PathBuf>) = if !args.claims.is_empty() {
        (load_claims_from_837(&args.claims)?, None)
    } else {
        let _ = (&args.config, &args.ledger);
        bail!(
            "no claims to reconcile against: give --claims FILE.837 (ledger mode needs the ledger)"
        )
    };
    let index = ClaimIndex::new(&claims);

    let outcomes: Vec<FileOutcome> =
        args.files.par_iter().enumerate().map(|(i, p)| read_remit_file(p, i, &index)).collect();

    let mut results: Vec<ClaimResult> = Vec::new();
    let mut plb: Vec<PlbRow> = Vec::new();
    let mut sets: Vec<SetSummary> = Vec::new();
    let mut findings: Vec<FileFinding> = Vec::new();
    let mut broken: Vec<BrokenFile> = Vec::new();
    for (path, o) in args.files.iter().zip(outcomes) {
        let file = path.display().to_string();
        if let Some(reason) = o.broken {
            eprintln!("claimflow: {file}: {reason}");
            broken.push(BrokenFile { file: file.clone(), reason });
        }
        findings
            .extend(o.findings.into_iter().map(|f| FileFinding { file: file.clone(), finding: f }));
        sets.extend(o.sets);
        results.extend(o.results);
        plb.extend(o.plb);
    }
    reconcile::pair_reversals(&mut results);

    let outstanding: Vec<OutstandingRow> = Vec::new();
    let _ = now;

    let paths = report::write_all(&args.out, &results, &plb, &outstanding)
        .with_context(|| format!("writing reports into {}", args.out.display()))?;

    // Totals and the tie-out check.
    let count = |s: Status| results.iter().filter(|r| r.status == s).count();
    let counts = Counts {
        paid: count(Status::Paid),
        partial: count(Status::Partial),
        denied: count(Status::Denied),
        patient_responsibility: count(Status::PatientResponsibility),
        reversed: count(Status::Reversed),
        unmatched: count(Status::Unmatched),
        outstanding: outstanding.len(),
        forwarded: results.iter().filter(|r| r.forwarded).count(),
    };
    let paid: Decimal = results.iter().map(|r| r.figures.paid).sum();
    let plb_total: Decimal = plb.iter().map(|p| p.amount).sum();
    let bpr02_total: Decimal = sets.iter().map(|s| s.bpr02).sum();
    let tie_out = TieOut {
        paid,
        provider_adjustments_effect: -plb_total,
        expected_bpr02: paid - plb_total,
        bpr02_total,
        ok: paid - plb_total == bpr02_total,
    };
    let reversals: Vec<ReversalNote> = results
        .iter()
        .filter_map(|r| {
            let p = r.pairing?;
            Some(ReversalNote {
                claim_id: r.claim_id.clone(),
                check_trace: r.check_trace.clone(),
                amount: r.figures.paid,
                reverses_trace: p.reverses.map(|j| results[j].check_trace.clone()),
                corrected_by_trace: p.corrected_by.map(|j| results[j].check_trace.clone()),
                corrected_paid: p.corrected_by.map(|j| results[j].figures.paid),
            })
        })
        .collect();
    let denial_rows = results
        .iter()
        .map(|r| {
            if r.denial.is_some() {
                1
            } else if r.status == Status::Partial {
                r.lines.iter().filter(|l| l.denial.is_some()).count()
            } else {
                0
            }
        })
        .sum();
    let errors = findings.iter().filter(|f| f.finding.severity == Severity::Error).count();
    let unpaired = reversals.iter().filter(|r| r.corrected_by_trace.is_none()).count();
    let needs_person = counts.denied > 0
        || counts.partial > 0
        || counts.unmatched > 0
        || unpaired > 0
        || errors > 0
        || !broken.is_empty()
        || !tie_out.ok;

    let summary = Summary {
        files: args.files.len(),
        transactions: sets.len(),
        claim_payments: results.len(),
        counts,
        tie_out,
        reversals,
        denial_rows,
        broken_files: broken,
        findings,
        reports: paths.iter().map(|p| p.display().to_string()).collect(),
        payments: sets,
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print_summary(&mut out, &summary)?;
    }
    out.flush().context("writing the summary")?;

    Ok(if summary.broken_files.len() == args.files.len() {
        Outcome::CouldNotRun
    } else if needs_person {
        Outcome::NeedsAttention
    } else {
        Outcome::Clean
    })
}

/// At most this many findings are printed in the human summary.
const MAX_PRINTED_FINDINGS: usize = 50;

fn print_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    for f in s.findings.iter().take(MAX_PRINTED_FINDINGS) {
        let sev = if f.finding.severity == Severity::Warning { "warning: " } else { "" };
        writeln!(
            out,
            "{}:{}: {}{} [{}]",
            f.file, f.finding.pos, sev, f.finding.message, f.finding.code
        )?;
    }
    if s.findings.len() > MAX_PRINTED_FINDINGS {
        writeln!(
            out,
            "... {} more finding(s) (see --json)",
            s.findings.len() - MAX_PRINTED_FINDINGS
        )?;
    }
    for b in &s.broken_files {
        writeln!(out, "{}: BROKEN: {}", b.file, b.reason)?;
    }
    writeln!(
        out,
        "reconciled {} claim payment(s) in {} payment(s) from {} file(s)",
        s.claim_payments, s.transactions, s.files
    )?;
    let c = &s.counts;
    writeln!(
        out,
        "  paid {}, partial {}, denied {}, patient_responsibility {}, reversed {}, unmatched {}, outstanding {}",
        c.paid, c.partial, c.denied, c.patient_responsibility, c.reversed, c.unmatched, c.outstanding
    )?;
    if c.forwarded > 0 {
        writeln!(out, "  forwarded to another payer: {}", c.forwarded)?;
    }
    for r in &s.reversals {
        let before = match &r.reverses_trace {
            Some(t) => format!("cancels the payment in trace {t}"),
            None => "cancels a payment not in these files".to_string(),
        };
        let after = match (&r.corrected_by_trace, r.corrected_paid) {
            (Some(t), Some(p)) => format!("corrected payment {} follows in trace {t}", money(p)),
            _ => "NO corrected payment follows".to_string(),
        };
        writeln!(
            out,
            "  reversal: claim {} ({} in trace {}) {}; {}",
            r.claim_id,
            money(r.amount),
            r.check_trace,
            before,
            after
        )?;
    }
    let t = &s.tie_out;
    writeln!(
        out,
        "  tie-out: paid {} + provider adjustments {} = {}; BPR02 total {}: {}",
        money(t.paid),
        money(t.provider_adjustments_effect),
        money(t.expected_bpr02),
        money(t.bpr02_total),
        if t.ok { "OK" } else { "MISMATCH" }
    )?;
    writeln!(out, "  denials worklist: {} row(s)", s.denial_rows)?;
    writeln!(out, "reports: {}", s.reports.join(", "))?;
    Ok(())
}
