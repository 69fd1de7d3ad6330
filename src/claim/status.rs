//! Where a claim stands: how it was last sent, whether the front end (999,
//! 277CA) accepted or rejected it, then what the payer's remittance made of
//! it (the ledger's statuses), and the two words only reconcile's reports use
//! (`outstanding`, `not_adjudicated`). This module only names the statuses
//! and their words in the ledger and reports; it decides nothing.

use std::fmt;

use serde::Serialize;

/// A claim's (or service line's) status: in the ledger (`claims.status`,
/// `claim_history.status`, `claim_payments.status`) and in reconcile's
/// reports. [`ClaimStatus::Outstanding`] and [`ClaimStatus::NotAdjudicated`]
/// appear in reports only, never in the ledger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    /// Sent for the first time.
    Sent,
    /// Sent again as is (`build --resend`).
    Resent,
    /// Sent as a replacement (frequency 7).
    Replacement,
    /// Sent as a void (frequency 8).
    Void,
    /// Accepted at the front end: its 999 transaction set, or the payer's
    /// (or clearinghouse's) 277CA, accepted it; no remittance yet.
    Accepted,
    /// Rejected at the front end (TA1, 999 or 277CA): the payer never took
    /// it in, so it is corrected and sent again as an original.
    Rejected,
    /// Paid as adjudicated.
    Paid,
    /// Partly paid: some of the charge was denied or not answered.
    Partial,
    /// Denied.
    Denied,
    /// Nothing paid: all of it is the patient's to pay.
    PatientResponsibility,
    /// The payment was reversed (and not yet corrected).
    Reversed,
    /// Not this payer's claim: it forwarded the claim to another payer
    /// (CLP02 23), whose remittance is awaited.
    Forwarded,
    /// A payment that matched no sent claim (payment rows only).
    Unmatched,
    /// Sent, not remitted yet (reconcile's reports in ledger mode only; the
    /// ledger keeps the sending status).
    Outstanding,
    /// A sent line of a matched claim that no claim payment answered, in
    /// this payment or before it (reconcile's line status only).
    NotAdjudicated,
}

impl ClaimStatus {
    /// Every status, in the order above.
    pub const ALL: [ClaimStatus; 15] = [
        ClaimStatus::Sent,
        ClaimStatus::Resent,
        ClaimStatus::Replacement,
        ClaimStatus::Void,
        ClaimStatus::Accepted,
        ClaimStatus::Rejected,
        ClaimStatus::Paid,
        ClaimStatus::Partial,
        ClaimStatus::Denied,
        ClaimStatus::PatientResponsibility,
        ClaimStatus::Reversed,
        ClaimStatus::Forwarded,
        ClaimStatus::Unmatched,
        ClaimStatus::Outstanding,
        ClaimStatus::NotAdjudicated,
    ];

    /// The word stored in the ledger and written in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ClaimStatus::Sent => "sent",
            ClaimStatus::Resent => "resent",
            ClaimStatus::Replacement => "replacement",
            ClaimStatus::Void => "void",
            ClaimStatus::Accepted => "accepted",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Paid => "paid",
            ClaimStatus::Partial => "partial",
            ClaimStatus::Denied => "denied",
            ClaimStatus::PatientResponsibility => "patient_responsibility",
            ClaimStatus::Reversed => "reversed",
            ClaimStatus::Forwarded => "forwarded",
            ClaimStatus::Unmatched => "unmatched",
            ClaimStatus::Outstanding => "outstanding",
            ClaimStatus::NotAdjudicated => "not_adjudicated",
        }
    }

    /// The status stored as `word`, if it is one of the ledger's.
    pub fn from_word(word: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.into_iter().find(|s| s.as_str() == word && s.in_ledger())
    }

    /// True for the statuses the ledger stores; false for `outstanding` and
    /// `not_adjudicated`, which only reconcile's reports show.
    pub fn in_ledger(self) -> bool {
        !matches!(self, ClaimStatus::Outstanding | ClaimStatus::NotAdjudicated)
    }

    /// True once a remittance has answered the claim; false while it waits
    /// for one (sent, resent, replacement, void, accepted, rejected,
    /// outstanding).
    pub fn is_remitted(self) -> bool {
        !self.is_before_remittance()
    }

    /// True while no remittance has answered the claim: how it was sent
    /// (sent, resent, replacement, void), or what the front end said of it
    /// (accepted, rejected). An acknowledgment changes only such a status.
    pub fn is_before_remittance(self) -> bool {
        matches!(
            self,
            ClaimStatus::Sent
                | ClaimStatus::Resent
                | ClaimStatus::Replacement
                | ClaimStatus::Void
                | ClaimStatus::Accepted
                | ClaimStatus::Rejected
                | ClaimStatus::Outstanding
        )
    }

    /// True for the statuses of a claim on its way (sent, resent,
    /// replacement, void): waiting for an acknowledgment.
    pub fn is_sending(self) -> bool {
        matches!(
            self,
            ClaimStatus::Sent | ClaimStatus::Resent | ClaimStatus::Replacement | ClaimStatus::Void
        )
    }
}

impl fmt::Display for ClaimStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_round_trip() {
        for s in ClaimStatus::ALL.into_iter().filter(|s| s.in_ledger()) {
            assert_eq!(ClaimStatus::from_word(s.as_str()), Some(s));
        }
        assert_eq!(ClaimStatus::from_word("acknowledged"), None);
        assert_eq!(ClaimStatus::from_word("outstanding"), None, "a report word only");
    }

    #[test]
    fn only_remittance_statuses_are_remitted() {
        let waiting: Vec<_> = ClaimStatus::ALL.into_iter().filter(|s| !s.is_remitted()).collect();
        assert_eq!(
            waiting,
            [
                ClaimStatus::Sent,
                ClaimStatus::Resent,
                ClaimStatus::Replacement,
                ClaimStatus::Void,
                ClaimStatus::Accepted,
                ClaimStatus::Rejected,
                ClaimStatus::Outstanding
            ]
        );
    }
}
