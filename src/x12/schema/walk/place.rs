//! Placing a segment in the loop tree: which guide segment it is at the
//! current position or after it, in the innermost open loop or an enclosing
//! one, and which loops open or close for it. The element checks of the
//! placed segment are `elements.rs`'s work.

use super::{
    in_order, key_codes, key_value, node_matches, one_of, qualified, reference, trigger, Qualifier,
    Walker,
};
use crate::x12::envelope::Finding;
use crate::x12::fields::Fields;
use crate::x12::schema::model::{Node, SegDef, Usage};
use crate::x12::schema::{loop_def, seg_def};

impl Walker<'_, '_> {
    /// Places `seg`; returns its guide definition when it was placed.
    pub(super) fn place(&mut self, seg: &Fields<'_>) -> Option<&'static SegDef> {
        let id = self.ix.id_number(seg.id);
        let mut qualifier = Qualifier::new(seg);
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
                j >= from
                    && in_order(children[j], f.cur_pos, seg)
                    && qualifier.node_matches(children[j])
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
}
