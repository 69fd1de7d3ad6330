//! The guide schema and `validate` by SNIP level: one synthetic one-defect
//! file per rule (`fixtures/x12/bad/`), no false positives on valid public
//! samples and on every 837 the suite writes, and the schema walker agreeing
//! with the hand-written readers on loop boundaries.

use std::path::{Path, PathBuf};

use claimflow::codeset::CodeSets;
use claimflow::validate::{validate_with, Options};

use crate::util::{claimflow, fixture, root};

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

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

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

/// Public samples whose content breaks a rule of their guide, with the rule:
/// left out of the no-false-positive test (each finding was checked against
/// the guide by hand).
const SAMPLE_DEFECTS: &[(&str, &str)] = &[
    ("277ca-accepted-a1-a2-from-imsweb.txt", "2200C without its required STC"),
    ("277ca-clearinghouse-some-claims-rejected", "required element empty"),
    ("277ca-masked-real-x9-status-from-oopfactory", "masked values outside the code lists"),
    ("277ca-payer-multi-provider", "TRN*2 in 2200C, HL04 0 where the map wants 1"),
    ("277ca-rejected-a7-pipe-component", "2200C without its required STC"),
    ("835-crlf-terminator-plus-element-prose-header", "no PER*BL in 1000A"),
    ("835-nebraska-medicaid-3-interchanges-masked", "masked segments out of place, unbalanced"),
    ("835-reversals-clp02-22-denials-isa00401-gs08-5010", "GS08 005010 names no guide"),
    ("835-uhc-legacy-component-gt", "N402 NP is no state"),
    ("837i-", "837I examples: 5-digit billing ZIP, CLM06 sent though not used"),
    ("837p-cob-claim-billing-provider-to-payer-b", "N403 3111 is no ZIP"),
    ("837p-header-only-no-claim", "an 837 without a billing provider"),
    ("837p-medicaid-5-claims-masked", "masked codes, unbalanced claims"),
    ("837p-oxygen-dme-cr3-pwk", "PWK02 AD is a 4010 code"),
    ("837p-two-st-in-one-gs-bom-indented", "SBR08 sent though not used, DMG in 2320"),
    ("837p-wheelchair-dme", "PWK02 AD is a 4010 code"),
    ("999-minimal-gs08-005010-for-270", "GS08 005010 names no guide"),
    ("277-x212-claim-status-response", "a segment the X212 map does not place"),
];

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("CLAIMFLOW_SAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/x12-samples"));
    dir.is_dir().then_some(dir)
}

/// The samples `fixtures/corpus-expected.tsv` records as valid.
fn valid_samples(dir: &Path) -> Vec<PathBuf> {
    let table = std::fs::read_to_string(root().join("fixtures/corpus-expected.tsv")).unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let file = cols.next()?;
            (cols.next()? == "valid").then(|| dir.join(file))
        })
        .filter(|p| p.exists())
        .collect()
}

