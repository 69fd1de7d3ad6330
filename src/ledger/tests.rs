//! Ledger tests: migrations, counters, submissions, crash recovery, hashes.

use rusqlite::params;

use super::*;
use crate::claim::Claim;

fn sub(dir: &Path, isa13: u32) -> SubmissionRecord {
    SubmissionRecord {
        file: dir.join(format!("claims-{isa13:09}.x12")),
        file_sha256: "00".repeat(32),
        isa13: format!("{isa13:09}"),
        gs06: isa13.to_string(),
        st02: vec!["0001".into()],
        total_charge: Decimal::new(12500, 2),
        created_at: "2024-03-10T08:30:00".into(),
    }
}

fn rec(id: &str, hash: &str) -> ClaimRecord {
    ClaimRecord {
        claim_id: id.into(),
        payer_id: "P1".into(),
        content_hash: hash.into(),
        frequency: "1".into(),
        total_charge: Decimal::new(125, 0),
        st02: "0001".into(),
        status: ClaimStatus::Sent,
        span: None,
        detail: None,
        patient: None,
    }
}

#[test]
fn creates_schema_and_records_version() {
    let dir = tempfile::tempdir().unwrap();
    let l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    assert_eq!(l.counter("ISA13").unwrap(), 0);
    let mode: String = l.connection().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn refuses_ledger_from_newer_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    {
        let l = Ledger::open(&path).unwrap();
        l.connection()
            .execute(
                "INSERT INTO schema_migrations VALUES (99, 'future', '2099-01-01T00:00:00Z')",
                [],
            )
            .unwrap();
    }
    let err = Ledger::open(&path).unwrap_err();
    assert!(matches!(err, Error::TooNew { found: 99, .. }), "{err}");
}

#[test]
fn control_numbers_increase_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (1, 1));
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (2, 2));
    drop(l);
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (3, 3));
}

#[test]
fn a_new_ledger_starts_at_the_first_number_given_and_ignores_it_afterwards() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    assert_eq!(l.allocate_control_numbers(5000).unwrap(), (5000, 5000));
    assert_eq!(l.allocate_control_numbers(5000).unwrap(), (5001, 5001));
    // Numbers already handed out: a lower or higher start changes nothing.
    assert_eq!(l.allocate_control_numbers(1).unwrap(), (5002, 5002));
    assert_eq!(l.allocate_control_numbers(9000).unwrap(), (5003, 5003));
    assert_eq!(l.counter("ISA13").unwrap(), 5003);
}

#[test]
fn exhausted_counter_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    l.connection().execute("UPDATE counters SET value = 999999999", []).unwrap();
    assert!(matches!(l.allocate_control_numbers(1), Err(Error::Exhausted { .. })));
}

#[test]
fn pending_claims_count_only_once_complete() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    let id = l.record_pending(&sub(dir.path(), 1), &[rec("C1", "h1"), rec("C2", "h2")]).unwrap();
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap(), vec![None]);
    l.complete(id).unwrap();
    let found = l.lookup(&[("C1", "P1"), ("C3", "P1"), ("C1", "OTHER")]).unwrap();
    assert_eq!(found[0].as_ref().unwrap().content_hash, "h1");
    assert_eq!(found[0].as_ref().unwrap().isa13, "000000001");
    assert_eq!(found[1], None);
    assert_eq!(found[2], None);
    // A later submission replaces the current state; history keeps both.
    let id2 = l.record_pending(&sub(dir.path(), 2), &[rec("C1", "h1b")]).unwrap();
    l.complete(id2).unwrap();
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().content_hash, "h1b");
    let n: i64 = l
        .connection()
        .query_row("SELECT COUNT(*) FROM claim_history WHERE claim_id = 'C1'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn crash_recovery_completes_or_abandons_pending_submissions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    let mut l = Ledger::open(&path).unwrap();
    let s1 = sub(dir.path(), 1);
    l.record_pending(&s1, &[rec("C1", "h1")]).unwrap();
    l.record_pending(&sub(dir.path(), 2), &[rec("C2", "h2")]).unwrap();
    drop(l); // "crash" after recording, before completing
    std::fs::write(&s1.file, b"ISA...").unwrap(); // file 1 was renamed into place
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.recovered, vec![("000000001".into(), true), ("000000002".into(), false)]);
    let found = l.lookup(&[("C1", "P1"), ("C2", "P1")]).unwrap();
    assert!(found[0].is_some());
    assert!(found[1].is_none(), "file 2 never appeared: its claims are not sent");
}

