//! Reading the other-payer loops of an 837P claim (2320, 2330A, 2330B, and
//! 2430 under a line) into [`OtherPayer`]s and [`LineAdjudication`]s, for the
//! 837P reader. Other payers' provider loops (2330C-G) are skipped.
//!
//! It only reads; balancing is `cob`.

use crate::claim::{
    Adjustment, Claim, LineAdjudication, OtherPayer, Payer, Relationship, Responsibility,
    ServiceLine,
};
use crate::x12::Segment;

/// Where in the other-payer loops the reader is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) enum Cursor {
    /// Not in an other-payer loop.
    #[default]
    None,
    /// 2320 other subscriber information.
    Subscriber,
    /// 2330A other subscriber name.
    Insured,
    /// 2330B other payer name.
    Payer,
    /// 2330C-G: other payers' providers (skipped).
    Skipped,
    /// 2430 line adjudication.
    Line,
}

fn text(seg: &Segment<'_>, n: usize) -> String {
    seg.str(n).trim().to_string()
}

fn opt(seg: &Segment<'_>, n: usize) -> Option<String> {
    Some(text(seg, n)).filter(|s| !s.is_empty())
}

fn decimal(seg: &Segment<'_>, n: usize) -> Option<rust_decimal::Decimal> {
    crate::values::parse_decimal(seg.str(n).trim())
}

/// The adjustments of one CAS segment (up to six reason/amount/quantity triples).
fn adjustments(seg: &Segment<'_>) -> Vec<Adjustment> {
    let group = text(seg, 1);
    (0..6)
        .filter_map(|i| {
            let base = 2 + 3 * i;
            let reason = text(seg, base);
            if reason.is_empty() {
                return None;
            }
            Some(Adjustment {
                group: group.clone(),
                reason,
                amount: decimal(seg, base + 1).unwrap_or_default(),
                quantity: decimal(seg, base + 2),
            })
        })
        .collect()
}

/// Takes one segment of an open claim when it belongs to an other-payer
/// loop; returns false when the main reader should handle it. `line` is the
/// service line being read, if any.
pub(super) fn segment(
    cursor: &mut Cursor,
    claim: &mut Claim,
    line: Option<&mut ServiceLine>,
    seg: &Segment<'_>,
) -> bool {
    match seg.id {
        b"LX" | b"CLM" => {
            *cursor = Cursor::None;
            return false;
        }
        b"SBR" if line.is_none() => {
            claim.other_payers.push(OtherPayer {
                responsibility: Responsibility::from_code(&seg.str(1)).unwrap_or_default(),
                relationship: Relationship::parse(&seg.str(2)).unwrap_or(Relationship::Other),
                group_number: opt(seg, 3),
                payer: Payer { filing_indicator: text(seg, 9), ..Payer::default() },
                insurance_type: opt(seg, 5),
                ..OtherPayer::default()
            });
            *cursor = Cursor::Subscriber;
            return true;
        }
        b"SVD" => {
            let Some(l) = line else { return false };
            let svd03 = seg.element(3);
            let comp = |m: usize| String::from_utf8_lossy(svd03.component(m)).trim().to_string();
            l.adjudications.push(LineAdjudication {
                payer_id: text(seg, 1),
                paid: decimal(seg, 2).unwrap_or_default(),
                procedure: comp(2),
                modifiers: (3..=6).map(comp).filter(|m| !m.is_empty()).collect(),
                units: decimal(seg, 5).unwrap_or_default(),
                adjustments: Vec::new(),
                date: None,
                remaining_patient_liability: None,
            });
            *cursor = Cursor::Line;
            return true;
        }
        _ => {}
    }
    if *cursor == Cursor::Line {
        let Some(a) = line.and_then(|l| l.adjudications.last_mut()) else { return false };
        match (seg.id, seg.str(1).trim()) {
            (b"CAS", _) => a.adjustments.extend(adjustments(seg)),
            (b"DTP", "573") => a.date = crate::values::parse_date(seg.str(3).trim()),
            (b"AMT", "EAF") => a.remaining_patient_liability = decimal(seg, 2),
            _ => return false,
        }
        return true;
    }
    let Some(o) = claim.other_payers.last_mut() else { return false };
    if *cursor == Cursor::None {
        return false;
    }
    match (seg.id, seg.str(1).trim()) {
        (b"NM1", "IL") => {
            o.subscriber.last = text(seg, 3);
            o.subscriber.first = text(seg, 4);
            o.subscriber.middle = opt(seg, 5);
            o.member_id = text(seg, 9);
            *cursor = Cursor::Insured;
        }
        (b"NM1", "PR") => {
            o.payer.name = text(seg, 3);
            o.payer.id = text(seg, 9);
            *cursor = Cursor::Payer;
        }
        (b"NM1", _) => *cursor = Cursor::Skipped,
        (b"CAS", _) if *cursor == Cursor::Subscriber => o.adjustments.extend(adjustments(seg)),
        (b"AMT", "D") if *cursor == Cursor::Subscriber => o.paid = decimal(seg, 2),
        (b"AMT", "EAF") if *cursor == Cursor::Subscriber => {
            o.remaining_patient_liability = decimal(seg, 2)
        }
        (b"N3", _) if *cursor == Cursor::Insured => {
            o.subscriber.address.line1 = text(seg, 1);
            o.subscriber.address.line2 = opt(seg, 2);
        }
        (b"N4", _) if *cursor == Cursor::Insured => {
            o.subscriber.address.city = text(seg, 1);
            o.subscriber.address.state = text(seg, 2);
            o.subscriber.address.zip = text(seg, 3);
        }
        (b"DTP", "573") if *cursor == Cursor::Payer => {
            o.adjudication_date = crate::values::parse_date(seg.str(3).trim());
        }
        (b"REF", "F8") if *cursor == Cursor::Payer => o.claim_number = opt(seg, 2),
        // Everything else in 2320/2330x (OI, MOA, other REF/AMT/N3/N4) is read past.
        _ => {}
    }
    true
}