#[test]
fn valid_public_samples_have_no_guide_errors() {
    let Some(dir) = samples() else { return };
    let mut checked = 0;
    let mut wrong = Vec::new();
    for path in valid_samples(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if SAMPLE_DEFECTS.iter().any(|(prefix, _)| name.starts_with(prefix)) {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let report = validate_with(&name, &bytes, &Options::default());
        let errors: Vec<String> =
            report.findings.iter().filter(|f| f.is_error()).map(|f| f.to_string()).collect();
        if !errors.is_empty() {
            wrong.push(format!("{name}: {errors:#?}"));
        }
        checked += 1;
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert!(checked >= 25, "only {checked} samples checked");
}

#[test]
fn every_837_the_suite_writes_has_no_guide_errors() {
    // The demo build here, plus whatever the other tests kept so far.
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args([
            "build",
            &fixture("encounters/demo.csv"),
            "--config",
            &fixture("claimflow.toml"),
            "--out",
            "out",
            "--ledger",
            "out/claimflow.db",
            "--now",
            "2026-11-27",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "x12"))
        .collect();
    assert_eq!(files.len(), 1);
    if let Some(kept) = std::env::var_os("CLAIMFLOW_TEST_OUTPUT") {
        if let Ok(entries) = std::fs::read_dir(PathBuf::from(kept).join("837")) {
            files.extend(entries.flatten().map(|e| e.path()));
        }
    }
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        let report = validate_with(&path.display().to_string(), &bytes, &Options::default());
        let errors: Vec<String> = report
            .findings
            .iter()
            // Property tests keep 837s of random codes (not ICD-10-CM or
            // HCPCS codes): SNIP 5 is about the input's codes.
            .filter(|f| f.is_error() && f.snip < 5)
            .map(|f| f.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}

/// 837P and 835 files: fixtures and the public samples.
fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["x12/good", "835"] {
        for e in std::fs::read_dir(root().join("fixtures").join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                files.push(e.path());
            }
        }
    }
    if let Some(dir) = samples() {
        for sub in ["837p", "835"] {
            for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_schema_and_the_readers_agree_on_loop_boundaries() {
    let opts = Options { level: 2, loops: true, ..Options::default() };
    let mut compared = 0;
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let report = validate_with(&name, &bytes, &opts);
        let scan = claimflow::x12::scan(&bytes);
        let sets: Vec<_> = scan.sets().map(|(_, _, s)| s).collect();
        // Only sets with a guide have loop trees; they come in set order.
        let trees: Vec<_> = report.loops.iter().filter(|t| !t.is_empty()).collect();
        let with_guide: Vec<_> = sets
            .iter()
            .zip(&report.loops)
            .filter(|(_, t)| !t.is_empty())
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(trees.len(), with_guide.len());
        let all_placed = |id: &str| {
            sets.iter().filter(|s| s.id == id).count()
                == with_guide.iter().filter(|s| s.id == id).count()
        };
        // 837: the claim spans of the 837 reader are the 2300 loops.
        let spans = claimflow::edi837::claim_spans(&bytes);
        let mut schema_claims = Vec::new();
        for (set, tree) in with_guide.iter().zip(&trees) {
            if set.id != "837" {
                continue;
            }
            for l in tree.iter().filter(|l| l.id == "2300") {
                let first = l.start.segment - set.pos.segment + 1;
                let last = l.last_segment - set.pos.segment + 1;
                schema_claims.push((first, last));
            }
        }
        if !schema_claims.is_empty() && all_placed("837") {
            let reader: Vec<(u32, u32)> = spans.iter().map(|s| (s.first, s.last)).collect();
            assert_eq!(schema_claims, reader, "{name}: 2300 loops vs claim spans");
            compared += 1;
        }
        // 835: the claim payments of the 835 reader start the 2100 loops.
        let read = claimflow::edi835::read_file(&bytes);
        let reader: Vec<u32> =
            read.remittances.iter().flat_map(|r| r.claims.iter().map(|c| c.pos.segment)).collect();
        let schema: Vec<u32> = with_guide
            .iter()
            .zip(&trees)
            .filter(|(s, _)| s.id == "835")
            .flat_map(|(_, t)| t.iter().filter(|l| l.id == "2100").map(|l| l.start.segment))
            .collect();
        if !schema.is_empty() && all_placed("835") {
            assert_eq!(schema, reader, "{name}: 2100 loops vs claim payments");
            compared += 1;
        }
    }
    assert!(compared >= 4, "only {compared} files compared");
}

#[test]
fn parse_loops_prints_the_loop_tree() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/good/minimal.837");
    let out = claimflow(dir.path()).args(["parse", "--loops", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v[0].as_array().unwrap().iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "ST_LOOP", "1000A", "1000B", "2000A", "2010AA", "2000B", "2010BA", "2010BB", "2300",
            "2400"
        ]
    );
    let clm = v[0].as_array().unwrap().iter().find(|l| l["id"] == "2300").unwrap();
    assert_eq!(clm["depth"], 3);
    assert_eq!(clm["start"]["segment"], 17);
}

#[test]
fn eligibility_and_claim_status_samples_are_placed_in_their_loops() {
    let Some(dir) = samples() else { return };
    let opts = Options { loops: true, ..Options::default() };
    let mut checked = 0;
    for (sub, claim_level) in [("270", "2100C"), ("271", "2100C"), ("276", "2100D")] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in entries.flatten() {
            let name = e.path().display().to_string();
            if name.contains("-error-") {
                continue; // an AAA rejection with SE02 != ST02: an envelope defect
            }
            let bytes = std::fs::read(e.path()).unwrap();
            let report = validate_with(&name, &bytes, &opts);
            let errors: Vec<String> =
                report.findings.iter().filter(|f| f.is_error()).map(|f| f.to_string()).collect();
            assert!(errors.is_empty(), "{name}: {errors:#?}");
            let ids: Vec<&str> = report.loops.iter().flatten().map(|l| l.id).collect();
            for want in ["2000A", "2100A", "2000B", "2100B", claim_level] {
                assert!(ids.contains(&want), "{name}: no loop {want} in {ids:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} samples");
}
