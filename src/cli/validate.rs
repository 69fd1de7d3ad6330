//! `claimflow validate`: X12 files checked by WEDI SNIP level (envelopes,
//! the implementation guide, balancing, situational rules, code sets) on any
//! number of files; text output grouped by loop, or JSON findings.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use rayon::prelude::*;

use claimflow::codeset::CodeSets;
use claimflow::validate::{validate_with, FileReport, Options};

use claimflow::filekind::Expected;

use super::{Global, Outcome};

/// Check X12 files by WEDI SNIP level: 1 syntax and envelopes, 2 the
/// implementation guide (loops, segment usage, order and repeats, element
/// types, lengths and codes, syntax notes), 3 balancing, 4 situational
/// rules, 5 external code sets.
///
/// Prints the findings grouped by loop (`file:segment N (byte B): message
/// [RULE]` under a `loop 2300` line) and a summary per file naming the
/// transactions found (837P, 837I, 835, 999, 277CA, 277). With --json: one
/// object per file whose findings carry snip, loop_id, element, expected
/// and found. Files are checked in parallel; large files are split at
/// segment boundaries and scanned on every core.
///
/// Exit: 0 all valid, 1 findings, 2 a file could not be read or is not X12
/// (a CSV: named with the command that reads it).
///
/// Examples:
///   claimflow validate inbox/*.835
///   claimflow validate --json out/claims-000000001.x12
///   claimflow validate --level 2 --transaction 837P bare-claims.txt
///   claimflow validate --codeset-dir codes/ remit.835
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
    #[arg(long, conflicts_with = "level")]
    envelope_only: bool,
    /// Highest SNIP level to check, 1 to 5 (1 = --envelope-only).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u8).range(1..=5))]
    level: u8,
    /// The guide of every set, for a bare file or one whose envelope does
    /// not name it: 837P, 837I, 835, 999, 277CA, 277, or a version such as
    /// 005010X222A1.
    #[arg(long, value_name = "GUIDE")]
    transaction: Option<String>,
    /// Folder of code files (as check and build read it): ICD-10-CM
    /// releases (icd10cm-FY<YYYY>.txt) and the licensed CARC, RARC and CPT
    /// lists (headers carc|rarc|cpt,description,start,stop; dates
    /// YYYYMMDD). Without a list its codes are reported once per file as not
    /// checked.
    #[arg(long, value_name = "DIR")]
    codeset_dir: Option<PathBuf>,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let codes = match &args.codeset_dir {
        Some(dir) => {
            CodeSets::with_dir(dir).with_context(|| format!("--codeset-dir {}", dir.display()))?
        }
        None => CodeSets::shipped().clone(),
    };
    let opts = Options {
        level: if args.envelope_only { 1 } else { args.level },
        transaction: args.transaction.clone(),
        codes,
        loops: false,
    };
    let reports: Vec<Result<FileReport, String>> = args
        .files
        .par_iter()
        .map(|path| {
            claimflow::filekind::check(path, Expected::AnyX12).map_err(|e| e.to_string())?;
            let input = claimflow::input::open(path)
                .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
            Ok(validate_with(&path.display().to_string(), &input, &opts))
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
                    let mut current = "";
                    for f in &rep.findings {
                        if f.loop_id != current && !f.loop_id.is_empty() {
                            writeln!(out, "loop {}", f.loop_id)?;
                        }
                        current = f.loop_id;
                        let indent = if f.loop_id.is_empty() { "" } else { "  " };
                        writeln!(out, "{indent}{}", f.clone().in_file(rep.file.as_str()))?;
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
                    if !rep.not_checked.is_empty() {
                        writeln!(out, "{}: note: {}", rep.file, rep.not_checked)?;
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
    Ok(Outcome::of(unreadable, findings))
}
