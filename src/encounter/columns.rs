//! The canonical encounter columns (`docs/encounter-input.md`): names,
//! level (claim or line), whether the header is required, and whether the
//! values are PHI (never echoed in messages).
//!
//! This is only the table; reading is in `encounter`, mapping in `layout`.

/// Whether a column carries a claim-level value (same on every row of a
/// claim) or a line-level one.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    /// Repeated on every row of a claim.
    Claim,
    /// One value per service line.
    Line,
}

/// One canonical column.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// Canonical name, lower case.
    pub(crate) name: &'static str,
    /// Claim or line level (checked against [`CLAIM_LEVEL`] by the tests).
    #[cfg(test)]
    pub(crate) level: Level,
    /// The header must be present (or, with a layout, mapped or defaulted).
    pub(crate) required: bool,
    /// Values are protected health information: never put them in messages.
    pub(crate) phi: bool,
}

macro_rules! columns {
    ($($var:ident $name:literal $level:ident $req:literal $phi:literal;)*) => {
        /// A canonical column, as an index into `COLUMNS`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[allow(missing_docs)]
        pub enum Col { $($var),* }

        /// Every canonical column, in [`Col`] order.
        pub(crate) const COLUMNS: &[Spec] = &[
            $(Spec {
                name: $name,
                #[cfg(test)]
                level: Level::$level,
                required: $req,
                phi: $phi,
            }),*
        ];

        /// Every [`Col`], in order.
        pub(crate) const ALL: &[Col] = &[$(Col::$var),*];
    };
}

columns! {
    ClaimId "claim_id" Claim true false;
    BillingNpi "billing_npi" Claim true false;
    PayerId "payer_id" Claim true false;
    MemberId "member_id" Claim true true;
    GroupNumber "group_number" Claim false true;
    SubscriberLast "subscriber_last" Claim true true;
    SubscriberFirst "subscriber_first" Claim true true;
    SubscriberMiddle "subscriber_middle" Claim false true;
    SubscriberDob "subscriber_dob" Claim true true;
    SubscriberSex "subscriber_sex" Claim true false;
    SubscriberAddress1 "subscriber_address1" Claim true true;
    SubscriberAddress2 "subscriber_address2" Claim false true;
    SubscriberCity "subscriber_city" Claim true true;
    SubscriberState "subscriber_state" Claim true false;
    SubscriberZip "subscriber_zip" Claim true true;
    Relationship "relationship" Claim false false;
    PatientLast "patient_last" Claim false true;
    PatientFirst "patient_first" Claim false true;
    PatientMiddle "patient_middle" Claim false true;
    PatientDob "patient_dob" Claim false true;
    PatientSex "patient_sex" Claim false false;
    PatientAddress1 "patient_address1" Claim false true;
    PatientAddress2 "patient_address2" Claim false true;
    PatientCity "patient_city" Claim false true;
    PatientState "patient_state" Claim false false;
    PatientZip "patient_zip" Claim false true;
    PlaceOfService "place_of_service" Claim true false;
    Frequency "frequency" Claim false false;
    OriginalRef "original_ref" Claim false false;
    PriorAuth "prior_auth" Claim false false;
    OnsetDate "onset_date" Claim false true;
    RenderingNpi "rendering_npi" Claim false false;
    RenderingLast "rendering_last" Claim false false;
    RenderingFirst "rendering_first" Claim false false;
    ReferringNpi "referring_npi" Claim false false;
    ReferringLast "referring_last" Claim false false;
    ReferringFirst "referring_first" Claim false false;
    Dx1 "dx1" Claim true false;
    Dx2 "dx2" Claim false false;
    Dx3 "dx3" Claim false false;
    Dx4 "dx4" Claim false false;
    Dx5 "dx5" Claim false false;
    Dx6 "dx6" Claim false false;
    Dx7 "dx7" Claim false false;
    Dx8 "dx8" Claim false false;
    Dx9 "dx9" Claim false false;
    Dx10 "dx10" Claim false false;
    Dx11 "dx11" Claim false false;
    Dx12 "dx12" Claim false false;
    ClaimTotal "claim_total" Claim false false;
    SecondaryPayerId "secondary_payer_id" Claim false false;
    SecondaryMemberId "secondary_member_id" Claim false true;
    SecondaryGroupNumber "secondary_group_number" Claim false true;
    SecondaryInsuranceType "secondary_insurance_type" Claim false false;
    SecondaryRelationship "secondary_relationship" Claim false false;
    SecondarySubscriberLast "secondary_subscriber_last" Claim false true;
    SecondarySubscriberFirst "secondary_subscriber_first" Claim false true;
    SecondarySubscriberMiddle "secondary_subscriber_middle" Claim false true;
    SecondarySubscriberDob "secondary_subscriber_dob" Claim false true;
    SecondarySubscriberSex "secondary_subscriber_sex" Claim false false;
    SecondarySubscriberAddress1 "secondary_subscriber_address1" Claim false true;
    SecondarySubscriberAddress2 "secondary_subscriber_address2" Claim false true;
    SecondarySubscriberCity "secondary_subscriber_city" Claim false true;
    SecondarySubscriberState "secondary_subscriber_state" Claim false false;
    SecondarySubscriberZip "secondary_subscriber_zip" Claim false true;
    FacilityName "facility_name" Claim false false;
    FacilityNpi "facility_npi" Claim false false;
    FacilityAddress1 "facility_address1" Claim false false;
    FacilityAddress2 "facility_address2" Claim false false;
    FacilityCity "facility_city" Claim false false;
    FacilityState "facility_state" Claim false false;
    FacilityZip "facility_zip" Claim false false;
    SupervisingNpi "supervising_npi" Claim false false;
    SupervisingLast "supervising_last" Claim false false;
    SupervisingFirst "supervising_first" Claim false false;
    RelatedCause "related_cause" Claim false false;
    AccidentState "accident_state" Claim false false;
    AccidentDate "accident_date" Claim false true;
    DelayReason "delay_reason" Claim false false;
    PatientPaid "patient_paid" Claim false false;
    ClaimNote "claim_note" Claim false true;
    LineId "line_id" Line false false;
    ServiceDate "service_date" Line true false;
    ServiceDateEnd "service_date_end" Line false false;
    Procedure "procedure" Line true false;
    Modifier1 "modifier1" Line false false;
    Modifier2 "modifier2" Line false false;
    Modifier3 "modifier3" Line false false;
    Modifier4 "modifier4" Line false false;
    Units "units" Line true false;
    Unit "unit" Line false false;
    Charge "charge" Line true false;
    DxPointers "dx_pointers" Line true false;
    Ndc "ndc" Line false false;
    NdcQuantity "ndc_quantity" Line false false;
    NdcUnit "ndc_unit" Line false false;
    ServiceType "service_type" Line false false;
}

