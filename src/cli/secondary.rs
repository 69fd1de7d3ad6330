//! `claimflow secondary`: arguments, progress and the printed report of a
//! secondary run; the job itself is [`claimflow::secondary::run`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{bail, Context};

use claimflow::ledger::{Error as LedgerError, Ledger};
use claimflow::numtext::money;
use claimflow::progress::Progress;
use claimflow::secondary::{self, Options, Report};

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Bill secondary payers: a coordination-of-benefits (COB) 837P for every
/// claim whose primary payment is posted and that names a secondary payer.
///
/// For each claim sent with secondary coverage (the secondary_* columns)
/// and not yet sent to that secondary, the primary's latest posted payment
/// decides: paid or partly paid -> a COB claim to the secondary (the claim
/// as sent, read back from its 837, with the primary's payment read back
/// from its 835: 2320/2330A/2330B, CAS, AMT*D, 2430 per line); denied ->
/// not sent, listed with the denial's next action; reversed and not
/// corrected -> waits; forwarded by the primary -> not sent. Every COB claim
/// must balance (line charge = paid + line adjustments; CLM02 = paid +
/// claim and line adjustments) or it is held back with a finding. The COB
/// claims go into --out as secondary-<ISA13>.x12 and are recorded in the
/// ledger as claims at the secondary payer; running again sends nothing twice.
///
/// Exit: 0 clean (denied claims are listed; they are on reconcile's
/// worklist); 1 a claim was held back; 2 could not run.
///
/// Examples:
///   claimflow secondary --config claimflow.toml --out outbox/
///   claimflow secondary --config claimflow.toml --out outbox/ --dry-run --json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    /// Folder for the COB 837P (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    now: NowArg,
    /// Decide, build and check, but write and record nothing (the ledger is
    /// opened read-only).
    #[arg(long)]
    dry_run: bool,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let config = args.config.load()?;
    let options = Options { now: args.now.get()?, dry_run: args.dry_run };
    let path = args.ledger.path(&args.config)?;
    if !path.exists() {
        bail!(
            "ledger {} does not exist: run `claimflow build` and `claimflow reconcile` first",
            path.display()
        );
    }
    let progress = Progress::on_stderr();
    // The printed report shows the first claims of each list; the JSON
    // lists every claim.
    let keep = if global.json { usize::MAX } else { MAX_PRINTED };
    let report = if args.dry_run {
        // A dry run only reads: the ledger is opened read-only, never
        // written or upgraded; a read an older schema cannot answer names
        // the command that upgrades it.
        let mut ledger = Ledger::open_read_only(&path)
            .with_context(|| format!("opening ledger {}", path.display()))?;
        secondary::run_keeping(&config, &mut ledger, &args.out, &options, &progress, keep).map_err(
            |e| {
                let failed_read = matches!(
                    e,
                    secondary::Error::Ledger(LedgerError::Sqlite { .. } | LedgerError::Read { .. })
                );
                match ledger.outdated() {
                    Some(outdated) if failed_read => anyhow::Error::from(outdated),
                    _ => e.into(),
                }
            },
        )?
    } else {
        let mut ledger =
            Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
        super::print_ledger_notes(&ledger);
        secondary::run_keeping(&config, &mut ledger, &args.out, &options, &progress, keep)?
        // dropping the ledger releases the lock
    };
    super::print_result(global.json, &report, |out| print_report(out, &report))?;
    Ok(if report.needs_attention() { Outcome::NeedsAttention } else { Outcome::Clean })
}

/// At most this many lines are printed per list in the human report.
const MAX_PRINTED: usize = 50;

fn print_report(out: &mut dyn Write, r: &Report) -> io::Result<()> {
    let verb = if r.dry_run { "would send" } else { "sent" };
    match &r.x12_file {
        Some(f) => writeln!(
            out,
            "{verb} {} COB claim(s) to secondary payers, {} in {}",
            r.counts.sent,
            money(r.sent_charge),
            f.display()
        )?,
        None => writeln!(
            out,
            "{verb} {} COB claim(s) to secondary payers, {}",
            r.counts.sent,
            money(r.sent_charge)
        )?,
    }
    for s in r.sent.iter().take(MAX_PRINTED) {
        writeln!(
            out,
            "  claim {} -> {}: charge {}, primary {} paid {}, patient responsibility {}",
            s.claim_id,
            s.payer_id,
            money(s.charge),
            s.primary_payer_id,
            money(s.primary_paid),
            money(s.patient_responsibility)
        )?;
    }
    let lists =
        [("not sent", &r.not_sent, r.counts.not_sent), ("waiting", &r.waiting, r.counts.waiting)];
    for (title, list, count) in lists {
        if count == 0 {
            continue;
        }
        writeln!(out, "{title}: {count} claim(s)")?;
        for n in list.iter().take(MAX_PRINTED) {
            let next = if n.next_action.is_empty() {
                String::new()
            } else {
                format!("; next action: {}", n.next_action)
            };
            writeln!(
                out,
                "  claim {} ({} -> {}): {}{next}",
                n.claim_id, n.primary_payer_id, n.payer_id, n.reason
            )?;
        }
    }
    if r.awaiting_primary > 0 {
        writeln!(out, "awaiting the primary's payment: {} claim(s)", r.awaiting_primary)?;
    }
    if !r.held.is_empty() {
        writeln!(out, "held back: {} claim(s)", r.held.len())?;
        for f in r.findings.iter().take(MAX_PRINTED) {
            writeln!(out, "  {} [{}]", f.message, f.rule)?;
        }
    }
    Ok(())
}
