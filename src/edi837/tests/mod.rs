//! Writer and reader tests: segment content, hierarchy, ST/SE split, and the
//! round trip write -> read -> equal, field by field.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use super::*;
use crate::claim::{
    Address, BillingProvider, Claim, Facility, Frequency, Payer, Person, ProviderRef, Relationship,
    ServiceLine, Sex, Source,
};
use crate::config::Config;

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

#[test]
fn writes_envelope_and_header_segments() {
    let (text, w) = written(&sample_claims());
    let segs: Vec<&str> = text.lines().collect();
    assert_eq!(segs[0].len(), 106);
    assert!(segs[0].starts_with("ISA*00*          *00*          *ZZ*DEMOSUBMITTER  *ZZ*DEMOCLEARING   *240310*0830*^*00501*000000017*0*T*:~"));
    assert_eq!(segs[1], "GS*HC*DEMOSUBMITTER*DEMOCLEARING*20240310*0830*17*X*005010X222A1~");
    assert_eq!(segs[2], "ST*837*0001*005010X222A1~");
    assert_eq!(segs[3], "BHT*0019*00*0000000170001*20240310*0830*CH~");
    assert_eq!(segs[4], "NM1*41*2*Demo Medical Group*****46*DEMO01~");
    assert_eq!(segs[5], "PER*IC*Billing Office*TE*5555550100*EM*billing@example.test~");
    assert_eq!(segs[6], "NM1*40*2*Demo Clearinghouse*****46*DEMOCLEARING~");
    assert_eq!(segs[7], "HL*1**20*1~");
    assert_eq!(segs[8], "PRV*BI*PXC*207Q00000X~");
    assert_eq!(segs[9], "NM1*85*2*Demo Medical Group*****XX*1234567893~");
    assert_eq!(segs[12], "REF*EI*123456789~");
    assert_eq!(w.sets.len(), 2, "max_claims_per_transaction = 2 splits 4 claims");
    assert_eq!(w.claims, 4);
    assert_eq!(w.lines, 5);
    assert_eq!(w.total_charge, dec("505.5"));
    assert!(text.ends_with("GE*2*17~\nIEA*1*000000017~\n"));
    assert!(crate::validate::validate_file("t", text.as_bytes()).is_valid());
}

#[test]
fn writes_claim_and_line_segments() {
    let (text, _) = written(&sample_claims());
    for expected in [
        "SBR*P*18*GRP1******CI~",
        "NM1*IL*1*DOE*JANE****MI*MEM001~",
        "DMG*D8*19800506*F~",
        "NM1*PR*2*Demo Health Plan*****PI*DEMOPAYER1~",
        "CLM*C1*125***11:B:1*Y*A*Y*Y~",
        "HI*ABK:E119*ABF:I10~",
        "SV1*HC:99213*125*UN*1***1:2~",
        "DTP*472*D8*20240301~",
        "REF*6R*C1-1~",
        "SBR*P**GRP1******CI~",
        "HL*4*3*23*0~",
        "PAT*19~",
        "NM1*QC*1*DOE*JIMMY~",
        "DMG*D8*20150102*M~",
        "CLM*C2*100.5***11:B:1*Y*A*Y*Y~\nDTP*431*D8*20240220~\nREF*G1*AUTH77~\nHI*ABK:E119*ABF:I10~\nNM1*DN*1*SMITH*ANNA****XX*1245319599~\nNM1*82*1*JONES*BOB****XX*1679576722~\nLX*1~",
        "SV1*HC:J3301:JW*40.5*UN*2.5***1~",
        "LIN**N4*00003029328~\nCTP****1.5*ML~",
        "SV1*HC:97110:GP:59:KX:XU*60*UN*1***2:1~\nDTP*472*RD8*20240301-20240303~",
        "CLM*C3*200***11:B:7*Y*A*Y*Y~\nREF*F8*PAYERCCN123~",
        "SV1*HC:99214*200*UN*1***12:11:10:9~",
        "SBR*P*18*******CI~",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in\n{text}");
    }
}

