//! The claim domain model: what a professional claim is, independent of how
//! it was read (encounter CSV, 837P file) or how it is written (837P).
//!
//! Values here are owned and typed: money is [`Decimal`], dates are
//! [`NaiveDate`]. The model does not validate business rules (that is
//! `scrub`) and knows nothing of X12 delimiters or loops (that is `edi837`).
//! Each claim remembers where it came from ([`Source`]) so findings can name
//! the file and rows.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

mod action;
mod cob;
pub mod denial;
mod npi;
mod party;
mod payer;
mod status;
pub mod stc;

pub use action::Action;
pub use cob::{
    default_insurance_type, is_medicare, other_payer_reason, Adjustment, LineAdjudication,
    OtherPayer, Responsibility, MEDICARE_SECONDARY_TYPES,
};
pub(crate) use npi::is_valid_npi;
pub use party::{
    Address, BillingProvider, Entity, Facility, Payer, Person, ProviderRef, Relationship, Sex,
};
pub use payer::PayerNames;
pub use status::ClaimStatus;

/// Where a claim came from: the input file and the 1-based rows (header = row 1).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The input file as named on the command line.
    pub file: String,
    /// Every row of the claim, 1-based, header = row 1, in input order.
    pub rows: Vec<u64>,
}

/// Claim frequency (CLM05-3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Frequency {
    /// 1: original claim.
    Original,
    /// 7: replacement of a prior claim.
    Replacement,
    /// 8: void / cancel of a prior claim.
    Void,
}

impl Frequency {
    /// The X12 code (`1`, `7`, `8`).
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Original => "1",
            Frequency::Replacement => "7",
            Frequency::Void => "8",
        }
    }

    /// Parses `1`, `7` or `8` (empty = original).
    pub fn from_code(s: &str) -> Option<Frequency> {
        match s.trim() {
            "" | "1" => Some(Frequency::Original),
            "7" => Some(Frequency::Replacement),
            "8" => Some(Frequency::Void),
            _ => None,
        }
    }
}

/// One service line (loop 2400).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLine {
    /// REF*6R line item control number (unique within the claim).
    pub line_id: String,
    /// DTP*472 first (or only) date of service.
    pub service_date: NaiveDate,
    /// DTP*472 RD8 last date, when the line spans days.
    pub service_date_end: Option<NaiveDate>,
    /// SV101-2 procedure code (CPT or HCPCS Level II).
    pub procedure: String,
    /// SV101-3..6 modifiers (0 to 4, 2 characters each).
    pub modifiers: Vec<String>,
    /// SV104 quantity, positive, up to 3 decimals: units, or minutes of
    /// anesthesia time (see [`ServiceLine::unit_code`]).
    pub units: Decimal,
    /// SV103 unit of measure as given (`UN` units, `MJ` minutes); `None`
    /// takes the procedure's default ([`ServiceLine::unit_code`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// SV102 line charge, positive.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub charge: Decimal,
    /// SV107 diagnosis pointers, 1-based into [`Claim::diagnoses`] (1 to 4).
    pub dx_pointers: Vec<u8>,
    /// LIN*N4 National Drug Code, 11 digits without dashes.
    pub ndc: Option<String>,
    /// 2430: what other payers did with this line (a claim to a secondary
    /// payer carries the primary's adjudication here). Empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub adjudications: Vec<LineAdjudication>,
    /// CTP04 drug quantity in the NDC's own unit (not the HCPCS units),
    /// when an NDC is given.
    #[serde(default)]
    pub ndc_quantity: Option<Decimal>,
    /// CTP05-1 unit of the drug quantity: `F2` international unit, `GR`
    /// gram, `ME` milligram, `ML` millilitre, `UN` unit.
    #[serde(default)]
    pub ndc_unit: Option<String>,
    /// The 1-based CSV row this line came from (0 when not from CSV).
    pub row: u64,
}

/// Whether a procedure code is a CPT anesthesia code (00100-01999), whose
/// time is billed in minutes.
pub fn is_anesthesia_code(code: &str) -> bool {
    code.len() == 5
        && code.bytes().all(|b| b.is_ascii_digit())
        && ("00100"..="01999").contains(&code)
}

impl ServiceLine {
    /// The SV103 unit of measure this line is sent with: the `unit` given,
    /// else `MJ` (minutes) for an anesthesia code and `UN` (units) for any
    /// other.
    pub fn unit_code(&self) -> &str {
        match self.unit.as_deref() {
            Some(u) => u,
            None => Self::default_unit(&self.procedure),
        }
    }

    /// The unit of measure a procedure code takes when none is given.
    pub fn default_unit(procedure: &str) -> &'static str {
        if is_anesthesia_code(procedure) {
            "MJ"
        } else {
            "UN"
        }
    }
}

