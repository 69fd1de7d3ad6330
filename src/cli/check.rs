//! `claimflow check`: read an encounter export, scrub every claim, print the
//! findings. Writes nothing.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;

use claimflow::codeset::CodeSets;
use claimflow::encounter::{self, Layout};
use claimflow::progress::Progress;
use claimflow::scrub::{self, Finding};

use super::{ConfigArg, Global, LedgerArg, NowArg, Outcome};

/// Check an encounter export without writing anything.
///
/// Reads the export (canonical columns, or any export through --layout),
/// groups rows into claims by claim_id, runs every scrub rule and prints the
/// findings: a table on stdout (FILE:ROW, column, claim, rule, severity,
/// message), or JSON with --json. Errors hold a claim back in `build`;
/// warnings are reported and the claim goes.
///
/// With a ledger (--ledger, or claimflow.db beside the config), the 271
/// answers `eligibility read` recorded apply too (E-ELIG-001 to E-ELIG-004).
///
/// Exit: 0 no claim would be held back (warnings may be printed), 1 some
/// claim or row would be held back, 2 could not run (unreadable input, bad
/// config or layout, missing required columns, an X12 file instead of an
/// export: named with the command that reads it).
///
/// Examples:
///   claimflow check fixtures/encounters/demo.csv \
///       --config fixtures/claimflow.toml --now 2026-11-27
///   claimflow check export.csv --layout fixtures/layouts/acme-pm.toml --json
///   claimflow check --list-rules
///   claimflow check --explain E-NCCI-001
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Encounter export (CSV; use - for standard input).
    #[arg(value_name = "ENCOUNTERS.csv", required_unless_present_any = ["list_rules", "explain"])]
    input: Option<PathBuf>,
    /// Print every rule (id, severity, what it checks) and exit.
    #[arg(long)]
    list_rules: bool,
    /// Print what RULE checks and how to fix what it finds, and exit (an
    /// unknown id: the closest ids, exit 2).
    #[arg(long, value_name = "RULE", conflicts_with = "list_rules")]
    explain: Option<String>,
    #[command(flatten)]
    config: ConfigArg,
    #[command(flatten)]
    ledger: LedgerArg,
    /// Layout file mapping a foreign export onto the canonical columns.
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// Folder of code-set files (default: `[codesets] dir` of the config):
    /// ICD-10-CM releases besides the shipped FY2026 one (icd10cm-FY<YYYY>.txt),
    /// NCCI PTP, MUE and add-on code edit files, CARC and RARC lists
    /// (.txt, .csv or .tsv, recognised by their header row).
    #[arg(long, value_name = "DIR")]
    codeset_dir: Option<PathBuf>,
    #[command(flatten)]
    now: NowArg,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    if let Some(id) = &args.explain {
        return explain(id, global);
    }
    let Some(input) = args.input.as_deref().filter(|_| !args.list_rules) else {
        return list_rules(global);
    };
    claimflow::filekind::check(input, claimflow::filekind::Expected::Encounters)?;
    let now = args.now.get()?;
    let config = args.config.load()?;
    let layout = args.layout.as_deref().map(Layout::load).transpose()?;
    let dir = args.codeset_dir.clone().or_else(|| config.codeset_dir());
    let imported = dir.as_deref().map(CodeSets::with_dir).transpose()?;
    let codesets = imported.as_ref().unwrap_or_else(|| CodeSets::shipped());
    let progress = Progress::on_stderr();
    progress.stage("reading encounters");
    let mut enc = encounter::read(input, layout.as_ref())?;
    let claims = enc.claims.len();
    progress.stage("checking claims");
    let mut result = scrub::run(&mut enc, &config, now, codesets);
    // The coverage rules need the 271 answers: only with a ledger.
    let ledger_path = args.ledger.path(&args.config)?;
    if ledger_path.is_file() {
        progress.stage("checking coverage answers");
        let conn = claimflow::ledger::open_read_only(&ledger_path)?;
        // Read-only: a ledger too old for the coverage tables says which
        // command upgrades it.
        let answers = claimflow::ledger::coverage_for_claims(&conn, &result.clean)
            .map_err(|e| claimflow::ledger::read::outdated(&conn).unwrap_or(e))?;
        let file = enc.file.clone();
        scrub::apply_coverage(
            &mut result.clean,
            &mut result.held,
            &mut result.findings,
            &answers,
            &config,
            now,
            &file,
            |c| enc.column_label(c),
        );
    }
    progress.done();
    for note in codesets.summary().into_iter().chain(codesets.ncci_note()) {
        eprintln!("claimflow: note: {note}");
    }
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        let doc = serde_json::json!({
            "file": enc.file,
            "claims": claims,
            "clean": result.clean.len(),
            "held": result.held.len(),
            "unclaimed_rows": enc.unclaimed_rows,
            "blank_rows": enc.blank_rows,
            "findings": result.findings,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        print_table(&mut out, &result.findings)?;
        let errors = result.findings.iter().filter(|f| f.is_error()).count();
        writeln!(
            out,
            "{}: {claims} claims: {} clean, {} held back; {} rows without claim_id; {errors} errors, {} warnings",
            enc.file,
            result.clean.len(),
            result.held.len(),
            enc.unclaimed_rows.len(),
            result.findings.len() - errors,
        )?;
    }
    out.flush().context("writing findings")?;
    // Freeing hundreds of thousands of claims one allocation at a time takes
    // longer than the scrub itself on large exports; the process is about
    // to exit, so let the OS reclaim the memory.
    let has_errors = result.has_errors();
    std::mem::forget(result);
    std::mem::forget(enc);
    Ok(if has_errors { Outcome::NeedsAttention } else { Outcome::Clean })
}

