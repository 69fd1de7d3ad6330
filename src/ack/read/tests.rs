//! Tests of the TA1, 999 and 277CA readers.

use super::*;

const ISA: &str = "ISA*00*          *00*          *ZZ*CH             *ZZ*US             *251202*0900*^*00501*000000009*0*T*:~";

#[test]
fn reads_a_ta1_before_the_groups_and_one_alone() {
    let file = format!("{ISA}TA1*000000001*251201*0200*R*024~IEA*0*000000009~");
    let (acks, scan) = read(file.as_bytes());
    assert!(scan.is_valid(), "{:?}", scan.findings);
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].kind(), "TA1");
    assert_eq!(
        acks[0].body,
        Body::Ta1(Ta1 { isa13: "000000001".into(), code: "R".into(), note: "024".into() })
    );
    assert_eq!(acks[0].pos.segment, 2);
}

#[test]
fn reads_999_sets_with_their_errors_and_keeps_no_bad_data() {
    let file = format!(
        "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
         AK1*HC*12*005010X222A1~AK2*837*0001~IK5*A~AK2*837*0002~IK3*NM1*16*2010*8~\
         CTX*CLM01:C9~IK4*9*67*7*MEMBER123~IK5*R*5~AK9*P*2*2*1~SE*11*0001~GE*1*9~IEA*1*000000009~"
    );
    let (acks, _) = read(file.as_bytes());
    assert_eq!(acks.len(), 2);
    let Body::Set(s) = &acks[1].body else { panic!("{:?}", acks[1]) };
    assert_eq!((s.gs06.as_str(), s.st02.as_str(), s.code.as_str()), ("12", "0002", "R"));
    assert_eq!(s.reasons, ["5"]);
    assert_eq!(s.group_code, "P");
    assert_eq!(
        s.errors[0].describe(),
        "segment 16 NM1 (loop 2010): IK304 8; element 9 (ref 67) IK403 7"
    );
    assert!(!format!("{:?}", acks).contains("MEMBER123"));
    assert_ne!(acks[0].fingerprint, acks[1].fingerprint);
}

#[test]
fn a_999_naming_no_set_answers_the_group() {
    let file = format!(
        "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
         AK1*HC*12*005010X222A1~AK9*R*1*1*0*1~SE*4*0001~GE*1*9~IEA*1*000000009~"
    );
    let (acks, _) = read(file.as_bytes());
    let Body::Set(s) = &acks[0].body else { panic!() };
    assert_eq!((s.st02.as_str(), s.code.as_str()), ("", "R"));
    assert_eq!(s.reasons, ["1"]);
}

#[test]
fn reads_277ca_claims_with_any_delimiters_and_no_names() {
    let file = "ISA|00|          |00|          |ZZ|CH             |ZZ|US             |251202|0900|^|00501|000000009|0|T|>\n\
GS|HN|CH|US|20251202|0900|9|X|005010X214\nST|277|0001|005010X214\nBHT|0085|08|B1|20251202|0900|TH\n\
HL|1||20|1\nNM1|PR|2|PAYER|||||PI|P1\nHL|2|1|21|1\nNM1|41|2|US|||||46|S1\nTRN|2|0000000010001\n\
HL|3|2|19|1\nNM1|85|2|DOC|||||XX|1234567893\nHL|4|3|PT\nNM1|QC|1|SECRETNAME|ANN\nTRN|2|C1\n\
STC|A3>21>PR|20251202|U|10||||||A7>164>IL\nREF|1K|PCN1\nREF|D9|TR1\nSVC|HC>99213|10|||||1\nSTC|A3>453>QC|20251202|U\n\
HL|5|3|PT\nNM1|QC|1|OTHER|BOB\nTRN|2|C2\nSTC|A2>20>PR|20251202|WQ|5\nSE|22|0001\nGE|1|9\nIEA|1|000000009\n";
    let (acks, scan) = read(file.as_bytes());
    assert!(scan.is_valid(), "{:?}", scan.findings);
    assert_eq!(acks.len(), 2);
    let Body::Claim(c) = &acks[0].body else { panic!() };
    assert_eq!(
        (c.source_id.as_str(), c.batch.as_str(), c.claim_id.as_str()),
        ("P1", "0000000010001", "C1")
    );
    assert_eq!(c.codes(), "A3:21:PR A7:164:IL; lines A3:453:QC");
    assert_eq!((c.payer_claim_id.as_str(), c.trace.as_str()), ("PCN1", "TR1"));
    assert_eq!(c.outcome(), Outcome::Rejected);
    let Body::Claim(c2) = &acks[1].body else { panic!() };
    assert_eq!(c2.outcome(), Outcome::Accepted);
    assert!(!format!("{acks:?}").contains("SECRETNAME"));
}

#[test]
fn reads_every_interchange_of_a_file() {
    let one = format!(
        "{ISA}GS*FA*CH*US*20251202*0900*9*X*005010X231A1~ST*999*0001*005010X231A1~\
         AK1*HC*12*005010X222A1~AK2*837*0001~IK5*A~AK9*A*1*1*1~SE*6*0001~GE*1*9~IEA*1*000000009~\n"
    );
    let two = one.replace("000000009", "000000010").replace("*12*", "*13*");
    let (acks, scan) = read(format!("{one}{two}").as_bytes());
    assert!(scan.is_valid(), "{:?}", scan.findings);
    let groups: Vec<(String, String)> = acks
        .iter()
        .map(|a| match &a.body {
            Body::Set(s) => (a.envelope.0.clone(), s.gs06.clone()),
            _ => panic!("{a:?}"),
        })
        .collect();
    assert_eq!(
        groups,
        [("000000009".to_string(), "12".to_string()), ("000000010".to_string(), "13".to_string())]
    );
    assert_ne!(acks[0].fingerprint, acks[1].fingerprint);
}

#[test]
fn categories_decide_acceptance() {
    let code =
        |c: &str| StatusCode { category: c.into(), status: "1".into(), entity: String::new() };
    for c in ["A1", "A2", "A5"] {
        assert_eq!(code(c).outcome(), Outcome::Accepted, "{c}");
    }
    for c in ["A3", "A4", "A6", "A7", "A8"] {
        assert_eq!(code(c).outcome(), Outcome::Rejected, "{c}");
    }
    assert_eq!(code("A0").outcome(), Outcome::Other);
    assert_eq!(code("A7").text(), "A7:1");
}
