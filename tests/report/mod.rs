//! `claimflow report` end to end, on a ledger filled by the fixtures alone
//! (build → reconcile → build → reconcile of a reversal, a correction as a
//! partial payment and a copay → build; see scripts/gen-report-fixtures.py):
//! every file's rows, the tie-out, filters, an empty ledger, a missing
//! ledger, reading beside a running job, and patients of claims sent before
//! the ledger recorded them.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{claimflow, fixture, keep_all_837};

mod balances;
mod ledger_access;

fn run(dir: &Path, args: &[&str]) -> Output {
    claimflow(dir).args(args).output().unwrap()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn lines(p: &Path) -> Vec<String> {
    read(p).lines().map(str::to_string).collect()
}

/// Fills `dir/l.db` the way an office would: five runs over the fixtures.
fn fixture_ledger(dir: &Path) -> PathBuf {
    let config = fixture("claimflow.toml");
    let db = dir.join("l.db").display().to_string();
    let out = dir.join("out").display().to_string();
    let steps: [(&str, &str, &str, Option<&str>); 5] = [
        ("build", "encounters/demo.csv", "2026-11-27", None),
        ("reconcile", "835/demo.835", "2026-12-15", Some("r1")),
        ("build", "report/december.csv", "2026-12-20", None),
        ("reconcile", "835/report-followup.835", "2027-01-20", Some("r2")),
        ("build", "report/february.csv", "2027-02-20", None),
    ];
    for (cmd, input, now, recon) in steps {
        let dest = recon.map_or(out.clone(), |r| dir.join(r).display().to_string());
        let o = run(
            dir,
            &[
                cmd,
                &fixture(input),
                "--config",
                &config,
                "--ledger",
                &db,
                "--out",
                &dest,
                "--now",
                now,
            ],
        );
        // build of demo.csv holds claims back (1), reconcile finds denials (1).
        assert!(matches!(o.status.code(), Some(0 | 1)), "{cmd} {input}: {o:?}");
    }
    keep_all_837(&dir.join("out"));
    dir.join("l.db")
}

/// Keeps a report folder for the HTML check of `scripts/test.sh`.
fn keep_report(case: &str, out: &Path) {
    let Ok(base) = std::env::var("CLAIMFLOW_TEST_OUTPUT") else { return };
    let dest = Path::new(&base).join("report").join(case);
    std::fs::create_dir_all(&dest).unwrap();
    for e in std::fs::read_dir(out).unwrap().flatten() {
        std::fs::copy(e.path(), dest.join(e.file_name())).unwrap();
    }
}

fn report(dir: &Path, db: &Path, out: &str, extra: &[&str]) -> Output {
    let db = db.display().to_string();
    let mut args = vec!["report", "--ledger", &db, "--out", out, "--now", "2027-03-15"];
    args.extend_from_slice(extra);
    run(dir, &args)
}

/// The synthetic people of the fixtures: none may reach the terminal.
const PHI: [&str; 8] = [
    "Quillfeather",
    "QUILLFEATHER",
    "Testperson",
    "Latecase",
    "Placeholder",
    "Mockwell",
    "1970-02-03",
    "1957-01-08",
];

#[test]
fn report_of_the_fixture_ledger_lists_every_row_and_ties_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stdout.contains("claims sent 11: paid 5, denied in full 1, left to the patient 1, waiting for a secondary 0, outstanding 4, rejected 0\nA/R 433.50 (over 90 days 163.50); collection rate 28.78%; median days to pay 13"),
        "{stdout}"
    );
    assert!(stdout.contains("A/R 433.50 (over 90 days 163.50)"), "{stdout}");
    assert!(stdout.contains("patient balances: 4 claim(s), 156.80"), "{stdout}");
    assert!(
        stdout.contains(
            "629.20 in the ledger; minus provider adjustments 0.00 = deposited 629.20: OK"
        ),
        "{stdout}"
    );
    for p in PHI {
        assert!(!stdout.contains(p) && !stderr.contains(p), "{p} printed: {stdout}{stderr}");
    }
    let rep = dir.join("rep");
    // Sent with no answer (R4002, R4003, R4004) and reversed without a
    // correction (D1001, first sent 2026-11-27: 108 days).
    assert_eq!(
        lines(&rep.join("aging.csv")),
        [
            "payer_id,bucket,claims,amount",
            "DEMOMCARE,0-30,0,0.00",
            "DEMOMCARE,31-60,0,0.00",
            "DEMOMCARE,61-90,1,95.00",
            "DEMOMCARE,91-120,0,0.00",
            "DEMOMCARE,120+,0,0.00",
            "DEMOMCARE,total,1,95.00",
            "DEMOPAYER1,0-30,1,80.00",
            "DEMOPAYER1,31-60,0,0.00",
            "DEMOPAYER1,61-90,1,95.00",
            "DEMOPAYER1,91-120,1,163.50",
            "DEMOPAYER1,120+,0,0.00",
            "DEMOPAYER1,total,3,338.50",
            "ALL,0-30,1,80.00",
            "ALL,31-60,0,0.00",
            "ALL,61-90,2,190.00",
            "ALL,91-120,1,163.50",
            "ALL,120+,0,0.00",
            "ALL,total,4,433.50",
        ]
    );
    // D1006 denied (CO-50 on both lines); D1002's correction denies line A2
    // (CO-97). DEMOPAYER1 adjudicated 6 live claims, 2166.40 billed.
    assert_eq!(
        lines(&rep.join("denials.csv")),
        [
            "payer_id,category,carc,claims,lines,amount,denial_rate,denial_rate_amount",
            "DEMOPAYER1,medical necessity,CO-50,1,2,1375.00,0.1667,0.6348",
            "DEMOPAYER1,bundled,CO-97,1,1,25.00,0.1667,0.0115",
            "DEMOPAYER1,total,,2,3,1400.00,0.3333,0.6464",
            "ALL,medical necessity,CO-50,1,2,1375.00,0.1429,0.5763",
            "ALL,bundled,CO-97,1,1,25.00,0.1429,0.0105",
            "ALL,total,,2,3,1400.00,0.2857,0.5868",
        ]
    );
    // December: paid 2026-12-10, 13 days after sending (D1001 and D1002 were
    // reversed since and no longer count). January: the reversals' negative
    // amounts, D1002 corrected (49 days) and R4001 (26 days).
    assert_eq!(
        lines(&rep.join("payments.csv")),
        [
            "payer_id,month,billed,allowed,paid,contractual,patient_responsibility,median_days_to_pay,p90_days_to_pay,claim_payments,denied,provider_adjustments,deposited,paid_claims",
            "DEMOMCARE,2026-12,220.00,170.00,136.00,50.00,34.00,13,13,1,0.00,0.00,136.00,1",
            "DEMOPAYER1,2026-12,2110.90,576.00,473.20,159.90,102.80,13,13,6,1375.00,0.00,473.20,2",
            "DEMOPAYER1,2027-01,55.00,40.00,20.00,-10.00,20.00,37.5,49,4,25.00,0.00,20.00,2",
        ]
    );
    assert_eq!(
        lines(&rep.join("procedures.csv")),
        [
            "procedure,lines,billed,paid",
            "72148,1,1200.00,0.00",
            "99214,2,350.00,260.00",
            "20610,3,330.00,208.00",
            "97110,1,175.00,0.00",
            "99393,1,160.00,130.00",
            "99213,1,95.00,0.00",
            "J3301,1,32.40,19.20",
            "90460,1,25.00,0.00",
            "82947,1,18.50,12.00",
        ]
    );
    assert_eq!(
        lines(&rep.join("patient_balances.csv")),
        [
            "claim_id,payer_id,patient_last,patient_first,patient_dob,service_date,balance,deductible,coinsurance,copay,non_covered,patient_responsibility,secondary_paid,secondary_payer_id,stage,paid_at_visit",
            "D1003,DEMOPAYER1,Placeholder,June,1957-01-08,2026-05-06,22.80,0.00,22.80,0.00,0.00,22.80,0.00,,final,0.00",
            "D1005,DEMOMCARE,Mockwell,Edna,1952-03-15,2026-06-09,34.00,0.00,34.00,0.00,0.00,34.00,0.00,,final,0.00",
            "R4001,DEMOPAYER1,Quillfeather,Ada,1970-02-03,2026-12-01,20.00,0.00,0.00,20.00,0.00,20.00,0.00,,final,0.00",
            "W3001,DEMOPAYER1,Latecase,Ray,1990-10-10,2026-10-05,80.00,80.00,0.00,0.00,0.00,80.00,0.00,,final,0.00",
        ]
    );
    let summary: serde_json::Value =
        serde_json::from_str(&read(&rep.join("summary.json"))).unwrap();
    let want = serde_json::json!({
        "claims_sent": 11, "claims_paid": 5, "claims_denied": 1, "claims_outstanding": 4,
        "ar_total": "433.50", "ar_over_90": "163.50", "collection_rate": "0.2878",
        "median_days_to_pay": "13", "payments_posted": "629.20", "denied_amount": "1400.00",
        "patient_balance_claims": 4, "patient_balance_total": "156.80", "patients_unknown": 0,
    });
    for (k, v) in want.as_object().unwrap() {
        assert_eq!(&summary[k], v, "summary.json {k}");
    }
    assert_eq!(summary["tie_out"]["ok"], true);
    assert_eq!(summary["files"].as_array().unwrap().len(), 8);
    let html = read(&rep.join("report.html"));
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"));
    // For a person: dollars, a percentage, words for the tie-out.
    assert!(
        html.contains(r#"<dd data-key="ar_total" data-v="433.50" data-fmt="money">$433.50</dd>"#),
        "{html}"
    );
    assert!(html.contains(r#"data-fmt="money">$1,400.00</dd>"#), "{html}");
    assert!(html.contains(r#"data-fmt="rate">28.78%</dd>"#), "{html}");
    assert!(html.contains(r#"data-fmt="ok">OK: "#), "{html}");
    assert!(html.contains(r#"<th data-col="denial_rate_amount">Share of billed denied</th>"#));
    // The headline counts every claim sent once.
    let o = &summary["claims_by_outcome"];
    let parts =
        ["paid", "denied", "left_to_patient", "waiting_for_secondary", "outstanding", "rejected"];
    let sum: u64 = parts.iter().map(|k| o[k].as_u64().unwrap()).sum();
    assert_eq!(sum, 11, "{o}");
    assert_eq!((o["outstanding"].as_u64(), o["denied"].as_u64()), (Some(4), Some(1)), "{o}");
    assert_eq!(html.matches("<svg").count(), 4, "aging, denials, paid, days to pay");
    for p in PHI {
        assert!(!html.contains(p), "{p} in the page");
    }
    #[cfg(unix)]
    for name in summary["files"].as_array().unwrap() {
        use std::os::unix::fs::PermissionsExt;
        let mode =
            std::fs::metadata(rep.join(name.as_str().unwrap())).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
    }
    keep_report("fixtures", &rep);

    // --json prints summary.json.
    let o = report(dir, &db, "rep-json", &["--json"]);
    assert_eq!(o.status.code(), Some(0));
    let printed: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(printed["ar_total"], "433.50");
    assert_eq!(
        printed,
        serde_json::from_str::<serde_json::Value>(&read(&dir.join("rep-json/summary.json")))
            .unwrap()
    );
}

#[test]
fn payer_and_period_filters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    let o = report(dir, &db, "mcare", &["--payer", "DEMOMCARE"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let aging = lines(&dir.join("mcare/aging.csv"));
    assert!(aging.iter().skip(1).all(|l| l.starts_with("DEMOMCARE,") || l.starts_with("ALL,")));
    assert_eq!(aging.last().unwrap(), "ALL,total,1,95.00");
    assert_eq!(
        lines(&dir.join("mcare/payments.csv"))[1..],
        ["DEMOMCARE,2026-12,220.00,170.00,136.00,50.00,34.00,13,13,1,0.00,0.00,136.00,1"]
    );
    let balances = lines(&dir.join("mcare/patient_balances.csv"));
    assert_eq!(balances.len(), 2);
    assert!(balances[1].starts_with("D1005,DEMOMCARE,"));

    // From 2027: claims first sent since (R4004) and January's payments.
    let o = report(dir, &db, "y2027", &["--from", "2027-01-01", "--to", "2027-12-31"]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert_eq!(lines(&dir.join("y2027/aging.csv")).last().unwrap(), "ALL,total,1,80.00");
    let pays = lines(&dir.join("y2027/payments.csv"));
    assert_eq!(pays.len(), 2);
    assert!(pays[1].starts_with("DEMOPAYER1,2027-01,55.00,"), "{pays:?}");
    assert_eq!(
        lines(&dir.join("y2027/patient_balances.csv")).len(),
        1,
        "no claim first sent in 2027 has a balance"
    );
    keep_report("filtered", &dir.join("y2027"));

    let o = report(dir, &db, "bad", &["--from", "2027-02-01", "--to", "2027-01-01"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is after --to"));
}

#[test]
fn empty_ledger_gives_headers_and_a_page_saying_nothing_yet() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = dir.join("empty.db");
    drop(claimflow::ledger::Ledger::open(&db).unwrap());
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("nothing to report yet"));
    let rep = dir.join("rep");
    for (name, header) in [
        ("aging.csv", "payer_id,bucket,claims,amount"),
        ("denials.csv", "payer_id,category,carc,claims,lines,amount,denial_rate,denial_rate_amount"),
        ("payments.csv", "payer_id,month,billed,allowed,paid,contractual,patient_responsibility,median_days_to_pay,p90_days_to_pay,claim_payments,denied,provider_adjustments,deposited,paid_claims"),
        ("patient_balances.csv", "claim_id,payer_id,patient_last,patient_first,patient_dob,service_date,balance,deductible,coinsurance,copay,non_covered,patient_responsibility,secondary_paid,secondary_payer_id,stage,paid_at_visit"),
        ("procedures.csv", "procedure,lines,billed,paid"),
        ("eligibility.csv", "payer_id,inquiries,answers,active,inactive,not_found,error,unknown,rejected"),
    ] {
        assert_eq!(lines(&rep.join(name)), [header], "{name}");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&read(&rep.join("summary.json"))).unwrap();
    assert_eq!(summary["claims_sent"], 0);
    assert_eq!(summary["ar_total"], "0.00");
    assert_eq!(summary["collection_rate"], serde_json::Value::Null);
    assert_eq!(summary["median_days_to_pay"], serde_json::Value::Null);
    let html = read(&rep.join("report.html"));
    assert!(
        html.contains(r#"id="nothing-yet""#) && html.contains("Nothing to report yet"),
        "{html}"
    );
    assert!(!html.contains("<svg"), "no chart without data");
    keep_report("empty", &rep);
}

#[test]
fn library_report_matches_the_files_and_sums_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    let conn = claimflow::ledger::open_read_only(&db).unwrap();
    let now = claimflow::clock::parse_now("2027-03-15").unwrap();
    let r = claimflow::report::run(&conn, &dir.join("lib"), &claimflow::report::Options::new(now))
        .unwrap();
    assert!(!r.needs_attention() && !r.is_empty());
    // Aging: the ALL rows are the sums of the payers' rows, bucket by bucket.
    for b in claimflow::report::BUCKETS.iter().chain(["total"].iter()) {
        let of = |all: bool| -> rust_decimal::Decimal {
            r.aging
                .iter()
                .filter(|a| a.bucket == *b && (a.payer_id == "ALL") == all)
                .map(|a| a.amount)
                .sum()
        };
        assert_eq!(of(true), of(false), "bucket {b}");
    }
    // Payments by month sum to the payments posted.
    let paid: rust_decimal::Decimal = r.payments.iter().map(|p| p.paid).sum();
    assert_eq!(claimflow::numtext::money(paid), r.summary.payments_posted);
    assert_eq!(r.summary.tie_out.ledger_paid, "629.20");
    assert_eq!(r.patient_balances.claims, 4);
    assert_eq!(r.files.len(), 8);
    assert!(r.files.iter().all(|f| f.exists()));
}

#[test]
fn deposits_that_do_not_tie_out_need_a_person() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let db = fixture_ledger(dir);
    // A remittance whose BPR02 is not its claim payments less its PLB.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE remittances SET bpr02 = '500' WHERE trace = '100270001'", []).unwrap();
    drop(conn);
    let o = report(dir, &db, "rep", &[]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("= deposited 656.00: DOES NOT TIE OUT"), "{stdout}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&dir.join("rep/summary.json"))).unwrap();
    assert_eq!(summary["tie_out"]["ok"], false);
}
