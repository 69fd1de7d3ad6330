//! The COB 837P: the primary claim's 2320/2330 loops, the golden COB claims,
//! the primary's adjudication carried, the guides' COB examples, Medicare's
//! insurance type, REF*F8 of a replacement, the secondary scrub rules.

use super::*;

#[test]
fn primary_claim_carries_other_coverage_for_self_and_spouse_subscribers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let all = segments(&d.join("out/claims-000000001.x12"));
    // The patient is the secondary subscriber: 2320 SBR02 18, 2330A the patient.
    let c1 = claim_segments(&all, "C3001");
    let at = c1.iter().position(|s| s == "SBR*S*18*SG300******CI").expect("2320 of C3001");
    assert_eq!(
        c1[at..at + 6],
        [
            "SBR*S*18*SG300******CI",
            "OI***Y***Y",
            "NM1*IL*1*Testcob*Alma****MI*SEC00001",
            "N3*12 Sample Rd",
            "N4*Springfield*IL*62704",
            "NM1*PR*2*Demo Secondary Plan*****PI*DEMOSECOND",
        ]
    );
    // 2320 comes before the lines.
    assert!(at < c1.iter().position(|s| s == "LX*1").unwrap());
    // The spouse is the secondary subscriber: SBR02 01, 2330A the spouse at
    // the patient's address (no address columns given).
    let c2 = claim_segments(&all, "C3002");
    let at = c2.iter().position(|s| s.starts_with("SBR*S*")).unwrap();
    assert_eq!(c2[at], "SBR*S*01*SG300******CI");
    assert_eq!(c2[at + 2], "NM1*IL*1*Testcob*Bruno****MI*SEC00002");
    assert_eq!(c2[at + 3], "N3*14 Sample Rd");
    // A dependent whose other parent holds the secondary: 2330A with its own address.
    let c3 = claim_segments(&all, "C3003");
    assert!(c3.contains(&"SBR*S*19*SG300******CI".to_string()));
    assert!(c3.contains(&"N4*Chicago*IL*60601".to_string()));
    // No secondary coverage, no 2320.
    assert!(!claim_segments(&all, "C3007").iter().any(|s| s.starts_with("SBR*")));
    // The primary's own 2000B stays SBR01 P.
    assert!(all.iter().filter(|s| s.starts_with("SBR*P*")).count() >= 7);
    // Read back: the other payer is in the model.
    let read =
        claimflow::edi837::read(&fs::read(d.join("out/claims-000000001.x12")).unwrap()).unwrap();
    let c = read.claims.iter().find(|c| c.claim_id == "C3002").unwrap();
    assert_eq!(c.other_payers.len(), 1);
    assert_eq!(c.other_payers[0].payer.id, "DEMOSECOND");
    assert_eq!(c.other_payers[0].member_id, "SEC00002");
    assert_eq!(c.other_payers[0].relationship, claimflow::claim::Relationship::Spouse);
}

