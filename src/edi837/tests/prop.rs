//! Property: for any claims the model can hold (values without
//! delimiters), write -> validate -> read gives the same claims back.

use proptest::prelude::*;

use super::*;

fn text() -> impl Strategy<Value = String> {
    "[A-Z0-9]{1,12}"
}

/// Values whose 837P element has a minimum length of 2 (NM109 member
/// id, N401 city); scrub holds shorter ones back before the writer.
fn text2() -> impl Strategy<Value = String> {
    "[A-Z0-9]{2,12}"
}

/// A US state code (scrub holds back anything else).
fn state() -> impl Strategy<Value = String> {
    proptest::sample::select(vec!["IL", "NY", "CA", "TX", "WA", "DC", "PR"]).prop_map(String::from)
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (1990i32..2030, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

/// A birth date before the envelope's date (2024-03-10): `validate`
/// reports a birth date after the file's creation date (S4-DOB-FUTURE).
fn birth_date() -> impl Strategy<Value = NaiveDate> {
    (1930i32..2024, 1u32..=12, 1u32..=28)
        .prop_map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
}

fn amount() -> impl Strategy<Value = Decimal> {
    (1i64..10_000_000, 0u32..=2).prop_map(|(n, s)| Decimal::new(n, s))
}

fn person() -> impl Strategy<Value = Person> {
    (
        text(),
        text(),
        proptest::option::of(text()),
        birth_date(),
        0..3usize,
        text(),
        proptest::option::of(text()),
        text2(),
        state(),
        "[0-9]{5}([0-9]{4})?",
    )
        .prop_map(|(last, first, middle, dob, sex, line1, line2, city, state, zip)| Person {
            last,
            first,
            middle,
            dob: Some(dob),
            sex: Some([Sex::Male, Sex::Female, Sex::Unknown][sex]),
            address: Address { line1, line2, city, state, zip },
        })
}

fn provider() -> impl Strategy<Value = ProviderRef> {
    ("[12][0-9]{9}", text(), text()).prop_map(|(npi, last, first)| ProviderRef { npi, last, first })
}

fn line(ndx: usize) -> impl Strategy<Value = ServiceLine> {
    (
        date(),
        proptest::option::of(1i64..5),
        "[0-9]{5}|[A-Z][0-9]{4}",
        proptest::collection::vec("[A-Z0-9]{2}", 0..=4),
        (1i64..1000, 0u32..=3).prop_map(|(n, s)| Decimal::new(n, s)),
        amount(),
        proptest::collection::vec(1..=ndx as u8, 1..=ndx.min(4)),
        proptest::option::of((
            "[0-9]{11}",
            (1i64..100_000, 0u32..=3).prop_map(|(n, s)| Decimal::new(n, s)),
            proptest::sample::select(vec!["F2", "GR", "ME", "ML", "UN"]),
        )),
    )
        .prop_map(
            |(service_date, span, procedure, modifiers, units, charge, dx_pointers, drug)| {
                let (ndc, ndc_quantity, ndc_unit) = match drug {
                    Some((ndc, q, u)) => (Some(ndc), Some(q), Some(u.to_string())),
                    None => (None, None, None),
                };
                ServiceLine {
                    line_id: String::new(),
                    service_date,
                    service_date_end: span.map(|d| service_date + chrono::Days::new(d as u64)),
                    procedure,
                    modifiers,
                    units,
                    unit: None,
                    charge,
                    dx_pointers,
                    ndc,
                    adjudications: Vec::new(),
                    ndc_quantity,
                    ndc_unit,
                    row: 0,
                }
            },
        )
}

fn facility() -> impl Strategy<Value = Facility> {
    (text(), proptest::option::of("[12][0-9]{9}"), text(), text2(), state(), "[0-9]{9}").prop_map(
        |(name, npi, line1, city, state, zip)| Facility {
            name,
            npi: npi.unwrap_or_default(),
            address: Address { line1, line2: None, city, state, zip },
        },
    )
}

/// The claim facts of 2310C, 2310D, CLM11, DTP*439, CLM20, AMT*F5 and
/// NTE, each present or not, consistent as scrub requires (an accident
/// state only with AA, an accident date only with AA or OA).
#[allow(clippy::type_complexity)]
fn facts() -> impl Strategy<
    Value = (
        Option<Facility>,
        Option<ProviderRef>,
        Vec<String>,
        Option<String>,
        Option<NaiveDate>,
        Option<String>,
        Option<Decimal>,
        Option<String>,
    ),
> {
    (
        proptest::option::of(facility()),
        proptest::option::of(provider()),
        proptest::sample::select(vec![
            vec![],
            vec!["AA"],
            vec!["EM"],
            vec!["OA"],
            vec!["EM", "AA"],
            vec!["OA", "EM"],
        ]),
        state(),
        date(),
        proptest::option::of(proptest::sample::select(vec!["1", "3", "7", "11", "15"])),
        proptest::option::of(amount()),
        proptest::option::of("[A-Za-z0-9 .,'-]{1,80}"),
    )
        .prop_map(|(facility, supervising, causes, state, date, delay, paid, note)| {
            let causes: Vec<String> = causes.into_iter().map(String::from).collect();
            let auto = causes.iter().any(|c| c == "AA");
            let accident = auto || causes.iter().any(|c| c == "OA");
            // A note is read back trimmed.
            let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
            (
                facility,
                supervising,
                causes,
                auto.then_some(state),
                accident.then_some(date),
                delay.map(String::from),
                paid,
                note,
            )
        })
}

fn claim() -> impl Strategy<Value = Claim> {
    (1usize..=12)
        .prop_flat_map(|ndx| {
            (
                (text2(), text(), proptest::option::of(text()), person(), 0..4usize, person()),
                (
                    proptest::sample::select(vec!["11", "22", "02"]),
                    0..3usize,
                    proptest::option::of(text()),
                    proptest::option::of(text()),
                    proptest::option::of(date()),
                ),
                (proptest::option::of(provider()), proptest::option::of(provider())),
                proptest::collection::vec("[A-Z][0-9]{2}[0-9A-Z]{0,4}", ndx..=ndx),
                proptest::collection::vec(line(ndx), 1..=6),
                proptest::sample::select(vec![("P1", "Plan One", "CI"), ("P2", "Plan Two", "MB")]),
                facts(),
            )
        })
        .prop_map(
            |(
                (member_id, _, group_number, subscriber, rel, patient),
                (pos, freq, original_ref, prior_auth, onset_date),
                (rendering, referring),
                diagnoses,
                mut lines,
                payer,
                facts,
            )| {
                let relationship = [
                    Relationship::SelfInsured,
                    Relationship::Spouse,
                    Relationship::Child,
                    Relationship::Other,
                ][rel];
                for (n, l) in lines.iter_mut().enumerate() {
                    l.line_id = format!("L{}", n + 1);
                }
                let mut c = sample_claims().remove(0);
                c.payer = Payer {
                    id: payer.0.into(),
                    name: payer.1.into(),
                    filing_indicator: payer.2.into(),
                };
                c.member_id = member_id;
                c.group_number = group_number;
                c.subscriber = subscriber;
                c.relationship = relationship;
                c.patient = (relationship != Relationship::SelfInsured).then_some(patient);
                c.place_of_service = pos.into();
                c.frequency = [Frequency::Original, Frequency::Replacement, Frequency::Void][freq];
                c.original_ref = original_ref;
                c.prior_auth = prior_auth;
                c.onset_date = onset_date;
                c.rendering = rendering;
                c.referring = referring;
                c.diagnoses = diagnoses;
                c.lines = lines;
                let (facility, supervising);
                (
                    facility,
                    supervising,
                    c.related_causes,
                    c.accident_state,
                    c.accident_date,
                    c.delay_reason,
                    c.patient_paid,
                    c.note,
                ) = facts;
                c.facility = facility.map(Box::new);
                c.supervising = supervising.map(Box::new);
                c
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn write_then_read_gives_the_claims_back(claims in proptest::collection::vec(claim(), 1..8)) {
        let claims: Vec<Claim> = claims
            .into_iter()
            .enumerate()
            .map(|(n, mut c)| { c.claim_id = format!("C{n}"); c })
            .collect();
        let mut out = Vec::new();
        let written = write(&mut out, &claims, &config(), &envelope()).unwrap();
        keep_837("prop-edi837", &out);
        prop_assert_eq!(written.claims, claims.len());
        // Levels 1-4: the generated codes are random text, not ICD-10-CM
        // or HCPCS codes (SNIP 5 is about the input's codes, not the writer).
        let opts = crate::validate::Options { level: 4, ..Default::default() };
        let report = crate::validate::validate_with("prop", &out, &opts);
        prop_assert!(report.is_valid(), "{:?}", report.findings);
        let back = read(&out).unwrap();
        prop_assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        prop_assert_eq!(back.claims.len(), claims.len());
        for want in claims.into_iter().map(as_carried) {
            let got = back.claims.iter().find(|c| c.claim_id == want.claim_id).unwrap();
            prop_assert_eq!(got, &want);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The writer's own check against the full one (what `build --verify`
    /// adds): for any claims the model can hold, written set by set, every
    /// set validated alone is valid, the spans the writer reports are those
    /// read back from the file, and `sending::check_set` with `verify`
    /// agrees with the writer.
    #[test]
    fn the_writers_own_check_agrees_with_validating_each_set(
        claims in proptest::collection::vec(claim(), 1..10),
        per_set in 1usize..4,
    ) {
        use crate::sending::{check_set, SetCheck};
        // Level 5 runs too: real ICD-10-CM codes on dates a shipped
        // release covers (scrub holds back any other before the writer).
        const DX: [&str; 8] = ["E119", "I10", "J069", "Z0000", "K219", "N390", "E785", "F419"];
        let day = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let claims: Vec<Claim> = claims
            .into_iter()
            .enumerate()
            .map(|(n, mut c)| {
                c.claim_id = format!("C{n}");
                for (i, d) in c.diagnoses.iter_mut().enumerate() {
                    *d = DX[(n + i) % DX.len()].to_string();
                }
                for l in &mut c.lines {
                    let span = l.service_date_end.map(|e| e - l.service_date);
                    l.service_date = day;
                    l.service_date_end = span.map(|s| day + s);
                }
                c.onset_date = c.onset_date.map(|_| day);
                c.accident_date = c.accident_date.map(|_| day);
                c
            })
            .collect();
        let mut cfg = config();
        cfg.interchange.max_claims_per_transaction = per_set;
        let env = envelope();
        let mut w = SetWriter::begin(Vec::new(), &cfg, &env).unwrap();
        let mut placed = std::collections::BTreeMap::new();
        for chunk in claims.chunks(per_set) {
            let set = w.write_set(chunk, true).unwrap();
            let control = set.summary.control.clone();
            for (c, s) in chunk.iter().zip(&set.spans) {
                placed.insert((control.clone(), s.first), (c.claim_id.clone(), s.last, s.levels.clone()));
            }
            let spans = set.spans.clone();
            let (check, ()) = check_set(&cfg, &env, "prop.x12", set, true, || ()).unwrap();
            match check {
                SetCheck::Valid(checked) => prop_assert_eq!(checked, spans),
                SetCheck::Invalid(first) => prop_assert!(false, "set {}: {}", control, first),
            }
        }
        let (_, out) = w.finish().unwrap();
        keep_837("prop-edi837-sets", &out);
        let read_back: std::collections::BTreeMap<_, _> = claim_spans(&out)
            .into_iter()
            .map(|s| ((s.st02, s.first), (s.claim_id, s.last, s.levels)))
            .collect();
        prop_assert_eq!(placed, read_back);
        let opts = crate::validate::Options { level: 4, ..Default::default() };
        let report = crate::validate::validate_with("prop", &out, &opts);
        prop_assert!(report.is_valid(), "{:?}", report.findings);
    }
}
