//! The demo walk-through: `build` on the demo export and `reconcile` of
//! `fixtures/835/demo.835`, the payers' answer to that build.

use super::*;

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
