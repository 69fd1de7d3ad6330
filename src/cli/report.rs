//! `claimflow report`: arguments and the printed summary of the money
//! report; the job itself is [`claimflow::report::run`]. Nothing of
//! `patient_balances.csv` is printed: only its row count and total.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use chrono::NaiveDate;

use claimflow::report::{self, Options, Report};

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Write the money report: A/R aging, denials, payments and days to pay,
/// patient balances, procedures, a summary and one HTML page.
///
/// Reads the ledger in one read transaction (it never changes it and does
/// not wait for a running build or reconcile) and writes into --out, each
/// file atomically with mode 0600: aging.csv, denials.csv, payments.csv,
/// patient_balances.csv (names and dates of birth: never printed),
/// procedures.csv, summary.json and report.html (self-contained: no script,
/// nothing fetched). --from/--to choose claims by the day they were first
/// sent and payments by their payment date; --now is the day ages count to.
/// --json prints summary.json instead of the text summary.
///
/// --payer matches the ledger's payer ids ignoring case; an id with no claim
/// or payment there is an error naming the closest ones.
///
/// Exit: 0 written; 1 written, but the payments do not tie out to the
/// ledger (a person should look); 2 could not run (no ledger, bad dates,
/// an unknown --payer).
///
/// Examples:
///   claimflow report --out report/ --ledger out/claimflow.db --now 2026-12-31
///   claimflow report --out report/ --from 2026-01-01 --to 2026-06-30 --payer 60054
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Folder for the report files (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    #[command(flatten)]
    now: NowArg,
    /// Only claims first sent, and payments dated, on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    from: Option<NaiveDate>,
    /// Only claims first sent, and payments dated, on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = date)]
    to: Option<NaiveDate>,
    /// Only this payer id's claims and payments.
    #[arg(long, value_name = "ID")]
    payer: Option<String>,
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (YYYY-MM-DD)"))
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    if let (Some(f), Some(t)) = (args.from, args.to) {
        anyhow::ensure!(f <= t, "--from {f} is after --to {t}");
    }
    let mut options = Options::new(args.now.get()?);
    options.from = args.from;
    options.to = args.to;
    options.payer = args.payer;
    // CARC texts from the config's [codesets] dir, when there is a config.
    if args.config.config.is_some() || args.config.path().exists() {
        if let Some(dir) = args.config.load()?.codeset_dir() {
            options.reasons = claimflow::codeset::CodeSets::reason_texts_in(&dir)?;
        }
    }
    let path = args.ledger.path(&args.config)?;
    let conn = claimflow::ledger::open_read_only(&path)?;
    let report = report::run(&conn, &args.out, &options)
        .with_context(|| format!("report of {} into {}", path.display(), args.out.display()))?;
    super::print_result(global.json, &report.summary, |out| print_text(out, &report, &args.out))?;
    Ok(if report.needs_attention() { Outcome::NeedsAttention } else { Outcome::Clean })
}

fn print_text(out: &mut dyn Write, r: &Report, dir: &std::path::Path) -> io::Result<()> {
    let s = &r.summary;
    if r.is_empty() {
        writeln!(out, "nothing to report yet: no claim sent and no payment posted in this scope")?;
    }
    // Every claim sent once, under what became of it (the page's cards).
    let o = &s.claims_by_outcome;
    writeln!(
        out,
        "claims sent {}: paid {}, denied in full {}, left to the patient {}, waiting for a secondary {}, outstanding {}, rejected {}",
        s.claims_sent,
        o.paid,
        o.denied,
        o.left_to_patient,
        o.waiting_for_secondary,
        o.outstanding,
        o.rejected
    )?;
    // summary.json keeps the rate as a fraction; a person reads a percentage.
    let rate = s
        .collection_rate
        .as_deref()
        .and_then(|r| r.parse::<rust_decimal::Decimal>().ok())
        .map_or_else(
            || "n/a".to_string(),
            |r| format!("{:.2}%", r * rust_decimal::Decimal::ONE_HUNDRED),
        );
    writeln!(
        out,
        "A/R {} (over 90 days {}); collection rate {rate}; median days to pay {}",
        s.ar_total,
        s.ar_over_90,
        s.median_days_to_pay.as_deref().unwrap_or("n/a")
    )?;
    if s.ar_rejected_claims > 0 {
        writeln!(
            out,
            "rejected, not yet resent: {} claim(s), {} (not in the A/R; correct and resend before timely filing)",
            s.ar_rejected_claims, s.ar_rejected
        )?;
    }
    if s.ar_awaiting_secondary_claims > 0 {
        writeln!(
            out,
            "awaiting a secondary payer: {} claim(s), {} (the patient share that payer is to answer; not in the A/R)",
            s.ar_awaiting_secondary_claims, s.ar_awaiting_secondary
        )?;
    }
    writeln!(
        out,
        "paid by payers {}; denied {}; patient balances: {} claim(s), {}",
        s.payments_posted, s.denied_amount, s.patient_balance_claims, s.patient_balance_total
    )?;
    if s.patient_balance_awaiting_secondary_claims > 0 {
        writeln!(
            out,
            "  not billable yet: {} claim(s), {} wait for the secondary payer's answer",
            s.patient_balance_awaiting_secondary_claims, s.patient_balance_awaiting_secondary
        )?;
    }
    if s.patients_unknown > 0 {
        writeln!(
            out,
            "  {} patient balance row(s) have no name: the ledger has no patient for them and their 837 could not be read",
            s.patients_unknown
        )?;
    }
    let t = &s.tie_out;
    writeln!(
        out,
        "tie-out: paid {} in payments.csv, {} in the ledger; minus provider adjustments {} = deposited {}: {}",
        t.payments_csv_paid,
        t.ledger_paid,
        t.provider_adjustments,
        t.deposited,
        if t.ok { "OK" } else { "DOES NOT TIE OUT" }
    )?;
    writeln!(out, "wrote {} file(s) in {}: {}", s.files.len(), dir.display(), s.files.join(", "))
}
