//! Envelopes: interchanges (ISA/IEA), functional groups (GS/GE) and
//! transaction sets (ST/SE), and the checks that tie their trailers to them.
//!
//! [`scan`] reads a whole input once and returns the envelope tree (with the
//! byte range of every transaction set, so later stages can parse sets in
//! parallel) and every envelope [`Finding`]: control numbers that do not
//! match, counts that are off, missing trailers, segments outside an
//! envelope, duplicate control numbers, malformed ISA fields. Large inputs are
//! split at segment boundaries and scanned on several threads; the result is
//! the same as a sequential scan. This module does not look inside a
//! transaction set (no loops, no healthcare rules).

use std::collections::HashSet;
use std::ops::Range;

use rayon::prelude::*;

use super::delim::Delimiters;
use super::error::{Error, ErrorKind, Position};
use super::lex::{is_envelope_id, Segments};
use super::segment::Segment;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Ord, PartialOrd, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The file is not valid; a receiver would reject it.
    Error,
    /// Worth knowing, but a receiver would accept the file.
    Warning,
}

/// One problem found in an X12 input.
#[derive(Clone, Debug, Eq, PartialEq, serde::Serialize)]
pub struct Finding {
    /// Where it is.
    pub pos: Position,
    /// Id of the segment concerned (empty when none could be read).
    pub segment_id: String,
    /// Error or warning.
    pub severity: Severity,
    /// Stable code, e.g. `X12-SE01`.
    pub code: &'static str,
    /// Plain-language message with expected and found values.
    pub message: String,
}

impl Finding {
    /// An error-level finding.
    pub fn error(pos: Position, segment_id: &str, code: &'static str, message: String) -> Finding {
        Finding {
            pos,
            segment_id: segment_id.to_string(),
            severity: Severity::Error,
            code,
            message,
        }
    }

    /// A warning-level finding.
    pub fn warning(
        pos: Position,
        segment_id: &str,
        code: &'static str,
        message: String,
    ) -> Finding {
        Finding {
            pos,
            segment_id: segment_id.to_string(),
            severity: Severity::Warning,
            code,
            message,
        }
    }
}

/// One ISA…IEA interchange.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Interchange {
    /// Position of the ISA (or of the first segment when the ISA is missing).
    pub pos: Position,
    /// False when there was no ISA and this interchange was implied.
    pub has_isa: bool,
    /// Delimiters in force.
    pub delimiters: Delimiters,
    /// ISA05/ISA06 sender qualifier and id (trimmed).
    pub sender: (String, String),
    /// ISA07/ISA08 receiver qualifier and id (trimmed).
    pub receiver: (String, String),
    /// ISA09 date (YYMMDD) and ISA10 time (HHMM).
    pub date_time: (String, String),
    /// ISA12 version, e.g. `00501`.
    pub version: String,
    /// ISA13 control number.
    pub control: String,
    /// ISA15 usage indicator (`P` production, `T` test).
    pub usage: String,
    /// Functional groups in order.
    pub groups: Vec<Group>,
    /// Position of the IEA, when present.
    pub end: Option<Position>,
}

/// One GS…GE functional group.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Group {
    /// Position of the GS (or of the first set when GS is missing).
    pub pos: Position,
    /// False when there was no GS and this group was implied.
    pub has_gs: bool,
    /// GS01 functional identifier code (HC claims, HP remittances, FA acks…).
    pub functional_id: String,
    /// GS02 sender code.
    pub sender: String,
    /// GS03 receiver code.
    pub receiver: String,
    /// GS06 group control number.
    pub control: String,
    /// GS08 version / release / industry identifier, e.g. `005010X222A1`.
    pub version: String,
    /// Transaction sets in order.
    pub sets: Vec<TransactionSet>,
    /// Position of the GE, when present.
    pub end: Option<Position>,
}

/// One ST…SE transaction set.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TransactionSet {
    /// Position of the ST.
    pub pos: Position,
    /// ST01 transaction set identifier, e.g. `837`.
    pub id: String,
    /// ST02 control number.
    pub control: String,
    /// ST03 implementation convention reference, when given.
    pub implementation: String,
    /// What kind of transaction this is (from ST01, ST03 and GS08).
    pub kind: TransactionKind,
    /// Bytes from the ST's first byte to just past the SE's terminator (or
    /// to the last segment read when SE is missing).
    pub bytes: Range<usize>,
    /// Segments from ST to SE inclusive.
    pub segment_count: u32,
    /// Position of the SE, when present.
    pub end: Option<Position>,
    /// Delimiters in force.
    pub delimiters: Delimiters,
}