/// One professional claim (loop 2300 and everything above it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// CLM01 patient control number (1-20 characters).
    pub claim_id: String,
    /// The billing provider (2010AA).
    pub billing: BillingProvider,
    /// The payer (2010BB).
    pub payer: Payer,
    /// 2010BA NM109 member id.
    pub member_id: String,
    /// SBR03 group number.
    pub group_number: Option<String>,
    /// The subscriber (2010BA).
    pub subscriber: Person,
    /// Patient's relationship to the subscriber.
    pub relationship: Relationship,
    /// The patient (2010CA) when not the subscriber.
    pub patient: Option<Person>,
    /// CLM05-1 place of service (2 digits).
    pub place_of_service: String,
    /// CLM05-3 frequency.
    pub frequency: Frequency,
    /// REF*F8 payer claim control number of the claim replaced or voided.
    pub original_ref: Option<String>,
    /// REF*G1 prior authorization number.
    pub prior_auth: Option<String>,
    /// DTP*431 onset of current illness.
    pub onset_date: Option<NaiveDate>,
    /// 2310B rendering provider, when not the billing provider.
    pub rendering: Option<ProviderRef>,
    /// 2310A referring provider.
    pub referring: Option<ProviderRef>,
    /// 2310C service facility location, when not the billing provider's
    /// address. Boxed, as is `supervising`: few claims have one, and every
    /// claim of an export is held in memory at once.
    #[serde(default)]
    pub facility: Option<Box<Facility>>,
    /// 2310D supervising provider.
    #[serde(default)]
    pub supervising: Option<Box<ProviderRef>>,
    /// CLM11-1 and CLM11-2 related causes, as given: `AA` auto accident,
    /// `EM` employment, `OA` other accident (0 to 2).
    #[serde(default)]
    pub related_causes: Vec<String>,
    /// CLM11-4 state of an auto accident (USPS code), sent with cause `AA`.
    #[serde(default)]
    pub accident_state: Option<String>,
    /// DTP*439 accident date, sent with cause `AA` or `OA`.
    #[serde(default)]
    pub accident_date: Option<NaiveDate>,
    /// CLM20 delay reason code (1-11 or 15), as given.
    #[serde(default)]
    pub delay_reason: Option<String>,
    /// AMT*F5 amount the patient already paid toward this claim.
    #[serde(default)]
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub patient_paid: Option<Decimal>,
    /// NTE*ADD claim note for the payer (up to 80 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// HI diagnoses, ICD-10-CM without the dot, principal first (1 to 12).
    pub diagnoses: Vec<String>,
    /// Service lines in input order (1 to 50).
    pub lines: Vec<ServiceLine>,
    /// The claim total as the input states it (encounter CSV `claim_total`
    /// column, or CLM02 of a parsed 837P), when given. `scrub` checks it
    /// equals the sum of the lines; writers use [`Claim::total_charge`].
    #[serde(default)]
    #[serde(serialize_with = "crate::numtext::json::money_opt")]
    pub stated_total: Option<Decimal>,
    /// 2320/2330A/2330B: the patient's other coverage (on a primary claim,
    /// the secondary payer; on a claim to a secondary payer, the primary
    /// with its adjudication). Empty when no other payer is known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_payers: Vec<OtherPayer>,
    /// 2000B SBR05 insurance type code as given (why Medicare pays second),
    /// on a claim to Medicare that is not its primary payer; `None` takes
    /// the default of [`Claim::insurance_type_code`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insurance_type: Option<String>,
    /// Where the claim came from.
    pub source: Source,
}

impl Claim {
    /// CLM02: the sum of the line charges.
    pub fn total_charge(&self) -> Decimal {
        self.lines.iter().map(|l| l.charge).sum()
    }

    /// 2000B SBR01 of the claim's own payer: `S` when an other payer is the
    /// primary (a coordination-of-benefits claim), `T` when other payers are
    /// primary and secondary, else `P`.
    pub fn payer_responsibility(&self) -> Responsibility {
        let has = |r| self.other_payers.iter().any(|o| o.responsibility == r);
        match (has(Responsibility::Primary), has(Responsibility::Secondary)) {
            (true, true) => Responsibility::Tertiary,
            (true, false) => Responsibility::Secondary,
            _ => Responsibility::Primary,
        }
    }

    /// 2000B SBR05: the insurance type code of a claim to Medicare (filing
    /// indicator MA or MB) that is not its primary payer (SBR01 not `P`):
    /// the one given, else [`cob::default_insurance_type`] from the primary
    /// payer's filing indicator and the subscriber's (the beneficiary's) age
    /// on the first date of service. `None` on any other claim (the guide:
    /// not sent).
    pub fn insurance_type_code(&self) -> Option<&str> {
        if !cob::is_medicare(&self.payer.filing_indicator)
            || self.payer_responsibility() == Responsibility::Primary
        {
            return None;
        }
        if let Some(t) = self.insurance_type.as_deref() {
            return Some(t);
        }
        let primary = self
            .other_payers
            .iter()
            .find(|o| o.responsibility == Responsibility::Primary)
            .map_or("", |o| o.payer.filing_indicator.as_str());
        Some(cob::default_insurance_type(primary, self.subscriber.dob, self.first_service_date()))
    }

    /// True when a related cause is an accident that needs its date
    /// (DTP*439): `AA` or `OA`.
    pub fn is_accident(&self) -> bool {
        self.related_causes.iter().any(|c| c == "AA" || c == "OA")
    }

    /// True when a related cause is an auto accident (`AA`, CLM11-4 state).
    pub fn is_auto_accident(&self) -> bool {
        self.related_causes.iter().any(|c| c == "AA")
    }

    /// The earliest date of service on the claim.
    pub fn first_service_date(&self) -> Option<NaiveDate> {
        self.lines.iter().map(|l| l.service_date).min()
    }
}
