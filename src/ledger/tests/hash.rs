//! Content hash tests: what the canonical claim covers, what it ignores, and
//! that hashes of claims already in ledgers do not change.

use super::*;

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

/// The hash of a claim that uses neither a person billing provider nor a
/// pay-to address, nor an NDC quantity and unit, leaves those fields out:
/// the claims a ledger holds from builds without them are not seen as
/// changed (the pinned values are such claims' hashes).
#[test]
fn content_hash_of_claims_without_the_newer_billing_fields_is_unchanged() {
    let want = [
        ("C1", "b56cf89fdc621309b8bb23c7b3ccdf41c100c5dc9db690ea60ab1ea2ea33d3b7"),
        ("C2", "cf4f7d1333cb5b8595f49fdfc07965760ffaa9d29ed3b63f16b4e767302550d4"),
        ("C3", "612d19d7aa48cfeaef9825e355f705d8ab7c5203b4597a0f102964a7a5d80ff6"),
        ("C4", "aa8099b43c9d7203a4963541c6bc2104bb202debb1bc2edd7cb940985aafdd91"),
    ];
    for (mut c, (id, hash)) in crate::edi837::tests::sample_claims().into_iter().zip(want) {
        // The sample's NDC line carries its drug quantity and unit; the
        // pinned hashes are of the claims without them.
        for l in &mut c.lines {
            (l.ndc_quantity, l.ndc_unit) = (None, None);
        }
        assert_eq!((c.claim_id.as_str(), content_hash(&c).as_str()), (id, hash));
    }
}

#[test]
fn hex_is_two_lowercase_digits_per_byte() {
    let bytes: Vec<u8> = (0..=255).collect();
    let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(crate::ledger::hex(&bytes), expected);
    assert_eq!(crate::ledger::hex(&[]), "");
}

#[test]
fn content_hash_is_the_same_when_the_thread_hashed_a_larger_claim_before() {
    // The canonical bytes are built in a buffer the thread reuses: a
    // longer claim hashed first leaves nothing behind.
    let claims = crate::edi837::tests::sample_claims();
    let (small, large) = if claims[0].lines.len() <= claims[1].lines.len() {
        (&claims[0], &claims[1])
    } else {
        (&claims[1], &claims[0])
    };
    let first = content_hash(small);
    content_hash(large);
    assert_eq!(content_hash(small), first);
}
