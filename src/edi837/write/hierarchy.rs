//! The header loops (1000A submitter, 1000B receiver) and the hierarchical
//! levels: 2000A/2010AA billing provider, 2000B/2010BA/2010BB subscriber and
//! payer, 2000C/2010CA patient. It does not write the claim loops (that is
//! `claim` and `line`).

use std::io::Write;

use super::group::{group, is_self};
use super::line::d8;
use super::render::Rendered;
use crate::claim::{Claim, Person};
use crate::config::Config;
use crate::ledger::Span;
use crate::x12::{SegmentWriter, WriteError};

/// Writes the 2000A/2000B/2000C levels of one set with the pre-rendered
/// claim loops in place; returns each claim's span (positions counted from
/// the ST = 1), in the order of `claims`.
pub(super) fn write_hierarchy<W: Write>(
    w: &mut SegmentWriter<W>,
    claims: &[&Claim],
    rendered: &[Rendered],
) -> Result<Vec<Span>, WriteError> {
    let mut spans = vec![Span::default(); claims.len()];
    // The claim loops under the levels `levels`, written where they stand.
    let mut place = |w: &mut SegmentWriter<W>, ci: usize, levels: &[u32]| {
        let first = w.set_segments() + 1;
        rendered[ci].claim.write_to(w)?;
        spans[ci] = Span { first, last: w.set_segments(), levels: levels.to_vec() };
        Ok::<(), WriteError>(())
    };
    let mut hl = 0u32;
    for (first, bg) in group(claims, rendered) {
        hl += 1;
        let billing_hl = hl;
        let billing_at = w.set_segments() + 1;
        loop_2000a(w, billing_hl, claims[first])?;
        for sg in &bg.subscribers {
            hl += 1;
            let sub_hl = hl;
            let sample = sg
                .claims
                .first()
                .or_else(|| sg.patients.first().and_then(|p| p.first()))
                .copied()
                .unwrap_or(first);
            let subscriber_at = w.set_segments() + 1;
            loop_2000b(w, sub_hl, billing_hl, !sg.patients.is_empty(), &rendered[sample])?;
            for &ci in &sg.claims {
                place(w, ci, &[billing_at, subscriber_at])?;
            }
            for patient_claims in &sg.patients {
                hl += 1;
                let Some(&pi) = patient_claims.first() else { continue };
                let patient_at = w.set_segments() + 1;
                loop_2000c(w, hl, sub_hl, &rendered[pi])?;
                for &ci in patient_claims {
                    place(w, ci, &[billing_at, subscriber_at, patient_at])?;
                }
            }
        }
    }
    Ok(spans)
}

/// Loop 1000A submitter: `NM1*41*2*<name>*****46*<id>~ PER*IC*<contact>*TE*<phone>*EM*<email>~`
pub(super) fn loop_1000a<W: Write>(
    w: &mut SegmentWriter<W>,
    cfg: &Config,
) -> Result<(), WriteError> {
    let s = &cfg.submitter;
    w.segment("NM1", &["41", "2", &s.name, "", "", "", "", "46", &s.id])?;
    let mut per: Vec<&str> = vec!["IC", &s.contact_name];
    if let Some(phone) = s.phone.as_deref().filter(|p| !p.is_empty()) {
        per.extend(["TE", phone]);
    }
    if let Some(email) = s.email.as_deref().filter(|e| !e.is_empty()) {
        per.extend(["EM", email]);
    }
    w.segment("PER", &per)
}

/// Loop 1000B receiver: `NM1*40*2*<name>*****46*<id>~`
pub(super) fn loop_1000b<W: Write>(
    w: &mut SegmentWriter<W>,
    cfg: &Config,
) -> Result<(), WriteError> {
    let r = &cfg.receiver;
    w.segment("NM1", &["40", "2", &r.name, "", "", "", "", "46", &r.id])
}

/// Loop 2000A billing provider level: `HL*<id>**20*1~ [PRV*BI*PXC*<taxonomy>~]`, then 2010AA.
fn loop_2000a<W: Write>(w: &mut SegmentWriter<W>, hl: u32, c: &Claim) -> Result<(), WriteError> {
    w.segment("HL", &[&hl.to_string(), "", "20", "1"])?;
    if let Some(t) = c.billing.taxonomy.as_deref().filter(|t| !t.is_empty()) {
        w.segment("PRV", &["BI", "PXC", t])?;
    }
    loop_2010aa(w, c)
}

/// Loop 2010AA billing provider: `NM1*85*<2|1>*<name or last>*[<first>]****XX*<npi>~
/// N3~ N4~ REF*EI*<ein>~`, then 2010AB pay-to when the provider has one:
/// `NM1*87*<2|1>~ N3~ N4~`.
fn loop_2010aa<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let b = &c.billing;
    let kind = b.entity.code();
    w.segment("NM1", &["85", kind, &b.name, &b.first_name, "", "", "", "XX", &b.npi])?;
    address(w, &b.address)?;
    w.segment("REF", &["EI", &b.tax_id])?;
    if let Some(pay_to) = &b.pay_to {
        w.segment("NM1", &["87", kind])?;
        address(w, pay_to)?;
    }
    Ok(())
}