impl TransactionSet {
    /// The set's segments, re-read from `input` (the same buffer given to [`scan`]).
    pub fn segments<'a>(&self, input: &'a [u8]) -> Segments<'a> {
        Segments::chunk(
            input,
            self.bytes.start,
            self.bytes.end,
            self.delimiters,
            self.pos.segment.saturating_sub(1),
        )
    }
}

/// Transaction kinds claimflow knows by name.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, Ord, PartialOrd, serde::Serialize)]
pub enum TransactionKind {
    /// 837 professional (005010X222…).
    #[serde(rename = "837P")]
    Claim837P,
    /// 837 institutional (005010X223…).
    #[serde(rename = "837I")]
    Claim837I,
    /// 837 of another or unstated guide (dental, or no version given).
    #[serde(rename = "837")]
    Claim837,
    /// 835 health care claim payment/advice.
    #[serde(rename = "835")]
    Remittance835,
    /// 999 implementation acknowledgment.
    #[serde(rename = "999")]
    Ack999,
    /// 277CA claim acknowledgment (005010X214).
    #[serde(rename = "277CA")]
    Ack277CA,
    /// Anything else (the ST01 is in the set's `id`).
    #[serde(rename = "other")]
    Other,
}

impl TransactionKind {
    /// Identifies a set from ST01, ST03 and the group's GS08.
    pub fn identify(st01: &str, st03: &str, gs08: &str) -> TransactionKind {
        let version = if st03.is_empty() { gs08 } else { st03 };
        match st01 {
            "837" if version.contains("X222") => TransactionKind::Claim837P,
            "837" if version.contains("X223") => TransactionKind::Claim837I,
            "837" => TransactionKind::Claim837,
            "835" => TransactionKind::Remittance835,
            "999" => TransactionKind::Ack999,
            "277" if version.contains("X214") => TransactionKind::Ack277CA,
            _ => TransactionKind::Other,
        }
    }

    /// Short name for summaries (`837P`, `835`, …).
    pub fn name(&self) -> &'static str {
        match self {
            TransactionKind::Claim837P => "837P",
            TransactionKind::Claim837I => "837I",
            TransactionKind::Claim837 => "837",
            TransactionKind::Remittance835 => "835",
            TransactionKind::Ack999 => "999",
            TransactionKind::Ack277CA => "277CA",
            TransactionKind::Other => "other",
        }
    }
}

/// The result of scanning one input.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Scan {
    /// Interchanges in file order.
    pub interchanges: Vec<Interchange>,
    /// Envelope and read findings in file order.
    pub findings: Vec<Finding>,
    /// Segments read.
    pub segments: u32,
    /// Findings not kept because the cap was reached.
    pub findings_suppressed: u64,
    /// The same, counted per severity and code.
    pub suppressed_by_code: Suppressed,
}

/// Findings past the cap, counted per code (so that totals per code stay
/// exact however many findings a file has).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Suppressed {
    /// Error-level findings not kept, per code.
    pub errors: std::collections::BTreeMap<&'static str, u64>,
    /// Warnings not kept, per code.
    pub warnings: std::collections::BTreeMap<&'static str, u64>,
}

impl Suppressed {
    /// Counts one finding that was not kept.
    pub fn add(&mut self, f: &Finding) {
        let map = match f.severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
        };
        *map.entry(f.code).or_default() += 1;
    }
}

impl Scan {
    /// Every transaction set with its group, in file order.
    pub fn sets(&self) -> impl Iterator<Item = (&Interchange, &Group, &TransactionSet)> {
        self.interchanges
            .iter()
            .flat_map(|i| i.groups.iter().flat_map(move |g| g.sets.iter().map(move |s| (i, g, s))))
    }

