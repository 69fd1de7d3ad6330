//! Secondary coverage rules: the other payer named by the `secondary_*`
//! columns must be a configured payer other than the claim's own, with a
//! member id, and with the secondary subscriber's name, birth date and sex
//! when the patient is not that subscriber. It also lists the secondary
//! values that go into the 837P (2320/2330A) for the text rules. It does not
//! read the columns (see `encounter::secondary`).

use crate::claim::{Claim, Person, Relationship, MEDICARE_SECONDARY_TYPES};

use super::{
    Ctx, Out, INSURANCE_TYPE_IGNORED, MEDICARE_SECONDARY_NOT_SELF, MEDICARE_TYPE_DEFAULTED,
    SECONDARY_FIELDS, SECONDARY_INSURANCE_TYPE, SECONDARY_MEMBER_ID, SECONDARY_NO_PAYER,
    SECONDARY_SAME_PAYER, SECONDARY_UNKNOWN_PAYER,
};

pub(super) fn secondary(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    for other in &c.other_payers {
        let id = other.payer.id.trim();
        if id.is_empty() {
            o.claim(
                "secondary_payer_id",
                &SECONDARY_NO_PAYER,
                "secondary coverage columns are filled but secondary_payer_id is empty: name the \
                 secondary payer, or clear the secondary columns"
                    .into(),
            );
        } else if ctx.config.payer(id).is_none() {
            o.claim(
                "secondary_payer_id",
                &SECONDARY_UNKNOWN_PAYER,
                format!("secondary_payer_id {id:?} is not a payer in the config"),
            );
        } else if id.eq_ignore_ascii_case(c.payer.id.trim()) {
            o.claim(
                "secondary_payer_id",
                &SECONDARY_SAME_PAYER,
                format!(
                    "secondary_payer_id {id:?} is the claim's own payer: the secondary payer must \
                     be another plan"
                ),
            );
        }
        insurance_type(c, other, ctx, o);
        if other.member_id.trim().is_empty() {
            o.claim(
                "secondary_member_id",
                &SECONDARY_MEMBER_ID,
                "secondary_member_id is empty: the secondary payer's member id is required with \
                 secondary coverage"
                    .into(),
            );
        }
        if other.relationship != Relationship::SelfInsured {
            let s = &other.subscriber;
            let missing: Vec<&str> = [
                (s.last.trim().is_empty(), "secondary_subscriber_last"),
                (s.first.trim().is_empty(), "secondary_subscriber_first"),
                (s.dob.is_none(), "secondary_subscriber_dob"),
                (s.sex.is_none(), "secondary_subscriber_sex"),
            ]
            .into_iter()
            .filter_map(|(m, col)| m.then_some(col))
            .collect();
            if let Some(first) = missing.first() {
                o.claim(
                    first,
                    &SECONDARY_FIELDS,
                    format!(
                        "secondary_relationship is {} but {} {} empty: the secondary subscriber \
                         must be named",
                        other.relationship.word(),
                        missing.join(", "),
                        if missing.len() == 1 { "is" } else { "are" }
                    ),
                );
            }
        }
    }
}

/// `secondary_insurance_type` (2320 SBR05, and 2000B SBR05 of the COB
/// claim): checked when given; when the secondary payer is Medicare and it
/// is empty, a warning names the default sent; ignored for other payers.
fn insurance_type(c: &Claim, other: &crate::claim::OtherPayer, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    let Some(payer) = ctx.config.payer(other.payer.id.trim()) else { return };
    let medicare = crate::claim::is_medicare(&payer.filing_indicator);
    if medicare && other.relationship != Relationship::SelfInsured {
        o.claim(
            "secondary_relationship",
            &MEDICARE_SECONDARY_NOT_SELF,
            format!(
                "the secondary payer {} is Medicare: the beneficiary is always the subscriber, so secondary_relationship must be self, not {}",
                payer.id,
                other.relationship.word()
            ),
        );
    }
    match other.insurance_type.as_deref() {
        Some(t) if !MEDICARE_SECONDARY_TYPES.contains(&t) => o.claim(
            "secondary_insurance_type",
            &SECONDARY_INSURANCE_TYPE,
            format!(
                "secondary_insurance_type {t:?} must be a Medicare secondary payer type: 12, 13, 14, 15, 16, 41, 42, 43 or 47"
            ),
        ),
        Some(_) if !medicare => o.claim(
            "secondary_insurance_type",
            &INSURANCE_TYPE_IGNORED,
            format!(
                "secondary_insurance_type is sent only when the secondary payer is Medicare; {} is not (filing indicator {}): ignored",
                payer.id, payer.filing_indicator
            ),
        ),
        None if medicare => {
            let code = crate::claim::default_insurance_type(
                &c.payer.filing_indicator,
                other.subscriber.dob,
                c.first_service_date(),
            );
            o.claim(
                "secondary_insurance_type",
                &MEDICARE_TYPE_DEFAULTED,
                format!(
                    "the secondary payer {} is Medicare and secondary_insurance_type is empty: sent as {code} (SBR05); set it when another reason makes Medicare pay second",
                    payer.id
                ),
            );
        }
        _ => {}
    }
}

/// The secondary values that go into the 837P, with their columns, for the
/// length and character rules (`text`). The subscriber's own values are
/// listed only when the patient is not the secondary subscriber (otherwise
/// they are the patient's, checked under the patient's columns), and the
/// address only when it is not the patient's.
pub(super) fn text_values<'c>(c: &'c Claim, row: u64, out: &mut Vec<(&'c str, &'static str, u64)>) {
    let patient: &Person = c.patient.as_ref().unwrap_or(&c.subscriber);
    for o in &c.other_payers {
        out.push((&o.payer.id, "secondary_payer_id", row));
        out.push((&o.member_id, "secondary_member_id", row));
        if let Some(g) = &o.group_number {
            out.push((g, "secondary_group_number", row));
        }
        if o.relationship == Relationship::SelfInsured {
            continue;
        }
        let s = &o.subscriber;
        out.push((&s.last, "secondary_subscriber_last", row));
        out.push((&s.first, "secondary_subscriber_first", row));
        if let Some(m) = &s.middle {
            out.push((m, "secondary_subscriber_middle", row));
        }
        if s.address != patient.address {
            let a = &s.address;
            out.push((&a.line1, "secondary_subscriber_address1", row));
            if let Some(a2) = &a.line2 {
                out.push((a2, "secondary_subscriber_address2", row));
            }
            out.push((&a.city, "secondary_subscriber_city", row));
            out.push((&a.state, "secondary_subscriber_state", row));
        }
    }
}
