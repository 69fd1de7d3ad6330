//! `claimflow reconcile`: every sent line accounted for (not_adjudicated
//! lines, outstanding amounts), claims the payer split, reversals with and
//! without a correction, and PLB adjustments tied to claims, over the
//! purpose-written `fixtures/835/lines*.835` (one run, then run by run with
//! the ledger).

use std::path::Path;

use rust_decimal::Decimal;

use claimflow::ledger::{ClaimMoney, Ledger};

use crate::reconcile::{ledger_with, lines_of, query, run, stdout};
use crate::util::fixture;

/// The claims of lines.837, all sent to DEMOPAYER1.
const SENT: &[(&str, &str, &str)] = &[
    ("L4001", "DEMOPAYER1", "150"),
    ("L4002", "DEMOPAYER1", "200"),
    ("L4003", "DEMOPAYER1", "100"),
    ("L4004", "DEMOPAYER1", "100"),
    ("L4005", "DEMOPAYER1", "60"),
    ("L4006", "DEMOPAYER1", "100"),
    ("L4007", "DEMOPAYER1", "350"),
];

const CLAIMS_HEADER: &str = "claim_id,payer_id,payer_claim_id,status,match_rule,billed,allowed,paid,patient_responsibility,contractual,denied,other_adjustments,variance,carc_codes,rarc_codes,check_trace,payment_date";
const LINES_HEADER: &str = "claim_id,line_id,procedure,payer_id,payer_claim_id,status,match_rule,billed,allowed,paid,patient_responsibility,contractual,denied,other_adjustments,variance,carc_codes,rarc_codes,check_trace,payment_date";
const DENIALS_HEADER: &str = "claim_id,line_id,procedure,payer_id,payer_claim_id,billed,paid,denied_amount,carc_codes,rarc_codes,category,next_action,check_trace,payment_date";
const PLB_HEADER: &str = "payer_id,provider_id,fiscal_date,reason,reference,claim_id,amount,payment_effect,check_trace,payment_date";
const OUTSTANDING_HEADER: &str = "claim_id,payer_id,billed,outstanding_amount,sent_date,age_days";

/// claims.csv rows of lines-1.835 (the first run).
const RUN1_CLAIMS: [&str; 7] = [
    "L4001,DEMOPAYER1,PCN-4001,partial,claim_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4002,DEMOPAYER1,PCN-4002A,partial,claim_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4003,DEMOPAYER1,PCN-4003A,paid,claim_id,70.00,60.00,60.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4003,DEMOPAYER1,PCN-4003B,paid,claim_id,30.00,25.00,25.00,0.00,5.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4004,DEMOPAYER1,PCN-4004,paid,claim_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4005,DEMOPAYER1,PCN-4005,paid,claim_id,60.00,50.00,50.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4006,DEMOPAYER1,PCN-4006,paid,claim_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
];

/// lines.csv rows of lines-1.835: the unanswered lines of L4001 and of
/// L4002 (whose other part comes later) are not_adjudicated.
const RUN1_LINES: [&str; 9] = [
    "L4001,L4001-1,99213,DEMOPAYER1,PCN-4001,paid,line_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4001,L4001-2,36415,DEMOPAYER1,PCN-4001,not_adjudicated,none,50.00,,,,,,,,,,T710,2026-05-15",
    "L4002,L4002-1,99214,DEMOPAYER1,PCN-4002A,paid,line_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002A,not_adjudicated,none,80.00,,,,,,,,,,T710,2026-05-15",
    "L4003,L4003-1,99212,DEMOPAYER1,PCN-4003A,paid,line_id,70.00,60.00,60.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4003,L4003-2,81002,DEMOPAYER1,PCN-4003B,paid,line_id,30.00,25.00,25.00,0.00,5.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4004,L4004-1,99213,DEMOPAYER1,PCN-4004,paid,line_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4005,L4005-1,99211,DEMOPAYER1,PCN-4005,paid,line_id,60.00,50.00,50.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
    "L4006,L4006-1,99213,DEMOPAYER1,PCN-4006,paid,line_id,100.00,80.00,80.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T710,2026-05-15",
];

/// claims.csv rows of lines-2.835 (the second run).
const RUN2_CLAIMS: [&str; 6] = [
    "L4002,DEMOPAYER1,PCN-4002B,paid,claim_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4004,DEMOPAYER1,PCN-4004,reversed,claim_id,-100.00,-80.00,-80.00,0.00,-20.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4004,DEMOPAYER1,PCN-4004B,paid,claim_id,100.00,90.00,90.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4005,DEMOPAYER1,PCN-4005,reversed,claim_id,-60.00,-50.00,-50.00,0.00,-10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4006,DEMOPAYER1,PCN-4006,reversed,claim_id,-100.00,-70.00,-70.00,0.00,-30.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4007,DEMOPAYER1,PCN-4007,paid,claim_id,350.00,300.00,300.00,0.00,50.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
];

