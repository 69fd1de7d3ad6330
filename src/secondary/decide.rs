//! What the secondary job decides for each candidate claim: wait, not send
//! (with the reason and next action), or build its COB claim from the claim
//! as sent and the primary's payments and balance it ([`Outcome`]). It
//! writes and records nothing (`submit` does).

use super::{cob, source, submit, NotSent, Options, SentCob, RULE_SOURCE};
use crate::claim::{Claim, ClaimStatus};
use crate::config::Config;
use crate::edi835::ClaimPayment;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, CobCandidate, PrimaryPayment};

/// What to do with one candidate.
pub(super) enum Decision {
    /// Build and send its COB claim from this payment.
    Send(PrimaryPayment),
    /// Do not send (listed), or wait (listed), or wait for the primary (counted).
    NotSent(NotSent),
    Waiting(NotSent),
    AwaitingPrimary,
}

/// The denial's CARCs and the worklist's next action for them.
pub(super) fn denial(p: &PrimaryPayment) -> (String, String) {
    let codes: Vec<&str> =
        p.adjustments.split(';').filter_map(|a| a.split_whitespace().next()).collect();
    let main = codes.iter().find(|c| !c.starts_with("PR-")).or(codes.first());
    let action = main
        .map(|c| {
            let (group, carc) = c.split_once('-').unwrap_or(("", c));
            let category = crate::claim::denial::category(carc);
            let group = crate::edi835::Group::from_code(group);
            crate::claim::denial::action(category, group, false).words().to_string()
        })
        .unwrap_or_else(|| "appeal".to_string());
    let reason = if codes.is_empty() {
        "denied by the primary payer".to_string()
    } else {
        format!("denied by the primary payer ({})", codes.join(", "))
    };
    (reason, action)
}

/// True when a full denial of the primary leaves the claim to the
/// secondary: an amount the primary put on the patient (PR, e.g. PR-96,
/// PR-204), or a reason saying another payer covers it (CO-22 and the other
/// coordination-of-benefits reasons). The secondary needs the denial (AMT*D
/// 0 and the primary's CAS) to pay. Denials the office must correct or
/// appeal at the primary first (CO-16, CO-50, ...) are not sent.
pub(super) fn secondary_may_pay(p: &PrimaryPayment) -> bool {
    p.adjustments.split(';').filter_map(|a| a.split_whitespace().next()).any(|code| {
        let (group, carc) = code.split_once('-').unwrap_or(("", code));
        group.eq_ignore_ascii_case("PR") || crate::claim::other_payer_reason(carc)
    })
}

pub(super) fn decide(c: &CobCandidate) -> Decision {
    let listed = |p: &PrimaryPayment, reason: String, next: &str| NotSent {
        claim_id: c.claim_id.clone(),
        primary_payer_id: c.payer_id.clone(),
        payer_id: c.secondary_payer_id.clone(),
        primary_status: p.status.as_str().to_string(),
        reason,
        next_action: next.to_string(),
    };
    let Some(p) = &c.payment else { return Decision::AwaitingPrimary };
    if p.reversed || p.status == ClaimStatus::Reversed {
        return Decision::Waiting(listed(
            p,
            "the primary's payment was reversed and is not yet corrected: waits for the corrected payment".into(),
            "",
        ));
    }
    match p.status {
        ClaimStatus::Denied if secondary_may_pay(p) => Decision::Send(p.clone()),
        ClaimStatus::Denied => {
            let (reason, action) = denial(p);
            Decision::NotSent(listed(p, reason, &action))
        }
        ClaimStatus::Forwarded => Decision::NotSent(listed(p, FORWARDED.into(), WAIT_OTHER)),
        _ if p.patient_responsibility.is_zero() && p.status == ClaimStatus::Paid => {
            Decision::NotSent(listed(
                p,
                "paid by the primary with nothing left to the patient: nothing to bill the secondary".into(),
                "",
            ))
        }
        ClaimStatus::Paid | ClaimStatus::Partial | ClaimStatus::PatientResponsibility => {
            Decision::Send(p.clone())
        }
        other => Decision::Waiting(listed(
            p,
            format!("the primary's latest answer is {}: waits", other.as_str()),
            "",
        )),
    }
}

/// Why a COB claim was held back, in billing words, from its findings.
pub(super) fn held_reason(findings: &[&Finding]) -> String {
    let line = findings.iter().find(|f| f.rule == "837-COB-LINE");
    if let Some(f) = line {
        // The finding names the line: "..., line 2, payer ...".
        let which = f
            .message
            .split([',', ':'])
            .map(str::trim)
            .find(|p| p.starts_with("line "))
            .unwrap_or("every line");
        return format!(
            "cannot bill the secondary: the primary's remittance does not answer {which} as billed \
             (answered under another procedure code, or not at all), so the amounts cannot add up"
        );
    }
    if findings.iter().any(|f| f.rule.starts_with("837-COB")) {
        return "cannot bill the secondary: the primary's paid and adjusted amounts do not add up \
                to the charge"
            .to_string();
    }
    match findings.first() {
        Some(f) => format!("cannot bill the secondary: {}", f.message),
        None => "cannot bill the secondary".to_string(),
    }
}

/// Why a claim the primary forwarded (CLP02 19-21 or 23, NM1*TT) is not sent.
pub(super) const FORWARDED: &str =
    "the primary forwarded the claim to the other payer itself: not billed again";
/// The worklist's next action for it.
pub(super) const WAIT_OTHER: &str = "wait for the other payer's remittance";

