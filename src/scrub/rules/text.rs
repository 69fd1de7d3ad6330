//! Rules on every value to be written into the 837P: element lengths, X12
//! delimiters, control characters and characters outside ASCII. It does not
//! judge what a value means (see the other rule modules).

use crate::claim::{Claim, Person};

use super::codes::DX_COLS;
use super::{Ctx, Out, CONTROL_CHAR, LENGTH, NON_ASCII, X12_DELIMITER_IN_DATA};

pub(super) fn delimiters<'c>(c: &'c Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    // Borrowed, not cloned: this runs on every value of every claim.
    let r0 = o.first_row();
    let claim_val = |v: &'c str, col: &'static str| (v, col, r0);
    let mut owned: Vec<(&str, &'static str, u64)> = vec![
        claim_val(&c.claim_id, "claim_id"),
        claim_val(&c.member_id, "member_id"),
        claim_val(&c.billing.npi, "billing_npi"),
        claim_val(&c.payer.id, "payer_id"),
        claim_val(&c.place_of_service, "place_of_service"),
    ];
    let opts = [
        (&c.group_number, "group_number"),
        (&c.original_ref, "original_ref"),
        (&c.prior_auth, "prior_auth"),
        (&c.accident_state, "accident_state"),
        (&c.delay_reason, "delay_reason"),
        (&c.note, "claim_note"),
    ];
    for (v, col) in opts {
        if let Some(v) = v {
            owned.push(claim_val(v, col));
        }
    }
    let mut person = |p: &'c Person, pre: &'static [&'static str; 7]| {
        owned.push(claim_val(&p.last, pre[0]));
        owned.push(claim_val(&p.first, pre[1]));
        if let Some(m) = &p.middle {
            owned.push(claim_val(m, pre[2]));
        }
        owned.push(claim_val(&p.address.line1, pre[3]));
        if let Some(a2) = &p.address.line2 {
            owned.push(claim_val(a2, pre[4]));
        }
        owned.push(claim_val(&p.address.city, pre[5]));
        owned.push(claim_val(&p.address.state, pre[6]));
    };
    person(
        &c.subscriber,
        &[
            "subscriber_last",
            "subscriber_first",
            "subscriber_middle",
            "subscriber_address1",
            "subscriber_address2",
            "subscriber_city",
            "subscriber_state",
        ],
    );
    if let Some(p) = &c.patient {
        person(
            p,
            &[
                "patient_last",
                "patient_first",
                "patient_middle",
                "patient_address1",
                "patient_address2",
                "patient_city",
                "patient_state",
            ],
        );
    }
    for (p, cols) in [
        (c.rendering.as_ref(), ["rendering_npi", "rendering_last", "rendering_first"]),
        (c.referring.as_ref(), ["referring_npi", "referring_last", "referring_first"]),
        (c.supervising.as_deref(), ["supervising_npi", "supervising_last", "supervising_first"]),
    ] {
        if let Some(p) = p {
            owned.push(claim_val(&p.npi, cols[0]));
            owned.push(claim_val(&p.last, cols[1]));
            owned.push(claim_val(&p.first, cols[2]));
        }
    }
    if let Some(f) = &c.facility {
        owned.push(claim_val(&f.name, "facility_name"));
        owned.push(claim_val(&f.npi, "facility_npi"));
        owned.push(claim_val(&f.address.line1, "facility_address1"));
        if let Some(a2) = &f.address.line2 {
            owned.push(claim_val(a2, "facility_address2"));
        }
        owned.push(claim_val(&f.address.city, "facility_city"));
        owned.push(claim_val(&f.address.state, "facility_state"));
    }
    for r in &c.related_causes {
        owned.push(claim_val(r, "related_cause"));
    }
    for (i, d) in c.diagnoses.iter().enumerate() {
        owned.push((d.as_str(), DX_COLS[i.min(11)], r0));
    }
    // Config values that go into the file with this claim.
    let b = &c.billing;
    for v in [&b.name, &b.address.line1, &b.address.city] {
        owned.push((v.as_str(), "billing_npi", r0));
    }
    if let Some(a2) = &b.address.line2 {
        owned.push((a2.as_str(), "billing_npi", r0));
    }
    owned.push((c.payer.name.as_str(), "payer_id", r0));
    for l in &c.lines {
        owned.push((l.line_id.as_str(), "line_id", l.row));
        owned.push((l.procedure.as_str(), "procedure", l.row));
        for (m, col) in l.modifiers.iter().zip(["modifier1", "modifier2", "modifier3", "modifier4"])
        {
            owned.push((m.as_str(), col, l.row));
        }
        if let Some(n) = &l.ndc {
            owned.push((n.as_str(), "ndc", l.row));
        }
        if let Some(u) = &l.ndc_unit {
            owned.push((u.as_str(), "ndc_unit", l.row));
        }
    }
    super::secondary::text_values(c, r0, &mut owned);
    for (v, col, row) in owned {
        if let Some((min, max)) = element_length(col) {
            let n = v.chars().count();
            if n > 0 && (n < min || n > max) {
                o.at(
                    row,
                    col,
                    &LENGTH,
                    format!("{col} is {n} characters; the 837P element takes {min} to {max}"),
                );
            }
        }
        // Fast path: one table lookup per byte.
        if !v.bytes().any(|b| ctx.special[usize::from(b)]) {
            continue;
        }
        if let Some(d) = v.chars().find(|ch| ctx.delimiters.contains(ch)) {
            o.at(
                row,
                col,
                &X12_DELIMITER_IN_DATA,
                format!("{col} contains {d:?}, an X12 delimiter in the config; remove it (X12 has no escaping)"),
            );
        } else if v.chars().any(char::is_control) {
            o.at(
                row,
                col,
                &CONTROL_CHAR,
                format!("{col} contains a line break or control character"),
            );
        } else if !v.is_ascii() {
            o.at(
                row,
                col,
                &NON_ASCII,
                format!(
                    "{col} contains a character outside the X12 character set (letters with accents, \
                     typographic quotes...); clearinghouses reject it: spell it in plain ASCII"
                ),
            );
        }
    }
}

