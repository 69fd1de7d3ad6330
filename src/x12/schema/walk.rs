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
//! twice. Segments with findings are checked every time.

use super::index::{index, Index};
use super::model::{
    packed_id, Codes, ElemDef, Ext, Guide, LoopDef, Node, Pattern, SegDef, SyntaxKind, Ty, Usage,
};
use super::values::{length, type_problem};
use super::{code_list, loop_def, seg_def, ExternalCodes, Visitor};
use crate::x12::delim::Delimiters;
use crate::x12::envelope::{Finding, TransactionSet};
use crate::x12::error::Position;
use crate::x12::fields::Fields;

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

/// A segment that passed its element checks: its guide use (address of
/// its `SegDef`), its bytes after the id and its delimiters.
type Clean<'a> = (usize, &'a [u8], Option<Delimiters>);

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
    let mut w = Walker {
        stack: Vec::with_capacity(8),
        counts: Vec::with_capacity(256),
        out: Walk::default(),
        spans,
        ext,
        last: set.pos,
        ix: index(),
        clean: vec![
            (0, &[][..], None);
            (set.bytes.len() / 64).clamp(16, CLEAN).next_power_of_two()
        ],
    };
    w.open(guide.root, set.pos);
    // A plain loop rather than `flatten()`: the adapter's buffering costs
    // more than the check of each item (errors are the envelope scan's).
    // One element table, refilled per segment and shared by the walker
    // and the visitor.
    let mut seg = Fields::default();
    for item in set.segments(input) {
        let Ok(item) = item else { continue };
        seg.load(&item);
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

/// True when `seg` is a use of segment `i` (index into `SEGS`): same id and,
/// when the use has a qualifier, one of its qualifier codes.
fn seg_matches(i: u16, seg: &Fields<'_>) -> bool {
    let def = seg_def(i);
    if packed_id(def.id.as_bytes()) != packed_id(seg.id) {
        return false;
    }
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
    /// segment (same guide use, same bytes) already passed them in this set.
    fn check(&mut self, seg: &Fields<'a>, def: &'static SegDef, loop_id: &'static str) {
        let use_id = def as *const SegDef as usize;
        let slot = (hash(seg.body) ^ use_id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 54;
        let slot = slot as usize & (self.clean.len() - 1);
        let (u, body, delims) = self.clean[slot];
        if u == use_id && body == seg.body && delims == Some(seg.delimiters) {
            return;
        }
        let findings = self.out.findings.len();
        let unchecked: u32 = self.out.unchecked.iter().map(|(_, n)| n).sum();
        self.elements(seg, def, loop_id);
        if self.out.findings.len() == findings
            && self.out.unchecked.iter().map(|(_, n)| n).sum::<u32>() == unchecked
        {
            self.clean[slot] = (use_id, seg.body, Some(seg.delimiters));
        }
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

    /// Places `seg`; returns its guide definition when it was placed.
    fn place(&mut self, seg: &Fields<'_>) -> Option<&'static SegDef> {
        let id = self.ix.id_number(seg.id);
        // Innermost loop first.
        for level in (0..self.stack.len()).rev() {
            let f = &self.stack[level];
            // A trigger opens a new instance: never child 0 of an open loop.
            let first = usize::from(level > 0);
            let children = f.def.children;
            // HL loops nest by parent, not position: they are searched from
            // the start (they follow the other children in guide order).
            let from = if seg.id == b"HL" { first } else { f.from.max(first) };
            // The children with this id, in guide order.
            let hit = self.ix.children_with(f.idx, id).iter().find(|&&j| {
                let j = usize::from(j);
                j >= from && in_order(children[j], f.cur_pos, seg) && node_matches(children[j], seg)
            });
            let Some(&j) = hit else {
                continue;
            };
            return Some(self.take(level, usize::from(j), seg));
        }
        // No use of the segment fits: the nearest loop using the same id
        // with another qualifier is the one meant.
        for level in (0..self.stack.len()).rev() {
            let f = &self.stack[level];
            let first = usize::from(level > 0);
            let children = f.def.children;
            let hit = (first..children.len()).find(|&j| {
                children[j].pos() >= f.cur_pos
                    && matches!(children[j], Node::S(i, _) if seg_def(i).id.as_bytes() == seg.id)
            });
            if let Some(j) = hit {
                let Node::S(i, _) = children[j] else { continue };
                let def = seg_def(i);
                let (el, comp) = def.key;
                let reference = reference(seg.id_str(), el, comp);
                let found = String::from_utf8_lossy(key_value(def, seg)).into_owned();
                let codes = key_codes(def);
                let loop_id = f.def.id;
                let msg = format!(
                    "loop {loop_id}: {reference} {found:?} is not a qualifier the guide allows for {} here (expected {})",
                    seg.id_str(),
                    one_of(codes)
                );
                self.push(
                    Finding::error(seg.pos, seg.id_str(), "G-ELEM-CODE", msg)
                        .element(reference, one_of(codes), found)
                        .in_loop(loop_id),
                );
                return None;
            }
        }
        let f = self.stack.last();
        let (loop_id, loop_name) = f.map_or(("ST_LOOP", ""), |f| (f.def.id, f.def.name));
        let earlier = f.is_some_and(|f| {
            f.def.children.iter().any(|&n| n.pos() < f.cur_pos && node_matches(n, seg))
        });
        let (rule, why) = if earlier {
            ("G-SEG-ORDER", "comes after segments the guide places after it")
        } else {
            ("G-SEG-UNEXPECTED", "is not allowed here by the guide")
        };
        self.push(
            Finding::error(
                seg.pos,
                seg.id_str(),
                rule,
                format!("segment {} in loop {loop_id} ({loop_name}) {why}", seg.id_str()),
            )
            .element("", format!("a segment of loop {loop_id}"), seg.id_str())
            .in_loop(loop_id),
        );
        None
    }

    /// Moves to child `j` of the loop at `level`, closing the loops inside it.
    fn take(&mut self, level: usize, j: usize, seg: &Fields<'_>) -> &'static SegDef {
        while self.stack.len() > level + 1 {
            self.close();
        }
        let f = self.stack.last_mut().expect("level exists");
        let node = f.def.children[j];
        if node.pos() != f.cur_pos {
            f.cur_pos = node.pos();
            // Children at the same position may come in any order.
            let mut k = j;
            while k > 0 && f.def.children[k - 1].pos() == f.cur_pos {
                k -= 1;
            }
            f.from = k;
        }
        let count = &mut self.counts[f.base + j];
        *count += 1;
        let n = *count;
        let loop_id = f.def.id;
        match node {
            Node::S(i, _) => {
                let def = seg_def(i);
                if def.max_use > 0 && n > def.max_use {
                    self.push(
                        Finding::error(
                            seg.pos,
                            def.id,
                            "G-SEG-REPEAT",
                            format!(
                                "loop {loop_id}: segment {} ({}) appears {n} times, the guide allows {}",
                                qualified(def),
                                def.name,
                                def.max_use
                            ),
                        )
                        .element("", format!("at most {}", def.max_use), n.to_string())
                        .in_loop(loop_id),
                    );
                }
                if def.usage == Usage::UN {
                    self.push(
                        Finding::error(
                            seg.pos,
                            def.id,
                            "G-SEG-NOTUSED",
                            format!(
                                "loop {loop_id}: segment {} is marked not used by the guide",
                                def.id
                            ),
                        )
                        .element("", "absent", def.id)
                        .in_loop(loop_id),
                    );
                }
                def
            }
            Node::L(i, _) => {
                let l = loop_def(i);
                if l.repeat > 0 && n > l.repeat {
                    self.push(
                        Finding::error(
                            seg.pos,
                            seg.id_str(),
                            "G-LOOP-REPEAT",
                            format!(
                                "loop {} ({}) appears {n} times in loop {loop_id}, the guide allows {}",
                                l.id, l.name, l.repeat
                            ),
                        )
                        .element("", format!("at most {}", l.repeat), n.to_string())
                        .in_loop(l.id),
                    );
                }
                self.open(i, seg.pos);
                let f = self.stack.last_mut().expect("just opened");
                let first = f.def.children[0];
                f.cur_pos = first.pos();
                f.from = 0;
                self.counts[f.base] = 1;
                trigger(l).expect("a loop has a trigger segment")
            }
        }
    }

    /// Checks the elements of a placed segment.
    fn elements(&mut self, seg: &Fields<'_>, def: &SegDef, loop_id: &'static str) {
        let mut present: u64 = 0; // bit n: element n is not empty
        let mut n = 0usize;
        for el in seg.elements() {
            n += 1;
            if el.raw.is_empty() {
                continue;
            }
            if n < 64 {
                present |= 1 << n;
            }
            let Some(ed) = def.elements.get(n - 1) else {
                self.push(
                    Finding::error(
                        seg.pos,
                        def.id,
                        "G-ELEM-EXTRA",
                        format!(
                            "loop {loop_id}: {} has element {n} but the guide defines {}",
                            def.id,
                            def.elements.len()
                        ),
                    )
                    .element(
                        reference(def.id, n as u8, 0),
                        format!("at most {}", def.elements.len()),
                        n.to_string(),
                    )
                    .in_loop(loop_id),
                );
                continue;
            };
            if ed.usage == Usage::UN {
                self.push(
                    Finding::error(
                        seg.pos,
                        def.id,
                        "G-ELEM-NOTUSED",
                        format!(
                            "loop {loop_id}: {} ({}) is marked not used by the guide but holds a value",
                            reference(def.id, ed.seq, 0),
                            ed.name
                        ),
                    )
                    .element(reference(def.id, ed.seq, 0), "empty", String::from_utf8_lossy(el.raw))
                    .in_loop(loop_id),
                );
                continue;
            }
            if ed.ty == Ty::Composite {
                let mut m = 0usize;
                for comp in el.components() {
                    m += 1;
                    match ed.components.get(m - 1) {
                        Some(cd) => self.value(seg, def, ed, Some(cd), comp, loop_id),
                        None if !comp.is_empty() => self.push(
                            Finding::error(
                                seg.pos,
                                def.id,
                                "G-ELEM-EXTRA",
                                format!(
                                    "loop {loop_id}: {} has component {m} but the guide defines {}",
                                    reference(def.id, ed.seq, 0),
                                    ed.components.len()
                                ),
                            )
                            .element(
                                reference(def.id, ed.seq, m as u8),
                                format!("at most {}", ed.components.len()),
                                m.to_string(),
                            )
                            .in_loop(loop_id),
                        ),
                        None => {}
                    }
                }
                for cd in ed.components.iter().skip(m) {
                    if cd.usage == Usage::UR {
                        self.value(seg, def, ed, Some(cd), b"", loop_id);
                    }
                }
            } else if el.is_repeated() {
                // A repeated element (EQ01, EB03): each repetition is a value.
                for r in el.repetitions() {
                    self.value(seg, def, ed, None, r.raw, loop_id);
                }
            } else {
                self.value(seg, def, ed, None, el.raw, loop_id);
            }
        }
        // Required elements that are absent or empty.
        for ed in def.elements {
            if ed.usage == Usage::UR && present & (1 << ed.seq) == 0 {
                let r = reference(def.id, ed.seq, 0);
                self.push(
                    Finding::error(
                        seg.pos,
                        def.id,
                        "G-ELEM-MISSING",
                        format!("loop {loop_id}: required element {r} ({}) is missing", ed.name),
                    )
                    .element(r, "a value", "")
                    .in_loop(loop_id),
                );
            }
        }
        for &(kind, els) in def.syntax {
            let has = |e: u8| e < 64 && present & (1 << e) != 0;
            let count = els.iter().filter(|&&e| has(e)).count();
            let first = els.first().is_some_and(|&e| has(e));
            let ok = match kind {
                SyntaxKind::SynP => count == 0 || count == els.len(),
                SyntaxKind::SynR => count > 0,
                SyntaxKind::SynC => !first || count == els.len(),
                SyntaxKind::SynL => !first || count > 1,
                SyntaxKind::SynE => count <= 1,
            };
            if !ok {
                let names: Vec<String> = els.iter().map(|&e| reference(def.id, e, 0)).collect();
                let rule = match kind {
                    SyntaxKind::SynP => "when one is present all must be",
                    SyntaxKind::SynR => "at least one must be present",
                    SyntaxKind::SynC => "when the first is present all the others must be",
                    SyntaxKind::SynL => {
                        "when the first is present at least one of the others must be"
                    }
                    SyntaxKind::SynE => "at most one may be present",
                };
                let note: String = std::iter::once(kind.letter().to_string())
                    .chain(els.iter().map(|e| format!("{e:02}")))
                    .collect();
                let found: Vec<&str> = els
                    .iter()
                    .zip(&names)
                    .filter(|(e, _)| has(**e))
                    .map(|(_, n)| n.as_str())
                    .collect();
                self.push(
                    Finding::error(
                        seg.pos,
                        def.id,
                        "G-SYNTAX",
                        format!(
                            "loop {loop_id}: syntax note {note} of {}: {} ({rule}); present: {}",
                            def.id,
                            names.join(", "),
                            if found.is_empty() { "none".to_string() } else { found.join(", ") }
                        ),
                    )
                    .element(names.join(","), note, found.join(","))
                    .in_loop(loop_id),
                );
            }
        }
    }

    /// Checks one value (an element, or a component `cd` of composite `ed`).
    fn value(
        &mut self,
        seg: &Fields<'_>,
        def: &SegDef,
        ed: &ElemDef,
        cd: Option<&ElemDef>,
        v: &[u8],
        loop_id: &'static str,
    ) {
        let d = cd.unwrap_or(ed);
        let r = || reference(def.id, ed.seq, cd.map_or(0, |c| c.seq));
        let text = || String::from_utf8_lossy(v).into_owned();
        let ix = self.ix;
        if v.is_empty() {
            if cd.is_some() && d.usage == Usage::UR {
                self.push(
                    Finding::error(
                        seg.pos,
                        def.id,
                        "G-ELEM-MISSING",
                        format!(
                            "loop {loop_id}: required component {} ({}) is missing",
                            r(),
                            d.name
                        ),
                    )
                    .element(r(), "a value", "")
                    .in_loop(loop_id),
                );
            }
            return;
        }
        if cd.is_some() && d.usage == Usage::UN {
            self.push(
                Finding::error(
                    seg.pos,
                    def.id,
                    "G-ELEM-NOTUSED",
                    format!(
                        "loop {loop_id}: {} ({}) is marked not used by the guide but holds a value",
                        r(),
                        d.name
                    ),
                )
                .element(r(), "empty", text())
                .in_loop(loop_id),
            );
            return;
        }
        if let Some(problem) = type_problem(d.ty, v) {
            self.push(
                Finding::error(
                    seg.pos,
                    def.id,
                    "G-ELEM-TYPE",
                    format!("loop {loop_id}: {} ({}) {:?} is {problem}", r(), d.name, text()),
                )
                .element(r(), format!("type {}", d.ty.name()), text())
                .in_loop(loop_id),
            );
            return;
        }
        let len = length(d.ty, v);
        if len < usize::from(d.min) || len > usize::from(d.max) {
            self.push(
                Finding::error(
                    seg.pos,
                    def.id,
                    "G-ELEM-LENGTH",
                    format!(
                        "loop {loop_id}: {} ({}) {:?} is {len} long, the guide allows {}-{}",
                        r(),
                        d.name,
                        text(),
                        d.min,
                        d.max
                    ),
                )
                .element(r(), format!("length {}-{}", d.min, d.max), text())
                .in_loop(loop_id),
            );
            return;
        }
        match d.codes {
            Codes::Any => {}
            Codes::List(i) => {
                if !ix.in_list(i, v) {
                    let codes = code_list(i);
                    self.push(
                        Finding::error(
                            seg.pos,
                            def.id,
                            "G-ELEM-CODE",
                            format!(
                                "loop {loop_id}: {} ({}) {:?} is not a code the guide allows here (expected {})",
                                r(),
                                d.name,
                                text(),
                                one_of(codes)
                            ),
                        )
                        .element(r(), one_of(codes), text())
                        .in_loop(loop_id),
                    );
                }
            }
            Codes::Pattern(Pattern::Digits9) => {
                if v.len() != 9 || !v.iter().all(u8::is_ascii_digit) {
                    self.push(
                        Finding::error(
                            seg.pos,
                            def.id,
                            "G-ELEM-PATTERN",
                            format!(
                                "loop {loop_id}: {} ({}) must be exactly 9 digits",
                                r(),
                                d.name
                            ),
                        )
                        .element(r(), "9 digits", format!("{} characters", v.len()))
                        .in_loop(loop_id),
                    );
                }
            }
            Codes::External(ext, list) => {
                let known = if list == u16::MAX {
                    match std::str::from_utf8(v) {
                        Ok(t) => self.ext.check(ext, t),
                        Err(_) => self.ext.check(ext, &text()),
                    }
                } else {
                    Some(ix.in_list(list, v))
                };
                match known {
                    Some(true) => {}
                    Some(false) => {
                        let f = Finding::error(
                            seg.pos,
                            def.id,
                            "S5-CODE",
                            format!(
                                "loop {loop_id}: {} ({}) {:?} is not in the {}",
                                r(),
                                d.name,
                                text(),
                                ext.name()
                            ),
                        )
                        .element(r(), ext.name(), text())
                        .in_loop(loop_id);
                        self.out.findings.push(f.snip(5));
                    }
                    None => match self.out.unchecked.iter_mut().find(|(e, _)| *e == ext) {
                        Some((_, n)) => *n += 1,
                        None => self.out.unchecked.push((ext, 1)),
                    },
                }
            }
        }
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
