//! The writer: envelope, header, claim and line segments, rendering and
//! pay-to providers, grouping under billing provider and subscriber,
//! deterministic output for any thread count, refused input.

use super::*;

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