#[test]
fn content_hash_ignores_rows_and_trailing_zeros_but_not_content() {
    let mut claims = crate::edi837::tests::sample_claims();
    let a = content_hash(&claims[0]);
    claims[0].source.rows = vec![7, 9];
    claims[0].lines[0].row = 7;
    claims[0].lines[0].charge = "125.0000".parse().unwrap();
    assert_eq!(content_hash(&claims[0]), a);
    claims[0].lines[0].charge = "125.01".parse().unwrap();
    assert_ne!(content_hash(&claims[0]), a);
    assert_eq!(a.len(), 64);
}

/// The hash must cover every field of the model: when a field is added to
/// `Claim` (or its parts), this test fails until `Canon` encodes it too.
#[test]
fn content_hash_covers_every_model_field() {
    let c = &crate::edi837::tests::sample_claims()[1];
    let v = serde_json::to_value(c).unwrap();
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&v),
        [
            "accident_date",
            "accident_state",
            "billing",
            "claim_id",
            "delay_reason",
            "diagnoses",
            "facility",
            "frequency",
            "group_number",
            "lines",
            "member_id",
            "note",
            "onset_date",
            "original_ref",
            "patient",
            "patient_paid",
            "payer",
            "place_of_service",
            "prior_auth",
            "referring",
            "related_causes",
            "relationship",
            "rendering",
            "source",
            "stated_total",
            "subscriber",
            "supervising"
        ]
    );
    assert_eq!(
        keys(&v["lines"][0]),
        [
            "charge",
            "dx_pointers",
            "line_id",
            "modifiers",
            "ndc",
            "ndc_quantity",
            "ndc_unit",
            "procedure",
            "row",
            "service_date",
            "service_date_end",
            "units"
        ]
    );
    assert_eq!(keys(&v["subscriber"]), ["address", "dob", "first", "last", "middle", "sex"]);
    assert_eq!(keys(&v["subscriber"]["address"]), ["city", "line1", "line2", "state", "zip"]);
    assert_eq!(
        keys(&v["billing"]),
        ["address", "entity", "first_name", "name", "npi", "pay_to", "tax_id", "taxonomy"]
    );
    assert_eq!(keys(&v["payer"]), ["filing_indicator", "id", "name"]);
    assert_eq!(keys(&v["referring"]), ["first", "last", "npi"]);
    // Other coverage: serialized (and hashed) only when present.
    let mut c = c.clone();
    c.other_payers.push(crate::claim::OtherPayer::default());
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(
        keys(&v["other_payers"][0]),
        [
            "adjudication_date",
            "adjustments",
            "claim_number",
            "group_number",
            "member_id",
            "paid",
            "payer",
            "relationship",
            "remaining_patient_liability",
            "responsibility",
            "subscriber"
        ]
    );
    let mut f = c.clone();
    f.facility = Some(Default::default());
    assert_eq!(keys(&serde_json::to_value(&f).unwrap()["facility"]), ["address", "name", "npi"]);
}

