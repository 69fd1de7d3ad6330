//! A ledger-mode reconcile killed while it posts (an abort without cleanup,
//! as kill -9) after any remittance of a batch, after any batch's commit and
//! before the WAL is synced: every remittance is in the ledger with all its
//! rows or with none, and a run again posts the rest, leaving the ledger an
//! uninterrupted run leaves.

use std::collections::BTreeMap;

use super::*;

/// Transaction sets in the 835: three posting batches (8 sets each).
const SETS: usize = 20;

/// The claim payments of set `n` (1-based) beyond its unmatched one: paid
/// in parts across batches (C1001), a denial overturned in a later batch
/// (C1003), a reversal and its correction in the last batch (C1006), and a
/// reversal with no correction (C1008) in the last batch.
fn claim_payments(n: usize) -> &'static [&'static str] {
    match n {
        1 => &[
            "CLP*C1001*1*100*72**12*PCN-1001A~SVC*HC:99213*100*72**1~CAS*CO*45*28~REF*6R*C1001-1",
            "CLP*C1003*4*200*0**12*PCN-1003~SVC*HC:99203*200*0**1~CAS*CO*16*200~REF*6R*C1003-1",
        ],
        3 => &[
            "CLP*C1006*1*100*90**12*PCN-1006~SVC*HC:99213*100*90**1~CAS*CO*45*10~REF*6R*C1006-1",
            "CLP*C1004*1*100*0*80*12*PCN-1004~SVC*HC:99213*100*0**1~CAS*PR*1*80~CAS*CO*45*20~REF*6R*C1004-1",
        ],
        5 => &["CLP*C1002*1*200*100**12*PCN-1002~SVC*HC:99214:25*150*100**1~CAS*CO*45*50~REF*6R*C1002-1~SVC*HC:93000*50*0**1~CAS*CO*97*50~REF*6R*C1002-2"],
        8 => &["CLP*C1008*1*160*120**12*PCN-1008~SVC*HC:97110*160*120**4~CAS*CO*45*40~REF*6R*C1008-1"],
        10 => &["CLP*C1001*1*20*15**12*PCN-1001B~SVC*HC:81002*20*15**1~CAS*CO*45*5~REF*6R*C1001-2"],
        12 => &["CLP*C1003*1*200*150**12*PCN-1003B~SVC*HC:99203*200*150**1~CAS*CO*45*50~REF*6R*C1003-1"],
        17 => &[
            "CLP*C1006*22*-100*-90**12*PCN-1006~SVC*HC:99213*-100*-90**-1~CAS*CO*45*-10~REF*6R*C1006-1",
            "CLP*C1006*1*100*95**12*PCN-1006B~SVC*HC:99213*100*95**1~CAS*CO*45*5~REF*6R*C1006-1",
        ],
        // A reversal with no correction after it: a rerun must leave C1008
        // reversed, whichever batches were posted before the crash.
        19 => &["CLP*C1008*22*-160*-120**12*PCN-1008~SVC*HC:97110*-160*-120**-4~CAS*CO*45*-40~REF*6R*C1008-1"],
        _ => &[],
    }
}

/// An 835 of [`SETS`] payments from DEMOPAYER1 (traces K1, K2, …), each
/// with an unmatched claim payment, every fourth with a PLB adjustment.
fn remit_835() -> String {
    remit_835_of(1..=SETS)
}

