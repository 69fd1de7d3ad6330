//! `claimflow build` on the demo export, an 835 written for the claims as
//! built, and `reconcile` with the ledger: every figure checked.

use super::*;

/// Wraps transaction-set bodies into one 835 interchange (SE01 counted).
fn interchange_835(sets: &[Vec<String>]) -> String {
    let mut segs = vec![
        "ISA*00*          *00*          *ZZ*TESTPAYER1     *ZZ*TESTSUBMITTER  *251201*0900*^*00501*000000777*0*T*:".to_string(),
        "GS*HP*TESTPAYER1*TESTSUBMITTER*20251201*0900*777*X*005010X221A1".to_string(),
    ];
    for (i, body) in sets.iter().enumerate() {
        let st = format!("{:04}", i + 1);
        segs.push(format!("ST*835*{st}"));
        segs.extend(body.iter().cloned());
        segs.push(format!("SE*{}*{st}", body.len() + 2));
    }
    segs.push(format!("GE*{}*777", sets.len()));
    segs.push("IEA*1*000000777".to_string());
    segs.iter().map(|s| format!("{s}~\n")).collect()
}

fn remit_header(bpr: &str, trace: &str, payer: &str) -> Vec<String> {
    [
        bpr,
        &format!("TRN*1*{trace}*1999999999"),
        "DTM*405*20251201",
        &format!("N1*PR*{payer} PLAN"),
        "N3*1 PAYER WAY",
        "N4*SPRINGFIELD*IL*627010001",
        &format!("REF*2U*{payer}"),
        "PER*BL*PROVIDER SERVICES*TE*5555550199",
        "N1*PE*TEST CLINIC*XX*1234567893",
        "LX*1",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// Build then reconcile end to end: `claimflow build` on the demo export
/// records claims in the ledger and writes the 837P; an 835 answers four of
/// the five claims (line ids taken from the 837 as built); `reconcile` with
/// the ledger classifies, reports and posts; every figure is checked.
#[test]
fn end_to_end_build_then_remit_then_reconcile_with_the_ledger() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::copy(fixture("build/claimflow.toml"), d.join("claimflow.toml")).unwrap();
    std::fs::copy(fixture("build/clean.csv"), d.join("clean.csv")).unwrap();
    let o = run(d, &["build", "clean.csv", "--out", "outbox", "--now", "2025-11-10T02:00"]);
    crate::util::keep_all_837(&d.join("outbox"));
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let built: Vec<PathBuf> = std::fs::read_dir(d.join("outbox"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "x12"))
        .collect();
    assert_eq!(built.len(), 1);
    let claims = claimflow::edi837::read_claims(&std::fs::read(&built[0]).unwrap()).unwrap();
    let ids: Vec<&str> = claims.iter().map(|c| c.claim_id.as_str()).collect();
    assert_eq!(ids, ["CF1001", "CF1002", "CF1003", "CF1004", "CF1005"]);
    let line_ids = |id: &str| -> Vec<String> {
        let c = claims.iter().find(|c| c.claim_id == id).unwrap();
        c.lines.iter().map(|l| l.line_id.clone()).collect()
    };
    let (l1, l2, l3, l4) =
        (line_ids("CF1001"), line_ids("CF1002"), line_ids("CF1003"), line_ids("CF1004"));

    let mut set1 = remit_header("BPR*C*329.25*C*CHK************20251201", "E2E100", "TESTPAYER1");
    set1.extend([
        // CF1001 paid: 80 % of each line, CO-45 for the rest.
        "CLP*CF1001*1*172.5*138**12*PAY-1001".to_string(),
        "NM1*QC*1*TESTER*ALICE****MI*MEM1001".into(),
        "SVC*HC:99213:25*125*100**1".into(),
        "DTM*472*20251101".into(),
        "CAS*CO*45*25".into(),
        format!("REF*6R*{}", l1[0]),
        "SVC*HC:36415*15*12**1".into(),
        "DTM*472*20251101".into(),
        "CAS*CO*45*3".into(),
        format!("REF*6R*{}", l1[1]),
        "SVC*HC:85025*32.5*26**1".into(),
        "DTM*472*20251101".into(),
        "CAS*CO*45*6.5".into(),
        format!("REF*6R*{}", l1[2]),
        // CF1002 partial: 97110 denied as not medically necessary (CO-50).
        "CLP*CF1002*1*409.7*190**12*PAY-1002".into(),
        "NM1*QC*1*SAMPLE*CARLA".into(),
        "SVC*HC:99214*185.5*150**1".into(),
        "DTM*472*20251102".into(),
        "CAS*CO*45*35.5".into(),
        format!("REF*6R*{}", l2[0]),
        "SVC*HC:97110:GP*180*0**3".into(),
        "DTM*150*20251102".into(),
        "DTM*151*20251104".into(),
        "CAS*CO*50*180".into(),
        format!("REF*6R*{}", l2[1]),
        "LQ*HE*N115".into(),
        "SVC*HC:J3301*44.2*40**2".into(),
        "DTM*472*20251102".into(),
        "CAS*CO*45*4.2".into(),
        format!("REF*6R*{}", l2[2]),
        // CF1004 denied for timely filing (CLP02 4, CO-29).
        "CLP*CF1004*4*85*0**12*PAY-1004".into(),
        "NM1*QC*1*TESTER*DAN****MI*MEM4004".into(),
        "SVC*HC:99212*85*0**1".into(),
        "DTM*472*20251105".into(),
        "CAS*CO*29*85".into(),
        format!("REF*6R*{}", l4[0]),
        // Interest paid with the check.
        "PLB*1234567893*20251231*L6:CF1001*-1.25".into(),
    ]);
    let mut set2 = remit_header("BPR*H*0*C*NON************20251201", "E2E200", "TESTMCARE");
    set2.extend([
        // CF1003: everything to the deductible.
        "CLP*CF1003*1*63.25*0*63.25*MB*PAY-1003".to_string(),
        "NM1*QC*1*TESTER*EVE****MI*MEM3003".into(),
        "SVC*HC:90686*38.25*0**1".into(),
        "DTM*472*20251103".into(),
        "CAS*PR*1*38.25".into(),
        format!("REF*6R*{}", l3[0]),
        "SVC*HC:90471*25*0**1".into(),
        "DTM*472*20251103".into(),
        "CAS*PR*1*25".into(),
        format!("REF*6R*{}", l3[1]),
    ]);
    let remit = interchange_835(&[set1, set2]);
    assert!(claimflow::validate::validate_file("e2e.835", remit.as_bytes()).is_valid());
    std::fs::write(d.join("e2e.835"), &remit).unwrap();

    let o = run(
        d,
        &[
            "reconcile",
            "e2e.835",
            "--config",
            "claimflow.toml",
            "--out",
            "recon",
            "--now",
            "2025-12-01",
        ],
    );
    // A partial payment and a denial need a person.
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let s = stdout(&o);
    assert!(
        s.contains("paid 1, partial 1, denied 1, patient_responsibility 1, reversed 0, unmatched 0, forwarded 0, outstanding 1"),
        "{s}"
    );
    assert!(
        s.contains(
            "tie-out: paid 328.00 + provider adjustments 1.25 = 329.25; BPR02 total 329.25: OK"
        ),
        "{s}"
    );
    assert!(
        s.contains("ledger: posted 4 claim payment(s) to their claims from 2 remittance(s)"),
        "{s}"
    );
    let csv = read(d.join("recon/claims.csv"));
    assert_eq!(
        csv.lines().skip(1).collect::<Vec<_>>(),
        [
            "CF1001,TESTPAYER1,PAY-1001,paid,claim_id,172.50,138.00,138.00,0.00,34.50,0.00,0.00,0.00,CO-45,,E2E100,2025-12-01",
            "CF1002,TESTPAYER1,PAY-1002,partial,claim_id,409.70,190.00,190.00,0.00,39.70,180.00,0.00,0.00,CO-45;CO-50,N115,E2E100,2025-12-01",
            "CF1004,TESTPAYER1,PAY-1004,denied,claim_id,85.00,0.00,0.00,0.00,0.00,85.00,0.00,0.00,CO-29,,E2E100,2025-12-01",
            "CF1003,TESTMCARE,PAY-1003,patient_responsibility,claim_id,63.25,63.25,0.00,63.25,0.00,0.00,0.00,0.00,PR-1,,E2E200,2025-12-01",
            "CF1005,TESTPAYER1,,outstanding,,160.00,,,,,,,,,,,",
        ]
    );
    let lines = read(d.join("recon/lines.csv"));
    assert_eq!(lines.lines().count(), 1 + 3 + 3 + 1 + 2);
    assert!(lines.lines().skip(1).all(|l| l.contains(",line_id,")), "{lines}");
    assert!(lines.contains(&format!("CF1002,{},97110:GP,TESTPAYER1,PAY-1002,denied,line_id,180.00,0.00,0.00,0.00,0.00,180.00,0.00,0.00,CO-50,N115,E2E100,2025-12-01", l2[1])), "{lines}");
    let denials = read(d.join("recon/denials.csv"));
    assert_eq!(
        denials.lines().skip(1).collect::<Vec<_>>(),
        [
            format!("CF1002,{},97110:GP,TESTPAYER1,PAY-1002,180.00,0.00,180.00,CO-50,N115,medical necessity,appeal,E2E100,2025-12-01", l2[1]),
            "CF1004,,,TESTPAYER1,PAY-1004,85.00,0.00,85.00,CO-29,,timely filing,appeal,E2E100,2025-12-01".to_string(),
        ]
    );
    assert_eq!(
        read(d.join("recon/provider_adjustments.csv")).lines().nth(1),
        Some("TESTPAYER1,1234567893,2025-12-31,L6,CF1001,CF1001,-1.25,1.25,E2E100,2025-12-01")
    );
    assert_eq!(
        read(d.join("recon/outstanding.csv")).lines().nth(1),
        Some("CF1005,TESTPAYER1,160.00,160.00,2025-11-10,21")
    );
    let db = d.join("claimflow.db");
    assert_eq!(
        query(&db, "SELECT claim_id || ':' || status FROM claims ORDER BY claim_id"),
        [
            "CF1001:paid",
            "CF1002:partial",
            "CF1003:patient_responsibility",
            "CF1004:denied",
            "CF1005:sent"
        ]
    );
    // Applying the same 835 again posts nothing.
    let o = run(
        d,
        &[
            "reconcile",
            "e2e.835",
            "--config",
            "claimflow.toml",
            "--out",
            "recon2",
            "--now",
            "2025-12-02",
        ],
    );
    let s = stdout(&o);
    assert!(s.contains("remittance trace E2E100 was already applied: nothing posted"), "{s}");
    assert!(s.contains("remittance trace E2E200 was already applied: nothing posted"), "{s}");
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM claim_payments"), ["4"]);
}
