//! The parties of a claim: addresses, people (subscriber, patient), the
//! billing provider, the payer, referenced providers and the service
//! facility, with their X12 codes (sex, relationship, entity type). Nothing
//! here reads or writes X12; the claim itself is in `claim`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A postal address (loop N3/N4).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// N301 street line.
    pub line1: String,
    /// N302 second street line, when given.
    pub line2: Option<String>,
    /// N401 city.
    pub city: String,
    /// N402 two-letter state or province code.
    pub state: String,
    /// N403 ZIP: 5 or 9 digits, no dash.
    pub zip: String,
}

/// Administrative sex (DMG03).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Sex {
    /// `M`
    Male,
    /// `F`
    Female,
    /// `U`
    Unknown,
}

impl Sex {
    /// The X12 code (`M`, `F`, `U`).
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unknown => "U",
        }
    }

    /// Parses `M`/`F`/`U` (case-insensitive, trimmed).
    pub fn from_code(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            "U" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

/// A person: subscriber or patient (loops 2010BA, 2010CA).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    /// NM103 last name.
    pub last: String,
    /// NM104 first name.
    pub first: String,
    /// NM105 middle name or initial.
    pub middle: Option<String>,
    /// DMG02 date of birth.
    pub dob: Option<NaiveDate>,
    /// DMG03 sex.
    pub sex: Option<Sex>,
    /// N3/N4 address.
    pub address: Address,
}

/// Patient's relationship to the subscriber (SBR02 / PAT01).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Relationship {
    /// The patient is the subscriber (SBR02 = 18).
    #[serde(rename = "self")]
    #[default]
    SelfInsured,
    /// Spouse (PAT01 = 01).
    Spouse,
    /// Child (PAT01 = 19).
    Child,
    /// Other (PAT01 = G8).
    Other,
}

impl Relationship {
    /// Parses the encounter CSV word (`self`, `spouse`, `child`, `other`) or
    /// the X12 individual relationship code (18, 01, 19, G8).
    pub fn parse(s: &str) -> Option<Relationship> {
        match s.trim().to_ascii_lowercase().as_str() {
            "" | "self" | "18" => Some(Relationship::SelfInsured),
            "spouse" | "01" => Some(Relationship::Spouse),
            "child" | "19" => Some(Relationship::Child),
            "other" | "g8" => Some(Relationship::Other),
            _ => None,
        }
    }

    /// The X12 individual relationship code.
    pub fn code(self) -> &'static str {
        match self {
            Relationship::SelfInsured => "18",
            Relationship::Spouse => "01",
            Relationship::Child => "19",
            Relationship::Other => "G8",
        }
    }

    /// The encounter CSV word.
    pub fn word(self) -> &'static str {
        match self {
            Relationship::SelfInsured => "self",
            Relationship::Spouse => "spouse",
            Relationship::Child => "child",
            Relationship::Other => "other",
        }
    }
}

/// The billing provider (loop 2010AA), an organization.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingProvider {
    /// NM109 NPI (10 digits).
    pub npi: String,
    /// NM102: an organization (the default) or a person (a sole
    /// practitioner billing under their own NPI).
    pub entity: Entity,
    /// NM103: the organization's name, or the person's last name.
    pub name: String,
    /// NM104: the person's first name (empty for an organization).
    pub first_name: String,
    /// REF*EI employer identification number, 9 digits, no dash.
    pub tax_id: String,
    /// PRV*BI taxonomy code, when given.
    pub taxonomy: Option<String>,
    /// N3/N4 address (ZIP must be 9 digits; a street address, never a PO
    /// or lock box).
    pub address: Address,
    /// Loop 2010AB pay-to address, when payments go elsewhere than `address`.
    pub pay_to: Option<Address>,
}

/// Whether a billing provider is an organization or a person (NM102).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Entity {
    /// NM102 `2`: a group, clinic or other organization.
    #[default]
    Organization,
    /// NM102 `1`: a person.
    Person,
}

impl Entity {
    /// The NM102 entity type qualifier: `2` or `1`.
    pub fn code(self) -> &'static str {
        match self {
            Entity::Organization => "2",
            Entity::Person => "1",
        }
    }
}

/// A payer (loop 2010BB) and its filing indicator (SBR09).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payer {
    /// NM109 payer id (qualifier PI).
    pub id: String,
    /// NM103 payer name.
    pub name: String,
    /// SBR09 claim filing indicator, e.g. `CI`, `MB`.
    pub filing_indicator: String,
}

/// A person provider named on a claim (2310A referring, 2310B rendering,
/// 2310D supervising).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderRef {
    /// NM109 NPI.
    pub npi: String,
    /// NM103 last name.
    pub last: String,
    /// NM104 first name.
    pub first: String,
}

/// The service facility location (loop 2310C): where the service was
/// rendered when that is not the billing provider's address (a hospital,
/// a nursing facility).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facility {
    /// NM103 facility name.
    pub name: String,
    /// NM109 facility NPI (qualifier XX); empty when the facility has none.
    pub npi: String,
    /// N3/N4 address (ZIP 9 digits).
    pub address: Address,
}
