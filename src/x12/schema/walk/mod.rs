//! The engine: places each segment of a transaction set in its guide's loop
//! tree and checks it (SNIP 2: usage, order, repeats, element type, length,
//! codes, syntax notes; SNIP 5 for the code lists the tables ship).
//!
//! Placement follows the guides' rules: a segment matches a guide segment
//! of the same id (and, when the guide tells uses apart by a qualifier such
//! as REF01, NM101 or HL03, of a qualifier that use allows) at the current
//! position or after it in the innermost open loop; else in an enclosing
//! loop (closing the loops inside it); a loop's trigger segment always
//! opens a new instance of that loop. Segments at the same position number
//! may come in any order. When a loop closes, its required segments and
//! loops that never came are reported.
//!
//! A segment's element checks depend only on its guide use and its bytes:
//! the walker remembers recent segments that passed them (a small table
//! per set, compared byte for byte) and does not check the same segment
//! twice. Elements whose checks are only type and length (no code list:
//! names, identifiers, amounts, dates) are checked on their own first and
//! then count only as present in that comparison, so claims that differ
//! only in such values (claim ids, member ids, charges) are checked once.
//! Segments with findings are checked every time.

use super::index::{index, pack, Index};
use super::model::{packed_id, Codes, Ext, Guide, LoopDef, Node, SegDef, Usage};
use super::values::{length, type_problem};
use super::{code_list, loop_def, seg_def, ExternalCodes, Visitor};
use crate::x12::delim::Delimiters;
use crate::x12::envelope::{Finding, TransactionSet};
use crate::x12::error::Position;
use crate::x12::fields::Fields;

mod elements;
mod place;
#[cfg(test)]
mod tests;

/// One loop instance as the walker placed it (for `parse --json` and the
/// reader agreement test).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LoopSpan {
    /// Loop id, e.g. `2300`.
    pub id: &'static str,
    /// Nesting depth (the set itself is 0).
    pub depth: u16,
    /// Its first segment.
    pub start: Position,
    /// Ordinal of its last segment.
    pub last_segment: u32,
}

/// The result of walking one set.
#[derive(Debug, Default)]
pub struct Walk {
    /// Guide findings in file order (positions are file-level).
    pub findings: Vec<Finding>,
    /// Loop instances, in order of their first segment (when asked for).
    pub loops: Vec<LoopSpan>,
    /// External lists met but not checked (no list available), with a count.
    pub unchecked: Vec<(Ext, u32)>,
}

/// An open loop instance.
struct Frame {
    def: &'static LoopDef,
    /// Index of `def` in the tables.
    idx: u16,
    /// Position number of the child last matched (0 before any).
    cur_pos: u32,
    /// Index of the first child at `cur_pos` (children are in guide order,
    /// so no child before it can match but an HL loop).
    from: usize,
    /// Offset of this frame's child counters in `Walker::counts`.
    base: usize,
    /// Where the instance started.
    start: Position,
    /// Index of its span in `Walk::loops` (when spans are kept).
    span: usize,
}

/// Most entries in the table of segments that passed their element
/// checks (a set gets one entry per 64 bytes, 16 to this many, a power of 2).
const CLEAN: usize = 1024;

/// Most bytes of keys kept for the table of segments that passed their
/// element checks with their free elements left out; past it the table
/// starts again empty.
const KEPT: usize = 1 << 18;

/// A segment that passed its element checks: its guide use (address of
/// its `SegDef`), its bytes after the id and its delimiters.
type Clean<'a> = (usize, &'a [u8], Option<Delimiters>);

/// The same, by its key (see [`Walker::key`]): where the key is in
/// `Walker::kept` (start, length).
type CleanKey = (usize, u32, u32, Option<Delimiters>);

struct Walker<'e, 'a> {
    stack: Vec<Frame>,
    counts: Vec<u32>,
    out: Walk,
    spans: bool,
    ext: &'e dyn ExternalCodes,
    last: Position,
    ix: &'static Index,
    /// Segments that passed their element checks, by hash (direct-mapped).
    clean: Vec<Clean<'a>>,
    /// The same by their key, for uses with free elements.
    clean_keys: Vec<CleanKey>,
    /// The keys of the segments in `clean_keys`, one after another.
    kept: Vec<u8>,
    /// The key of the segment being checked, when it is not its body.
    key: Vec<u8>,
    /// Remember segments that passed (false only in tests, to compare).
    remember: bool,
}