/// `N3*<line1>[*<line2>]~ N4*<city>*<state>*<zip>~`
pub(in crate::edi837) fn address<W: Write>(
    w: &mut SegmentWriter<W>,
    a: &crate::claim::Address,
) -> Result<(), WriteError> {
    w.segment("N3", &[&a.line1, a.line2.as_deref().unwrap_or("")])?;
    w.segment("N4", &[&a.city, &a.state, &a.zip])
}

/// Loop 2000B subscriber level: `HL*<id>*<parent>*22*<0|1>~`, then the
/// pre-rendered rest of the loop (see [`subscriber_body`]).
fn loop_2000b<W: Write>(
    w: &mut SegmentWriter<W>,
    hl: u32,
    parent: u32,
    has_patients: bool,
    r: &Rendered,
) -> Result<(), WriteError> {
    w.segment(
        "HL",
        &[&hl.to_string(), &parent.to_string(), "22", if has_patients { "1" } else { "0" }],
    )?;
    r.subscriber.write_to(w)
}

/// Loop 2000B after its HL: `SBR*<P|S|T>*<18|>*<group>**<type>****<filing>~`
/// (`S` on a claim to a secondary payer, see [`Claim::payer_responsibility`];
/// SBR05 only on a claim to Medicare as a secondary payer, see
/// [`Claim::insurance_type_code`]), then
/// 2010BA and 2010BB. Rendered per claim in parallel; the first claim of
/// each subscriber group supplies it.
pub(super) fn subscriber_body<W: Write>(
    w: &mut SegmentWriter<W>,
    c: &Claim,
) -> Result<(), WriteError> {
    let is_self = is_self(c);
    w.segment(
        "SBR",
        &[
            c.payer_responsibility().code(),
            if is_self { "18" } else { "" },
            c.group_number.as_deref().unwrap_or(""),
            "",
            c.insurance_type_code().unwrap_or(""),
            "",
            "",
            "",
            &c.payer.filing_indicator,
        ],
    )?;
    loop_2010ba(w, c, is_self)?;
    loop_2010bb(w, c)
}

/// Loop 2010BA subscriber: `NM1*IL*1*<last>*<first>*<middle>***MI*<member id>~`;
/// N3/N4 and `DMG*D8*<dob>*<sex>~` when the subscriber is the patient (the
/// guide: "required when the patient is the subscriber; if not required, do not send").
fn loop_2010ba<W: Write>(
    w: &mut SegmentWriter<W>,
    c: &Claim,
    is_self: bool,
) -> Result<(), WriteError> {
    let s = &c.subscriber;
    subscriber_name(w, s, &c.member_id)?;
    if is_self {
        address(w, &s.address)?;
        demographics(w, s)?;
    }
    Ok(())
}

/// `NM1*IL*1*<last>*<first>*<middle>***MI*<member id>~`: the subscriber's
/// name in 2010BA and, for another payer's subscriber, in 2330A.
pub(in crate::edi837) fn subscriber_name<W: Write>(
    w: &mut SegmentWriter<W>,
    s: &Person,
    member_id: &str,
) -> Result<(), WriteError> {
    w.segment(
        "NM1",
        &["IL", "1", &s.last, &s.first, s.middle.as_deref().unwrap_or(""), "", "", "MI", member_id],
    )
}

/// `DMG*D8*<CCYYMMDD>*<M|F|U>~` (skipped when the date of birth is unknown).
fn demographics<W: Write>(w: &mut SegmentWriter<W>, p: &Person) -> Result<(), WriteError> {
    if let Some(dob) = p.dob {
        let sex = p.sex.map_or("U", |s| s.code());
        w.segment("DMG", &["D8", &d8(dob), sex])?;
    }
    Ok(())
}

/// Loop 2010BB payer: `NM1*PR*2*<name>*****PI*<payer id>~`
fn loop_2010bb<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    w.segment("NM1", &["PR", "2", &c.payer.name, "", "", "", "", "PI", &c.payer.id])
}

/// Loop 2000C patient level: `HL*<id>*<parent>*23*0~`, then the
/// pre-rendered `PAT*<01|19|G8>~` and 2010CA (see [`patient_body`]).
fn loop_2000c<W: Write>(
    w: &mut SegmentWriter<W>,
    hl: u32,
    parent: u32,
    r: &Rendered,
) -> Result<(), WriteError> {
    w.segment("HL", &[&hl.to_string(), &parent.to_string(), "23", "0"])?;
    r.patient.write_to(w)
}

/// Loop 2000C after its HL: `PAT*<01|19|G8>~`, then 2010CA.
pub(super) fn patient_body<W: Write>(
    w: &mut SegmentWriter<W>,
    c: &Claim,
) -> Result<(), WriteError> {
    w.segment("PAT", &[c.relationship.code()])?;
    loop_2010ca(w, c)
}

/// Loop 2010CA patient: `NM1*QC*1*<last>*<first>*<middle>~ N3~ N4~ DMG~`
fn loop_2010ca<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let default = Person::default();
    let p = c.patient.as_ref().unwrap_or(&default);
    w.segment("NM1", &["QC", "1", &p.last, &p.first, p.middle.as_deref().unwrap_or("")])?;
    address(w, &p.address)?;
    demographics(w, p)
}
