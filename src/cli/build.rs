//! `claimflow build`: arguments, progress and the printed summary of the
//! nightly build job; the job itself is [`claimflow::build`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::bail;

use claimflow::build::{self, Inputs, Options};
use claimflow::codeset::CodeSets;
use claimflow::encounter::Layout;
use claimflow::ledger::Ledger;
use claimflow::progress::Progress;

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Build 837P claims from an encounter export.
///
/// Reads the export (canonical layout, or any other through --layout), checks
/// every claim, and writes into DIR: `claims-<ISA13>.x12` (the 837P of every
/// clean claim not already sent), `rejects.csv` (claim_id, row, column, rule,
/// severity, message for every finding), `held/<export name>` (the original
/// rows of held-back claims, to fix and re-run) and `manifest.json` (inputs
/// and outputs with sha256, counts, totals, control numbers). The ledger
/// remembers what was sent: re-running on the same export sends nothing
/// twice; a sent claim whose content changed is held back until a
/// replacement (frequency 7) is built, or --resend is given.
///
/// Exit: 0 all claims sent (or already sent), 1 some held back, 2 could not
/// run (nothing written, no ledger created; also for an X12 file instead of
/// an export, named with the command that reads it).
///
/// Examples:
///   claimflow build fixtures/encounters/demo.csv \
///       --config fixtures/claimflow.toml --out out --ledger out/claimflow.db \
///       --now 2026-11-27
///   claimflow build export.csv --out outbox --now 2025-07-01T02:00 \
///       --ledger /var/lib/claimflow/claimflow.db
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Encounter CSV export.
    #[arg(value_name = "ENCOUNTERS.csv")]
    input: PathBuf,
    /// Output folder (created if missing).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    #[command(flatten)]
    now: NowArg,
    /// Layout file mapping a foreign export onto the canonical columns.
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// Send claims again even when the ledger says they were sent.
    #[arg(long)]
    resend: bool,
    /// Also validate each transaction set in memory as it is written, with
    /// the validator of `claimflow validate` (about a fifth more CPU on a large build); the
    /// writer's own check always runs.
    #[arg(long)]
    verify: bool,
    /// Folder of code-set files (default: `[codesets] dir` of the config):
    /// ICD-10-CM releases, NCCI PTP, MUE and add-on edits, CARC and RARC
    /// lists, as for `check`.
    #[arg(long, value_name = "DIR")]
    codeset_dir: Option<PathBuf>,
}

/// Held-back findings listed on stdout; the rest are in rejects.csv.
const MAX_PRINTED: usize = 20;

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    claimflow::filekind::check(&args.input, claimflow::filekind::Expected::Encounters)?;
    let config_path = args.config.path();
    let config = args.config.load()?;
    let ledger_path = args.ledger.path(&args.config)?;
    let options = Options { now: args.now.get()?, resend: args.resend };
    if args.out.exists() && !args.out.is_dir() {
        bail!("{}: --out must be a folder", args.out.display());
    }
    let layout = args.layout.as_deref().map(Layout::load).transpose()?;
    let dir = args.codeset_dir.clone().or_else(|| config.codeset_dir());
    let imported = dir.as_deref().map(CodeSets::with_dir).transpose()?;
    let inputs = Inputs {
        export: &args.input,
        layout: args.layout.as_deref().zip(layout.as_ref()),
        config: &config,
        config_file: Some(&config_path),
        codesets: imported.as_ref().unwrap_or_else(|| CodeSets::shipped()),
    };
    let progress = Progress::on_stderr();
    // The header is read before the ledger is opened: an export that cannot
    // be read leaves nothing behind, not even a new ledger file (past the
    // header, a row that cannot be read is a finding).
    let opened = build::open(&inputs)?;
    progress.stage("opening the ledger");
    let mut ledger = Ledger::open(&ledger_path)?;
    super::print_ledger_notes(&ledger);
    let opened = opened.verify(args.verify);
    let (report, prepared) = opened.run(&options, &mut ledger, &args.out, &progress)?;
    drop(ledger); // releases the lock
    for note in &report.codeset_notes {
        eprintln!("claimflow: note: {}", note.message);
    }
    for note in &report.notes {
        eprintln!("claimflow: {note}");
    }
    // Freeing hundreds of thousands of claims one by one takes longer than
    // the OS takes to reclaim the memory of a process about to exit.
    std::mem::forget(prepared);

    super::print_result(global.json, &report.manifest, |out| print_summary(out, &report))?;
    Ok(if report.needs_attention() { Outcome::NeedsAttention } else { Outcome::Clean })
}

fn print_summary(out: &mut dyn Write, report: &build::Report) -> io::Result<()> {
    let c = &report.manifest.counts;
    let totals = &report.manifest.totals;
    match &report.x12_file {
        Some(p) => writeln!(
            out,
            "sent {} claim(s), {} line(s), {} in {}",
            c.sent,
            c.sent_lines,
            totals.sent_charge,
            p.display()
        )?,
        None => writeln!(out, "sent 0 claims: no 837P written")?,
    }
    if c.already_sent > 0 {
        writeln!(
            out,
            "already sent: {} claim(s) (unchanged since sent; not sent again)",
            c.already_sent
        )?;
    }
    if report.needs_attention() {
        // The total is of the lines read; rows no line could be read from
        // are named, so the held rows' charges can be added up to it.
        let left_out = &totals.held_rows_not_in_charge;
        let not_summed = match left_out.len() {
            0 => String::new(),
            n => {
                let shown: Vec<String> = left_out.iter().take(10).map(u64::to_string).collect();
                let more = if n > 10 { format!(" and {} more", n - 10) } else { String::new() };
                format!(
                    " (not in that total: row(s) {}{more}, from which no service line could be read)",
                    shown.join(", ")
                )
            }
        };
        writeln!(
            out,
            "held back: {} claim(s), {}{not_summed}; reasons in {}, rows to fix in {}",
            c.held,
            totals.held_charge,
            report.rejects_file.display(),
            report.held_file.display()
        )?;
        let errors: Vec<_> = report.errors().collect();
        // Every finding is in the one export: the lines name row, column and claim.
        for f in errors.iter().take(MAX_PRINTED) {
            writeln!(out, "  {}", (*f).clone().in_file(""))?;
        }
        if errors.len() > MAX_PRINTED {
            writeln!(
                out,
                "  ... and {} more in {}",
                errors.len() - MAX_PRINTED,
                report.rejects_file.display()
            )?;
        }
    }
    if c.warnings > 0 {
        writeln!(out, "warnings: {} (see {})", c.warnings, report.rejects_file.display())?;
    }
    Ok(())
}