#[test]
fn secondary_writes_the_golden_cob_claims_and_lists_the_others() {
    let dir = primary_posted();
    let d = dir.path();
    let o = secondary(d, &[]);
    // C3006 does not balance: held back, a person must look.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = text(&o);
    assert!(out.contains("sent 4 COB claim(s) to secondary payers, 630.00"), "{out}");
    assert!(out.contains("claim C3004 (DEMOPAYER1 -> DEMOSECOND): denied by the primary payer (CO-50); next action: appeal"), "{out}");
    assert!(
        out.contains("claim C3008 (DEMOPAYER1 -> DEMOSECOND): the primary's payment was reversed"),
        "{out}"
    );
    assert!(out.contains("[837-COB-CLAIM]") && out.contains("claim C3006"), "{out}");
    let got = fs::read(d.join("cob/secondary-000000002.x12")).expect("COB 837P, ISA13 2");
    let golden = root().join("fixtures/golden/secondary-cob.837");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::write(&golden, &got).unwrap();
    }
    let want = fs::read(&golden).expect("golden file (UPDATE_GOLDEN=1 cargo test to create)");
    assert!(
        got == want,
        "output differs from {}\n~~~ got\n{}~~~",
        golden.display(),
        String::from_utf8_lossy(&got)
    );
    // Our own validation, COB balancing included, passes.
    let o = run(d, &["validate", "cob/secondary-000000002.x12"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}

#[test]
fn the_cob_claim_carries_the_primary_adjudication() {
    let dir = primary_posted();
    let d = dir.path();
    secondary(d, &[]);
    let all = segments(&d.join("cob/secondary-000000002.x12"));
    let c1 = claim_segments(&all, "C3001");
    // 2000B for the secondary coverage: SBR01 S, the secondary's member id.
    let hl = all.iter().position(|s| s.starts_with("CLM*C3001*")).unwrap();
    assert!(
        all[..hl].iter().rev().find(|s| s.starts_with("SBR*")).unwrap() == "SBR*S*18*SG300******CI"
    );
    assert!(all[..hl].contains(&"NM1*IL*1*Testcob*Alma****MI*SEC00001".to_string()));
    for want in [
        "SBR*P*18*GRP300******CI",
        "CAS*CO*253*2",
        "AMT*D*98",
        "NM1*IL*1*Testcob*Alma****MI*COB00001",
        "NM1*PR*2*Demo Health Plan*****PI*DEMOPAYER1",
        "REF*F8*PCN3001",
        "SVD*DEMOPAYER1*100*HC:99214**1",
        "CAS*PR*2*30",
        "DTP*573*D8*20260401",
        "AMT*EAF*30",
    ] {
        assert!(c1.contains(&want.to_string()), "{want} missing from {c1:?}");
    }
    // Line-level detail given: no claim-level AMT*EAF, no 2330B DTP*573.
    let lx = c1.iter().position(|s| s == "LX*1").unwrap();
    assert!(!c1[..lx].iter().any(|s| s.starts_with("AMT*EAF") || s.starts_with("DTP*573")));
    // Claim-level only (C3005's 835 has no SVC): AMT*EAF in 2320, DTP*573 in 2330B, no 2430.
    let c5 = claim_segments(&all, "C3005");
    assert!(c5.contains(&"AMT*EAF*20".to_string()));
    assert!(c5.contains(&"DTP*573*D8*20260401".to_string()));
    assert!(!c5.iter().any(|s| s.starts_with("SVD")));
    // The spouse holds the secondary: 2000C for the patient, 2330A the primary subscriber.
    let hl2 = all.iter().position(|s| s.starts_with("CLM*C3002*")).unwrap();
    assert!(all[..hl2].contains(&"NM1*IL*1*Testcob*Bruno****MI*SEC00002".to_string()));
    assert!(all[..hl2].contains(&"PAT*01".to_string()));
}

#[test]
fn a_replacement_takes_ref_f8_from_the_ledger() {
    let dir = primary_posted();
    let d = dir.path();
    // C3007 corrected (charge 80) as a replacement without original_ref, and
    // C3099, which the ledger never saw, the same way.
    let src = fs::read_to_string(fixture("encounters/cob.csv")).unwrap();
    let header = src.lines().next().unwrap();
    let freq = header.split(',').position(|h| h == "frequency").unwrap();
    let charge = header.split(',').position(|h| h == "charge").unwrap();
    let row = src.lines().find(|l| l.starts_with("C3007,")).unwrap();
    let mut cells: Vec<String> = row.split(',').map(str::to_string).collect();
    cells[freq] = "7".into();
    cells[charge] = "80.00".into();
    let fixed = cells.join(",");
    let unknown = fixed.replacen("C3007,", "C3099,", 1);
    let export = d.join("corrections.csv");
    fs::write(&export, format!("{header}\n{fixed}\n{unknown}\n")).unwrap();
    let o = build(d, &export.display().to_string(), "out2", "2026-04-05");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let all = segments(&d.join("out2/claims-000000002.x12"));
    let c = claim_segments(&all, "C3007");
    assert_eq!(c[0], "CLM*C3007*80***11:B:7*Y*A*Y*Y");
    assert!(c.contains(&"REF*F8*PCN3007".to_string()), "{c:?}");
    assert!(!all.iter().any(|s| s.starts_with("CLM*C3099")));
    let rejects = fs::read_to_string(d.join("out2/rejects.csv")).unwrap();
    assert!(rejects.contains("C3099") && rejects.contains("E-FREQ-001"), "{rejects}");
    assert!(!rejects.contains("C3007"), "{rejects}");
}

#[test]
fn secondary_scrub_rules_name_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = fs::read_to_string(fixture("encounters/cob.csv")).unwrap();
    let header = src.lines().next().unwrap();
    let col = |name: &str| header.split(',').position(|h| h == name).unwrap();
    let row = src.lines().find(|l| l.starts_with("C3005,")).unwrap();
    let variant = |id: &str, edits: &[(&str, &str)]| {
        let mut cells: Vec<String> = row.split(',').map(str::to_string).collect();
        cells[0] = id.into();
        for (c, v) in edits {
            cells[col(c)] = v.to_string();
        }
        cells.join(",")
    };
    let rows = [
        variant("X1", &[("secondary_payer_id", "NOSUCHPLAN")]),
        variant("X2", &[("secondary_payer_id", "DEMOPAYER1")]),
        variant("X3", &[("secondary_member_id", "")]),
        variant(
            "X4",
            &[("secondary_relationship", "spouse"), ("secondary_subscriber_last", "Testcob")],
        ),
        variant("X5", &[("secondary_payer_id", "")]),
        variant("X6", &[("secondary_subscriber_first", "Ignored")]),
    ];
    let export = d.join("bad.csv");
    fs::write(&export, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
    let o = run(
        d,
        &[
            "check",
            &export.display().to_string(),
            "--config",
            &fixture("claimflow.toml"),
            "--now",
            "2026-03-20",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let findings = v["findings"].as_array().expect("findings");
    let find = |claim: &str, rule: &str| {
        findings
            .iter()
            .find(|f| f["claim_id"] == claim && f["rule"] == rule)
            .unwrap_or_else(|| panic!("{claim} {rule} in {findings:?}"))
    };
    let f = find("X1", "E-COB-001");
    assert_eq!((f["row"].as_u64(), f["column"].as_str()), (Some(2), Some("secondary_payer_id")));
    assert!(f["message"].as_str().unwrap().contains("NOSUCHPLAN"));
    let f = find("X2", "E-COB-002");
    assert!(f["message"].as_str().unwrap().contains("the claim's own payer"));
    let f = find("X3", "E-COB-003");
    assert_eq!((f["row"].as_u64(), f["column"].as_str()), (Some(4), Some("secondary_member_id")));
    let f = find("X4", "E-COB-004");
    assert_eq!(f["column"], "secondary_subscriber_first");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("secondary_subscriber_first, secondary_subscriber_dob, secondary_subscriber_sex are empty"), "{m}");
    assert!(!m.contains("Testcob"), "no PHI in messages: {m}");
    find("X5", "E-COB-005");
    let f = find("X6", "W-COB-001");
    assert_eq!(f["severity"], "warning");
}

/// The guide's own COB examples (public TR3 samples, read in place when
/// `CLAIMFLOW_SAMPLES` names the sample folder) balance under our rules,
/// including the one whose AMT*D is the lines' paid less claim-level CAS.
#[test]
fn the_guides_cob_examples_balance() {
    let Some(samples) = std::env::var_os("CLAIMFLOW_SAMPLES") else {
        eprintln!("CLAIMFLOW_SAMPLES not set: the public COB samples are not checked");
        return;
    };
    let dir = Path::new(&samples).join("837p");
    let mut checked = 0;
    for name in [
        "837p-cob-claim-billing-provider-to-payer-b-2320-2430-tr3-from-stupidedi.edi",
        "837p-cob-payer-a-to-payer-b-crossover-2320-2430-tr3-from-stupidedi.edi",
        "837p-medicare-secondary-payer-cob-2430-tr3-from-stupidedi.edi",
    ] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        let bytes = fs::read(&path).unwrap();
        let report = claimflow::validate::validate_file(name, &bytes);
        let cob: Vec<_> =
            report.findings.iter().filter(|f| f.rule.starts_with("837-COB")).collect();
        assert!(cob.is_empty(), "{name}: {cob:?}");
        // The claim is read with its other payer and line adjudications.
        let claims = claimflow::edi837::read(&bytes).unwrap().claims;
        assert!(claims[0].other_payers.iter().any(|o| o.paid.is_some()), "{name}");
        assert!(claims[0].lines.iter().any(|l| !l.adjudications.is_empty()), "{name}");
        checked += 1;
    }
    assert!(checked > 0, "no COB sample found under {}", dir.display());
}

/// Medicare as the secondary payer: the primary claim's 2320 and the COB
/// claim's 2000B carry SBR05, the insurance type given in
/// `secondary_insurance_type` or, when it is empty, the default for the
/// beneficiary's age (C3005's patient is 55 on the date of service: 43);
/// the primary's 2320 on the COB claim carries none.
#[test]
fn a_cob_claim_to_medicare_carries_the_insurance_type() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = fs::read_to_string(fixture("encounters/cob.csv")).unwrap();
    let mut lines = src.lines();
    let mut csv = format!("{},secondary_insurance_type\n", lines.next().unwrap());
    for row in lines {
        // Medicare's beneficiary is its subscriber: only the claims whose
        // patient is the secondary subscriber (not C3002, C3003) go to it.
        let row = if row.starts_with("C3002,") || row.starts_with("C3003,") {
            row.to_string()
        } else {
            row.replace(",DEMOSECOND,", ",DEMOMCARE,")
        };
        let t = if row.starts_with("C3001,") { "12" } else { "" };
        csv.push_str(&format!("{row},{t}\n"));
    }
    let export = d.join("medicare.csv");
    fs::write(&export, csv).unwrap();
    let o = build(d, &export.display().to_string(), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rejects = fs::read_to_string(d.join("out/rejects.csv")).unwrap();
    assert!(rejects.contains("C3005") && rejects.contains("W-COB-002"), "{rejects}");
    assert!(!rejects.lines().any(|l| l.starts_with("C3001,")), "{rejects}");
    let all = segments(&d.join("out/claims-000000001.x12"));
    assert!(claim_segments(&all, "C3001").contains(&"SBR*S*18*SG300**12****MB".to_string()));
    assert!(claim_segments(&all, "C3005").contains(&"SBR*S*18*SG300**43****MB".to_string()));
    // The primary's own 2000B (not Medicare) carries no SBR05.
    assert!(all.iter().filter(|s| s.starts_with("SBR*P*")).all(|s| s.ends_with("******CI")));

    let o = reconcile(d, "835/cob-primary.835", "recon", "2026-04-01");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = secondary(d, &[]);
    assert!(text(&o).contains("sent 4 COB claim(s) to secondary payers"), "{}", text(&o));
    let all = segments(&d.join("cob/secondary-000000002.x12"));
    let sbr_2000b = |id: &str| {
        let at = all.iter().position(|s| s.starts_with(&format!("CLM*{id}*"))).unwrap();
        all[..at].iter().rev().find(|s| s.starts_with("SBR*")).unwrap().clone()
    };
    assert_eq!(sbr_2000b("C3001"), "SBR*S*18*SG300**12****MB");
    assert_eq!(sbr_2000b("C3005"), "SBR*S*18*SG300**43****MB");
    assert!(claim_segments(&all, "C3001").contains(&"SBR*P*18*GRP300******CI".to_string()));
    let o = run(d, &["validate", "cob/secondary-000000002.x12"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
}
