//! What the billing office should do next about a claim: the shared
//! vocabulary of the denial categories (`reconcile`), the status worklist
//! (`status`) and `secondary`. It only names the actions and their words;
//! which action a claim needs is decided by those jobs.

use serde::Serialize;

/// What the billing office should do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Fix the claim and send it again.
    CorrectAndResubmit,
    /// Ask the payer to reconsider.
    Appeal,
    /// The patient owes it.
    BillPatient,
    /// Send to the next payer.
    BillSecondary,
    /// Nothing to collect.
    WriteOff,
    /// The claim went on to another payer: its remittance comes next.
    WaitForOtherPayer,
    /// No acknowledgment came for a file sent: ask the clearinghouse
    /// whether it arrived (status worklist).
    CheckWithClearinghouse,
    /// Accepted, but no remittance came in time: ask the payer where the
    /// claim stands (a claim status inquiry; status worklist).
    AskPayerForStatus,
    /// A payment was reversed and no corrected payment followed: ask the
    /// payer for it (status worklist).
    AskPayerForCorrection,
    /// The payer answered part of the claim; its answer on the other lines
    /// is still to come (status worklist).
    WaitForPayer,
    /// The COB claim to the secondary cannot be built from the primary's
    /// remittance: ask the primary to correct it (status worklist).
    AskPrimaryForCorrection,
    /// Rejected only with its set or interchange: send it again as it is
    /// (the next `build` of an export holding it does; status worklist).
    ResendAsIs,
    /// Forwarded by the payer to another payer, which has not answered in
    /// time: ask that payer where the claim stands (status worklist).
    AskOtherPayer,
}

impl Action {
    /// The words in `denials.csv` and the status worklist.
    pub fn words(self) -> &'static str {
        match self {
            Action::CorrectAndResubmit => "correct and resubmit",
            Action::Appeal => "appeal",
            Action::BillPatient => "bill patient",
            Action::BillSecondary => "bill secondary",
            Action::WriteOff => "write off",
            Action::WaitForOtherPayer => "wait for the other payer's remittance",
            Action::CheckWithClearinghouse => "check with the clearinghouse",
            Action::AskPayerForStatus => "ask the payer for the claim's status",
            Action::AskPayerForCorrection => "ask the payer for the corrected payment",
            Action::WaitForPayer => "wait for the payer's answer",
            Action::AskPrimaryForCorrection => {
                "ask the primary payer to correct its remittance, then run secondary again"
            }
            Action::ResendAsIs => "resend as is",
            Action::AskOtherPayer => "ask the other payer for the claim's status",
        }
    }
}
