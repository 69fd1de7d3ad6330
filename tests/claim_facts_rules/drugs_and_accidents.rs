//! The drug (NDC) and accident rules.

use super::*;

/// A J3301 line with an NDC; `extra` sets its quantity and unit.
fn drug_line(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut v = vec![("procedure", "J3301"), ("ndc", "00003029305")];
    v.extend_from_slice(extra);
    v
}

#[test]
fn ndc_needs_its_quantity() {
    // The NDC is on the claim's second row: the finding names that row.
    let rows = [row(&[]), row(&drug_line(&[("ndc_unit", "ML")]))];
    assert_only(
        &scrub_rows(&rows),
        "E-NDC-002",
        E,
        3,
        "ndc_quantity",
        "ndc is given but ndc_quantity is empty: give the quantity of the drug in its own unit (e.g. 1 for one 1 mL vial with ndc_unit ML), not the HCPCS units",
    );
    assert_only(
        &scrub_one(&drug_line(&[("ndc_quantity", "0"), ("ndc_unit", "ML")])),
        "E-NDC-002",
        E,
        2,
        "ndc_quantity",
        "ndc_quantity 0 must be greater than 0",
    );
    assert_only(
        &scrub_one(&drug_line(&[("ndc_quantity", "1.0005"), ("ndc_unit", "ML")])),
        "E-NDC-002",
        E,
        2,
        "ndc_quantity",
        "ndc_quantity 1.0005 has more than 3 decimals",
    );
}

#[test]
fn ndc_unit_is_one_of_five() {
    assert_only(
        &scrub_one(&drug_line(&[("ndc_quantity", "10"), ("ndc_unit", "MG")])),
        "E-NDC-003",
        E,
        2,
        "ndc_unit",
        "ndc_unit \"MG\" must be F2 (international unit), GR (gram), ME (milligram), ML (millilitre) or UN (unit)",
    );
    assert_only(
        &scrub_one(&drug_line(&[("ndc_quantity", "10")])),
        "E-NDC-003",
        E,
        2,
        "ndc_unit",
        "ndc is given but ndc_unit is empty: F2 (international unit), GR (gram), ME (milligram), ML (millilitre) or UN (unit)",
    );
}

#[test]
fn ndc_quantity_without_ndc_is_ignored_with_a_warning() {
    assert_only(
        &scrub_one(&[("ndc_quantity", "1"), ("ndc_unit", "ML")]),
        "W-NDC-001",
        W,
        2,
        "ndc_quantity",
        "ndc_quantity and ndc_unit describe an NDC, and the line has none: ignored",
    );
}

#[test]
fn auto_accident_needs_its_state() {
    assert_only(
        &scrub_one(&[("related_cause", "AA"), ("accident_date", "2026-02-27")]),
        "E-ACC-001",
        E,
        2,
        "accident_state",
        "related_cause AA (auto accident) needs accident_state, the state where it happened",
    );
    assert_only(
        &scrub_one(&[
            ("related_cause", "AA"),
            ("accident_state", "ZZ"),
            ("accident_date", "2026-02-27"),
        ]),
        "E-STATE-001",
        E,
        2,
        "accident_state",
        "accident_state \"ZZ\" is not a USPS state code",
    );
}

#[test]
fn accident_needs_its_date() {
    assert_only(
        &scrub_one(&[("related_cause", "OA")]),
        "E-ACC-002",
        E,
        2,
        "accident_date",
        "related_cause AA or OA (an accident) needs accident_date",
    );
    assert_only(
        &scrub_one(&[("related_cause", "AA"), ("accident_state", "IL")]),
        "E-ACC-002",
        E,
        2,
        "accident_date",
        "related_cause AA or OA (an accident) needs accident_date",
    );
    assert_only(
        &scrub_one(&[("related_cause", "OA"), ("accident_date", "2026-03-03")]),
        "E-ACC-002",
        E,
        2,
        "accident_date",
        "accident_date is after the first date of service 2026-03-02",
    );
    // Employment alone needs neither.
    assert!(scrub_one(&[("related_cause", "EM")]).is_empty());
}

#[test]
fn related_cause_codes() {
    assert_only(
        &scrub_one(&[("related_cause", "XX")]),
        "E-ACC-003",
        E,
        2,
        "related_cause",
        "related_cause \"XX\" must be AA (auto accident), EM (employment) or OA (other accident)",
    );
    assert_only(
        &scrub_one(&[("related_cause", "EM;EM")]),
        "E-ACC-003",
        E,
        2,
        "related_cause",
        "related_cause lists the same cause twice",
    );
    let three =
        [("related_cause", "AA;EM;OA"), ("accident_state", "IL"), ("accident_date", "2026-02-27")];
    assert_only(
        &scrub_one(&three),
        "E-ACC-003",
        E,
        2,
        "related_cause",
        "related_cause lists 3 causes; CLM11 holds at most two, separated by ;",
    );
}

#[test]
fn accident_facts_without_their_cause_are_ignored_with_a_warning() {
    assert_only(
        &scrub_one(&[
            ("related_cause", "OA"),
            ("accident_state", "IL"),
            ("accident_date", "2026-02-27"),
        ]),
        "W-ACC-001",
        W,
        2,
        "accident_state",
        "accident_state is only sent for an auto accident (related_cause AA): ignored",
    );
    assert_only(
        &scrub_one(&[("accident_date", "2026-02-27")]),
        "W-ACC-001",
        W,
        2,
        "accident_date",
        "accident_date is only sent for an accident (related_cause AA or OA): ignored",
    );
}

#[test]
fn ndc_quantity_that_is_not_a_number() {
    assert_only(
        &scrub_one(&drug_line(&[("ndc_quantity", "1 vial"), ("ndc_unit", "ML")])),
        "E-NUM-001",
        E,
        2,
        "ndc_quantity",
        "ndc_quantity \"1 vial\" is not a plain number (digits and one optional dot)",
    );
}
