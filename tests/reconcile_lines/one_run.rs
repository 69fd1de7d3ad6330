//! Every file in one run: lines, split claims, reversals and PLB accounted
//! for, and recoded lines matched by SVC06, then SVC01, then charge and date.

use super::*;

#[test]
fn one_run_accounts_for_every_line_split_claims_reversals_and_plb() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/lines-1.835"),
            &fixture("835/lines-2.835"),
            "--claims",
            &fixture("835/lines.837"),
            "--out",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    let s = stdout(&o);
    // CLP03 against CLM02: each part of a split claim (L4001, L4002, L4003)
    // bills the charge of the lines it answers: no warning.
    assert_eq!(s.matches("[RECON-CLP03]").count(), 0, "{s}");
    // The reversal of L4006 names amounts no payment has: nothing undone.
    assert!(s.contains("lines-2.835:segment 41 (byte 1137), claim L4006: warning: reversal (CLP02 22) of payer claim number PCN-4006 for 100.00 billed, 70.00 paid matches no payment of this claim in these files: nothing undone [RECON-REVERSAL]\n"), "{s}");
    assert!(s.contains("  paid 8, partial 2, denied 0, patient_responsibility 0, reversed 3, unmatched 0, forwarded 0, outstanding 0\n"), "{s}");
    assert!(s.contains("  reversal: claim L4004 (-80.00 in trace T720) cancels the payment in trace T710; corrected payment 90.00 follows in trace T720\n"), "{s}");
    assert!(s.contains("  reversal: claim L4005 (-50.00 in trace T720) cancels the payment in trace T710; no corrected payment yet\n"), "{s}");
    assert!(s.contains("  reversal: claim L4006 (-70.00 in trace T720) cancels a payment not in these files; no corrected payment yet\n"), "{s}");
    assert!(
        s.contains(
            "tie-out: paid 735.00 + provider adjustments -33.75 = 701.25; BPR02 total 701.25: OK"
        ),
        "{s}"
    );
    let claims: Vec<&str> = RUN1_CLAIMS.iter().chain(RUN2_CLAIMS.iter()).copied().collect();
    assert_eq!(report(d, "out", "claims.csv"), with_header(CLAIMS_HEADER, &claims));
    // In one run, L4002's second part answers the line its first part left:
    // the first part still shows it not_adjudicated (as of that payment).
    let lines: Vec<&str> = RUN1_LINES.iter().chain(RUN2_LINES.iter()).copied().collect();
    assert_eq!(report(d, "out", "lines.csv"), with_header(LINES_HEADER, &lines));
    assert_eq!(report(d, "out", "provider_adjustments.csv"), with_header(PLB_HEADER, &RUN2_PLB));
    assert_eq!(report(d, "out", "denials.csv"), [DENIALS_HEADER]);
    assert_eq!(report(d, "out", "outstanding.csv"), [OUTSTANDING_HEADER]);
}

#[test]
fn recoded_lines_match_by_svc06_then_svc01_then_charge_and_date() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/recoded.835"),
            "--claims",
            &fixture("835/recoded.837"),
            "--out",
            "out",
        ],
    );
    // R5002's lines cannot be told apart: partial, a person must look.
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("  paid 1, partial 1, denied 0,"), "{}", stdout(&o));
    let row = |claim: &str, line: &str, procedure: &str, status: &str, rule: &str, money: &str| {
        let pcn = format!("PCN-{}", &claim[1..]);
        format!(
            "{claim},{line},{procedure},DEMOPAYER1,{pcn},{status},{rule},{money},T740,2026-06-20"
        )
    };
    let paid = |billed: &str, paid: &str, co45: &str| {
        format!("{billed},{paid},{paid},0.00,{co45},0.00,0.00,0.00,CO-45,")
    };
    let unanswered = "40.00,,,,,,,,,";
    let want = [
        // SVC06 99213 is the code sent; SVC01 99212 is the payer's.
        row(
            "R5001",
            "R5001-1",
            "99212",
            "paid",
            "original_procedure",
            &paid("100.00", "70.00", "30.00"),
        ),
        // SVC06 99215 was never sent; SVC01 99214 was.
        row("R5001", "R5001-2", "99214", "paid", "procedure", &paid("150.00", "120.00", "30.00")),
        // Re-coded to G0471 without SVC06: the only 30.00 line of the day.
        row("R5001", "R5001-3", "G0471", "paid", "charge_date", &paid("30.00", "20.00", "10.00")),
        // Two 40.00 lines that day: no match, both sent lines unanswered.
        row("R5002", "", "97530", "paid", "none", &paid("40.00", "35.00", "5.00")),
        row("R5002", "", "97530", "paid", "none", &paid("40.00", "35.00", "5.00")),
        row("R5002", "R5002-1", "97110", "not_adjudicated", "none", unanswered),
        row("R5002", "R5002-2", "97112", "not_adjudicated", "none", unanswered),
    ];
    assert_eq!(
        report(d, "out", "lines.csv"),
        with_header(LINES_HEADER, &want.each_ref().map(String::as_str))
    );
    assert_eq!(
        report(d, "out", "claims.csv"),
        with_header(
            CLAIMS_HEADER,
            &[
                "R5001,DEMOPAYER1,PCN-5001,paid,claim_id,280.00,210.00,210.00,0.00,70.00,0.00,0.00,0.00,CO-45,,T740,2026-06-20",
                "R5002,DEMOPAYER1,PCN-5002,partial,claim_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T740,2026-06-20",
            ]
        )
    );
}
