//! Writer and reader tests: segment content, hierarchy, ST/SE split, and the
//! round trip write -> read -> equal, field by field. This file holds the
//! sample claims, config and helpers the modules share.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::*;
use crate::claim::{
    Address, BillingProvider, Claim, Facility, Frequency, Payer, Person, ProviderRef, Relationship,
    ServiceLine, Sex, Source,
};
use crate::config::Config;

mod prop;
mod read;
mod write;

/// The example config's values with `max_claims_per_transaction = 2`, so
/// that a handful of claims already spans several ST/SE sets, plus the
/// optional fields (email, taxonomy, address2) the writer must carry.
pub(crate) const CONFIG: &str = r#"
[interchange]
sender_qualifier = "ZZ"
sender_id = "DEMOSUBMITTER"
receiver_qualifier = "ZZ"
receiver_id = "DEMOCLEARING"
usage = "T"
max_claims_per_transaction = 2

[submitter]
name = "Demo Medical Group"
id = "DEMO01"
contact_name = "Billing Office"
phone = "5555550100"
email = "billing@example.test"

[receiver]
name = "Demo Clearinghouse"
id = "DEMOCLEARING"

[[billing_provider]]
npi = "1234567893"
name = "Demo Medical Group"
tax_id = "123456789"
taxonomy = "207Q00000X"
address1 = "100 Main St"
address2 = "Suite 200"
city = "Springfield"
state = "IL"
zip = "627010001"

[[payer]]
id = "DEMOPAYER1"
name = "Demo Health Plan"
filing_indicator = "CI"
"#;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn person(last: &str, first: &str, dob: &str, sex: Sex) -> Person {
    Person {
        last: last.into(),
        first: first.into(),
        middle: None,
        dob: Some(date(dob)),
        sex: Some(sex),
        address: Address {
            line1: "1 Elm St".into(),
            line2: None,
            city: "Springfield".into(),
            state: "IL".into(),
            zip: "62701".into(),
        },
    }
}

fn line(id: &str, proc: &str, charge: &str, ptrs: &[u8]) -> ServiceLine {
    ServiceLine {
        line_id: id.into(),
        service_date: date("2024-03-01"),
        service_date_end: None,
        procedure: proc.into(),
        modifiers: Vec::new(),
        units: Decimal::ONE,
        unit: None,
        charge: dec(charge),
        dx_pointers: ptrs.to_vec(),
        ndc: None,
        adjudications: Vec::new(),
        ndc_quantity: None,
        ndc_unit: None,
        row: 0,
    }
}

