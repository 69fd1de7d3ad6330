//! 835 balancing (WEDI SNIP 3), in exact decimals, as findings.
//!
//! - `835-BAL-SVC` per line: SVC02 − SVC03 = sum of the line's CAS amounts.
//! - `835-BAL-CLP` per claim: CLP03 − CLP04 = sum of claim and line CAS amounts.
//! - `835-BAL-BPR` per transaction: BPR02 = sum of CLP04 − sum of PLB amounts.
//! - `835-CLP05` per claim (warning): CLP05 = sum of PR adjustments, when CLP05
//!   is given and the claim carries any adjustment at all.
//!
//! Imbalances are errors (a receiver cannot post the file as is), except the
//! CLP05 cross-check, which payers often fill loosely. This module never
//! fails and does not read X12 itself (see `parse`). The checks of one
//! claim ([`claim_findings`]) need only that claim, so a reader may balance
//! each claim as soon as it is read ([`super::BalanceReader`]).

use rust_decimal::Decimal;

use super::{ClaimPayment, Group, Remittance};
use crate::numtext::{amount, money};
use crate::x12::Finding;

/// Every balancing finding of one remittance, in file order.
pub fn balance(rem: &Remittance) -> Vec<Finding> {
    let mut out = Vec::new();
    for claim in &rem.claims {
        claim_findings(claim, &mut out);
    }
    payment_findings(rem, rem.paid_total(), &mut out);
    out
}

/// The SVC, CLP and CLP05 findings of one claim payment, in file order.
pub(super) fn claim_findings(claim: &ClaimPayment, out: &mut Vec<Finding>) {
    for line in &claim.lines {
        let cas: Decimal = line.adjustments.iter().map(|a| a.amount).sum();
        let diff = line.svc02_charge - line.svc03_paid;
        if diff != cas {
            out.push(Finding::error(
                line.pos,
                "SVC",
                "835-BAL-SVC",
                format!(
                    "claim {}: service {} does not balance: SVC02 {} − SVC03 {} = {} but line adjustments total {} (off by {})",
                    claim.clp01_claim_id,
                    line.svc01_procedure.display(),
                    money(line.svc02_charge),
                    money(line.svc03_paid),
                    money(diff),
                    money(cas),
                    money(diff - cas)
                ),
            ));
        }
    }
    let cas: Decimal = claim.all_adjustments().map(|a| a.amount).sum();
    let diff = claim.clp03_charge - claim.clp04_paid;
    if diff != cas {
        out.push(Finding::error(
            claim.pos,
            "CLP",
            "835-BAL-CLP",
            format!(
                "claim {} does not balance: CLP03 {} − CLP04 {} = {} but claim and line adjustments total {} (off by {})",
                claim.clp01_claim_id,
                money(claim.clp03_charge),
                money(claim.clp04_paid),
                money(diff),
                money(cas),
                money(diff - cas)
            ),
        ));
    }
    if let Some(clp05) = claim.clp05_patient_responsibility {
        let any = claim.all_adjustments().next().is_some();
        let pr: Decimal =
            claim.all_adjustments().filter(|a| a.group == Some(Group::PR)).map(|a| a.amount).sum();
        if any && pr != clp05 {
            out.push(Finding::warning(
                claim.pos,
                "CLP",
                "835-CLP05",
                format!(
                    "claim {}: CLP05 patient responsibility {} differs from the PR adjustments total {}",
                    claim.clp01_claim_id,
                    amount(clp05),
                    amount(pr)
                ),
            ));
        }
    }
}

/// The BPR finding of a remittance whose claims paid `paid` in all (the
/// sum of their CLP04, in file order).
pub(super) fn payment_findings(rem: &Remittance, paid: Decimal, out: &mut Vec<Finding>) {
    let plb = rem.plb_total();
    let expected = paid - plb;
    if rem.payment.bpr02_amount != expected {
        out.push(Finding::error(
            if rem.payment.pos.segment == 0 { rem.pos } else { rem.payment.pos },
            "BPR",
            "835-BAL-BPR",
            format!(
                "transaction {} (trace {}) does not balance: BPR02 {} but claim payments {} − provider adjustments {} = {} (off by {})",
                rem.st02_control,
                rem.trace.trn02_number,
                money(rem.payment.bpr02_amount),
                money(paid),
                money(plb),
                money(expected),
                money(rem.payment.bpr02_amount - expected)
            ),
        ));
    }
}