/// Walks one transaction set against `guide`.
///
/// `spans`: keep the loop instances. `visitor` sees every segment with its
/// loop. Never panics; every problem is a finding.
pub fn walk(
    input: &[u8],
    set: &TransactionSet,
    guide: &Guide,
    spans: bool,
    ext: &dyn ExternalCodes,
    visitor: &mut dyn Visitor,
) -> Walk {
    walk_with(input, set, guide, spans, ext, visitor, true)
}

/// [`walk`], remembering segments that passed their element checks or not.
fn walk_with(
    input: &[u8],
    set: &TransactionSet,
    guide: &Guide,
    spans: bool,
    ext: &dyn ExternalCodes,
    visitor: &mut dyn Visitor,
    remember: bool,
) -> Walk {
    let table = (set.bytes.len() / 64).clamp(16, CLEAN).next_power_of_two();
    let mut w = Walker {
        stack: Vec::with_capacity(8),
        counts: Vec::with_capacity(256),
        out: Walk::default(),
        spans,
        ext,
        last: set.pos,
        ix: index(),
        clean: vec![(0, &[][..], None); table],
        clean_keys: vec![(0, 0, 0, None); table],
        kept: Vec::new(),
        key: Vec::new(),
        remember,
    };
    w.open(guide.root, set.pos);
    // One element table, refilled per segment (the terminator search and
    // the element split in one pass) and shared by the walker and the
    // visitor. Read errors are the envelope scan's.
    let mut seg = Fields::default();
    let mut segments = set.segments(input);
    while let Some(item) = segments.next_fields(&mut seg) {
        if item.is_err() {
            continue;
        }
        let seg = &seg;
        w.last = seg.pos;
        let def = w.place(seg);
        let loop_id = w.stack.last().map_or("ST_LOOP", |f| f.def.id);
        if let Some(def) = def {
            w.check(seg, def, loop_id);
        }
        visitor.segment(loop_id, seg, def);
    }
    w.last.segment += 1; // loops still open end with the last segment
    while !w.stack.is_empty() {
        w.close();
    }
    let mut out = w.out;
    out.findings.extend(visitor.finish());
    out.findings.sort_by_key(|f| f.pos);
    out
}

/// True when `node` may come at position `cur_pos` or later. Loops of HL
/// segments nest by their HL parent, not by position (pyx12's maps put a
/// child HL loop at position 0100 after loops at 0500), so they always may.
fn in_order(node: Node, cur_pos: u32, seg: &Fields<'_>) -> bool {
    node.pos() >= cur_pos || (seg.id == b"HL" && matches!(node, Node::L(..)))
}

fn node_matches(node: Node, seg: &Fields<'_>) -> bool {
    match node {
        Node::S(i, _) => seg_matches(i, seg),
        Node::L(i, _) => match loop_def(i).children.first() {
            Some(&Node::S(t, _)) => seg_matches(t, seg),
            _ => false,
        },
    }
}

/// The trigger segment of a loop.
fn trigger(l: &LoopDef) -> Option<&'static SegDef> {
    match l.children.first() {
        Some(Node::S(i, _)) => Some(seg_def(*i)),
        _ => None,
    }
}

#[inline]
fn key_value<'a>(def: &SegDef, seg: &Fields<'a>) -> &'a [u8] {
    let (el, comp) = def.key;
    let e = seg.element(el as usize);
    if comp == 0 {
        e.raw
    } else {
        e.component(comp as usize)
    }
}

fn key_codes(def: &SegDef) -> &'static [&'static str] {
    let (el, comp) = def.key;
    let Some(e) = def.elements.get((el as usize).wrapping_sub(1)) else { return &[] };
    let e = if comp == 0 { e } else { e.components.get(comp as usize - 1).unwrap_or(e) };
    // (comp is at least 1 here)
    match e.codes {
        Codes::List(i) => code_list(i),
        _ => &[],
    }
}

/// A segment's qualifier as the uses of its id read it, for
/// [`node_matches`] on children known to have the segment's id (found by
/// [`Index::children_with`]): only the qualifier is compared, and it is
/// read and packed once for all the uses that read it at the same place.
struct Qualifier<'s, 'a> {
    seg: &'s Fields<'a>,
    /// (element, component) last read; (0, 0) before any.
    at: (u8, u8),
    value: &'a [u8],
    packed: Option<u64>,
}

impl<'s, 'a> Qualifier<'s, 'a> {
    fn new(seg: &'s Fields<'a>) -> Qualifier<'s, 'a> {
        Qualifier { seg, at: (0, 0), value: b"", packed: None }
    }

