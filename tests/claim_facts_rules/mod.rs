//! The scrub rules of the claim facts: one test per rule, each
//! asserting the finding's row, column and message on an export read
//! through the library (`encounter::read_bytes` then `scrub::run`).

use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::finding::{Finding, Severity};
use claimflow::{clock, encounter, scrub};

use crate::util::root;

mod drugs_and_accidents;
mod facility;

/// The columns of the test export: the required ones, a rendering
/// provider, and every claim-fact column.
const COLUMNS: &[&str] = &[
    "claim_id",
    "billing_npi",
    "payer_id",
    "member_id",
    "subscriber_last",
    "subscriber_first",
    "subscriber_dob",
    "subscriber_sex",
    "subscriber_address1",
    "subscriber_city",
    "subscriber_state",
    "subscriber_zip",
    "place_of_service",
    "rendering_npi",
    "rendering_last",
    "rendering_first",
    "dx1",
    "facility_name",
    "facility_npi",
    "facility_address1",
    "facility_city",
    "facility_state",
    "facility_zip",
    "supervising_npi",
    "supervising_last",
    "supervising_first",
    "related_cause",
    "accident_state",
    "accident_date",
    "delay_reason",
    "patient_paid",
    "claim_note",
    "service_date",
    "procedure",
    "units",
    "charge",
    "dx_pointers",
    "ndc",
    "ndc_quantity",
    "ndc_unit",
];

/// A clean one-line claim T1 (office visit, organization billing provider
/// with a rendering provider); the new columns empty.
const BASE: &[(&str, &str)] = &[
    ("claim_id", "T1"),
    ("billing_npi", "1234567893"),
    ("payer_id", "DEMOPAYER1"),
    ("member_id", "MEM001"),
    ("subscriber_last", "Roe"),
    ("subscriber_first", "Ann"),
    ("subscriber_dob", "1980-02-03"),
    ("subscriber_sex", "F"),
    ("subscriber_address1", "1 Elm St"),
    ("subscriber_city", "Springfield"),
    ("subscriber_state", "IL"),
    ("subscriber_zip", "62701"),
    ("place_of_service", "11"),
    ("rendering_npi", "1245319599"),
    ("rendering_last", "Smith"),
    ("rendering_first", "Pat"),
    ("dx1", "J45.909"),
    ("service_date", "2026-03-02"),
    ("procedure", "99213"),
    ("units", "1"),
    ("charge", "120.00"),
    ("dx_pointers", "1"),
];

/// A complete service facility (a hospital with its NPI and ZIP+4).
const FACILITY: &[(&str, &str)] = &[
    ("facility_name", "Springfield General Hospital"),
    ("facility_npi", "1679576722"),
    ("facility_address1", "800 Hospital Dr"),
    ("facility_city", "Springfield"),
    ("facility_state", "IL"),
    ("facility_zip", "627040800"),
];

