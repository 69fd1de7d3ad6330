//! The claim facts through `claimflow build`: each claim-fact loop and
//! element in the 837P written from `fixtures/build/clean.csv` (the golden
//! file is checked in `build.rs`), the round trip export -> 837P -> claims,
//! and an export without the claim-fact columns building byte for byte its
//! fixed golden 837P.
//!
//! Every 837 produced is kept for the pyx12 oracle (`scripts/test.sh`).

use std::fs;
use std::path::Path;

use claimflow::claim::{Claim, Relationship};
use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::{clock, edi837, encounter, scrub};

use crate::util::{claimflow, fixture, keep_all_837, root};

const NOW: &str = "2025-12-01T02:00";

/// Builds `input` with the build fixtures' config and a new ledger in a
/// temp dir; returns the dir and the 837P written.
fn build(input: &str) -> (tempfile::TempDir, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    let o = claimflow(dir.path())
        .args(["build", input, "--out", "out", "--now", NOW])
        .output()
        .unwrap();
    keep_all_837(&dir.path().join("out"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let x12 = fs::read(dir.path().join("out/claims-000000001.x12")).unwrap();
    (dir, x12)
}

/// The segments of claim `id`: from its CLM to the next CLM, HL or SE.
fn claim_segments<'a>(x12: &'a str, id: &str) -> Vec<&'a str> {
    let start = format!("CLM*{id}*");
    x12.lines()
        .skip_while(|l| !l.starts_with(&start))
        .enumerate()
        .take_while(|(n, l)| *n == 0 || !["CLM*", "HL*", "SE*"].iter().any(|s| l.starts_with(s)))
        .map(|(_, l)| l)
        .collect()
}

#[test]
fn writes_each_new_loop_and_element_in_the_guides_order() {
    let (_dir, x12) = build(&fixture("build/clean.csv"));
    let x12 = String::from_utf8(x12).unwrap();
    // AMT*F5 after the 2300 dates, before the REFs; 2310B then 2310D.
    assert_eq!(
        claim_segments(&x12, "CF1001")[..5],
        [
            "CLM*CF1001*172.5***11:B:1*Y*A*Y*Y~",
            "AMT*F5*20~",
            "HI*ABK:E119*ABF:I10~",
            "NM1*82*1*RENDER*RAY****XX*1679576722~",
            "NM1*DQ*1*SUPER*VERA****XX*1245319599~",
        ]
    );
    // NTE*ADD after the REFs, before HI; the NDC line's CTP carries the drug
    // quantity and unit, not the HCPCS units (SV104 2).
    let cf1002 = claim_segments(&x12, "CF1002");
    assert_eq!(
        cf1002[..5],
        [
            "CLM*CF1002*409.7***11:B:1*Y*A*Y*Y~",
            "DTP*431*D8*20251028~",
            "REF*G1*PA55501~",
            "NTE*ADD*Corrected coding, see op note~",
            "HI*ABK:J069~",
        ]
    );
    assert!(cf1002.contains(&"SV1*HC:J3301*44.2*UN*2***1~"), "{cf1002:?}");
    assert_eq!(cf1002[cf1002.len() - 2..], ["LIN**N4*00003029328~", "CTP****1*ML~"]);
    // rendering_npi equal to the billing NPI: the organization rendered it, no 2310B.
    let cf1003 = claim_segments(&x12, "CF1003");
    assert!(!cf1003.iter().any(|s| s.starts_with("NM1*")), "{cf1003:?}");
    // CLM11 with two causes and no state (no AA), CLM20; DTP*439 for OA.
    assert_eq!(
        claim_segments(&x12, "CF1004")[..4],
        [
            "CLM*CF1004*85***11:B:7*Y*A*Y*Y**OA:EM*********7~",
            "DTP*439*D8*20251030~",
            "REF*F8*PAYERICN7788~",
            "HI*ABK:K219*ABF:E785*ABF:F419~",
        ]
    );
    // An auto accident: CLM11-4 state; 2310C after 2310B.
    assert_eq!(
        claim_segments(&x12, "CF1005")[..7],
        [
            "CLM*CF1005*160***22:B:1*Y*A*Y*Y**AA:::IN~",
            "DTP*439*D8*20251101~",
            "HI*ABK:M25561~",
            "NM1*82*1*DOC*DORA****XX*1245319599~",
            "NM1*77*2*TEST GENERAL HOSPITAL*****XX*1003000126~",
            "N3*800 Hospital Dr~",
            "N4*Peoria*IL*616020800~",
        ]
    );
    let report = claimflow::validate::validate_file("clean", x12.as_bytes());
    assert!(report.is_valid(), "{:?}", report.findings);
}

