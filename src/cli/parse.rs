//! `claimflow parse`: an X12 file as JSON (envelopes, sets, segments with
//! their elements and positions), or one readable segment per line.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use claimflow::x12::{self, readable, Document, SegmentList, Segments, Severity};

use claimflow::filekind::Expected;

use super::{Global, Outcome};

/// Print an X12 file as JSON, or one segment per line.
///
/// The JSON holds every interchange, functional group and transaction set
/// with its control numbers and kind, and each segment with its ordinal
/// ("segment", 1-based), byte offset ("byte", 0-based), id and elements
/// ({"ref": "CLM05", "value": ...}). A value is a string, a list of
/// components when it has any, or {"repetitions": [...]}. `--segments`
/// prints `N<TAB>segment` with the standard delimiters `* : ^ ~`.
///
/// --json: the output is JSON with or without it, except with --segments:
/// `--segments --json` prints the segments as one JSON array of the same
/// segment objects as in the full document.
///
/// Envelope findings go to stderr; the exit code is 1 when there are any,
/// 2 when the file is not X12 (a CSV), or not an 835 with --remittances.
///
/// Examples:
///   claimflow parse remit.835 | jq '.interchanges[0].groups[0].sets[0].segments[0]'
///   claimflow parse --segments claims.x12 | grep ^.*CLM
///   claimflow parse --segments --json claims.x12 | jq '.[] | select(.id == "CLM")'
///   claimflow parse --remittances remit.835 | jq '.[0].claims[0].clp04_paid'
///   claimflow parse --loops claims.x12 | jq '.[0][] | select(.id == "2300")'
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// X12 file to print (use - for standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// One segment per line, re-delimited with `* : ^ ~` (with --json: a
    /// JSON array of segments).
    #[arg(long)]
    segments: bool,
    /// The typed 835 model instead: one remittance per 835 transaction set
    /// (payment, trace, payer, payee, claim payments with adjustments and
    /// service lines, provider adjustments, read findings), as JSON.
    #[arg(long, conflicts_with = "segments")]
    remittances: bool,
    /// The loop tree of every transaction set, as the guide's schema places
    /// its segments: one JSON array per set of loops (id, depth, start
    /// position, last segment), in order.
    #[arg(long, conflicts_with_all = ["segments", "remittances"])]
    loops: bool,
    /// With --loops: the guide of every set (837P, 835... or a version),
    /// for a bare file or one whose envelope does not name it.
    #[arg(long, value_name = "GUIDE", requires = "loops")]
    transaction: Option<String>,
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let expected = if args.remittances { Expected::Remittance } else { Expected::AnyX12 };
    claimflow::filekind::check(&args.file, expected)?;
    let name = args.file.display().to_string();
    let input =
        claimflow::input::open(&args.file).with_context(|| format!("{name}: cannot read"))?;
    let scan = x12::scan(&input);
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.remittances {
        let read = claimflow::edi835::read_file(&input);
        serde_json::to_writer_pretty(&mut out, &read.remittances)?;
        writeln!(out)?;
        out.flush().context("writing results")?;
        let bad = read.remittances.is_empty()
            || read
                .remittances
                .iter()
                .any(|r| r.findings.iter().any(|f| f.severity == Severity::Error));
        return Ok(if bad { Outcome::NeedsAttention } else { Outcome::Clean });
    }
    if args.loops {
        let opts = claimflow::validate::Options {
            level: 2,
            transaction: args.transaction.clone(),
            loops: true,
            ..Default::default()
        };
        let report = claimflow::validate::validate_with(&name, &input, &opts);
        serde_json::to_writer_pretty(&mut out, &report.loops)?;
        writeln!(out)?;
    } else if args.segments && global.json {
        serde_json::to_writer(&mut out, &SegmentList(Segments::new(&input)))?;
        writeln!(out)?;
    } else if args.segments {
        for seg in Segments::new(&input).flatten() {
            writeln!(out, "{}\t{}", seg.pos.segment, readable(&seg))?;
        }
    } else {
        serde_json::to_writer(&mut out, &Document::new(&name, &scan, &input))?;
        writeln!(out)?;
    }
    out.flush().context("writing output")?;
    for f in &scan.findings {
        eprintln!("{}", f.clone().in_file(name.as_str()));
    }
    Ok(if scan.findings.iter().any(|f| f.severity == Severity::Error) {
        Outcome::NeedsAttention
    } else {
        Outcome::Clean
    })
}
