//! The worklist row a 277 claim status answer calls for: the newest answer
//! beats the days-to-pay estimate while no 835 has come.
//!
//! | newest 277 | worklist |
//! |---|---|
//! | finalized, finalized_denied | `835 expected: get the remittance` |
//! | information_requested | `payer asks for information` (the STC codes in the reason) |
//! | pending | nothing until `expected_days_to_pay` after the answer, then `ask the payer for the claim's status` |
//! | status_error | `resubmit inquiry` (`claim not on file` for status code 35) |
//! | not_on_file | `claim not on file at the payer` |
//!
//! An acknowledgment category (accepted, rejected) leaves the usual rules.

use super::{date_of, Options, WorkItem};
use crate::claim::ClaimStatus;
use crate::ledger::{ClaimState, LatestStatusAnswer};

/// `Some(Some(item))`: the answer puts the claim on the worklist;
/// `Some(None)`: the answer keeps it off; `None`: the usual rules apply.
pub(super) fn item_from_277(
    s: &ClaimState,
    a: Option<&LatestStatusAnswer>,
    options: &Options,
) -> Option<Option<WorkItem>> {
    let a = a?;
    if s.payment.is_some() || !(s.status == ClaimStatus::Accepted || s.status.is_sending()) {
        return None;
    }
    let today = options.now.date();
    let days = date_of(&a.at).map_or(0, |d| (today - d).num_days());
    let since = a.at.get(..10).unwrap_or(&a.at).to_string();
    let (reason, action) = match a.status.as_str() {
        "finalized" | "finalized_denied" => (
            format!("277 of {since} says {} ({}): no 835 on file", a.status, a.codes),
            "835 expected: get the remittance",
        ),
        "information_requested" => (
            format!("277 of {since}: the payer asks for information ({})", a.codes),
            "payer asks for information",
        ),
        "pending" => {
            let (_, days_to_pay) = options.days(&s.payer_id);
            if days <= i64::from(days_to_pay) {
                return Some(None);
            }
            (
                format!("277 of {since} said pending ({}), {days} day(s) ago, no 835 yet", a.codes),
                "ask the payer for the claim's status",
            )
        }
        "status_error" => {
            let not_on_file = a.codes.split(' ').any(|c| c.split(':').nth(1) == Some("35"));
            (
                format!("277 of {since} could not answer ({})", a.codes),
                if not_on_file { "claim not on file" } else { "resubmit inquiry" },
            )
        }
        "not_on_file" => (
            format!("277 of {since}: data search unsuccessful ({})", a.codes),
            "claim not on file at the payer",
        ),
        _ => return None,
    };
    Some(Some(WorkItem {
        claim_id: s.claim_id.clone(),
        payer_id: s.payer_id.clone(),
        status: s.status,
        reason,
        next_action: action,
        category: None,
        age_days: days,
        amount: s.total_charge,
        since,
    }))
}
