//! Cell values: bad values as findings with row and column, empty and
//! unclaimed rows, ragged rows, generated line ids, normalized codes, held
//! rows written verbatim, plain decimals, unreadable codes.

use super::*;

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
