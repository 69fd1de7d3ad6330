//! The 835 reader's element access: a segment split once into its
//! elements ([`Fields`], the x12 layer's), and the reader's element readers (money, numbers,
//! dates, CAS adjustments, parties, references) that turn a value that
//! cannot be read into a finding. No segment is dispatched here.

use super::*;

/// A segment with its elements split once: reading element `n` is then an
/// index, not a scan from the start (the reader asks for most of them).
pub(super) use crate::x12::Fields;

/// Text of element `n` (1-based), trimmed.
pub(super) fn text(seg: &Fields<'_>, n: usize) -> Text {
    part_text(seg, seg.get(n))
}

/// [`text`] of `raw`, one of `seg`'s elements or a part of one (a
/// component): sliced from the set's text when the set is UTF-8.
pub(super) fn part_text<'a>(seg: &Fields<'a>, raw: &'a [u8]) -> Text {
    match seg.str_of(raw) {
        Some(s) => crate::values::str_text(s),
        None => bytes_text(raw),
    }
}

/// The procedure composite of element `n`; `code_only` leaves its
/// qualifier and description empty (code and modifiers are read).
pub(super) fn procedure(seg: &Fields<'_>, n: usize, code_only: bool) -> Procedure {
    let c = seg.delimiters.component;
    let mut p = Procedure::default();
    let text = |raw| part_text(seg, raw);
    for (i, raw) in seg.get(n).split(|&b| b == c).enumerate().take(7) {
        match i {
            0 if code_only => {}
            0 => p.qualifier = text(raw),
            1 => p.code = text(raw),
            2..=5 => {
                let m = text(raw);
                if !m.is_empty() {
                    p.modifiers.push(m);
                }
            }
            _ if code_only => {}
            _ => p.description = text(raw),
        }
    }
    p
}

impl Reader {
    /// Text of element `n`, or empty when reading for balancing only (the
    /// element is then neither checked nor needed).
    pub(super) fn kept_text(&self, seg: &Fields<'_>, n: usize) -> Text {
        if self.balance_only {
            Text::default()
        } else {
            text(seg, n)
        }
    }

    /// Text of element `n`, or empty when reading for balancing or
    /// reconciling only (neither reads it).
    pub(super) fn detail_text(&self, seg: &Fields<'_>, n: usize) -> Text {
        if self.for_reconcile {
            Text::default()
        } else {
            self.kept_text(seg, n)
        }
    }

    pub(super) fn warn(&mut self, seg: &Fields<'_>, code: &'static str, message: String) {
        self.rem.findings.push(Finding::warning(seg.pos, seg.id_str(), code, message));
    }

    pub(super) fn error(&mut self, seg: &Fields<'_>, code: &'static str, message: String) {
        self.rem.findings.push(Finding::error(seg.pos, seg.id_str(), code, message));
    }

    /// A required amount: an unreadable or empty one is an error and counts as 0.
    pub(super) fn money(&mut self, seg: &Fields<'_>, n: usize) -> Decimal {
        match parse_decimal_bytes(seg.get(n)) {
            Some(d) => d,
            None => {
                let raw = text(seg, n);
                let what = if raw.is_empty() { "missing".to_string() } else { format!("{raw:?}") };
                self.error(
                    seg,
                    "835-AMOUNT",
                    format!(
                        "{}{:02}: amount is {what}, expected a decimal number",
                        seg.id_str(),
                        n
                    ),
                );
                Decimal::ZERO
            }
        }
    }

    /// An optional number: empty is `None`, unreadable is an error and `None`.
    pub(super) fn opt_number(&mut self, seg: &Fields<'_>, n: usize) -> Option<Decimal> {
        let bytes = seg.get(n);
        if bytes.trim_ascii().is_empty() {
            return None;
        }
        let d = parse_decimal_bytes(bytes);
        if d.is_none() {
            let raw = text(seg, n);
            self.error(
                seg,
                "835-AMOUNT",
                format!("{}{:02}: {raw:?} is not a decimal number", seg.id_str(), n),
            );
        }
        d
    }

    pub(super) fn date(&mut self, seg: &Fields<'_>, n: usize) -> Option<NaiveDate> {
        let bytes = seg.get(n);
        if bytes.trim_ascii().is_empty() {
            return None;
        }
        let d = parse_date_bytes(bytes);
        if d.is_none() {
            let raw = text(seg, n);
            self.error(
                seg,
                "835-DATE",
                format!("{}{:02}: {raw:?} is not a CCYYMMDD date", seg.id_str(), n),
            );
        }
        d
    }

    /// Appends the CAS segment's adjustments to `out` (a reused buffer).
    pub(super) fn adjustments(&mut self, seg: &Fields<'_>, out: &mut Vec<Adjustment>) {
        let group_code = text(seg, 1);
        let group = Group::from_code(&group_code);
        if group.is_none() {
            self.warn(
                seg,
                "835-CAS-GROUP",
                format!(
                    "CAS01 {group_code:?} is not a claim adjustment group code (CO, OA, PI, PR)"
                ),
            );
        }
        // Six triples: CAS02-04, CAS05-07, …, CAS17-19.
        for k in 0..6 {
            let n = 2 + 3 * k;
            if seg.get(n).trim_ascii().is_empty() && seg.get(n + 1).trim_ascii().is_empty() {
                continue;
            }
            let reason = self.kept_text(seg, n);
            let amount = self.money(seg, n + 1);
            let quantity = self.opt_number(seg, n + 2);
            out.push(Adjustment {
                group,
                group_code: group_code.clone(),
                reason,
                amount,
                quantity,
            });
        }
        if out.is_empty() {
            self.warn(seg, "835-CAS-EMPTY", "CAS segment holds no adjustment".to_string());
        }
    }

    pub(super) fn party(seg: &Fields<'_>) -> Party {
        if seg.is("N1") {
            Party {
                entity: text(seg, 1),
                name: text(seg, 2),
                id_qualifier: text(seg, 3),
                id: text(seg, 4),
                ..Party::default()
            }
        } else {
            Party {
                entity: text(seg, 1),
                entity_type: text(seg, 2),
                name: text(seg, 3),
                first: text(seg, 4),
                middle: text(seg, 5),
                id_qualifier: text(seg, 8),
                id: text(seg, 9),
                ..Party::default()
            }
        }
    }

    pub(super) fn reference(seg: &Fields<'_>) -> Reference {
        Reference { qualifier: text(seg, 1), value: text(seg, 2) }
    }
}
