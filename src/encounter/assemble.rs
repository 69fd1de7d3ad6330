//! Building claims from grouped rows: claim-level values gathered per claim
//! (rows that disagree are reported), then each claim assembled with its
//! people, relationship, frequency, providers (rendering, referring,
//! supervising, service facility), related causes and accident, delay
//! reason, patient paid, note, diagnoses, total and line ids. Service lines
//! themselves are read in `line`. Codes are kept as given (upper-cased);
//! whether they are valid is `scrub`'s question.

use std::collections::HashSet;

use crate::claim::{
    Address, BillingProvider, Claim, Facility, Frequency, Payer, Person, ProviderRef, Relationship,
    ServiceLine, Sex, Source,
};
use crate::finding::{Finding, Severity};

use super::cells::{date_msg, normalize_dx, parse_date, parse_money};
use super::columns::{self, CLAIM_LEVEL, DX};
use super::map::{not_utf8, Ctx};
use super::record::Record;
use super::{rule, Col};

/// A claim-level value store: non-empty values of one claim, first seen.
pub(super) struct ClaimVals {
    buf: String,
    /// Per claim-level column: index into `spans`, or `u8::MAX` when not given.
    idx: [u8; CLAIM_LEVEL],
    /// (start, end, row) into `buf`.
    spans: Vec<(u32, u32, u64)>,
}

impl ClaimVals {
    pub(super) fn new() -> ClaimVals {
        ClaimVals { buf: String::new(), idx: [u8::MAX; CLAIM_LEVEL], spans: Vec::new() }
    }

    fn get(&self, col: Col) -> Option<(&str, u64)> {
        let i = *self.idx.get(col as usize)?;
        let (s, e, row) = *self.spans.get(usize::from(i))?;
        Some((&self.buf[s as usize..e as usize], row))
    }

    fn set(&mut self, col: Col, v: &str, row: u64) {
        let s = self.buf.len() as u32;
        self.buf.push_str(v);
        self.idx[col as usize] = self.spans.len() as u8;
        self.spans.push((s, self.buf.len() as u32, row));
    }
}

pub(super) struct Group {
    pub(super) claim_id: String,
    pub(super) rows: Vec<u64>,
    pub(super) vals: ClaimVals,
    pub(super) lines: Vec<ServiceLine>,
    pub(super) findings: Vec<Finding>,
    /// Where the claim-level fields of the claim's first row are in the
    /// export ([`Record::prefix`]), when that row was split in place and
    /// its claim-level values gave no finding: a later row with the same
    /// bytes there has nothing new to say about them.
    pub(super) claim_bytes: Option<(usize, usize)>,
}

impl Group {
    pub(super) fn new(claim_id: String) -> Group {
        Group {
            claim_id,
            rows: Vec::with_capacity(4),
            vals: ClaimVals::new(),
            lines: Vec::with_capacity(4),
            findings: Vec::new(),
            claim_bytes: None,
        }
    }
}

pub(super) fn read_claim_level(ctx: &Ctx<'_>, rec: &Record<'_>, row: u64, g: &mut Group) {
    for &col in &columns::ALL[1..CLAIM_LEVEL] {
        let c = col as usize;
        if ctx.map.source[c].is_none() && ctx.map.defaults[c].is_none() {
            continue;
        }
        // Fast path for a column read as is (no layout default or value
        // table): an empty cell, or the same bytes as the value already
        // stored (every row of a claim repeats them), needs no decoding.
        if let Some(raw) = ctx.map.plain(col).and_then(|i| rec.get(i)) {
            let raw = raw.trim_ascii();
            if raw.is_empty() || g.vals.get(col).is_some_and(|(v, _)| v.as_bytes() == raw) {
                continue;
            }
        }
        let v = match ctx.cell(rec, col) {
            Ok(Some(v)) => v,
            Ok(None) => continue,
            Err(()) => {
                g.findings.push(not_utf8(ctx, &g.claim_id, row, col));
                continue;
            }
        };
        match g.vals.get(col) {
            None => g.vals.set(col, &v, row),
            Some((first, first_row)) if first != v => {
                let what = if col.spec().phi {
                    format!("differs from row {first_row}")
                } else {
                    format!("is {:?} here but {first:?} on row {first_row}", v.as_ref())
                };
                let msg = format!(
                    "{} {what}; every row of a claim must carry the same claim-level values",
                    col.name()
                );
                let f =
                    ctx.finding(&g.claim_id, row, col, rule::ROW_DISAGREES, Severity::Error, msg);
                g.findings.push(f);
            }
            Some(_) => {}
        }
    }
}