#[test]
fn rendering_provider_is_sent_only_when_not_the_billing_provider() {
    let mut claims = sample_claims();
    let billing_npi = claims[1].billing.npi.clone();
    claims[1].rendering.as_mut().unwrap().npi = billing_npi.clone();
    let (text, _) = written(&claims);
    assert!(!text.contains("NM1*82*"), "2310B equal to billing was written:\n{text}");
    let back = read(text.as_bytes()).unwrap();
    let c2 = back.claims.iter().find(|c| c.claim_id == "C2").unwrap();
    assert_eq!(c2.rendering, None);
    assert!(c2.referring.is_some(), "2310A is still sent");
    let (text, _) = written(&sample_claims());
    assert!(text.contains("NM1*82*1*JONES*BOB****XX*1679576722~"), "{text}");
}

#[test]
fn person_billing_provider_and_pay_to_address_are_written_and_read_back() {
    let mut claims = sample_claims();
    for c in &mut claims {
        c.billing.entity = crate::claim::Entity::Person;
        c.billing.name = "RIVERA".into();
        c.billing.first_name = "ANA".into();
        c.billing.pay_to = Some(Address {
            line1: "PO Box 4410".into(),
            line2: None,
            city: "Springfield".into(),
            state: "IL".into(),
            zip: "627054410".into(),
        });
    }
    let (text, _) = written(&claims);
    assert!(
        text.contains("NM1*85*1*RIVERA*ANA****XX*1234567893~\nN3*100 Main St*Suite 200~\nN4*Springfield*IL*627010001~\nREF*EI*123456789~\nNM1*87*1~\nN3*PO Box 4410~\nN4*Springfield*IL*627054410~\nHL*2*1*22*"),
        "{text}"
    );
    let back = read(text.as_bytes()).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    for want in claims.into_iter().map(as_carried) {
        let got = back.claims.iter().find(|c| c.claim_id == want.claim_id).unwrap();
        assert_eq!(got, &want);
    }
    // An organization without a pay-to address: 2010AA carries its own NPI.
    let (text, _) = written(&sample_claims());
    assert!(text.contains("NM1*85*2*Demo Medical Group*****XX*1234567893~"), "{text}");
    assert!(!text.contains("NM1*87"), "{text}");
}

#[test]
fn groups_claims_under_billing_and_subscriber() {
    // One set: C1 and C3 share a subscriber (self); C2 is that subscriber's
    // child (separate 2000B because SBR02 differs); C4 another subscriber.
    let mut cfg = config();
    cfg.interchange.max_claims_per_transaction = 10;
    let mut out = Vec::new();
    write(&mut out, &sample_claims(), &cfg, &envelope()).unwrap();
    keep_837("unit-edi837-hierarchy", &out);
    let text = String::from_utf8(out).unwrap();
    let hls: Vec<&str> = text.lines().filter(|l| l.starts_with("HL*")).collect();
    assert_eq!(
        hls,
        ["HL*1**20*1~", "HL*2*1*22*0~", "HL*3*1*22*1~", "HL*4*3*23*0~", "HL*5*1*22*0~"]
    );
    let clms: Vec<&str> =
        text.lines().filter(|l| l.starts_with("CLM*")).map(|l| &l[4..6]).collect();
    assert_eq!(clms, ["C1", "C3", "C2", "C4"]);
    assert!(crate::validate::validate_file("t", text.as_bytes()).is_valid());
}