#[test]
fn content_hash_changes_with_each_kind_of_field() {
    let base = crate::edi837::tests::sample_claims()[1].clone();
    let h = content_hash(&base);
    let mut variants: Vec<Claim> = Vec::new();
    let mut v = base.clone();
    v.patient.as_mut().unwrap().dob = None;
    variants.push(v);
    let mut v = base.clone();
    v.lines[0].dx_pointers = vec![1, 1];
    variants.push(v);
    let mut v = base.clone();
    v.lines[1].modifiers.pop();
    variants.push(v);
    let mut v = base.clone();
    v.lines[0].units = "3".parse().unwrap();
    variants.push(v);
    let mut v = base.clone();
    v.lines[1].service_date_end = None;
    variants.push(v);
    let mut v = base.clone();
    v.rendering = None;
    variants.push(v);
    let mut v = base.clone();
    v.stated_total = Some("1".parse().unwrap());
    variants.push(v);
    let mut v = base.clone();
    v.billing.entity = crate::claim::Entity::Person;
    variants.push(v);
    let mut v = base.clone();
    v.billing.pay_to = Some(v.billing.address.clone());
    variants.push(v);
    let other = crate::claim::OtherPayer {
        payer: crate::claim::Payer { id: "SEC".into(), ..Default::default() },
        member_id: "M2".into(),
        ..Default::default()
    };
    let mut v = base.clone();
    v.other_payers.push(other.clone());
    variants.push(v.clone());
    let mut w = v.clone();
    w.other_payers[0].member_id = "M3".into();
    variants.push(w);
    let mut w = v.clone();
    w.other_payers[0].paid = Some("1".parse().unwrap());
    variants.push(w);
    let mut w = v.clone();
    w.other_payers[0].adjustments.push(crate::claim::Adjustment {
        group: "CO".into(),
        reason: "45".into(),
        amount: "1".parse().unwrap(),
        quantity: None,
    });
    variants.push(w);
    let mut w = base.clone();
    w.lines[0].adjudications.push(crate::claim::LineAdjudication {
        payer_id: "P".into(),
        paid: "1".parse().unwrap(),
        procedure: "99213".into(),
        modifiers: Vec::new(),
        units: "1".parse().unwrap(),
        adjustments: Vec::new(),
        date: None,
        remaining_patient_liability: None,
    });
    variants.push(w);
    let mut v = base.clone();
    v.facility = Some(Box::new(crate::claim::Facility {
        name: "GENERAL HOSPITAL".into(),
        npi: "1245319599".into(),
        address: v.billing.address.clone(),
    }));
    variants.push(v.clone());
    v.facility.as_mut().unwrap().address.zip = "627010002".into();
    variants.push(v);
    let mut v = base.clone();
    v.supervising = v.rendering.clone().map(Box::new);
    variants.push(v);
    let mut v = base.clone();
    v.related_causes = vec!["EM".into()];
    variants.push(v);
    let mut v = base.clone();
    v.accident_state = Some("IL".into());
    variants.push(v);
    let mut v = base.clone();
    v.accident_date = v.onset_date;
    variants.push(v);
    let mut v = base.clone();
    v.delay_reason = Some("1".into());
    variants.push(v);
    let mut v = base.clone();
    v.patient_paid = Some("20".parse().unwrap());
    variants.push(v);
    let mut v = base.clone();
    v.note = Some("CORRECTED CODING".into());
    variants.push(v);
    let mut v = base.clone();
    v.lines[0].ndc_quantity = Some("2".parse().unwrap());
    variants.push(v);
    let mut v = base.clone();
    v.lines[0].ndc_unit = Some("UN".into());
    variants.push(v);
    // Moving a value between adjacent fields changes the hash (length prefixes).
    let mut v = base.clone();
    v.member_id.push('X');
    v.group_number = v.group_number.map(|g| g[1..].to_string());
    variants.push(v);
    for (n, v) in variants.iter().enumerate() {
        assert_ne!(content_hash(v), h, "variant {n}");
    }
}

#[test]
fn later_status_is_recorded_for_known_claims_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut l = Ledger::open(&dir.path().join("claimflow.db")).unwrap();
    let id = l.record_pending(&sub(dir.path(), 1), &[rec("C1", "h1")]).unwrap();
    l.complete(id).unwrap();
    assert!(l
        .record_status("C1", "P1", ClaimStatus::Paid, "2024-04-01T00:00:00", Some("835 TRN 123"))
        .unwrap());
    assert!(!l
        .record_status("NOPE", "P1", ClaimStatus::Paid, "2024-04-01T00:00:00", None)
        .unwrap());
    assert_eq!(l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().status, ClaimStatus::Paid);
    let statuses: Vec<String> = l
        .connection()
        .prepare("SELECT status FROM claim_history WHERE claim_id = 'C1' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(statuses, ["sent", "paid"]);
}

