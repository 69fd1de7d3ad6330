//! The secondary coverage columns (`secondary_payer_id`, `secondary_member_id`,
//! `secondary_group_number`, `secondary_insurance_type`, `secondary_relationship`,
//! `secondary_subscriber_*`)
//! read into the claim's [`OtherPayer`] (837P loops 2320/2330A/2330B).
//!
//! It reads and parses values only: dates, sex and the relationship word are
//! checked here (a value that cannot be read is a finding); whether the
//! coverage is complete and consistent (payer known, not the primary payer,
//! member id present, subscriber given when not self) is `scrub`'s
//! `secondary` rules. A claim without any secondary column gets no other payer.

use crate::claim::{Address, OtherPayer, Person, Relationship, Responsibility, Sex};
use crate::finding::Severity;

use super::cells::{date_msg, parse_date};
use super::{rule, Col};

/// Every secondary coverage column, in table order.
const COLUMNS: [Col; 15] = [
    Col::SecondaryPayerId,
    Col::SecondaryMemberId,
    Col::SecondaryGroupNumber,
    Col::SecondaryInsuranceType,
    Col::SecondaryRelationship,
    Col::SecondarySubscriberLast,
    Col::SecondarySubscriberFirst,
    Col::SecondarySubscriberMiddle,
    Col::SecondarySubscriberDob,
    Col::SecondarySubscriberSex,
    Col::SecondarySubscriberAddress1,
    Col::SecondarySubscriberAddress2,
    Col::SecondarySubscriberCity,
    Col::SecondarySubscriberState,
    Col::SecondarySubscriberZip,
];

/// The secondary subscriber's own columns (ignored when the patient is the
/// secondary subscriber).
const SUBSCRIBER: [Col; 10] = [
    Col::SecondarySubscriberLast,
    Col::SecondarySubscriberFirst,
    Col::SecondarySubscriberMiddle,
    Col::SecondarySubscriberDob,
    Col::SecondarySubscriberSex,
    Col::SecondarySubscriberAddress1,
    Col::SecondarySubscriberAddress2,
    Col::SecondarySubscriberCity,
    Col::SecondarySubscriberState,
    Col::SecondarySubscriberZip,
];

/// A finding sink: column, rule id, severity, message.
pub(super) type Push<'a> = dyn FnMut(Col, &'static str, Severity, String) + 'a;

/// The other payer the secondary columns describe, or `None` when every
/// secondary column is empty. `patient` is the claim's patient (the
/// subscriber when the relationship is self): the secondary subscriber when
/// `secondary_relationship` is self, and the address used when the secondary
/// subscriber's own address columns are empty.
pub(super) fn other_payer<'v>(
    get: &dyn Fn(Col) -> Option<&'v str>,
    date_format: &str,
    patient: &Person,
    push: &mut Push<'_>,
) -> Option<OtherPayer> {
    if COLUMNS.iter().all(|c| get(*c).is_none()) {
        return None;
    }
    let text = |c: Col| get(c).unwrap_or("").trim().to_string();
    let opt = |c: Col| get(c).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let relationship = match get(Col::SecondaryRelationship) {
        None => Relationship::SelfInsured,
        Some(s) => Relationship::parse(s).unwrap_or_else(|| {
            push(
                Col::SecondaryRelationship,
                rule::BAD_RELATIONSHIP,
                Severity::Error,
                format!("secondary_relationship {s:?} must be self, spouse, child or other"),
            );
            // Read the subscriber columns all the same (they are checked too).
            Relationship::Other
        }),
    };
    let subscriber = if relationship == Relationship::SelfInsured {
        if let Some(c) = SUBSCRIBER.iter().find(|c| get(**c).is_some()) {
            push(
                *c,
                rule::SECONDARY_SUBSCRIBER_IGNORED,
                Severity::Warning,
                "secondary subscriber columns are filled but secondary_relationship is self: \
                 the patient is the secondary subscriber and those columns are ignored"
                    .into(),
            );
        }
        patient.clone()
    } else {
        let dob = get(Col::SecondarySubscriberDob).and_then(|s| {
            let d = parse_date(s, date_format);
            if d.is_none() {
                let c = Col::SecondarySubscriberDob;
                push(c, rule::BAD_DATE, Severity::Error, date_msg(c, date_format));
            }
            d
        });
        let sex = get(Col::SecondarySubscriberSex).and_then(|s| {
            let x = Sex::from_code(s);
            if x.is_none() {
                push(
                    Col::SecondarySubscriberSex,
                    rule::BAD_SEX,
                    Severity::Error,
                    format!("secondary_subscriber_sex {s:?} must be M, F or U"),
                );
            }
            x
        });
        let own_address = [
            Col::SecondarySubscriberAddress1,
            Col::SecondarySubscriberCity,
            Col::SecondarySubscriberState,
            Col::SecondarySubscriberZip,
        ]
        .iter()
        .any(|c| get(*c).is_some());
        let address = if own_address {
            Address {
                line1: text(Col::SecondarySubscriberAddress1),
                line2: opt(Col::SecondarySubscriberAddress2),
                city: text(Col::SecondarySubscriberCity),
                state: text(Col::SecondarySubscriberState).to_ascii_uppercase(),
                zip: crate::codeset::shape::normalize_zip(&text(Col::SecondarySubscriberZip)),
            }
        } else {
            patient.address.clone()
        };
        Person {
            last: text(Col::SecondarySubscriberLast),
            first: text(Col::SecondarySubscriberFirst),
            middle: opt(Col::SecondarySubscriberMiddle),
            dob,
            sex,
            address,
        }
    };
    Some(OtherPayer {
        responsibility: Responsibility::Secondary,
        relationship,
        group_number: opt(Col::SecondaryGroupNumber),
        payer: crate::claim::Payer { id: text(Col::SecondaryPayerId), ..Default::default() },
        member_id: text(Col::SecondaryMemberId),
        subscriber,
        insurance_type: opt(Col::SecondaryInsuranceType).map(|t| t.to_ascii_uppercase()),
        ..OtherPayer::default()
    })
}
