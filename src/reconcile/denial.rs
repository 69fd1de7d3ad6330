//! Denial worklist categories and next actions, from CARC reason codes.
//!
//! The category words and actions are our own; no CARC description text is
//! used or shipped (X12 holds the copyright on it). The mapping is by code
//! value, chosen so that a billing team knows which desk a denial goes to.
//! This module does not read 835s and does not decide whether something is
//! denied (see `classify`).

use serde::Serialize;

use crate::edi835::Group;

/// Which kind of problem a denial is, in our own words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Information missing or wrong on the claim.
    MissingInformation,
    /// Codes that do not fit together (modifier, place, age, sex, diagnosis).
    CodingMismatch,
    /// Sent before.
    Duplicate,
    /// The patient was not covered on the date of service.
    Eligibility,
    /// Prior authorization or referral missing.
    Authorization,
    /// Sent too late.
    TimelyFiling,
    /// The plan does not cover the service, or a benefit limit was reached.
    NonCovered,
    /// The payer does not consider the service necessary.
    MedicalNecessity,
    /// Paid as part of another service.
    Bundled,
    /// Another payer pays first, or a prior payer already paid.
    CoordinationOfBenefits,
    /// Fee schedule or contract reduction.
    Contractual,
    /// Deductible, coinsurance or copay: the patient's share.
    PatientCostShare,
    /// Anything not listed.
    Other,
}

impl Category {
    /// The words in `denials.csv`.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Category::MissingInformation => "missing information",
            Category::CodingMismatch => "coding mismatch",
            Category::Duplicate => "duplicate",
            Category::Eligibility => "eligibility",
            Category::Authorization => "authorization",
            Category::TimelyFiling => "timely filing",
            Category::NonCovered => "non-covered",
            Category::MedicalNecessity => "medical necessity",
            Category::Bundled => "bundled",
            Category::CoordinationOfBenefits => "coordination of benefits",
            Category::Contractual => "contractual",
            Category::PatientCostShare => "patient cost share",
            Category::Other => "other",
        }
    }
}

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
}

impl Action {
    /// The words in `denials.csv`.
    pub(crate) fn words(self) -> &'static str {
        match self {
            Action::CorrectAndResubmit => "correct and resubmit",
            Action::Appeal => "appeal",
            Action::BillPatient => "bill patient",
            Action::BillSecondary => "bill secondary",
            Action::WriteOff => "write off",
        }
    }
}

/// The category of one CARC code (trimmed, case-insensitive).
pub(crate) fn category(carc: &str) -> Category {
    let code = carc.trim().to_ascii_uppercase();
    let n: Option<u32> = code.parse().ok();
    match (code.as_str(), n) {
        (_, Some(1..=3)) | (_, Some(66)) => Category::PatientCostShare,
        (_, Some(16 | 125 | 252 | 226 | 227 | 17 | 21 | 140 | 146 | 206..=209)) => {
            Category::MissingInformation
        }
        (_, Some(4..=12 | 181 | 182 | 199 | 185)) => Category::CodingMismatch,
        (_, Some(18)) => Category::Duplicate,
        (_, Some(26 | 27 | 31 | 32 | 33 | 177 | 200 | 201)) => Category::Eligibility,
        (_, Some(15 | 39 | 62 | 197 | 198 | 243 | 288)) => Category::Authorization,
        (_, Some(29)) => Category::TimelyFiling,
        (_, Some(35 | 49 | 51 | 58 | 96 | 119 | 149 | 204 | 147 | 176)) => Category::NonCovered,
        (_, Some(50 | 55 | 56 | 150 | 151 | 152 | 167)) => Category::MedicalNecessity,
        (_, Some(97 | 231 | 234 | 236 | 59)) | ("B15", _) => Category::Bundled,
        (_, Some(22 | 23 | 24 | 109 | 129 | 136 | 190)) => Category::CoordinationOfBenefits,
        (_, Some(42 | 45 | 94 | 131 | 144 | 253)) => Category::Contractual,
        _ => Category::Other,
    }
}

/// The next action for a denial of `category` carried by adjustment `group`.
pub(crate) fn action(category: Category, group: Option<Group>) -> Action {
    match category {
        Category::CoordinationOfBenefits => Action::BillSecondary,
        // When the payer assigned the amount to the patient, the patient owes it.
        _ if group == Some(Group::PR) => Action::BillPatient,
        Category::MissingInformation | Category::CodingMismatch | Category::Eligibility => {
            Action::CorrectAndResubmit
        }
        Category::Authorization
        | Category::MedicalNecessity
        | Category::TimelyFiling
        | Category::Other => Action::Appeal,
        Category::PatientCostShare => Action::BillPatient,
        Category::Duplicate | Category::NonCovered | Category::Bundled | Category::Contractual => {
            Action::WriteOff
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_common_codes_to_categories() {
        assert_eq!(category("16"), Category::MissingInformation);
        assert_eq!(category(" 18 "), Category::Duplicate);
        assert_eq!(category("27"), Category::Eligibility);
        assert_eq!(category("197"), Category::Authorization);
        assert_eq!(category("29"), Category::TimelyFiling);
        assert_eq!(category("96"), Category::NonCovered);
        assert_eq!(category("97"), Category::Bundled);
        assert_eq!(category("b15"), Category::Bundled);
        assert_eq!(category("22"), Category::CoordinationOfBenefits);
        assert_eq!(category("45"), Category::Contractual);
        assert_eq!(category("1"), Category::PatientCostShare);
        assert_eq!(category("ZZ9"), Category::Other);
        assert_eq!(category(""), Category::Other);
    }

    #[test]
    fn patient_group_means_bill_patient_except_cob() {
        assert_eq!(action(Category::NonCovered, Some(Group::PR)), Action::BillPatient);
        assert_eq!(action(Category::NonCovered, Some(Group::CO)), Action::WriteOff);
        assert_eq!(
            action(Category::CoordinationOfBenefits, Some(Group::PR)),
            Action::BillSecondary
        );
        assert_eq!(
            action(Category::MissingInformation, Some(Group::CO)),
            Action::CorrectAndResubmit
        );
        assert_eq!(action(Category::TimelyFiling, Some(Group::CO)), Action::Appeal);
    }
}