/// Claims exercising every loop: self and dependent patients, shared
/// subscriber, taxonomy, referring/rendering, REF G1/F8, NDC, date range.
pub(crate) fn sample_claims() -> Vec<Claim> {
    let billing = BillingProvider {
        npi: "1234567893".into(),
        name: "Demo Medical Group".into(),
        tax_id: "123456789".into(),
        taxonomy: Some("207Q00000X".into()),
        address: Address {
            line1: "100 Main St".into(),
            line2: Some("Suite 200".into()),
            city: "Springfield".into(),
            state: "IL".into(),
            zip: "627010001".into(),
        },
        ..Default::default()
    };
    let payer = Payer {
        id: "DEMOPAYER1".into(),
        name: "Demo Health Plan".into(),
        filing_indicator: "CI".into(),
    };
    let base = Claim {
        claim_id: "C1".into(),
        billing,
        payer,
        member_id: "MEM001".into(),
        group_number: Some("GRP1".into()),
        subscriber: person("DOE", "JANE", "1980-05-06", Sex::Female),
        relationship: Relationship::SelfInsured,
        patient: None,
        place_of_service: "11".into(),
        frequency: Frequency::Original,
        original_ref: None,
        prior_auth: None,
        onset_date: None,
        rendering: None,
        referring: None,
        facility: None,
        supervising: None,
        related_causes: Vec::new(),
        accident_state: None,
        accident_date: None,
        delay_reason: None,
        patient_paid: None,
        note: None,
        diagnoses: vec!["E119".into(), "I10".into()],
        lines: vec![line("C1-1", "99213", "125.00", &[1, 2])],
        stated_total: None,
        other_payers: Vec::new(),
        insurance_type: None,
        source: Source::default(),
    };
    let mut c2 = base.clone();
    c2.claim_id = "C2".into();
    c2.relationship = Relationship::Child;
    c2.patient = Some(person("DOE", "JIMMY", "2015-01-02", Sex::Male));
    c2.prior_auth = Some("AUTH77".into());
    c2.onset_date = Some(date("2024-02-20"));
    c2.referring =
        Some(ProviderRef { npi: "1245319599".into(), last: "SMITH".into(), first: "ANNA".into() });
    c2.rendering =
        Some(ProviderRef { npi: "1679576722".into(), last: "JONES".into(), first: "BOB".into() });
    let mut l = line("C2-1", "J3301", "40.5", &[1]);
    l.ndc = Some("00003029328".into());
    l.ndc_quantity = Some(dec("1.5"));
    l.ndc_unit = Some("ML".into());
    l.units = dec("2.5");
    l.modifiers = vec!["JW".into()];
    let mut l2 = line("C2-2", "97110", "60", &[2, 1]);
    l2.service_date_end = Some(date("2024-03-03"));
    l2.modifiers = vec!["GP".into(), "59".into(), "KX".into(), "XU".into()];
    c2.lines = vec![l, l2];
    let mut c3 = base.clone();
    c3.claim_id = "C3".into();
    c3.frequency = Frequency::Replacement;
    c3.original_ref = Some("PAYERCCN123".into());
    c3.diagnoses = (0..12).map(|n| format!("Z{n:02}")).collect();
    c3.lines = vec![line("C3-1", "99214", "200", &[12, 11, 10, 9])];
    let mut c4 = base.clone();
    c4.claim_id = "C4".into();
    c4.member_id = "MEM002".into();
    c4.group_number = None;
    c4.subscriber = person("ROE", "RICHARD", "1970-07-08", Sex::Male);
    c4.lines = vec![line("C4-1", "99212", "80", &[1])];
    vec![base, c2, c3, c4]
}

pub(crate) fn config() -> Config {
    Config::parse(CONFIG, "claimflow.toml").unwrap()
}

fn envelope() -> Envelope {
    Envelope {
        interchange_control: 17,
        group_control: 17,
        now: NaiveDateTime::parse_from_str("2024-03-10 08:30", "%Y-%m-%d %H:%M").unwrap(),
    }
}

fn written(claims: &[Claim]) -> (String, Written) {
    let mut out = Vec::new();
    let w = write(&mut out, claims, &config(), &envelope()).unwrap();
    keep_837("unit-edi837", &out);
    (String::from_utf8(out).unwrap(), w)
}

#[path = "../../../tests/support/oracle.rs"]
mod oracle;

/// Keeps an 837 a unit test wrote for the pyx12 oracle (see `scripts/test.sh`).
pub(crate) fn keep_837(name: &str, bytes: &[u8]) {
    oracle::keep_for_oracle("837", &format!("{name}.x12"), bytes);
}

/// What the 837P carries of a claim: the subscriber's address and
/// demographics are not sent when the patient is a dependent (guide rule).
fn as_carried(mut c: Claim) -> Claim {
    if c.relationship != Relationship::SelfInsured {
        c.subscriber.address = Address::default();
        c.subscriber.dob = None;
        c.subscriber.sex = None;
    }
    for l in &mut c.lines {
        l.row = 0;
        if l.service_date_end == Some(l.service_date) {
            l.service_date_end = None;
        }
    }
    c.source = Source::default();
    // 2310B is not sent when the rendering provider is the billing provider.
    if c.rendering.as_ref().is_some_and(|r| r.npi == c.billing.npi) {
        c.rendering = None;
    }
    // CLM02 is read back as the stated total.
    c.stated_total = Some(c.total_charge());
    c
}
