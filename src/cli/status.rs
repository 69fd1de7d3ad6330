//! `claimflow status`: arguments and printing of claim statuses, stories
//! and the follow-up worklist; the reads are [`claimflow::status`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use claimflow::claim::stc;
use claimflow::ledger::Ledger;
use claimflow::numtext::money;
use claimflow::status::{self, ClaimStory, Options, WorkItem};

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Where each claim stands: counts, a claim's story, or today's worklist.
///
/// Without claim ids: claims counted by status and payer. With claim ids:
/// each claim's current status (sent, accepted, rejected, paid, partial,
/// denied, patient_responsibility, reversed, forwarded) and, with
/// --history, its whole story (sent in which file with which control
/// numbers, acknowledged, rejected with codes, paid or denied with amounts,
/// reversed, sent again). --json prints an array of claims, each with its
/// history. --worklist lists every claim that needs a person on --now: a
/// rejection, no acknowledgment within the payer's ack_days (default 2),
/// accepted but no 835 within expected_days_to_pay (default 30), a denial
/// or partial payment, a reversal without correction; oldest first, then
/// largest. --out writes the worklist as CSV. --inquire --out DIR writes a
/// 276 claim status inquiry (005010X212) for the claims named, or for every
/// worklist claim to ask the payer about, at most once a day per claim;
/// `claimflow ack` reads the 277 answers.
///
/// Claim ids match ignoring case (`d1002` finds `D1002`); an id in no
/// claim is named on stderr with the closest known ids.
///
/// Exit: 0 (the worklist is empty); 1 the worklist has rows; 2 a claim id
/// is not in the ledger (the others are shown), or could not run.
///
/// Examples:
///   claimflow status --config claimflow.toml
///   claimflow status D1002 --history --ledger out/claimflow.db
///   claimflow status --worklist --out out/worklist.csv --now 2026-12-01
///   claimflow status --inquire --out outbox --now 2026-12-01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Claims to show (claim ids, as sent in CLM01).
    #[arg(value_name = "CLAIM_ID")]
    claims: Vec<String>,
    /// Show each claim's whole story.
    #[arg(long)]
    history: bool,
    /// List the claims that need a person today.
    #[arg(long, conflicts_with_all = ["claims", "history"])]
    worklist: bool,
    /// Write 276 claim status inquiries into --out DIR for the claims
    /// named, or for every accepted claim with no 835 past its payer's
    /// expected_days_to_pay.
    #[arg(long, conflicts_with_all = ["worklist", "history"], requires = "out")]
    inquire: bool,
    /// With --worklist: write the worklist as CSV to this file. With
    /// --inquire: the folder for the 276.
    #[arg(long, value_name = "FILE.csv|DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    #[command(flatten)]
    now: NowArg,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let path = args.ledger.path(&args.config)?;
    if !path.exists() {
        bail!("ledger {} does not exist: run `claimflow build` first", path.display());
    }
    if args.out.is_some() && !args.worklist && !args.inquire {
        bail!("--out needs --worklist (a CSV file) or --inquire (a folder)");
    }
    if args.inquire {
        // The only part of status that writes (the inquiries it sent).
        let mut ledger =
            Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
        super::print_ledger_notes(&ledger);
        let now = args.now.get()?;
        let config = args.config.load()?;
        let options = Options::from_config(now, &config);
        let dir = args.out.clone().unwrap_or_default();
        let report = status::inquire(&mut ledger, &config, &options, &args.claims, &dir)?;
        drop(ledger);
        super::print_result(global.json, &report, |out| print_inquire(out, &report))?;
        let unknown = report.not_inquired.iter().any(|n| n.payer_id.is_empty());
        return Ok(if unknown { Outcome::NeedsAttention } else { Outcome::Clean });
    }
    // Everything else reads: the ledger is opened read-only, never written
    // or upgraded; a read an older schema cannot answer names the command
    // that upgrades it.
    let ledger = Ledger::open_read_only(&path)
        .with_context(|| format!("opening ledger {}", path.display()))?;
    read(&args, global, &ledger).map_err(|e| {
        let failed_read = matches!(
            e.downcast_ref::<claimflow::ledger::Error>(),
            Some(claimflow::ledger::Error::Sqlite { .. } | claimflow::ledger::Error::Read { .. })
        );
        match ledger.outdated() {
            Some(outdated) if failed_read => outdated.into(),
            _ => e,
        }
    })
}

