//! People rules: subscriber and patient names, dates of birth, sex and
//! addresses, and rendering, referring or supervising provider names. It does not check
//! NPIs (see `identity`) or what characters a value holds (see `text`).

use crate::claim::{Claim, Person};
use crate::codeset::shape;

use super::{
    Ctx, Out, ADDRESS, BAD_SEX, DOB_FUTURE, DOB_MISSING, PATIENT_FIELDS, PROVIDER_NAME, STATE,
    SUBSCRIBER_NAME, ZIP,
};

fn address_checks(o: &mut Out<'_, '_>, p: &Person, prefix: &str) {
    let a = &p.address;
    if !a.state.is_empty() && !shape::is_state_code(&a.state) {
        o.claim(
            &format!("{prefix}_state"),
            &STATE,
            format!("{prefix}_state {:?} is not a USPS state code", a.state),
        );
    }
    if !a.zip.is_empty() && !shape::is_zip(&a.zip) {
        o.claim(&format!("{prefix}_zip"), &ZIP, format!("{prefix}_zip must be 5 or 9 digits"));
    }
}

pub(super) fn people(c: &Claim, ctx: &Ctx<'_>, o: &mut Out<'_, '_>) {
    let s = &c.subscriber;
    for (v, col) in [(&s.last, "subscriber_last"), (&s.first, "subscriber_first")] {
        if v.trim().is_empty() {
            o.claim(col, &SUBSCRIBER_NAME, format!("{col} is missing"));
        }
    }
    if s.dob.is_none() {
        o.claim(
            "subscriber_dob",
            &DOB_MISSING,
            "subscriber_dob is missing or not a valid date".into(),
        );
    }
    if s.sex.is_none() {
        o.claim("subscriber_sex", &BAD_SEX, "subscriber_sex is missing or not M, F or U".into());
    }
    for (v, col) in [
        (&s.address.line1, "subscriber_address1"),
        (&s.address.city, "subscriber_city"),
        (&s.address.state, "subscriber_state"),
        (&s.address.zip, "subscriber_zip"),
    ] {
        if v.trim().is_empty() {
            o.claim(col, &ADDRESS, format!("{col} is missing"));
        }
    }
    address_checks(o, s, "subscriber");
    if let Some(p) = &c.patient {
        let rel = c.relationship.word();
        let fields: [(bool, &str); 8] = [
            (p.last.trim().is_empty(), "patient_last"),
            (p.first.trim().is_empty(), "patient_first"),
            (p.dob.is_none(), "patient_dob"),
            (p.sex.is_none(), "patient_sex"),
            (p.address.line1.trim().is_empty(), "patient_address1"),
            (p.address.city.trim().is_empty(), "patient_city"),
            (p.address.state.trim().is_empty(), "patient_state"),
            (p.address.zip.trim().is_empty(), "patient_zip"),
        ];
        for (missing, col) in fields {
            if missing {
                o.claim(
                    col,
                    &PATIENT_FIELDS,
                    format!("{col} is required when relationship is {rel}"),
                );
            }
        }
        address_checks(o, p, "patient");
    }
    for (prov, col, who) in [
        (c.rendering.as_ref(), "rendering", "rendering"),
        (c.referring.as_ref(), "referring", "referring"),
        (c.supervising.as_deref(), "supervising", "supervising"),
    ] {
        // A rendering NPI equal to the billing NPI states that the
        // organization rendered the service: no 2310B, so no person's name.
        let is_billing = col == "rendering" && prov.is_some_and(|r| r.npi == c.billing.npi);
        if let Some(r) = prov.filter(|_| !is_billing) {
            if r.last.trim().is_empty() || r.first.trim().is_empty() {
                let which = if r.last.trim().is_empty() { "last" } else { "first" };
                o.claim(
                    &format!("{col}_{which}"),
                    &PROVIDER_NAME,
                    format!("{who} provider needs {col}_last and {col}_first (2310 NM1, person)"),
                );
            }
        }
    }
    for (p, col) in [(Some(s), "subscriber_dob"), (c.patient.as_ref(), "patient_dob")] {
        if let Some(dob) = p.and_then(|p| p.dob) {
            if dob > ctx.today {
                o.claim(col, &DOB_FUTURE, format!("{col} is after the run date {}", ctx.today));
            }
        }
    }
}
