//! HL hierarchy checks inside one transaction set.
//!
//! Many X12 transactions (837, 277, 856…) nest their loops with HL segments:
//! `HL*<HL01 id>*<HL02 parent id>*<HL03 level code>*<HL04 has children>~`.
//! The ids must count up from 1 in order and a parent must be an HL seen
//! earlier. These are generic X12 rules; what levels a transaction needs is
//! not checked here.

use std::collections::HashSet;

use super::envelope::{Finding, TransactionSet};

/// Checks the HL numbering of one set; positions are file-level.
pub fn check_hierarchy(input: &[u8], set: &TransactionSet) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen: HashSet<u64> = HashSet::new();
    let mut expected = 1u64;
    for seg in set.segments(input).flatten() {
        if !seg.is("HL") {
            continue;
        }
        let id = seg.str(1);
        let parent = seg.str(2);
        match id.trim().parse::<u64>() {
            Ok(n) if n == expected => {
                seen.insert(n);
                expected += 1;
            }
            _ => {
                let n = id.trim().parse::<u64>().ok();
                let again = if n.is_some_and(|n| seen.contains(&n)) {
                    " and repeats an earlier HL id"
                } else {
                    ""
                };
                findings.push(Finding::error(
                    seg.pos,
                    "HL",
                    "X12-HL01",
                    format!("HL01 is {id:?}{again}, expected {expected} (HL ids count up by 1 from 1 within a transaction set)"),
                ));
                if let Some(n) = n {
                    seen.insert(n);
                    expected = n + 1;
                }
            }
        }
        let parent = parent.trim();
        if !parent.is_empty()
            && !parent.parse::<u64>().is_ok_and(|p| seen.contains(&p) && p.to_string() != id.trim())
        {
            findings.push(Finding::error(
                seg.pos,
                "HL",
                "X12-HL02",
                format!(
                    "HL02 parent {parent:?} does not name an earlier HL in this transaction set"
                ),
            ));
        }
    }
    findings
}
