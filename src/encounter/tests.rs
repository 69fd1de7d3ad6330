use super::*;

pub(crate) const HEADER: &str = "claim_id,billing_npi,payer_id,member_id,subscriber_last,subscriber_first,subscriber_dob,subscriber_sex,subscriber_address1,subscriber_city,subscriber_state,subscriber_zip,place_of_service,dx1,service_date,procedure,units,charge,dx_pointers";

fn row(id: &str, proc_: &str, date: &str) -> String {
    format!("{id},1234567893,DEMOPAYER1,MEM1,Doe,Jane,1980-02-03,F,1 Elm St,Springfield,IL,62701,11,E11.9,{date},{proc_},1,100.00,1")
}

fn read_str(text: &str) -> Encounters {
    read_bytes("enc.csv", text.as_bytes().to_vec(), None).unwrap()
}

#[test]
fn reads_one_claim() {
    let e = read_str(&format!("{HEADER}\n{}\n", row("C1", "99213", "2026-03-02")));
    assert_eq!(e.claims.len(), 1);
    assert!(e.findings.is_empty(), "{:?}", e.findings);
    let c = &e.claims[0];
    assert_eq!(c.diagnoses, vec!["E119"]);
    assert_eq!(c.lines[0].line_id, "1");
    assert_eq!(c.source.rows, vec![2]);
}
