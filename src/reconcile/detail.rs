//! The detail of a claim payment the ledger keeps for the money report: its
//! service lines (procedure as submitted, billed, paid) and the adjustments
//! counted in its `denied` amount, each with its level (claim or line).
//!
//! It also names a CARC's denial category for the money report.
//!
//! This module only copies what classification already decided; it writes
//! nothing (the ledger posts it).

use super::{is_denial_adjustment, ClaimStatus};
use crate::edi835::ClaimPayment;
use crate::ledger::{DenialPosting, LinePosting};

/// The lines of `c` and its denying adjustments (none for a claim the payer
/// says is not its own: nothing of it is denied).
pub(crate) fn lines_and_denials(
    c: &ClaimPayment,
    status: ClaimStatus,
    contractual: &[String],
) -> (Vec<LinePosting>, Vec<DenialPosting>) {
    let lines = c
        .lines
        .iter()
        .map(|l| LinePosting {
            procedure: l.submitted_procedure().code.clone(),
            billed: l.svc02_charge,
            paid: l.svc03_paid,
        })
        .collect();
    let mut denials = Vec::new();
    if status != ClaimStatus::Forwarded {
        let levels = std::iter::once((0, &c.adjustments))
            .chain(c.lines.iter().zip(1u32..).map(|(l, n)| (n, &l.adjustments)));
        for (line_no, adjs) in levels {
            for a in adjs.iter().filter(|a| is_denial_adjustment(a, contractual)) {
                denials.push(DenialPosting {
                    line_no,
                    group_code: a.group_code.clone(),
                    carc: a.reason.clone(),
                    amount: a.amount,
                });
            }
        }
    }
    (lines, denials)
}