#[test]
fn output_is_deterministic_for_any_thread_count() {
    let claims = sample_claims();
    let mut a = Vec::new();
    write(&mut a, &claims, &config(), &envelope()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let mut b = Vec::new();
    pool.install(|| write(&mut b, &claims, &config(), &envelope()).unwrap());
    assert_eq!(a, b);
}

#[test]
fn refuses_delimiter_in_data_and_empty_input() {
    let mut claims = sample_claims();
    claims[0].subscriber.last = "O*BRIEN".into();
    let err = write(Vec::new(), &claims, &config(), &envelope()).unwrap_err();
    assert!(err.to_string().contains("delimiter"), "{err}");
    let none: Vec<Claim> = Vec::new();
    assert!(write(Vec::new(), &none, &config(), &envelope()).is_err());
}

#[test]
fn round_trip_field_by_field() {
    let claims = sample_claims();
    let (text, _) = written(&claims);
    let back = read(text.as_bytes()).unwrap();
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    // The writer groups C3 before C2 (same subscriber first); compare by id.
    assert_eq!(back.claims.len(), claims.len());
    for want in claims.into_iter().map(as_carried) {
        let got = back.claims.iter().find(|c| c.claim_id == want.claim_id).unwrap();
        assert_eq!(got.billing, want.billing, "{}", want.claim_id);
        assert_eq!(got.payer, want.payer, "{}", want.claim_id);
        assert_eq!(got.member_id, want.member_id);
        assert_eq!(got.group_number, want.group_number);
        assert_eq!(got.subscriber, want.subscriber, "{}", want.claim_id);
        assert_eq!(got.relationship, want.relationship);
        assert_eq!(got.patient, want.patient);
        assert_eq!(got.place_of_service, want.place_of_service);
        assert_eq!(got.frequency, want.frequency);
        assert_eq!(got.original_ref, want.original_ref);
        assert_eq!(got.prior_auth, want.prior_auth);
        assert_eq!(got.onset_date, want.onset_date);
        assert_eq!(got.rendering, want.rendering);
        assert_eq!(got.referring, want.referring);
        assert_eq!(got.diagnoses, want.diagnoses);
        assert_eq!(got.lines, want.lines, "{}", want.claim_id);
        assert_eq!(got, &want);
    }
}

#[test]
fn reader_tolerates_other_delimiters_and_unknown_loops() {
    let mut cfg = config();
    cfg.interchange.element = "|".into();
    cfg.interchange.component = ">".into();
    cfg.interchange.segment = "\n".into();
    cfg.interchange.newline = false;
    let claims = sample_claims();
    let mut out = Vec::new();
    write(&mut out, &claims, &cfg, &envelope()).unwrap();
    keep_837("unit-edi837-delimiters", &out);
    let text = String::from_utf8(out).unwrap();
    // Splice in a pay-to loop and a 2420A line rendering provider.
    let text =
        text.replacen("HL|2|1|22|0\n", "NM1|87|2\nN3|PO BOX 1\nN4|X|IL|62701\nHL|2|1|22|0\n", 1);
    let text =
        text.replacen("REF|6R|C1-1\n", "REF|6R|C1-1\nNM1|82|1|OTHER|DOC||||XX|1245319599\n", 1);
    let back = read(text.as_bytes()).unwrap();
    let c1 = back.claims.iter().find(|c| c.claim_id == "C1").unwrap();
    assert_eq!(c1.billing.address.city, "Springfield");
    assert_eq!(c1.rendering, None, "2420A is not the claim's rendering provider");
    assert_eq!(c1.lines.len(), 1);
    assert_eq!(back.claims.len(), 4);
}

#[test]
fn reader_reports_problems_without_panicking() {
    assert!(read(b"not x12 at all").is_err());
    let (text, _) = written(&sample_claims());
    let broken = text.replacen("DTP*472*D8*20240301~", "DTP*472*D8*2024XX01~", 1);
    let back = read(broken.as_bytes()).unwrap();
    assert_eq!(back.warnings.len(), 1);
    assert!(back.warnings[0].message.contains("DTP*472"));
    for cut in (0..text.len()).step_by(97) {
        let _ = read(&text.as_bytes()[..cut]);
    }
}

#[test]
fn reads_public_samples_when_present() {
    // Optional: ../shared/x12-samples exists on the development machine only.
    // (../shared from the project root; ../../shared from a git worktree.)
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(entries) = ["../shared/x12-samples/837p", "../../shared/x12-samples/837p"]
        .iter()
        .find_map(|rel| walk(&root.join(rel)).ok())
    else {
        return;
    };
    let (mut files, mut claims, mut lines) = (0, 0, 0);
    for path in entries {
        let Ok(bytes) = std::fs::read(&path) else { continue };
        // Must not panic on any sample; claims read must carry their CLM01.
        if let Ok(r) = read(&bytes) {
            files += 1;
            claims += r.claims.len();
            lines += r.claims.iter().map(|c| c.lines.len()).sum::<usize>();
            for c in &r.claims {
                assert!(!c.claim_id.is_empty(), "{}: claim without CLM01", path.display());
            }
        }
    }
    eprintln!("public 837P samples: {files} files, {claims} claims, {lines} lines");
    if files > 0 {
        assert!(claims > 0 && lines >= claims, "{files} files, {claims} claims, {lines} lines");
    }
}

fn walk(dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            out.extend(walk(&p)?);
        } else {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

mod prop;
