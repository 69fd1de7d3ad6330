//! Where each claim sits inside its 837 transaction set, counted the way a
//! 999 counts: IK3-2 is the segment's position within the set, the ST being
//! segment 1. `build` records these spans in the ledger so that `ack` can
//! give a 999 error to the claim whose segment it points at without the 837
//! file (which may have been moved or archived since).
//!
//! A claim's span is its loop 2300 and everything under it (CLM up to the
//! segment before the next HL, CLM or SE), plus the HL levels above it
//! (billing provider, subscriber, patient): an error in a subscriber's
//! segments concerns every claim under that subscriber. This module reads
//! segments only; it does not validate (see `validate`).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::x12::{self, Segment};

/// One claim's place in its transaction set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimSpan {
    /// CLM01.
    pub claim_id: String,
    /// 2010BB payer id (NM1*PR NM109) of the claim's subscriber level.
    pub payer_id: String,
    /// ST02 of the set.
    pub st02: String,
    /// Position of the CLM within the set (ST = 1).
    pub first: u32,
    /// Position of the claim's last segment within the set.
    pub last: u32,
    /// Positions (within the set) of the HL segments above the claim, from
    /// the top level down: billing provider, subscriber, patient (when any).
    pub levels: Vec<u32>,
}

impl ClaimSpan {
    /// `levels` as text for the ledger: positions joined with `,`.
    pub fn levels_text(&self) -> String {
        self.levels.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    }
}

/// The span of every claim of every 837 set in `input` (an 837 as written),
/// in file order. Sets are read in parallel.
pub fn claim_spans(input: &[u8]) -> Vec<ClaimSpan> {
    let scan = x12::scan(input);
    let sets: Vec<&x12::TransactionSet> =
        scan.sets().filter(|(_, _, s)| s.id == "837").map(|(_, _, s)| s).collect();
    let per_set: Vec<Vec<ClaimSpan>> = sets.par_iter().map(|s| set_spans(input, s)).collect();
    per_set.into_iter().flatten().collect()
}

/// The spans of one set's claims.
fn set_spans(input: &[u8], set: &x12::TransactionSet) -> Vec<ClaimSpan> {
    let mut out: Vec<ClaimSpan> = Vec::new();
    // HL01 -> (position, HL02 parent id), the levels seen so far.
    let mut levels: Vec<(String, u32, String)> = Vec::new();
    // HL01 -> the indexes in `levels` of the HLs with that id, in order.
    let mut by_id: FxHashMap<String, Vec<usize>> = FxHashMap::default();
    let mut current_hl: Option<usize> = None;
    let mut payer = String::new();
    let mut open: Option<usize> = None;
    let mut n = 0u32;
    for item in set.segments(input) {
        let Ok(seg) = item else { break };
        n += 1;
        let closes = seg.is("HL") || seg.is("CLM") || seg.is("SE");
        if closes {
            if let Some(i) = open.take() {
                out[i].last = n - 1;
            }
        }
        if seg.is("HL") {
            let id = seg.str(1).trim().to_string();
            by_id.entry(id.clone()).or_default().push(levels.len());
            levels.push((id, n, seg.str(2).trim().to_string()));
            current_hl = Some(levels.len() - 1);
            if seg.str(3).trim() == "22" {
                payer.clear();
            }
        } else if is_payer(&seg) {
            payer = seg.str(9).trim().to_string();
        } else if seg.is("CLM") {
            out.push(ClaimSpan {
                claim_id: seg.str(1).trim().to_string(),
                payer_id: payer.clone(),
                st02: set.control.clone(),
                first: n,
                last: n,
                levels: ancestry(&levels, &by_id, current_hl),
            });
            open = Some(out.len() - 1);
        }
    }
    if let Some(i) = open {
        out[i].last = n;
    }
    out
}

/// NM1*PR: the payer of loop 2010BB.
fn is_payer(seg: &Segment<'_>) -> bool {
    seg.is("NM1") && seg.str(1).trim() == "PR"
}

