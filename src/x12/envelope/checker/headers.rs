//! Envelope headers (ISA, GS, ST): their field checks, duplicate control
//! numbers, and opening (or implying) the envelope each one starts. Trailers
//! and closing envelopes are in `trailers`.

use crate::x12::error::Position;
use crate::x12::segment::Segment;

use super::super::model::{Finding, Group, Interchange, TransactionKind, TransactionSet};
use super::{trimmed, Checker, OpenSet};

const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];

impl<'a> Checker<'a> {
    pub(super) fn isa_start(&mut self, s: Segment<'a>) {
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
            ta1: Vec::new(),
            end: None,
        });
    }

    pub(super) fn implied_isa(&mut self, pos: Position) {
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
            ta1: Vec::new(),
            end: None,
        });
        self.gs_controls.clear();
    }

    pub(super) fn gs_start(&mut self, s: Segment<'a>) {
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

    pub(super) fn st_start(&mut self, s: Segment<'a>) {
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
}
