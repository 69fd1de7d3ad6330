//! One test per rule: start from a clean claim, break one thing, expect the
//! rule's id (and only error findings the break explains).

use rust_decimal::Decimal;

use super::*;
use crate::claim::{Frequency, ProviderRef, Relationship, Sex};
use crate::encounter;
use crate::finding::Severity;

const CONFIG: &str = include_str!("../../../fixtures/claimflow.toml");

const HEADER: &str = "claim_id,billing_npi,payer_id,member_id,subscriber_last,subscriber_first,subscriber_dob,subscriber_sex,subscriber_address1,subscriber_city,subscriber_state,subscriber_zip,relationship,patient_last,patient_first,patient_dob,patient_sex,patient_address1,patient_city,patient_state,patient_zip,place_of_service,rendering_npi,rendering_last,rendering_first,referring_npi,referring_last,referring_first,dx1,dx2,service_date,procedure,modifier1,units,charge,dx_pointers,ndc,ndc_quantity,ndc_unit";

/// A clean two-line claim for a dependent, with rendering and referring
/// providers, a modifier and an NDC.
fn clean() -> Claim {
    let rows = [
        "T1,1234567893,DEMOPAYER1,MEM001,Roe,Ann,1980-02-03,F,1 Elm St,Springfield,IL,62701,child,Roe,Kid,2015-06-07,M,1 Elm St,Springfield,IL,62701,11,1245319599,Smith,Pat,1679576722,Jones,Lee,J45.909,Z23,2026-03-02,99213,25,1,120.00,1 2,,,",
        "T1,1234567893,DEMOPAYER1,MEM001,Roe,Ann,1980-02-03,F,1 Elm St,Springfield,IL,62701,child,Roe,Kid,2015-06-07,M,1 Elm St,Springfield,IL,62701,11,1245319599,Smith,Pat,1679576722,Jones,Lee,J45.909,Z23,2026-03-02,J3301,,2,30.50,1,0009-0279-01,1,ML",
    ];
    let text = format!("{HEADER}\n{}\n", rows.join("\n"));
    let mut enc = encounter::read_bytes("t.csv", text.into_bytes(), None).unwrap();
    assert!(enc.findings.is_empty(), "{:?}", enc.findings);
    let mut claims = std::mem::take(&mut enc.claims);
    crate::scrub::resolve(&mut claims, &config());
    claims.pop().unwrap()
}

fn config() -> Config {
    Config::parse(CONFIG, "claimflow.toml").unwrap()
}

fn now() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap().and_hms_opt(9, 0, 0).unwrap()
}

fn run(c: &Claim, cfg: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    check_claim(c, &Ctx::new(cfg, now(), CodeSets::shipped()), &mut out);
    out
}

#[test]
fn clean_claim_has_no_findings() {
    let c = clean();
    assert_eq!(c.lines[1].ndc.as_deref(), Some("00009027901"));
    assert_eq!(c.relationship, Relationship::Child);
    assert!(run(&c, &config()).is_empty(), "{:#?}", run(&c, &config()));
}

/// `rule_test!(name, "ID", |claim, config| { break something })`: the
/// finding `ID` appears with the rule's severity, and no other error does
/// unless listed.
macro_rules! rule_test {
    ($name:ident, $id:literal, |$c:ident, $cfg:ident| $body:block) => {
        rule_test!($name, $id, [], |$c, $cfg| $body);
    };
    ($name:ident, $id:literal, [$($also:literal),*], |$c:ident, $cfg:ident| $body:block) => {
        #[test]
        fn $name() {
            #[allow(unused_mut)]
            let mut $c = clean();
            #[allow(unused_mut)]
            let mut $cfg = config();
            $body
            let found = run(&$c, &$cfg);
            let r = rule($id).expect("rule in catalogue");
            assert!(
                found.iter().any(|f| f.rule == $id && f.severity == r.severity && !f.message.is_empty()),
                "expected {} in {:#?}", $id, found
            );
            let allowed: &[&str] = &[$id, $($also),*];
            let other: Vec<_> = found.iter().filter(|f| f.is_error() && !allowed.contains(&f.rule)).collect();
            assert!(other.is_empty(), "unexpected: {other:#?}");
            assert!(found.iter().all(|f| f.claim_id == $c.claim_id && f.file == "t.csv" && f.row >= 2));
        }
    };
}

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

