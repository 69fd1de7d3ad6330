//! Envelope trailers (SE, GE, IEA): their counts and control numbers checked
//! against the header, orphan trailers, and closing envelopes (with or
//! without a trailer). Headers are in `headers`.

use crate::x12::error::Position;
use crate::x12::segment::Segment;

use super::super::model::Finding;
use super::{trimmed, Checker};

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

fn same_number(a: &str, b: &str) -> bool {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

impl<'a> Checker<'a> {
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

    pub(super) fn st_end(&mut self, s: Segment<'a>) {
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

    pub(super) fn close_st(&mut self, se: Option<Segment<'a>>) {
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

    pub(super) fn gs_end(&mut self, s: Segment<'a>) {
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

    pub(super) fn close_gs(&mut self, end: Option<Position>) {
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

    pub(super) fn isa_end(&mut self, s: Segment<'a>) {
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

    pub(super) fn close_isa(&mut self, end: Option<Position>) {
        self.close_gs(None);
        if let Some(mut i) = self.isa.take() {
            i.end = end;
            self.scan.interchanges.push(i);
        }
        self.outside = None;
    }
}
