//! Money in every JSON output is one shape: a string with exactly two
//! decimals (`"1575.00"`). Walks the `--json` output of every command and
//! `summary.json` and `manifest.json` over the fixtures.

use std::path::Path;

use serde_json::Value;

use crate::util::{claimflow, fixture, keep_all_837};

/// Keys that hold money wherever they appear (outside `counts` and `ledger`,
/// where the same words count claims and payments).
const MONEY: &[&str] = &[
    "allowed",
    "already_sent_charge",
    "amount",
    "ar_over_90",
    "ar_awaiting_secondary",
    "ar_rejected",
    "ar_total",
    "billed",
    "bpr02",
    "bpr02_amount",
    "bpr02_total",
    "charge",
    "clp03_charge",
    "clp04_paid",
    "clp05_patient_responsibility",
    "contractual",
    "copay",
    "copay_out",
    "corrected_paid",
    "denied",
    "denied_amount",
    "deductible",
    "deductible_out",
    "deductible_remaining",
    "deductible_remaining_out",
    "deposited",
    "expected_bpr02",
    "held_charge",
    "ledger_paid",
    "oop_remaining",
    "other_adjustments",
    "outstanding",
    "paid",
    "paid_at_visit",
    "patient_balance",
    "patient_balance_awaiting_secondary",
    "patient_balance_total",
    "patient_responsibility",
    "payments_csv_paid",
    "payments_posted",
    "plb",
    "primary_paid",
    "provider_adjustments",
    "provider_adjustments_effect",
    "remaining_patient_liability",
    "secondary_paid",
    "sent_charge",
    "share",
    "svc02_charge",
    "svc03_paid",
    "total_charge",
    "variance",
];

/// Keys whose decimal text is not money (rates, units, quantities, days).
const NOT_MONEY: &[&str] = &[
    "coinsurance",
    "coinsurance_out",
    "clp12_drg_weight",
    "clp13_discharge_fraction",
    "collection_rate",
    "denial_rate",
    "denial_rate_amount",
    "median_days_to_pay",
    "p90_days_to_pay",
    "quantity",
    "svc05_units",
    "svc07_original_units",
    "units",
];

fn is_cents(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let Some((whole, frac)) = digits.split_once('.') else { return false };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && frac.len() == 2
        && frac.bytes().all(|b| b.is_ascii_digit())
        && s != "-0.00"
}

