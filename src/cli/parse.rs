//! `claimflow parse`: an X12 file as JSON (envelopes, sets, segments with
//! their elements and positions), or one readable segment per line.

use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use serde_json::{json, Value};

use claimflow::x12::{self, Segment, Severity};

use super::{Global, Outcome};

/// Print an X12 file as JSON, or one segment per line.
///
/// The JSON holds every interchange, functional group and transaction set
/// with its control numbers and kind, and each segment with its ordinal
/// (1-based), byte offset (0-based) and elements. An element is a string, a
/// list of components when it has any, or {"repetitions": [...]}. `--segments`
/// prints `N<TAB>segment` with the standard delimiters `* : ^ ~`. Envelope
/// findings go to stderr; the exit code is 1 when there are any.
///
/// Examples:
///   claimflow parse remit.835 | jq '.interchanges[0].groups[0].sets[0].segments[0]'
///   claimflow parse --segments claims.x12 | grep ^.*CLM
///   claimflow parse --remittances remit.835 | jq '.[0].claims[0].clp04_paid'
#[derive(Debug, clap::Args)]
pub struct Args {
    /// X12 file to print (use - for standard input).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// One segment per line, re-delimited with `* : ^ ~`.
    #[arg(long)]
    segments: bool,
    /// The typed 835 model instead: one remittance per 835 transaction set
    /// (payment, trace, payer, payee, claim payments with adjustments and
    /// service lines, provider adjustments, read findings), as JSON.
    #[arg(long, conflicts_with = "segments")]
    remittances: bool,
}

fn element_json(seg: &Segment<'_>, n: usize) -> Value {
    let el = seg.element(n);
    let reps = el.repetitions();
    let one = |e: &x12::Element<'_>| -> Value {
        let comps: Vec<Value> = e
            .components()
            .map(|c| Value::String(String::from_utf8_lossy(c).into_owned()))
            .collect();
        if comps.len() > 1 {
            Value::Array(comps)
        } else {
            Value::String(e.as_str().into_owned())
        }
    };
    if reps.len() > 1 && !seg.is("ISA") {
        json!({ "repetitions": reps.iter().map(one).collect::<Vec<_>>() })
    } else {
        one(&el)
    }
}

fn segment_json(seg: &Segment<'_>) -> Value {
    let id = seg.id_str();
    let elements: Vec<Value> = (1..=seg.element_count())
        .map(|n| json!({ "ref": format!("{id}{n:02}"), "value": element_json(seg, n) }))
        .collect();
    json!({ "id": id, "segment": seg.pos.segment, "byte": seg.pos.byte, "elements": elements })
}

/// The segment with standard delimiters.
fn readable(seg: &Segment<'_>) -> String {
    let mut s = String::from(seg.id_str());
    for n in 1..=seg.element_count() {
        s.push('*');
        let el = seg.element(n);
        let reps: Vec<String> = el
            .repetitions()
            .iter()
            .map(|r| {
                r.components()
                    .map(|c| String::from_utf8_lossy(c).into_owned())
                    .collect::<Vec<_>>()
                    .join(":")
            })
            .collect();
        if seg.is("ISA") && n == 16 {
            s.push(':');
        } else if seg.is("ISA") && n == 11 {
            s.push('^');
        } else {
            s.push_str(&reps.join("^"));
        }
    }
    s.push('~');
    s
}

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let _ = global;
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
    if args.segments {
        for seg in x12::Segments::new(&input).flatten() {
            writeln!(out, "{}\t{}", seg.pos.segment, readable(&seg))?;
        }
    } else {
        // Stream: the envelope skeleton is small; segments are written set by set.
        write!(out, "{{\"file\":{},\"interchanges\":[", serde_json::to_string(&name)?)?;
        for (i, ic) in scan.interchanges.iter().enumerate() {
            if i > 0 {
                write!(out, ",")?;
            }
            let mut head = serde_json::to_value(ic)?;
            head.as_object_mut().map(|o| o.remove("groups"));
            let head = serde_json::to_string(&head)?;
            write!(out, "{},\"groups\":[", &head[..head.len() - 1])?;
            for (j, g) in ic.groups.iter().enumerate() {
                if j > 0 {
                    write!(out, ",")?;
                }
                let mut gh = serde_json::to_value(g)?;
                gh.as_object_mut().map(|o| o.remove("sets"));
                let gh = serde_json::to_string(&gh)?;
                write!(out, "{},\"sets\":[", &gh[..gh.len() - 1])?;
                for (k, set) in g.sets.iter().enumerate() {
                    if k > 0 {
                        write!(out, ",")?;
                    }
                    let mut sh = serde_json::to_value(set)?;
                    sh.as_object_mut().map(|o| o.remove("bytes"));
                    let sh = serde_json::to_string(&sh)?;
                    write!(out, "{},\"segments\":[", &sh[..sh.len() - 1])?;
                    for (n, seg) in set.segments(&input).flatten().enumerate() {
                        if n > 0 {
                            write!(out, ",")?;
                        }
                        serde_json::to_writer(&mut out, &segment_json(&seg))?;
                    }
                    write!(out, "]}}")?;
                }
                write!(out, "]}}")?;
            }
            write!(out, "]}}")?;
        }
        write!(out, "],\"findings\":")?;
        serde_json::to_writer(&mut out, &scan.findings)?;
        writeln!(out, "}}")?;
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