    /// True when no error-level finding was made.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// At most this many findings are kept per input; the rest are counted.
pub const MAX_FINDINGS: usize = 1000;

/// Inputs at least this large are scanned on several threads.
pub const PARALLEL_THRESHOLD: usize = 8 << 20;

/// Scans a whole input: envelope tree and findings. Never panics.
pub fn scan(input: &[u8]) -> Scan {
    let threads = rayon::current_num_threads();
    if input.len() >= PARALLEL_THRESHOLD && threads > 1 {
        if let Some(scan) = scan_parallel_chunks(input, threads * 4) {
            return scan;
        }
    }
    scan_sequential(input)
}

/// Scans with the parallel algorithm split into `chunks` pieces, whatever
/// the input size (the result must equal [`scan_sequential`]'s). Used by
/// tests and the fuzzer to exercise chunk boundaries on small inputs; falls
/// back to the sequential scan when the input cannot be split.
pub fn scan_chunked(input: &[u8], chunks: usize) -> Scan {
    scan_parallel_chunks(input, chunks.max(1)).unwrap_or_else(|| scan_sequential(input))
}

/// Scans on one thread.
pub fn scan_sequential(input: &[u8]) -> Scan {
    let mut checker = Checker::new(input);
    let mut lexer = Segments::new(input);
    // Runs of plain (non-envelope) segments go to the checker as one event,
    // as in the parallel scan: per plain segment only this loop runs.
    let mut run: Option<(Segment<'_>, Segment<'_>)> = None;
    loop {
        if let Some((first, last)) = lexer.plain_run() {
            match &mut run {
                Some((_, l)) => *l = last,
                None => run = Some((first, last)),
            }
        }
        let Some(item) = lexer.next() else { break };
        match item {
            Ok(seg) if !is_envelope_id(seg.id) => match &mut run {
                Some((_, last)) => *last = seg,
                None => run = Some((seg, seg)),
            },
            item => {
                if let Some((first, last)) = run.take() {
                    checker.plain_run(first, last);
                }
                match item {
                    Ok(seg) => checker.segment(seg),
                    Err(e) => checker.read_error(e),
                }
            }
        }
    }
    if let Some((first, last)) = run.take() {
        checker.plain_run(first, last);
    }
    checker.finish(lexer.ordinal())
}

/// What a chunk worker saw: envelope segments, runs of other segments, errors.
enum Event<'a> {
    Envelope(Segment<'a>),
    /// A run of non-envelope segments; `first` is the run's first segment.
    Plain {
        first: Segment<'a>,
        last: Segment<'a>,
    },
    ReadError(Error),
}

/// Splits the input at segment terminators and scans chunks in parallel.
/// Returns `None` when the input does not allow it (no leading ISA, or an
/// interchange with other delimiters than the first): the caller then scans
/// sequentially.
pub(crate) fn scan_parallel_chunks<'a>(input: &'a [u8], chunks: usize) -> Option<Scan> {
    let bom = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    if !input[bom..].starts_with(b"ISA") {
        return None;
    }
    let header = Delimiters::from_isa(&input[bom..], Position::default()).ok()?;
    let delims = header.delimiters;
    let step = input.len() / chunks;
    let mut bounds = vec![0usize];
    for k in 1..chunks {
        let from = (k * step).max(*bounds.last()?);
        match memchr::memchr(delims.segment, &input[from..]) {
            Some(i) if from + i + 1 < input.len() => bounds.push(from + i + 1),
            _ => break,
        }
    }
    bounds.push(input.len());
    bounds.dedup();
    let parts: Vec<(Vec<Event<'a>>, u32, bool)> = bounds
        .par_windows(2)
        .enumerate()
        .map(|(k, w)| {
            let mut lexer = if k == 0 {
                Segments::new(input).limit(w[1])
            } else {
                Segments::chunk(input, w[0], w[1], delims, 0)
            };
            let mut events = Vec::new();
            let mut run: Option<(Segment<'_>, Segment<'_>)> = None;
            let mut same_delims = true;
            loop {
                if let Some((first, last)) = lexer.plain_run() {
                    match &mut run {
                        Some((_, l)) => *l = last,
                        None => run = Some((first, last)),
                    }
                }
                let Some(item) = lexer.next() else { break };
                match item {
                    Ok(seg) if is_envelope_id(seg.id) => {
                        if let Some((first, last)) = run.take() {
                            events.push(Event::Plain { first, last });
                        }
                        if seg.is("ISA") && seg.delimiters != delims {
                            same_delims = false;
                        }
                        events.push(Event::Envelope(seg));
                    }
                    Ok(seg) => match &mut run {
                        Some((_, last)) => *last = seg,
                        None => run = Some((seg, seg)),
                    },
                    Err(e) => {
                        if matches!(
                            e.kind,
                            ErrorKind::IsaTruncated(_) | ErrorKind::BadDelimiters(_)
                        ) {
                            // After an unreadable ISA the sequential scan
                            // skips to the next ISA; chunks cannot know.
                            same_delims = false;
                        }
                        if let Some((first, last)) = run.take() {
                            events.push(Event::Plain { first, last });
                        }
                        events.push(Event::ReadError(e));
                    }
                }
            }
            if let Some((first, last)) = run.take() {
                events.push(Event::Plain { first, last });
            }
            (events, lexer.ordinal(), same_delims)
        })
        .collect();
    if parts.iter().any(|p| !p.2) {
        return None;
    }
    let mut checker = Checker::new(input);
    let mut offset = 0u32;
    // An unreadable stretch that runs to the end of a chunk may go on in the
    // next one: the sequential scan reports it once, so merge it.
    let mut carry: Option<Error> = None;
    for ((events, count, _), w) in parts.into_iter().zip(bounds.windows(2)) {
        let shift = |mut s: Segment<'a>| -> Segment<'a> {
            s.pos.segment += offset;
            s
        };
        let n = events.len();
        for (idx, ev) in events.into_iter().enumerate() {
            let mut error = match ev {
                Event::ReadError(mut e) => {
                    e.pos.segment += offset;
                    e
                }
                other => {
                    if let Some(c) = carry.take() {
                        checker.read_error(c);
                    }
                    match other {
                        Event::Envelope(s) => checker.segment(shift(s)),
                        Event::Plain { first, last } => {
                            checker.plain_run(shift(first), shift(last))
                        }
                        Event::ReadError(_) => {}
                    }
                    continue;
                }
            };
            if let Some(c) = carry.take() {
                match (idx == 0, merge_skips(&c, &error)) {
                    (true, Some(merged)) => error = merged,
                    _ => checker.read_error(c),
                }
            }
            let to_chunk_end = skip_end(&error).is_some_and(|e| {
                input.get(e..w[1]).is_some_and(|rest| {
                    rest.iter()
                        .all(|&b| matches!(b, b'\r' | b'\n' | b' ' | b'\t') || b == delims.segment)
                })
            });
            if idx + 1 == n && to_chunk_end {
                carry = Some(error);
            } else {
                checker.read_error(error);
            }
        }
        offset += count;
    }
    if let Some(c) = carry {
        checker.read_error(c);
    }
    Some(checker.finish(offset))
}

/// Where an unreadable stretch (a `BadSegmentId` error) ends.
fn skip_end(e: &Error) -> Option<usize> {
    match e.kind {
        ErrorKind::BadSegmentId { skipped, .. } => Some((e.pos.byte + skipped) as usize),
        _ => None,
    }
}

/// `a` then `b` as one unreadable stretch, when both are `BadSegmentId`.
fn merge_skips(a: &Error, b: &Error) -> Option<Error> {
    let end = skip_end(b)?;
    skip_end(a)?;
    let mut merged = a.clone();
    if let ErrorKind::BadSegmentId { skipped, .. } = &mut merged.kind {
        *skipped = end as u64 - a.pos.byte;
    }
    Some(merged)
}

/// A run of segments outside any transaction set, reported once.
struct OutsideRun<'a> {
    /// Index of its finding in `scan.findings` (`usize::MAX` when capped).
    finding: usize,
    /// The run's first segment.
    first: Position,
    id: &'a str,
    place: &'static str,
}

