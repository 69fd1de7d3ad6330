//! `claimflow ack`: arguments and the printed summary of acknowledgment
//! intake; the job itself is [`claimflow::ack::run`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use claimflow::ack::{self, Options, Report};
use claimflow::ledger::Ledger;

use claimflow::filekind::Expected;

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Read TA1, 999 and 277CA acknowledgments, and 277 claim status answers, into each claim's story.
///
/// Any mix of files, several interchanges per file, any delimiters. A TA1
/// answers a file sent (by ISA13), a 999 its transaction sets (by GS06 and
/// ST02; IK3/IK4 errors go to the claim whose segment they point at), a
/// 277CA each claim (2200D TRN02 = claim id; the payer through the config's
/// payer ids and aliases, or the file its 2200B TRN02 names). A 277 claim
/// status answer (005010X212) is matched to the 276 inquiry by its trace,
/// else by REF*EJ; its STC category (pending, finalized, information
/// requested...) goes into the claim's history and the worklist. Each
/// acknowledgment is recorded once in the ledger (the same one again says
/// "already read"); accepted and rejected claims change status, 277CA
/// events in the order of their status dates. One that matches nothing is
/// reported with its position.
/// With --out, writes acks.csv (one row per claim event) into that folder.
///
/// Exit: 0 everything accepted (or recorded before); 1 something rejected,
/// unmatched, truncated or unreadable; 2 could not run (no file could be
/// read, no ledger), or a file is of another kind (an 835, an 837, a CSV:
/// named, left out).
///
/// Examples:
///   claimflow ack inbox/*.999 inbox/*.277 --config claimflow.toml
///   claimflow ack fixtures/ack/demo.999 fixtures/ack/demo.277 \
///       --ledger out/claimflow.db --out out/acks --now 2026-11-28
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// TA1, 999 and 277CA files.
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    /// Folder for acks.csv (created when missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    now: NowArg,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    // A file of another kind (an 835, an 837, a CSV) is named and left out;
    // the others are read and the run exits 2.
    let (files, wrong) = super::files_of_kind(&args.files, Expected::Acknowledgment);
    if files.is_empty() {
        return Ok(Outcome::CouldNotRun);
    }
    let mut options = Options::new(args.now.get()?);
    if args.config.config.is_some() || args.config.path().exists() {
        let config = args.config.load()?;
        for p in &config.payer {
            options.payers.add(&p.id, p.aliases.iter().map(String::as_str));
        }
    }
    let path = args.ledger.path(&args.config)?;
    if !path.exists() {
        bail!("ledger {} does not exist: run `claimflow build` first", path.display());
    }
    let mut ledger =
        Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
    super::print_ledger_notes(&ledger);
    let report = ack::run(&files, &mut ledger, args.out.as_deref(), &options)?;
    drop(ledger);
    for f in &report.unreadable_files {
        eprintln!("claimflow: {f}");
    }
    super::print_result(global.json, &report, |out| print_report(out, &report))?;
    Ok(Outcome::of(wrong, report.needs_attention()))
}

/// At most this many rejections are printed.
const MAX_PRINTED: usize = 50;

fn print_report(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    super::print_findings(out, &r.findings)?;
    for f in &r.unreadable_files {
        writeln!(out, "{f}")?;
    }
    let c = &r.counts;
    writeln!(
        out,
        "read {} file(s): {} TA1, {} 999 set response(s), {} 277CA claim status(es)",
        r.files, c.ta1, c.sets, c.claim_statuses
    )?;
    if c.batches_rejected > 0 {
        writeln!(
            out,
            "  277CA rejections of a batch (2200B) or a billing provider (2200C): {}",
            c.batches_rejected
        )?;
    }
    if c.ta1 > 0 {
        writeln!(out, "  interchanges rejected (TA1): {}", c.interchanges_rejected)?;
    }
    if c.sets > 0 {
        writeln!(
            out,
            "  999 sets: accepted {}, accepted with errors {}, rejected {}",
            c.sets_accepted, c.sets_accepted_with_errors, c.sets_rejected
        )?;
    }
    writeln!(
        out,
        "  claim events: accepted {}, rejected {} (a claim the 999 and the 277CA both accept counts twice); unmatched acknowledgment(s): {}",
        c.claims_accepted, c.claims_rejected, c.unmatched
    )?;
    // A rejection recorded before is not printed as one again.
    let rejected: Vec<_> = r.rows.iter().filter(|row| row.status == "rejected").collect();
    for row in rejected.iter().take(MAX_PRINTED) {
        let word = if row.recorded == "already" { "already read" } else { "rejected" };
        writeln!(
            out,
            "  {word}: claim {} ({}): {} {}",
            row.claim_id,
            row.payer_id,
            row.kind,
            claimflow::claim::stc::annotate(&row.detail)
        )?;
    }
    if rejected.len() > MAX_PRINTED {
        writeln!(out, "  ... {} more rejected (see acks.csv)", rejected.len() - MAX_PRINTED)?;
    }
    let l = &r.ledger;
    writeln!(
        out,
        "  ledger: recorded {} acknowledgment(s), {} claim event(s), {} status change(s)",
        l.recorded, l.claim_events, l.status_changes
    )?;
    if l.already > 0 {
        writeln!(
            out,
            "  ledger: {} acknowledgment(s) already recorded: nothing recorded again",
            l.already
        )?;
    }
    if let Some(p) = &r.acks_csv {
        writeln!(out, "report: {}", p.display())?;
    }
    Ok(())
}
