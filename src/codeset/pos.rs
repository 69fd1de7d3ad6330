//! CMS place-of-service codes (CLM05-1).
//!
//! Transcribed from the CMS "Place of Service Code Set" list
//! (<https://www.cms.gov/medicare/coding-billing/place-of-service-codes/code-sets>),
//! public domain. Only the assigned two-digit codes; unassigned numbers in
//! the ranges CMS reserves are not accepted. Names are CMS's short names.

/// Every assigned CMS place-of-service code with its name, sorted by code.
const PLACES_OF_SERVICE: &[(&str, &str)] = &[
    ("01", "Pharmacy"),
    ("02", "Telehealth Provided Other than in Patient's Home"),
    ("03", "School"),
    ("04", "Homeless Shelter"),
    ("05", "Indian Health Service Free-standing Facility"),
    ("06", "Indian Health Service Provider-based Facility"),
    ("07", "Tribal 638 Free-standing Facility"),
    ("08", "Tribal 638 Provider-based Facility"),
    ("09", "Prison/Correctional Facility"),
    ("10", "Telehealth Provided in Patient's Home"),
    ("11", "Office"),
    ("12", "Home"),
    ("13", "Assisted Living Facility"),
    ("14", "Group Home"),
    ("15", "Mobile Unit"),
    ("16", "Temporary Lodging"),
    ("17", "Walk-in Retail Health Clinic"),
    ("18", "Place of Employment-Worksite"),
    ("19", "Off Campus-Outpatient Hospital"),
    ("20", "Urgent Care Facility"),
    ("21", "Inpatient Hospital"),
    ("22", "On Campus-Outpatient Hospital"),
    ("23", "Emergency Room - Hospital"),
    ("24", "Ambulatory Surgical Center"),
    ("25", "Birthing Center"),
    ("26", "Military Treatment Facility"),
    ("27", "Outreach Site/Street"),
    ("31", "Skilled Nursing Facility"),
    ("32", "Nursing Facility"),
    ("33", "Custodial Care Facility"),
    ("34", "Hospice"),
    ("41", "Ambulance - Land"),
    ("42", "Ambulance - Air or Water"),
    ("49", "Independent Clinic"),
    ("50", "Federally Qualified Health Center"),
    ("51", "Inpatient Psychiatric Facility"),
    ("52", "Psychiatric Facility-Partial Hospitalization"),
    ("53", "Community Mental Health Center"),
    ("54", "Intermediate Care Facility/Individuals with Intellectual Disabilities"),
    ("55", "Residential Substance Abuse Treatment Facility"),
    ("56", "Psychiatric Residential Treatment Center"),
    ("57", "Non-residential Substance Abuse Treatment Facility"),
    ("58", "Non-residential Opioid Treatment Facility"),
    ("60", "Mass Immunization Center"),
    ("61", "Comprehensive Inpatient Rehabilitation Facility"),
    ("62", "Comprehensive Outpatient Rehabilitation Facility"),
    ("65", "End-Stage Renal Disease Treatment Facility"),
    ("66", "Programs of All-Inclusive Care for the Elderly (PACE) Center"),
    ("71", "Public Health Clinic"),
    ("72", "Rural Health Clinic"),
    ("81", "Independent Laboratory"),
    ("99", "Other Place of Service"),
];

/// The CMS name of an assigned place-of-service code.
pub(crate) fn name(code: &str) -> Option<&'static str> {
    PLACES_OF_SERVICE.binary_search_by(|(c, _)| (*c).cmp(code)).ok().map(|i| PLACES_OF_SERVICE[i].1)
}

/// Bit n set: code `n` (two digits) is assigned; built from the list.
const ASSIGNED: u128 = {
    let mut bits = 0u128;
    let mut i = 0;
    while i < PLACES_OF_SERVICE.len() {
        let c = PLACES_OF_SERVICE[i].0.as_bytes();
        bits |= 1 << ((c[0] - b'0') as u32 * 10 + (c[1] - b'0') as u32);
        i += 1;
    }
    bits
};

/// True when `code` is an assigned CMS place-of-service code (a bit test:
/// `validate` asks for every claim).
pub(crate) fn is_place_of_service(code: &str) -> bool {
    match *code.as_bytes() {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => {
            ASSIGNED >> (u32::from(a - b'0') * 10 + u32::from(b - b'0')) & 1 == 1
        }
        _ => false,
    }
}

/// Places of service that are a facility the professional does not bill
/// from: hospitals (19 off-campus and 22 on-campus outpatient, 21
/// inpatient, 23 emergency room), 26 military treatment facility, 31
/// skilled nursing and 32 nursing facility, 51 and 52 psychiatric
/// facilities, 56 psychiatric residential treatment center, 61
/// comprehensive inpatient rehabilitation facility and 65 end-stage renal
/// disease treatment facility. A claim at one of them names the facility
/// in loop 2310C (payers reject it otherwise). Places that may well be the
/// practice's own address (an office, a clinic, an ambulatory surgical
/// center it owns) or the patient's (home, assisted living) are not listed.
const FACILITIES: [&str; 12] =
    ["19", "21", "22", "23", "26", "31", "32", "51", "52", "56", "61", "65"];

/// True when `code` is a place of service that needs the service facility
/// (loop 2310C): see [`FACILITIES`].
pub(crate) fn is_facility(code: &str) -> bool {
    FACILITIES.contains(&code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_sorted_and_complete() {
        assert_eq!(PLACES_OF_SERVICE.len(), 52);
        assert!(PLACES_OF_SERVICE.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(is_place_of_service("10"));
        assert!(is_place_of_service("11"));
        assert!(is_place_of_service("02"));
        assert!(!is_place_of_service("00"));
        assert!(!is_place_of_service("30"));
        assert!(!is_place_of_service("2"));
        assert!(FACILITIES.iter().all(|c| is_place_of_service(c)));
        for n in 0..1000 {
            for code in [format!("{n}"), format!("{n:02}"), format!("{n:03}")] {
                assert_eq!(is_place_of_service(&code), name(&code).is_some(), "{code}");
            }
        }
        assert!(
            !is_place_of_service("1a") && !is_place_of_service("") && !is_place_of_service("١١")
        );
        assert!(is_facility("22") && is_facility("31") && !is_facility("11") && !is_facility("12"));
    }
}