/// The 835 of [`remit_835`] with only the payments `sets` (1-based).
fn remit_835_of(sets: std::ops::RangeInclusive<usize>) -> String {
    let count = sets.clone().count();
    let mut x = String::from(
        "ISA*00*          *00*          *ZZ*DEMOPAYER1     *ZZ*DEMOPROVIDER   *260320*1200*^*00501*000000101*0*T*:~\
         GS*HP*DEMOPAYER1*DEMOPROVIDER*20260320*1200*101*X*005010X221A1~",
    );
    for n in sets {
        let mut segs: Vec<String> = Vec::new();
        let unmatched = format!("CLP*ZZ-{n}*1*50*50**12*PCN-Z{n}~SVC*HC:99211*50*50**1");
        let mut paid = 0i64;
        for clp in claim_payments(n).iter().copied().chain([unmatched.as_str()]) {
            paid += clp.split('*').nth(4).unwrap().parse::<i64>().unwrap();
            segs.extend(clp.split('~').map(str::to_string));
        }
        let plb = if n % 4 == 0 { 5 } else { 0 };
        if plb > 0 {
            segs.push(format!("PLB*1234567893*20261231*WO:PCN-Z{n}*{plb}"));
        }
        let mut set = vec![
            format!("ST*835*{n:04}"),
            format!("BPR*C*{}*C*CHK************20260315", paid - plb),
            format!("TRN*1*K{n}*1512345678"),
            "N1*PR*DEMO HEALTH PLAN".into(),
            "REF*2U*DEMOPAYER1".into(),
            "N1*PE*DEMO MEDICAL GROUP*XX*1234567893".into(),
            "REF*TJ*123456789".into(),
            "LX*1".into(),
        ];
        set.extend(segs);
        set.push(format!("SE*{}*{n:04}", set.len() + 1));
        for s in set {
            x.push_str(&s);
            x.push('~');
        }
    }
    x.push_str(&format!("GE*{count}*101~IEA*1*000000101~"));
    x
}

/// A folder with the fixture ledger (C1001..C1010 sent) and `remit.835`.
fn fresh() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ledger_with_sent_claims(dir.path());
    std::fs::write(dir.path().join("remit.835"), remit_835()).unwrap();
    dir
}

