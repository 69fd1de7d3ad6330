//! Other coverage on a claim (coordination of benefits): the other payers a
//! claim names (837P loops 2320, 2330A and 2330B) and, once another payer has
//! adjudicated the claim, what it paid and adjusted, claim-level (2320 CAS
//! and AMT) and per line (2430 SVD, CAS, DTP*573).
//!
//! These are plain data, like the rest of the model: reading them from the
//! encounter export is `encounter`, checking them is `scrub`, writing and
//! balancing them is `edi837::cob`, and building a claim to a secondary payer
//! from the primary's 835 is `secondary`.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::{Payer, Person, Relationship};

/// True for a CARC saying that another payer covers the amount
/// (coordination of benefits: 19-21 work injury, liability or no-fault
/// carrier, 22 another payer first, 23 what prior payers covered, 109 not
/// this payer's claim, 209 not the patient's but a later payer's): money a
/// later payer may owe, never the patient's or a write-off.
pub fn other_payer_reason(carc: &str) -> bool {
    matches!(carc.trim(), "19" | "20" | "21" | "22" | "23" | "109" | "209")
}

/// The other payer's place in the order of payers (2320 SBR01).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Responsibility {
    /// `P`: the other payer pays first (the claim goes to a secondary).
    Primary,
    /// `S`: the other payer pays after the claim's own payer.
    #[default]
    Secondary,
    /// `T`: the other payer pays third.
    Tertiary,
}

impl Responsibility {
    /// The SBR01 payer responsibility code (`P`, `S`, `T`).
    pub fn code(self) -> &'static str {
        match self {
            Responsibility::Primary => "P",
            Responsibility::Secondary => "S",
            Responsibility::Tertiary => "T",
        }
    }

    /// Parses `P`, `S` or `T` (trimmed, case-insensitive).
    pub fn from_code(s: &str) -> Option<Responsibility> {
        match s.trim().to_ascii_uppercase().as_str() {
            "P" => Some(Responsibility::Primary),
            "S" => Some(Responsibility::Secondary),
            "T" => Some(Responsibility::Tertiary),
            _ => None,
        }
    }
}

/// One adjustment an other payer made (a CAS group/reason/amount triple).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adjustment {
    /// CAS01 claim adjustment group code: `CO`, `PR`, `OA`, `PI` (or `CR`).
    pub group: String,
    /// CAS02/05/... claim adjustment reason code (CARC).
    pub reason: String,
    /// CAS03/06/... amount (positive reduces what was paid).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub amount: Decimal,
    /// CAS04/07/... quantity, when the payer gave one.
    pub quantity: Option<Decimal>,
}

/// Another payer of the claim (one 2320 loop with its 2330A and 2330B).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OtherPayer {
    /// 2320 SBR01: where this payer stands in the order of payers.
    pub responsibility: Responsibility,
    /// 2320 SBR02: the patient's relationship to this payer's subscriber.
    pub relationship: Relationship,
    /// 2320 SBR03: group number of this coverage.
    pub group_number: Option<String>,
    /// 2330B payer id and name, and 2320 SBR09 claim filing indicator.
    pub payer: Payer,
    /// 2330A NM109 member id (qualifier MI).
    pub member_id: String,
    /// 2330A subscriber of this coverage: name, and N3/N4 address. Date of
    /// birth and sex are kept when the export gives them (2330A has no DMG;
    /// they are checked by scrub, and written only where the subscriber is
    /// the patient of a claim to this payer).
    pub subscriber: Person,
    /// 2320 AMT*D: what this payer paid on the claim (when it adjudicated it).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub paid: Option<Decimal>,
    /// 2320 CAS: this payer's claim-level adjustments.
    pub adjustments: Vec<Adjustment>,
    /// 2320 AMT*EAF: remaining patient liability, sent here only when the
    /// payer gave claim-level information alone (no 2430 lines).
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub remaining_patient_liability: Option<Decimal>,
    /// 2330B DTP*573: the date this payer adjudicated the claim.
    pub adjudication_date: Option<NaiveDate>,
    /// 2330B REF*F8: this payer's claim control number (835 CLP07).
    pub claim_number: Option<String>,
    /// 2320 SBR05 insurance type code as given (`secondary_insurance_type`):
    /// why Medicare pays after the claim's payer. `None` takes the default
    /// of [`OtherPayer::insurance_type_code`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_type: Option<String>,
}

