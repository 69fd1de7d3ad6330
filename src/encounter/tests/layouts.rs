//! Reading through a layout: renamed columns, US money, semicolons.

use super::*;

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
