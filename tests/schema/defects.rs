//! One synthetic one-defect file per rule, found at its SNIP level and not
//! below, warnings the guide calls for, values it allows kept quiet, the CLI
//! level and loop grouping, an unknown guide, and CARC codes checked.

use super::*;

/// One-defect files: (file, rule, SNIP level, element, part of the message).
const DEFECTS: &[(&str, &str, u8, &str, &str)] = &[
    ("835_1000a_per_missing.835", "G-SEG-MISSING", 2, "", "required segment PER*BL"),
    (
        "837_2010aa_ref_ei_missing.837",
        "G-SEG-MISSING",
        2,
        "",
        "loop 2010AA (Billing Provider Name): required segment REF",
    ),
    ("837_n3_n4_in_2310a.837", "G-SEG-UNEXPECTED", 2, "", "segment N3 in loop 2310A"),
    ("837_clm06_v.837", "G-ELEM-CODE", 2, "CLM06", "\"V\" is not a code the guide allows"),
    ("837_bht02_99.837", "G-ELEM-CODE", 2, "BHT02", "\"99\" is not a code the guide allows"),
    ("837_sbr09_qq.837", "G-ELEM-CODE", 2, "SBR09", "\"QQ\" is not a code the guide allows"),
    ("837_sv103_xx.837", "G-ELEM-CODE", 2, "SV103", "\"XX\" is not a code the guide allows"),
    ("835_cas01_xx.835", "G-ELEM-CODE", 2, "CAS01", "\"XX\" is not a qualifier the guide allows"),
    ("835_clp02_9.835", "G-ELEM-CODE", 2, "CLP02", "\"9\" is not a code the guide allows"),
    ("837_ref01_not_allowed_in_2010aa.837", "G-ELEM-CODE", 2, "REF01", "expected one of EI, SY"),
    ("837_bht04_month_13.837", "G-ELEM-TYPE", 2, "BHT04", "is not a valid date"),
    ("837_date_feb_31.837", "S4-DTP-DATE", 4, "DTP03", "\"20260231\" is not a real date"),
    (
        "837_birth_after_file_date.837",
        "S4-DOB-FUTURE",
        4,
        "DMG02",
        "after the file's creation date",
    ),
    ("837_clm05_1_three_digits.837", "G-ELEM-LENGTH", 2, "CLM05-1", "\"111\" is 3 long"),
    ("837_ein_8_digits.837", "G-EIN", 2, "REF02", "has 8 digit(s)"),
    ("837_lx_out_of_order.837", "S4-LX-ORDER", 4, "LX01", "LX01 is \"2\", expected 1"),
    ("837_st03_gs08_mismatch.837", "G-VERSION-MISMATCH", 1, "ST03", "differs from GS08"),
    ("837_unknown_guide.837", "G-GUIDE-UNKNOWN", 1, "ST03/GS08", "\"005010X999A1\""),
    ("837_place_of_service_30.837", "S5-CODE", 5, "CLM05-1", "not in the place of service codes"),
    ("837_state_zz.837", "S5-STATE", 5, "N402", "\"ZZ\" is not a US state"),
    ("837_icd10_unknown_code.837", "S5-ICD10", 5, "HI01-2", "\"Z9999\" is not an ICD-10-CM code"),
    ("837_hcpcs_bad_shape.837", "S5-HCPCS", 5, "SV101-2", "\"9921\" is not shaped like"),
    (
        "837_2310b_missing_rendering_differs.837",
        "S4-2310B",
        4,
        "",
        "no rendering provider loop 2310B, but all 1 service line(s) name the same rendering provider in 2420A",
    ),
];

#[test]
fn each_defect_gives_its_finding_at_its_level_and_not_below() {
    for &(file, rule, snip, element, message) in DEFECTS {
        let bytes = read(&format!("x12/bad/{file}"));
        let report = validate_with(file, &bytes, &Options::default());
        let hit = report.findings.iter().find(|f| f.rule == rule);
        let Some(f) = hit else { panic!("{file}: no {rule} in {:#?}", report.findings) };
        assert_eq!(f.snip, snip, "{file}: {f}");
        assert_eq!(f.element, element, "{file}: {f}");
        assert!(f.to_string().contains(message), "{file}: {f}");
        assert!(f.is_error(), "{file}: {f}");
        assert!(!report.is_valid(), "{file}");
        // Nothing else is wrong with the file: its only errors are this rule's.
        let others: Vec<String> = report
            .findings
            .iter()
            .filter(|g| g.is_error() && g.rule != rule)
            .map(|g| g.to_string())
            .collect();
        assert!(others.is_empty(), "{file}: {others:#?}");
        // Below the rule's level the file is valid.
        if snip > 1 {
            let opts = Options { level: snip - 1, ..Options::default() };
            let below = validate_with(file, &bytes, &opts);
            assert!(below.is_valid(), "{file} at level {}: {:#?}", snip - 1, below.findings);
        }
    }
}