struct OpenSet {
    set: TransactionSet,
}

/// What a trailer (SE, GE, IEA) is checked against.
struct Trailer {
    /// Segments, sets or groups actually counted.
    counted: usize,
    /// What was counted, in words (`segments`).
    noun: &'static str,
    /// Where it was counted, in words, or empty (` from ST to SE`).
    scope: &'static str,
    /// The header element holding the control number (`ST02`, `GS06`, `ISA13`).
    header_ref: &'static str,
    /// The header's control number.
    header_control: String,
    /// GS06/GE02 are numbers (leading zeros do not matter); the others are compared as text.
    numeric_control: bool,
}

/// The envelope state machine.
struct Checker<'a> {
    input: &'a [u8],
    scan: Scan,
    isa: Option<Interchange>,
    gs: Option<Group>,
    st: Option<OpenSet>,
    /// Last segment seen (for ranges of unterminated sets).
    last: Option<(Position, usize)>,
    isa_controls: HashSet<String>,
    gs_controls: HashSet<String>,
    st_controls: HashSet<String>,
    /// The run of segments outside any set being reported, if any.
    outside: Option<OutsideRun<'a>>,
    /// Delimiters of the last ISA (for implied envelopes).
    delimiters: Delimiters,
}

const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

fn trimmed(s: &Segment<'_>, n: usize) -> String {
    s.str(n).trim().to_string()
}

