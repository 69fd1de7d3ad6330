//! `claimflow parse`: an X12 file as JSON (envelopes, sets, segments with
//! their elements and positions), or one readable segment per line.

use std::borrow::Cow;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::Context;
use serde::{Serialize, Serializer};

use claimflow::x12::{self, Delimiters, Position, Segment, Segments, Severity};

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
/// Envelope findings go to stderr; the exit code is 1 when there are any.
///
/// Examples:
///   claimflow parse remit.835 | jq '.interchanges[0].groups[0].sets[0].segments[0]'
///   claimflow parse --segments claims.x12 | grep ^.*CLM
///   claimflow parse --segments --json claims.x12 | jq '.[] | select(.id == "CLM")'
///   claimflow parse --remittances remit.835 | jq '.[0].claims[0].clp04_paid'
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
}

// The document. Fields are in alphabetical order, children last: the order
// the output has always had (it was built from sorted `serde_json::Value`
// maps), kept so that it stays byte for byte the same.

/// The whole file.
#[derive(Serialize)]
struct Document<'a> {
    file: &'a str,
    interchanges: Vec<InterchangeJson<'a>>,
    findings: &'a [x12::Finding],
}

/// One interchange: the ISA fields of [`x12::Interchange`], then its groups.
#[derive(Serialize)]
struct InterchangeJson<'a> {
    control: &'a str,
    date_time: &'a (String, String),
    delimiters: DelimitersJson,
    end: Option<Position>,
    has_isa: bool,
    pos: Position,
    receiver: &'a (String, String),
    sender: &'a (String, String),
    usage: &'a str,
    version: &'a str,
    groups: Vec<GroupJson<'a>>,
}

/// One functional group: the GS fields of [`x12::Group`], then its sets.
#[derive(Serialize)]
struct GroupJson<'a> {
    control: &'a str,
    end: Option<Position>,
    functional_id: &'a str,
    has_gs: bool,
    pos: Position,
    receiver: &'a str,
    sender: &'a str,
    version: &'a str,
    sets: Vec<SetJson<'a>>,
}

/// One transaction set: the fields of [`x12::TransactionSet`] but its byte
/// range, then its segments.
#[derive(Serialize)]
struct SetJson<'a> {
    control: &'a str,
    delimiters: DelimitersJson,
    end: Option<Position>,
    id: &'a str,
    implementation: &'a str,
    kind: x12::TransactionKind,
    pos: Position,
    segment_count: u32,
    segments: SegmentList<'a>,
}

/// The delimiters as byte values.
#[derive(Serialize)]
struct DelimitersJson {
    component: u8,
    element: u8,
    repetition: Option<u8>,
    segment: u8,
}

/// Segments, read from the input as they are written out (a file's
/// segments are never all held in memory).
struct SegmentList<'a>(Segments<'a>);

/// One segment.
#[derive(Serialize)]
struct SegmentJson<'a> {
    byte: u64,
    elements: Vec<ElementJson<'a>>,
    id: &'a str,
    segment: u32,
}

/// One element: its reference (`CLM05`) and value.
#[derive(Serialize)]
struct ElementJson<'a> {
    #[serde(rename = "ref")]
    reference: String,
    value: Value<'a>,
}

/// An element's value.
#[derive(Serialize)]
#[serde(untagged)]
enum Value<'a> {
    /// One component: a string.
    Text(Cow<'a, str>),
    /// Components: a list of strings.
    Components(Vec<Cow<'a, str>>),
    /// Repetitions: `{"repetitions": [...]}`, each a string or components.
    Repetitions { repetitions: Vec<Value<'a>> },
}

// The models are destructured without `..`: a field added to one of them
// fails to compile here instead of being left out of the document unseen.

impl<'a> Document<'a> {
    fn new(file: &'a str, scan: &'a x12::Scan, input: &'a [u8]) -> Document<'a> {
        let interchanges = scan.interchanges.iter().map(|ic| InterchangeJson::new(ic, input));
        Document { file, interchanges: interchanges.collect(), findings: &scan.findings }
    }
}

impl<'a> InterchangeJson<'a> {
    fn new(ic: &'a x12::Interchange, input: &'a [u8]) -> InterchangeJson<'a> {
        let x12::Interchange {
            pos,
            has_isa,
            delimiters,
            sender,
            receiver,
            date_time,
            version,
            control,
            usage,
            groups,
            end,
        } = ic;
        InterchangeJson {
            control,
            date_time,
            delimiters: DelimitersJson::from(*delimiters),
            end: *end,
            has_isa: *has_isa,
            pos: *pos,
            receiver,
            sender,
            usage,
            version,
            groups: groups.iter().map(|g| GroupJson::new(g, input)).collect(),
        }
    }
}

impl<'a> GroupJson<'a> {
    fn new(g: &'a x12::Group, input: &'a [u8]) -> GroupJson<'a> {
        let x12::Group {
            pos,
            has_gs,
            functional_id,
            sender,
            receiver,
            control,
            version,
            sets,
            end,
        } = g;
        GroupJson {
            control,
            end: *end,
            functional_id,
            has_gs: *has_gs,
            pos: *pos,
            receiver,
            sender,
            version,
            sets: sets.iter().map(|set| SetJson::new(set, input)).collect(),
        }
    }
}

impl<'a> SetJson<'a> {
    fn new(set: &'a x12::TransactionSet, input: &'a [u8]) -> SetJson<'a> {
        let x12::TransactionSet {
            pos,
            id,
            control,
            implementation,
            kind,
            bytes: _,
            segment_count,
            end,
            delimiters,
        } = set;
        SetJson {
            control,
            delimiters: DelimitersJson::from(*delimiters),
            end: *end,
            id,
            implementation,
            kind: *kind,
            pos: *pos,
            segment_count: *segment_count,
            segments: SegmentList(set.segments(input)),
        }
    }
}

impl From<Delimiters> for DelimitersJson {
    fn from(d: Delimiters) -> DelimitersJson {
        let Delimiters { element, component, repetition, segment } = d;
        DelimitersJson { component, element, repetition, segment }
    }
}

impl Serialize for SegmentList<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.clone().flatten().map(|seg| SegmentJson::new(&seg)))
    }
}

impl<'a> SegmentJson<'a> {
    fn new(seg: &Segment<'a>) -> SegmentJson<'a> {
        let id = seg.id_str();
        let elements = (1..=seg.element_count())
            .map(|n| ElementJson { reference: format!("{id}{n:02}"), value: Value::of(seg, n) })
            .collect();
        SegmentJson { byte: seg.pos.byte, elements, id, segment: seg.pos.segment }
    }
}

impl<'a> Value<'a> {
    /// Element `n` of `seg` (ISA11 is the repetition separator itself, never
    /// a repeated element).
    fn of(seg: &Segment<'a>, n: usize) -> Value<'a> {
        let el = seg.element(n);
        let reps = el.repetitions();
        if reps.len() > 1 && !seg.is("ISA") {
            Value::Repetitions { repetitions: reps.iter().map(Value::one).collect() }
        } else {
            Value::one(&el)
        }
    }

    /// One repetition: a string, or its components when it has several.
    fn one(e: &x12::Element<'a>) -> Value<'a> {
        let comps: Vec<Cow<'a, str>> = e.components().map(String::from_utf8_lossy).collect();
        if comps.len() > 1 {
            Value::Components(comps)
        } else {
            Value::Text(e.as_str())
        }
    }
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
    if args.segments && global.json {
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
