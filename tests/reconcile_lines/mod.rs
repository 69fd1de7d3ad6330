//! `claimflow reconcile`: every sent line accounted for (not_adjudicated
//! lines, outstanding amounts), claims the payer split, reversals with and
//! without a correction, and PLB adjustments tied to claims, over the
//! purpose-written `fixtures/835/lines*.835` (one run, then run by run with
//! the ledger). This file holds the fixtures' expected rows and the helpers.

use std::path::Path;

use crate::reconcile::{ledger_with, lines_of, query, run, stdout};
use crate::util::fixture;

mod one_run;
mod run_by_run;
mod split;

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