/// One CSV row: `BASE` with `changes` applied (later pairs win).
fn row(changes: &[(&str, &str)]) -> String {
    COLUMNS
        .iter()
        .map(|col| {
            let v = changes
                .iter()
                .rev()
                .chain(BASE.iter().rev())
                .find(|(c, _)| c == col)
                .map_or("", |(_, v)| *v);
            if v.contains(',') || v.contains('"') {
                format!("\"{}\"", v.replace('"', "\"\""))
            } else {
                v.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads and scrubs an export of these rows (row 2 onward) with the
/// example config at 2026-11-27: every finding.
fn scrub_rows(rows: &[String]) -> Vec<Finding> {
    let text = format!("{}\n{}\n", COLUMNS.join(","), rows.join("\n"));
    let mut enc = encounter::read_bytes("t.csv", text.into_bytes(), None).unwrap();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let now = clock::parse_now("2026-11-27").unwrap();
    scrub::run(&mut enc, &config, now, CodeSets::shipped()).findings
}

fn scrub_one(changes: &[(&str, &str)]) -> Vec<Finding> {
    scrub_rows(&[row(changes)])
}

/// Asserts that `findings` hold exactly one finding, with this rule,
/// severity, row, column and message, for claim T1 in t.csv.
#[track_caller]
fn assert_only(findings: &[Finding], rule: &str, sev: Severity, row: u64, col: &str, msg: &str) {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(
        (f.rule, f.severity, f.row, f.column.as_str(), f.message.as_str()),
        (rule, sev, row, col, msg)
    );
    assert_eq!((f.file.as_str(), f.claim_id.as_str()), ("t.csv", "T1"));
}

const E: Severity = Severity::Error;

const W: Severity = Severity::Warning;

#[test]
fn clean_claim_with_every_fact_has_no_findings() {
    let mut all = FACILITY.to_vec();
    all.extend([
        ("place_of_service", "22"),
        ("supervising_npi", "1003000126"),
        ("supervising_last", "Super"),
        ("supervising_first", "Vera"),
        ("related_cause", "aa; em"),
        ("accident_state", "in"),
        ("accident_date", "2026-02-27"),
        ("delay_reason", "7"),
        ("patient_paid", "20.00"),
        ("claim_note", "Corrected coding (see op note); call 555-0100 ext. 2?"),
        ("procedure", "J3301"),
        ("ndc", "0003-0293-05"),
        ("ndc_quantity", "1"),
        ("ndc_unit", "ml"),
    ]);
    let found = scrub_one(&all);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn organization_billing_without_rendering_provider_is_held() {
    let found =
        scrub_one(&[("rendering_npi", ""), ("rendering_last", ""), ("rendering_first", "")]);
    assert_only(
        &found,
        "E-REND-001",
        E,
        2,
        "rendering_npi",
        "billing provider 1234567893 is an organization and the claim names no rendering provider: give the NPI and name of the person who rendered the service (rendering_npi, rendering_last, rendering_first), or rendering_npi 1234567893 when the organization itself rendered it",
    );
}

#[test]
fn rendering_npi_equal_to_billing_states_the_organization_rendered_it() {
    let found = scrub_one(&[
        ("rendering_npi", "1234567893"),
        ("rendering_last", ""),
        ("rendering_first", ""),
    ]);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn supervising_npi_and_name() {
    let sup = [
        ("supervising_npi", "1003000127"),
        ("supervising_last", "Super"),
        ("supervising_first", "Vera"),
    ];
    assert_only(
        &scrub_one(&sup),
        "E-NPI-005",
        E,
        2,
        "supervising_npi",
        "supervising provider NPI \"1003000127\" is not a valid NPI (10 digits starting 1 or 2, check digit must match)",
    );
    assert_only(
        &scrub_one(&[("supervising_last", "Super"), ("supervising_first", "Vera")]),
        "E-NPI-005",
        E,
        2,
        "supervising_npi",
        "supervising provider NPI is missing",
    );
    assert_only(
        &scrub_one(&[("supervising_npi", "1003000126"), ("supervising_last", "Super")]),
        "E-NAME-002",
        E,
        2,
        "supervising_first",
        "supervising provider needs supervising_last and supervising_first (2310 NM1, person)",
    );
}

#[test]
fn delay_reason_is_a_clm20_code() {
    for bad in ["12", "0", "late"] {
        assert_only(
            &scrub_one(&[("delay_reason", bad)]),
            "E-DLY-001",
            E,
            2,
            "delay_reason",
            &format!("delay_reason {bad:?} is not a CLM20 delay reason code (1 to 11 or 15)"),
        );
    }
    for good in ["1", "11", "15"] {
        assert!(scrub_one(&[("delay_reason", good)]).is_empty(), "{good}");
    }
}

#[test]
fn patient_paid_is_a_positive_amount() {
    for (paid, why) in [
        ("0", "patient_paid 0 must be greater than 0"),
        ("-5.00", "patient_paid -5.00 must be greater than 0"),
        ("20.005", "patient_paid 20.005 has more than 2 decimals"),
        ("120.01", "patient_paid 120.01 is more than the claim's total charge 120.00"),
    ] {
        assert_only(&scrub_one(&[("patient_paid", paid)]), "E-AMT-001", E, 2, "patient_paid", why);
    }
    assert_only(
        &scrub_one(&[("patient_paid", "twenty")]),
        "E-NUM-001",
        E,
        2,
        "patient_paid",
        "patient_paid \"twenty\" is not an amount like 20.00",
    );
}

#[test]
fn claim_note_length_and_characters() {
    let long = "A".repeat(81);
    assert_only(
        &scrub_one(&[("claim_note", &long)]),
        "E-NOTE-001",
        E,
        2,
        "claim_note",
        "claim_note is 81 characters; NTE02 holds at most 80",
    );
    assert!(scrub_one(&[("claim_note", &long[..80])]).is_empty());
    assert_only(
        &scrub_one(&[("claim_note", "Pt seen @ 5pm")]),
        "E-NOTE-001",
        E,
        2,
        "claim_note",
        "claim_note contains '@', outside the basic X12 character set (letters, digits, space and ! \" & ' ( ) + , - . / ; ? =): payers reject or drop it",
    );
    // A delimiter or a non-ASCII letter is the generic rules' finding.
    let found = scrub_one(&[("claim_note", "Dr. Muñoz")]);
    assert_eq!(found.iter().map(|f| f.rule).collect::<Vec<_>>(), ["E-CHAR-002"]);
    let found = scrub_one(&[("claim_note", "a~b")]);
    assert_eq!(found.iter().map(|f| f.rule).collect::<Vec<_>>(), ["X12_DELIMITER_IN_DATA"]);
    // The note is PHI-prone free text: no message quotes it.
    assert!(found.iter().all(|f| !f.message.contains("a~b")));
}