fn same_number(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl<'a> Checker<'a> {
    fn new(input: &'a [u8]) -> Checker<'a> {
        Checker {
            input,
            scan: Scan::default(),
            isa: None,
            gs: None,
            st: None,
            last: None,
            isa_controls: HashSet::new(),
            gs_controls: HashSet::new(),
            st_controls: HashSet::new(),
            outside: None,
            delimiters: Delimiters::default(),
        }
    }

    fn push(&mut self, f: Finding) {
        if self.scan.findings.len() < MAX_FINDINGS {
            self.scan.findings.push(f);
        } else {
            self.scan.findings_suppressed += 1;
            self.scan.suppressed_by_code.add(&f);
        }
    }

    fn read_error(&mut self, e: Error) {
        let (sev, code) = match e.kind {
            ErrorKind::Junk { .. } => (Severity::Warning, "X12-JUNK"),
            ErrorKind::DelimiterWarning(_) => (Severity::Warning, "X12-DELIMITERS"),
            ErrorKind::Unterminated { .. } => (Severity::Warning, "X12-UNTERMINATED"),
            ErrorKind::NoEnvelope => (Severity::Error, "X12-NO-ENVELOPE"),
            ErrorKind::NoIsa(_) => (Severity::Error, "X12-NOT-X12"),
            ErrorKind::IsaTruncated(_) | ErrorKind::BadDelimiters(_) => {
                (Severity::Error, "X12-ISA")
            }
            _ => (Severity::Error, "X12-READ"),
        };
        let message = e.kind.to_string();
        self.push(Finding { pos: e.pos, segment_id: String::new(), severity: sev, code, message });
    }

    fn segment(&mut self, s: Segment<'a>) {
        if is_envelope_id(s.id) {
            self.outside = None;
        }
        match s.id {
            b"ISA" => self.isa_start(s),
            b"GS" => self.gs_start(s),
            b"ST" => self.st_start(s),
            b"SE" => self.st_end(s),
            b"GE" => self.gs_end(s),
            b"IEA" => self.isa_end(s),
            _ => self.plain_run(s, s),
        }
        // After the dispatch: a set closed for want of its SE (by a GE, an
        // IEA or a new ST) ends at the segment before the one closing it.
        self.last = Some((s.pos, s.pos.byte as usize + s.len as usize));
    }

    fn plain_run(&mut self, first: Segment<'a>, last: Segment<'a>) {
        self.last = Some((last.pos, last.pos.byte as usize + last.len as usize));
        if self.st.is_some() {
            return;
        }
        // One finding per run of segments outside a set: a run that goes on
        // (segment by segment, or chunk by chunk) updates its count.
        if let Some(run) = &self.outside {
            let n = last.pos.segment - run.first.segment + 1;
            let message = format!("{n} segment(s) starting with {} are {}", run.id, run.place);
            if let Some(f) = self.scan.findings.get_mut(run.finding) {
                f.message = message;
            }
            return;
        }
        let place = if self.gs.is_some() {
            "inside a functional group but outside any transaction set (missing ST?)"
        } else if self.isa.is_some() {
            "inside an interchange but outside any functional group (missing GS/ST?)"
        } else {
            "outside any interchange (missing ISA, or data after IEA)"
        };
        let n = last.pos.segment - first.pos.segment + 1;
        let finding = if self.scan.findings.len() < MAX_FINDINGS {
            self.scan.findings.len()
        } else {
            usize::MAX
        };
        self.push(Finding::error(
            first.pos,
            first.id_str(),
            "X12-OUTSIDE",
            format!("{n} segment(s) starting with {} are {place}", first.id_str()),
        ));
        self.outside = Some(OutsideRun { finding, first: first.pos, id: first.id_str(), place });
    }

    fn isa_start(&mut self, s: Segment<'a>) {
        if self.isa.is_some() || self.gs.is_some() || self.st.is_some() {
            self.push(Finding::error(
                s.pos,
                "ISA",
                "X12-IEA-MISSING",
                "a new ISA starts before the previous interchange was closed by IEA".into(),
            ));
            self.close_isa(None);
        }
        self.outside = None;
        self.delimiters = s.delimiters;
        // Field widths: the ISA is fixed-width (106 bytes with terminator).
        let fields: Vec<_> = s.elements().collect();
        let mut wrong = Vec::new();
        for (i, w) in ISA_WIDTHS.iter().enumerate() {
            let got = fields.get(i).map(|e| e.raw.len()).unwrap_or(0);
            if got != *w {
                wrong.push(format!("ISA{:02} has {got} characters, expected {w}", i + 1));
            }
        }
        if s.len != 106 || !wrong.is_empty() {
            self.push(Finding::error(
                s.pos,
                "ISA",
                "X12-ISA-LENGTH",
                if s.len == 106 {
                    format!("ISA field widths are wrong: {}", wrong.join(", "))
                } else if wrong.is_empty() {
                    format!("ISA segment is {} bytes, expected 106", s.len)
                } else {
                    format!("ISA segment is {} bytes, expected 106: {}", s.len, wrong.join(", "))
                },
            ));
        }
        let control = trimmed(&s, 13);
        if control.len() != 9 || !control.bytes().all(|b| b.is_ascii_digit()) {
            self.push(Finding::error(
                s.pos,
                "ISA",
                "X12-ISA13",
                format!("ISA13 control number must be 9 digits, found {control:?}"),
            ));
        }
        if !matches!(trimmed(&s, 15).as_str(), "P" | "T" | "I") {
            self.push(Finding::error(
                s.pos,
                "ISA",
                "X12-ISA15",
                format!("ISA15 usage indicator must be P or T, found {:?}", trimmed(&s, 15)),
            ));
        }
        if !self.isa_controls.insert(control.clone()) {
            self.push(Finding::error(
                s.pos,
                "ISA",
                "X12-DUPLICATE-CONTROL",
                format!(
                    "ISA13 control number {control} is used by an earlier interchange in this file"
                ),
            ));
        }
        self.gs_controls.clear();
        self.isa = Some(Interchange {
            pos: s.pos,
            has_isa: true,
            delimiters: s.delimiters,
            sender: (trimmed(&s, 5), trimmed(&s, 6)),
            receiver: (trimmed(&s, 7), trimmed(&s, 8)),
            date_time: (trimmed(&s, 9), trimmed(&s, 10)),
            version: trimmed(&s, 12),
            control,
            usage: trimmed(&s, 15),
            groups: Vec::new(),
            end: None,
        });
    }

    fn implied_isa(&mut self, pos: Position) {
        self.isa = Some(Interchange {
            pos,
            has_isa: false,
            delimiters: self.delimiters,
            sender: Default::default(),
            receiver: Default::default(),
            date_time: Default::default(),
            version: String::new(),
            control: String::new(),
            usage: String::new(),
            groups: Vec::new(),
            end: None,
        });
        self.gs_controls.clear();
    }

    fn gs_start(&mut self, s: Segment<'a>) {
        if self.st.is_some() || self.gs.is_some() {
            self.push(Finding::error(
                s.pos,
                "GS",
                "X12-GE-MISSING",
                "a new GS starts before the previous functional group was closed by GE".into(),
            ));
            self.close_gs(None);
        }
        if self.isa.is_none() {
            self.push(Finding::error(
                s.pos,
                "GS",
                "X12-OUTSIDE",
                "GS is outside any interchange (missing ISA)".into(),
            ));
            self.implied_isa(s.pos);
        }
        self.outside = None;
        let control = trimmed(&s, 6);
        if control.is_empty() || control.len() > 9 || !control.bytes().all(|b| b.is_ascii_digit()) {
            self.push(Finding::error(
                s.pos,
                "GS",
                "X12-GS06",
                format!("GS06 group control number must be 1-9 digits, found {control:?}"),
            ));
        }
        if !self.gs_controls.insert(control.clone()) {
            self.push(Finding::error(
                s.pos,
                "GS",
                "X12-DUPLICATE-CONTROL",
                format!(
                    "GS06 control number {control} is used by an earlier group in this interchange"
                ),
            ));
        }
        self.st_controls.clear();
        self.gs = Some(Group {
            pos: s.pos,
            has_gs: true,
            functional_id: trimmed(&s, 1),
            sender: trimmed(&s, 2),
            receiver: trimmed(&s, 3),
            control,
            version: trimmed(&s, 8),
            sets: Vec::new(),
            end: None,
        });
    }

    fn st_start(&mut self, s: Segment<'a>) {
        if self.st.is_some() {
            self.push(Finding::error(
                s.pos,
                "ST",
                "X12-SE-MISSING",
                "a new ST starts before the previous transaction set was closed by SE".into(),
            ));
            self.close_st(None);
        }
        if self.gs.is_none() {
            if self.isa.is_some() {
                self.push(Finding::error(
                    s.pos,
                    "ST",
                    "X12-OUTSIDE",
                    "ST is outside any functional group (missing GS)".into(),
                ));
            } else {
                self.delimiters = s.delimiters;
                self.implied_isa(s.pos);
            }
            self.gs = Some(Group {
                pos: s.pos,
                has_gs: false,
                functional_id: String::new(),
                sender: String::new(),
                receiver: String::new(),
                control: String::new(),
                version: String::new(),
                sets: Vec::new(),
                end: None,
            });
            self.st_controls.clear();
        }
        self.outside = None;
        let control = trimmed(&s, 2);
        if control.len() < 4 || control.len() > 9 {
            self.push(Finding::error(
                s.pos,
                "ST",
                "X12-ST02",
                format!("ST02 control number must be 4-9 characters, found {control:?}"),
            ));
        }
        if !self.st_controls.insert(control.clone()) {
            self.push(Finding::error(
                s.pos,
                "ST",
                "X12-DUPLICATE-CONTROL",
                format!("ST02 control number {control} is used by an earlier set in this group"),
            ));
        }
        let id = trimmed(&s, 1);
        let implementation = trimmed(&s, 3);
        let gs08 = self.gs.as_ref().map(|g| g.version.clone()).unwrap_or_default();
        let start = s.pos.byte as usize;
        self.st = Some(OpenSet {
            set: TransactionSet {
                pos: s.pos,
                kind: TransactionKind::identify(&id, &implementation, &gs08),
                id,
                control,
                implementation,
                bytes: start..start + s.len as usize,
                segment_count: 1,
                end: None,
                delimiters: s.delimiters,
            },
        });
    }

    /// Checks a trailer's count (element 1) and control number (element 2)
    /// against what was counted and its header's control number.
    fn check_trailer(&mut self, s: &Segment<'a>, t: Trailer) {
        let id = s.id_str();
        let declared = trimmed(s, 1);
        if declared.parse::<usize>().ok() != Some(t.counted) {
            let code = match id {
                "SE" => "X12-SE01",
                "GE" => "X12-GE01",
                _ => "X12-IEA01",
            };
            self.push(Finding::error(
                s.pos,
                id,
                code,
                format!(
                    "{id}01 declares {declared:?} {} but {} were counted{} ({} {})",
                    t.noun, t.counted, t.scope, t.header_ref, t.header_control
                ),
            ));
        }
        let control = trimmed(s, 2);
        let same = if t.numeric_control {
            same_number(&control, &t.header_control)
        } else {
            control == t.header_control
        };
        if !same {
            let code = match id {
                "SE" => "X12-SE02",
                "GE" => "X12-GE02",
                _ => "X12-IEA02",
            };
            let rule = if t.numeric_control { "they must match" } else { "they must be identical" };
            self.push(Finding::error(
                s.pos,
                id,
                code,
                format!(
                    "{id}02 is {control:?} but {} is {:?}: {rule}",
                    t.header_ref, t.header_control
                ),
            ));
        }
    }

    fn st_end(&mut self, s: Segment<'a>) {
        let Some(open) = self.st.as_ref() else {
            self.push(Finding::error(
                s.pos,
                "SE",
                "X12-SE-ORPHAN",
                "SE without a matching ST".into(),
            ));
            return;
        };
        let trailer = Trailer {
            counted: (s.pos.segment - open.set.pos.segment + 1) as usize,
            noun: "segments",
            scope: " from ST to SE",
            header_ref: "ST02",
            header_control: open.set.control.clone(),
            numeric_control: false,
        };
        self.check_trailer(&s, trailer);
        self.close_st(Some(s));
    }

    fn close_st(&mut self, se: Option<Segment<'a>>) {
        if let Some(mut open) = self.st.take() {
            match se {
                Some(se) => {
                    open.set.end = Some(se.pos);
                    open.set.bytes.end = se.pos.byte as usize + se.len as usize;
                    open.set.segment_count = se.pos.segment - open.set.pos.segment + 1;
                }
                None => {
                    let (last_pos, last_end) =
                        self.last.unwrap_or((open.set.pos, open.set.bytes.end));
                    open.set.bytes.end = last_end.max(open.set.bytes.end);
                    open.set.segment_count =
                        last_pos.segment.saturating_sub(open.set.pos.segment) + 1;
                }
            }
            if let Some(g) = self.gs.as_mut() {
                g.sets.push(open.set);
            }
        }
    }

    fn gs_end(&mut self, s: Segment<'a>) {
        if self.st.is_some() {
            self.push(Finding::error(
                s.pos,
                "GE",
                "X12-SE-MISSING",
                "GE closes the group while a transaction set is still open (missing SE)".into(),
            ));
            self.close_st(None);
        }
        let Some(g) = self.gs.as_ref() else {
            self.push(Finding::error(
                s.pos,
                "GE",
                "X12-GE-ORPHAN",
                "GE without a matching GS".into(),
            ));
            return;
        };
        let trailer = Trailer {
            counted: g.sets.len(),
            noun: "transaction sets",
            scope: "",
            header_ref: "GS06",
            header_control: g.control.clone(),
            numeric_control: true,
        };
        self.check_trailer(&s, trailer);
        self.close_gs(Some(s.pos));
    }

    fn close_gs(&mut self, end: Option<Position>) {
        self.close_st(None);
        if let Some(mut g) = self.gs.take() {
            g.end = end;
            if self.isa.is_none() {
                let pos = g.pos;
                self.implied_isa(pos);
            }
            if let Some(i) = self.isa.as_mut() {
                i.groups.push(g);
            }
        }
    }

    fn isa_end(&mut self, s: Segment<'a>) {
        if self.st.is_some() || self.gs.is_some() {
            self.push(Finding::error(
                s.pos,
                "IEA",
                "X12-GE-MISSING",
                "IEA closes the interchange while a group or set is still open (missing SE/GE)"
                    .into(),
            ));
            self.close_gs(None);
        }
        let Some(i) = self.isa.as_ref() else {
            self.push(Finding::error(
                s.pos,
                "IEA",
                "X12-IEA-ORPHAN",
                "IEA without a matching ISA".into(),
            ));
            return;
        };
        let trailer = Trailer {
            counted: i.groups.len(),
            noun: "functional groups",
            scope: "",
            header_ref: "ISA13",
            header_control: i.control.clone(),
            numeric_control: false,
        };
        self.check_trailer(&s, trailer);
        self.close_isa(Some(s.pos));
    }

    fn close_isa(&mut self, end: Option<Position>) {
        self.close_gs(None);
        if let Some(mut i) = self.isa.take() {
            i.end = end;
            self.scan.interchanges.push(i);
        }
        self.outside = None;
    }

    fn finish(mut self, segments: u32) -> Scan {
        let eof = Position::new(self.input.len() as u64, segments);
        if self.st.is_some() {
            self.push(Finding::error(
                eof,
                "",
                "X12-SE-MISSING",
                "input ends inside a transaction set: SE is missing".into(),
            ));
        }
        if self.gs.as_ref().is_some_and(|g| g.has_gs) {
            self.push(Finding::error(
                eof,
                "",
                "X12-GE-MISSING",
                "input ends inside a functional group: GE is missing".into(),
            ));
        }
        if self.isa.as_ref().is_some_and(|i| i.has_isa) {
            self.push(Finding::error(
                eof,
                "",
                "X12-IEA-MISSING",
                "input ends inside an interchange: IEA is missing".into(),
            ));
        }
        self.close_isa(None);
        if self.scan.interchanges.is_empty() && self.scan.findings.is_empty() {
            self.push(Finding::error(
                eof,
                "",
                "X12-EMPTY",
                "input holds no X12 data (empty file)".into(),
            ));
        }
        self.scan.segments = segments;
        self.scan.findings.sort_by_key(|f| f.pos);
        self.scan
    }
}
