//! Rules on identity (claim id, NPIs, configured provider and payer, EIN,
//! member id) and on people (names, dates of birth, addresses).

use super::*;

// Identity.
rule_test!(claim_id_too_long, "E-CID-001", |c, _cfg| {
    c.claim_id = "X".repeat(21);
});
rule_test!(billing_npi_check_digit, "E-NPI-001", |c, _cfg| {
    c.billing.npi = "1234567890".into();
});
rule_test!(rendering_npi_check_digit, "E-NPI-002", |c, _cfg| {
    c.rendering.as_mut().unwrap().npi = "1245319590".into();
});
rule_test!(referring_npi_check_digit, "E-NPI-003", |c, _cfg| {
    c.referring.as_mut().unwrap().npi = "2679576722".into();
});
rule_test!(unknown_billing_npi, "E-CFG-001", |c, _cfg| {
    c.billing.npi = "1497758544".into();
});
rule_test!(unknown_payer, "E-CFG-002", |c, _cfg| {
    c.payer.id = "NOPAYER".into();
});
rule_test!(ein_prefix, "E-EIN-001", |_c, cfg| {
    cfg.billing_provider[0].tax_id = "073456789".into();
});
rule_test!(ein_format, "E-EIN-001", |_c, cfg| {
    cfg.billing_provider[0].tax_id = "12345".into();
});
rule_test!(billing_zip_nine_digits, "E-ZIP-001", |_c, cfg| {
    cfg.billing_provider[0].zip = "62701".into();
});
rule_test!(billing_taxonomy_shape, "E-TAX-001", |_c, cfg| {
    cfg.billing_provider[0].taxonomy = Some("207Q0000".into());
});
rule_test!(member_id_present, "E-MEM-001", |c, _cfg| {
    c.member_id = String::new();
});

// People.
rule_test!(subscriber_name_present, "E-NAME-001", |c, _cfg| {
    c.subscriber.first = " ".into();
});
rule_test!(rendering_name_present, "E-NAME-002", |c, _cfg| {
    c.rendering =
        Some(ProviderRef { npi: "1245319599".into(), last: "Smith".into(), first: String::new() });
});
rule_test!(patient_fields_when_not_self, "E-PAT-001", |c, _cfg| {
    c.patient.as_mut().unwrap().address.city = String::new();
});
rule_test!(subscriber_dob_present, "E-DOB-001", |c, _cfg| {
    c.subscriber.dob = None;
});
rule_test!(dob_not_in_future, "E-DOB-002", ["E-DOS-002"], |c, _cfg| {
    c.patient.as_mut().unwrap().dob = NaiveDate::from_ymd_opt(2027, 1, 1);
});
rule_test!(subscriber_sex_present, "E-SEX-001", |c, _cfg| {
    c.subscriber.sex = None;
});
rule_test!(subscriber_address_present, "E-ADDR-001", |c, _cfg| {
    c.subscriber.address.line1 = String::new();
});
rule_test!(state_code_valid, "E-STATE-001", |c, _cfg| {
    c.subscriber.address.state = "XX".into();
});
rule_test!(billing_state_code_valid, "E-STATE-001", |_c, cfg| {
    cfg.billing_provider[0].state = "Il".into();
});
rule_test!(zip_five_or_nine, "E-ZIP-002", |c, _cfg| {
    c.patient.as_mut().unwrap().address.zip = "1234".into();
});
rule_test!(delimiter_in_name, "X12_DELIMITER_IN_DATA", |c, _cfg| {
    c.subscriber.last = "O*Neil".into();
});
rule_test!(delimiter_from_config, "X12_DELIMITER_IN_DATA", |c, cfg| {
    cfg.interchange.component = "-".into();
    c.subscriber.address.line1 = "1-3 Elm St".into();
});
rule_test!(delimiter_in_config_value, "X12_DELIMITER_IN_DATA", |c, _cfg| {
    c.billing.name = "Demo~Group".into();
});
rule_test!(non_ascii_character, "E-CHAR-002", |c, _cfg| {
    c.subscriber.first = "Jos\u{e9}".into();
});
rule_test!(name_too_long, "E-LEN-001", |c, _cfg| {
    c.subscriber.first = "A".repeat(36);
});
rule_test!(member_id_too_short, "E-LEN-001", |c, _cfg| {
    c.member_id = "7".into();
});
rule_test!(prior_auth_too_long, "E-LEN-001", |c, _cfg| {
    c.prior_auth = Some("9".repeat(51));
});
rule_test!(control_character, "E-CHAR-001", |c, _cfg| {
    c.subscriber.address.city = "Spring\nfield".into();
});
