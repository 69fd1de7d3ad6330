//! A secondary run that crashes before, while or after writing its COB
//! 837P: nothing sent twice, control numbers burnt, the COB records of an
//! abandoned submission dropped, a renamed file counted as sent.

use super::*;

/// `secondary --json` with `env` set, in `dir` (the fixture ledger there).
fn crash_secondary(dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut a: Vec<String> = vec!["secondary".into(), "--out".into(), "cob".into()];
    a.extend(cfg(dir));
    a.extend(["--now".into(), "2026-04-02".into(), "--json".into()]);
    let mut cmd = claimflow(dir);
    cmd.args(&a);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().unwrap();
    keep_all_837(&dir.join("cob"));
    o
}

fn x12_files(dir: &Path) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".x12") && !n.starts_with('.'))
        .collect();
    names.sort();
    names
}

fn count(dir: &Path, sql: &str) -> i64 {
    let l = rusqlite::Connection::open(dir.join("claimflow.db")).unwrap();
    l.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn a_crash_before_the_rename_sends_nothing_and_the_next_run_sends_every_claim() {
    let crashes: [&[(&str, &str)]; 3] = [
        &[("CLAIMFLOW_TEST_CRASH_AT", "allocated")],
        &[("CLAIMFLOW_TEST_CRASH_AT", "pending")],
        // 4 COB claims recorded in batches of 2: the abort comes after the first.
        &[("CLAIMFLOW_TEST_CRASH_AT", "batch"), ("CLAIMFLOW_TEST_LEDGER_BATCH", "2")],
    ];
    for env in crashes {
        let dir = primary_posted();
        let d = dir.path();
        let o = crash_secondary(d, env);
        assert!(o.status.code().is_none() || !o.status.success(), "{env:?}: must have aborted");
        assert!(x12_files(&d.join("cob")).is_empty(), "{env:?}: no 837 may appear");
        let o = crash_secondary(d, &[]);
        assert_eq!(o.status.code(), Some(1), "{env:?}: {}", text(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["sent"].as_array().unwrap().len(), 4, "{env:?}");
        assert_eq!(v["sent_charge"], "630.00", "{env:?}");
        assert_eq!(v["isa13"], "000000003", "{env:?}: 2 was burnt");
        assert_eq!(x12_files(&d.join("cob")), ["secondary-000000003.x12"], "{env:?}");
        // The COB records are those of the complete submission only.
        let stale =
            "SELECT COUNT(*) FROM cob_claims cc JOIN submissions s ON s.id = cc.submission_id
                     WHERE s.state <> 'complete'";
        assert_eq!(count(d, stale), 0, "{env:?}");
        assert_eq!(count(d, "SELECT COUNT(*) FROM cob_claims"), 4, "{env:?}");
        let o = crash_secondary(d, &[]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["sent"].as_array().unwrap().len(), 0, "{env:?}: nothing sent twice");
    }
}

#[test]
fn a_crash_after_the_rename_counts_the_file_as_sent() {
    let dir = primary_posted();
    let d = dir.path();
    let o = crash_secondary(d, &[("CLAIMFLOW_TEST_CRASH_AT", "renamed")]);
    assert!(o.status.code().is_none() || !o.status.success(), "must have aborted");
    assert_eq!(x12_files(&d.join("cob")), ["secondary-000000002.x12"]);
    let o = crash_secondary(d, &[]);
    assert!(text(&o).contains("recorded as sent"), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["sent"].as_array().unwrap().len(), 0, "nothing sent twice");
    assert_eq!(count(d, "SELECT COUNT(*) FROM claims WHERE payer_id = 'DEMOSECOND'"), 4);
    assert_eq!(x12_files(&d.join("cob")).len(), 1);
}