/// The insurance type codes (SBR05) that say why Medicare is not the
/// primary payer: 12 working aged beneficiary or spouse with an employer
/// group health plan, 13 end-stage renal disease with an employer group
/// health plan, 14 no-fault insurance, 15 workers' compensation, 16 public
/// health service or other federal agency, 41 black lung, 42 veterans
/// affairs, 43 disabled beneficiary under 65 with a large group health
/// plan, 47 other liability insurance.
pub const MEDICARE_SECONDARY_TYPES: [&str; 9] =
    ["12", "13", "14", "15", "16", "41", "42", "43", "47"];

/// True for a Medicare claim filing indicator (`MA` Part A, `MB` Part B).
pub fn is_medicare(filing_indicator: &str) -> bool {
    matches!(filing_indicator.trim(), "MA" | "MB")
}

/// The insurance type code sent when none is given: from the primary
/// payer's filing indicator (`WC` workers' compensation 15, `AM` auto
/// medical 14, `LM` liability medical 47, `VA` veterans affairs 42), else
/// from the beneficiary's age on the first date of service: under 65 is 43
/// (disabled, large group health plan), otherwise (or not known) 12 (working
/// aged, employer group health plan).
pub fn default_insurance_type(
    primary_filing_indicator: &str,
    beneficiary_dob: Option<NaiveDate>,
    first_service_date: Option<NaiveDate>,
) -> &'static str {
    match primary_filing_indicator.trim() {
        "WC" => "15",
        "AM" => "14",
        "LM" => "47",
        "VA" => "42",
        _ => {
            let under_65 = match (beneficiary_dob, first_service_date) {
                (Some(dob), Some(dos)) => {
                    dob.checked_add_months(chrono::Months::new(65 * 12)).is_some_and(|d| d > dos)
                }
                _ => false,
            };
            if under_65 {
                "43"
            } else {
                "12"
            }
        }
    }
}

impl OtherPayer {
    /// 2320 SBR05 of this payer on `claim`: when it is Medicare and not the
    /// primary payer, the code given, else [`default_insurance_type`] from
    /// the claim's payer (the primary) and this coverage's subscriber (the
    /// beneficiary); `None` otherwise (not sent).
    pub fn insurance_type_code<'a>(&'a self, claim: &super::Claim) -> Option<&'a str> {
        if !is_medicare(&self.payer.filing_indicator)
            || self.responsibility == Responsibility::Primary
        {
            return None;
        }
        if let Some(t) = self.insurance_type.as_deref() {
            return Some(t);
        }
        Some(default_insurance_type(
            &claim.payer.filing_indicator,
            self.subscriber.dob,
            claim.first_service_date(),
        ))
    }

    /// True when this payer has adjudicated the claim (AMT*D is known).
    pub fn has_adjudicated(&self) -> bool {
        self.paid.is_some()
    }
}

/// What another payer did with one service line (loop 2430).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineAdjudication {
    /// SVD01: the other payer's id (2330B NM109 of the payer it belongs to).
    pub payer_id: String,
    /// SVD02: amount that payer paid on the line.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
    /// SVD03-2: the procedure as adjudicated.
    pub procedure: String,
    /// SVD03-3..6: its modifiers.
    pub modifiers: Vec<String>,
    /// SVD05: paid units of service.
    pub units: Decimal,
    /// CAS: the line's adjustments.
    pub adjustments: Vec<Adjustment>,
    /// DTP*573: the date the payer adjudicated the line.
    pub date: Option<NaiveDate>,
    /// AMT*EAF: remaining patient liability on the line.
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub remaining_patient_liability: Option<Decimal>,
}