const RUN2_LINES: [&str; 6] = [
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002B,paid,line_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4004,L4004-1,99213,DEMOPAYER1,PCN-4004,reversed,line_id,-100.00,-80.00,-80.00,0.00,-20.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4004,L4004-1,99213,DEMOPAYER1,PCN-4004B,paid,line_id,100.00,90.00,90.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4005,L4005-1,99211,DEMOPAYER1,PCN-4005,reversed,line_id,-60.00,-50.00,-50.00,0.00,-10.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4006,L4006-1,99213,DEMOPAYER1,PCN-4006,reversed,line_id,-100.00,-70.00,-70.00,0.00,-30.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
    "L4007,L4007-1,99215,DEMOPAYER1,PCN-4007,paid,line_id,350.00,300.00,300.00,0.00,50.00,0.00,0.00,0.00,CO-45,,T720,2026-05-29",
];

/// provider_adjustments.csv of lines-2.835: WO tied to L4001 by its payer
/// claim number, L6 interest to L4004 by its claim id, CS untied.
const RUN2_PLB: [&str; 3] = [
    "DEMOPAYER1,1234567893,2026-12-31,WO,PCN-4001,L4001,20.00,-20.00,T720,2026-05-29",
    "DEMOPAYER1,1234567893,2026-12-31,L6,L4004,L4004,-1.25,1.25,T720,2026-05-29",
    "DEMOPAYER1,1234567893,2026-12-31,CS,NOCLAIM77,,15.00,-15.00,T720,2026-05-29",
];

fn with_header(header: &str, rows: &[&str]) -> Vec<String> {
    std::iter::once(header).chain(rows.iter().copied()).map(str::to_string).collect()
}

fn report(dir: &Path, out: &str, name: &str) -> Vec<String> {
    lines_of(dir.join(out).join(name))
}

