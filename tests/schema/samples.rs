//! No false positives: the valid public samples and every 837 the suite
//! writes have no guide errors.

use super::*;

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
