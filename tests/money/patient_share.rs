//! What the patient owes after every payer: a copay paid at the visit, shares
//! awaiting a secondary or a crossover payer, what the secondary owes, and
//! front-end rejections apart from the A/R.

use super::*;

/// D1001's patient paid 25.00 at the visit (AMT*F5); the payer leaves a
/// 25.00 copay (PR-3): the patient owes nothing. D1003 (nothing paid at
/// the visit) still owes its coinsurance.
#[test]
fn a_copay_paid_at_the_visit_is_not_billed_again() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/money/copay.835"), "--out", "recon"], "2026-12-15");
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", text(&o));
    assert!(text(&o).contains("paid 2,"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = lines(&d.join("rep/patient_balances.csv"));
    assert!(rows[0].ends_with(",stage,paid_at_visit"), "{rows:?}");
    assert_eq!(
        rows[1..],
        ["D1003,DEMOPAYER1,Placeholder,June,1957-01-08,2026-05-06,22.80,0.00,22.80,0.00,0.00,22.80,0.00,,final,0.00"],
        "D1001's copay was paid at the visit"
    );
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(s["patient_balance_claims"], 1);
    assert_eq!(s["patient_balance_total"], "22.80");
    // The ledger keeps what was paid at the visit with the claim as sent.
    let l = rusqlite::Connection::open(d.join("l.db")).unwrap();
    let paid: String = l
        .query_row("SELECT patient_paid FROM claim_patients WHERE claim_id = 'D1001'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(paid, "25");
    // So do the view and `status`.
    let owed: (String, String, String) = l
        .query_row(
            "SELECT amount, share, paid_at_visit FROM patient_responsibility WHERE claim_id = 'D1001'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!(owed, ("0.00".into(), "25.00".into(), "25.00".into()));
    let o = run(d, &["status", "D1001"], "2026-12-20");
    assert!(
        text(&o).contains("standing: DEMOPAYER1 paid 97.00; nothing to bill: patient balance 0.00 (share 25.00, paid at the visit 25.00)"),
        "{}",
        text(&o)
    );
}

/// Before the secondary answers, what the primary left to the patient is
/// listed as `awaiting_secondary` but is no statement's to bill: the
/// billable total holds only claims without a secondary (C3007).
#[test]
fn balances_awaiting_a_secondary_are_not_in_the_billable_total() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-04-10");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let rows = lines(&d.join("rep/patient_balances.csv"));
    let stages: Vec<(&str, &str)> = rows[1..]
        .iter()
        .map(|r| {
            let cells: Vec<&str> = r.split(',').collect();
            (cells[0], cells[14])
        })
        .collect();
    assert_eq!(
        stages,
        [
            ("C3001", "awaiting_secondary"),
            ("C3002", "awaiting_secondary"),
            ("C3003", "awaiting_secondary"),
            ("C3005", "awaiting_secondary"),
            ("C3006", "awaiting_secondary"),
            ("C3007", "final"),
        ]
    );
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(s["patient_balance_claims"], 1);
    assert_eq!(s["patient_balance_total"], "15.00");
    assert_eq!(s["patient_balance_awaiting_secondary_claims"], 5);
    assert_eq!(s["patient_balance_awaiting_secondary"], "125.00");
    assert!(
        text(&o)
            .contains("not billable yet: 5 claim(s), 125.00 wait for the secondary payer's answer"),
        "{}",
        text(&o)
    );
}

/// A/R at the secondary is what the primary left to the patient (and to
/// another payer), never the primary's CO or OA reductions: C3001 60.00,
/// C3002 25.00, C3003 10.00, C3005 20.00 before DEMOSECOND answers.
#[test]
fn the_secondary_owes_what_the_primary_left_to_the_patient() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/cob.csv"), "--out", "out"], "2026-03-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    run(d, &["reconcile", &fixture("835/cob-primary.835"), "--out", "r1"], "2026-04-01");
    let o = run(d, &["secondary", "--out", "cob"], "2026-04-02");
    assert_eq!(o.status.code(), Some(1), "C3006 is held\n{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-04-10");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let aging = lines(&d.join("rep/aging.csv"));
    assert!(aging.contains(&"DEMOSECOND,total,4,115.00".to_string()), "{aging:?}");
}

/// A claim rejected at the front end is owed by no payer, but it ages
/// toward timely filing: its own A/R line, apart from the total.
#[test]
fn rejected_claims_are_a_separate_ar_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let acks = [fixture("ack/demo.999"), fixture("ack/demo.277")];
    let o = run(d, &["ack", &acks[0], &acks[1], "--out", "acks"], "2026-11-28");
    assert_eq!(o.status.code(), Some(1), "D1002 is rejected\n{}", text(&o));
    let o = run(d, &["report", "--out", "rep"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let aging = lines(&d.join("rep/aging.csv"));
    assert!(
        aging.contains(&"DEMOPAYER1,\"rejected, not yet resent\",1,185.00".to_string()),
        "{aging:?}"
    );
    assert_eq!(aging.last().unwrap(), "ALL,\"rejected, not yet resent\",1,185.00");
    assert!(aging.contains(&"ALL,total,6,2145.90".to_string()), "{aging:?}");
    let s = summary(&d.join("rep/summary.json"));
    assert_eq!(
        (s["ar_rejected_claims"].as_u64(), s["ar_rejected"].as_str()),
        (Some(1), Some("185.00"))
    );
    assert_eq!(s["ar_total"], "2145.90");
    assert!(text(&o).contains("rejected, not yet resent: 1 claim(s), 185.00"), "{}", text(&o));
}

/// Medicare pays D1005 and forwards it to the supplemental plan (CLP02 19,
/// NM1*TT, MA18): the coinsurance waits for the crossover payer. That
/// payer's own 835 (CLP02 2, OA-23), for a claim never sent to it, is posted
/// under its id as the claim's secondary answer: the balance is paid, the
/// money and the deposit are the crossover payer's, the charge counts once.
#[test]
fn a_medicare_crossover_waits_for_and_credits_the_crossover_payer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let medicare = fixture("835/money/crossover-medicare.835");
    let o = run(d, &["reconcile", &medicare, "--out", "r1"], "2026-12-15");
    assert!(text(&o).contains("processed and forwarded to another payer: 1"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep1"], "2026-12-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(
        lines(&d.join("rep1/patient_balances.csv"))[1..],
        ["D1005,DEMOMCARE,Mockwell,Edna,1952-03-15,2026-06-09,34.00,0.00,34.00,0.00,0.00,34.00,0.00,,awaiting_secondary,0.00"]
    );
    assert_eq!(summary(&d.join("rep1/summary.json"))["patient_balance_total"], "0.00");
    // status says the same: the balance waits for the crossover payer.
    let o = run(d, &["status", "D1005"], "2026-12-20");
    assert!(
        text(&o).contains("  standing: DEMOMCARE paid 136.00; awaiting the crossover payer: patient balance 34.00 (share 34.00, paid at the visit 0.00), not billable until it answers"),
        "{}",
        text(&o)
    );

    let secondary = fixture("835/money/crossover-secondary.835");
    let o = run(d, &["reconcile", &secondary, "--out", "r2"], "2026-12-28");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let row = row_of(&d.join("r2/claims.csv"), "D1005").unwrap();
    assert_eq!(
        (row["payer_id"].as_str(), row["status"].as_str(), row["paid"].as_str()),
        ("DEMOSECOND", "paid", "34.00")
    );
    let l = rusqlite::Connection::open(d.join("l.db")).unwrap();
    let posted: Vec<String> = l
        .prepare("SELECT payer_id || ' ' || clp02 || ' ' || paid FROM claim_payments WHERE claim_id = 'D1005' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(posted, ["DEMOMCARE 19 136", "DEMOSECOND 2 34"]);
    // Medicare's claim keeps its own answer.
    let status: String = l
        .query_row("SELECT status FROM claims WHERE claim_id = 'D1005'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "paid");
    let o = run(d, &["report", "--out", "rep2"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(lines(&d.join("rep2/patient_balances.csv")).len(), 1, "nothing owed");
    let o = run(d, &["status", "D1005", "--json"], "2026-12-31");
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let st = &v[0]["standing"];
    assert_eq!(
        (&st["awaiting"], &st["stage"], &st["secondary_payer_id"], &st["secondary_paid"]),
        (&"none".into(), &"after_secondary".into(), &"DEMOSECOND".into(), &"34.00".into()),
        "{v}"
    );
    assert_eq!(st["patient_balance"], "0.00");
    let payments = lines(&d.join("rep2/payments.csv"));
    assert!(
        payments.contains(
            &"DEMOSECOND,2026-12,0.00,34.00,34.00,0.00,0.00,,,1,0.00,0.00,34.00,0".to_string()
        ),
        "the charge is billed once, the money and the deposit are DEMOSECOND's: {payments:?}"
    );
    let s = summary(&d.join("rep2/summary.json"));
    assert_eq!(s["collection_rate"], "1.0000");
    assert_eq!(s["tie_out"]["ok"], true);
}

/// The report takes A/R and outcomes from the claim's standing: after
/// Medicare's crossover (CLP02 19) and before the crossover payer answers,
/// D1005 is waiting for that payer, not paid; its coinsurance is on the
/// `awaiting secondary payer` line of `aging.csv`, apart from the A/R.
/// Once the crossover payer has paid, the claim is paid and the line goes.
#[test]
fn the_report_counts_a_crossover_as_awaiting_the_crossover_payer() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let o = run(d, &["build", &fixture("encounters/demo.csv"), "--out", "out"], "2026-11-27");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let medicare = fixture("835/money/crossover-medicare.835");
    let o = run(d, &["reconcile", &medicare, "--out", "r1"], "2026-12-15");
    assert!(text(&o).contains("processed and forwarded to another payer: 1"), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep1"], "2026-12-20");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&d.join("rep1/summary.json"));
    let outcome = &s["claims_by_outcome"];
    assert_eq!(
        (&outcome["paid"], &outcome["waiting_for_secondary"], &outcome["outstanding"]),
        (&0.into(), &1.into(), &6.into()),
        "{s}"
    );
    assert_eq!(
        (&s["ar_awaiting_secondary_claims"], &s["ar_awaiting_secondary"]),
        (&1.into(), &"34.00".into()),
        "{s}"
    );
    let aging = lines(&d.join("rep1/aging.csv"));
    assert!(aging.contains(&"DEMOMCARE,awaiting secondary payer,1,34.00".to_string()), "{aging:?}");
    assert!(aging.contains(&"ALL,awaiting secondary payer,1,34.00".to_string()), "{aging:?}");
    assert!(text(&o).contains("awaiting a secondary payer: 1 claim(s), 34.00"), "{}", text(&o));
    // The A/R proper (money expected from the payers billed) is unchanged.
    assert_eq!(s["ar_total"], "2110.90");

    let secondary = fixture("835/money/crossover-secondary.835");
    let o = run(d, &["reconcile", &secondary, "--out", "r2"], "2026-12-28");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = run(d, &["report", "--out", "rep2"], "2026-12-31");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let s = summary(&d.join("rep2/summary.json"));
    let outcome = &s["claims_by_outcome"];
    assert_eq!(
        (&outcome["paid"], &outcome["waiting_for_secondary"]),
        (&1.into(), &0.into()),
        "{s}"
    );
    assert_eq!(s["ar_awaiting_secondary_claims"], 0);
    let aging = lines(&d.join("rep2/aging.csv"));
    assert!(!aging.iter().any(|l| l.contains("awaiting secondary payer")), "{aging:?}");
}