/// `--explain RULE`: what the rule checks and how to fix it.
fn explain(id: &str, global: &Global) -> anyhow::Result<Outcome> {
    let e = scrub::explain(id).map_err(|closest| {
        anyhow::anyhow!(
            "unknown rule \"{id}\"; the closest: {} (claimflow check --list-rules lists every rule)",
            closest.join(", ")
        )
    })?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        let doc = serde_json::json!({
            "id": e.rule.id, "severity": e.rule.severity, "what": e.rule.what, "fix": e.fix,
        });
        serde_json::to_writer_pretty(&mut out, &doc)?;
        writeln!(out)?;
    } else {
        let effect = if e.rule.severity == scrub::Severity::Error {
            "the claim is held back"
        } else {
            "reported; the claim goes"
        };
        writeln!(out, "{} ({}: {effect})", e.rule.id, e.rule.severity.as_str())?;
        writeln!(out, "checks: {}", e.rule.what)?;
        writeln!(out, "fix:    {}", e.fix)?;
    }
    out.flush()?;
    Ok(Outcome::Clean)
}

/// `--list-rules`: the rule catalogue as a table or JSON.
fn list_rules(global: &Global) -> anyhow::Result<Outcome> {
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        let rules: Vec<serde_json::Value> = scrub::RULES
            .iter()
            .map(|r| serde_json::json!({ "id": r.id, "severity": r.severity, "what": r.what }))
            .collect();
        serde_json::to_writer_pretty(&mut out, &rules)?;
        writeln!(out)?;
    } else {
        let w = scrub::RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
        for r in scrub::RULES {
            writeln!(out, "{:w$}  {:8}  {}", r.id, r.severity.as_str(), r.what)?;
        }
    }
    out.flush()?;
    Ok(Outcome::Clean)
}

/// A fixed-width table: location, column, claim, rule, severity, message.
fn print_table(out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
    if findings.is_empty() {
        return Ok(());
    }
    // A finding about the whole file (row 0) names the file alone.
    let loc = |f: &Finding| match f.row {
        0 => f.file.clone(),
        row => format!("{}:{row}", f.file),
    };
    let wl = findings.iter().map(|f| loc(f).len()).max().unwrap_or(0).max(8);
    let wc = findings.iter().map(|f| f.column.len()).max().unwrap_or(0).max(6);
    let wi = findings.iter().map(|f| f.claim_id.len()).max().unwrap_or(0).max(5);
    let wr = findings.iter().map(|f| f.rule.len()).max().unwrap_or(0).max(4);
    writeln!(
        out,
        "{:wl$}  {:wc$}  {:wi$}  {:wr$}  {:8}  MESSAGE",
        "FILE:ROW", "COLUMN", "CLAIM", "RULE", "SEVERITY"
    )?;
    for f in findings {
        writeln!(
            out,
            "{:wl$}  {:wc$}  {:wi$}  {:wr$}  {:8}  {}",
            loc(f),
            f.column,
            f.claim_id,
            f.rule,
            f.severity.as_str(),
            f.message
        )?;
    }
    Ok(())
}