/// The twelve diagnosis columns in order.
pub(crate) const DX: [Col; 12] = [
    Col::Dx1,
    Col::Dx2,
    Col::Dx3,
    Col::Dx4,
    Col::Dx5,
    Col::Dx6,
    Col::Dx7,
    Col::Dx8,
    Col::Dx9,
    Col::Dx10,
    Col::Dx11,
    Col::Dx12,
];

/// The four modifier columns in order.
pub(crate) const MODIFIERS: [Col; 4] =
    [Col::Modifier1, Col::Modifier2, Col::Modifier3, Col::Modifier4];

/// Number of claim-level columns (they come first in [`COLUMNS`]).
pub(crate) const CLAIM_LEVEL: usize = Col::LineId as usize;

impl Col {
    /// The canonical column name.
    pub fn name(self) -> &'static str {
        COLUMNS[self as usize].name
    }

    /// The column's spec.
    pub(crate) fn spec(self) -> &'static Spec {
        &COLUMNS[self as usize]
    }

    /// The column with this canonical name (case-insensitive, trimmed).
    pub(crate) fn from_name(name: &str) -> Option<Col> {
        let n = name.trim();
        ALL.iter().copied().find(|c| c.name().eq_ignore_ascii_case(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_level_columns_come_first() {
        assert!(ALL
            .iter()
            .all(|c| (c.spec().level == Level::Claim) == ((*c as usize) < CLAIM_LEVEL)));
        assert_eq!(Col::from_name(" Service_Date "), Some(Col::ServiceDate));
        assert_eq!(ALL.len(), COLUMNS.len());
    }
}