/// Builds the claim from its grouped rows.
pub(super) fn finish_claim(ctx: &Ctx<'_>, g: Group) -> (Claim, Vec<Finding>) {
    let Group { claim_id, rows, vals, mut lines, mut findings, .. } = g;
    let first_row = rows.first().copied().unwrap_or(0);
    let fmt = ctx.map.date_format.as_str();
    let get = |c: Col| vals.get(c).map(|(v, _)| v);
    let row_of = |c: Col| vals.get(c).map(|(_, r)| r).unwrap_or(first_row);
    let text = |c: Col| get(c).unwrap_or("").to_string();
    let opt = |c: Col| get(c).map(str::to_string);
    let mut push = |c: Col, rule: &'static str, sev: Severity, msg: String| {
        findings.push(ctx.finding(&claim_id, row_of(c), c, rule, sev, msg));
    };
    let date = |c: Col, push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let s = get(c)?;
        let d = parse_date(s, fmt);
        if d.is_none() {
            push(c, rule::BAD_DATE, Severity::Error, date_msg(c, fmt));
        }
        d
    };
    let sex = |c: Col, push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let s = get(c)?;
        let x = Sex::from_code(s);
        if x.is_none() {
            push(
                c,
                rule::BAD_SEX,
                Severity::Error,
                format!("{} {s:?} must be M, F or U", c.name()),
            );
        }
        x
    };
    let person = |cols: [Col; 9], push: &mut dyn FnMut(Col, &'static str, Severity, String)| {
        let [last, first, middle, dob, sx, a1, a2, city, state] = cols;
        let zip = if last == Col::SubscriberLast { Col::SubscriberZip } else { Col::PatientZip };
        Person {
            last: text(last),
            first: text(first),
            middle: opt(middle),
            dob: date(dob, push),
            sex: sex(sx, push),
            address: crate::claim::Address {
                line1: text(a1),
                line2: opt(a2),
                city: text(city),
                state: text(state).to_ascii_uppercase(),
                zip: crate::codeset::shape::normalize_zip(&text(zip)),
            },
        }
    };
    let subscriber = person(
        [
            Col::SubscriberLast,
            Col::SubscriberFirst,
            Col::SubscriberMiddle,
            Col::SubscriberDob,
            Col::SubscriberSex,
            Col::SubscriberAddress1,
            Col::SubscriberAddress2,
            Col::SubscriberCity,
            Col::SubscriberState,
        ],
        &mut push,
    );
    let relationship = match get(Col::Relationship) {
        None => Relationship::SelfInsured,
        Some(s) => Relationship::parse(s).unwrap_or_else(|| {
            push(
                Col::Relationship,
                rule::BAD_RELATIONSHIP,
                Severity::Error,
                format!("relationship {s:?} must be self, spouse, child or other"),
            );
            Relationship::SelfInsured
        }),
    };
    const PATIENT: [Col; 9] = [
        Col::PatientLast,
        Col::PatientFirst,
        Col::PatientMiddle,
        Col::PatientDob,
        Col::PatientSex,
        Col::PatientAddress1,
        Col::PatientAddress2,
        Col::PatientCity,
        Col::PatientState,
    ];
    let patient = if relationship == Relationship::SelfInsured {
        if let Some(c) = PATIENT.iter().chain([&Col::PatientZip]).find(|c| get(**c).is_some()) {
            push(
                *c,
                rule::PATIENT_IGNORED,
                Severity::Warning,
                "patient columns are filled but relationship is self: the subscriber is the \
                 patient and the patient columns are ignored"
                    .into(),
            );
        }
        None
    } else {
        Some(person(PATIENT, &mut push))
    };
    let frequency = Frequency::from_code(get(Col::Frequency).unwrap_or("")).unwrap_or_else(|| {
        push(
            Col::Frequency,
            rule::BAD_FREQUENCY,
            Severity::Error,
            format!(
                "frequency {:?} must be 1 (original), 7 (replacement) or 8 (void)",
                get(Col::Frequency).unwrap_or("")
            ),
        );
        Frequency::Original
    });
    let onset_date = date(Col::OnsetDate, &mut push);
    let provider = |npi: Col, last: Col, first: Col| {
        if get(npi).is_none() && get(last).is_none() && get(first).is_none() {
            return None;
        }
        Some(ProviderRef { npi: text(npi), last: text(last), first: text(first) })
    };
    let rendering = provider(Col::RenderingNpi, Col::RenderingLast, Col::RenderingFirst);
    let referring = provider(Col::ReferringNpi, Col::ReferringLast, Col::ReferringFirst);
    let supervising = provider(Col::SupervisingNpi, Col::SupervisingLast, Col::SupervisingFirst);
    const FACILITY: [Col; 7] = [
        Col::FacilityName,
        Col::FacilityNpi,
        Col::FacilityAddress1,
        Col::FacilityAddress2,
        Col::FacilityCity,
        Col::FacilityState,
        Col::FacilityZip,
    ];
    let facility = FACILITY.iter().any(|c| get(*c).is_some()).then(|| Facility {
        name: text(Col::FacilityName),
        npi: text(Col::FacilityNpi),
        address: Address {
            line1: text(Col::FacilityAddress1),
            line2: opt(Col::FacilityAddress2),
            city: text(Col::FacilityCity),
            state: text(Col::FacilityState).to_ascii_uppercase(),
            zip: crate::codeset::shape::normalize_zip(&text(Col::FacilityZip)),
        },
    });
    let related_causes: Vec<String> = get(Col::RelatedCause)
        .map(|v| {
            v.split(';').map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()).collect()
        })
        .unwrap_or_default();
    let auto = related_causes.iter().any(|c| c == "AA");
    let accident = auto || related_causes.iter().any(|c| c == "OA");
    // See: 837P guide, CLM11-4 (sent only with AA) and 2300 DTP*439 (sent
    // only with AA or OA): a value the claim's causes do not use is not
    // sent, so it is dropped here with a warning rather than kept unsent.
    let mut accident_state = opt(Col::AccidentState).map(|s| s.to_ascii_uppercase());
    if accident_state.is_some() && !auto {
        push(
            Col::AccidentState,
            rule::ACCIDENT_IGNORED,
            Severity::Warning,
            "accident_state is only sent for an auto accident (related_cause AA): ignored".into(),
        );
        accident_state = None;
    }
    let mut accident_date = date(Col::AccidentDate, &mut push);
    if get(Col::AccidentDate).is_some() && !accident {
        push(
            Col::AccidentDate,
            rule::ACCIDENT_IGNORED,
            Severity::Warning,
            "accident_date is only sent for an accident (related_cause AA or OA): ignored".into(),
        );
        accident_date = None;
    }
    let patient_paid = get(Col::PatientPaid).and_then(|s| {
        let d = parse_money(s, ctx.map.money_us);
        if d.is_none() {
            push(
                Col::PatientPaid,
                rule::BAD_NUMBER,
                Severity::Error,
                format!("patient_paid {s:?} is not an amount like 20.00"),
            );
        }
        d
    });
    let mut diagnoses = Vec::new();
    let mut gap: Option<Col> = None;
    for c in DX {
        match get(c) {
            None => {
                gap.get_or_insert(c);
            }
            Some(v) => {
                if let Some(empty) = gap.take() {
                    push(
                        empty,
                        rule::DX_GAP,
                        Severity::Error,
                        format!(
                            "{} is empty but {} is filled; fill diagnoses from dx1 without gaps \
                             (pointers count positions)",
                            empty.name(),
                            c.name()
                        ),
                    );
                }
                diagnoses.push(normalize_dx(v));
            }
        }
    }
    let stated_total = get(Col::ClaimTotal).and_then(|s| {
        let d = parse_money(s, ctx.map.money_us);
        if d.is_none() {
            push(
                Col::ClaimTotal,
                rule::BAD_NUMBER,
                Severity::Error,
                format!("claim_total {s:?} is not a plain number"),
            );
        }
        d
    });
    let other_payers = {
        let patient_person = patient.as_ref().unwrap_or(&subscriber);
        let mut sink =
            |c: Col, rule: &'static str, sev: Severity, msg: String| push(c, rule, sev, msg);
        super::secondary::other_payer(&get, fmt, patient_person, &mut sink).into_iter().collect()
    };
    assign_line_ids(&mut lines);
    let claim = Claim {
        claim_id: claim_id.clone(),
        billing: BillingProvider { npi: text(Col::BillingNpi), ..Default::default() },
        payer: Payer { id: text(Col::PayerId), ..Default::default() },
        member_id: text(Col::MemberId),
        group_number: opt(Col::GroupNumber),
        subscriber,
        relationship,
        patient,
        place_of_service: text(Col::PlaceOfService),
        frequency,
        original_ref: opt(Col::OriginalRef),
        prior_auth: opt(Col::PriorAuth),
        onset_date,
        rendering,
        referring,
        facility: facility.map(Box::new),
        supervising: supervising.map(Box::new),
        related_causes,
        accident_state,
        accident_date,
        delay_reason: opt(Col::DelayReason),
        patient_paid,
        note: opt(Col::ClaimNote),
        diagnoses,
        lines,
        stated_total,
        other_payers,
        insurance_type: None,
        source: Source { file: ctx.file.to_string(), rows },
    };
    (claim, findings)
}

/// Gives every line without a line_id one: its 1-based position, or the next
/// number no other line of the claim uses.
fn assign_line_ids(lines: &mut [ServiceLine]) {
    let mut used: HashSet<String> =
        lines.iter().filter(|l| !l.line_id.is_empty()).map(|l| l.line_id.clone()).collect();
    for (i, l) in lines.iter_mut().enumerate() {
        if l.line_id.is_empty() {
            let mut n = i + 1;
            while used.contains(&n.to_string()) {
                n += 1;
            }
            l.line_id = n.to_string();
            used.insert(l.line_id.clone());
        }
    }
}