#[test]
fn version_3_moves_payment_events_out_of_history_and_keeps_payer_claim_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-2 ledger with one sent claim and one payment posted the
    // version-2 way (a copy of the payment in claim_history).
    {
        let conn = ledger_at_version(&path, 2);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 1,
                 '125', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-01T00:00:00');
             INSERT INTO claim_history (claim_id, payer_id, status, at, submission_id, detail)
                 VALUES ('C1', 'P1', 'sent', '2026-03-01T00:00:00', 1, NULL);
             INSERT INTO remittances VALUES (1, 'PAYER', 'T1', 'f', '/x/r.835', '0001', '100',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '100', '0', '25',
                 '0', 'CO-45 25.00');
             INSERT INTO claim_history (claim_id, payer_id, status, at, total_charge, detail)
                 VALUES ('C1', 'P1', 'paid', '2026-04-01T00:00:00', '125', 'trace T1 paid 100');",
        )
        .unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let one = |sql: &str| -> String { l.connection().query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT payer_claim_id FROM claims WHERE claim_id = 'C1'"), "PCN-9");
    assert_eq!(one("SELECT group_concat(status, ',') FROM claim_history"), "sent");
    assert_eq!(
        one("SELECT group_concat(status || '@' || at || ':' || IFNULL(detail, ''), ',')
             FROM (SELECT * FROM claim_events WHERE claim_id = 'C1' ORDER BY at, source, seq)"),
        "sent@2026-03-01T00:00:00:,paid@2026-04-01T00:00:00:trace T1 paid 100"
    );
    let files = l.sent_files().unwrap();
    assert_eq!(files.len(), 1);
    let sent = l.sent_claims(&files).unwrap();
    assert_eq!(sent[0].payer_claim_id.as_deref(), Some("PCN-9"));
    assert_eq!(sent[0].submission, 0);
}

#[test]
fn version_4_adds_the_denied_amount_and_keeps_version_3_payments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-3 ledger holding a sent claim and a payment that reported
    // its CO-16 denial as contractual (version 3 had no denied column).
    {
        let conn = ledger_at_version(&path, 3);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'partial', 1, '0001',
                 '2026-04-01T00:00:00', 'PCN-9');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'partial', '125', '80', '0', '45',
                 '0', 'CO-45 20.00;CO-16 25.00');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let rows = |l: &Ledger| -> Vec<String> {
        let mut st = l
            .connection()
            .prepare(
                "SELECT claim_id || ':' || status || ':' || paid || ':' || contractual || ':'
                        || IFNULL(denied, 'NULL') || ':' || other_adjustments || ':' || adjustments
                 FROM claim_payments ORDER BY id",
            )
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    // The version-3 row is kept as it was; its denied amount is unknown.
    assert_eq!(rows(&l), ["C1:partial:80:45:NULL:0:CO-45 20.00;CO-16 25.00"]);
    // A payment posted now stores the contractual and denied parts apart.
    let files = l.sent_files().unwrap();
    let sent = l.sent_claims(&files).unwrap();
    let c2 = sent.iter().find(|c| c.claim_id == "C2").unwrap();
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let payment = PaymentPosting {
        claim_id: "C2".into(),
        payer_id: "P1".into(),
        claim_row: Some(c2.row),
        clp01: "C2".into(),
        clp02: "1".into(),
        payer_claim_id: "PCN-10".into(),
        status: ClaimStatus::Partial,
        claim_status: None,
        billed: d("125"),
        paid: d("70"),
        patient_responsibility: d("10"),
        contractual: d("20"),
        denied: d("25.50"),
        other_adjustments: d("-0.50"),
        adjustments: "CO-45 20.00;CO-151 25.50;PR-2 10.00;OA-23 -0.50".into(),
        reversal: false,
        lines: None,
        pos: Default::default(),
        allowed: d("80"),
        service_lines: Vec::new(),
        denials: Vec::new(),
    };
    let remit = RemitPosting {
        payer_id: "P1".into(),
        trace: "T2".into(),
        trn03: "1999999999".into(),
        fingerprint: "fp".into(),
        file_sha256: "g".into(),
        file: "/x/r2.835".into(),
        st02: "0001".into(),
        bpr02: d("70"),
        payment_date: Some("2026-04-02".into()),
        plb_total: Decimal::ZERO,
        payments: vec![payment],
        adjustments: vec![],
    };
    let post = l.post_remittances(&[remit], "2026-04-03T00:00:00").unwrap();
    assert_eq!(post.payments, 1);
    assert_eq!(
        rows(&l),
        [
            "C1:partial:80:45:NULL:0:CO-45 20.00;CO-16 25.00",
            "C2:partial:70:20:25.5:-0.5:CO-45 20.00;CO-151 25.50;PR-2 10.00;OA-23 -0.50"
        ]
    );
    let status: String = l
        .connection()
        .query_row("SELECT status FROM claims WHERE claim_id = 'C2'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "partial");
}

/// The hash of a claim that uses neither a person billing provider nor a
/// pay-to address is what it was before those fields existed: the claims a
/// ledger already holds are not seen as changed. (Values computed before
/// the fields were added.)
#[test]
fn content_hash_of_claims_without_the_newer_billing_fields_is_unchanged() {
    let want = [
        ("C1", "b56cf89fdc621309b8bb23c7b3ccdf41c100c5dc9db690ea60ab1ea2ea33d3b7"),
        ("C2", "cf4f7d1333cb5b8595f49fdfc07965760ffaa9d29ed3b63f16b4e767302550d4"),
        ("C3", "612d19d7aa48cfeaef9825e355f705d8ab7c5203b4597a0f102964a7a5d80ff6"),
        ("C4", "aa8099b43c9d7203a4963541c6bc2104bb202debb1bc2edd7cb940985aafdd91"),
    ];
    for (mut c, (id, hash)) in crate::edi837::tests::sample_claims().into_iter().zip(want) {
        // The sample's NDC line now carries its drug quantity and unit,
        // which claims sent before those fields existed never had.
        for l in &mut c.lines {
            (l.ndc_quantity, l.ndc_unit) = (None, None);
        }
        assert_eq!((c.claim_id.as_str(), content_hash(&c).as_str()), (id, hash));
    }
}

#[test]
fn version_5_keys_payments_by_content_and_keeps_version_4_remittances() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-4 ledger holding a sent claim and the payment of trace T1
    // (file hash 'f'), posted the version-4 way (no TRN03, no fingerprint).
    {
        let conn = ledger_at_version(&path, 4);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-01T00:00:00', 'PCN-9');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80',
                 '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                 payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments, denied)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '80', '0', '45',
                 '0', 'CO-45 45.00', '0');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    let rows = |l: &Ledger, sql: &str| -> Vec<String> {
        let mut st = l.connection().prepare(sql).unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    let remittances = "SELECT id || ':' || payer_id || ':' || trace || ':' || IFNULL(trn03, 'NULL')
            || ':' || IFNULL(fingerprint, 'NULL') || ':' || file_sha256 || ':' || bpr02
         FROM remittances ORDER BY id";
    let payments = "SELECT remittance_id || ':' || claim_id || ':' || status || ':' || paid
         FROM claim_payments ORDER BY id";
    // The version-4 rows are kept; the claim's events still read them.
    assert_eq!(rows(&l, remittances), ["1:P1:T1:NULL:NULL:f:80"]);
    assert_eq!(rows(&l, payments), ["1:C1:paid:80"]);
    assert_eq!(
        rows(&l, "SELECT detail FROM claim_events WHERE source = 'payment'"),
        ["trace T1 paid 80"]
    );
    let fk: Vec<String> = rows(&l, "SELECT 'broken' FROM pragma_foreign_key_check");
    assert!(fk.is_empty());
    let sent = l.sent_claims(&l.sent_files().unwrap()).unwrap();
    let row = |id: &str| sent.iter().find(|c| c.claim_id == id).unwrap().row;
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    let payment = |claim: &str, paid: &str| PaymentPosting {
        claim_id: claim.into(),
        payer_id: "P1".into(),
        claim_row: Some(row(claim)),
        clp01: claim.into(),
        clp02: "1".into(),
        payer_claim_id: if claim == "C1" { "PCN-9" } else { "PCN-10" }.into(),
        status: ClaimStatus::Paid,
        claim_status: None,
        billed: d("125"),
        paid: d(paid),
        patient_responsibility: Decimal::ZERO,
        contractual: d("125") - d(paid),
        denied: Decimal::ZERO,
        other_adjustments: Decimal::ZERO,
        adjustments: format!("CO-45 {}", crate::numtext::money(d("125") - d(paid))),
        reversal: false,
        lines: None,
        pos: Default::default(),
        allowed: d(paid),
        service_lines: Vec::new(),
        denials: Vec::new(),
    };
    let remit = |trace: &str, trn03: &str, fp: &str, file: &str, p: PaymentPosting| RemitPosting {
        payer_id: "P1".into(),
        trace: trace.into(),
        trn03: trn03.into(),
        fingerprint: fp.into(),
        file_sha256: file.into(),
        file: "/x/r2.835".into(),
        st02: "0001".into(),
        bpr02: p.paid,
        payment_date: Some("2026-03-30".into()),
        plb_total: Decimal::ZERO,
        payments: vec![p],
        adjustments: vec![],
    };
    // T1 in another file (a new envelope): the same BPR02 and claim payment.
    let again = remit("T1", "1999999999", "fp-a", "other", payment("C1", "80"));
    assert!(l.is_applied(&again).unwrap());
    // T1 paying another amount: a conflict with the version-4 payment.
    let other = remit("T1", "1999999999", "fp-b", "other2", payment("C1", "75"));
    assert!(!l.is_applied(&other).unwrap());
    // T2 twice in one file from two originating companies, then T2 again
    // from the first with other content: two payments and a conflict.
    let t2a = remit("T2", "1999999999", "fp-c", "g", payment("C2", "100"));
    let t2b = remit("T2", "1888888888", "fp-d", "g", payment("C2", "100"));
    let t2c = remit("T2", "1999999999", "fp-e", "h", payment("C2", "90"));
    let post =
        l.post_remittances(&[again, other, t2a.clone(), t2b, t2c], "2026-04-03T00:00:00").unwrap();
    let pair = |t: &str| ("P1".to_string(), t.to_string());
    assert_eq!(post.applied, [pair("T2"), pair("T2")]);
    assert_eq!(post.already_applied, [pair("T1")]);
    assert_eq!(post.conflicts, [pair("T1"), pair("T2")]);
    assert_eq!(post.payments, 2);
    assert_eq!(
        rows(&l, remittances),
        [
            "1:P1:T1:NULL:NULL:f:80",
            "2:P1:T2:1999999999:fp-c:g:100",
            "3:P1:T2:1888888888:fp-d:g:100"
        ]
    );
    assert_eq!(rows(&l, payments), ["1:C1:paid:80", "2:C2:paid:100", "3:C2:paid:100"]);
    // The same payment posted again later is already applied.
    let post = l.post_remittances(&[t2a], "2026-04-04T00:00:00").unwrap();
    assert_eq!((post.applied.len(), post.already_applied.len()), (0, 1));
}

#[test]
fn version_6_reads_earlier_payments_as_answering_every_line_and_adds_provider_adjustments() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    // A version-5 ledger: C1 paid (trace T1), then reversed and paid again
    // (trace T2); C2 sent, never answered.
    {
        let conn = ledger_at_version(&path, 5);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 2,
                 '250', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'paid', 1, '0001',
                 '2026-04-02T00:00:00', 'PCN-9B');
             INSERT INTO claims VALUES ('C2', 'P1', 'h2', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO remittances VALUES (1, 'P1', 'T1', '1512345678', 'fp1', 'f1', '/x/r1.835',
                 '0001', '80', '0', '2026-03-30', '2026-04-01T00:00:00');
             INSERT INTO remittances VALUES (2, 'P1', 'T2', '1512345678', 'fp2', 'f2', '/x/r2.835',
                 '0001', '10', '0', '2026-04-01', '2026-04-02T00:00:00');
             INSERT INTO claim_payments (id, remittance_id, claim_id, payer_id, matched, clp01,
                 clp02, payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                 other_adjustments, adjustments, denied, reverses, reversed_by)
             VALUES
                 (1, 1, 'C1', 'P1', 1, 'C1', '1', 'PCN-9', 'paid', '125', '80', '0', '45', '0',
                  'CO-45 45.00', '0', NULL, 2),
                 (2, 2, 'C1', 'P1', 1, 'C1', '22', 'PCN-9', 'reversed', '-125', '-80', '0', '-45',
                  '0', 'CO-45 -45.00', '0', 1, NULL),
                 (3, 2, 'C1', 'P1', 1, 'C1', '1', 'PCN-9B', 'partial', '125', '90', '0', '15',
                  '0', 'CO-45 15.00;CO-16 20.00', '20', NULL, NULL);",
        )
        .unwrap();
    }
    let l = Ledger::open(&path).unwrap();
    assert_eq!(l.version().unwrap(), schema_version());
    // Every earlier row is kept, with no answered lines (NULL: every line).
    let mut st = l
        .connection()
        .prepare("SELECT id || ':' || status || ':' || IFNULL(lines, 'NULL') FROM claim_payments ORDER BY id")
        .unwrap();
    let rows: Vec<String> =
        st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
    assert_eq!(rows, ["1:paid:NULL", "2:reversed:NULL", "3:partial:NULL"]);
    // The live payment (the reversed one and the reversal are not) answers
    // every line of its claim; a reconciliation starts from it.
    let d = |s: &str| s.parse::<Decimal>().unwrap();
    assert_eq!(
        l.live_payments().unwrap(),
        [crate::ledger::LivePayment {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            payer_claim_id: "PCN-9B".into(),
            billed: d("125"),
            paid: d("90"),
            lines: None,
            status: ClaimStatus::Partial,
            denied: Some(d("20")),
        }]
    );
    // provider_adjustments exists, empty: no PLB was recorded before.
    let count: i64 = l
        .connection()
        .query_row("SELECT COUNT(*) FROM provider_adjustments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 0);
    let money = l.claim_money("C1", "P1").unwrap();
    assert_eq!((money.paid, money.recouped, money.net), (d("90"), Decimal::ZERO, d("90")));
}