/// The positions of HL `at` and its parents, top level first. A parent is
/// the last HL before its child with the id the child's HL02 names (found
/// through `by_id`, not by a search back through the set's levels).
fn ancestry(
    levels: &[(String, u32, String)],
    by_id: &FxHashMap<String, Vec<usize>>,
    at: Option<usize>,
) -> Vec<u32> {
    let mut chain = Vec::new();
    let mut next = at;
    // A parent must come before its child: the walk ends (even on a file
    // whose HL02 points forward or at itself) after at most `levels` steps.
    while let Some(i) = next {
        if chain.len() > levels.len() {
            break;
        }
        chain.push(levels[i].1);
        let parent = &levels[i].2;
        next = if parent.is_empty() {
            None
        } else {
            by_id.get(parent).and_then(|at| {
                let before = at.partition_point(|&j| j < i);
                before.checked_sub(1).map(|k| at[k])
            })
        };
    }
    chain.reverse();
    chain
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO_SETS: &[u8] = b"ISA*00*          *00*          *ZZ*S              *ZZ*R              *251201*0200*^*00501*000000001*0*T*:~\
GS*HC*S*R*20251201*0200*1*X*005010X222A1~\
ST*837*0001*005010X222A1~BHT*0019*00*1*20251201*0200*CH~\
HL*1**20*1~NM1*85*2*B*****XX*1234567893~\
HL*2*1*22*0~SBR*P*18*******CI~NM1*IL*1*A*B****MI*M1~NM1*PR*2*P*****PI*PAY1~\
CLM*C1*10***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*10*UN*1***1~\
CLM*C2*20***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*20*UN*1***1~\
HL*3*1*22*1~SBR*P********CI~NM1*IL*1*C*D****MI*M2~NM1*PR*2*Q*****PI*PAY2~\
HL*4*3*23*0~PAT*19~NM1*QC*1*E*F~\
CLM*C3*30***11:B:1*Y*A*Y*Y~LX*1~SV1*HC:99213*30*UN*1***1~\
SE*25*0001~\
ST*837*0002*005010X222A1~BHT*0019*00*2*20251201*0200*CH~\
HL*1**20*1~NM1*85*2*B*****XX*1234567893~HL*2*1*22*0~NM1*PR*2*P*****PI*PAY1~\
CLM*C4*40***11:B:1*Y*A*Y*Y~LX*1~SE*9*0002~GE*2*1~IEA*1*000000001~";

    #[test]
    fn spans_count_from_the_st_and_name_the_levels_above() {
        let spans = claim_spans(TWO_SETS);
        let short: Vec<_> = spans
            .iter()
            .map(|s| (s.claim_id.as_str(), s.payer_id.as_str(), s.st02.as_str(), s.first, s.last))
            .collect();
        assert_eq!(
            short,
            [
                ("C1", "PAY1", "0001", 9, 11),
                ("C2", "PAY1", "0001", 12, 14),
                ("C3", "PAY2", "0001", 22, 24),
                ("C4", "PAY1", "0002", 7, 8),
            ]
        );
        assert_eq!(spans[0].levels, [3, 5]);
        assert_eq!(spans[2].levels, [3, 15, 19]);
        assert_eq!(spans[2].levels_text(), "3,15,19");
    }

    #[test]
    fn a_file_without_837_sets_has_no_spans() {
        assert!(claim_spans(b"not x12").is_empty());
    }

    /// The search back through the levels that `by_id` replaces.
    fn ancestry_by_search(levels: &[(String, u32, String)], at: Option<usize>) -> Vec<u32> {
        let mut chain = Vec::new();
        let mut next = at;
        while let Some(i) = next {
            if chain.len() > levels.len() {
                break;
            }
            chain.push(levels[i].1);
            let parent = &levels[i].2;
            next = if parent.is_empty() {
                None
            } else {
                levels[..i].iter().rposition(|(id, _, _)| id == parent)
            };
        }
        chain.reverse();
        chain
    }

    proptest::proptest! {
        /// Any HL ids and parents (repeated ids, parents that point forward,
        /// at themselves or nowhere): the index finds the same chain.
        #[test]
        fn ancestry_through_the_index_is_the_search_back(
            hls in proptest::collection::vec((0u8..6, 0u8..7), 1..40),
        ) {
            let id = |n: u8| if n == 6 { String::new() } else { n.to_string() };
            let levels: Vec<(String, u32, String)> =
                hls.iter().enumerate().map(|(k, (i, p))| (id(*i), k as u32 + 1, id(*p))).collect();
            let mut by_id: FxHashMap<String, Vec<usize>> = FxHashMap::default();
            for (k, (i, _, _)) in levels.iter().enumerate() {
                by_id.entry(i.clone()).or_default().push(k);
            }
            for at in 0..levels.len() {
                proptest::prop_assert_eq!(
                    ancestry(&levels, &by_id, Some(at)),
                    ancestry_by_search(&levels, Some(at))
                );
            }
        }
    }
}