#[test]
fn a_five_digit_billing_zip_is_a_warning() {
    let bytes = read("x12/bad/837_billing_zip_5_digits.837");
    let report = validate_with("zip", &bytes, &Options::default());
    let f = report.findings.iter().find(|f| f.rule == "G-ZIP9").expect("G-ZIP9");
    assert!(!f.is_error());
    assert_eq!((f.snip, f.loop_id, f.element.as_str()), (2, "2010AA", "N403"));
    assert!(f.to_string().contains("N403 \"62701\" should be a 9-digit ZIP+4"), "{f}");
}

#[test]
fn a_2310b_naming_the_billing_provider_is_a_warning() {
    let bytes = read("x12/bad/837_2310b_same_as_billing.837");
    let report = validate_with("2310b", &bytes, &Options::default());
    let f = report.findings.iter().find(|f| f.rule == "S4-2310B").expect("S4-2310B");
    assert!(!f.is_error());
    assert_eq!((f.snip, f.loop_id, f.element.as_str()), (4, "2310B", "NM109"));
    assert!(f.to_string().contains("NM109 is the billing provider's (2010AA)"), "{f}");
    assert!(report.is_valid(), "{:#?}", report.findings);
    let below = validate_with("2310b", &bytes, &Options { level: 3, ..Options::default() });
    assert!(!below.findings.iter().any(|f| f.rule == "S4-2310B"));
}

#[test]
fn rendering_providers_the_guide_allows_stay_quiet() {
    let bad = String::from_utf8(read("x12/bad/837_2310b_missing_rendering_differs.837")).unwrap();
    let quiet = |text: &str, why: &str| {
        let report = validate_with(why, text.as_bytes(), &Options::default());
        assert!(
            !report.findings.iter().any(|f| f.rule == "S4-2310B"),
            "{why}: {:#?}",
            report.findings
        );
        assert!(report.is_valid(), "{why}: {:#?}", report.findings);
    };
    // A second line (100.00) after the first, with or without its own 2420A.
    let second = |nm1: &str, segments: usize| {
        let line = format!("LX*2~\nSV1*HC:99213*100*UN*1***1~\nDTP*472*D8*20261120~\n{nm1}");
        bad.replace("SE*21*", &format!("{line}SE*{}*", 21 + segments))
            .replace("CLM*DEMO-1*150*", "CLM*DEMO-1*250*")
    };
    // Line 2 is the billing provider's: the claim's rendering provider is.
    quiet(&second("", 3), "one line of two");
    // The lines name different rendering providers.
    quiet(&second("NM1*82*1*DEMO*OTHER****XX*1245319599~\n", 4), "two providers");
    // The line names the billing provider.
    quiet(&bad.replace("XX*1679576722", "XX*1234567893"), "the billing provider");
    // 2310B is sent.
    let claim = bad
        .replace("HI*ABK:E119~\n", "HI*ABK:E119~\nNM1*82*1*DEMO*RENDER****XX*1679576722~\n")
        .replace("SE*21*", "SE*22*");
    quiet(&claim, "2310B sent");
    // The error itself, for the two-line claim whose lines agree.
    let both = second("NM1*82*1*DEMO*RENDER****XX*1679576722~\n", 4);
    let report = validate_with("both", both.as_bytes(), &Options::default());
    let f = report.findings.iter().find(|f| f.rule == "S4-2310B").expect("S4-2310B");
    assert!(f.to_string().contains("all 2 service line(s)"), "{f}");
}

