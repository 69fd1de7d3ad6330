//! SNIP 4 rules over a set's HL levels: HL04 (whether subordinate levels
//! follow) in every guide, and the situational rules of the 270/271
//! (005010X279A1) and 276 (005010X212) guides that depend on who the
//! patient is, the subscriber (no dependent level below) or a dependent.
//! Each level is noted as the walk passes (its HL, and what its loops
//! hold) and the rules run when the set ends, when every level's children
//! are known. What the guides fix segment by segment (usage, repeats,
//! codes) is the schema's; the 837 rules are in the parent module.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::x12::{Fields, Finding, Position};

/// The guides whose situational rules are checked here (HL04 is checked in
/// every guide).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Guide {
    Inquiry270,
    Response271,
    Status276,
    Other,
}

/// One HL level of the set and what its loops hold.
struct Level {
    pos: Position,
    /// The HL's loop (`2000C`).
    loop_id: &'static str,
    /// HL01, for messages.
    id: u64,
    parent: Option<u32>,
    /// HL03: `20` source, `21` receiver, `19` provider, `22` subscriber, `23` dependent.
    code: [u8; 2],
    /// Levels that name this one in HL02.
    children: u32,
    /// 270: a TRN in the level's own loop.
    trace: bool,
    /// 270: an inquiry (EQ, loop 2110C/2110D).
    inquiry: Option<Position>,
    /// 271: benefit information (EB, loop 2110C/2110D).
    benefit: bool,
    /// 271: a request validation (AAA) in the level or its loops.
    rejected: bool,
    /// 276: a claim status tracking loop (2200C/2200D/2200E).
    claim: Option<(Position, &'static str)>,
}

/// An HL whose HL04 is not yet checked: HL segments come in the order of
/// the tree (each level before the levels below it), so a level has
/// subordinate levels exactly when the next HL names it in HL02.
struct PreviousHl {
    pos: Position,
    loop_id: &'static str,
    id: u64,
    says_children: Option<bool>,
}

/// A trace number (TRN02) and its originator (TRN03).
type Trace = (Box<[u8]>, Box<[u8]>);

/// The open 276 claim (loop 2200D or 2200E): whether it has a service date.
struct OpenClaim {
    pos: Position,
    loop_id: &'static str,
    dated: bool,
    lines: u32,
}

/// The levels of one set and the findings of the rules that need no more
/// than the segment at hand.
pub(super) struct Levels {
    guide: Guide,
    levels: Vec<Level>,
    by_id: FxHashMap<u64, u32>,
    /// HLs read so far.
    hls: u64,
    /// False once HL01 does not count up by 1 from 1 or an HL02 does not
    /// name an earlier HL: level 1 reports those, and HL04 is not checked.
    numbered: bool,
    /// The HL before, whose HL04 the next HL's HL02 answers.
    previous: Option<PreviousHl>,
    /// `S4-HL-CHILD` findings, kept until the set ends (when `numbered`
    /// says whether they stand).
    child_codes: Vec<Finding>,
    claim: Option<OpenClaim>,
    /// 270/276 trace numbers seen: TRN02 and TRN03.
    traces: FxHashSet<Trace>,
    out: Vec<Finding>,
}

impl Default for Levels {
    fn default() -> Levels {
        Levels::new("")
    }
}

/// An element of digits as a number (None when empty, not digits, or too long).
fn number(raw: &[u8]) -> Option<u64> {
    let raw = raw.trim_ascii();
    if raw.is_empty() || raw.len() > 18 || !raw.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(raw.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')))
}

/// An element as trimmed UTF-8 text ("" when it is not UTF-8).
fn text(raw: &[u8]) -> &str {
    std::str::from_utf8(raw.trim_ascii()).unwrap_or("")
}

impl Levels {
    /// The rules for a set of guide `short` (`270`, `271`, `276`, `837P`...).
    pub(super) fn new(short: &str) -> Levels {
        let guide = match short {
            "270" => Guide::Inquiry270,
            "271" => Guide::Response271,
            "276" => Guide::Status276,
            _ => Guide::Other,
        };
        Levels {
            guide,
            levels: Vec::new(),
            by_id: FxHashMap::default(),
            hls: 0,
            numbered: true,
            previous: None,
            child_codes: Vec::new(),
            claim: None,
            traces: FxHashSet::default(),
            out: Vec::new(),
        }
    }

    fn push(&mut self, f: Finding, loop_id: &'static str) {
        self.out.push(f.snip(4).in_loop(loop_id));
    }

    /// Whether segment `id` is one these rules read.
    #[inline]
    pub(super) fn reads(&self, id: &[u8]) -> bool {
        id == b"HL" || self.guide != Guide::Other
    }

    /// One segment of the set, in loop `loop_id` (any segment: those the
    /// rules do not read are passed over).
    pub(super) fn segment(&mut self, loop_id: &'static str, seg: &Fields<'_>) {
        if seg.id == b"HL" {
            self.close_claim();
            self.level(loop_id, seg);
            return;
        }
        let current = self.levels.len().checked_sub(1);
        match (self.guide, seg.id) {
            (Guide::Inquiry270 | Guide::Status276, b"TRN") => {
                if self.guide == Guide::Status276 && loop_id.starts_with("2200") {
                    self.close_claim();
                    self.claim = Some(OpenClaim { pos: seg.pos, loop_id, dated: false, lines: 0 });
                    if let Some(i) = current {
                        let l = &mut self.levels[i];
                        l.claim.get_or_insert((seg.pos, loop_id));
                    }
                } else if let Some(i) = current {
                    self.levels[i].trace = true;
                }
                self.trace(loop_id, seg);
            }
            (Guide::Inquiry270, b"EQ") => {
                if let Some(i) = current {
                    self.levels[i].inquiry.get_or_insert(seg.pos);
                }
            }
            (Guide::Response271, b"EB") => {
                if let Some(i) = current {
                    self.levels[i].benefit = true;
                }
                self.benefit_amount(loop_id, seg);
            }
            (Guide::Response271, b"AAA") => {
                if let Some(i) = current {
                    self.levels[i].rejected = true;
                }
            }
            (Guide::Status276, b"DTP") if seg.element(1).raw == b"472" => {
                if let Some(c) = self.claim.as_mut() {
                    if loop_id.starts_with("2200") {
                        c.dated = true;
                    }
                }
            }
            (Guide::Status276, b"SVC") => {
                if let Some(c) = self.claim.as_mut() {
                    c.lines += 1;
                }
            }
            _ => {}
        }
    }

    fn level(&mut self, loop_id: &'static str, seg: &Fields<'_>) {
        let id = number(seg.element(1).raw);
        let parent_id = seg.element(2).raw.trim_ascii();
        let parent_number = number(parent_id);
        let says_children = match seg.element(4).raw.trim_ascii() {
            b"1" => Some(true),
            b"0" => Some(false),
            _ => None,
        };
        self.hls += 1;
        let counts = id == Some(self.hls);
        let parent_ok =
            parent_id.is_empty() || parent_number.is_some_and(|p| p >= 1 && p < self.hls);
        if !counts || !parent_ok {
            self.numbered = false;
        }
        if let Some(before) = self.previous.take() {
            let has_children = parent_number.is_some() && parent_number == Some(before.id);
            self.child_code(&before, has_children);
        }
        self.previous =
            Some(PreviousHl { pos: seg.pos, loop_id, id: id.unwrap_or(0), says_children });
        if self.guide == Guide::Other {
            return;
        }
        let parent = parent_number.and_then(|p| self.by_id.get(&p).copied());
        if let Some(p) = parent {
            self.levels[p as usize].children += 1;
        }
        let index = self.levels.len() as u32;
        if let Some(id) = id {
            self.by_id.insert(id, index);
        }
        let code = seg.element(3).raw.trim_ascii();
        let code = if code.len() == 2 { [code[0], code[1]] } else { [0, 0] };
        self.levels.push(Level {
            pos: seg.pos,
            loop_id,
            id: id.unwrap_or(0),
            parent,
            code,
            children: 0,
            trace: false,
            inquiry: None,
            benefit: false,
            rejected: false,
            claim: None,
        });
    }

    /// `S4-TRN-DUP`: a 270 or 276 trace number (TRN02 with its originator
    /// TRN03) used twice in one set.
    fn trace(&mut self, loop_id: &'static str, seg: &Fields<'_>) {
        if seg.element(1).raw != b"1" {
            return;
        }
        let number = seg.element(2).raw.trim_ascii();
        if number.is_empty() {
            return;
        }
        let origin = seg.element(3).raw.trim_ascii();
        if !self.traces.insert((number.into(), origin.into())) {
            let trace = text(number).to_string();
            let f = Finding::warning(
                seg.pos,
                "TRN",
                "S4-TRN-DUP",
                format!("loop {loop_id}: trace number (TRN02) {trace:?} is used more than once in this transaction set; the answers to these requests could not be told apart"),
            )
            .element("TRN02", "a trace number unique within the set", trace);
            self.push(f, loop_id);
        }
    }

    /// `S4-271-EB-AMOUNT`: the benefit kinds that are an amount (EB01 B
    /// co-payment, C deductible, G out of pocket, J cost containment, Y
    /// spend down) carry it in EB07; co-insurance (A) its percent in EB08.
    fn benefit_amount(&mut self, loop_id: &'static str, seg: &Fields<'_>) {
        let kind = seg.element(1).raw.trim_ascii();
        let (element, n, what) = match kind {
            b"B" => ("EB07", 7, "co-payment"),
            b"C" => ("EB07", 7, "deductible"),
            b"G" => ("EB07", 7, "out of pocket (stop loss)"),
            b"J" => ("EB07", 7, "cost containment"),
            b"Y" => ("EB07", 7, "spend down"),
            b"A" => ("EB08", 8, "co-insurance"),
            _ => return,
        };
        if !seg.element(n).raw.trim_ascii().is_empty() {
            return;
        }
        let (expected, holds) =
            if n == 7 { ("a monetary amount", "amount") } else { ("a percent", "percent") };
        let f = Finding::error(
            seg.pos,
            "EB",
            "S4-271-EB-AMOUNT",
            format!(
                "loop {loop_id}: EB01 {:?} ({what}) needs its {holds} in {element}, which is empty",
                text(kind)
            ),
        )
        .element(element, expected, "");
        self.push(f, loop_id);
    }

    /// `S4-276-DATE`, when the open claim ends.
    fn close_claim(&mut self) {
        let Some(c) = self.claim.take() else { return };
        if c.dated || c.lines > 0 {
            return;
        }
        let lines = if c.loop_id.ends_with('E') { "2210E" } else { "2210D" };
        let f = Finding::error(
            c.pos,
            "TRN",
            "S4-276-DATE",
            format!("loop {}: the claim has no date of service: neither a DTP*472 in {} nor a service line ({lines}) with its date", c.loop_id, c.loop_id),
        )
        .element("DTP03", "the claim's date(s) of service (DTP*472)", "");
        self.push(f, c.loop_id);
    }

    /// The rules that need every level's children: run when the set ends.
    pub(super) fn finish(&mut self) -> Vec<Finding> {
        self.close_claim();
        if let Some(last) = self.previous.take() {
            self.child_code(&last, false);
        }
        if self.numbered {
            self.out.append(&mut self.child_codes);
        }
        let levels = std::mem::take(&mut self.levels);
        for l in &levels {
            let patient = l.code == *b"23" || (l.code == *b"22" && l.children == 0);
            match self.guide {
                Guide::Inquiry270 if patient => self.inquiry_270(l),
                Guide::Inquiry270 if l.code == *b"22" && !patient => {
                    if let Some(pos) = l.inquiry {
                        let f = Finding::warning(
                            pos,
                            "EQ",
                            "S4-270-EQ",
                            format!("loop 2110C: an inquiry at the subscriber's level (HL {}), but the patient is a dependent (loop 2000D follows): the guide puts the inquiry in 2110D", l.id),
                        )
                        .element("EQ01", "no 2110C when a dependent is the patient", "an EQ in 2110C");
                        self.push(f, "2110C");
                    }
                }
                Guide::Response271 if patient => {
                    let rejected = l.rejected || ancestors(&levels, l).any(|a| a.rejected);
                    if !l.benefit && !rejected {
                        let (name, loop_id) = who(l, "2110");
                        let f = Finding::error(
                            l.pos,
                            "HL",
                            "S4-271-EB",
                            format!("loop {}: the {name} is the patient (HL {}) but the response has neither benefit information (loop {loop_id}, EB) nor a request validation (AAA) saying why not", l.loop_id, l.id),
                        )
                        .element("", format!("loop {loop_id} or an AAA"), "neither");
                        self.push(f, l.loop_id);
                    }
                }
                // A dependent's 2200E is required by the guide's table (2000E).
                Guide::Status276 if patient && l.code == *b"22" && l.claim.is_none() => {
                    let (name, loop_id) = who(l, "2200");
                    let f = Finding::error(
                        l.pos,
                        "HL",
                        "S4-276-CLAIM",
                        format!("loop {}: the {name} is the patient (HL {}) but the level has no claim status tracking loop {loop_id} (TRN): there is no claim to ask about", l.loop_id, l.id),
                    )
                    .element("", format!("loop {loop_id}"), "absent");
                    self.push(f, l.loop_id);
                }
                Guide::Status276 if l.code == *b"22" && !patient => {
                    if let Some((pos, loop_id)) = l.claim {
                        let f = Finding::warning(
                            pos,
                            "TRN",
                            "S4-276-CLAIM",
                            format!("loop {loop_id}: a claim at the subscriber's level (HL {}), but the patient is a dependent (loop 2000E follows): the guide puts the claim in 2200E", l.id),
                        )
                        .element("", "no 2200D when a dependent is the patient", "a 2200D");
                        self.push(f, loop_id);
                    }
                }
                _ => {}
            }
        }
        self.levels = levels;
        self.levels.clear();
        self.by_id.clear();
        self.hls = 0;
        self.numbered = true;
        self.child_codes.clear();
        self.traces.clear();
        std::mem::take(&mut self.out)
    }

    /// `S4-270-TRN` and `S4-270-EQ` for the patient's level of a 270.
    fn inquiry_270(&mut self, l: &Level) {
        let (name, eq_loop) = who(l, "2110");
        if !l.trace {
            let f = Finding::error(
                l.pos,
                "HL",
                "S4-270-TRN",
                format!("loop {}: the {name} is the patient (HL {}) but the level has no TRN trace number; the guide requires it there so that the 271 can be matched to the inquiry", l.loop_id, l.id),
            )
            .element("TRN02", "a trace number", "");
            self.push(f, l.loop_id);
        }
        if l.inquiry.is_none() {
            let f = Finding::error(
                l.pos,
                "HL",
                "S4-270-EQ",
                format!("loop {}: the {name} is the patient (HL {}) but there is no eligibility or benefit inquiry (loop {eq_loop}, EQ)", l.loop_id, l.id),
            )
            .element("EQ01", format!("loop {eq_loop}"), "absent");
            self.push(f, l.loop_id);
        }
    }

    /// `S4-HL-CHILD`: HL04 against whether the next HL is this one's child.
    fn child_code(&mut self, l: &PreviousHl, has_children: bool) {
        let said = match l.says_children {
            Some(true) if !has_children => "1",
            Some(false) if has_children => "0",
            _ => return,
        };
        let message = if has_children {
            format!("HL {}: HL04 is \"0\" (no subordinate level) but the next HL names it as its parent (HL02)", l.id)
        } else {
            format!("HL {}: HL04 is \"1\" (subordinate levels follow) but no HL below names it as its parent (HL02)", l.id)
        };
        let f = Finding::error(l.pos, "HL", "S4-HL-CHILD", message)
            .element("HL04", if has_children { "1" } else { "0" }, said)
            .snip(4)
            .in_loop(l.loop_id);
        self.child_codes.push(f);
    }
}

/// The levels above `l`, nearest first.
fn ancestors<'l>(levels: &'l [Level], l: &Level) -> impl Iterator<Item = &'l Level> {
    std::iter::successors(l.parent.map(|p| &levels[p as usize]), move |a| {
        a.parent.map(|p| &levels[p as usize])
    })
    .take(levels.len())
}

/// Who a patient level is (`subscriber` or `dependent`) and the id of its
/// `prefix` loop (`2110C`, `2200E`...): the level's own loop letter.
fn who(l: &Level, prefix: &str) -> (&'static str, String) {
    let name = if l.code == *b"23" { "dependent" } else { "subscriber" };
    let letter = l.loop_id.chars().last().unwrap_or('C');
    (name, format!("{prefix}{letter}"))
}
