//! `claimflow reconcile` end to end: reports, exit codes, broken files, the
//! ledger (applied once, reversals), and a full build → 835 → reconcile run.

use std::path::{Path, PathBuf};
use std::process::Output;

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use claimflow::claim::{
    Address, BillingProvider, Claim, Frequency, Payer, Person, Relationship, ServiceLine, Sex,
    Source,
};
use claimflow::ledger::{ClaimRecord, Ledger, SubmissionRecord};

use crate::util::{claimflow, fixture, root};

pub(crate) fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn read(p: PathBuf) -> String {
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Compares a report with its golden file (UPDATE_GOLDEN=1 rewrites it).
fn golden(out: &Path, name: &str) {
    let got = read(out.join(name));
    let path = root().join("fixtures/golden/reconcile").join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = read(path);
    assert_eq!(
        got, want,
        "{name} differs from fixtures/golden/reconcile/{name}\n~~~ got\n{got}~~~"
    );
}

fn remits() -> [String; 2] {
    [fixture("835/remit-1.835"), fixture("835/remit-2.835")]
}

#[test]
fn reconciles_the_synthetic_remittances_against_837_claims() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out"]);
    // Denials, a partial payment and an unmatched claim need a person.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(s.contains("reconciled 13 claim payment(s) in 3 payment(s) from 2 file(s)"), "{s}");
    assert!(
        s.contains("paid 8, partial 1, denied 1, patient_responsibility 1, reversed 1, unmatched 1, forwarded 0, outstanding 0"),
        "{s}"
    );
    assert!(s.contains("  processed and forwarded to another payer: 1\n"), "{s}");
    assert!(
        s.contains(
            "tie-out: paid 772.00 + provider adjustments -37.50 = 734.50; BPR02 total 734.50: OK"
        ),
        "{s}"
    );
    assert!(
        s.contains("reversal: claim C1006 (-90.00 in trace T200) cancels the payment in trace T100; corrected payment 95.00 follows in trace T200"),
        "{s}"
    );
    let out = dir.path().join("out");
    for name in ["claims.csv", "lines.csv", "denials.csv", "provider_adjustments.csv"] {
        golden(&out, name);
    }
    assert_eq!(
        read(out.join("outstanding.csv")),
        "claim_id,payer_id,billed,outstanding_amount,sent_date,age_days\n"
    );
}

