//! HL hierarchy checks inside one transaction set.
//!
//! Many X12 transactions (837, 277, 856…) nest their loops with HL segments:
//! `HL*<HL01 id>*<HL02 parent id>*<HL03 level code>*<HL04 has children>~`.
//! The ids must count up by 1 from 1 in order, and a parent must be an HL
//! seen earlier in the set. These are generic X12 rules; what levels a
//! transaction needs is not checked here.
//!
//! Speed: the check does not tokenize the set. It finds `HL` with a SIMD
//! substring search, keeps the hits that start a segment (only line breaks
//! or empty segments between the previous terminator and the hit, as the
//! tokenizer reads it) and reads just those segments. Segment ordinals for
//! findings are computed only when there is a finding.

use memchr::memmem;
use rustc_hash::FxHashSet;

use super::envelope::{Finding, TransactionSet};
use super::error::Position;
use super::lex::ends_id;
use super::segment::Segment;

/// Checks the HL numbering of one set; positions are file-level.
pub fn check_hierarchy(input: &[u8], set: &TransactionSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    let d = set.delimiters;
    let base = set.bytes.start;
    let Some(bytes) = input.get(set.bytes.clone()) else {
        return findings;
    };
    // A last "HL" without terminator counts only at the end of the input.
    let at_end = set.bytes.end >= input.len();
    let mut state = HlState::default();
    // Re-reads the set only as far as needed to number a finding's segment.
    let mut ordinals = set.segments(input).flatten().peekable();
    for i in memmem::find_iter(bytes, b"HL") {
        // As the tokenizer reads a segment id (see `lex::starts_segment`).
        let after = &bytes[i + 2..];
        let is_hl =
            ends_id(after, d) || (at_end && after.iter().all(|&b| b == b'\r' || b == b'\n'));
        if !is_hl {
            continue;
        }
        if !starts_segment_at(bytes, i, d.segment) {
            continue;
        }
        let body_start = i + 2;
        let term =
            memchr::memchr(d.segment, &bytes[body_start..]).map_or(bytes.len(), |j| body_start + j);
        let seg = Segment {
            id: &bytes[i..body_start],
            body: &bytes[body_start..term],
            pos: Position::new((base + i) as u64, 0),
            len: (term + 1 - i) as u32,
            delimiters: d,
        };
        for (code, message) in state.check(&seg) {
            let byte = (base + i) as u64;
            while ordinals.next_if(|s| s.pos.byte < byte).is_some() {}
            let segment = ordinals.peek().map_or(0, |s| s.pos.segment);
            findings.push(Finding::error(Position::new(byte, segment), "HL", code, message));
        }
    }
    findings
}

/// True when the `HL` at `bytes[i]` starts a segment: it follows a segment
/// terminator with nothing but line breaks, spaces or empty segments between.
fn starts_segment_at(bytes: &[u8], i: usize, terminator: u8) -> bool {
    let mut j = i;
    while j > 0 {
        j -= 1;
        match bytes[j] {
            b if b == terminator => return true,
            b'\r' | b'\n' | b' ' | b'\t' => continue,
            _ => return false,
        }
    }
    true
}

/// HL numbering state of one set.
#[derive(Debug, Default)]
struct HlState {
    /// The HL01 expected next, minus 1 (0 before the first HL).
    last: u64,
    /// HL01 ids 1 to `run` were all seen (the usual case: ids count up by
    /// 1), so they need not be hashed.
    run: u64,
    /// Other HL01 ids seen (FxHash: small integers, and not attacker-chosen
    /// keys that could degrade the set meaningfully).
    seen: FxHashSet<u64>,
}

impl HlState {
    fn insert(&mut self, n: u64) {
        if n == self.run + 1 {
            self.run = n;
            while !self.seen.is_empty() && self.seen.remove(&(self.run + 1)) {
                self.run += 1;
            }
        } else if !(1..=self.run).contains(&n) {
            self.seen.insert(n);
        }
    }

    fn contains(&self, n: u64) -> bool {
        (1..=self.run).contains(&n) || self.seen.contains(&n)
    }

    /// Checks one HL segment; returns (code, message) for each problem.
    fn check(&mut self, seg: &Segment<'_>) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let mut elements = seg.elements();
        let id = text(elements.next().map_or(&b""[..], |e| e.raw));
        let parent = text(elements.next().map_or(&b""[..], |e| e.raw));
        let expected = self.last + 1;
        let n = id.parse::<u64>().ok();
        if n == Some(expected) {
            self.insert(expected);
            self.last = expected;
        } else {
            let again = if n.is_some_and(|n| self.contains(n)) {
                " and repeats an earlier HL id"
            } else {
                ""
            };
            out.push((
                "X12-HL01",
                format!("HL01 is {id:?}{again}, expected {expected} (HL ids count up by 1 from 1 within a transaction set)"),
            ));
            if let Some(n) = n {
                self.insert(n);
                self.last = n;
            }
        }
        // A parent must be an HL seen earlier (so not the segment itself).
        if !parent.is_empty()
            && !parent.parse::<u64>().is_ok_and(|p| self.contains(p) && Some(p) != n)
        {
            out.push((
                "X12-HL02",
                format!(
                    "HL02 parent {parent:?} does not name an earlier HL in this transaction set"
                ),
            ));
        }
        out
    }
}

/// An element as trimmed text ("" when it is not UTF-8: it is then no number).
fn text(raw: &[u8]) -> &str {
    std::str::from_utf8(raw).unwrap_or("\u{fffd}").trim()
}
