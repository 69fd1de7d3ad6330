//! `claimflow secondary` and other coverage: the primary claim's 2320/2330
//! loops (self and spouse subscribers), the secondary scrub rules, the COB
//! 837P from the primary's 835 (golden file, pyx12 through the kept 837s),
//! balancing held back, denied and reversed claims, nothing sent twice, the
//! secondary's 835 reconciled to the secondary claim, patient
//! responsibility after all payers, and a replacement taking REF*F8 from
//! the ledger.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837, root};

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

/// `--config` and `--ledger` for the fixture config and a ledger in `dir`.
fn cfg(dir: &Path) -> [String; 4] {
    [
        "--config".into(),
        fixture("claimflow.toml"),
        "--ledger".into(),
        dir.join("claimflow.db").display().to_string(),
    ]
}

fn build(dir: &Path, export: &str, out: &str, now: &str) -> Output {
    let mut a: Vec<String> = vec!["build".into(), export.into(), "--out".into(), out.into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), now.into()]);
    let o = claimflow(dir).args(&a).output().unwrap();
    keep_all_837(&dir.join(out));
    o
}

fn reconcile(dir: &Path, remit: &str, out: &str, now: &str) -> Output {
    let mut a: Vec<String> = vec!["reconcile".into(), fixture(remit), "--out".into(), out.into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), now.into()]);
    claimflow(dir).args(&a).output().unwrap()
}

fn secondary(dir: &Path, extra: &[&str]) -> Output {
    let mut a: Vec<String> = vec!["secondary".into(), "--out".into(), "cob".into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), "2026-04-02".into()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    let o = claimflow(dir).args(&a).output().unwrap();
    keep_all_837(&dir.join("cob"));
    o
}

/// Build the COB export and reconcile the primary's 835 into a fresh ledger.
fn primary_posted() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = reconcile(d, "835/cob-primary.835", "recon", "2026-04-01");
    // A denial and a reversal without its correction need a person.
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    dir
}

fn segments(path: &Path) -> Vec<String> {
    fs::read_to_string(path).unwrap().split('~').map(|s| s.trim().to_string()).collect()
}

