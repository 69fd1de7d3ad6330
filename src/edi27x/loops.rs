//! The HL levels of a 271 or 277 (X212) set as the guide schema places
//! them: the set is walked once by the schema engine (`x12::schema::walk`,
//! the loop tree `parse --loops` prints) and cut at each HL into its level
//! (HL01 id, HL02 parent, HL03 code) with the segments after it, each with
//! the loop the engine put it in (2100C, 2110C, 2120C, 2220D...). The
//! readers take their values from these levels.
//!
//! It reports nothing: the engine's findings are `validate`'s, and the
//! envelope scan reports segments the tokenizer cannot read (skipped here).

use crate::x12::schema::{self, NoExternalCodes, SegDef, Visitor};
use crate::x12::{self, Segment};

/// One HL level and the segments after it up to the next HL (or SE).
#[derive(Debug)]
pub struct Level<'a> {
    /// HL01.
    pub id: String,
    /// HL02 (empty at the top).
    pub parent: String,
    /// HL03: 20 source, 21 receiver, 22 subscriber, 23 dependent, 19 provider.
    pub code: String,
    /// The HL segment.
    pub hl: Segment<'a>,
    /// The segments after the HL, in order (SE excluded).
    pub segments: Vec<Segment<'a>>,
    /// The guide loop of each of `segments` (innermost; empty when the set's
    /// guide is unknown).
    pub loops: Vec<&'static str>,
}

impl<'a> Level<'a> {
    /// The segments with their loops.
    pub fn placed(&self) -> impl Iterator<Item = (&Segment<'a>, &'static str)> + '_ {
        self.segments.iter().zip(self.loops.iter().copied())
    }
}

/// The loop of every segment, in the order the engine walks them.
struct LoopIds(Vec<&'static str>);

impl Visitor for LoopIds {
    fn segment(&mut self, loop_id: &'static str, _: &x12::Fields<'_>, _: Option<&SegDef>) {
        self.0.push(loop_id);
    }
}

/// The set's segments before the first HL (ST, BHT) and its HL levels in
/// order, placed by the guide of `version` for transaction `st01` (the
/// readers name theirs: 005010X279A1 271, 005010X212 277).
pub fn levels<'a>(
    set: &x12::TransactionSet,
    input: &'a [u8],
    version: &str,
    st01: &str,
) -> (Vec<Segment<'a>>, Vec<Level<'a>>) {
    let mut ids = LoopIds(Vec::new());
    if let Some(guide) = schema::guide_for(version, st01) {
        schema::walk(input, set, guide, false, &NoExternalCodes, &mut ids);
    }
    let mut loop_ids = ids.0.into_iter();
    let mut head = Vec::new();
    let mut out: Vec<Level<'a>> = Vec::new();
    for seg in set.segments(input).flatten() {
        let loop_id = loop_ids.next().unwrap_or("");
        match seg.id {
            b"HL" => out.push(Level {
                id: seg.str(1).trim().to_string(),
                parent: seg.str(2).trim().to_string(),
                code: seg.str(3).trim().to_string(),
                hl: seg,
                segments: Vec::new(),
                loops: Vec::new(),
            }),
            b"SE" => {}
            _ => match out.last_mut() {
                Some(l) => {
                    l.segments.push(seg);
                    l.loops.push(loop_id);
                }
                None => head.push(seg),
            },
        }
    }
    (head, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_carry_the_loops_the_schema_places_them_in() {
        let x = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *251130*0900*^*00501*000000001*0*T*:~GS*HB*A*B*20251130*0900*1*X*005010X279A1~ST*271*0001*005010X279A1~BHT*0022*11*R1*20251130*0900~HL*1**20*1~NM1*PR*2*PLAN*****PI*P1~HL*2*1*21*1~NM1*1P*2*CLINIC*****XX*1234567893~HL*3*2*22*0~TRN*2*T1*9877281234~NM1*IL*1*DOE*JO****MI*M1~DTP*346*D8*20250101~EB*R**30~DTP*291*D8*20250101~LS*2120~NM1*PRP*2*OTHER*****PI*O1~LE*2120~SE*17*0001~GE*1*1~IEA*1*000000001~";
        let scan = x12::scan(x.as_bytes());
        let (_, _, set) = scan.sets().next().unwrap();
        let (head, levels) = levels(set, x.as_bytes(), "005010X279A1", "271");
        assert_eq!(head.len(), 2);
        let codes: Vec<&str> = levels.iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["20", "21", "22"]);
        let placed: Vec<(&str, &str)> = levels[2].placed().map(|(s, l)| (s.id_str(), l)).collect();
        assert_eq!(
            placed,
            [
                ("TRN", "2000C"),
                ("NM1", "2100C"),
                ("DTP", "2100C"),
                ("EB", "2110C"),
                ("DTP", "2110C"),
                ("LS", "2110C"),
                ("NM1", "2120C"),
                ("LE", "2110C"),
            ]
        );
        // An unknown guide: the same levels, no loops.
        let (_, levels) = levels_unknown(set, x.as_bytes());
        assert_eq!(levels[2].loops, ["", "", "", "", "", "", "", ""]);
    }

    fn levels_unknown<'a>(
        set: &x12::TransactionSet,
        input: &'a [u8],
    ) -> (Vec<Segment<'a>>, Vec<Level<'a>>) {
        levels(set, input, "005010X999A1", "271")
    }
}
