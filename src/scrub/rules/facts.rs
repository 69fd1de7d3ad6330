//! Rules on the claim facts payers ask for: related causes and the accident
//! (CLM11, DTP*439), the delay reason (CLM20), the amount the patient paid
//! (AMT*F5) and the claim note (NTE*ADD). Whether a value holds a delimiter,
//! a control or a non-ASCII character is checked in `text`.

use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::codeset::shape;

use super::{
    Ctx, Out, ACCIDENT_DATE, ACCIDENT_STATE, CLAIM_NOTE, DELAY_REASON, PATIENT_PAID, RELATED_CAUSE,
    STATE,
};

/// CLM20 delay reason codes of the 837P guide.
const DELAY_REASONS: [&str; 12] = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "15"];

/// NTE02 holds up to 80 characters.
const NOTE_MAX: usize = 80;

/// The X12 basic character set's special characters (besides letters,
/// digits and space).
const BASIC_SPECIAL: &str = "!\"&'()*+,-./:;?=";

/// True for a character of the basic X12 character set, or a lower-case
/// letter (from the extended set, which 5010 receivers accept in text).
fn is_note_char(ch: char) -> bool {
    ch.is_ascii_alphanumeric() || ch == ' ' || BASIC_SPECIAL.contains(ch)
}

pub(super) fn facts(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    let causes = &c.related_causes;
    let bad = causes.iter().find(|r| !matches!(r.as_str(), "AA" | "EM" | "OA"));
    let repeated = causes.iter().enumerate().any(|(i, r)| causes[..i].contains(r));
    if let Some(b) = bad {
        o.claim(
            "related_cause",
            &RELATED_CAUSE,
            format!("related_cause {b:?} must be AA (auto accident), EM (employment) or OA (other accident)"),
        );
    } else if causes.len() > 2 {
        o.claim(
            "related_cause",
            &RELATED_CAUSE,
            format!(
                "related_cause lists {} causes; CLM11 holds at most two, separated by ;",
                causes.len()
            ),
        );
    } else if repeated {
        o.claim("related_cause", &RELATED_CAUSE, "related_cause lists the same cause twice".into());
    }
    // See: 837P guide, CLM11-4 (required when a cause is AA) and 2300
    // DTP*439 (required when a cause is AA or OA).
    if c.is_auto_accident() {
        match c.accident_state.as_deref() {
            None | Some("") => o.claim(
                "accident_state",
                &ACCIDENT_STATE,
                "related_cause AA (auto accident) needs accident_state, the state where it happened".into(),
            ),
            Some(s) if !shape::is_state_code(s) => o.claim(
                "accident_state",
                &STATE,
                format!("accident_state {s:?} is not a USPS state code"),
            ),
            Some(_) => {}
        }
    }
    if c.is_accident() {
        match (c.accident_date, c.first_service_date()) {
            (None, _) => o.claim(
                "accident_date",
                &ACCIDENT_DATE,
                "related_cause AA or OA (an accident) needs accident_date".into(),
            ),
            (Some(d), Some(first)) if d > first => o.claim(
                "accident_date",
                &ACCIDENT_DATE,
                format!("accident_date is after the first date of service {first}"),
            ),
            _ => {}
        }
    }
    if let Some(d) = c.delay_reason.as_deref() {
        if !DELAY_REASONS.contains(&d) {
            o.claim(
                "delay_reason",
                &DELAY_REASON,
                format!("delay_reason {d:?} is not a CLM20 delay reason code (1 to 11 or 15)"),
            );
        }
    }
    if let Some(p) = c.patient_paid {
        let total = c.total_charge();
        let why = if p <= Decimal::ZERO {
            Some("must be greater than 0".to_string())
        } else if p.normalize().scale() > 2 {
            Some("has more than 2 decimals".to_string())
        } else if !c.lines.is_empty() && p > total {
            Some(format!("is more than the claim's total charge {}", crate::numtext::money(total)))
        } else {
            None
        };
        if let Some(why) = why {
            o.claim("patient_paid", &PATIENT_PAID, format!("patient_paid {p} {why}"));
        }
    }
    if let Some(n) = c.note.as_deref() {
        let len = n.chars().count();
        if len > NOTE_MAX {
            o.claim(
                "claim_note",
                &CLAIM_NOTE,
                format!("claim_note is {len} characters; NTE02 holds at most {NOTE_MAX}"),
            );
        }
        // Delimiters, control and non-ASCII characters are the `text`
        // rules' findings; this one is about printable ASCII outside the set.
        let outside = n
            .chars()
            .find(|ch| ch.is_ascii_graphic() && !is_note_char(*ch) && !ctx.delimiters.contains(ch));
        if let Some(ch) = outside {
            o.claim(
                "claim_note",
                &CLAIM_NOTE,
                format!("claim_note contains {ch:?}, outside the basic X12 character set (letters, digits, space and ! \" & ' ( ) + , - . / ; ? =): payers reject or drop it"),
            );
        }
    }
}
