//! Rules on codes (ICD-10, procedures, modifiers, NDC) and on service lines
//! (units, charges, pointers, duplicates).

use super::*;

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