/// The reads of `status` (counts, stories, the worklist).
fn read(args: &Args, global: &Global, ledger: &Ledger) -> anyhow::Result<Outcome> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let outcome = if args.worklist {
        let now = args.now.get()?;
        let options = if args.config.config.is_some() || args.config.path().exists() {
            let config = args.config.load()?;
            let mut options = Options::from_config(now, &config);
            if let Some(dir) = config.codeset_dir() {
                options.reasons = claimflow::codeset::CodeSets::reason_texts_in(&dir)?;
            }
            options
        } else {
            Options::new(now)
        };
        let items = status::worklist(ledger, &options)?;
        if let Some(file) = &args.out {
            let bytes = status::worklist_csv(&items)?;
            write_private(file, &bytes).with_context(|| format!("writing {}", file.display()))?;
        }
        if global.json {
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        } else {
            print_worklist(&mut out, &items)?;
            if let Some(file) = &args.out {
                writeln!(out, "report: {}", file.display())?;
            }
        }
        if items.is_empty() {
            Outcome::Clean
        } else {
            Outcome::NeedsAttention
        }
    } else if args.claims.is_empty() {
        let counts = status::counts(ledger)?;
        if global.json {
            serde_json::to_writer_pretty(&mut out, &counts)?;
            writeln!(out)?;
        } else {
            writeln!(out, "{:<16} {:<24} {:>8} {:>14}", "payer", "status", "claims", "charge")?;
            for c in &counts {
                writeln!(
                    out,
                    "{:<16} {:<24} {:>8} {:>14}",
                    c.payer_id,
                    c.status.as_str(),
                    c.claims,
                    money(c.total_charge)
                )?;
            }
            let total: u64 = counts.iter().map(|c| c.claims).sum();
            writeln!(out, "{total} claim(s)")?;
        }
        Outcome::Clean
    } else {
        let found = status::find(ledger, &args.claims)?;
        for u in &found.unknown {
            let hint =
                claimflow::suggest::hint(&u.closest, "no claim id in the ledger is close to it");
            eprintln!("claimflow: claim {}: not in the ledger; {hint}", u.id);
        }
        if global.json {
            serde_json::to_writer_pretty(&mut out, &found.stories)?;
            writeln!(out)?;
        } else {
            print_stories(&mut out, &found.stories, args.history)?;
        }
        // An unknown id is a bad argument (exit 2), never "needs a person" (1).
        if found.unknown.is_empty() {
            Outcome::Clean
        } else {
            Outcome::CouldNotRun
        }
    };
    out.flush().context("writing the status")?;
    Ok(outcome)
}

fn print_stories(out: &mut dyn Write, stories: &[ClaimStory], history: bool) -> io::Result<()> {
    for s in stories {
        writeln!(
            out,
            "{} {}: {} (charge {}, sent {})",
            s.claim_id,
            s.payer_id,
            s.status,
            money(s.total_charge),
            s.sent_at.get(..10).unwrap_or(&s.sent_at)
        )?;
        if let Some(c) = &s.coverage {
            let status = c.status.map_or("unknown", |x| x.word());
            let mut line = format!(
                "  coverage: {status} (271 of {}, trace {}",
                c.answered_at.map(|t| t.date().to_string()).unwrap_or_default(),
                c.trace
            );
            if let (Some(b), Some(e)) = (c.plan_begin, c.plan_end) {
                line.push_str(&format!(", plan {b} to {e}"));
            }
            if !c.other_payer_primary.is_empty() {
                line.push_str(&format!(", primary payer {}", c.other_payer_primary));
            }
            if !c.reject_reason.is_empty() {
                line.push_str(&format!(", {}", c.reject_reason));
            }
            writeln!(out, "{line})")?;
        }
        if let Some(st) = &s.standing {
            writeln!(out, "  standing: {}", st.line())?;
        }
        if history {
            for e in &s.history {
                let detail = stc::annotate(&e.detail);
                writeln!(out, "  {}  {:<10} {:<22} {detail}", e.at, e.source, e.status)?;
            }
        }
    }
    Ok(())
}

fn print_inquire(out: &mut dyn Write, r: &status::InquireReport) -> io::Result<()> {
    for i in &r.inquired {
        writeln!(out, "{} {}: 276 inquiry, trace {}", i.claim_id, i.payer_id, i.trace)?;
    }
    for n in &r.not_inquired {
        writeln!(out, "{} {}: not asked: {}", n.claim_id, n.payer_id, n.reason)?;
    }
    match &r.x12_file {
        Some(f) => writeln!(
            out,
            "{} claim status inquiries written to {} (ISA13 {})",
            r.inquired.len(),
            f.display(),
            r.interchange_control.as_deref().unwrap_or("")
        ),
        None => writeln!(out, "no claim to ask about: no 276 written"),
    }
}

fn print_worklist(out: &mut dyn Write, items: &[WorkItem]) -> io::Result<()> {
    for i in items {
        // The status leads the line: a reason that repeats it drops it.
        let reason = i.reason.strip_prefix(&format!("{}: ", i.status)).unwrap_or(&i.reason);
        writeln!(
            out,
            "{} {} {} for {} day(s), {}: {} -> {}",
            i.claim_id,
            i.payer_id,
            i.status,
            i.age_days,
            money(i.amount),
            stc::annotate(reason),
            i.next_action
        )?;
    }
    let total: rust_decimal::Decimal = items.iter().map(|i| i.amount).sum();
    writeln!(out, "worklist: {} claim(s), {}", items.len(), money(total))?;
    Ok(())
}

/// Writes a report file atomically with mode 0600 (temp file + rename).
fn write_private(path: &std::path::Path, bytes: &[u8]) -> io::Result<()> {
    claimflow::status::write_report(path, bytes)
}