/// Minimum and maximum lengths of the 837P elements the free-text columns
/// feed (005010X222A1: NM103 60, NM104 35, NM105 25, NM109 2-80, N301/N302
/// 55, N401 2-30, SBR03 and REF02 50). The claim note's 80 is `E-NOTE-001`.
fn element_length(col: &str) -> Option<(usize, usize)> {
    // By the column name's last `_`-part; suffix tests, as this runs on
    // every value of every claim.
    let part = |p: &str| col.strip_suffix(p).is_some_and(|c| c.ends_with('_'));
    Some(match col {
        "member_id" | "secondary_member_id" => (2, 80),
        "group_number" | "secondary_group_number" | "original_ref" | "prior_auth" => (1, 50),
        _ if part("last") || part("name") => (1, 60),
        _ if part("first") => (1, 35),
        _ if part("middle") => (1, 25),
        _ if part("address1") || part("address2") => (1, 55),
        _ if part("city") => (2, 30),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::element_length;

    #[test]
    fn element_lengths_by_the_column_names_last_part() {
        for (col, want) in [
            ("member_id", Some((2, 80))),
            ("secondary_member_id", Some((2, 80))),
            ("group_number", Some((1, 50))),
            ("secondary_group_number", Some((1, 50))),
            ("original_ref", Some((1, 50))),
            ("prior_auth", Some((1, 50))),
            ("subscriber_last", Some((1, 60))),
            ("secondary_subscriber_last", Some((1, 60))),
            ("facility_name", Some((1, 60))),
            ("patient_first", Some((1, 35))),
            ("subscriber_middle", Some((1, 25))),
            ("patient_address1", Some((1, 55))),
            ("facility_address2", Some((1, 55))),
            ("subscriber_city", Some((2, 30))),
            ("secondary_subscriber_city", Some((2, 30))),
            ("last", None),
            ("city", None),
            ("subscriber_state", None),
            ("claim_id", None),
            ("procedure", None),
            ("billing_npi", None),
            ("payer_id", None),
            ("rendering_lastname", None),
            ("xlast", None),
        ] {
            assert_eq!(element_length(col), want, "{col}");
        }
    }
}