#[test]
fn match_rules_and_statuses_are_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out"]);
    let csv = read(dir.path().join("out/claims.csv"));
    let row = |id: &str, nth: usize| -> Vec<String> {
        csv.lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .nth(nth)
            .unwrap_or_else(|| panic!("{id} row {nth} missing"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    // status (col 3) and match_rule (col 4)
    assert_eq!(row("C1001", 0)[3..5], ["paid", "claim_id"]);
    assert_eq!(row("C1002", 0)[3..5], ["partial", "claim_id"]);
    assert_eq!(row("C1003", 0)[3..5], ["denied", "claim_id"]);
    assert_eq!(row("C1004", 0)[3..5], ["patient_responsibility", "claim_id"]);
    assert_eq!(row("C1005-LONG-CLAIM-ID", 0)[3..5], ["paid", "claim_id_prefix"]);
    assert_eq!(row("C1006", 1)[3..5], ["reversed", "claim_id"]);
    assert_eq!(row("C1009", 0)[3..5], ["paid+forwarded", "claim_id"]);
    assert_eq!(row("C1010", 0)[3..5], ["paid", "payer_claim_id"]);
    assert_eq!(row("ZZ-NOT-OURS-1", 0)[3..5], ["unmatched", "none"]);
    let lines = read(dir.path().join("out/lines.csv"));
    assert!(
        lines.contains("C1007,C1007-1,99214,DEMOPAYER1,PCN-1007,paid,original_procedure,"),
        "{lines}"
    );
    assert!(
        lines.contains("C1008,C1008-1,97110,DEMOPAYER1,PCN-1008,paid,procedure_date,"),
        "{lines}"
    );
    assert!(
        lines.contains("C1005-LONG-CLAIM-ID,C1005-1,99212,DEMOPAYER1,PCN-1005,paid,procedure,"),
        "{lines}"
    );
}

#[test]
fn everything_paid_exits_0_and_reports_are_private_and_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("835/paid-only.835");
    let claims = fixture("835/claims.837");
    let a = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "a"]);
    assert_eq!(a.status.code(), Some(0), "{}", stdout(&a));
    let b = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "b"]);
    assert_eq!(b.status.code(), Some(0));
    for name in
        ["claims.csv", "lines.csv", "denials.csv", "provider_adjustments.csv", "outstanding.csv"]
    {
        assert_eq!(read(dir.path().join("a").join(name)), read(dir.path().join("b").join(name)));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode =
                std::fs::metadata(dir.path().join("a").join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left behind");
}

#[test]
fn an_unreadable_file_is_reported_and_the_others_still_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture("835/paid-only.835");
    let bad = fixture("x12/bad/not_x12.835");
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &bad, &good, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(
        s.contains(&format!("{bad}: unreadable: no 835 transaction set could be read"))
            && s.contains("[FILE-UNREADABLE]"),
        "{s}"
    );
    assert!(s.contains("reconciled 1 claim payment(s)"), "{s}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("not_x12.835"));
    assert!(read(dir.path().join("out/claims.csv")).contains("C1001,DEMOPAYER1,PCN-1001,paid"));
}

#[test]
fn could_not_run_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("x12/bad/not_x12.835");
    let claims = fixture("835/claims.837");
    // Only broken files.
    let o = run(dir.path(), &["reconcile", &bad, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    // No ledger and no --claims.
    let good = fixture("835/paid-only.835");
    let o = run(dir.path(), &["reconcile", &good, "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("does not exist"));
    // Bad --now.
    let o = run(
        dir.path(),
        &["reconcile", &good, "--claims", &claims, "--out", "o", "--now", "yesterday"],
    );
    assert_eq!(o.status.code(), Some(2));
    // Missing --out.
    let o = run(dir.path(), &["reconcile", &good, "--claims", &claims]);
    assert_eq!(o.status.code(), Some(2));
    // --claims and --ledger together.
    let o = run(
        dir.path(),
        &["reconcile", &good, "--out", "o", "--ledger", "x.db", "--claims", &claims],
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn unbalanced_remittance_is_flagged_by_validate_and_reconcile() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("835/unbalanced.835");
    let o = run(dir.path(), &["validate", &f]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    for code in ["835-BAL-SVC", "835-BAL-CLP", "835-BAL-BPR", "835-CLP05"] {
        assert!(s.contains(&format!("[{code}]")), "{code} missing:\n{s}");
    }
    let claims = fixture("835/claims.837");
    let o = run(dir.path(), &["reconcile", &f, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("BPR02 total 100.00: MISMATCH"), "{s}");
    assert!(s.contains("[835-BAL-CLP]"), "{s}");
    // variance = billed − paid − adjustments = 100 − 60 − 30
    assert!(read(dir.path().join("out/claims.csv"))
        .contains(",100.00,70.00,60.00,10.00,20.00,0.00,0.00,10.00,"));
}

#[test]
fn json_summary_is_machine_readable() {
    let dir = tempfile::tempdir().unwrap();
    let [r1, r2] = remits();
    let claims = fixture("835/claims.837");
    let o =
        run(dir.path(), &["reconcile", &r1, &r2, "--claims", &claims, "--out", "out", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["claim_payments"], 13);
    assert_eq!(v["counts"]["denied"], 1);
    assert_eq!(v["tie_out"]["ok"], true);
    assert_eq!(v["tie_out"]["bpr02_total"], "734.50");
    assert_eq!(v["reversals"][0]["reverses_trace"], "T100");
    assert_eq!(v["denial_rows"], 2);
}

// ---------------------------------------------------------------- ledger

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Records the fixture claims as sent in a new ledger (what `build` does),
/// with the 837 copied beside it.
fn ledger_with_sent_claims(dir: &Path) -> PathBuf {
    // As in claims.837: C1009 and C1010 went to DEMOPAYER2.
    ledger_with(
        dir,
        "835/claims.837",
        &[
            ("C1001", "DEMOPAYER1", "120"),
            ("C1002", "DEMOPAYER1", "200"),
            ("C1003", "DEMOPAYER1", "200"),
            ("C1004", "DEMOPAYER1", "100"),
            ("C1005-LONG-CLAIM-ID", "DEMOPAYER1", "80"),
            ("C1006", "DEMOPAYER1", "100"),
            ("C1007", "DEMOPAYER1", "180"),
            ("C1008", "DEMOPAYER1", "160"),
            ("C1009", "DEMOPAYER2", "100"),
            ("C1010", "DEMOPAYER2", "90"),
        ],
    )
}

/// A new ledger holding `claims` (claim id, payer id, charge) as sent in
/// the 837 fixture `sent`, copied beside it (what `build` records).
pub(crate) fn ledger_with(
    dir: &Path,
    sent_fixture: &str,
    claims: &[(&str, &str, &str)],
) -> PathBuf {
    let sent = dir.join("claims.837");
    std::fs::copy(fixture(sent_fixture), &sent).unwrap();
    let db = dir.join("claimflow.db");
    let mut l = Ledger::open(&db).unwrap();
    let records: Vec<ClaimRecord> = claims
        .iter()
        .map(|(id, payer, charge)| ClaimRecord {
            claim_id: id.to_string(),
            payer_id: payer.to_string(),
            content_hash: "synthetic".into(),
            frequency: "1".into(),
            total_charge: dec(charge),
            st02: "0001".into(),
            status: claimflow::claim::ClaimStatus::Sent,
            span: None,
            detail: None,
            patient: None,
        })
        .collect();
    let sub = SubmissionRecord {
        file: sent,
        file_sha256: "synthetic".into(),
        isa13: "000000201".into(),
        gs06: "201".into(),
        st02: vec!["0001".into()],
        total_charge: records.iter().map(|c| c.total_charge).sum(),
        created_at: "2026-03-11T12:00:00".into(),
    };
    let id = l.record_pending(&sub, &records).unwrap();
    l.complete(id).unwrap();
    db
}

pub(crate) fn query(db: &Path, sql: &str) -> Vec<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut st = conn.prepare(sql).unwrap();
    let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn ledger_posts_once_undoes_reversals_and_lists_outstanding_claims() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    let db_s = db.display().to_string();
    let [r1, r2] = remits();
    let now = "2026-04-10";

    // remit-1: six claims posted; C1007..C1010 are still outstanding.
    let o = run(dir.path(), &["reconcile", &r1, "--ledger", &db_s, "--out", "o1", "--now", now]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(
        s.contains("ledger: posted 6 claim payment(s) to their claims from 1 remittance(s)"),
        "{s}"
    );
    assert!(s.contains("outstanding 4"), "{s}");
    let out = read(dir.path().join("o1/outstanding.csv"));
    assert!(out.contains("C1007,DEMOPAYER1,180.00,180.00,2026-03-11,30\n"), "{out}");
    assert!(
        read(dir.path().join("o1/claims.csv")).contains("C1010,DEMOPAYER2,,outstanding,,90.00,")
    );
    assert_eq!(
        query(&db, "SELECT status FROM claims WHERE claim_id = 'C1004'"),
        vec!["patient_responsibility"]
    );

    // The same file again: nothing posted, and it says so.
    let o = run(dir.path(), &["reconcile", &r1, "--ledger", &db_s, "--out", "o2", "--now", now]);
    let s = stdout(&o);
    assert!(s.contains("remittance trace T100 was already applied: nothing posted"), "{s}");
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM claim_payments"), vec!["6"]);
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM remittances"), vec!["1"]);

    // remit-2: the reversal undoes C1006's first payment; the correction posts fresh.
    let o = run(dir.path(), &["reconcile", &r2, "--ledger", &db_s, "--out", "o3", "--now", now]);
    let s = stdout(&o);
    // 7 claim payments: 6 matched to claims, 1 unmatched (recorded, no claim touched).
    assert!(s.contains("ledger: posted 6 claim payment(s) to their claims from 2 remittance(s); 1 earlier posting(s) undone by reversals"), "{s}");
    assert!(s.contains("ledger: 1 unmatched claim payment(s) recorded without a claim"), "{s}");
    assert_eq!(
        query(
            &db,
            "SELECT status || ':' || paid || ':' || IFNULL(reversed_by, '-') || ':' || IFNULL(reverses, '-')
             FROM claim_payments WHERE claim_id = 'C1006' ORDER BY id"
        ),
        vec!["paid:90:7:-", "reversed:-90:-:6", "paid:95:-:-"]
    );
    // Live (not undone) payments of C1006 add up to the corrected amount.
    assert_eq!(
        query(
            &db,
            "SELECT SUM(paid) || '' FROM claim_payments WHERE claim_id = 'C1006'
               AND reversed_by IS NULL AND status <> 'reversed'"
        ),
        vec!["95"]
    );
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'C1006'"), vec!["paid"]);
    // The claim's events: the build's, then one per payment posted.
    let history = query(
        &db,
        "SELECT status FROM claim_events WHERE claim_id = 'C1006' ORDER BY at, source, seq",
    );
    assert_eq!(history, vec!["sent", "paid", "reversed", "paid"]);
    assert_eq!(
        query(
            &db,
            "SELECT detail FROM claim_events WHERE claim_id = 'C1006' AND status = 'reversed'"
        ),
        vec!["trace T200 paid -90; undoes payment #6"]
    );
    // The payer's claim number is kept on the claim for later matching.
    assert_eq!(
        query(&db, "SELECT IFNULL(payer_claim_id, '-') FROM claims WHERE claim_id = 'C1006'"),
        query(
            &db,
            "SELECT payer_claim_id FROM claim_payments WHERE claim_id = 'C1006' ORDER BY id DESC LIMIT 1"
        )
    );
    // Nothing outstanding any more; the unmatched payment is kept for audit.
    assert!(s.contains("outstanding 0"), "{s}");
    assert_eq!(
        query(&db, "SELECT claim_id FROM claim_payments WHERE matched = 0"),
        vec!["ZZ-NOT-OURS-1"]
    );
    // C1010 was matched by its payer claim number (REF*F8 in the sent 837).
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'C1010'"), vec!["paid"]);
}

// ---------------------------------------------------------------- end to end

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

/// The demo walk-through: `build` on the demo export (as
/// `scripts/demo.sh` runs it) and `reconcile` of `fixtures/835/demo.835`, the
/// payers' answer to that build: every claim payment matches a claim sent,
/// every line its line id, the money ties out and the denial is on the
/// worklist (exit 1: it needs a person).
#[test]
fn the_demo_builds_then_reconciles_its_835() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = fixture("claimflow.toml");
    let o = run(
        d,
        &[
            "build",
            &fixture("encounters/demo.csv"),
            "--config",
            &config,
            "--out",
            "out",
            "--ledger",
            "claimflow.db",
            "--now",
            "2026-11-27",
        ],
    );
    crate::util::keep_all_837(&d.join("out"));
    // The demo export holds back its faulty claims (exit 1) and sends seven.
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    assert!(stdout(&o).contains("sent 7 claim(s)"), "{}", stdout(&o));

    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/demo.835"),
            "--config",
            &config,
            "--ledger",
            "claimflow.db",
            "--out",
            "recon",
            "--now",
            "2026-12-15",
        ],
    );
    // The denial needs a person.
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let s = stdout(&o);
    assert!(s.contains("reconciled 7 claim payment(s) in 2 payment(s) from 1 file(s)"), "{s}");
    assert!(
        s.contains("paid 5, partial 0, denied 1, patient_responsibility 1, reversed 0, unmatched 0, forwarded 0, outstanding 0"),
        "{s}"
    );
    assert!(
        s.contains(
            "tie-out: paid 609.20 + provider adjustments 0.00 = 609.20; BPR02 total 609.20: OK"
        ),
        "{s}"
    );
    assert!(
        s.contains("ledger: posted 7 claim payment(s) to their claims from 2 remittance(s)"),
        "{s}"
    );

    // claims.csv: one row per claim payment, matched by claim id; no unmatched row.
    let csv = read(d.join("recon/claims.csv"));
    let rows: Vec<(String, String, String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].into(), f[1].into(), f[3].into(), f[4].into())
        })
        .collect();
    let want = [
        ("D1001", "DEMOPAYER1", "paid"),
        ("D1002", "DEMOPAYER1", "paid"),
        ("D1003", "DEMOPAYER1", "paid"),
        ("D1004", "DEMOPAYER1", "paid"),
        ("D1006", "DEMOPAYER1", "denied"),
        ("W3001", "DEMOPAYER1", "patient_responsibility"),
        ("D1005", "DEMOMCARE", "paid"),
    ];
    assert_eq!(rows.len(), want.len(), "{csv}");
    for ((id, payer, status, rule), (want_id, want_payer, want_status)) in rows.iter().zip(want) {
        assert_eq!(
            (id.as_str(), payer.as_str(), status.as_str(), rule.as_str()),
            (want_id, want_payer, want_status, "claim_id"),
            "{csv}"
        );
    }
    assert!(!csv.contains(",unmatched,"), "{csv}");
    // The coinsurance and the deductible are the patient's.
    assert!(csv.contains("D1003,DEMOPAYER1,DHP2612100003,paid,claim_id,142.40,114.00,91.20,22.80,28.40,0.00,0.00,0.00,PR-2;CO-45,"), "{csv}");
    assert!(csv.contains("W3001,DEMOPAYER1,DHP2612100006,patient_responsibility,claim_id,95.00,80.00,0.00,80.00,15.00,0.00,0.00,0.00,PR-1;CO-45,"), "{csv}");

    // Every service line matched by the line id sent (REF*6R).
    let lines = read(d.join("recon/lines.csv"));
    assert_eq!(lines.lines().count(), 1 + 12, "{lines}");
    assert!(lines.lines().skip(1).all(|l| l.contains(",line_id,")), "{lines}");

    // The worklist: the denied claim, its CARC, category and next action.
    let denials = read(d.join("recon/denials.csv"));
    assert_eq!(
        denials.lines().skip(1).collect::<Vec<_>>(),
        [
            "D1006,,,DEMOPAYER1,DHP2612100005,1375.00,0.00,1375.00,CO-50,N130,medical necessity,appeal,100270001,2026-12-10"
        ],
        "{denials}"
    );
    assert_eq!(
        read(d.join("recon/outstanding.csv")),
        "claim_id,payer_id,billed,outstanding_amount,sent_date,age_days\n"
    );
    assert_eq!(
        query(
            &d.join("claimflow.db"),
            "SELECT claim_id || ':' || status FROM claims ORDER BY claim_id"
        ),
        [
            "D1001:paid",
            "D1002:paid",
            "D1003:paid",
            "D1004:paid",
            "D1005:paid",
            "D1006:denied",
            "W3001:patient_responsibility"
        ]
    );
}

#[test]
fn a_truncated_remittance_is_reported_but_never_posted() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    let db_s = db.display().to_string();
    let cut = fixture("x12/bad/truncated_remit.835");
    let o = run(
        dir.path(),
        &["reconcile", &cut, "--ledger", &db_s, "--out", "o1", "--now", "2026-04-10"],
    );
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("[X12-SE-MISSING]"), "{s}");
    assert!(s.contains("(trace T100) is truncated (no SE): not posted"), "{s}");
    assert!(s.contains("BPR02 total 329.50: MISMATCH"), "{s}");
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM claim_payments"), ["0"]);
    // The complete file, when it arrives, posts normally.
    let [r1, _] = remits();
    let o = run(
        dir.path(),
        &["reconcile", &r1, "--ledger", &db_s, "--out", "o2", "--now", "2026-04-10"],
    );
    assert!(stdout(&o)
        .contains("ledger: posted 6 claim payment(s) to their claims from 1 remittance(s)"));
}

