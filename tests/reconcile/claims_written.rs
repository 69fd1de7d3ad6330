//! Claims made with the claim model, written by the 837P writer, answered by
//! hand-written 835s and reconciled: every figure of claims.csv checked.

use chrono::{NaiveDate, NaiveDateTime};

use claimflow::claim::{
    Address, BillingProvider, Claim, Frequency, Payer, Person, Relationship, ServiceLine, Sex,
    Source,
};

use super::*;

/// (line id, procedure, modifiers, charge, units, day of March 2026)
type DemoLine<'a> = (&'a str, &'a str, &'a [&'a str], &'a str, &'a str, u32);

fn demo_claim(id: &str, lines: &[DemoLine<'_>]) -> Claim {
    let address = Address {
        line1: "1 Test St".into(),
        line2: None,
        city: "Springfield".into(),
        state: "IL".into(),
        zip: "62701".into(),
    };
    Claim {
        claim_id: id.into(),
        billing: BillingProvider {
            npi: "1234567893".into(),
            name: "Demo Medical Group".into(),
            tax_id: "123456789".into(),
            taxonomy: None,
            address: Address {
                zip: "627010001".into(),
                line1: "100 Main St".into(),
                ..address.clone()
            },
            ..Default::default()
        },
        payer: Payer {
            id: "DEMOPAYER1".into(),
            name: "Demo Health Plan".into(),
            filing_indicator: "CI".into(),
        },
        member_id: "TESTMEMBER01".into(),
        group_number: None,
        subscriber: Person {
            last: "TESTPATIENT".into(),
            first: "E2E".into(),
            middle: None,
            dob: NaiveDate::from_ymd_opt(1980, 1, 1),
            sex: Some(Sex::Unknown),
            address,
        },
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
        diagnoses: vec!["R69".into()],
        lines: lines
            .iter()
            .map(|(line_id, proc, mods, charge, units, day)| ServiceLine {
                line_id: line_id.to_string(),
                service_date: NaiveDate::from_ymd_opt(2026, 3, *day).unwrap(),
                service_date_end: None,
                procedure: proc.to_string(),
                modifiers: mods.iter().map(|m| m.to_string()).collect(),
                units: dec(units),
                unit: None,
                charge: dec(charge),
                dx_pointers: vec![1],
                ndc: None,
                adjudications: Vec::new(),
                ndc_quantity: None,
                ndc_unit: None,
                row: 0,
            })
            .collect(),
        stated_total: None,
        other_payers: Vec::new(),
        insurance_type: None,
        source: Source::default(),
    }
}

/// Claims built with the claim model, written by the 837P writer, answered
/// by the hand-written 835s, reconciled: every figure of claims.csv checked.
#[test]
fn end_to_end_claims_written_then_remitted_then_reconciled() {
    let dir = tempfile::tempdir().unwrap();
    let mut c1010 = demo_claim("C1010", &[("C1010-1", "99212", &[], "90", "1", 10)]);
    c1010.frequency = Frequency::Replacement;
    c1010.original_ref = Some("PCN-1010".into());
    let mut c1009 = demo_claim("C1009", &[("C1009-1", "99213", &[], "100", "1", 9)]);
    // C1009 and C1010 were sent to DEMOPAYER2, whose set T300 answers them.
    for c in [&mut c1009, &mut c1010] {
        c.payer = Payer {
            id: "DEMOPAYER2".into(),
            name: "Second Demo Plan".into(),
            filing_indicator: "CI".into(),
        };
    }
    let claims = vec![
        demo_claim(
            "C1001",
            &[("C1001-1", "99213", &[], "100", "1", 1), ("C1001-2", "81002", &[], "20", "1", 1)],
        ),
        demo_claim(
            "C1002",
            &[
                ("C1002-1", "99214", &["25"], "150", "1", 2),
                ("C1002-2", "93000", &[], "50", "1", 2),
            ],
        ),
        demo_claim("C1003", &[("C1003-1", "99203", &[], "200", "1", 3)]),
        demo_claim("C1004", &[("C1004-1", "99213", &[], "100", "1", 4)]),
        demo_claim("C1005-LONG-CLAIM-ID", &[("C1005-1", "99212", &[], "80", "1", 5)]),
        demo_claim("C1006", &[("C1006-1", "99213", &[], "100", "1", 6)]),
        demo_claim("C1007", &[("C1007-1", "99215", &[], "180", "1", 7)]),
        demo_claim("C1008", &[("C1008-1", "97110", &[], "160", "4", 8)]),
        c1009,
        c1010,
    ];
    let cfg =
        claimflow::config::Config::load(std::path::Path::new(&fixture("claimflow.toml"))).unwrap();
    let env = claimflow::edi837::Envelope {
        interchange_control: 201,
        group_control: 201,
        now: NaiveDateTime::parse_from_str("2026-03-11 12:00", "%Y-%m-%d %H:%M").unwrap(),
    };
    let mut bytes = Vec::new();
    claimflow::edi837::write(&mut bytes, &claims, &cfg, &env).unwrap();
    assert!(claimflow::validate::validate_file("claims.837", &bytes).is_valid());
    crate::util::keep_for_oracle("837", "reconcile-e2e.x12", &bytes);
    let sent = dir.path().join("sent.837");
    std::fs::write(&sent, &bytes).unwrap();

    let [r1, r2] = remits();
    let o = run(
        dir.path(),
        &["reconcile", &r1, &r2, "--claims", &sent.display().to_string(), "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let csv = read(dir.path().join("out/claims.csv"));
    let rows: Vec<&str> = csv.lines().collect();
    let expected = [
        "claim_id,payer_id,payer_claim_id,status,match_rule,billed,allowed,paid,patient_responsibility,contractual,denied,other_adjustments,variance,carc_codes,rarc_codes,check_trace,payment_date",
        "C1001,DEMOPAYER1,PCN-1001,paid,claim_id,120.00,87.00,87.00,0.00,33.00,0.00,0.00,0.00,CO-45,,T100,2026-03-15",
        "C1002,DEMOPAYER1,PCN-1002,partial,claim_id,200.00,100.00,100.00,0.00,50.00,50.00,0.00,0.00,CO-45;CO-97,M15,T100,2026-03-15",
        "C1003,DEMOPAYER1,PCN-1003,denied,claim_id,200.00,0.00,0.00,0.00,0.00,200.00,0.00,0.00,CO-16,MA130,T100,2026-03-15",
        "C1004,DEMOPAYER1,PCN-1004,patient_responsibility,claim_id,100.00,80.00,0.00,80.00,20.00,0.00,0.00,0.00,PR-1;CO-45,,T100,2026-03-15",
        "C1005-LONG-CLAIM-ID,DEMOPAYER1,PCN-1005,paid,claim_id_prefix,80.00,80.00,80.00,0.00,0.00,0.00,0.00,0.00,,,T100,2026-03-15",
        "C1006,DEMOPAYER1,PCN-1006,paid,claim_id,100.00,90.00,90.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T100,2026-03-15",
        "C1006,DEMOPAYER1,PCN-1006,reversed,claim_id,-100.00,-90.00,-90.00,0.00,-10.00,0.00,0.00,0.00,CO-45,,T200,2026-03-18",
        "C1006,DEMOPAYER1,PCN-1006B,paid,claim_id,100.00,95.00,95.00,0.00,5.00,0.00,0.00,0.00,CO-45,,T200,2026-03-18",
        "C1007,DEMOPAYER1,PCN-1007,paid,claim_id,180.00,110.00,110.00,0.00,70.00,0.00,0.00,0.00,CO-45,,T200,2026-03-18",
        "C1008,DEMOPAYER1,PCN-1008,paid,claim_id,160.00,120.00,120.00,0.00,40.00,0.00,0.00,0.00,CO-45,,T200,2026-03-18",
        "ZZ-NOT-OURS-1,DEMOPAYER1,PCN-9999,unmatched,none,50.00,50.00,50.00,0.00,0.00,0.00,0.00,0.00,,,T200,2026-03-18",
        "C1009,DEMOPAYER2,PCN-1009,paid+forwarded,claim_id,100.00,80.00,60.00,20.00,20.00,0.00,0.00,0.00,CO-45;PR-2,,T300,2026-03-18",
        "C1010,DEMOPAYER2,PCN-1010,paid,payer_claim_id,90.00,70.00,70.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T300,2026-03-18",
    ];
    assert_eq!(rows, expected);
    // Every line matched a line the writer sent, by the rule the scenario needs.
    let lines = read(dir.path().join("out/lines.csv"));
    let rules: Vec<&str> = lines.lines().skip(1).map(|l| l.split(',').nth(6).unwrap()).collect();
    assert_eq!(
        rules,
        [
            "line_id",
            "line_id",
            "line_id",
            "line_id",
            "line_id",
            "line_id",
            "procedure",
            "line_id",
            "line_id",
            "line_id",
            "original_procedure",
            "line_id",
            "procedure_date",
            "none",
            "line_id",
            "procedure"
        ]
    );
    let denials = read(dir.path().join("out/denials.csv"));
    assert!(denials.contains("C1002,C1002-2,93000,DEMOPAYER1,PCN-1002,50.00,0.00,50.00,CO-97,M15,bundled,write off,T100,2026-03-15"), "{denials}");
    assert!(denials.contains("C1003,,,DEMOPAYER1,PCN-1003,200.00,0.00,200.00,CO-16,MA130,missing information,correct and resubmit,T100,2026-03-15"), "{denials}");
    let plb = read(dir.path().join("out/provider_adjustments.csv"));
    assert!(
        plb.contains("DEMOPAYER1,1234567893,2026-12-31,L6,C1001,C1001,-2.50,2.50,T100,2026-03-15"),
        "{plb}"
    );
    assert!(
        plb.contains(
            "DEMOPAYER1,1234567893,2026-12-31,WO,PCN-1002,C1002,30.00,-30.00,T100,2026-03-15"
        ),
        "{plb}"
    );
    assert!(
        plb.contains(
            "DEMOPAYER2,1234567893,2026-12-31,FB,PCN-1009,C1009,10.00,-10.00,T300,2026-03-18"
        ),
        "{plb}"
    );
    let s = stdout(&o);
    assert!(
        s.contains(
            "tie-out: paid 772.00 + provider adjustments -37.50 = 734.50; BPR02 total 734.50: OK"
        ),
        "{s}"
    );
}