fn looks_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    digits.split_once('.').is_some_and(|(w, f)| {
        w.bytes().all(|b| b.is_ascii_digit())
            && !f.is_empty()
            && f.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Every money value under `v`, checked; returns how many were seen.
fn check(v: &Value, key: &str, parent: &str, what: &str, bad: &mut Vec<String>) -> usize {
    match v {
        Value::Object(m) => m.iter().map(|(k, x)| check(x, k, key, what, bad)).sum(),
        Value::Array(a) => a.iter().map(|x| check(x, key, parent, what, bad)).sum(),
        Value::Number(n) => {
            if !(n.is_i64() || n.is_u64()) {
                bad.push(format!("{what}: {key} is a JSON float {n}"));
            } else if MONEY.contains(&key)
                && !matches!(parent, "counts" | "ledger" | "claims_by_outcome")
            {
                bad.push(format!("{what}: {key} is a JSON number {n}, not money text"));
            }
            0
        }
        Value::String(s) if MONEY.contains(&key) => {
            if !is_cents(s) {
                bad.push(format!("{what}: {key} = {s:?} is not money with two decimals"));
            }
            1
        }
        Value::String(s) if looks_decimal(s) && !NOT_MONEY.contains(&key) => {
            bad.push(format!("{what}: {key} = {s:?} is decimal text of no known kind"));
            0
        }
        _ => 0,
    }
}

/// Runs `claimflow ARGS` in `dir` and parses its standard output as JSON.
fn json(dir: &Path, args: &[&str], codes: &[i32]) -> Value {
    let o = claimflow(dir).args(args).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(codes.contains(&o.status.code().unwrap_or(-1)), "{args:?}: {:?} {err}", o.status);
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}: {err}"))
}

fn file(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn every_json_output_writes_money_as_two_decimal_text() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = fixture("claimflow.toml");
    let cfg = ["--config", config.as_str(), "--ledger", "claimflow.db"];
    let with = |args: &[&str]| -> Vec<String> {
        args.iter().chain(cfg.iter()).map(|s| s.to_string()).collect()
    };
    let run = |args: &[&str], codes: &[i32]| -> Value {
        let a = with(args);
        json(d, &a.iter().map(String::as_str).collect::<Vec<_>>(), codes)
    };
    let mut outputs: Vec<(String, Value)> = Vec::new();
    let demo = fixture("encounters/demo.csv");
    let demo835 = fixture("835/demo.835");
    let (a999, a277) = (fixture("ack/demo.999"), fixture("ack/demo.277"));
    let steps: Vec<(&str, Vec<&str>)> = vec![
        ("build", vec!["build", &demo, "--out", "out", "--now", "2026-11-27", "--json"]),
        ("ack", vec!["ack", &a999, &a277, "--out", "acks", "--now", "2026-11-28", "--json"]),
        (
            "reconcile",
            vec!["reconcile", &demo835, "--out", "recon", "--now", "2026-12-15", "--json"],
        ),
        ("status", vec!["status", "--json"]),
        ("status claims", vec!["status", "D1006", "D1001", "--history", "--json"]),
        ("worklist", vec!["status", "--worklist", "--now", "2026-12-16", "--json"]),
        ("report", vec!["report", "--out", "report", "--now", "2026-12-31", "--json"]),
    ];
    let check_args = ["check", &demo, "--config", &config, "--json"];
    outputs.push(("check".into(), json(d, &check_args, &[0, 1])));
    for (name, args) in &steps {
        outputs.push((name.to_string(), run(args, &[0, 1])));
    }
    keep_all_837(&d.join("out"));
    outputs.push(("manifest.json".into(), file(&d.join("out/manifest.json"))));
    outputs.push(("summary.json".into(), file(&d.join("report/summary.json"))));
    let x12 = d.join("out/claims-000000001.x12").display().to_string();
    let validate = ["validate", "--json", &x12, &demo835, &a999, &a277];
    outputs.push(("validate".into(), json(d, &validate, &[0, 1])));
    for remit in ["835/demo.835", "835/money.835", "835/cob-primary.835", "835/remit-2.835"] {
        let f = fixture(remit);
        outputs.push((format!("parse {remit}"), json(d, &["parse", "--remittances", &f], &[0, 1])));
    }
    // A reconcile against 837 files (no ledger): provider adjustments and reversals.
    for (remit, claims) in
        [("835/money.835", "835/money.837"), ("835/remit-2.835", "835/claims.837")]
    {
        let (r, c) = (fixture(remit), fixture(claims));
        let args = ["reconcile", &r, "--claims", &c, "--out", "recon-files", "--json"];
        outputs.push((format!("reconcile {remit}"), json(d, &args, &[0, 1])));
    }
    // The secondary payer: COB claims sent, then the secondary's remittance.
    let cob = tempfile::tempdir().unwrap();
    let c = cob.path();
    let cob_run = |args: &[&str], codes: &[i32]| -> Value {
        let a = with(args);
        json(c, &a.iter().map(String::as_str).collect::<Vec<_>>(), codes)
    };
    let export = fixture("encounters/cob.csv");
    let (primary, second) = (fixture("835/cob-primary.835"), fixture("835/cob-secondary.835"));
    let cob_steps: Vec<(&str, Vec<&str>)> = vec![
        ("cob build", vec!["build", &export, "--out", "out", "--now", "2026-03-20", "--json"]),
        (
            "cob reconcile",
            vec!["reconcile", &primary, "--out", "r1", "--now", "2026-04-01", "--json"],
        ),
        ("secondary", vec!["secondary", "--out", "cob", "--now", "2026-04-02", "--json"]),
        (
            "cob reconcile 2",
            vec!["reconcile", &second, "--out", "r2", "--now", "2026-04-21", "--json"],
        ),
        ("cob status", vec!["status", "C3001", "C3002", "--json"]),
        ("cob report", vec!["report", "--out", "rep", "--now", "2026-05-01", "--json"]),
    ];
    for (name, args) in &cob_steps {
        outputs.push((name.to_string(), cob_run(args, &[0, 1])));
    }
    keep_all_837(&c.join("out"));
    keep_all_837(&c.join("cob"));

    // `status CLAIM --json` gives each primary claim its standing (who owes
    // what), its money walked below like every other field.
    for what in ["status claims", "cob status"] {
        let (_, v) = outputs.iter().find(|(w, _)| w == what).unwrap();
        let standing = &v[0]["standing"];
        for key in ["primary_paid", "secondary_paid", "share", "paid_at_visit", "patient_balance"] {
            assert!(standing[key].is_string(), "{what}: standing.{key} missing in {v}");
        }
    }

    // Eligibility: the 270 of the build test export, and a 271 answering it with amounts.
    let elig = tempfile::tempdir().unwrap();
    let e = elig.path();
    std::fs::copy(fixture("build/claimflow.toml"), e.join("claimflow.toml")).unwrap();
    let clean = fixture("build/clean.csv");
    let args =
        ["eligibility", "request", &clean, "--out", "out", "--now", "2025-11-30T08:00", "--json"];
    outputs.push(("eligibility request".into(), json(e, &args, &[0])));
    std::fs::write(e.join("answer.271"), answer_271()).unwrap();
    let args = ["eligibility", "read", "answer.271", "--now", "2025-11-30T09:00", "--json"];
    outputs.push(("eligibility read".into(), json(e, &args, &[0, 1])));

    let mut bad = Vec::new();
    let mut seen = 0;
    for (what, v) in &outputs {
        let n = check(v, "", "", what, &mut bad);
        seen += n;
        // Every command that reports amounts reports at least one.
        let has_money =
            !matches!(what.as_str(), "check" | "ack" | "validate" | "eligibility request");
        assert!(!has_money || n > 0, "{what}: no money field seen in {v}");
    }
    assert!(bad.is_empty(), "{} bad money value(s):\n{}", bad.len(), bad.join("\n"));
    assert!(seen > 200, "only {seen} money values seen");
}

/// A 271 answering inquiry 000000001-1 (CF1001: TESTPAYER1, MEM1001) with
/// copay, coinsurance, deductibles and out-of-pocket amounts, some of them
/// with fewer or more decimals than two.
fn answer_271() -> String {
    let segs = [
        "ST*271*0001*005010X279A1",
        "BHT*0022*11*R1*20251130*0900",
        "HL*1**20*1",
        "NM1*PR*2*TEST HEALTH PLAN*****PI*TESTPAYER1",
        "HL*2*1*21*1",
        "NM1*1P*2*TEST CLINIC*****XX*1234567893",
        "HL*3*2*22*0",
        "TRN*2*000000001-1*9877281234",
        "NM1*IL*1*TESTER*ALICE****MI*MEM1001",
        "EB*1*IND*30*HM*GOLD PLAN",
        "EB*B*IND*30***27*25*****Y",
        "EB*B*IND*30***27*50.5*****N",
        "EB*A*IND*30*****0.2****Y",
        "EB*C*IND*30***23*1000.00*****Y",
        "EB*C*IND*30***29*400.5*****Y",
        "EB*G*IND*30***29*2500*****Y",
        "EB*C*IND*30***23*3000.00*****N",
        "EB*C*IND*30***29*1200.125*****N",
        "SE*19*0001",
    ];
    format!(
        "ISA*00*          *00*          *ZZ*CLEARING       *ZZ*SUBMITTER      *251130*0900*^*00501*000000077*0*T*:~\nGS*HB*CLEARING*SUBMITTER*20251130*0900*77*X*005010X279A1~\n{}~\nGE*1*77~\nIEA*1*000000077~\n",
        segs.join("~\n")
    )
}

#[test]
fn money_text_is_recognized() {
    assert!(is_cents("1575.00") && is_cents("-0.05") && is_cents("0.00"));
    assert!(!is_cents("1575") && !is_cents("1575.0") && !is_cents("1.005") && !is_cents("-0.00"));
    assert!(looks_decimal("609.2") && !looks_decimal("-0") && !looks_decimal("0001"));
}
