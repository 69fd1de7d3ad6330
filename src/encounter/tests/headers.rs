//! Reading and grouping: one claim, BOM, header case and order, rows grouped
//! by claim id, disagreeing values, fatal header and file errors, unknown
//! columns.

use super::*;

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