/// What the 837P carries of a claim built from an export: the subscriber's
/// address and demographics only when the subscriber is the patient, no
/// 2310B when the rendering NPI is the billing NPI, CLM02 as the stated
/// total, no rows.
fn as_carried(mut c: Claim) -> Claim {
    if c.relationship != Relationship::SelfInsured {
        c.subscriber.address = Default::default();
        c.subscriber.dob = None;
        c.subscriber.sex = None;
    }
    if c.rendering.as_ref().is_some_and(|r| r.npi == c.billing.npi) {
        c.rendering = None;
    }
    for l in &mut c.lines {
        l.row = 0;
        if l.service_date_end == Some(l.service_date) {
            l.service_date_end = None;
        }
    }
    c.source = Default::default();
    c.stated_total = Some(c.total_charge());
    c
}

/// The claims of an export as scrub passes them to the writer.
fn scrubbed(input: &Path) -> Vec<Claim> {
    let config = Config::load(&root().join("fixtures/build/claimflow.toml")).unwrap();
    let mut enc = encounter::read(input, None).unwrap();
    let now = clock::parse_now(NOW).unwrap();
    let out = scrub::run(&mut enc, &config, now, CodeSets::shipped());
    assert!(out.held.is_empty(), "{:#?}", out.findings);
    out.clean
}

#[test]
fn the_837p_reads_back_into_the_claims_the_export_gave() {
    let input = root().join("fixtures/build/clean.csv");
    let want = scrubbed(&input);
    let (_dir, x12) = build(&input.display().to_string());
    let read = edi837::read(&x12).unwrap();
    assert!(read.warnings.is_empty(), "{:?}", read.warnings);
    assert_eq!(read.claims.len(), want.len());
    for w in want.into_iter().map(as_carried) {
        let got = read.claims.iter().find(|c| c.claim_id == w.claim_id).unwrap();
        assert_eq!(got.facility, w.facility, "{}", w.claim_id);
        assert_eq!(got.supervising, w.supervising, "{}", w.claim_id);
        assert_eq!(got.related_causes, w.related_causes, "{}", w.claim_id);
        assert_eq!(got.accident_state, w.accident_state, "{}", w.claim_id);
        assert_eq!(got.accident_date, w.accident_date, "{}", w.claim_id);
        assert_eq!(got.delay_reason, w.delay_reason, "{}", w.claim_id);
        assert_eq!(got.patient_paid, w.patient_paid, "{}", w.claim_id);
        assert_eq!(got.note, w.note, "{}", w.claim_id);
        assert_eq!(got.lines, w.lines, "{}", w.claim_id);
        assert_eq!(got, &w);
    }
    // The values themselves, so a fixture edit cannot make this vacuous.
    let by_id = |id: &str| read.claims.iter().find(|c| c.claim_id == id).unwrap();
    let f = by_id("CF1005").facility.clone().unwrap();
    assert_eq!((f.name.as_str(), f.npi.as_str()), ("TEST GENERAL HOSPITAL", "1003000126"));
    assert_eq!(f.address.zip, "616020800");
    assert_eq!(by_id("CF1005").accident_state.as_deref(), Some("IN"));
    assert_eq!(by_id("CF1004").related_causes, ["OA", "EM"]);
    assert_eq!(by_id("CF1004").delay_reason.as_deref(), Some("7"));
    assert_eq!(by_id("CF1001").patient_paid, Some(rust_decimal::Decimal::new(20, 0)));
    assert_eq!(by_id("CF1001").supervising.as_ref().unwrap().npi, "1245319599");
    let drug = &by_id("CF1002").lines[2];
    assert_eq!(
        (drug.ndc_quantity.unwrap().to_string(), drug.ndc_unit.as_deref()),
        ("1".into(), Some("ML"))
    );
}

