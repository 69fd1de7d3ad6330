//! Reader tests: BOM, header case and order, grouping, disagreements,
//! fatal errors, bad values, layouts, held rows written verbatim, and
//! property tests (no panic, nothing lost).

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cells::{parse_decimal, parse_money};
use super::*;
use crate::claim::Sex;
use crate::finding::Severity;

const HEADER: &str = "claim_id,billing_npi,payer_id,member_id,subscriber_last,subscriber_first,subscriber_dob,subscriber_sex,subscriber_address1,subscriber_city,subscriber_state,subscriber_zip,place_of_service,dx1,service_date,procedure,units,charge,dx_pointers";

fn row(id: &str, proc_: &str, date: &str) -> String {
    format!("{id},1234567893,DEMOPAYER1,MEM1,Doe,Jane,1980-02-03,F,1 Elm St,Springfield,IL,62701,11,E11.9,{date},{proc_},1,100.00,1")
}

fn read_str(text: &str) -> Encounters {
    read_bytes("enc.csv", text.as_bytes().to_vec(), None).unwrap()
}

fn rules(e: &Encounters) -> Vec<&str> {
    e.findings.iter().map(|f| f.rule).collect()
}

#[test]
fn reads_one_claim() {
    let e = read_str(&format!("{HEADER}\n{}\n", row("C1", "99213", "2026-03-02")));
    assert_eq!(e.claims.len(), 1);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let c = &e.claims[0];
    assert_eq!(c.diagnoses, vec!["E119"]);
    assert_eq!(c.lines[0].line_id, "1");
    assert_eq!(c.lines[0].charge, Decimal::new(10000, 2));
    assert_eq!(c.subscriber.sex, Some(Sex::Female));
    assert_eq!(c.source.rows, vec![2]);
    assert_eq!(c.source.file, "enc.csv");
}

#[test]
fn accepts_bom_header_case_spaces_and_any_order() {
    let mut cols: Vec<&str> = HEADER.split(',').collect();
    let mut vals: Vec<String> =
        row("C1", "99213", "2026-03-02").split(',').map(String::from).collect();
    cols.reverse();
    vals.reverse();
    let header: Vec<String> = cols.iter().map(|c| format!(" {} ", c.to_uppercase())).collect();
    let text = format!("\u{feff}{}\r\n{}\r\n", header.join(","), vals.join(","));
    let e = read_str(&text);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert_eq!(e.claims[0].lines[0].procedure, "99213");
    assert_eq!(e.claims[0].member_id, "MEM1");
    assert_eq!(e.column_label("claim_id"), "CLAIM_ID");
}

#[test]
fn groups_non_adjacent_rows_in_first_seen_order() {
    let text = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("B", "99213", "2026-03-02"),
        row("A", "99214", "2026-03-02"),
        row("B", "81002", "2026-03-03")
    );
    let e = read_str(&text);
    let ids: Vec<&str> = e.claims.iter().map(|c| c.claim_id.as_str()).collect();
    assert_eq!(ids, ["B", "A"]);
    assert_eq!(e.claims[0].source.rows, vec![2, 4]);
    assert_eq!(e.claims[0].lines.len(), 2);
    assert_eq!(e.claims[0].lines[1].row, 4);
    assert_eq!(e.claims[0].lines[1].line_id, "2");
}

#[test]
fn disagreeing_claim_values_name_both_rows_without_phi() {
    let r2 = row("C1", "99213", "2026-03-02");
    let r3 = row("C1", "99214", "2026-03-02")
        .replace(",11,", ",22,")
        .replace("1980-02-03", "1980-02-04");
    let e = read_str(&format!("{HEADER}\n{r2}\n{r3}\n"));
    let pos = e.findings.iter().find(|f| f.column == "place_of_service").unwrap();
    assert_eq!(pos.rule, "E-ROW-001");
    assert_eq!(pos.row, 3);
    assert!(pos.message.contains("row 2") && pos.message.contains("\"22\""), "{}", pos.message);
    let dob = e.findings.iter().find(|f| f.column == "subscriber_dob").unwrap();
    assert!(dob.message.contains("row 2") && !dob.message.contains("1980"), "{}", dob.message);
    assert_eq!(e.claims[0].place_of_service, "11");
}

#[test]
fn empty_cells_do_not_disagree() {
    let r3 = row("C1", "99214", "2026-03-02").replace(",MEM1,", ",,");
    let e = read_str(&format!("{HEADER}\n{}\n{r3}\n", row("C1", "99213", "2026-03-02")));
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert_eq!(e.claims[0].member_id, "MEM1");
}

