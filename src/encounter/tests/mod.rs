//! Reader tests: BOM, header case and order, grouping, disagreements,
//! fatal errors, bad values, layouts, held rows written verbatim, secondary
//! coverage columns, and property tests (no panic, nothing lost). This file
//! holds the helpers the modules share.

use std::path::Path;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::cells::{parse_decimal, parse_money};
use super::*;
use crate::claim::Sex;
use crate::finding::Severity;

mod headers;
mod layouts;
mod prop;
mod secondary;
mod values;

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