/// The segments of claim `id` (CLM to the next HL or SE) in an 837.
fn claim_segments(all: &[String], id: &str) -> Vec<String> {
    let start = all.iter().position(|s| s.starts_with(&format!("CLM*{id}*"))).unwrap();
    all[start..]
        .iter()
        .take_while(|s| !s.starts_with("HL*") && !s.starts_with("SE*"))
        .cloned()
        .collect()
}

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
fn running_twice_sends_nothing_twice_and_dry_run_records_nothing() {
    let dir = primary_posted();
    let d = dir.path();
    let o = secondary(d, &["--dry-run", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert!(v["x12_file"].is_null());
    assert!(!d.join("cob").exists(), "a dry run writes nothing");
    let first = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert_eq!(v["sent_charge"], "630.00");
    assert_eq!(v["isa13"], "000000002");
    let again = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 0, "{}", text(&again));
    assert!(v["x12_file"].is_null());
    assert_eq!(fs::read_dir(d.join("cob")).unwrap().count(), 1);
}

/// The ledger file's bytes and modification time, and its lock file's
/// bytes (the process id of the last run that took the lock).
fn snapshot(db: &Path) -> (Vec<u8>, std::time::SystemTime, Vec<u8>) {
    let lock = db.with_extension("db.lock");
    (
        fs::read(db).unwrap(),
        db.metadata().unwrap().modified().unwrap(),
        fs::read(lock).unwrap_or_default(),
    )
}

#[test]
fn a_dry_run_opens_the_ledger_read_only_and_never_writes_it() {
    let dir = primary_posted();
    let d = dir.path();
    let db = d.join("claimflow.db");
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = secondary(d, &["--dry-run", "--json"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 4);
    assert!(snapshot(&db) == before, "a dry run changed the ledger or took its lock");
    // An older ledger is read as it is, not upgraded.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("DELETE FROM schema_migrations WHERE version > 13", []).unwrap();
    drop(conn);
    let before = snapshot(&db);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let o = secondary(d, &["--dry-run", "--json"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(snapshot(&db) == before, "a dry run upgraded the ledger");
}

#[test]
fn the_secondary_835_is_reconciled_to_the_secondary_claim() {
    let dir = primary_posted();
    let d = dir.path();
    secondary(d, &[]);
    let o = reconcile(d, "835/cob-secondary.835", "recon2", "2026-04-21");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("paid 4, partial 0, denied 0"), "{}", text(&o));
    let claims = fs::read_to_string(d.join("recon2/claims.csv")).unwrap();
    assert_eq!(claims.lines().filter(|l| l.contains("DEMOSECOND")).count(), 4, "{claims}");
    let l = rusqlite::Connection::open(d.join("claimflow.db")).unwrap();
    let status = |id: &str, payer: &str| -> String {
        l.query_row(
            "SELECT status FROM claims WHERE claim_id = ?1 AND payer_id = ?2",
            [id, payer],
            |r| r.get(0),
        )
        .unwrap()
    };
    // Both payers' stories: the primary's claim keeps its own status.
    assert_eq!(status("C3001", "DEMOSECOND"), "paid");
    assert_eq!(status("C3001", "DEMOPAYER1"), "paid");
    assert_eq!(status("C3002", "DEMOPAYER1"), "partial");
    // The secondary submission is frequency 1 under the secondary payer.
    let freq: String = l
        .query_row(
            "SELECT frequency FROM claims WHERE claim_id = 'C3005' AND payer_id = 'DEMOSECOND'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(freq, "1");
    // Patient responsibility after all payers.
    let pr = |id: &str| -> (String, String, String) {
        l.query_row(
            "SELECT payer_id, amount, stage FROM patient_responsibility WHERE claim_id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(pr("C3005"), ("DEMOSECOND".into(), "5.00".into(), "after_secondary".into()));
    assert_eq!(pr("C3001"), ("DEMOSECOND".into(), "0.00".into(), "after_secondary".into()));
    assert_eq!(pr("C3004"), ("DEMOPAYER1".into(), "0.00".into(), "awaiting_secondary".into()));
    assert_eq!(pr("C3007"), ("DEMOPAYER1".into(), "15.00".into(), "final".into()));
}

#[test]
fn the_status_history_names_the_secondary_send_by_its_own_source() {
    let dir = primary_posted();
    let d = dir.path();
    let o = secondary(d, &[]);
    assert!(text(&o).contains("claim C3001 -> DEMOSECOND"), "{}", text(&o));
    let mut a: Vec<String> = vec!["status".into(), "C3001".into(), "--history".into()];
    a.extend(cfg(d));
    a.push("--json".into());
    let o = claimflow(d).args(&a).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let first_source = |payer: &str| {
        let c = v.as_array().unwrap().iter().find(|c| c["payer_id"] == payer).unwrap();
        c["history"][0]["source"].as_str().unwrap().to_string()
    };
    assert_eq!(first_source("DEMOPAYER1"), "build", "{v}");
    assert_eq!(first_source("DEMOSECOND"), "secondary", "{v}");
}

#[test]
fn a_claim_that_does_not_balance_is_held_with_its_findings() {
    let dir = primary_posted();
    let o = secondary(dir.path(), &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["held"], serde_json::json!(["C3006"]));
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["claim_id"] == "C3006")
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["837-COB-LINE", "837-COB-CLAIM", "837-COB-PAID"]);
    let msg = v["findings"][0]["message"].as_str().unwrap();
    assert!(msg.contains("line 2") && msg.contains("60.00"), "{msg}");
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

/// The job through the library: `claimflow::secondary::run` returns the
/// typed report and prints nothing.
#[test]
fn secondary_through_the_library() {
    use claimflow::{clock, config::Config, ledger::Ledger, progress::Progress, secondary};
    let dir = primary_posted();
    let d = dir.path();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let mut ledger = Ledger::open(&d.join("claimflow.db")).unwrap();
    let options =
        secondary::Options { now: clock::parse_now("2026-04-02").unwrap(), dry_run: false };
    let r = secondary::run(&config, &mut ledger, &d.join("lib"), &options, &Progress::silent())
        .unwrap();
    keep_all_837(&d.join("lib"));
    let ids: Vec<&str> = r.sent.iter().map(|s| s.claim_id.as_str()).collect();
    assert_eq!(ids, ["C3001", "C3002", "C3003", "C3005"]);
    assert_eq!(r.sent[0].patient_responsibility, "60".parse().unwrap());
    assert_eq!(r.not_sent.len(), 1);
    assert_eq!(r.not_sent[0].next_action, "appeal");
    assert_eq!(r.waiting[0].claim_id, "C3008");
    assert_eq!(r.held, ["C3006"]);
    assert!(r.needs_attention());
    assert!(r.x12_file.as_ref().unwrap().ends_with("secondary-000000002.x12"));
}

/// A denial is listed but does not fail the run: it is on reconcile's
/// worklist already, and an unworked denial would fail every nightly run.
#[test]
fn denials_alone_do_not_fail_the_run() {
    use claimflow::secondary::{NotSent, Report};
    let dir = primary_posted();
    let r: serde_json::Value =
        serde_json::from_slice(&secondary(dir.path(), &["--json"]).stdout).unwrap();
    assert_eq!(r["not_sent"][0]["claim_id"], "C3004");
    assert_eq!(r["not_sent"][0]["primary_status"], "denied");
    let denied = NotSent {
        claim_id: "C3004".into(),
        primary_payer_id: "DEMOPAYER1".into(),
        payer_id: "DEMOSECOND".into(),
        primary_status: "denied".into(),
        reason: "denied by the primary payer (CO-50)".into(),
        next_action: "appeal".into(),
    };
    let mut report = Report { not_sent: vec![denied], ..Report::default() };
    assert!(!report.needs_attention());
    report.held.push("C3006".into());
    assert!(report.needs_attention());
}

/// A primary that forwarded the claim itself (CLP02 19, crossover) is not
/// billed again: the claim is listed with the next action.
#[test]
fn a_claim_the_primary_forwarded_is_not_billed_again() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // The primary's 835 with C3001 processed as primary and forwarded.
    let remit = fs::read_to_string(fixture("835/cob-primary.835"))
        .unwrap()
        .replace("CLP*C3001*1*", "CLP*C3001*19*");
    fs::write(d.join("crossover.835"), remit).unwrap();
    let mut a: Vec<String> =
        vec!["reconcile".into(), "crossover.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    claimflow(d).args(&a).output().unwrap();
    let o = secondary(d, &["--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sent: Vec<&str> =
        v["sent"].as_array().unwrap().iter().map(|s| s["claim_id"].as_str().unwrap()).collect();
    assert_eq!(sent, ["C3002", "C3003", "C3005"]);
    let n = v["not_sent"].as_array().unwrap().iter().find(|n| n["claim_id"] == "C3001").unwrap();
    assert!(n["reason"].as_str().unwrap().contains("forwarded"), "{n}");
    assert_eq!(n["next_action"], "wait for the other payer's remittance");
}

/// A primary that split the claim over two claim payments (one per line):
/// the COB claim adds them up and is the same as for one payment.
#[test]
fn a_claim_the_primary_split_is_billed_once_with_both_payments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let remit = fs::read_to_string(fixture("835/cob-primary.835")).unwrap();
    let split = remit
        .replace("CLP*C3001*1*180*98*60*12*PCN3001~", "CLP*C3001*1*150*98*30*12*PCN3001~")
        .replace(
            "REF*6R*1~\nSVC*HC:36415*30*0**1~",
            "REF*6R*1~\nCLP*C3001*1*30*0*30*12*PCN3001~\nNM1*QC*1*TESTCOB*ALMA****MI*COB00001~\nSVC*HC:36415*30*0**1~",
        );
    assert_ne!(split, remit);
    // Two more segments in the set.
    let se = split.lines().find(|l| l.starts_with("SE*")).unwrap().to_string();
    let n: usize = se[3..se.find("*0001").unwrap()].parse().unwrap();
    let split = split.replace(&se, &format!("SE*{}*0001~", n + 2));
    fs::write(d.join("split.835"), split).unwrap();
    let o = run(d, &["validate", "split.835"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let mut a: Vec<String> =
        vec!["reconcile".into(), "split.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    let o = claimflow(d).args(&a).output().unwrap();
    assert!(o.status.code().is_some(), "{}", text(&o));
    let o = secondary(d, &[]);
    assert!(text(&o).contains("claim C3001 -> DEMOSECOND: charge 180.00, primary DEMOPAYER1 paid 98.00, patient responsibility 60.00"), "{}", text(&o));
    let got = segments(&d.join("cob/secondary-000000002.x12"));
    let want = segments(&root().join("fixtures/golden/secondary-cob.837"));
    assert_eq!(claim_segments(&got, "C3001"), claim_segments(&want, "C3001"));
}

#[test]
fn the_primary_835_is_found_from_any_working_directory() {
    // reconcile is given a relative path; secondary runs from another folder.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = build(d, &fixture("encounters/cob.csv"), "out", "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    fs::copy(fixture("835/cob-primary.835"), d.join("primary.835")).unwrap();
    let mut a: Vec<String> =
        vec!["reconcile".into(), "primary.835".into(), "--out".into(), "recon".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-01".into()]);
    let o = claimflow(d).args(&a).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let elsewhere = d.join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let mut a: Vec<String> = vec!["secondary".into(), "--out".into(), "cob".into()];
    a.extend(cfg(d));
    a.extend(["--now".into(), "2026-04-02".into(), "--dry-run".into()]);
    let o = claimflow(&elsewhere).args(&a).output().unwrap();
    let out = text(&o);
    assert!(!out.contains("COB-SOURCE"), "{out}");
    assert!(out.contains("claim C3001 -> DEMOSECOND"), "{out}");
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
