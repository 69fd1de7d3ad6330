//! An X12 input as a serializable document: every interchange, group and
//! transaction set with its envelope fields, each segment with its position
//! and elements, and the envelope findings. This is what `claimflow parse`
//! prints; it reads any X12 and interprets nothing inside the sets.

use std::borrow::Cow;

use serde::{Serialize, Serializer};

use super::{
    Delimiters, Element, Finding, Group, Interchange, Position, Scan, Segment, Segments,
    TransactionKind, TransactionSet,
};

// The document. Fields are in alphabetical order, children last: the order
// the output has always had (it was built from sorted `serde_json::Value`
// maps), kept so that it stays byte for byte the same.

/// The whole file: its interchanges (groups, sets and every segment) and the
/// envelope findings.
#[derive(Serialize)]
pub struct Document<'a> {
    file: &'a str,
    interchanges: Vec<InterchangeJson<'a>>,
    findings: &'a [Finding],
}

/// One interchange: the ISA fields of [`Interchange`], then its groups.
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

/// One functional group: the GS fields of [`Group`], then its sets.
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

/// One transaction set: the fields of [`TransactionSet`] but its byte
/// range, then its segments.
#[derive(Serialize)]
struct SetJson<'a> {
    control: &'a str,
    delimiters: DelimitersJson,
    end: Option<Position>,
    id: &'a str,
    implementation: &'a str,
    kind: TransactionKind,
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
/// segments are never all held in memory): serializes as a JSON array of
/// segment objects.
pub struct SegmentList<'a>(pub Segments<'a>);

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
    /// The document of `input`, scanned as `scan`, named `file`.
    pub fn new(file: &'a str, scan: &'a Scan, input: &'a [u8]) -> Document<'a> {
        let interchanges = scan.interchanges.iter().map(|ic| InterchangeJson::new(ic, input));
        Document { file, interchanges: interchanges.collect(), findings: &scan.findings }
    }
}

impl<'a> InterchangeJson<'a> {
    fn new(ic: &'a Interchange, input: &'a [u8]) -> InterchangeJson<'a> {
        let Interchange {
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
            ta1: _,
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
    fn new(g: &'a Group, input: &'a [u8]) -> GroupJson<'a> {
        let Group { pos, has_gs, functional_id, sender, receiver, control, version, sets, end } = g;
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
    fn new(set: &'a TransactionSet, input: &'a [u8]) -> SetJson<'a> {
        let TransactionSet {
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
    fn one(e: &Element<'a>) -> Value<'a> {
        let comps: Vec<Cow<'a, str>> = e.components().map(String::from_utf8_lossy).collect();
        if comps.len() > 1 {
            Value::Components(comps)
        } else {
            Value::Text(e.as_str())
        }
    }
}

/// The segment as text with the standard delimiters `* : ^ ~`.
pub fn readable(seg: &Segment<'_>) -> String {
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
