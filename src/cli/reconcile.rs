//! `claimflow reconcile`: arguments, progress and the printed summary of a
//! reconciliation; the job itself is [`claimflow::reconcile::run`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use claimflow::ledger::Ledger;
use claimflow::numtext::money;
use claimflow::progress::Progress;
use claimflow::reconcile::{self, Claims, Options, Summary};

use claimflow::filekind::Expected;

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Match 835 remittances to sent claims, classify every claim payment, and
/// write reports.
///
/// Claims come from 837 files (`--claims`, no config or ledger needed) or
/// from the ledger. Writes claims.csv, lines.csv, provider_adjustments.csv,
/// denials.csv and outstanding.csv into --out (atomically, mode 0600) and
/// prints a summary with the tie-out check (paid + provider adjustments =
/// BPR02 total). An unreadable 835 file is reported; the others still reconcile.
/// The config's [reconcile] contractual_carcs (--config, else
/// ./claimflow.toml when present; default 45 and 253) decide which CO
/// adjustments are contractual; other CO adjustments are denied. The
/// config's payer ids and aliases name the paying payer of each 835: a
/// payment matches a claim sent to that payer first.
///
/// Exit: 0 everything paid and balanced; 1 something needs a person
/// (denials, unmatched or unbalanced payments, unpaired reversals, a bad
/// file, a payment conflicting with one already applied under its trace); 2 could not run (no 835 could be read: nothing written),
/// or a file is of another kind (an 837, a CSV, an acknowledgment: named, left out).
///
/// Examples:
///   claimflow reconcile inbox/*.835 --out recon/ --claims outbox/*.x12
///   claimflow reconcile inbox/remit.835 --config claimflow.toml \
///       --out recon/ --now 2026-03-01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// 835 remittance files.
    #[arg(value_name = "REMIT.835")]
    files: Vec<PathBuf>,
    /// Read the sent claims from these 837 files instead of the ledger
    /// (nothing is posted). Takes every path after it: put the 835 files
    /// first, or end the list with `--`.
    #[arg(long, value_name = "FILE.837", num_args = 1.., conflicts_with = "ledger")]
    claims: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    /// Folder for the reports (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    now: NowArg,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    if args.files.is_empty() {
        if args.claims.is_empty() {
            bail!("no 835 file given: name the remittance files to reconcile");
        }
        bail!(
            "no 835 file given: --claims took every path after it ({} file(s)); put the 835 files before --claims, or end the --claims list with --",
            args.claims.len()
        );
    }
    // A file of another kind (an 837 or a CSV among the 835s) is named and
    // left out; the others are reconciled and the run exits 2.
    let (files, wrong_835) = super::files_of_kind(&args.files, Expected::Remittance);
    let (claim_files, wrong_837) = super::files_of_kind(&args.claims, Expected::Claims);
    if files.is_empty() || (!args.claims.is_empty() && claim_files.is_empty()) {
        return Ok(Outcome::CouldNotRun);
    }
    let mut options = Options::new(args.now.get()?);
    // The contractual CARC codes and the payers' ids and aliases: from the
    // config named, else from ./claimflow.toml when there is one; else the
    // default list and no aliases.
    if args.config.config.is_some() || args.config.path().exists() {
        let config = args.config.load()?;
        for p in &config.payer {
            options.payers.add(&p.id, p.aliases.iter().map(String::as_str));
        }
        if let Some(dir) = config.codeset_dir() {
            options.reasons = claimflow::codeset::CodeSets::reason_texts_in(&dir)?;
        }
        options.contractual_carcs = config.reconcile.contractual_carcs;
    }
    let progress = Progress::on_stderr();
    let mut ledger = None;
    let claims = if !args.claims.is_empty() {
        Claims::Files(&claim_files)
    } else {
        let path = args.ledger.path(&args.config)?;
        if !path.exists() {
            bail!(
                "ledger {} does not exist: run `claimflow build` first, or reconcile against 837 files with --claims",
                path.display()
            );
        }
        let l =
            Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
        super::print_ledger_notes(&l);
        Claims::Ledger(ledger.insert(l))
    };
    let summary = reconcile::run(&files, claims, &args.out, &options, &progress)?;
    drop(ledger); // releases the lock
    for note in &summary.notes {
        eprintln!("claimflow: {note}");
    }
    for f in &summary.unreadable_files {
        eprintln!("claimflow: {f}");
    }
    super::print_result(global.json, &summary, |out| print_summary(out, &summary))?;
    Ok(Outcome::of(wrong_835 || wrong_837, summary.needs_attention()))
}

