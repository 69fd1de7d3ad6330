//! A small loop walker over the tokenizer: a transaction set's segments cut
//! into its HL levels (HL01 id, HL02 parent, HL03 level code) with the
//! segments of each. The readers of 271 and 277 use only this narrow
//! interface, so the guide-schema engine can replace it without touching
//! them. It does not check the hierarchy (see `x12::check_hierarchy`).

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
}

/// The set's segments before the first HL (ST, BHT) and its HL levels in
/// order. Segments the tokenizer cannot read are skipped (the envelope scan
/// reports them).
pub fn levels<'a>(
    set: &x12::TransactionSet,
    input: &'a [u8],
) -> (Vec<Segment<'a>>, Vec<Level<'a>>) {
    let mut head = Vec::new();
    let mut out: Vec<Level<'a>> = Vec::new();
    for seg in set.segments(input).flatten() {
        match seg.id {
            b"HL" => out.push(Level {
                id: seg.str(1).trim().to_string(),
                parent: seg.str(2).trim().to_string(),
                code: seg.str(3).trim().to_string(),
                hl: seg,
                segments: Vec::new(),
            }),
            b"SE" => {}
            _ => match out.last_mut() {
                Some(l) => l.segments.push(seg),
                None => head.push(seg),
            },
        }
    }
    (head, out)
}
