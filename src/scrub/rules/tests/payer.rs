//! Payer rules (timely filing, prior auth, Medicare), secondary coverage,
//! and claim frequency.

use super::*;

// Payer rules.
rule_test!(timely_filing, "E-TF-001", |c, _cfg| {
    c.lines[0].service_date = NaiveDate::from_ymd_opt(2025, 11, 26).unwrap();
});
rule_test!(prior_auth_required, "E-PA-001", |c, _cfg| {
    c.lines[1].procedure = "J1745".into();
});
rule_test!(medicare_beneficiary_is_the_subscriber, "E-MCR-001", |c, cfg| {
    // The clean claim is a child's; make its payer a Medicare plan.
    let payer = cfg.payer.iter().find(|p| p.id == c.payer.id).unwrap().id.clone();
    cfg.payer.iter_mut().find(|p| p.id == payer).unwrap().filing_indicator = "MB".into();
});

#[test]
fn medicare_beneficiary_as_subscriber_is_clean() {
    let mut c = clean();
    let mut cfg = config();
    let payer = c.payer.id.clone();
    cfg.payer.iter_mut().find(|p| p.id == payer).unwrap().filing_indicator = "MA".into();
    c.subscriber = c.patient.take().unwrap();
    c.relationship = Relationship::SelfInsured;
    let found = run(&c, &cfg);
    assert!(found.iter().all(|f| f.rule != "E-MCR-001"), "{found:#?}");
    let mut child = clean();
    child.relationship = Relationship::Child;
    let f = run(&child, &cfg).into_iter().find(|f| f.rule == "E-MCR-001").unwrap();
    assert_eq!((f.column.as_str(), f.row), ("relationship", 2));
    assert!(f.message.contains("relationship must be self, not child"), "{}", f.message);
}
/// The clean claim with secondary coverage at DEMOSECOND (the patient is the
/// secondary subscriber).
fn with_secondary(c: &mut Claim) {
    c.other_payers = vec![crate::claim::OtherPayer {
        payer: crate::claim::Payer { id: "DEMOSECOND".into(), ..Default::default() },
        member_id: "SEC001".into(),
        subscriber: c.patient.clone().unwrap(),
        ..Default::default()
    }];
}

#[test]
fn claim_with_secondary_coverage_is_clean() {
    let mut c = clean();
    with_secondary(&mut c);
    assert!(run(&c, &config()).is_empty(), "{:#?}", run(&c, &config()));
    // Not self: the secondary subscriber is named, born and sexed.
    c.other_payers[0].relationship = Relationship::Spouse;
    assert!(run(&c, &config()).is_empty(), "{:#?}", run(&c, &config()));
}
rule_test!(secondary_payer_unknown, "E-COB-001", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id = "NOPLAN".into();
});
rule_test!(secondary_payer_is_the_primary, "E-COB-002", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id = "DEMOPAYER1".into();
});
rule_test!(secondary_member_id_missing, "E-COB-003", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].member_id.clear();
});
rule_test!(secondary_subscriber_missing_when_not_self, "E-COB-004", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].relationship = Relationship::Spouse;
    c.other_payers[0].subscriber.dob = None;
});
rule_test!(secondary_columns_without_payer, "E-COB-005", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id.clear();
});
rule_test!(secondary_member_id_with_delimiter, "X12_DELIMITER_IN_DATA", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].member_id = "SEC*1".into();
});
rule_test!(secondary_group_number_too_long, "E-LEN-001", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].group_number = Some("G".repeat(51));
});

rule_test!(medicare_secondary_insurance_type_unknown, "E-COB-006", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id = "DEMOMCARE".into();
    c.other_payers[0].insurance_type = Some("99".into());
});
rule_test!(medicare_secondary_insurance_type_defaulted, "W-COB-002", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id = "DEMOMCARE".into();
});
rule_test!(medicare_secondary_subscriber_is_the_patient, "E-MCR-002", ["W-COB-002"], |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].payer.id = "DEMOMCARE".into();
    c.other_payers[0].relationship = Relationship::Spouse;
});
rule_test!(insurance_type_for_a_secondary_not_medicare, "W-COB-003", |c, _cfg| {
    with_secondary(&mut c);
    c.other_payers[0].insurance_type = Some("12".into());
});

#[test]
fn medicare_secondary_insurance_type_default() {
    use crate::claim::default_insurance_type as d;
    let day = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd);
    let dos = day(2026, 3, 10);
    assert_eq!(d("CI", day(1961, 3, 10), dos), "12");
    assert_eq!(d("CI", day(1961, 3, 11), dos), "43");
    assert_eq!(d("CI", None, dos), "12");
    assert_eq!(d("WC", day(1990, 1, 1), dos), "15");
    assert_eq!(d("AM", None, dos), "14");
    assert_eq!(d("LM", None, dos), "47");
    assert_eq!(d("VA", None, dos), "42");
    // Given, it is sent as given; only for Medicare not primary.
    let mut c = clean();
    with_secondary(&mut c);
    let mut cfg = config();
    crate::scrub::resolve(std::slice::from_mut(&mut c), &cfg);
    assert_eq!(c.other_payers[0].insurance_type_code(&c), None);
    c.other_payers[0].payer.id = "DEMOMCARE".into();
    crate::scrub::resolve(std::slice::from_mut(&mut c), &cfg);
    // The secondary subscriber is the patient, a child: under 65.
    assert_eq!(c.other_payers[0].insurance_type_code(&c), Some("43"));
    c.other_payers[0].insurance_type = Some("13".into());
    assert_eq!(c.other_payers[0].insurance_type_code(&c), Some("13"));
    cfg.payer.iter_mut().find(|p| p.id == "DEMOPAYER1").unwrap().filing_indicator = "MB".into();
    crate::scrub::resolve(std::slice::from_mut(&mut c), &cfg);
    assert_eq!(c.insurance_type_code(), None, "a primary Medicare claim sends no SBR05");
}
rule_test!(replacement_needs_original_ref, "E-FREQ-001", |c, _cfg| {
    c.frequency = Frequency::Replacement;
});
rule_test!(void_needs_original_ref, "E-FREQ-001", |c, _cfg| {
    c.frequency = Frequency::Void;
});
