//! The claim loops: 2300 (CLM, dates, amounts, references, diagnoses) and
//! the 2310A-D provider and facility loops. Service lines are `line`; the
//! 2320 other-payer loops are `edi837::cob`.

use std::io::Write;

use super::hierarchy::address;
use super::line::{d8, loop_2400, Scratch};
use crate::claim::{Claim, ProviderRef};
use crate::x12::{SegmentWriter, WriteError};

/// Loop 2300 claim:
/// `CLM*<id>*<total>***<POS>:B:<freq>*Y*A*Y*Y[**<causes>:::<state>][*********<delay>]~
/// [DTP*431*D8*<onset>~] [DTP*439*D8*<accident>~] [AMT*F5*<paid>~] [REF*G1*<auth>~]
/// [REF*F8*<original ref>~] [NTE*ADD*<note>~] HI*ABK:<dx1>[*ABF:<dx2>...]~`, then
/// 2310A, 2310B (when the rendering NPI differs from the billing NPI),
/// 2310C, 2310D, 2320 per other payer (see `cob`) and 2400. Segments follow
/// the guide's order within 2300.
pub(super) fn loop_2300<W: Write>(w: &mut SegmentWriter<W>, c: &Claim) -> Result<(), WriteError> {
    let total = crate::numtext::amount(c.total_charge());
    w.begin("CLM");
    w.element(&c.claim_id)?.element(&total)?.element("")?.element("")?;
    w.composite(&[&c.place_of_service, "B", c.frequency.code()])?;
    w.element("Y")?.element("A")?.element("Y")?.element("Y")?;
    let delay = c.delay_reason.as_deref().filter(|d| !d.is_empty());
    if !c.related_causes.is_empty() || delay.is_some() {
        // CLM10 (patient signature source) is not used.
        w.element("")?;
        // CLM11: up to two related causes; -4 the auto accident state
        // (See: 837P guide, CLM11-4: required when a cause is AA).
        let cause = |n: usize| c.related_causes.get(n).map_or("", String::as_str);
        let state = if c.is_auto_accident() { c.accident_state.as_deref() } else { None };
        w.composite(&[cause(0), cause(1), "", state.unwrap_or("")])?;
        if let Some(d) = delay {
            // CLM12 to CLM19 are not used; CLM20 delay reason.
            for _ in 12..20 {
                w.element("")?;
            }
            w.element(d)?;
        }
    }
    w.end()?;
    if let Some(onset) = c.onset_date {
        w.segment("DTP", &["431", "D8", &d8(onset)])?;
    }
    // See: 837P guide, 2300 DTP*439: required when CLM11 has AA or OA.
    if let Some(date) = c.accident_date.filter(|_| c.is_accident()) {
        w.segment("DTP", &["439", "D8", &d8(date)])?;
    }
    if let Some(paid) = c.patient_paid {
        w.segment("AMT", &["F5", &crate::numtext::amount(paid)])?;
    }
    if let Some(auth) = c.prior_auth.as_deref().filter(|s| !s.is_empty()) {
        w.segment("REF", &["G1", auth])?;
    }
    if let Some(orig) = c.original_ref.as_deref().filter(|s| !s.is_empty()) {
        w.segment("REF", &["F8", orig])?;
    }
    if let Some(note) = c.note.as_deref().filter(|s| !s.is_empty()) {
        w.segment("NTE", &["ADD", note])?;
    }
    if !c.diagnoses.is_empty() {
        w.begin("HI");
        for (n, dx) in c.diagnoses.iter().take(12).enumerate() {
            w.composite(&[if n == 0 { "ABK" } else { "ABF" }, dx])?;
        }
        w.end()?;
    }
    if let Some(r) = &c.referring {
        loop_2310(w, "DN", r)?;
    }
    // See: 837P guide, 2310B situational rule: sent only when the rendering
    // provider is not the billing provider (an organization's NPI sent as
    // the rendering person is rejected by front-end edits).
    if let Some(r) = c.rendering.as_ref().filter(|r| r.npi != c.billing.npi) {
        loop_2310(w, "82", r)?;
    }
    if let Some(f) = &c.facility {
        loop_2310c(w, f)?;
    }
    if let Some(r) = &c.supervising {
        loop_2310(w, "DQ", r)?;
    }
    for o in &c.other_payers {
        super::super::cob::loop_2320(w, c, o)?;
    }
    let mut scratch = Scratch::default();
    for (n, line) in c.lines.iter().enumerate() {
        loop_2400(w, n + 1, line, &mut scratch)?;
    }
    Ok(())
}

/// Loop 2310C service facility location:
/// `NM1*77*2*<name>*****[XX*<npi>]~ N3~ N4~` (NM108/NM109 only when the
/// facility has an NPI).
fn loop_2310c<W: Write>(
    w: &mut SegmentWriter<W>,
    f: &crate::claim::Facility,
) -> Result<(), WriteError> {
    let qualifier = if f.npi.is_empty() { "" } else { "XX" };
    w.segment("NM1", &["77", "2", &f.name, "", "", "", "", qualifier, &f.npi])?;
    address(w, &f.address)
}

/// Loops 2310A (referring, `DN`), 2310B (rendering, `82`) and 2310D
/// (supervising, `DQ`): `NM1*<DN|82|DQ>*1*<last>*<first>****XX*<npi>~`
fn loop_2310<W: Write>(
    w: &mut SegmentWriter<W>,
    qualifier: &str,
    p: &ProviderRef,
) -> Result<(), WriteError> {
    w.segment("NM1", &[qualifier, "1", &p.last, &p.first, "", "", "", "XX", &p.npi])
}
