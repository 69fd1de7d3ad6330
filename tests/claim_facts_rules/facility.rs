//! The service facility rules: the place of service, the columns, ZIP, NPI
//! and state.

use super::*;

#[test]
fn facility_place_of_service_without_facility_columns() {
    let found = scrub_one(&[("place_of_service", "31")]);
    assert_only(
        &found,
        "E-FAC-001",
        E,
        2,
        "facility_name",
        "place_of_service 31 (Skilled Nursing Facility) is a facility: give where the service was rendered (facility_name, facility_npi, facility_address1, facility_city, facility_state, facility_zip) for loop 2310C",
    );
    // An office or the patient's home needs no facility.
    for pos in ["11", "12", "02"] {
        assert!(scrub_one(&[("place_of_service", pos)]).is_empty(), "{pos}");
    }
}

#[test]
fn facility_columns_incomplete() {
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "22"), ("facility_city", "")]);
    assert_only(
        &scrub_one(&given),
        "E-FAC-002",
        E,
        2,
        "facility_city",
        "facility_city is empty: the service facility (loop 2310C) needs its name, address, city, state and ZIP, and its NPI at this place of service",
    );
    // At a hospital the NPI is needed too; elsewhere (a school) it is not.
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "21"), ("facility_npi", "")]);
    assert_only(
        &scrub_one(&given),
        "E-FAC-002",
        E,
        2,
        "facility_npi",
        "facility_npi is empty: the service facility (loop 2310C) needs its name, address, city, state and ZIP, and its NPI at this place of service",
    );
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "03"), ("facility_npi", "")]);
    assert!(scrub_one(&given).is_empty());
}

#[test]
fn facility_zip_must_have_nine_digits() {
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "22"), ("facility_zip", "62704")]);
    assert_only(
        &scrub_one(&given),
        "E-FAC-003",
        E,
        2,
        "facility_zip",
        "facility_zip must be 9 digits (ZIP+4) for the service facility",
    );
}

#[test]
fn facility_npi_check_digit() {
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "22"), ("facility_npi", "1679576723")]);
    assert_only(
        &scrub_one(&given),
        "E-NPI-004",
        E,
        2,
        "facility_npi",
        "service facility NPI \"1679576723\" is not a valid NPI (10 digits starting 1 or 2, check digit must match)",
    );
}

#[test]
fn facility_state_is_a_usps_code() {
    let mut given = FACILITY.to_vec();
    given.extend([("place_of_service", "22"), ("facility_state", "XX")]);
    assert_only(
        &scrub_one(&given),
        "E-STATE-001",
        E,
        2,
        "facility_state",
        "facility_state \"XX\" is not a USPS state code",
    );
}
