//! `claimflow eligibility request|read`: arguments and the printed summaries
//! of 270 inquiries and 271 answers; the jobs are
//! [`claimflow::eligibility::request`] and [`claimflow::eligibility::read`].

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;

use claimflow::coverage::CoverageStatus;
use claimflow::eligibility::{self, ReadOptions, ReadReport, RequestOptions, RequestReport};
use claimflow::encounter::Layout;
use claimflow::ledger::Ledger;

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Eligibility: 270 inquiries out, 271 coverage answers in.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    Request(RequestArgs),
    Read(ReadArgs),
}

/// Write 270 eligibility inquiries for an encounter or schedule export.
///
/// Reads the export like `build` (canonical columns, or --layout); only
/// billing_npi, payer_id, member_id, subscriber_last, subscriber_first,
/// subscriber_dob and service_date are required (claim and line columns are
/// ignored). One inquiry per payer, member, patient and date of service
/// (EQ*30 unless service_type says otherwise), each with a TRN trace
/// recorded in the ledger; all go in one 270 in DIR. Rows that cannot make
/// an inquiry are findings (row and column, as in `check`), also in
/// DIR/inquiry-rejects.csv. An inquiry sent before is not sent again unless
/// --again.
///
/// Exit: 0 every row made an inquiry (or was asked before); 1 some row could
/// not; 2 could not run.
///
/// Examples:
///   claimflow eligibility request schedule.csv --out outbox --config claimflow.toml
///   claimflow eligibility request encounters.csv --out outbox --again --now 2026-12-01
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct RequestArgs {
    /// Encounter or schedule export (CSV).
    #[arg(value_name = "EXPORT.csv")]
    input: PathBuf,
    /// Folder for the 270 and inquiry-rejects.csv (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Ask again for inquiries already sent.
    #[arg(long)]
    again: bool,
    /// Layout file mapping a foreign export onto the canonical columns.
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    #[command(flatten)]
    now: NowArg,
}

/// Read 271 eligibility answers into the ledger and coverage.csv.
///
/// Each answer is matched to its inquiry by TRN trace, then by payer,
/// member id and date of service. Its status for the service types asked
/// (active, inactive, not_found, error, unknown), plan dates, plan, group,
/// copay, coinsurance, deductibles, another payer named as primary, and any
/// AAA reject reason are recorded; `build` and `check` use the newest
/// answer. An AAA at the payer or receiver level is a rejected inquiry. An
/// answer for no inquiry sent is listed as unmatched. The same answer read
/// again records nothing and says so. With --out, writes coverage.csv.
///
/// Exit: 0 every patient active (or unknown); 1 someone inactive, not found,
/// in error, an inquiry rejected, an answer unmatched or a file invalid;
/// 2 could not run.
///
/// Examples:
///   claimflow eligibility read inbox/*.271 --out out/coverage
///   claimflow eligibility read answer.271 --json --ledger out/claimflow.db
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
struct ReadArgs {
    /// 271 files.
    #[arg(value_name = "FILE.271", required = true)]
    files: Vec<PathBuf>,
    /// Folder for coverage.csv (created when missing).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    #[command(flatten)]
    now: NowArg,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    match args.command {
        Sub::Request(a) => request(a, global),
        Sub::Read(a) => read(a, global),
    }
}

fn request(args: RequestArgs, global: &Global) -> anyhow::Result<Outcome> {
    let now = args.now.get()?;
    let config = args.config.load()?;
    let layout = args.layout.as_deref().map(Layout::load).transpose()?;
    let path = args.ledger.path(&args.config)?;
    let mut ledger =
        Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
    super::print_ledger_notes(&ledger);
    let options = RequestOptions { now, again: args.again };
    let report = eligibility::request(
        &args.input,
        layout.as_ref(),
        &config,
        &mut ledger,
        &args.out,
        &options,
    )?;
    drop(ledger);
    super::print_result(global.json, &report, |out| print_request(out, &report))?;
    Ok(if report.needs_attention() { Outcome::NeedsAttention } else { Outcome::Clean })
}