#[test]
fn the_lean_reader_sees_the_same_claims_and_lines() {
    let (_dir, x12) = build(&fixture("build/clean.csv"));
    let full = edi837::read_claims(&x12).unwrap();
    let lean = edi837::read_summaries(&x12);
    assert!(lean.findings.is_empty(), "{:?}", lean.findings);
    let lean_ids: Vec<&str> = lean.claims.iter().map(|c| c.claim_id.as_str()).collect();
    let full_ids: Vec<&str> = full.iter().map(|c| c.claim_id.as_str()).collect();
    assert_eq!(lean_ids, full_ids);
    for (s, c) in lean.claims.iter().zip(&full) {
        assert_eq!(s.payer_id, c.payer.id.as_str());
        assert_eq!(Some(s.charge), c.stated_total);
        let lines: Vec<&str> = s.lines.iter().map(|l| l.line_id.as_str()).collect();
        let want: Vec<&str> = c.lines.iter().map(|l| l.line_id.as_str()).collect();
        assert_eq!(lines, want, "{}", c.claim_id);
    }
}

/// `fixtures/build/no-claim-facts.csv` has none of the claim-fact columns
/// (facility through claim note, NDC quantity and unit);
/// `fixtures/golden/build-no-claim-facts.837` is the 837P such an export
/// builds. It is never rewritten (`UPDATE_GOLDEN` leaves it): the export
/// must keep building the same bytes.
#[test]
fn an_export_without_the_claim_fact_columns_builds_its_fixed_golden_837() {
    let (dir, got) = build(&fixture("build/no-claim-facts.csv"));
    let want = fs::read(root().join("fixtures/golden/build-no-claim-facts.837")).unwrap();
    assert!(
        got == want,
        "output differs from build-no-claim-facts.837:\n{}",
        String::from_utf8_lossy(&got)
    );
    let rejects = fs::read_to_string(dir.path().join("out/rejects.csv")).unwrap();
    assert_eq!(rejects, "claim_id,row,column,rule,severity,message\n");
}

/// An export with the `unit` column: an anesthesia line with no unit is sent
/// in minutes (SV103 `MJ`), and one drug from two NDCs on one day is two
/// lines, not a duplicate held back.
#[test]
fn anesthesia_minutes_and_one_drug_from_two_ndcs() {
    let clean = fs::read_to_string(fixture("build/clean.csv")).unwrap();
    let mut rows = clean.lines();
    let header = format!("{},unit", rows.next().unwrap());
    let drug = rows.clone().find(|r| r.contains(",L3,")).unwrap().replace("CF1002,", "CF2001,");
    let visit = rows.clone().find(|r| r.starts_with("CF1005,")).unwrap();
    let anesthesia =
        visit.replace("CF1005,", "CF2002,").replace(",99203,,,,,1,160,", ",00790,,,,,47,160,");
    assert_ne!(anesthesia, visit.replace("CF1005,", "CF2002,"));
    let csv = [
        header,
        format!("{},UN", drug.replace(",L3,", ",D1,")),
        format!("{},", drug.replace(",L3,", ",D2,").replace("00003-0293-28", "00003-0293-29")),
        format!("{anesthesia},"),
    ]
    .join("\n");
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("anesthesia.csv");
    fs::write(&input, csv + "\n").unwrap();
    let (_out, x12) = build(&input.display().to_string());
    let x12 = String::from_utf8(x12).unwrap();
    let drug_lines: Vec<&str> = claim_segments(&x12, "CF2001")
        .into_iter()
        .filter(|s| s.starts_with("SV1*") || s.starts_with("LIN*"))
        .collect();
    assert_eq!(
        drug_lines,
        [
            "SV1*HC:J3301*44.2*UN*2***1~",
            "LIN**N4*00003029328~",
            "SV1*HC:J3301*44.2*UN*2***1~",
            "LIN**N4*00003029329~"
        ]
    );
    let sv1: Vec<&str> =
        claim_segments(&x12, "CF2002").into_iter().filter(|s| s.starts_with("SV1*")).collect();
    assert_eq!(sv1, ["SV1*HC:00790*160*MJ*47***1~"]);
    let report = claimflow::validate::validate_file("anesthesia", x12.as_bytes());
    assert!(report.is_valid(), "{:?}", report.findings);
    // The 837P reads back into the same unit of measure.
    let claims = edi837::read_claims(x12.as_bytes()).unwrap();
    let line = &claims.iter().find(|c| c.claim_id == "CF2002").unwrap().lines[0];
    assert_eq!((line.unit_code(), line.units), ("MJ", rust_decimal::Decimal::new(47, 0)));
}
