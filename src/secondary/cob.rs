//! Building the coordination-of-benefits claim to the secondary payer from
//! the claim as sent to the primary and the primary's 835 claim payment.
//!
//! The claim keeps its lines, diagnoses and providers. The secondary
//! coverage (2320 `S` on the primary claim) becomes the claim's payer,
//! member and subscriber (2000B SBR01 `S`, 2010BA, 2010BB); the primary
//! becomes its other payer (2320 SBR01 `P`, 2330A/2330B) with what it paid
//! and adjusted: claim-level CAS and AMT*D in 2320, REF*F8 its claim number
//! (CLP07), and per line a 2430 (SVD paid, CAS, DTP*573, AMT*EAF) from the
//! matching SVC; with no SVC at all, AMT*EAF and DTP*573 go at claim level.
//! It builds only; balancing is `edi837::cob`, deciding is `decide`.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::claim::{
    Adjustment, Claim, Frequency, LineAdjudication, OtherPayer, Person, Relationship,
    Responsibility, ServiceLine,
};
use crate::config::Config;
use crate::edi835::{self, ClaimPayment, ServicePayment};

/// Why a COB claim could not be built from what was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Problem {
    /// The recorded 837 has no 2320 loop for the secondary payer.
    NoSecondaryLoop,
    /// No claim payment was given.
    NoPayment,
}

fn adjustments(list: &[edi835::Adjustment]) -> Vec<Adjustment> {
    list.iter()
        .filter(|a| !a.amount.is_zero())
        .map(|a| Adjustment {
            group: a.group_code.to_string(),
            reason: a.reason.to_string(),
            amount: a.amount,
            quantity: a.quantity,
        })
        .collect()
}

fn pr_total(list: &[Adjustment]) -> Decimal {
    list.iter().filter(|a| a.group == "PR").map(|a| a.amount).sum()
}

/// The SVC of `svcs` that answers line `l`: by line item control number
/// (REF*6R), else by submitted procedure, modifiers and charge. Each SVC
/// answers one line (`used`).
fn matching_svc<'p>(
    svcs: &[&'p ServicePayment],
    l: &ServiceLine,
    used: &mut [bool],
) -> Option<&'p ServicePayment> {
    let by_id = svcs.iter().enumerate().position(|(i, s)| {
        !used[i] && s.line_id.as_ref().is_some_and(|id| id.as_str().trim() == l.line_id.trim())
    });
    let found = by_id.or_else(|| {
        svcs.iter().enumerate().position(|(i, s)| {
            let p = s.submitted_procedure();
            !used[i]
                && p.code.as_str().trim().eq_ignore_ascii_case(&l.procedure)
                && p.modifiers.iter().map(|m| m.as_str()).eq(l.modifiers.iter().map(String::as_str))
                && s.svc02_charge == l.charge
        })
    })?;
    used[found] = true;
    svcs.get(found).copied()
}

/// The COB claim to `secondary_payer_id` for claim `sent` (as sent to its
/// primary), with the primary's live claim payments `paid` (one, or several
/// when the payer split the claim; oldest first) adjudicated on `date` (the
/// latest payment's date). Their paid amounts add up in AMT*D, their
/// claim-level adjustments in 2320 CAS, and each line takes the SVC that
/// answers it; REF*F8 is the latest payment's claim number.
pub(super) fn build(
    sent: &Claim,
    secondary_payer_id: &str,
    paid: &[&ClaimPayment],
    date: NaiveDate,
    config: &Config,
) -> Result<Claim, Problem> {
    let latest = paid.last().ok_or(Problem::NoPayment)?;
    let secondary = sent
        .other_payers
        .iter()
        .find(|o| o.responsibility == Responsibility::Secondary && o.payer.id == secondary_payer_id)
        .ok_or(Problem::NoSecondaryLoop)?;
    let patient: Person = sent.patient.clone().unwrap_or_else(|| sent.subscriber.clone());
    let mut c = sent.clone();
    c.payer = match config.payer(secondary_payer_id) {
        Some(p) => crate::claim::Payer {
            id: p.id.clone(),
            name: p.name.clone(),
            filing_indicator: p.filing_indicator.clone(),
        },
        None => secondary.payer.clone(),
    };
    c.member_id = secondary.member_id.clone();
    // 2000B SBR05 when the secondary is Medicare: the code the primary
    // claim's 2320 carried (given or its default), else the default.
    c.insurance_type = secondary.insurance_type.clone();
    c.group_number = secondary.group_number.clone();
    if secondary.relationship == Relationship::SelfInsured {
        c.subscriber = patient;
        c.relationship = Relationship::SelfInsured;
        c.patient = None;
    } else {
        c.subscriber = secondary.subscriber.clone();
        c.relationship = secondary.relationship;
        c.patient = Some(patient);
    }
    c.frequency = Frequency::Original;
    c.original_ref = None;
    c.stated_total = None;
    let claim_adjustments: Vec<Adjustment> =
        paid.iter().flat_map(|cp| adjustments(&cp.adjustments)).collect();
    let svcs: Vec<&ServicePayment> = paid.iter().flat_map(|cp| &cp.lines).collect();
    let mut used = vec![false; svcs.len()];
    let primary_id = sent.payer.id.clone();
    for l in &mut c.lines {
        l.adjudications.clear();
        if svcs.is_empty() {
            continue;
        }
        let Some(svc) = matching_svc(&svcs, l, &mut used) else { continue };
        let line_adjustments = adjustments(&svc.adjustments);
        l.adjudications.push(LineAdjudication {
            payer_id: primary_id.clone(),
            paid: svc.svc03_paid,
            procedure: svc.svc01_procedure.code.to_string(),
            modifiers: svc.svc01_procedure.modifiers.iter().map(|m| m.to_string()).collect(),
            units: svc.svc05_units.unwrap_or(l.units),
            remaining_patient_liability: Some(pr_total(&line_adjustments)),
            adjustments: line_adjustments,
            date: Some(date),
        });
    }
    let claim_level_only = svcs.is_empty();
    c.other_payers = vec![OtherPayer {
        responsibility: Responsibility::Primary,
        relationship: sent.relationship,
        group_number: sent.group_number.clone(),
        payer: sent.payer.clone(),
        member_id: sent.member_id.clone(),
        subscriber: sent.subscriber.clone(),
        paid: Some(paid.iter().map(|cp| cp.clp04_paid).sum()),
        remaining_patient_liability: claim_level_only.then(|| pr_total(&claim_adjustments)),
        adjustments: claim_adjustments,
        adjudication_date: Some(date),
        claim_number: Some(latest.clp07_payer_claim_id.to_string())
            .filter(|n| !n.trim().is_empty()),
        insurance_type: None,
    }];
    Ok(c)
}

/// The patient's responsibility the primary left: PR adjustments at claim
/// and line level.
pub(super) fn patient_responsibility(c: &Claim) -> Decimal {
    let claim: Decimal = c.other_payers.iter().map(|o| pr_total(&o.adjustments)).sum();
    let lines: Decimal =
        c.lines.iter().flat_map(|l| &l.adjudications).map(|a| pr_total(&a.adjustments)).sum();
    claim + lines
}