fn print_request(out: &mut dyn Write, r: &RequestReport) -> io::Result<()> {
    for f in &r.findings {
        writeln!(out, "{f}")?;
    }
    for a in &r.already_asked {
        let rows: Vec<String> = a.rows.iter().map(u64::to_string).collect();
        writeln!(
            out,
            "{}:{}: payer {} date {}: asked before (trace {}, {}); not sent again (use --again)",
            r.file,
            rows.join(","),
            a.payer_id,
            a.service_date,
            a.trace,
            a.sent_at.format("%Y-%m-%d %H:%M")
        )?;
    }
    let errors = r.findings.iter().filter(|f| f.is_error()).count();
    match &r.x12_file {
        Some(f) => writeln!(
            out,
            "{}: {} rows: {} inquiries written to {} (ISA13 {}); {} asked before; {errors} rows could not make an inquiry",
            r.file,
            r.rows_read,
            r.inquiries.len(),
            f.display(),
            r.interchange_control.as_deref().unwrap_or(""),
            r.already_asked.len(),
        ),
        None => writeln!(
            out,
            "{}: {} rows: no new inquiry (no 270 written); {} asked before; {errors} rows could not make an inquiry",
            r.file,
            r.rows_read,
            r.already_asked.len(),
        ),
    }
}

fn read(args: ReadArgs, global: &Global) -> anyhow::Result<Outcome> {
    let now = args.now.get()?;
    let config = args.config.load()?;
    let path = args.ledger.path(&args.config)?;
    let mut ledger =
        Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
    super::print_ledger_notes(&ledger);
    let options = ReadOptions { now, out_dir: args.out.clone() };
    let report = eligibility::read(&args.files, &config, &mut ledger, &options)?;
    drop(ledger);
    super::print_result(global.json, &report, |out| print_read(out, &report))?;
    if report.files.iter().all(|f| f.error.is_some()) {
        return Ok(Outcome::CouldNotRun);
    }
    Ok(if report.needs_attention() { Outcome::NeedsAttention } else { Outcome::Clean })
}

fn print_read(out: &mut dyn Write, r: &ReadReport) -> io::Result<()> {
    for f in &r.files {
        if let Some(e) = &f.error {
            writeln!(out, "{}: {e}", f.file)?;
            continue;
        }
        for x in &f.findings {
            writeln!(out, "{x}")?;
        }
        for a in &f.answers {
            let c = &a.coverage;
            let status = c.status.map_or("unknown", CoverageStatus::word);
            let mut line = format!(
                "{}: payer {} {} trace {}: {status}",
                f.file, c.payer_id, c.patient, c.trace
            );
            if let Some(d) = c.service_date {
                line.push_str(&format!(" (date {d})"));
            }
            if !c.reject_reason.is_empty() {
                line.push_str(&format!("; reject {}", c.reject_reason));
            }
            if !c.follow_up.is_empty() {
                line.push_str(&format!("; follow-up {}", c.follow_up));
            }
            if !c.other_payer_primary.is_empty() {
                line.push_str(&format!("; primary payer {}", c.other_payer_primary));
            }
            writeln!(out, "{line}")?;
        }
        for u in &f.unmatched {
            writeln!(
                out,
                "{}: byte {} segment {}: answer from payer {} (trace {:?}) matches no inquiry sent: unmatched",
                u.file, u.pos.byte, u.pos.segment, u.payer_id, u.trace
            )?;
        }
        let new = f.answers.iter().filter(|a| a.new).count();
        if f.already_read() {
            writeln!(
                out,
                "{}: already read: its {} answers are on file; nothing changed",
                f.file,
                f.answers.len()
            )?;
        } else {
            writeln!(
                out,
                "{}: {} answers ({new} new, {} already on file), {} unmatched",
                f.file,
                f.answers.len(),
                f.answers.len() - new,
                f.unmatched.len()
            )?;
        }
    }
    if let Some(c) = &r.coverage_file {
        writeln!(out, "coverage: {}", c.display())?;
    }
    Ok(())
}