    /// True when `node` (a child with the segment's id) is a use of it.
    fn node_matches(&mut self, node: Node) -> bool {
        match node {
            Node::S(i, _) => self.matches(i),
            Node::L(i, _) => match loop_def(i).children.first() {
                Some(&Node::S(t, _)) => self.matches(t),
                _ => false,
            },
        }
    }

    /// [`key_matches`] for a use `i` of the segment's id.
    fn matches(&mut self, i: u16) -> bool {
        let def = seg_def(i);
        if def.key.0 == 0 {
            return true;
        }
        let ix = index();
        let Some(list) = ix.key_list(i) else { return false };
        if def.key != self.at {
            self.at = def.key;
            self.value = key_value(def, self.seg);
            self.packed = pack(self.value);
        }
        ix.in_list_packed(list, self.packed, self.value)
    }
}

/// True when `seg` is a use of segment `i` (index into `SEGS`): same id and,
/// when the use has a qualifier, one of its qualifier codes.
fn seg_matches(i: u16, seg: &Fields<'_>) -> bool {
    packed_id(seg_def(i).id.as_bytes()) == packed_id(seg.id) && key_matches(i, seg)
}

/// True when use `i` has no qualifier or `seg`'s qualifier is one of its codes.
#[inline]
fn key_matches(i: u16, seg: &Fields<'_>) -> bool {
    let def = seg_def(i);
    if def.key.0 == 0 {
        return true;
    }
    let ix = index();
    ix.key_list(i).is_some_and(|list| ix.in_list(list, key_value(def, seg)))
}

/// A hash of a segment's bytes (multiply-rotate over 8-byte words).
#[inline]
fn hash(b: &[u8]) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let mut h = b.len() as u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(x)).wrapping_mul(K);
    }
    let tail = words.remainder().iter().fold(0u64, |n, &c| n << 8 | u64::from(c));
    (h.rotate_left(5) ^ tail).wrapping_mul(K)
}