/// `reconcile remit.835 --ledger claimflow.db` in `dir` with `env` set.
fn reconcile(dir: &Path, out: &str, env: &[(&str, &str)]) -> Output {
    let mut cmd = claimflow(dir);
    cmd.args(["reconcile", "remit.835", "--ledger", "claimflow.db", "--out", out]);
    cmd.args(["--now", "2026-04-10"]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Every row of every table, sorted, as text (the folder's path as `DIR`;
/// of `schema_migrations` only the versions, not when they were applied).
fn dump(dir: &Path) -> BTreeMap<String, Vec<String>> {
    use rusqlite::types::ValueRef;
    let conn = rusqlite::Connection::open(dir.join("claimflow.db")).unwrap();
    let prefix = dir.display().to_string();
    let tables: Vec<String> = {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        let names = st.query_map([], |r| r.get(0)).unwrap();
        names.map(Result::unwrap).collect()
    };
    let mut all = BTreeMap::new();
    for t in tables {
        let what = if t == "schema_migrations" { "version" } else { "*" };
        let n = conn.prepare(&format!("SELECT {what} FROM \"{t}\"")).unwrap().column_count();
        let by: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
        let sql = format!("SELECT {what} FROM \"{t}\" ORDER BY {}", by.join(", "));
        let mut st = conn.prepare(&sql).unwrap();
        let rows = st
            .query_map([], |r| {
                let cells: Vec<String> = (0..n)
                    .map(|i| match r.get_ref(i).unwrap() {
                        ValueRef::Null => "NULL".to_string(),
                        ValueRef::Integer(v) => v.to_string(),
                        ValueRef::Real(v) => format!("{v:?}"),
                        ValueRef::Text(b) => String::from_utf8_lossy(b).replace(&prefix, "DIR"),
                        ValueRef::Blob(b) => format!("blob {b:?}"),
                    })
                    .collect();
                Ok(cells.join("|"))
            })
            .unwrap();
        all.insert(t, rows.map(Result::unwrap).collect());
    }
    all
}

/// Per posted remittance (by trace, in the order posted): its claim
/// payments, their denial rows, its PLB rows and its procedure rows.
fn rows_by_remittance(db: &Path) -> Vec<String> {
    query(
        db,
        "SELECT r.trace || ':' ||
            (SELECT COUNT(*) FROM claim_payments p WHERE p.remittance_id = r.id) || ':' ||
            (SELECT COUNT(*) FROM payment_denials d JOIN claim_payments p ON p.id = d.payment_id
              WHERE p.remittance_id = r.id) || ':' ||
            (SELECT COUNT(*) FROM provider_adjustments a WHERE a.remittance_id = r.id) || ':' ||
            (SELECT COUNT(*) FROM remittance_procedures x WHERE x.remittance_id = r.id)
         FROM remittances r ORDER BY r.id",
    )
}

#[test]
fn a_reconcile_killed_while_posting_posts_whole_remittances_and_a_rerun_completes_it() {
    let whole = fresh();
    let o = reconcile(whole.path(), "o", &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stdout(&o));
    let db = whole.path().join("claimflow.db");
    let want = dump(whole.path());
    let per_remittance = rows_by_remittance(&db);
    assert_eq!(per_remittance.len(), SETS, "{per_remittance:?}");
    // The interesting postings are there: denials, PLB, procedures, an
    // overturned denial and a reversal undone.
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM payment_denials"), ["2"]);
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM provider_adjustments"), ["5"]);
    assert_eq!(
        query(&db, "SELECT COUNT(*) || '' FROM claim_payments WHERE reversed_by IS NOT NULL"),
        ["3"]
    );
    assert_eq!(
        query(&db, "SELECT claim_id || ':' || status FROM claims WHERE claim_id IN ('C1001', 'C1003', 'C1006', 'C1008') ORDER BY claim_id"),
        ["C1001:paid", "C1003:paid", "C1006:paid", "C1008:reversed"]
    );

    let mut crashes: Vec<(&str, usize)> = (1..=SETS).map(|n| ("remittance", n)).collect();
    crashes.extend((1..=3).map(|n| ("committed", n)));
    crashes.push(("posted", 1));
    for (point, n) in crashes {
        let dir = fresh();
        let d = dir.path();
        let count = n.to_string();
        let env = [("CLAIMFLOW_TEST_CRASH_AT", point), ("CLAIMFLOW_TEST_CRASH_COUNT", &count)];
        let o = reconcile(d, "o1", &env);
        assert!(o.status.code().is_none(), "{point} {n}: must have aborted: {}", stdout(&o));
        let db = d.join("claimflow.db");
        // Whole remittances only, in file order: a prefix of the
        // uninterrupted run's.
        let got = rows_by_remittance(&db);
        let committed = match point {
            "remittance" => (n - 1) / 8 * 8,
            "committed" => (n * 8).min(SETS),
            _ => SETS,
        };
        assert_eq!(got, per_remittance[..committed], "{point} {n}");
        assert_eq!(
            query(&db, "SELECT COUNT(*) || '' FROM claim_payments WHERE remittance_id NOT IN (SELECT id FROM remittances)"),
            ["0"],
            "{point} {n}"
        );
        // The run again posts the rest: the ledger of an uninterrupted run.
        let o = reconcile(d, "o2", &[]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "{point} {n}: {}", stdout(&o));
        let got = dump(d);
        for (table, rows) in &want {
            assert_eq!(&got[table], rows, "{point} {n}: {table} after the rerun");
        }
        assert_eq!(got.len(), want.len(), "{point} {n}");
    }
}

#[test]
fn an_835_delivered_again_with_new_payments_posts_and_accounts_each_payment_once() {
    let whole = fresh();
    let o = reconcile(whole.path(), "o", &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stdout(&o));
    let want = dump(whole.path());

    // Payments 1-12, then a file repeating 8-12 with 13-20 after them: 8
    // is reversed by 19 (no correction), 3's denial overturned by 12.
    let dir = fresh();
    let d = dir.path();
    std::fs::write(d.join("remit.835"), remit_835_of(1..=12)).unwrap();
    let o = reconcile(d, "o1", &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stdout(&o));
    std::fs::write(d.join("remit.835"), remit_835_of(8..=SETS)).unwrap();
    let o = reconcile(d, "o2", &[]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stdout(&o));
    let db = d.join("claimflow.db");
    assert_eq!(
        query(&db, "SELECT claim_id || ':' || status FROM claims WHERE claim_id IN ('C1001', 'C1003', 'C1006', 'C1008') ORDER BY claim_id"),
        ["C1001:paid", "C1003:paid", "C1006:paid", "C1008:reversed"]
    );
    // The repeated payments are posted once; everything else as one run
    // of the whole file leaves it, but for the file each was posted from.
    assert_eq!(query(&db, "SELECT COUNT(*) || '' FROM remittances"), [SETS.to_string()]);
    let got = dump(d);
    for (table, rows) in &want {
        if table != "remittances" {
            assert_eq!(&got[table], rows, "{table}");
        }
    }
}
