//! Money columns and statuses of purpose-written remittances, contractual
//! CARCs from the config, and the denied split stored in the ledger.

use super::*;

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