impl<'a> Walker<'_, 'a> {
    /// The element checks of a placed segment, skipped when the same
    /// segment (same guide use, same bytes) already passed them in this
    /// set, or one that differs from it only in the values of its free
    /// elements, which pass their own checks (see [`Walker::key`]).
    fn check(&mut self, seg: &Fields<'a>, def: &'static SegDef, loop_id: &'static str) {
        let use_id = def as *const SegDef as usize;
        let slot = self.slot(seg.body, use_id);
        let (u, body, delims) = self.clean[slot];
        if self.remember && u == use_id && body == seg.body && delims == Some(seg.delimiters) {
            return;
        }
        let free = self.ix.free_elements(def);
        let mut key = std::mem::take(&mut self.key);
        let keyed = self.remember && free != 0 && Self::key(seg, def, free, &mut key);
        let key_slot = if keyed { self.slot(&key, use_id) } else { 0 };
        if keyed {
            let (u, start, len, delims) = self.clean_keys[key_slot];
            let (start, len) = (start as usize, len as usize);
            if u == use_id
                && delims == Some(seg.delimiters)
                && self.kept.get(start..start + len) == Some(&key[..])
            {
                // The same bytes again will be found without a key.
                self.clean[slot] = (use_id, seg.body, Some(seg.delimiters));
                self.key = key;
                return;
            }
        }
        let findings = self.out.findings.len();
        let unchecked: u32 = self.out.unchecked.iter().map(|(_, n)| n).sum();
        self.elements(seg, def, loop_id);
        if self.remember
            && self.out.findings.len() == findings
            && self.out.unchecked.iter().map(|(_, n)| n).sum::<u32>() == unchecked
        {
            self.clean[slot] = (use_id, seg.body, Some(seg.delimiters));
            if keyed {
                if self.kept.len() + key.len() > KEPT {
                    self.kept.clear();
                    self.clean_keys.iter_mut().for_each(|c| c.0 = 0);
                }
                let start = self.kept.len() as u32;
                self.kept.extend_from_slice(&key);
                self.clean_keys[key_slot] = (use_id, start, key.len() as u32, Some(seg.delimiters));
            }
        }
        self.key = key;
    }

    /// The slot of the tables of segments that passed for `bytes` of use `use_id`.
    fn slot(&self, bytes: &[u8], use_id: usize) -> usize {
        let h = (hash(bytes) ^ use_id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54;
        h as usize & (self.clean.len() - 1)
    }

    /// The bytes the element checks of `seg` depend on, into `key`, for a
    /// use with free elements (bit n of `free`: element n is checked for
    /// type and length only, see `Index::free_elements`): its body with
    /// each free element that holds a value replaced by a 0 byte, once that
    /// value has passed its checks. False when one does not pass: the
    /// segment is then checked in full, and not remembered.
    fn key(seg: &Fields<'_>, def: &SegDef, free: u32, key: &mut Vec<u8>) -> bool {
        key.clear();
        let d = seg.delimiters;
        // Without a repetition separator, a byte that fails the ASCII test anyway.
        let rep = d.repetition.unwrap_or(0x80);
        for n in 1..=seg.element_count() {
            key.push(d.element);
            let v = seg.get(n);
            if n < 32 && free >> n & 1 == 1 && !v.is_empty() {
                let Some(ed) = def.elements.get(n - 1) else { return false };
                // Non-ASCII values (counted in characters) and repeated
                // ones (checked per repetition) are left to the full check.
                if v.iter().any(|&b| b >= 0x80 || b == rep) {
                    return false;
                }
                let len = length(ed.ty, v);
                if type_problem(ed.ty, v).is_some()
                    || len < usize::from(ed.min)
                    || len > usize::from(ed.max)
                {
                    return false;
                }
                key.push(0);
            } else {
                key.extend_from_slice(v);
            }
        }
        true
    }

    fn open(&mut self, idx: u16, start: Position) {
        let def = loop_def(idx);
        let base = self.counts.len();
        self.counts.resize(base + def.children.len(), 0);
        let span = self.out.loops.len();
        if self.spans {
            self.out.loops.push(LoopSpan {
                id: def.id,
                depth: self.stack.len() as u16,
                start,
                last_segment: start.segment,
            });
        }
        self.stack.push(Frame { def, idx, cur_pos: 0, from: 0, base, start, span });
    }

    /// Closes the innermost loop: reports its required children that never came.
    fn close(&mut self) {
        let Some(f) = self.stack.pop() else { return };
        for &j in self.ix.required(f.idx) {
            let j = usize::from(j);
            if self.counts[f.base + j] > 0 {
                continue;
            }
            match f.def.children[j] {
                Node::S(i, _) => {
                    let d = seg_def(i);
                    if d.usage == Usage::UR {
                        let what = qualified(d);
                        self.push(
                            Finding::error(
                                f.start,
                                d.id,
                                "G-SEG-MISSING",
                                format!(
                                    "loop {} ({}): required segment {what} ({}) is missing",
                                    f.def.id, f.def.name, d.name
                                ),
                            )
                            .element("", what, "absent")
                            .in_loop(f.def.id),
                        );
                    }
                }
                Node::L(i, _) => {
                    let l = loop_def(i);
                    if l.usage == Usage::UR {
                        let what = trigger(l).map(qualified).unwrap_or_default();
                        self.push(
                            Finding::error(
                                f.start,
                                trigger(l).map_or("", |t| t.id),
                                "G-LOOP-MISSING",
                                format!(
                                    "loop {} ({}): required loop {} ({}, starting with {what}) is missing",
                                    f.def.id, f.def.name, l.id, l.name
                                ),
                            )
                            .element("", format!("loop {}", l.id), "absent")
                            .in_loop(f.def.id),
                        );
                    }
                }
            }
        }
        self.counts.truncate(f.base);
        if self.spans {
            let last = self.last_closed(f.start);
            if let Some(s) = self.out.loops.get_mut(f.span) {
                s.last_segment = s.last_segment.max(last);
            }
        }
    }

    /// The last segment of a closing loop: the segment before the current one.
    fn last_closed(&self, start: Position) -> u32 {
        self.last.segment.saturating_sub(1).max(start.segment)
    }

    fn push(&mut self, f: Finding) {
        self.out.findings.push(f.snip(2));
    }
}

/// `REF01`, `CLM05-1`.
pub(crate) fn reference(id: &str, el: u8, comp: u8) -> String {
    if comp == 0 {
        format!("{id}{el:02}")
    } else {
        format!("{id}{el:02}-{comp}")
    }
}

/// `REF*EI`: a segment with its qualifier, when it has one.
fn qualified(d: &SegDef) -> String {
    match key_codes(d) {
        [one] => format!("{}*{one}", d.id),
        _ => d.id.to_string(),
    }
}

/// `one of A, B, C` (shortened for long lists).
fn one_of(codes: &[&str]) -> String {
    if codes.len() <= 12 {
        format!("one of {}", codes.join(", "))
    } else {
        format!("one of {} codes ({}, ...)", codes.len(), codes[..8].join(", "))
    }
}