#[test]
fn values_the_guide_allows_stay_quiet() {
    let good = String::from_utf8(read("x12/good/minimal.837")).unwrap();
    // SBR09 ZZ is "mutually defined": a code of the guide's list.
    let zz = good.replace("SBR*P*18*******CI~", "SBR*P*18*******ZZ~");
    let report = validate_with("zz", zz.as_bytes(), &Options::default());
    assert!(report.is_valid(), "{:#?}", report.findings);
    // A 29 February of a leap year is a date.
    let leap = good.replace("DTP*472*D8*20261120", "DTP*472*D8*20240229");
    let report = validate_with("leap", leap.as_bytes(), &Options::default());
    assert!(report.is_valid(), "{:#?}", report.findings);
}

#[test]
fn cli_level_transaction_and_grouping_by_loop() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/bad/837_clm06_v.837");
    let out = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let at = stdout.find("loop 2300\n").expect(&stdout);
    assert!(stdout[at..].contains("\n  ") && stdout.contains("[G-ELEM-CODE]"), "{stdout}");
    assert!(stdout.contains(": note: licensed code lists not loaded"), "{stdout}");
    let out = claimflow(dir.path()).args(["validate", "--level", "1", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let out = claimflow(dir.path()).args(["--json", "validate", &f]).output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f0 = v[0]["findings"].as_array().unwrap().iter().find(|f| f["rule"] == "G-ELEM-CODE");
    let f0 = f0.unwrap();
    assert_eq!(f0["snip"], 2);
    assert_eq!(f0["loop_id"], "2300");
    assert_eq!(f0["element"], "CLM06");
    assert_eq!(f0["expected"], "one of N, Y");
    assert_eq!(f0["found"], "V");
    // A bare set (no ISA/GS) is checked against the guide it is said to be.
    let bare = fixture("x12/bad/bare_st_no_envelope.835");
    let out = claimflow(dir.path())
        .args(["--json", "validate", "--transaction", "835", &bare])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> =
        v[0]["findings"].as_array().unwrap().iter().filter_map(|f| f["rule"].as_str()).collect();
    assert!(rules.iter().any(|r| r.starts_with("G-")), "{rules:?}");
    assert!(!rules.contains(&"G-GUIDE-UNKNOWN"), "{rules:?}");
    let out =
        claimflow(dir.path()).args(["validate", "--transaction", "834", &bare]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("[G-GUIDE-UNKNOWN]"));
}

#[test]
fn unknown_guide_is_one_error_and_envelopes_are_still_checked() {
    let text = String::from_utf8(read("x12/bad/837_unknown_guide.837")).unwrap();
    let text = text.replace("SE*20*0001", "SE*21*0001");
    let report = validate_with("u", text.as_bytes(), &Options::default());
    let rules: Vec<&str> = report.findings.iter().map(|f| f.rule).collect();
    assert_eq!(rules.iter().filter(|r| **r == "G-GUIDE-UNKNOWN").count(), 1, "{rules:?}");
    assert!(rules.contains(&"X12-SE01"), "{rules:?}");
    assert!(!report.is_valid());
}

#[test]
fn carc_codes_are_checked_against_the_users_list_or_noted_once() {
    let remit = read("x12/good/minimal.835");
    let report = validate_with("r", &remit, &Options::default());
    assert!(report.not_checked.is_empty(), "{}", report.not_checked);
    let remit = read("x12/good/two_interchanges_back_to_back.835");
    let report = validate_with("r", &remit, &Options::default());
    assert!(report.not_checked.contains("CARC"), "{}", report.not_checked);
    assert!(report.is_valid());
    let dir = tempfile::tempdir().unwrap();
    // The 835's adjustments are CO-45 and PR-2; the list knows 45 only.
    std::fs::write(
        dir.path().join("carc.csv"),
        "carc,description,start,stop\n45,Made-up text,20000101,\n",
    )
    .unwrap();
    let codes = CodeSets::with_dir(dir.path()).unwrap();
    let opts = Options { codes, ..Options::default() };
    let report = validate_with("r", &remit, &opts);
    let carc: Vec<String> =
        report.findings.iter().filter(|f| f.rule == "S5-CARC").map(|f| f.to_string()).collect();
    assert_eq!(carc.len(), 2, "{carc:#?}"); // one per interchange
    assert!(carc[0].contains("CAS02 \"2\""), "{carc:?}");
    assert!(!report.not_checked.contains("CARC"), "{}", report.not_checked);
}