/// A ledger file at `path` with the first `version` migrations applied, as
/// an older claimflow left it (for the migration tests).
fn ledger_at_version(path: &std::path::Path, version: usize) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
             description TEXT NOT NULL, applied_at TEXT NOT NULL);",
    )
    .unwrap();
    for (v, description, sql) in &MIGRATIONS[..version] {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00Z')",
            params![v, description],
        )
        .unwrap();
    }
    conn
}

#[test]
fn version_7_adds_acknowledgments_and_keeps_earlier_claims_without_spans() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("claimflow.db");
    {
        let conn = ledger_at_version(&path, 5);
        conn.execute_batch(
            "INSERT INTO submissions VALUES (1, '/x/c.x12', 'h', '000000001', '1', '0001', 1,
                 '125', '2026-03-01T00:00:00', 'complete');
             INSERT INTO claims VALUES ('C1', 'P1', 'h1', '1', '125', 'sent', 1, '0001',
                 '2026-03-01T00:00:00', NULL);
             INSERT INTO claim_history (claim_id, payer_id, status, at, submission_id, st02,
                 content_hash, frequency, total_charge)
                 VALUES ('C1', 'P1', 'sent', '2026-03-01T00:00:00', 1, '0001', 'h1', '1', '125');",
        )
        .unwrap();
    }
    let mut l = Ledger::open(&path).unwrap();
    assert!(l.version().unwrap() >= 7);
    let sub = l.submission_by_gs06("001").unwrap().unwrap();
    assert_eq!(sub.isa13, "000000001");
    let claims = l.submitted_claims(sub.id, Some("0001")).unwrap();
    assert_eq!(claims.len(), 1);
    assert_eq!(claims[0].span, None, "sent before version 7: no span");
    let ack = |fp: &str, status| AckPosting {
        kind: "999",
        fingerprint: fp.into(),
        file: "a.999".into(),
        file_sha256: "s".into(),
        envelope: ("9".into(), "9".into(), "0001".into()),
        submission_id: Some(sub.id),
        reference: "GS06 1 ST02 0001".into(),
        outcome: "rejected".into(),
        codes: "IK5 R".into(),
        claims: vec![ClaimAck {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            submission_id: sub.id,
            status,
            claim_level: false,
            detail: "set rejected".into(),
            payer_claim_id: None,
            trace: None,
        }],
    };
    let s = l.post_acks(&[ack("f1", ClaimStatus::Rejected)], "2026-03-02T00:00:00").unwrap();
    assert_eq!((s.recorded.len(), s.claim_events, s.status_changes), (1, 1, 1));
    // The same acknowledgment again records nothing; a later 999
    // acceptance does not undo what was rejected.
    let s = l
        .post_acks(
            &[ack("f1", ClaimStatus::Rejected), ack("f2", ClaimStatus::Accepted)],
            "2026-03-03T00:00:00",
        )
        .unwrap();
    assert_eq!((s.already, s.recorded, s.status_changes), (vec![0], vec![1], 0));
    let events: Vec<String> = {
        let mut st = l
            .connection()
            .prepare("SELECT source || ' ' || status || ' ' || IFNULL(detail, '') FROM claim_events ORDER BY at, source, seq")
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    };
    assert_eq!(
        events,
        ["history sent ", "ack rejected 999 set rejected", "ack accepted 999 set rejected"]
    );
    let (at, said) = l.latest_rejection("C1", "P1").unwrap().unwrap();
    assert_eq!((at.as_str(), said.as_str()), ("2026-03-02T00:00:00", "999 set rejected"));
    assert_eq!(
        l.lookup(&[("C1", "P1")]).unwrap()[0].as_ref().unwrap().status,
        ClaimStatus::Rejected
    );
}
