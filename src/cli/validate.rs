//! `claimflow validate`: X12 syntax and envelope checks (and, by transaction,
//! structure and balancing checks) on any number of files.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;

use claimflow::validate::{validate_file_to, Depth, FileReport};

use claimflow::filekind::Expected;

use super::{Global, Outcome};

/// Check X12 files: syntax, envelopes, and per-transaction rules.
///
/// Prints one line per finding (`file:segment N (byte B): message`) and a
/// summary per file naming the transactions found (837P, 837I, 835, 999,
/// 277CA). Files are checked in parallel; large files are split at segment
/// boundaries and scanned on every core.
///
/// Exit: 0 all valid, 1 findings, 2 a file could not be read or is not X12
/// (a CSV: named with the command that reads it).
///
/// Examples:
///   claimflow validate inbox/*.835
///   claimflow validate --json out/claims-000000001.x12
///   claimflow validate --envelope-only archive/2026-*.x12
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// X12 files to check (use - for standard input).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Check syntax and envelopes only (delimiters, ISA/GS/ST structure,
    /// control numbers, counts), skipping each transaction's own checks (HL
    /// hierarchy, 837 claim rules, 835 balancing): a fast pre-flight for
    /// very large files.
    #[arg(long)]
    envelope_only: bool,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let reports: Vec<Result<FileReport, String>> = args
        .files
        .par_iter()
        .map(|path| {
            claimflow::filekind::check(path, Expected::AnyX12).map_err(|e| e.to_string())?;
            let input = claimflow::input::open(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            let depth = if args.envelope_only { Depth::Envelope } else { Depth::Full };
            Ok(validate_file_to(&path.display().to_string(), &input, depth))
        })
        .collect();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut unreadable = false;
    let mut findings = false;
    if global.json {
        let mut items = Vec::new();
        for r in &reports {
            match r {
                Ok(rep) => {
                    findings |= !rep.is_valid();
                    items.push(serde_json::to_value(rep)?);
                }
                Err(msg) => {
                    unreadable = true;
                    eprintln!("claimflow: {msg}");
                    items.push(serde_json::json!({ "error": msg }));
                }
            }
        }
        serde_json::to_writer_pretty(&mut out, &items)?;
        writeln!(out)?;
    } else {
        for r in &reports {
            match r {
                Ok(rep) => {
                    findings |= !rep.is_valid();
                    for f in &rep.findings {
                        writeln!(out, "{}", f.clone().in_file(rep.file.as_str()))?;
                    }
                    if rep.findings_suppressed > 0 {
                        let s = &rep.suppressed_by_code;
                        let per_code: Vec<String> = s
                            .errors
                            .iter()
                            .chain(&s.warnings)
                            .map(|(code, n)| format!("{code} {n}"))
                            .collect();
                        writeln!(
                            out,
                            "{}: {} more findings not shown ({})",
                            rep.file,
                            rep.findings_suppressed,
                            per_code.join(", ")
                        )?;
                    }
                    writeln!(out, "{}", rep.summary_line())?;
                }
                Err(msg) => {
                    unreadable = true;
                    eprintln!("claimflow: {msg}");
                }
            }
        }
        let valid = reports.iter().filter(|r| matches!(r, Ok(rep) if rep.is_valid())).count();
        writeln!(
            out,
            "{} file(s) checked: {} valid, {} with errors, {} unreadable",
            reports.len(),
            valid,
            reports.iter().filter(|r| matches!(r, Ok(rep) if !rep.is_valid())).count(),
            reports.iter().filter(|r| r.is_err()).count()
        )?;
    }
    out.flush().context("writing results")?;
    Ok(if unreadable {
        Outcome::CouldNotRun
    } else if findings {
        Outcome::NeedsAttention
    } else {
        Outcome::Clean
    })
}
