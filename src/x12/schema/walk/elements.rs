//! The element checks of one placed segment: presence and usage of each
//! element and component, type, length, the guide's code lists, the syntax
//! notes (P, R, C, L, E) and the external code sets. Placing the segment in
//! the loop tree is the parent module's work, not this one's.

use super::{one_of, reference, Walker};
use crate::x12::envelope::Finding;
use crate::x12::fields::Fields;
use crate::x12::schema::code_list;
use crate::x12::schema::model::{Codes, ElemDef, Pattern, SegDef, SyntaxKind, Ty, Usage};
use crate::x12::schema::values::{length, type_problem};

impl Walker<'_, '_> {
    /// Checks the elements of a placed segment.
    pub(super) fn elements(&mut self, seg: &Fields<'_>, def: &SegDef, loop_id: &'static str) {
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
