//! The pipelines called as a library (no binary): `claimflow::build` then
//! `claimflow::reconcile` on the demo fixtures, asserting the typed reports.

use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::ledger::Ledger;
use claimflow::progress::Progress;
use claimflow::{build, clock, reconcile};

use crate::util::{keep_all_837, root};

#[test]
fn build_then_reconcile_through_the_library() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let export = root().join("fixtures/encounters/demo.csv");
    let inputs = build::Inputs::new(&export, &config, CodeSets::shipped());
    let options = build::Options { now: clock::parse_now("2026-11-27").unwrap(), resend: false };
    let mut ledger = Ledger::open(&out.join("claimflow.db")).unwrap();
    let progress = Progress::silent();

    let built = build::run(&inputs, &options, &mut ledger, out, &progress).unwrap();
    keep_all_837(out);
    let counts = &built.manifest.counts;
    assert_eq!((counts.claims, counts.sent, counts.held, counts.already_sent), (22, 7, 15, 0));
    assert!(built.needs_attention());
    assert_eq!(built.manifest.control_numbers.isa13.as_deref(), Some("000000001"));
    let x12 = built.x12_file.as_deref().unwrap();
    assert!(x12.exists() && built.rejects_file.exists() && built.manifest_file.exists());
    assert!(built.errors().any(|f| f.rule == "E-NPI-001" && f.claim_id == "F2001"));
    // Money in the manifest has two decimals: a held claim's 3-decimal
    // charge (its own finding names it) does not leak into the total.
    assert_eq!(built.manifest.totals.sent_charge, "2330.90");
    assert_eq!(built.manifest.totals.held_charge, "3564.35");
    // The held rows no line was read from (no claim_id; an impossible date)
    // are named: their 95.00 + 95.00 is what the rows add up to beyond it.
    assert_eq!(built.manifest.totals.held_rows_not_in_charge, [27, 28]);
    assert_eq!(built.manifest.totals.already_sent_charge, "0.00");
    // The shipped code sets hold no NCCI/MUE file: the report says so, typed.
    let unchecked: Vec<_> =
        built.codeset_notes.iter().filter(|f| f.rule == build::NCCI_UNCHECKED).collect();
    assert_eq!(unchecked.len(), 1, "{:?}", built.codeset_notes);
    assert!(unchecked[0].message.starts_with("NCCI/MUE edits were not checked"));

    // The same export again: nothing is sent twice.
    let again = build::run(&inputs, &options, &mut ledger, &out.join("again"), &progress).unwrap();
    assert_eq!((again.manifest.counts.sent, again.manifest.counts.already_sent), (0, 7));
    assert!(again.x12_file.is_none());

    let remits = [root().join("fixtures/835/demo.835")];
    let options = reconcile::Options::new(clock::parse_now("2026-12-15").unwrap());
    let recon = out.join("recon");
    let summary = reconcile::run(
        &remits,
        reconcile::Claims::Ledger(&mut ledger),
        &recon,
        &options,
        &progress,
    )
    .unwrap();
    assert_eq!(summary.claim_payments, 7);
    assert_eq!(summary.counts.denied, 1);
    assert_eq!(summary.counts.unmatched, 0);
    assert_eq!(summary.counts.outstanding, 0);
    assert!(summary.tie_out.ok);
    assert!(summary.needs_attention(), "a denial needs a person");
    let posted = summary.ledger.as_ref().unwrap();
    assert_eq!((posted.payments_posted, posted.payments_unmatched), (7, 0));
    for f in
        ["claims.csv", "lines.csv", "denials.csv", "outstanding.csv", "provider_adjustments.csv"]
    {
        assert!(recon.join(f).exists(), "{f}");
    }
}

#[test]
fn an_unreadable_export_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let missing = dir.path().join("missing.csv");
    let inputs = build::Inputs::new(&missing, &config, CodeSets::shipped());
    let options = build::Options { now: clock::parse_now("2026-11-27").unwrap(), resend: false };
    let err = build::prepare(&inputs, &options, &Progress::silent()).unwrap_err();
    assert!(matches!(err, build::Error::Encounters(_)), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn reconcile_with_no_readable_835_writes_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let remits = [root().join("fixtures/encounters/demo.csv")];
    let claims = [root().join("fixtures/835/claims.837")];
    let options = reconcile::Options::new(clock::parse_now("2026-12-15").unwrap());
    let out = dir.path().join("recon");
    let err = reconcile::run(
        &remits,
        reconcile::Claims::Files(&claims),
        &out,
        &options,
        &Progress::silent(),
    )
    .unwrap_err();
    match err {
        reconcile::Error::NoRemittance(broken) => {
            assert_eq!(broken.len(), 1);
            assert!(broken[0].message.contains("no 835 transaction set"), "{}", broken[0].message);
        }
        other => panic!("unexpected error: {other}"),
    }
    assert!(!out.exists());
}

/// `submit` frees the claims it sends once their ledger records are taken:
/// the manifest still counts their lines, and the ledger still holds each
/// sent claim's hash, charge and place in the 837P (its span).
#[test]
fn submit_frees_the_claims_it_sends_and_records_them_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    let export = root().join("fixtures/encounters/demo.csv");
    let inputs = build::Inputs::new(&export, &config, CodeSets::shipped());
    let options = build::Options { now: clock::parse_now("2026-11-27").unwrap(), resend: false };
    let mut ledger = Ledger::open(&out.join("claimflow.db")).unwrap();
    let progress = Progress::silent();
    let mut prepared = build::prepare(&inputs, &options, &progress).unwrap();
    let lines: usize = prepared.clean.iter().chain(&prepared.held).map(|c| c.lines.len()).sum();
    let sent_ids: Vec<String> = prepared.clean.iter().map(|c| c.claim_id.clone()).collect();
    let built = prepared.submit(&config, &mut ledger, out, &progress).unwrap();
    keep_all_837(out);
    assert_eq!(built.manifest.counts.sent, 7);
    assert_eq!(built.manifest.counts.lines, lines);
    assert!(prepared.clean.iter().all(|c| c.claim_id.is_empty() && c.lines.is_empty()));
    assert!(prepared.held.iter().all(|c| !c.claim_id.is_empty()));
    let mut st = ledger
        .connection()
        .prepare(
            "SELECT claim_id FROM claim_history WHERE clm_first IS NOT NULL AND clm_last IS NOT NULL
               AND hl_levels IS NOT NULL AND length(content_hash) = 64 AND total_charge > 0
             ORDER BY claim_id",
        )
        .unwrap();
    let recorded: Vec<String> =
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    let mut want = sent_ids;
    want.sort();
    assert_eq!(recorded, want);
}
