//! The files run one by one with the ledger: unanswered lines, reversals and
//! recoupments kept per claim.

use rust_decimal::Decimal;

use claimflow::ledger::{ClaimMoney, Ledger};

use super::*;

fn money(paid: &str, recouped: &str, interest: &str, net: &str) -> ClaimMoney {
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    ClaimMoney { paid: d(paid), recouped: d(recouped), interest: d(interest), net: d(net) }
}

fn claim_money(db: &Path, claim: &str) -> ClaimMoney {
    Ledger::open(db).unwrap().claim_money(claim, "DEMOPAYER1").unwrap()
}

#[test]
fn run_by_run_the_ledger_keeps_unanswered_lines_reversals_and_recoupments() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(d, "835/lines.837", SENT);
    let reconcile = |file: &str, out: &str, now: &str| reconcile_into(d, &db, &[file], out, now);
    let claim_states =
        || query(&db, "SELECT claim_id || ' ' || status FROM claims ORDER BY claim_id");
    let payments = || {
        query(
            &db,
            "SELECT claim_id || ' ' || payer_claim_id || ' ' || status || ' ' || paid || ' '
                    || IFNULL(lines, '*') || ' ' || IFNULL(reverses, '-') || ' ' || IFNULL(reversed_by, '-')
             FROM claim_payments ORDER BY id",
        )
    };

    // Run 1: L4001's second line and L4002's second part are unanswered.
    let (code, s) = reconcile("835/lines-1.835", "o1", "2026-05-20");
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("  paid 5, partial 2, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 3\n"), "{s}");
    let mut claims = with_header(CLAIMS_HEADER, &RUN1_CLAIMS);
    claims.extend(
        [
            "L4001,DEMOPAYER1,,outstanding,,150.00,,,,,,,,,,,",
            "L4002,DEMOPAYER1,,outstanding,,200.00,,,,,,,,,,,",
            "L4007,DEMOPAYER1,,outstanding,,350.00,,,,,,,,,,,",
        ]
        .map(str::to_string),
    );
    assert_eq!(report(d, "o1", "claims.csv"), claims);
    assert_eq!(report(d, "o1", "lines.csv"), with_header(LINES_HEADER, &RUN1_LINES));
    assert_eq!(report(d, "o1", "denials.csv"), [DENIALS_HEADER]);
    assert_eq!(report(d, "o1", "provider_adjustments.csv"), [PLB_HEADER]);
    assert_eq!(
        report(d, "o1", "outstanding.csv"),
        with_header(
            OUTSTANDING_HEADER,
            &[
                "L4001,DEMOPAYER1,150.00,50.00,2026-03-11,70",
                "L4002,DEMOPAYER1,200.00,80.00,2026-03-11,70",
                "L4007,DEMOPAYER1,350.00,350.00,2026-03-11,70",
            ]
        )
    );
    assert_eq!(
        payments(),
        [
            "L4001 PCN-4001 partial 80 L4001-1 - -",
            "L4002 PCN-4002A partial 100 L4002-1 - -",
            "L4003 PCN-4003A paid 60 L4003-1 - -",
            "L4003 PCN-4003B paid 25 L4003-2 - -",
            "L4004 PCN-4004 paid 80 * - -",
            "L4005 PCN-4005 paid 50 * - -",
            "L4006 PCN-4006 paid 80 * - -",
        ]
    );
    assert_eq!(
        claim_states(),
        [
            "L4001 partial",
            "L4002 partial",
            "L4003 paid",
            "L4004 paid",
            "L4005 paid",
            "L4006 paid",
            "L4007 sent"
        ]
    );

    // Run 2: L4002 is complete with the line run 1 answered; L4004 reversed
    // and corrected; L4005 reversed, outstanding again; L4006's reversal
    // undoes nothing; the PLBs are tied.
    let (code, s) = reconcile("835/lines-2.835", "o2", "2026-06-01");
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("lines-2.835:segment 41 (byte 1137), claim L4006: warning: reversal (CLP02 22) of payer claim number PCN-4006 for 100.00 billed, 70.00 paid matches no live payment of this claim in the ledger: nothing undone [RECON-REVERSAL]\n"), "{s}");
    assert!(s.contains("  paid 3, partial 0, denied 0, patient_responsibility 0, reversed 3, unmatched 0, forwarded 0, outstanding 2\n"), "{s}");
    assert!(s.contains("ledger: posted 6 claim payment(s) to their claims from 1 remittance(s); 2 earlier posting(s) undone by reversals"), "{s}");
    let mut claims = with_header(CLAIMS_HEADER, &RUN2_CLAIMS);
    claims.extend(
        [
            "L4001,DEMOPAYER1,,outstanding,,150.00,,,,,,,,,,,",
            "L4005,DEMOPAYER1,,outstanding,,60.00,,,,,,,,,,,",
        ]
        .map(str::to_string),
    );
    assert_eq!(report(d, "o2", "claims.csv"), claims);
    assert_eq!(report(d, "o2", "lines.csv"), with_header(LINES_HEADER, &RUN2_LINES));
    assert_eq!(report(d, "o2", "provider_adjustments.csv"), with_header(PLB_HEADER, &RUN2_PLB));
    assert_eq!(report(d, "o2", "denials.csv"), [DENIALS_HEADER]);
    let run2_outstanding = with_header(
        OUTSTANDING_HEADER,
        &[
            "L4001,DEMOPAYER1,150.00,50.00,2026-03-11,82",
            "L4005,DEMOPAYER1,60.00,60.00,2026-03-11,82",
        ],
    );
    assert_eq!(report(d, "o2", "outstanding.csv"), run2_outstanding);
    let run2_payments = [
        "L4001 PCN-4001 partial 80 L4001-1 - -",
        "L4002 PCN-4002A partial 100 L4002-1 - -",
        "L4003 PCN-4003A paid 60 L4003-1 - -",
        "L4003 PCN-4003B paid 25 L4003-2 - -",
        "L4004 PCN-4004 paid 80 * - 9",
        "L4005 PCN-4005 paid 50 * - 11",
        "L4006 PCN-4006 paid 80 * - -",
        "L4002 PCN-4002B paid 70 L4002-2 - -",
        "L4004 PCN-4004 reversed -80 * 5 -",
        "L4004 PCN-4004B paid 90 * - -",
        "L4005 PCN-4005 reversed -50 * 6 -",
        "L4006 PCN-4006 reversed -70 * - -",
        "L4007 PCN-4007 paid 300 * - -",
    ];
    assert_eq!(payments(), run2_payments);
    // The unpaired reversal leaves L4006 as it was.
    assert_eq!(
        claim_states(),
        [
            "L4001 partial",
            "L4002 paid",
            "L4003 paid",
            "L4004 paid",
            "L4005 reversed",
            "L4006 paid",
            "L4007 paid"
        ]
    );
    assert_eq!(
        query(
            &db,
            "SELECT reason || ' ' || reference || ' ' || amount || ' ' || IFNULL(claim_id, '-') || ' '
                    || IFNULL(payer_id, '-') || ' ' || kind
             FROM provider_adjustments ORDER BY id"
        ),
        [
            "WO PCN-4001 20 L4001 DEMOPAYER1 claim",
            "L6 L4004 -1.25 L4004 DEMOPAYER1 interest",
            "CS NOCLAIM77 15 - - provider",
        ]
    );
    // The recoupment is taken from L4001's payment; interest is apart.
    assert_eq!(claim_money(&db, "L4001"), money("80", "20", "0", "60"));
    assert_eq!(claim_money(&db, "L4004"), money("90", "0", "1.25", "90"));
    assert_eq!(claim_money(&db, "L4005"), money("0", "0", "0", "0"));
    assert_eq!(claim_money(&db, "L4006"), money("80", "0", "0", "80"));

    // Run 3: lines-2 again is already applied: nothing posted, no report
    // rewritten, exit 0 (its partial payments were reported by run 2); the
    // ledger still holds L4001 and the reversed L4005 outstanding, and no
    // warning repeats.
    let (code, s) = reconcile("835/lines-2.835", "o3", "2026-06-01");
    assert_eq!(code, Some(0), "{s}");
    assert!(
        s.contains("  ledger: remittance trace T720 was already applied: nothing posted\n"),
        "{s}"
    );
    assert!(!s.contains("RECON-REVERSAL"), "{s}");
    assert!(!d.join("o3/outstanding.csv").exists());
    assert_eq!(payments(), run2_payments);

    // Run 4 (a later 835): L4005 paid again after its reversal, L4001's
    // second line answered: nothing is outstanding, nothing needs a person.
    let (code, s) = reconcile("835/lines-3.835", "o4", "2026-06-15");
    assert_eq!(code, Some(0), "{s}");
    assert!(!s.contains("RECON-CLP03"), "{s}");
    assert!(s.contains("  paid 2, partial 0, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 0\n"), "{s}");
    assert_eq!(
        report(d, "o4", "claims.csv"),
        with_header(
            CLAIMS_HEADER,
            &[
                "L4005,DEMOPAYER1,PCN-4005B,paid,claim_id,60.00,55.00,55.00,0.00,5.00,0.00,0.00,0.00,CO-45,,T730,2026-06-12",
                "L4001,DEMOPAYER1,PCN-4001B,paid,claim_id,50.00,40.00,40.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T730,2026-06-12",
            ]
        )
    );
    assert_eq!(
        report(d, "o4", "lines.csv"),
        with_header(
            LINES_HEADER,
            &[
                "L4005,L4005-1,99211,DEMOPAYER1,PCN-4005B,paid,line_id,60.00,55.00,55.00,0.00,5.00,0.00,0.00,0.00,CO-45,,T730,2026-06-12",
                "L4001,L4001-2,36415,DEMOPAYER1,PCN-4001B,paid,line_id,50.00,40.00,40.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T730,2026-06-12",
            ]
        )
    );
    assert_eq!(report(d, "o4", "outstanding.csv"), [OUTSTANDING_HEADER]);
    assert_eq!(report(d, "o4", "denials.csv"), [DENIALS_HEADER]);
    assert_eq!(report(d, "o4", "provider_adjustments.csv"), [PLB_HEADER]);
    assert_eq!(
        payments()[13..],
        ["L4005 PCN-4005B paid 55 * - -", "L4001 PCN-4001B paid 40 L4001-2 - -"]
    );
    assert_eq!(claim_states()[..1], ["L4001 paid"]);
    assert_eq!(claim_states()[4], "L4005 paid");
    assert_eq!(claim_money(&db, "L4001"), money("120", "20", "0", "100"));
    assert_eq!(claim_money(&db, "L4005"), money("55", "0", "0", "55"));
}