/// `claimflow reconcile FILES... --ledger DB --out OUT --now NOW` run in
/// `dir` (`files` named as fixtures): its exit code and standard output.
fn reconcile_into(
    dir: &Path,
    db: &Path,
    files: &[&str],
    out: &str,
    now: &str,
) -> (Option<i32>, String) {
    let mut args: Vec<String> = vec!["reconcile".into()];
    args.extend(files.iter().map(|f| fixture(f)));
    let db = db.display().to_string();
    args.extend(["--ledger".into(), db, "--out".into(), out.into(), "--now".into(), now.into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = run(dir, &args);
    (o.status.code(), stdout(&o))
}

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

/// lines-split.835: L4002's part A (trace T750) leaves line 2 unanswered,
/// part B (trace T760, a later set of the same file) answers it.
const SPLIT_CLAIMS: [&str; 2] = [
    "L4002,DEMOPAYER1,PCN-4002A,partial,claim_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T750,2026-05-15",
    "L4002,DEMOPAYER1,PCN-4002B,paid,claim_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T760,2026-05-29",
];
/// Part A's row shows line 2 not_adjudicated as of that payment.
const SPLIT_LINES: [&str; 3] = [
    "L4002,L4002-1,99214,DEMOPAYER1,PCN-4002A,paid,line_id,120.00,100.00,100.00,0.00,20.00,0.00,0.00,0.00,CO-45,,T750,2026-05-15",
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002A,not_adjudicated,none,80.00,,,,,,,,,,T750,2026-05-15",
    "L4002,L4002-2,97110,DEMOPAYER1,PCN-4002B,paid,line_id,80.00,70.00,70.00,0.00,10.00,0.00,0.00,0.00,CO-45,,T760,2026-05-29",
];
const SPLIT_COMPLETED: &str = "  of the partial: 1 left a sent line unanswered that a later payment of these files answered: the claim is complete\n";

#[test]
fn a_claim_split_across_payments_of_one_run_is_complete_at_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 837 mode: part A is partial as of its payment; nothing is left to do.
    let o = run(
        d,
        &[
            "reconcile",
            &fixture("835/lines-split.835"),
            "--claims",
            &fixture("835/lines.837"),
            "--out",
            "files",
        ],
    );
    let s = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{s}");
    assert!(s.contains("  paid 1, partial 1, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 0\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    assert_eq!(report(d, "files", "claims.csv"), with_header(CLAIMS_HEADER, &SPLIT_CLAIMS));
    assert_eq!(report(d, "files", "lines.csv"), with_header(LINES_HEADER, &SPLIT_LINES));
    assert_eq!(report(d, "files", "outstanding.csv"), [OUTSTANDING_HEADER]);

    // Ledger mode: L4002 is paid and not outstanding at the end of the run;
    // the claims nothing answered are.
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) = reconcile_into(d, &db, &["835/lines-split.835"], "ledger", "2026-06-01");
    assert_eq!(code, Some(0), "{s}");
    assert!(s.contains("  paid 1, partial 1, denied 0, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 6\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    let mut claims = with_header(CLAIMS_HEADER, &SPLIT_CLAIMS);
    let waiting = ["L4001", "L4003", "L4004", "L4005", "L4006", "L4007"];
    let charge = |id: &str| SENT.iter().find(|c| c.0 == id).unwrap().2;
    claims.extend(
        waiting
            .iter()
            .map(|id| format!("{id},DEMOPAYER1,,outstanding,,{}.00,,,,,,,,,,,", charge(id))),
    );
    assert_eq!(report(d, "ledger", "claims.csv"), claims);
    assert_eq!(report(d, "ledger", "lines.csv"), with_header(LINES_HEADER, &SPLIT_LINES));
    let outstanding: Vec<String> = waiting
        .iter()
        .map(|id| format!("{id},DEMOPAYER1,{0}.00,{0}.00,2026-03-11,82", charge(id)))
        .collect();
    let mut want = vec![OUTSTANDING_HEADER.to_string()];
    want.extend(outstanding);
    assert_eq!(report(d, "ledger", "outstanding.csv"), want);
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'L4002'"), ["paid"]);
    assert_eq!(
        query(
            &db,
            "SELECT payer_claim_id || ' ' || status || ' ' || paid || ' ' || IFNULL(lines, '*')
             FROM claim_payments ORDER BY id"
        ),
        ["PCN-4002A partial 100 L4002-1", "PCN-4002B paid 70 L4002-2"]
    );
}

#[test]
fn one_ledger_run_of_both_payments_leaves_only_what_is_unanswered_outstanding() {
    // lines-1.835 and lines-2.835 in one run: L4002's part B (in lines-2)
    // completes the claim part A (in lines-1) left partial.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) =
        reconcile_into(d, &db, &["835/lines-1.835", "835/lines-2.835"], "out", "2026-06-01");
    // L4001's second line is still unanswered, L4005's reversal has no
    // correction: a person must look.
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("  paid 8, partial 2, denied 0, patient_responsibility 0, reversed 3, unmatched 0, forwarded 0, outstanding 2\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    let mut claims: Vec<&str> = RUN1_CLAIMS.iter().chain(RUN2_CLAIMS.iter()).copied().collect();
    claims.extend([
        "L4001,DEMOPAYER1,,outstanding,,150.00,,,,,,,,,,,",
        "L4005,DEMOPAYER1,,outstanding,,60.00,,,,,,,,,,,",
    ]);
    assert_eq!(report(d, "out", "claims.csv"), with_header(CLAIMS_HEADER, &claims));
    let lines: Vec<&str> = RUN1_LINES.iter().chain(RUN2_LINES.iter()).copied().collect();
    assert_eq!(report(d, "out", "lines.csv"), with_header(LINES_HEADER, &lines));
    assert_eq!(
        report(d, "out", "outstanding.csv"),
        with_header(
            OUTSTANDING_HEADER,
            &[
                "L4001,DEMOPAYER1,150.00,50.00,2026-03-11,82",
                "L4005,DEMOPAYER1,60.00,60.00,2026-03-11,82",
            ]
        )
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ' ' || status FROM claims ORDER BY claim_id"),
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
}

#[test]
fn a_claim_one_part_of_which_is_denied_ends_partial_in_the_ledger() {
    // lines-split-denied.835: L4003's line 1 paid (trace T770), its line 2
    // denied with CO-16 by a later payment of the file (trace T780).
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let db = ledger_with(d, "835/lines.837", SENT);
    let (code, s) = reconcile_into(d, &db, &["835/lines-split-denied.835"], "out", "2026-06-01");
    assert_eq!(code, Some(1), "{s}");
    assert!(s.contains("  paid 0, partial 1, denied 1, patient_responsibility 0, reversed 0, unmatched 0, forwarded 0, outstanding 6\n"), "{s}");
    assert!(s.contains(SPLIT_COMPLETED), "{s}");
    // Each payment keeps its own status; the claim has both parts' answer.
    assert_eq!(
        query(
            &db,
            "SELECT payer_claim_id || ' ' || status || ' ' || paid || ' ' || denied || ' '
                    || IFNULL(lines, '*')
             FROM claim_payments ORDER BY id"
        ),
        ["PCN-4003A partial 60 0 L4003-1", "PCN-4003B denied 0 30 L4003-2"]
    );
    assert_eq!(query(&db, "SELECT status FROM claims WHERE claim_id = 'L4003'"), ["partial"]);
    // Every line is answered: L4003 is not outstanding; the denied part is on
    // the worklist (one row per denied claim payment).
    let outstanding = report(d, "out", "outstanding.csv");
    assert_eq!(outstanding.len(), 7, "{outstanding:?}");
    assert!(!outstanding.iter().any(|r| r.starts_with("L4003,")), "{outstanding:?}");
    assert_eq!(
        report(d, "out", "denials.csv"),
        with_header(
            DENIALS_HEADER,
            &["L4003,,,DEMOPAYER1,PCN-4003B,30.00,0.00,30.00,CO-16,M51,missing information,correct and resubmit,T780,2026-05-29"]
        )
    );
}