// Codes.
rule_test!(icd_syntax, "E-ICD-001", |c, _cfg| {
    c.diagnoses[1] = "Z2.3".into();
});
rule_test!(icd_unknown_in_release, "E-ICD-002", |c, _cfg| {
    c.diagnoses[1] = "Z999".into();
});
rule_test!(icd_not_billable, "E-ICD-003", |c, _cfg| {
    c.diagnoses[0] = "J45".into();
});
rule_test!(icd_missing, "E-ICD-004", ["E-PTR-001"], |c, _cfg| {
    c.diagnoses.clear();
});
rule_test!(icd_release_not_covering_date, "W-ICD-001", |c, _cfg| {
    c.lines[1].service_date = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap();
});
rule_test!(at_most_twelve_diagnoses, "E-ICD-006", |c, _cfg| {
    c.diagnoses = [
        "J45909", "Z23", "E119", "I10", "R519", "E785", "K219", "F419", "N390", "J029", "L309",
        "B349", "D649",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
});
rule_test!(diagnosis_repeated, "W-ICD-002", |c, _cfg| {
    c.diagnoses.push("Z23".into());
});
rule_test!(at_most_four_modifiers, "E-MOD-002", |c, _cfg| {
    c.lines[0].modifiers = vec!["25".into(), "59".into(), "LT".into(), "XS".into(), "GT".into()];
});
rule_test!(pointer_repeated, "E-PTR-004", |c, _cfg| {
    c.lines[0].dx_pointers = vec![1, 2, 1];
});
rule_test!(procedure_shape, "E-CPT-001", |c, _cfg| {
    c.lines[0].procedure = "9921".into();
});
rule_test!(procedure_missing, "E-CPT-001", |c, _cfg| {
    c.lines[0].procedure = String::new();
});
rule_test!(modifier_shape, "E-MOD-001", |c, _cfg| {
    c.lines[0].modifiers = vec!["2".into()];
});
rule_test!(place_of_service_listed, "E-POS-001", |c, _cfg| {
    c.place_of_service = "30".into();
});
rule_test!(ndc_eleven_digits, "E-NDC-001", |c, _cfg| {
    c.lines[1].ndc = Some("0009027901".into());
});

// Lines.
rule_test!(no_lines, "E-LINE-002", |c, _cfg| {
    c.lines.clear();
});
rule_test!(at_most_fifty_lines, "E-LINE-001", |c, _cfg| {
    let base = c.lines[0].clone();
    c.lines = (0..51)
        .map(|i| {
            let mut l = base.clone();
            l.line_id = (i + 1).to_string();
            l.service_date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(i);
            l
        })
        .collect();
});
rule_test!(charge_positive, "E-CHG-001", |c, _cfg| {
    c.lines[0].charge = Decimal::ZERO;
});
rule_test!(money_two_decimals, "E-CHG-002", |c, _cfg| {
    c.lines[0].charge = Decimal::new(12_345, 3);
});
rule_test!(units_positive, "E-UNT-001", |c, _cfg| {
    c.lines[0].units = Decimal::new(-1, 0);
});
rule_test!(units_three_decimals, "E-UNT-002", |c, _cfg| {
    c.lines[0].units = Decimal::new(15_001, 4);
});
rule_test!(service_date_not_future, "E-DOS-001", |c, _cfg| {
    c.lines[0].service_date = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
});
rule_test!(service_date_not_before_dob, "E-DOS-002", |c, _cfg| {
    c.patient.as_mut().unwrap().dob = NaiveDate::from_ymd_opt(2026, 3, 3);
});
rule_test!(service_date_end_after_start, "E-DOS-003", |c, _cfg| {
    c.lines[0].service_date_end = NaiveDate::from_ymd_opt(2026, 3, 1);
});
rule_test!(pointer_targets_exist, "E-PTR-001", |c, _cfg| {
    c.lines[0].dx_pointers = vec![1, 3];
});
rule_test!(pointer_zero, "E-PTR-001", |c, _cfg| {
    c.lines[0].dx_pointers = vec![0];
});
rule_test!(pointer_needed, "E-PTR-002", |c, _cfg| {
    c.lines[0].dx_pointers.clear();
});
rule_test!(at_most_four_pointers, "E-PTR-002", |c, _cfg| {
    c.diagnoses = vec!["J45909".into(), "Z23".into(), "E119".into(), "I10".into(), "R519".into()];
    c.lines[0].dx_pointers = vec![1, 2, 3, 4, 5];
});
rule_test!(duplicate_lines, "E-DUP-001", |c, _cfg| {
    let mut l = c.lines[0].clone();
    l.line_id = "9".into();
    l.row = 4;
    c.lines.push(l);
});
rule_test!(duplicate_lines_modifiers_in_any_order, "E-DUP-001", |c, _cfg| {
    c.lines[0].modifiers = vec!["25".into(), "59".into()];
    let mut l = c.lines[0].clone();
    l.line_id = "9".into();
    l.row = 4;
    l.modifiers = vec!["59".into(), "25".into()];
    c.lines.push(l);
});
rule_test!(duplicate_lines_on_an_oversized_claim, "E-DUP-001", ["E-LINE-001"], |c, _cfg| {
    let base = c.lines[0].clone();
    c.lines = (0..120)
        .map(|i| {
            let mut l = base.clone();
            l.line_id = (i + 1).to_string();
            l.row = i + 2;
            l.service_date =
                NaiveDate::from_ymd_opt(2025, 12, 1).unwrap() + chrono::Days::new(i.min(100));
            l
        })
        .collect();
});
#[test]
fn lines_that_differ_only_by_ndc_are_not_duplicates() {
    // One drug from two NDCs on one day: one line per NDC, as CMS and
    // Medicaid require; the same NDC twice is still a duplicate.
    let mut c = clean();
    let mut l = c.lines[1].clone();
    l.line_id = "9".into();
    l.row = 4;
    l.ndc = Some("00009027902".into());
    c.lines.push(l.clone());
    let f = run(&c, &config());
    assert!(f.iter().all(|f| f.rule != "E-DUP-001"), "{f:#?}");
    l.line_id = "10".into();
    l.row = 5;
    c.lines.push(l);
    let f = run(&c, &config());
    assert_eq!(f.iter().filter(|f| f.rule == "E-DUP-001").map(|f| f.row).collect::<Vec<_>>(), [5]);
    // The same on an oversized claim, which keys lines in a map.
    let base = c.lines[1].clone();
    c.lines = (0..120u64)
        .map(|i| {
            let mut l = base.clone();
            l.line_id = (i + 1).to_string();
            l.row = i + 2;
            l.ndc = Some(format!("{:011}", 9_027_900 + i));
            l
        })
        .collect();
    let f = run(&c, &config());
    assert!(f.iter().all(|f| f.rule != "E-DUP-001"), "{f:#?}");
}
rule_test!(unit_is_un_or_mj, "E-UNT-003", |c, _cfg| {
    c.lines[0].unit = Some("MIN".into());
});
rule_test!(anesthesia_in_units, "E-ANES-001", |c, _cfg| {
    c.lines[0].procedure = "00790".into();
    c.lines[0].unit = Some("UN".into());
});
rule_test!(anesthesia_minutes_whole, "E-ANES-002", |c, _cfg| {
    c.lines[0].procedure = "00790".into();
    c.lines[0].units = Decimal::new(455, 1);
});
rule_test!(minutes_on_a_code_not_anesthesia, "W-ANES-001", |c, _cfg| {
    c.lines[0].unit = Some("MJ".into());
});

#[test]
fn anesthesia_codes_default_to_minutes() {
    let mut c = clean();
    for (code, unit) in [("00100", "MJ"), ("01999", "MJ"), ("00099", "UN"), ("02000", "UN")] {
        c.lines[0].procedure = code.into();
        assert_eq!(c.lines[0].unit_code(), unit, "{code}");
    }
    // 90 minutes of anesthesia with no unit given: sent in minutes, clean.
    c.lines[0].procedure = "00790".into();
    c.lines[0].units = Decimal::new(90, 0);
    let f = run(&c, &config());
    assert!(f.is_empty(), "{f:#?}");
}
rule_test!(line_id_unique, "E-LID-001", |c, _cfg| {
    c.lines[1].line_id = c.lines[0].line_id.clone();
});
rule_test!(claim_total_is_sum, "E-TOT-001", |c, _cfg| {
    c.stated_total = Some(Decimal::new(15000, 2));
});

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

#[test]
fn boundaries_that_pass() {
    let mut c = clean();
    // Exactly at the payer's limit (365 days) is on time.
    c.lines[0].service_date = NaiveDate::from_ymd_opt(2025, 11, 27).unwrap();
    c.lines[0].units = Decimal::new(1_125, 3);
    c.stated_total = Some(Decimal::new(15050, 2));
    c.frequency = Frequency::Replacement;
    c.original_ref = Some("PAYERCCN1".into());
    c.lines[1].procedure = "J1745".into();
    c.prior_auth = Some("AUTH1".into());
    c.subscriber.sex = Some(Sex::Unknown);
    let f = run(&c, &config());
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn uncovered_date_still_checks_covered_dates() {
    let mut c = clean();
    c.lines[1].service_date = NaiveDate::from_ymd_opt(2026, 10, 2).unwrap();
    c.diagnoses[1] = "Z999".into();
    let f = run(&c, &config());
    assert!(f.iter().any(|f| f.rule == "W-ICD-001" && f.message.contains("2026-10-02")), "{f:#?}");
    assert!(f.iter().any(|f| f.rule == "E-ICD-002"), "{f:#?}");
}

#[test]
fn messages_carry_no_phi() {
    let mut c = clean();
    c.subscriber.last = "Ro*e".into();
    c.subscriber.dob = NaiveDate::from_ymd_opt(2027, 1, 1);
    c.member_id = String::new();
    for f in run(&c, &config()) {
        assert!(!f.message.contains("Ro*e") && !f.message.contains("2027-01-01"), "{}", f.message);
    }
}

#[test]
fn catalogue_ids_are_unique_and_reader_ids_listed() {
    let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    ids.sort_unstable();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n);
    use crate::encounter::rule as r;
    for (id, sev) in [
        (r::ROW_DISAGREES, Severity::Error),
        (r::NO_CLAIM_ID, Severity::Error),
        (r::FIELD_COUNT, Severity::Error),
        (r::NOT_UTF8, Severity::Error),
        (r::UNKNOWN_COLUMNS, Severity::Warning),
        (r::BAD_DATE, Severity::Error),
        (r::BAD_NUMBER, Severity::Error),
        (r::LINE_VALUE_MISSING, Severity::Error),
        (r::BAD_SEX, Severity::Error),
        (r::BAD_RELATIONSHIP, Severity::Error),
        (r::PATIENT_IGNORED, Severity::Warning),
        (r::SECONDARY_SUBSCRIBER_IGNORED, Severity::Warning),
        (r::BAD_FREQUENCY, Severity::Error),
        (r::DX_GAP, Severity::Error),
        (r::BAD_POINTER, Severity::Error),
        (r::ACCIDENT_IGNORED, Severity::Warning),
        (r::NDC_FACTS_IGNORED, Severity::Warning),
    ] {
        assert_eq!(rule(id).map(|r| r.severity), Some(sev), "{id}");
    }
}

#[test]
fn every_rule_is_documented_and_tested() {
    let readme = include_str!("../../../docs/scrub-rules.md");
    let tests = [
        include_str!("tests.rs"),
        include_str!("../../encounter/tests.rs"),
        include_str!("../../../tests/check.rs"),
        include_str!("../../../tests/build.rs"),
        include_str!("../../../tests/claim_facts_rules/mod.rs"),
        include_str!("../../../tests/claim_facts_rules/facility.rs"),
        include_str!("../../../tests/claim_facts_rules/drugs_and_accidents.rs"),
        include_str!("../../../tests/ack/mod.rs"),
        include_str!("../../../tests/ack/claim_status.rs"),
        include_str!("../../../tests/ack/interchange.rs"),
        include_str!("../../../tests/ack/resend.rs"),
        include_str!("../../../tests/ncci.rs"),
        include_str!("../../../tests/eligibility/mod.rs"),
        include_str!("../../../tests/eligibility/claim_status.rs"),
        include_str!("../../../tests/eligibility/coverage_rules.rs"),
    ];
    for r in RULES {
        assert!(
            readme.contains(&format!("`{}`", r.id)),
            "{} missing from the rule table in docs/scrub-rules.md",
            r.id
        );
        let quoted = format!("\"{}\"", r.id);
        // This test's own mention does not count: look for the id in a test.
        let uses = tests.iter().map(|t| t.matches(&quoted).count()).sum::<usize>();
        assert!(uses >= 1, "{} has no test", r.id);
    }
}

#[test]
fn split_keeps_input_order_on_both_sides() {
    let mut claims = Vec::new();
    for id in ["a", "B1", "c", "B2", "B3", "d", "e", "B4"] {
        let mut c = clean();
        c.claim_id = id.into();
        claims.push(c);
    }
    let findings: Vec<Finding> = ["B3", "B1", "B4", "B2", "c"]
        .iter()
        .map(|id| {
            let severity = if *id == "c" { Severity::Warning } else { Severity::Error };
            Finding::new("E-MEM-001", severity, "").in_file("t.csv").at_row(2, "").for_claim(*id)
        })
        .collect();
    let (clean, held) = crate::scrub::split(claims, &findings);
    let ids = |v: &[Claim]| v.iter().map(|c| c.claim_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&clean), ["a", "c", "d", "e"]);
    assert_eq!(ids(&held), ["B1", "B2", "B3", "B4"]);
}