#[test]
fn parse_prints_the_typed_835_model() {
    let dir = tempfile::tempdir().unwrap();
    let o = run(dir.path(), &["parse", "--remittances", &fixture("835/remit-2.835")]);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[0]["trace"]["trn02_number"], "T200");
    assert_eq!(v[0]["claims"][0]["clp02_status"], "22");
    assert_eq!(v[0]["claims"][2]["lines"][0]["svc06_original"]["code"], "99215");
    assert_eq!(v[1]["provider_adjustments"][0]["items"][0]["reason"], "FB");
    let o = run(dir.path(), &["parse", "--remittances", &fixture("x12/bad/not_x12.835")]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn a_sent_file_that_is_gone_is_named_and_its_claims_still_match_by_claim() {
    let dir = tempfile::tempdir().unwrap();
    let db = ledger_with_sent_claims(dir.path());
    // The 837 the ledger recorded is moved away after it was sent.
    let sent = query(&db, "SELECT file FROM submissions");
    std::fs::remove_file(&sent[0]).unwrap();
    let [r1, _] = remits();
    let o = run(
        dir.path(),
        &[
            "reconcile",
            &r1,
            "--ledger",
            &db.display().to_string(),
            "--out",
            "o",
            "--now",
            "2026-04-10",
        ],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    let named = format!("{}: warning: unreadable: sent file cannot be read", sent[0]);
    assert!(err.contains(&named) && err.contains("[FILE-UNREADABLE]"), "{err}");
    assert!(err.contains("matched without their service lines"), "{err}");
    // Claims still match (by claim id); lines cannot, and say so.
    let claims = read(dir.path().join("o/claims.csv"));
    assert!(
        claims.lines().any(|l| l.starts_with("C1001,") && l.contains(",claim_id,")),
        "{claims}"
    );
    assert!(!claims.contains(",unmatched,"), "{claims}");
}

// ------------------------------------------------- money columns and statuses

/// The reports of `fixtures/835/money.835` against `money.837`, each case
/// checked by hand: CO-16 on a claim and on a line, CO-151 on a paid line,
/// CLP02 23, CLP02 19 with a coordination-of-benefits line, and CO-131
/// (denied money unless the config lists it as contractual).
const MONEY_CLAIMS_CSV: &[&str] = &[
    "claim_id,payer_id,payer_claim_id,status,match_rule,billed,allowed,paid,patient_responsibility,contractual,denied,other_adjustments,variance,carc_codes,rarc_codes,check_trace,payment_date",
    "M2001,DEMOPAYER1,PCN-2001,denied,claim_id,300.00,0.00,0.00,0.00,0.00,300.00,0.00,0.00,CO-16,MA130,T500,2026-03-25",
    "M2002,DEMOPAYER1,PCN-2002,partial,claim_id,250.00,120.00,120.00,0.00,30.00,100.00,0.00,0.00,CO-45;CO-16,M51,T500,2026-03-25",
    "M2003,DEMOPAYER1,PCN-2003,partial,claim_id,400.00,225.00,225.00,0.00,100.00,75.00,0.00,0.00,CO-45;CO-151,,T500,2026-03-25",
    "M2004,DEMOPAYER1,PCN-2004,forwarded,claim_id,100.00,0.00,0.00,0.00,0.00,0.00,100.00,0.00,CO-109,,T500,2026-03-25",
    "M2005,DEMOPAYER1,PCN-2005,partial+forwarded,claim_id,200.00,100.00,80.00,20.00,50.00,50.00,0.00,0.00,CO-45;PR-2;CO-22,,T500,2026-03-25",
    "M2006,DEMOPAYER1,PCN-2006,partial,claim_id,180.00,150.00,150.00,0.00,0.00,30.00,0.00,0.00,CO-131,,T500,2026-03-25",
];

const MONEY_LINES_CSV: &[&str] = &[
    "claim_id,line_id,procedure,payer_id,payer_claim_id,status,match_rule,billed,allowed,paid,patient_responsibility,contractual,denied,other_adjustments,variance,carc_codes,rarc_codes,check_trace,payment_date",
    "M2002,M2002-1,99214,DEMOPAYER1,PCN-2002,paid,line_id,150.00,120.00,120.00,0.00,30.00,0.00,0.00,0.00,CO-45,,T500,2026-03-25",
    "M2002,M2002-2,36415,DEMOPAYER1,PCN-2002,denied,line_id,100.00,0.00,0.00,0.00,0.00,100.00,0.00,0.00,CO-16,M51,T500,2026-03-25",
    "M2003,M2003-1,97110,DEMOPAYER1,PCN-2003,partial,line_id,400.00,225.00,225.00,0.00,100.00,75.00,0.00,0.00,CO-45;CO-151,,T500,2026-03-25",
    "M2004,M2004-1,99213,DEMOPAYER1,PCN-2004,forwarded,line_id,100.00,0.00,0.00,0.00,0.00,0.00,100.00,0.00,CO-109,,T500,2026-03-25",
    "M2005,M2005-1,99213,DEMOPAYER1,PCN-2005,paid,line_id,150.00,100.00,80.00,20.00,50.00,0.00,0.00,0.00,CO-45;PR-2,,T500,2026-03-25",
    "M2005,M2005-2,90471,DEMOPAYER1,PCN-2005,denied,line_id,50.00,0.00,0.00,0.00,0.00,50.00,0.00,0.00,CO-22,,T500,2026-03-25",
    "M2006,M2006-1,99215,DEMOPAYER1,PCN-2006,partial,line_id,180.00,150.00,150.00,0.00,0.00,30.00,0.00,0.00,CO-131,,T500,2026-03-25",
];

const MONEY_DENIALS_CSV: &[&str] = &[
    "claim_id,line_id,procedure,payer_id,payer_claim_id,billed,paid,denied_amount,carc_codes,rarc_codes,category,next_action,check_trace,payment_date",
    "M2001,,,DEMOPAYER1,PCN-2001,300.00,0.00,300.00,CO-16,MA130,missing information,correct and resubmit,T500,2026-03-25",
    "M2002,M2002-2,36415,DEMOPAYER1,PCN-2002,100.00,0.00,100.00,CO-16,M51,missing information,correct and resubmit,T500,2026-03-25",
    "M2003,M2003-1,97110,DEMOPAYER1,PCN-2003,400.00,225.00,75.00,CO-151,,medical necessity,appeal,T500,2026-03-25",
    "M2005,M2005-2,90471,DEMOPAYER1,PCN-2005,50.00,0.00,50.00,CO-22,,coordination of benefits,wait for the other payer's remittance,T500,2026-03-25",
    "M2006,M2006-1,99215,DEMOPAYER1,PCN-2006,180.00,150.00,30.00,CO-131,,contractual,write off,T500,2026-03-25",
];

pub(crate) fn lines_of(p: PathBuf) -> Vec<String> {
    read(p).lines().map(str::to_string).collect()
}

#[test]
fn money_columns_statuses_and_worklist_of_purpose_written_remittances() {
    let dir = tempfile::tempdir().unwrap();
    let remit = fixture("835/money.835");
    let claims = fixture("835/money.837");
    let o = run(dir.path(), &["reconcile", &remit, "--claims", &claims, "--out", "out"]);
    // Denials and partial payments need a person.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(
        s.contains("  paid 0, partial 4, denied 1, patient_responsibility 0, reversed 0, unmatched 0, forwarded 1, outstanding 0\n"),
        "{s}"
    );
    assert!(s.contains("  processed and forwarded to another payer: 1\n"), "{s}");
    assert!(
        s.contains("  forwarded: 1 claim(s) the payer passed on to another payer (CLP02 23): wait for the other payer's remittance\n"),
        "{s}"
    );
    assert!(s.contains("BPR02 total 575.00: OK"), "{s}");
    assert!(s.contains("  denials worklist: 5 row(s)\n"), "{s}");
    assert!(!s.contains("bill secondary"), "{s}");
    let out = dir.path().join("out");
    assert_eq!(lines_of(out.join("claims.csv")), MONEY_CLAIMS_CSV);
    assert_eq!(lines_of(out.join("lines.csv")), MONEY_LINES_CSV);
    assert_eq!(lines_of(out.join("denials.csv")), MONEY_DENIALS_CSV);
    // Every row reconciles: billed − paid − pr − contractual − denied − other = variance.
    for row in MONEY_CLAIMS_CSV.iter().skip(1).chain(MONEY_LINES_CSV.iter().skip(1)) {
        let f: Vec<&str> = row.split(',').collect();
        let at = if f.len() == 17 { 5 } else { 7 };
        let m: Vec<Decimal> = f[at..at + 8].iter().map(|v| dec(v)).collect();
        assert_eq!(m[0] - m[2] - m[3] - m[4] - m[5] - m[6], m[7], "{row}");
    }
    // JSON: the status count and the processed-and-forwarded count apart.
    let o = run(dir.path(), &["reconcile", &remit, "--claims", &claims, "--out", "out2", "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["counts"]["forwarded"], 1);
    assert_eq!(v["counts"]["processed_and_forwarded"], 1);
    assert_eq!(v["counts"]["partial"], 4);
}

/// A claimflow.toml listing 131 as contractual, in `dir`.
fn config_with_131(dir: &Path) -> PathBuf {
    let mut text = read(root().join("fixtures/claimflow.toml"));
    text.push_str("\n[reconcile]\ncontractual_carcs = [\"45\", \"253\", \"131\"]\n");
    let path = dir.join("claimflow.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn contractual_carcs_from_the_config_make_co_131_a_write_off() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let remit = fixture("835/money.835");
    let claims = fixture("835/money.837");
    let m2006 = |out: &str| -> (String, String, usize) {
        let claims = lines_of(d.join(out).join("claims.csv"));
        let lines = lines_of(d.join(out).join("lines.csv"));
        let denials = lines_of(d.join(out).join("denials.csv"));
        (
            claims.into_iter().find(|l| l.starts_with("M2006,")).unwrap(),
            lines.into_iter().find(|l| l.starts_with("M2006,")).unwrap(),
            denials.iter().filter(|l| l.starts_with("M2006,")).count(),
        )
    };
    let paid = (
        "M2006,DEMOPAYER1,PCN-2006,paid,claim_id,180.00,150.00,150.00,0.00,30.00,0.00,0.00,0.00,CO-131,,T500,2026-03-25".to_string(),
        "M2006,M2006-1,99215,DEMOPAYER1,PCN-2006,paid,line_id,180.00,150.00,150.00,0.00,30.00,0.00,0.00,0.00,CO-131,,T500,2026-03-25".to_string(),
        0,
    );
    // --config names it.
    let sub = d.join("cfg");
    std::fs::create_dir(&sub).unwrap();
    let cfg = config_with_131(&sub).display().to_string();
    let o = run(d, &["reconcile", &remit, "--claims", &claims, "--config", &cfg, "--out", "a"]);
    assert_eq!(o.status.code(), Some(1), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(m2006("a"), paid);
    assert!(stdout(&o).contains("paid 1, partial 3,"), "{}", stdout(&o));
    // ./claimflow.toml is read when no --config is given.
    config_with_131(d);
    run(d, &["reconcile", &remit, "--claims", &claims, "--out", "b"]);
    assert_eq!(m2006("b"), paid);
    // Other rows do not change.
    let others = |out: &str| -> Vec<String> {
        lines_of(d.join(out).join("claims.csv"))
            .into_iter()
            .filter(|l| !l.starts_with("M2006,"))
            .collect()
    };
    let want: Vec<String> = MONEY_CLAIMS_CSV
        .iter()
        .filter(|l| !l.starts_with("M2006,"))
        .map(|l| l.to_string())
        .collect();
    assert_eq!(others("b"), want);
    // A config whose list is wrong stops the run (exit 2) and names the key.
    std::fs::write(
        d.join("claimflow.toml"),
        read(root().join("fixtures/claimflow.toml"))
            + "\n[reconcile]\ncontractual_carcs = [\"CO-45\"]\n",
    )
    .unwrap();
    let o = run(d, &["reconcile", &remit, "--claims", &claims, "--out", "c"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("reconcile.contractual_carcs[0]"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // No config at all: the default list (131 is denied money).
    let bare = d.join("bare");
    std::fs::create_dir(&bare).unwrap();
    run(&bare, &["reconcile", &remit, "--claims", &claims, "--out", "d"]);
    assert_eq!(
        lines_of(bare.join("d/claims.csv")).into_iter().find(|l| l.starts_with("M2006,")).unwrap(),
        MONEY_CLAIMS_CSV[6]
    );
}

#[test]
fn the_ledger_stores_the_denied_split_and_the_forwarded_status() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(
        d,
        "835/money.837",
        &[
            ("M2001", "DEMOPAYER1", "300"),
            ("M2002", "DEMOPAYER1", "250"),
            ("M2003", "DEMOPAYER1", "400"),
            ("M2004", "DEMOPAYER1", "100"),
            ("M2005", "DEMOPAYER1", "200"),
            ("M2006", "DEMOPAYER1", "180"),
        ],
    );
    let remit = fixture("835/money.835");
    let db_s = db.display().to_string();
    let o = run(d, &["reconcile", &remit, "--ledger", &db_s, "--out", "o", "--now", "2026-03-30"]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), String::from_utf8_lossy(&o.stderr));
    let s = stdout(&o);
    assert!(s.contains("forwarded 1, outstanding 0"), "{s}");
    // The reports are the same as against the 837.
    assert_eq!(lines_of(d.join("o/claims.csv")), MONEY_CLAIMS_CSV);
    assert_eq!(lines_of(d.join("o/denials.csv")), MONEY_DENIALS_CSV);
    assert_eq!(
        query(
            &db,
            "SELECT claim_id || ':' || status || ':' || billed || ':' || paid || ':'
                    || patient_responsibility || ':' || contractual || ':' || denied || ':'
                    || other_adjustments || ':' || adjustments
             FROM claim_payments ORDER BY id"
        ),
        [
            "M2001:denied:300:0:0:0:300:0:CO-16 300.00",
            "M2002:partial:250:120:0:30:100:0:CO-45 30.00;CO-16 100.00",
            "M2003:partial:400:225:0:100:75:0:CO-45 100.00;CO-151 75.00",
            "M2004:forwarded:100:0:0:0:0:100:CO-109 100.00",
            "M2005:partial:200:80:20:50:50:0:CO-45 50.00;PR-2 20.00;CO-22 50.00",
            "M2006:partial:180:150:0:0:30:0:CO-131 30.00",
        ]
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ':' || status FROM claims ORDER BY claim_id"),
        [
            "M2001:denied",
            "M2002:partial",
            "M2003:partial",
            "M2004:forwarded",
            "M2005:partial",
            "M2006:partial"
        ]
    );
    assert_eq!(
        query(
            &db,
            "SELECT status FROM claim_events WHERE claim_id = 'M2004' ORDER BY at, source, seq"
        ),
        ["sent", "forwarded"]
    );
    // The forwarded claim waits for the other payer the payer's ack_days
    // (default 2), then is on the worklist.
    let forwarded = |now: &str| -> Vec<serde_json::Value> {
        let o = run(d, &["status", "--worklist", "--ledger", &db_s, "--now", now, "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v.as_array().unwrap().iter().filter(|i| i["claim_id"] == "M2004").cloned().collect()
    };
    assert!(forwarded("2026-04-01").is_empty());
    let late = forwarded("2026-04-02");
    assert_eq!(late.len(), 1);
    assert_eq!(late[0]["next_action"], "ask the other payer for the claim's status", "{}", late[0]);
    assert_eq!(late[0]["status"], "forwarded");
}

// ---------------------------------------------------------------- payers

/// The claims of payers.837: P3001 sent to two payers, the others to one.
const PAYERS_SENT: &[(&str, &str, &str)] = &[
    ("P3001", "DEMOPAYER1", "100"),
    ("P3002", "DEMOPAYER1", "150"),
    ("P3001", "DEMOPAYER2", "100"),
    ("P3003", "DEMOPAYER2", "80"),
    ("P3004", "DEMOPAYER2", "60"),
];

/// fixtures/claimflow.toml with `aliases = ["1512345678"]` for DEMOPAYER1.
fn config_with_alias(dir: &Path) -> PathBuf {
    let text = read(PathBuf::from(fixture("claimflow.toml")))
        .replace("# aliases = [\"1512345678\"]", "aliases = [\"1512345678\"]");
    assert!(text.contains("\naliases = [\"1512345678\"]"));
    let path = dir.join("claimflow.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn one_claim_id_at_two_payers_is_matched_by_the_paying_payer() {
    let dir = tempfile::tempdir().unwrap();
    let remit = fixture("835/payers.835");
    let claims = fixture("835/payers.837");
    // No config: set T620 names its payer only by TRN03 1512345678, which is
    // no known payer. P3001 was sent to two payers: unmatched, with a
    // finding naming them; P3002 to one: matched by its id alone.
    let o = run(dir.path(), &["reconcile", &remit, "--claims", &claims, "--out", "out"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    assert!(
        s.contains("payers.835:segment 38 (byte 990), claim P3001: warning: claim payment not matched: claims with this id were sent to payers DEMOPAYER1, DEMOPAYER2, and the paying payer (unknown) is none of them [RECON-AMBIGUOUS]\n"),
        "{s}"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.matches("payer 1512345678 is not a configured payer id or alias, nor the payer of a sent claim: its claim payments are matched by claim id alone").count(),
        1,
        "{err}"
    );
    assert!(err.contains("835 transaction 0002 (trace T620)"), "{err}");
    assert_eq!(
        lines_of(dir.path().join("out/claims.csv"))[1..],
        [
            "P3001,DEMOPAYER2,PCN2-3001,paid,claim_id,100.00,30.00,30.00,0.00,20.00,0.00,50.00,0.00,OA-23;CO-45,,T610,2026-04-10",
            "P3001,1512345678,PCN1-3001,unmatched,none,100.00,70.00,50.00,20.00,30.00,0.00,0.00,0.00,PR-2;CO-45,,T620,2026-04-11",
            "P3002,1512345678,PCN1-3002,paid,claim_id_only,150.00,120.00,120.00,0.00,30.00,0.00,0.00,0.00,CO-45,,T620,2026-04-11",
        ]
    );

    // With the config's alias, T620 is DEMOPAYER1's: each payment goes to
    // the claim sent to its payer, in the ledger too.
    let cfg = config_with_alias(dir.path()).display().to_string();
    let db = ledger_with(dir.path(), "835/payers.837", PAYERS_SENT).display().to_string();
    let o = run(
        dir.path(),
        &[
            "reconcile",
            &remit,
            "--config",
            &cfg,
            "--ledger",
            &db,
            "--out",
            "o2",
            "--now",
            "2026-04-20",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("not a configured payer"));
    assert_eq!(
        lines_of(dir.path().join("o2/claims.csv"))[1..],
        [
            "P3001,DEMOPAYER2,PCN2-3001,paid,claim_id,100.00,30.00,30.00,0.00,20.00,0.00,50.00,0.00,OA-23;CO-45,,T610,2026-04-10",
            "P3001,DEMOPAYER1,PCN1-3001,paid,claim_id,100.00,70.00,50.00,20.00,30.00,0.00,0.00,0.00,PR-2;CO-45,,T620,2026-04-11",
            "P3002,DEMOPAYER1,PCN1-3002,paid,claim_id,150.00,120.00,120.00,0.00,30.00,0.00,0.00,0.00,CO-45,,T620,2026-04-11",
            "P3003,DEMOPAYER2,,outstanding,,80.00,,,,,,,,,,,",
            "P3004,DEMOPAYER2,,outstanding,,60.00,,,,,,,,,,,",
        ]
    );
    let db = PathBuf::from(db);
    assert_eq!(
        query(
            &db,
            "SELECT r.trace || ' ' || r.payer_id || ' ' || p.claim_id || ' ' || p.payer_id || ' ' || p.status || ' ' || p.paid
             FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id ORDER BY p.id"
        ),
        [
            "T610 DEMOPAYER2 P3001 DEMOPAYER2 paid 30",
            "T620 DEMOPAYER1 P3001 DEMOPAYER1 paid 50",
            "T620 DEMOPAYER1 P3002 DEMOPAYER1 paid 120",
        ]
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ' ' || payer_id || ' ' || status || ' ' || IFNULL(payer_claim_id, '-') FROM claims ORDER BY rowid"),
        [
            "P3001 DEMOPAYER1 paid PCN1-3001",
            "P3002 DEMOPAYER1 paid PCN1-3002",
            "P3001 DEMOPAYER2 paid PCN2-3001",
            "P3003 DEMOPAYER2 sent -",
            "P3004 DEMOPAYER2 sent -"
        ]
    );
}

/// (trace, TRN03, payer, fingerprint set?) of every remittance row, then
/// (trace, claim, payer, status, paid) of every claim payment row.
fn payment_rows(db: &Path) -> (Vec<String>, Vec<String>) {
    (
        query(
            db,
            "SELECT trace || ' ' || IFNULL(trn03, '-') || ' ' || payer_id || ' ' || (length(fingerprint) = 64)
             FROM remittances ORDER BY id",
        ),
        query(
            db,
            "SELECT r.trace || ' ' || p.claim_id || ' ' || p.payer_id || ' ' || p.status || ' ' || p.paid
             FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id ORDER BY p.id",
        ),
    )
}

#[test]
fn a_payment_is_applied_once_whatever_its_envelope_and_a_conflict_posts_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cfg = config_with_alias(d).display().to_string();
    let db = ledger_with(d, "835/payers.837", PAYERS_SENT);
    let db_s = db.display().to_string();
    let reconcile = |file: &str, out: &str| {
        let o = run(
            d,
            &[
                "reconcile",
                &fixture(file),
                "--config",
                &cfg,
                "--ledger",
                &db_s,
                "--out",
                out,
                "--now",
                "2026-04-20",
            ],
        );
        (o.status.code(), stdout(&o))
    };
    let (code, s) = reconcile("835/payers.835", "o1");
    assert_eq!(code, Some(0), "{s}");
    let first = payment_rows(&db);
    assert_eq!(first.0, ["T610 1999999999 DEMOPAYER2 1", "T620 1512345678 DEMOPAYER1 1"]);
    assert_eq!(first.1.len(), 3);

    // T610 re-delivered by the clearinghouse: new ISA13/GS06, CRLF endings.
    let resent = std::fs::read(fixture("835/payers-resent.835")).unwrap();
    assert!(resent.windows(3).any(|w| w == b"~\r\n"));
    let (code, s) = reconcile("835/payers-resent.835", "o2");
    assert_eq!(code, Some(0), "{s}");
    assert!(
        s.contains("  ledger: remittance trace T610 was already applied: nothing posted\n"),
        "{s}"
    );
    assert!(!s.contains("ledger: posted"), "{s}");
    assert_eq!(payment_rows(&db), first);
    // Nothing was posted: no report is written (those of the run that
    // posted it stand), and it says so.
    assert!(!d.join("o2/claims.csv").exists());
    assert!(s.contains("reports: none rewritten (nothing new was posted)"), "{s}");

    // Two payments in one file under one check number (two TRN03s): both post.
    let (code, s) = reconcile("835/payers-two.835", "o3");
    assert_eq!(code, Some(0), "{s}");
    assert!(
        s.contains("ledger: posted 2 claim payment(s) to their claims from 2 remittance(s)"),
        "{s}"
    );
    let two = payment_rows(&db);
    assert_eq!(
        two.0,
        [
            "T610 1999999999 DEMOPAYER2 1",
            "T620 1512345678 DEMOPAYER1 1",
            "T630 1999999999 DEMOPAYER2 1",
            "T630 1888888888 DEMOPAYER2 1",
        ]
    );
    assert_eq!(two.1[3..], ["T630 P3003 DEMOPAYER2 paid 64", "T630 P3004 DEMOPAYER2 paid 50"]);
    assert_eq!(
        lines_of(d.join("o3/claims.csv"))[1..],
        [
            "P3003,DEMOPAYER2,PCN2-3003,paid,claim_id,80.00,64.00,64.00,0.00,16.00,0.00,0.00,0.00,CO-45,,T630,2026-04-12",
            "P3004,DEMOPAYER2,PCN2-3004,paid,claim_id,60.00,50.00,50.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T630,2026-04-12",
        ]
    );
    // The same file again: both already applied.
    let (_, s) = reconcile("835/payers-two.835", "o4");
    assert_eq!(
        s.matches("remittance trace T630 was already applied: nothing posted").count(),
        2,
        "{s}"
    );
    assert_eq!(payment_rows(&db), two);

    // Trace T610 again with another amount: a conflict, nothing posted, exit 1.
    let (code, s) = reconcile("835/payers-conflict.835", "o5");
    assert_eq!(code, Some(1), "{s}");
    assert!(
        s.contains("  ledger: CONFLICT: payer DEMOPAYER2 trace T610 was already applied with another amount or other claim payments: nothing of this payment posted; ask the payer which one stands\n"),
        "{s}"
    );
    assert!(!s.contains("ledger: posted"), "{s}");
    assert_eq!(payment_rows(&db), two);
    assert_eq!(
        query(&db, "SELECT status || ' ' || payer_claim_id FROM claims WHERE claim_id = 'P3001' AND payer_id = 'DEMOPAYER2'"),
        ["paid PCN2-3001"]
    );
    // --json names the conflict too.
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/payers-conflict.835"),
            "--config",
            &cfg,
            "--ledger",
            &db_s,
            "--out",
            "o6",
            "--now",
            "2026-04-20",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ledger"]["conflicts"][0]["payer_id"], "DEMOPAYER2");
    assert_eq!(v["ledger"]["conflicts"][0]["trace"], "T610");
}