/// A finding for claim `claim_id` of the run (no file position).
pub(super) fn finding(rule: &'static str, claim_id: &str, message: String) -> Finding {
    Finding::new(rule, Severity::Error, message).for_claim(claim_id)
}

/// Every live payment of the claim (several when the payer split it), else
/// the latest one.
pub(super) fn live<'a>(
    c: &'a CobCandidate,
    p: &'a PrimaryPayment,
) -> impl Iterator<Item = &'a PrimaryPayment> + 'a {
    let only = c.live.is_empty().then_some(p);
    c.live.iter().chain(only)
}

/// The lines of claim `sent` (1-based positions) that no live payment of
/// the primary answered yet: empty when one answered the whole claim or
/// when together they answered every line (the ledger's rule).
pub(super) fn unanswered(c: &CobCandidate, p: &PrimaryPayment, sent: &Claim) -> Vec<usize> {
    let ids: Vec<String> = ledger::PatientRecord::of(sent).map(|r| r.line_ids).unwrap_or_default();
    let answered: Vec<Option<String>> = live(c, p).map(|lp| lp.lines.clone()).collect();
    ledger::unanswered_lines(&ids, &answered).into_iter().map(|(n, _)| n).collect()
}

/// What became of one claim to send, in the order the report lists them.
pub(super) enum Outcome {
    /// Held back with these findings.
    Held(Vec<Finding>),
    /// Waits (the primary has not answered every line yet).
    Waiting(Box<NotSent>),
    /// Not sent (the primary forwarded it).
    NotSent(Box<NotSent>),
    /// No claim payment to build from.
    Skip,
    /// Built and balanced: sent.
    Sent(Box<(SentCob, Claim, submit::Pending)>),
}

/// Builds and balances the COB claim of candidate `c` (the primary's latest
/// payment `p`) from the claim as sent and the primary's claim payments (their
/// sets loaded in `remits`).
pub(super) fn outcome(
    c: &CobCandidate,
    p: &PrimaryPayment,
    primary: &Claim,
    remits: &source::Remits,
    config: &Config,
    options: &Options,
) -> Outcome {
    let held = |message: String| Outcome::Held(vec![finding(RULE_SOURCE, &c.claim_id, message)]);
    // A primary that split the claim over several 835s: the COB claim waits
    // until every line is answered, then carries every part.
    let open = unanswered(c, p, primary);
    if !open.is_empty() {
        let lines: Vec<String> = open.iter().map(|n| n.to_string()).collect();
        return Outcome::Waiting(Box::new(NotSent {
            claim_id: c.claim_id.clone(),
            primary_payer_id: c.payer_id.clone(),
            payer_id: c.secondary_payer_id.clone(),
            primary_status: p.status.as_str().to_string(),
            reason: format!(
                "the primary has answered part of the claim: waits for its answer on line {}",
                lines.join(", ")
            ),
            next_action: String::new(),
        }));
    }
    let mut found = Vec::new();
    for lp in live(c, p) {
        let Some(f) = remits.find(lp) else {
            let why = remits.broken(&lp.remit_file).unwrap_or("the claim payment is not in it");
            return held(format!(
                "claim {}: the primary's 835 ({}, set {}) cannot be read back: {why}",
                c.claim_id, lp.remit_file, lp.st02
            ));
        };
        found.push(f);
    }
    let cps: Vec<&ClaimPayment> = found.iter().map(|(cp, _)| cp).collect();
    // See: 835 CLP02 19-21 and NM1*TT: the primary sent the claim on to
    // the other payer itself (crossover); billing it again would bill twice.
    if cps.iter().any(|cp| cp.is_forwarded()) {
        return Outcome::NotSent(Box::new(NotSent {
            claim_id: c.claim_id.clone(),
            primary_payer_id: c.payer_id.clone(),
            payer_id: c.secondary_payer_id.clone(),
            primary_status: format!("{}+forwarded", p.status.as_str()),
            reason: FORWARDED.into(),
            next_action: WAIT_OTHER.into(),
        }));
    }
    let date = found.last().and_then(|(_, d)| *d).unwrap_or(options.now.date());
    let claim = match cob::build(primary, &c.secondary_payer_id, &cps, date, config) {
        Ok(claim) => claim,
        Err(cob::Problem::NoSecondaryLoop) => {
            return held(format!(
                "claim {}: the 837 it was sent in names no secondary payer {} (loop 2320)",
                c.claim_id, c.secondary_payer_id
            ));
        }
        Err(cob::Problem::NoPayment) => return Outcome::Skip,
    };
    let imbalances = crate::edi837::cob::balance(&crate::edi837::cob::CobClaim::of(&claim));
    if !imbalances.is_empty() {
        return Outcome::Held(
            imbalances.into_iter().map(|i| finding(i.rule, &c.claim_id, i.message)).collect(),
        );
    }
    let pr = cob::patient_responsibility(&claim);
    let primary_paid = claim.other_payers[0].paid.unwrap_or_default();
    let sent = SentCob {
        claim_id: c.claim_id.clone(),
        payer_id: c.secondary_payer_id.clone(),
        primary_payer_id: c.payer_id.clone(),
        charge: claim.total_charge(),
        primary_paid,
        patient_responsibility: pr,
    };
    let pending = submit::Pending {
        primary_payer_id: c.payer_id.clone(),
        primary_payment_id: p.id,
        primary_paid,
        patient_responsibility: pr,
    };
    Outcome::Sent(Box::new((sent, claim, pending)))
}