#[test]
fn missing_required_header_is_fatal() {
    let text = format!("{}\n", HEADER.replace(",charge", ""));
    match read_bytes("enc.csv", text.into_bytes(), None) {
        Err(Error::MissingColumns { path, columns }) => {
            assert_eq!(path, "enc.csv");
            assert_eq!(columns, "charge");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn not_csv_and_empty_and_duplicate_are_fatal() {
    let e = read_bytes("x.835", b"ISA*00*  ~GS*HP~".to_vec(), None).unwrap_err();
    assert!(matches!(e, Error::NotCsv { .. }), "{e}");
    assert!(e.to_string().starts_with("x.835: "));
    let e = read_bytes("e.csv", Vec::new(), None).unwrap_err();
    assert!(matches!(e, Error::NotCsv { .. }), "{e}");
    let e = read_bytes("b.csv", vec![0x50, 0x4b, 0x03, 0x04, 0, 0, 1], None).unwrap_err();
    assert!(matches!(e, Error::NotCsv { .. }), "{e}");
    let e = read_bytes("d.csv", format!("{HEADER},Units\n").into_bytes(), None).unwrap_err();
    assert!(matches!(e, Error::DuplicateColumn { .. }), "{e}");
    let e = read(Path::new("/nonexistent/enc.csv"), None).unwrap_err();
    assert!(matches!(e, Error::Io { .. }) && e.to_string().contains("/nonexistent/enc.csv"), "{e}");
}

#[test]
fn unknown_columns_are_one_warning() {
    let e = read_str(&format!(
        "{HEADER},Notes,Clinic\n{},hi,x\n{},hi,x\n",
        row("C1", "99213", "2026-03-02"),
        row("C1", "99214", "2026-03-02")
    ));
    assert_eq!(rules(&e), ["W-CSV-001"]);
    assert_eq!(e.findings[0].severity, Severity::Warning);
    assert!(e.findings[0].message.contains("Notes, Clinic"));
}

#[test]
fn bad_values_are_findings_with_row_and_column() {
    let r = row("C1", "99213", "2026-02-30").replace(",1,100.00,1", ",1,$100,1;2");
    let r3 = row("C1", "99214", "2026-03-02").replace(",F,", ",Q,");
    let e = read_str(&format!("{HEADER}\n{r}\n{r3}\n"));
    let got: Vec<(&str, u64, &str)> =
        e.findings.iter().map(|f| (f.rule, f.row, f.column.as_str())).collect();
    assert!(got.contains(&("E-DATE-001", 2, "service_date")), "{got:?}");
    assert!(got.contains(&("E-NUM-001", 2, "charge")), "{got:?}");
    assert!(got.contains(&("E-PTR-003", 2, "dx_pointers")), "{got:?}");
    assert!(got.contains(&("E-ROW-001", 3, "subscriber_sex")), "{got:?}");
    assert!(e.findings.iter().all(|f| f.claim_id == "C1" && f.file == "enc.csv"));
    // The unreadable line is left out; the other is kept.
    assert_eq!(e.claims[0].lines.len(), 1);
    assert_eq!(e.claims[0].source.rows, vec![2, 3]);
}

#[test]
fn rows_of_empty_cells_are_skipped() {
    let blank = ",".repeat(HEADER.matches(',').count());
    let e =
        read_str(&format!("{HEADER}\n{}\n{blank}\n {blank}\n", row("C1", "99213", "2026-03-02")));
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert!(e.unclaimed_rows.is_empty());
    assert_eq!(e.claims.len(), 1);
    assert_eq!(e.blank_rows, 2);
}

#[test]
fn rows_without_claim_id_are_kept_as_unclaimed() {
    let e = read_str(&format!(
        "{HEADER}\n{}\n{}\n",
        row("", "99213", "2026-03-02"),
        row("C1", "99213", "2026-03-02")
    ));
    assert_eq!(rules(&e), ["E-CID-002"]);
    assert_eq!(e.unclaimed_rows, vec![2]);
    assert_eq!(e.claims.len(), 1);
}

#[test]
fn ragged_row_and_dx_gap_and_patient_ignored() {
    let text = format!(
        "{HEADER},dx2,dx3,patient_last\n{},,J45909,\n{},,J45909,Kid,extra\n",
        row("C1", "99213", "2026-03-02"),
        row("C1", "99214", "2026-03-02")
    );
    let e = read_str(&text);
    let r = rules(&e);
    assert!(
        r.contains(&"E-ICD-005") && r.contains(&"E-CSV-002") && r.contains(&"W-PAT-001"),
        "{r:?}"
    );
}

#[test]
fn line_ids_are_generated_without_collisions() {
    let text = format!(
        "{HEADER},line_id\n{},2\n{},\n{},\n",
        row("C1", "99213", "2026-03-02"),
        row("C1", "99214", "2026-03-02"),
        row("C1", "81002", "2026-03-02")
    );
    let e = read_str(&text);
    let ids: Vec<&str> = e.claims[0].lines.iter().map(|l| l.line_id.as_str()).collect();
    assert_eq!(ids, ["2", "3", "4"]);
}

#[test]
fn pointers_modifiers_ndc_dx_are_normalized() {
    let h = format!("{HEADER},modifier1,modifier2,ndc,dx2,dx3");
    let r = row("C1", "j3301", "2026-03-02").replace(",1,100.00,1", ",1,100.00,1:3 2")
        + ",lt,,12345-678-90, z23 ,e11.65";
    let e = read_str(&format!("{h}\n{r}\n"));
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let l = &e.claims[0].lines[0];
    assert_eq!(l.dx_pointers, vec![1, 3, 2]);
    assert_eq!(l.modifiers, vec!["LT"]);
    assert_eq!(l.procedure, "J3301");
    assert_eq!(l.ndc.as_deref(), Some("12345067890"));
    assert_eq!(e.claims[0].diagnoses, vec!["E119", "Z23", "E1165"]);
}

#[test]
fn writes_held_rows_verbatim_with_header() {
    let text = format!(
        "\u{feff}{HEADER}\r\n{}\r\n\"C2\",1234567893,DEMOPAYER1,MEM1,\"Doe, Jr\",Jane,1980-02-03,F,1 Elm St,Springfield,IL,62701,11,E11.9,2026-03-02,99213,1,100.00,1\r\n{}",
        row("C1", "99213", "2026-03-02"),
        row("C1", "99214", "2026-03-02")
    );
    let e = read_str(&text);
    let held: Vec<&Claim> = e.claims.iter().filter(|c| c.claim_id == "C1").collect();
    let rows = e.held_rows(held);
    assert_eq!(rows, vec![2, 4]);
    let mut out = Vec::new();
    e.write_rows(&mut out, &rows).unwrap();
    let out = String::from_utf8(out).unwrap();
    assert_eq!(
        out,
        format!(
            "{HEADER}\r\n{}\r\n{}\n",
            row("C1", "99213", "2026-03-02"),
            row("C1", "99214", "2026-03-02")
        )
    );
    let again = read_str(&out);
    assert_eq!(again.claims.len(), 1);
    assert_eq!(again.claims[0].lines.len(), 2);
    let mut out = Vec::new();
    e.write_rows(&mut out, &[3]).unwrap();
    assert!(String::from_utf8(out).unwrap().ends_with("\"Doe, Jr\",Jane,1980-02-03,F,1 Elm St,Springfield,IL,62701,11,E11.9,2026-03-02,99213,1,100.00,1\r\n"));
}

#[test]
fn reads_through_a_layout() {
    let layout = Layout::parse(
        r#"
name = "test export"
date_format = "%m/%d/%Y"
[columns]
claim_id = "Visit"
billing_npi = "NPI"
member_id = "Member"
subscriber_last = "Last"
subscriber_first = "First"
subscriber_dob = "DOB"
subscriber_sex = "Gender"
subscriber_address1 = "Street"
subscriber_city = "City"
subscriber_state = "ST"
subscriber_zip = "Zip"
dx1 = "Dx"
service_date = "DOS"
procedure = "CPT"
units = "Qty"
charge = "Amount"
dx_pointers = "Ptr"
[defaults]
payer_id = "DEMOPAYER1"
place_of_service = "11"
[values.subscriber_sex]
Female = "F"
"#,
        "l.toml",
    )
    .unwrap();
    let text = "Amount,Visit,NPI,Member,Last,First,DOB,Gender,Street,City,ST,Zip,Dx,DOS,CPT,Qty,Ptr,Comment,claim_id\n\
                75.00,V9,1234567893,M1,Doe,Jane,02/03/1980,female,1 Elm,Springfield,IL,62701,E11.9,03/02/2026,99213,1,1,x,ignored\n\
                75.00,V9,1234567893,M1,Doe,Jane,02/03/1980,female,1 Elm,Springfield,IL,62701,E11.9,2026-03-02,99214,1,1,x,ignored\n";
    let e = read_bytes("x.csv", text.as_bytes().to_vec(), Some(&layout)).unwrap();
    let c = &e.claims[0];
    assert_eq!(c.claim_id, "V9");
    assert_eq!(c.payer.id, "DEMOPAYER1");
    assert_eq!(c.place_of_service, "11");
    assert_eq!(c.subscriber.sex, Some(Sex::Female));
    assert_eq!(c.subscriber.dob, NaiveDate::from_ymd_opt(1980, 2, 3));
    assert_eq!(c.lines[0].service_date, NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    let got: Vec<(&str, u64, &str)> =
        e.findings.iter().map(|f| (f.rule, f.row, f.column.as_str())).collect();
    assert_eq!(got, [("W-CSV-001", 1, ""), ("E-DATE-001", 3, "DOS")]);
    assert!(e.findings[0].message.contains("Comment, claim_id"));
    assert!(e.findings[1].message.contains("%m/%d/%Y"));
    assert_eq!(e.column_label("place_of_service"), "place_of_service (layout default)");
    assert_eq!(e.column_label("procedure"), "CPT");
    let missing = "Visit,NPI\nV1,1234567893\n";
    let err = read_bytes("x.csv", missing.as_bytes().to_vec(), Some(&layout)).unwrap_err();
    assert!(matches!(err, Error::LayoutHeaderMissing { .. }), "{err}");
}

#[test]
fn us_money_format() {
    assert_eq!(parse_money("$1,234.50", true), Some(Decimal::new(123450, 2)));
    assert_eq!(parse_money("1234.5", true), Some(Decimal::new(12345, 1)));
    assert_eq!(parse_money("-$12", true), Some(Decimal::new(-12, 0)));
    for bad in ["$1,23.50", "1,2345", "$$1", "1.234,50", "$"] {
        assert_eq!(parse_money(bad, true), None, "{bad}");
    }
    assert_eq!(parse_money("$12", false), None);
}

#[test]
fn layout_with_semicolons() {
    let mut text = String::from("delimiter = \";\"\n[columns]\n");
    for c in columns::ALL.iter().filter(|c| c.spec().required) {
        text.push_str(&format!("{} = \"{}\"\n", c.name(), c.name()));
    }
    let layout = Layout::parse(&text, "semi.toml").unwrap();
    let csv = format!(
        "{}\n{}\n",
        HEADER.replace(',', ";"),
        row("C1", "99213", "2026-03-02").replace(',', ";")
    );
    let e = read_bytes("semi.csv", csv.into_bytes(), Some(&layout)).unwrap();
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    assert_eq!(e.claims[0].lines[0].charge, Decimal::new(10000, 2));
}

#[test]
fn decimals_are_plain() {
    assert_eq!(parse_decimal("12.50"), Some(Decimal::new(1250, 2)));
    assert_eq!(parse_decimal("-3"), Some(Decimal::new(-3, 0)));
    for bad in ["1_000", "$5", "1,000", "1e3", ".", "", "1.2.3", "+5"] {
        assert_eq!(parse_decimal(bad), None, "{bad}");
    }
}

#[test]
fn unreadable_codes_and_missing_line_values() {
    let h = format!("{HEADER},relationship,frequency");
    let r2 = row("C1", "99213", "2026-03-02").replace(",F,", ",female,") + ",cousin,2";
    let r3 = row("C2", "99213", "").replace(",1,100.00,1", ",,100.00,1") + ",,";
    let mut bytes = format!("{h}\n{r2}\n{r3}\n").into_bytes();
    // A Latin-1 byte in C3's city.
    bytes.extend_from_slice(b"C3,1234567893,DEMOPAYER1,MEM1,Doe,Jane,1980-02-03,F,1 Elm St,Z\xfcrich,IL,62701,11,E11.9,2026-03-02,99213,1,100.00,1,,\n");
    let e = read_bytes("enc.csv", bytes, None).unwrap();
    let got: Vec<(&str, &str, u64, &str)> = e
        .findings
        .iter()
        .map(|f| (f.claim_id.as_str(), f.rule, f.row, f.column.as_str()))
        .collect();
    for want in [
        ("C1", "E-SEX-001", 2, "subscriber_sex"),
        ("C1", "E-REL-001", 2, "relationship"),
        ("C1", "E-FREQ-002", 2, "frequency"),
        ("C2", "E-REQ-001", 3, "service_date"),
        ("C2", "E-REQ-001", 3, "units"),
        ("C3", "E-CSV-003", 4, "subscriber_city"),
    ] {
        assert!(got.contains(&want), "{want:?} not in {got:?}");
    }
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn cell() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            "[ -~]{0,12}",
            "[0-9]{1,11}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[A-Z][0-9][0-9A-Z.]{1,6}",
            "\"[^\"]{0,8}\"",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// Any bytes after a valid header: the reader and every rule run to
        /// the end without panicking, and every data row is accounted for.
        #[test]
        fn never_panics_on_arbitrary_rows(rows in proptest::collection::vec(proptest::collection::vec(cell(), 0..22), 0..8)) {
            let mut text = String::from(HEADER);
            text.push('\n');
            for r in &rows {
                text.push_str(&r.join(","));
                text.push('\n');
            }
            if let Ok(mut e) = read_bytes("p.csv", text.into_bytes(), None) {
                let cfg = crate::config::Config::parse(include_str!("../../fixtures/claimflow.toml"), "c.toml").unwrap();
                let now = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap().and_hms_opt(0, 0, 0).unwrap();
                let s = crate::scrub::run(&mut e, &cfg, now, crate::codeset::CodeSets::shipped());
                let mut out = Vec::new();
                let held = e.held_rows(s.held.iter());
                e.write_rows(&mut out, &held).unwrap();
                let accounted: usize = s.clean.iter().chain(&s.held).map(|c| c.source.rows.len()).sum::<usize>()
                    + e.unclaimed_rows.len();
                prop_assert_eq!(accounted as u64 + e.blank_rows, e.row_starts.len() as u64, "every data row belongs to a claim or is unclaimed");
            }
        }

        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut text = HEADER.as_bytes().to_vec();
            text.push(b'\n');
            text.extend_from_slice(&bytes);
            let _ = read_bytes("p.csv", text, None);
            let _ = read_bytes("p.csv", bytes, None);
        }
    }
}

#[test]
fn secondary_coverage_columns_become_the_other_payer() {
    let cols = "secondary_payer_id,secondary_member_id,secondary_group_number,secondary_relationship,secondary_subscriber_last,secondary_subscriber_first,secondary_subscriber_dob,secondary_subscriber_sex";
    let text = format!(
        "{HEADER},{cols}\n{},DEMOSECOND,SEC2,SG1,spouse,Doe,John,1979-01-01,M\n{},DEMOSECOND,SEC2,SG1,self,,,,\n{},,,,,,,,\n",
        row("C1", "99213", "2026-03-02"),
        row("C2", "99213", "2026-03-02"),
        row("C3", "99213", "2026-03-02"),
    );
    let e = read_str(&text);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let spouse = &e.claims[0].other_payers[0];
    assert_eq!(spouse.payer.id, "DEMOSECOND");
    assert_eq!(spouse.member_id, "SEC2");
    assert_eq!(spouse.group_number.as_deref(), Some("SG1"));
    assert_eq!(spouse.relationship, crate::claim::Relationship::Spouse);
    assert_eq!(
        (spouse.subscriber.first.as_str(), spouse.subscriber.sex),
        ("John", Some(Sex::Male))
    );
    // No address columns: the patient's address.
    assert_eq!(spouse.subscriber.address.line1, "1 Elm St");
    // Self: the patient is the secondary subscriber.
    let me = &e.claims[1].other_payers[0];
    assert_eq!(me.subscriber.first, "Jane");
    // No secondary cell at all: no other payer (and the claim hashes as one without COB columns).
    assert!(e.claims[2].other_payers.is_empty());
}

#[test]
fn secondary_subscriber_columns_are_ignored_when_self_and_bad_values_are_findings() {
    let cols = "secondary_payer_id,secondary_member_id,secondary_relationship,secondary_subscriber_first,secondary_subscriber_dob,secondary_subscriber_sex";
    let text = format!(
        "{HEADER},{cols}\n{},DEMOSECOND,SEC2,self,John,,\n{},DEMOSECOND,SEC2,cousin,,1979-13-01,X\n",
        row("C1", "99213", "2026-03-02"),
        row("C2", "99213", "2026-03-02"),
    );
    let e = read_str(&text);
    let f: Vec<(&str, &str, Severity)> =
        e.findings.iter().map(|f| (f.claim_id.as_str(), f.rule, f.severity)).collect();
    assert_eq!(
        f,
        [
            ("C1", "W-COB-001", Severity::Warning),
            ("C2", "E-REL-001", Severity::Error),
            ("C2", "E-DATE-001", Severity::Error),
            ("C2", "E-SEX-001", Severity::Error),
        ]
    );
    assert_eq!(e.findings[0].column, "secondary_subscriber_first");
    assert_eq!(e.findings[0].row, 2);
}
