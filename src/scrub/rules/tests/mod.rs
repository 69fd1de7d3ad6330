//! One test per rule: start from a clean claim, break one thing, expect the
//! rule's id (and only error findings the break explains). This file holds
//! the clean claim, the `rule_test!` macro, and the catalogue-wide tests.

use rust_decimal::Decimal;

use super::*;
use crate::claim::{Frequency, ProviderRef, Relationship, Sex};
use crate::encounter;
use crate::finding::Severity;

const CONFIG: &str = include_str!("../../../../fixtures/claimflow.toml");

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

mod codes_lines;
mod identity_people;
mod payer;

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
    let readme = include_str!("../../../../docs/scrub-rules.md");
    let tests = [
        include_str!("mod.rs"),
        include_str!("identity_people.rs"),
        include_str!("codes_lines.rs"),
        include_str!("payer.rs"),
        include_str!("../../../encounter/tests/mod.rs"),
        include_str!("../../../encounter/tests/headers.rs"),
        include_str!("../../../encounter/tests/values.rs"),
        include_str!("../../../encounter/tests/layouts.rs"),
        include_str!("../../../encounter/tests/secondary.rs"),
        include_str!("../../../encounter/tests/prop.rs"),
        include_str!("../../../../tests/check.rs"),
        include_str!("../../../../tests/build/mod.rs"),
        include_str!("../../../../tests/build/outputs.rs"),
        include_str!("../../../../tests/build/ledger.rs"),
        include_str!("../../../../tests/build/crash.rs"),
        include_str!("../../../../tests/claim_facts_rules/mod.rs"),
        include_str!("../../../../tests/claim_facts_rules/facility.rs"),
        include_str!("../../../../tests/claim_facts_rules/drugs_and_accidents.rs"),
        include_str!("../../../../tests/ack/mod.rs"),
        include_str!("../../../../tests/ack/claim_status.rs"),
        include_str!("../../../../tests/ack/interchange.rs"),
        include_str!("../../../../tests/ack/resend.rs"),
        include_str!("../../../../tests/ncci.rs"),
        include_str!("../../../../tests/eligibility/mod.rs"),
        include_str!("../../../../tests/eligibility/claim_status.rs"),
        include_str!("../../../../tests/eligibility/coverage_rules.rs"),
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