fn print_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    super::print_findings(out, &s.findings)?;
    for f in &s.unreadable_files {
        writeln!(out, "{f}")?;
    }
    writeln!(
        out,
        "reconciled {} claim payment(s) in {} payment(s) from {} file(s)",
        s.claim_payments, s.transactions, s.files
    )?;
    let c = &s.counts;
    writeln!(
        out,
        "  paid {}, partial {}, denied {}, patient_responsibility {}, reversed {}, unmatched {}, forwarded {}, outstanding {}",
        c.paid,
        c.partial,
        c.denied,
        c.patient_responsibility,
        c.reversed,
        c.unmatched,
        c.forwarded,
        c.outstanding
    )?;
    if c.partial_completed > 0 {
        writeln!(
            out,
            "  of the partial: {} left a sent line unanswered that a later payment of these files answered: the claim is complete",
            c.partial_completed
        )?;
    }
    if c.processed_and_forwarded > 0 {
        writeln!(out, "  processed and forwarded to another payer: {}", c.processed_and_forwarded)?;
    }
    if c.forwarded > 0 {
        writeln!(
            out,
            "  forwarded: {} claim(s) the payer passed on to another payer (CLP02 23): wait for the other payer's remittance",
            c.forwarded
        )?;
    }
    for r in &s.reversals {
        // In ledger mode a reversal of a payment from an earlier run undoes
        // that posting (counted on the ledger line below).
        let before = match (&r.reverses_trace, &s.ledger) {
            (Some(t), _) => format!("cancels the payment in trace {t}"),
            (None, Some(_)) => "cancels a payment of an earlier remittance".to_string(),
            (None, None) => "cancels a payment not in these files".to_string(),
        };
        let after = match (&r.corrected_by_trace, r.corrected_paid) {
            (Some(t), Some(p)) => format!("corrected payment {} follows in trace {t}", money(p)),
            _ => "no corrected payment yet".to_string(),
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
    if let Some(l) = &s.ledger {
        if !l.applied.is_empty() {
            writeln!(
                out,
                "  ledger: posted {} claim payment(s) to their claims from {} remittance(s); {} earlier posting(s) undone by reversals",
                l.payments_posted - l.payments_unmatched,
                l.applied.len(),
                l.postings_undone
            )?;
            if l.payments_unmatched > 0 {
                writeln!(
                    out,
                    "  ledger: {} unmatched claim payment(s) recorded without a claim (see claims.csv)",
                    l.payments_unmatched
                )?;
            }
        }
        for p in s.payments.iter().filter(|p| !p.complete) {
            writeln!(
                out,
                "  ledger: {} transaction {} (trace {}) is truncated (no SE): not posted",
                p.file, p.st02, p.trace
            )?;
        }
        for t in &l.already_applied {
            writeln!(out, "  ledger: remittance trace {t} was already applied: nothing posted")?;
        }
        for c in &l.conflicts {
            writeln!(
                out,
                "  ledger: CONFLICT: payer {} trace {} was already applied with another amount or other claim payments: nothing of this payment posted; ask the payer which one stands",
                c.payer_id, c.trace
            )?;
        }
    }
    if s.redelivered() {
        writeln!(out, "reports: none rewritten (nothing new was posted)")?;
    } else {
        writeln!(out, "reports: {}", s.reports.join(", "))?;
    }
    Ok(())
}
