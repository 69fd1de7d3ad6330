//! The sequential envelope scan: the [`Checker`] state machine that reads
//! segments in order, reports read errors and segments outside any set, and
//! hands headers and trailers to its `headers` and `trailers` children. It
//! does not split inputs or run threads (see `parallel`).

use std::collections::HashSet;

use crate::x12::delim::Delimiters;
use crate::x12::error::{Error, ErrorKind, Position};
use crate::x12::lex::{is_envelope_id, Segments};
use crate::x12::segment::Segment;

use super::model::{Finding, Group, Interchange, Scan, Severity, TransactionSet};

mod headers;
mod trailers;

/// At most this many findings are kept per input; the rest are counted.
pub(crate) const MAX_FINDINGS: usize = 1000;

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

/// The envelope state machine.
pub(super) struct Checker<'a> {
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

fn trimmed(s: &Segment<'_>, n: usize) -> String {
    s.str(n).trim().to_string()
}

impl<'a> Checker<'a> {
    pub(super) fn new(input: &'a [u8]) -> Checker<'a> {
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

    pub(super) fn read_error(&mut self, e: Error) {
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
        self.push(Finding::new(code, sev, message).at(e.pos, ""));
    }

    pub(super) fn segment(&mut self, s: Segment<'a>) {
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

    pub(super) fn plain_run(&mut self, first: Segment<'a>, last: Segment<'a>) {
        self.last = Some((last.pos, last.pos.byte as usize + last.len as usize));
        if self.st.is_some() {
            return;
        }
        if self.gs.is_none() && self.outside.is_none() && self.ta1_run(first, last) {
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

    /// True when the run is TA1 segments only, inside an interchange and
    /// outside its groups: where interchange acknowledgments belong (before
    /// the first GS by the standard, after the last GE in pyx12's map; both
    /// are read). Their positions are kept on the interchange.
    fn ta1_run(&mut self, first: Segment<'a>, last: Segment<'a>) -> bool {
        let Some(isa) = self.isa.as_mut() else { return false };
        if !first.is("TA1") || !last.is("TA1") {
            return false;
        }
        let end = last.pos.byte as usize + last.len as usize;
        let run = Segments::chunk(
            self.input,
            first.pos.byte as usize,
            end,
            first.delimiters,
            first.pos.segment.saturating_sub(1),
        );
        let mut found = Vec::new();
        for s in run {
            match s {
                Ok(s) if s.is("TA1") => found.push(s.pos),
                _ => return false,
            }
        }
        isa.ta1.extend(found);
        true
    }

    pub(super) fn finish(mut self, segments: u32) -> Scan {
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
