//! One remittance's claim payments reconciled: each matched to a sent claim
//! and its lines, classified (paid, partial, denied, ...), its money split
//! into columns and its denial worklist entry chosen. It reads no file and
//! does no accounting across payments (`account` does).

use rust_decimal::Decimal;

use super::lines::{all_lines, line_bit, match_lines_into};
use super::money::Figures;
use super::{denial_of, ClaimIndex, ClaimResult, ClaimStatus, LineResult, LineRule};
use crate::claim::denial::{carc_code, distinct, is_denial_adjustment};
use crate::edi835::{Adjustment, ClaimPayment, Group, Remittance, ServicePayment};
use crate::Text;

/// Classifies one claim payment, as `docs/reconcile.md` defines it;
/// `contractual` are the contractual CARC codes.
///
/// A contractual reduction (CO-45 and the like) is not a denial: a claim
/// paid 0 whose only adjustments are the patient's share and the fee
/// schedule reduction is `patient_responsibility` (the deductible case); one
/// paid 0 with only contractual or other adjustments (capitation) is `paid`.
/// A paid claim with any denying adjustment (claim or line) is `partial`.
pub(crate) fn classify(c: &ClaimPayment, matched: bool, contractual: &[String]) -> ClaimStatus {
    let denies = |a: &Adjustment| is_denial_adjustment(a, contractual);
    if !matched {
        return ClaimStatus::Unmatched;
    }
    if c.is_reversal() || c.clp04_paid < Decimal::ZERO {
        return ClaimStatus::Reversed;
    }
    if crate::values::trimmed(&c.clp02_status) == "23" {
        return ClaimStatus::Forwarded;
    }
    if c.clp02_status == "4" {
        return ClaimStatus::Denied;
    }
    if c.clp04_paid > Decimal::ZERO {
        if c.all_adjustments().any(denies) {
            return ClaimStatus::Partial;
        }
        return ClaimStatus::Paid;
    }
    let pr: Decimal =
        c.all_adjustments().filter(|a| a.group == Some(Group::PR)).map(|a| a.amount).sum();
    if c.all_adjustments().any(denies) {
        ClaimStatus::Denied
    } else if pr > Decimal::ZERO {
        ClaimStatus::PatientResponsibility
    } else {
        // Paid 0 with only contractual or other adjustments (a capitated
        // claim, CO-24 in `contractual_carcs`): settled under the contract,
        // nothing denied and nothing owed.
        ClaimStatus::Paid
    }
}

fn line_status(l: &ServicePayment, claim: ClaimStatus, contractual: &[String]) -> ClaimStatus {
    let pr: Decimal =
        l.adjustments.iter().filter(|a| a.group == Some(Group::PR)).map(|a| a.amount).sum();
    let denies = l.adjustments.iter().any(|a| is_denial_adjustment(a, contractual));
    match claim {
        ClaimStatus::Unmatched | ClaimStatus::Reversed | ClaimStatus::Forwarded => claim,
        _ if l.svc03_paid > Decimal::ZERO && denies => ClaimStatus::Partial,
        _ if l.svc03_paid > Decimal::ZERO => ClaimStatus::Paid,
        _ if denies => ClaimStatus::Denied,
        _ if pr > Decimal::ZERO => ClaimStatus::PatientResponsibility,
        // Paid 0 with nothing denied (a zero-charge line, or one settled by
        // a contractual adjustment such as capitation): nothing owed.
        _ => ClaimStatus::Paid,
    }
}

/// True when `code` is `a`'s `GROUP-CARC` code ([`carc_code`]), compared
/// without building it.
fn is_carc_of(code: &str, a: &Adjustment) -> bool {
    let (g, r) = (a.group_code.as_str(), a.reason.as_str());
    code.len() == g.len() + 1 + r.len()
        && code.as_bytes()[g.len()] == b'-'
        && code.starts_with(g)
        && code.ends_with(r)
}

/// Adds `a`'s code to `into` unless it is there (as [`distinct`] with
/// [`carc_code`]), and to `also` likewise; the code is built only when one
/// of them lacks it.
fn distinct_carc(into: &mut Vec<Text>, a: &Adjustment, also: Option<&mut Vec<Text>>) {
    let also = also.filter(|v| !v.iter().any(|c| is_carc_of(c, a)));
    let here = !into.iter().any(|c| is_carc_of(c, a));
    if !here && also.is_none() {
        return;
    }
    // Never empty (it holds the `-`), as `distinct` would otherwise skip.
    let code = carc_code(a);
    if let Some(v) = also {
        v.push(code.clone());
    }
    if here {
        into.push(code);
    }
}

/// Reconciles one remittance (transaction set) from file number `file`.
///
/// `payer` is the paying payer's id ([`PayerNames::paying_payer`](super::PayerNames::paying_payer)); `None`
/// when the payer is unknown, and then claims match by claim id alone.
/// `contractual` are the CARC codes whose CO adjustments are contractual
/// write-offs ([`Options::contractual_carcs`](super::Options::contractual_carcs)). `with_adjustments` fills
/// [`ClaimResult::adjustments`] (for the ledger); without it the field stays
/// empty, which saves time on large runs.
pub fn reconcile_remittance(
    index: &ClaimIndex<'_>,
    file: usize,
    rem: &Remittance,
    payer: Option<&str>,
    contractual: &[String],
    with_adjustments: bool,
) -> Vec<ClaimResult> {
    reconcile_remittance_each(index, file, rem, payer, contractual, with_adjustments, |_, _| {})
}

/// [`reconcile_remittance`], calling `each` with every claim payment and
/// its result in order, as soon as the payment is reconciled: what the
/// caller reads of the payment then is still in cache.
pub(crate) fn reconcile_remittance_each(
    index: &ClaimIndex<'_>,
    file: usize,
    rem: &Remittance,
    payer: Option<&str>,
    contractual: &[String],
    with_adjustments: bool,
    mut each: impl FnMut(&ClaimPayment, &ClaimResult),
) -> Vec<ClaimResult> {
    let payer_id = match payer {
        Some(p) => Text::new(p),
        None => rem.payer_id(),
    };
    // Every claim payment's sent claim is looked up first, in one tight
    // loop: the lookups do not depend on each other, so the processor
    // overlaps their cache and TLB misses, which one lookup per classified
    // payment would take one after the other.
    let found: Vec<(Option<usize>, super::ClaimRule)> = rem
        .claims
        .iter()
        .map(|c| index.find(&c.clp01_claim_id, &c.clp07_payer_claim_id, payer))
        .collect();
    // One buffer for every payment's line matches.
    let mut matches = Vec::new();
    rem.claims
        .iter()
        .zip(found)
        .map(|(c, found)| {
            let ctx = Context { index, file, rem, payer_id: &payer_id, payer, contractual };
            let result = reconcile_claim(&ctx, c, found, with_adjustments, &mut matches);
            each(c, &result);
            result
        })
        .collect()
}

/// What every claim payment of one remittance is reconciled with.
struct Context<'a> {
    index: &'a ClaimIndex<'a>,
    file: usize,
    rem: &'a Remittance,
    payer_id: &'a str,
    payer: Option<&'a str>,
    contractual: &'a [String],
}

/// Reconciles claim payment `c`, whose sent claim lookup gave `found`;
/// `line_matches` is a buffer for its lines' matches.
fn reconcile_claim(
    ctx: &Context<'_>,
    c: &ClaimPayment,
    found: (Option<usize>, super::ClaimRule),
    with_adjustments: bool,
    line_matches: &mut Vec<(Option<usize>, LineRule)>,
) -> ClaimResult {
    let Context { index, file, rem, payer_id, payer, contractual } = *ctx;
    let (sent_idx, rule) = found;
    // Several payers were sent a claim with this id and none is the paying one.
    let candidates =
        if sent_idx.is_none() { index.payers_of(&c.clp01_claim_id) } else { Vec::new() };
    let sent = sent_idx.map(|i| &index.claims()[i]);
    // See: 835 CLP02 2/3 (processed as secondary/tertiary) from a payer the
    // claim was not sent to, matched by claim id alone: the crossover payer
    // (NM1*TT of the primary's 835) answering the claim the primary forwarded.
    let later_payer = rule == super::ClaimRule::ClaimIdOnly
        && matches!(crate::values::trimmed(&c.clp02_status), "2" | "3")
        && sent.is_some_and(|s| payer.is_some_and(|p| !p.eq_ignore_ascii_case(&s.payer_id)));
    let status = classify(c, sent.is_some(), contractual);
    let denies = |a: &&Adjustment| is_denial_adjustment(a, contractual);
    let forwarded = status != ClaimStatus::Forwarded && c.is_forwarded();
    match sent {
        Some(s) => match_lines_into(s, c, line_matches),
        None => {
            line_matches.clear();
            line_matches.resize(c.lines.len(), (None, LineRule::None));
        }
    }
    let answered = match sent {
        None => 0,
        Some(s) if c.lines.is_empty() => all_lines(s.lines.len()),
        Some(_) => line_matches.iter().filter_map(|(m, _)| m.map(line_bit)).fold(0, |a, b| a | b),
    };
    // The claim's codes: its own adjustments', then each line's in order
    // (added while the lines are gone through below, each code built once).
    let mut carc = Vec::new();
    let mut rarc = Vec::new();
    for a in &c.adjustments {
        distinct_carc(&mut carc, a, None);
    }
    for r in c.remark_codes() {
        distinct(&mut rarc, r);
    }
    let mut lines = Vec::with_capacity(c.lines.len());
    for (l, &(m, lrule)) in c.lines.iter().zip(line_matches.iter()) {
        let mut lcarc = Vec::new();
        let mut lrarc = Vec::new();
        for a in &l.adjustments {
            distinct_carc(&mut lcarc, a, Some(&mut carc));
        }
        for r in &l.remarks {
            distinct(&mut lrarc, r.code.clone());
            distinct(&mut rarc, r.code.clone());
        }
        let lstatus = line_status(l, status, contractual);
        let mut figures = Figures::new(
            l.svc02_charge,
            l.svc03_paid,
            l.adjustments.iter(),
            l.allowed,
            contractual,
        );
        if status == ClaimStatus::Forwarded {
            figures.not_ours();
        }
        let denial = match lstatus {
            ClaimStatus::Denied => {
                let amount = l.svc02_charge - l.svc03_paid;
                Some(denial_of(l.adjustments.iter(), amount, contractual, forwarded))
            }
            ClaimStatus::Partial => {
                let amount = figures.denied;
                Some(denial_of(l.adjustments.iter().filter(denies), amount, contractual, forwarded))
            }
            _ => None,
        };
        let line_id = match (m, sent) {
            (Some(i), Some(s)) => s.lines[i].line_id.clone(),
            _ => l.line_id.clone().unwrap_or_default(),
        };
        lines.push(LineResult {
            pos: l.pos,
            line_id,
            procedure: l.svc01_procedure.display(),
            status: lstatus,
            rule: lrule,
            figures,
            carc: lcarc,
            rarc: lrarc,
            denial,
        });
    }
    let allowed = if !c.lines.is_empty() && c.lines.iter().all(|l| l.allowed.is_some()) {
        Some(c.lines.iter().filter_map(|l| l.allowed).sum())
    } else {
        None
    };
    let mut figures =
        Figures::new(c.clp03_charge, c.clp04_paid, c.all_adjustments(), allowed, contractual);
    if status == ClaimStatus::Forwarded {
        figures.not_ours();
    }
    let mut adjustments = String::new();
    if with_adjustments {
        // `GROUP-CARC amount` (as `carc_code` and `push_money` write them),
        // in a string sized once for the usual short codes and amounts.
        let count =
            c.adjustments.len() + c.lines.iter().map(|l| l.adjustments.len()).sum::<usize>();
        adjustments.reserve(count * 16);
        for (i, a) in c.all_adjustments().enumerate() {
            if i > 0 {
                adjustments.push(';');
            }
            adjustments.push_str(&a.group_code);
            adjustments.push('-');
            adjustments.push_str(&a.reason);
            adjustments.push(' ');
            crate::numtext::push_money(&mut adjustments, a.amount);
        }
    }
    let denial = match status {
        ClaimStatus::Denied => {
            let amount = c.clp03_charge - c.clp04_paid;
            Some(denial_of(c.all_adjustments(), amount, contractual, forwarded))
        }
        // Reductions at claim level (CAS after CLP); the lines carry their own.
        ClaimStatus::Partial if c.adjustments.iter().any(|a| denies(&a)) => {
            let amount = c.adjustments.iter().filter(denies).map(|a| a.amount).sum();
            Some(denial_of(c.adjustments.iter().filter(denies), amount, contractual, forwarded))
        }
        _ => None,
    };
    ClaimResult {
        file,
        pos: c.pos,
        claim_id: sent.map(|s| s.claim_id.clone()).unwrap_or_else(|| c.clp01_claim_id.clone()),
        clp01: c.clp01_claim_id.clone(),
        sent: sent_idx,
        payer_id: Text::new(payer_id),
        payer_claim_id: c.clp07_payer_claim_id.clone(),
        clp02: c.clp02_status.clone(),
        status,
        forwarded,
        rule,
        figures,
        carc,
        rarc,
        adjustments,
        check_trace: rem.trace.trn02_number.clone(),
        payment_date: rem.payment.bpr16_date,
        lines,
        denial,
        pairing: None,
        candidates,
        answered,
        claim_status: None,
        later_payer,
        replaces_denial: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claim::ClaimStatus;
    use crate::reconcile::testing::{carcs, payment};

    #[test]
    fn classifies_each_status() {
        let paid = payment("1", 100, 80, &[(100, 80, &[("CO", "45", 20)])]);
        assert_eq!(classify(&paid, true, &carcs()), ClaimStatus::Paid);
        assert_eq!(classify(&paid, false, &carcs()), ClaimStatus::Unmatched);
        let partial =
            payment("1", 150, 80, &[(100, 80, &[("CO", "45", 20)]), (50, 0, &[("CO", "97", 50)])]);
        assert_eq!(classify(&partial, true, &carcs()), ClaimStatus::Partial);
        // A zero-paid line whose only reduction is contractual is not a denial.
        let contractual_zero =
            payment("1", 150, 80, &[(100, 80, &[("CO", "45", 20)]), (50, 0, &[("CO", "45", 50)])]);
        assert_eq!(classify(&contractual_zero, true, &carcs()), ClaimStatus::Paid);
        let denied = payment("4", 100, 0, &[(100, 0, &[("PR", "1", 100)])]);
        assert_eq!(classify(&denied, true, &carcs()), ClaimStatus::Denied, "CLP02 4 wins");
        let zero = payment("1", 100, 0, &[(100, 0, &[("CO", "16", 100)])]);
        assert_eq!(classify(&zero, true, &carcs()), ClaimStatus::Denied);
        let deductible = payment("1", 100, 0, &[(100, 0, &[("PR", "1", 80), ("CO", "45", 20)])]);
        assert_eq!(classify(&deductible, true, &carcs()), ClaimStatus::PatientResponsibility);
        let reversal = payment("22", -100, -80, &[(-100, -80, &[("CO", "45", -20)])]);
        assert_eq!(classify(&reversal, true, &carcs()), ClaimStatus::Reversed);
        let negative = payment("1", 100, -5, &[]);
        assert_eq!(classify(&negative, true, &carcs()), ClaimStatus::Reversed);
    }

    #[test]
    fn money_columns_reconcile_and_a_paid_reduction_is_partial() {
        // CO-151 on a paid line: units reduced.
        let units = payment(
            "1",
            300,
            150,
            &[(200, 150, &[("CO", "45", 20), ("CO", "151", 30)]), (100, 0, &[("PR", "1", 100)])],
        );
        assert_eq!(classify(&units, true, &carcs()), ClaimStatus::Partial);
        assert_eq!(
            line_status(&units.lines[0], ClaimStatus::Partial, &carcs()),
            ClaimStatus::Partial
        );
        assert_eq!(
            line_status(&units.lines[1], ClaimStatus::Partial, &carcs()),
            ClaimStatus::PatientResponsibility
        );
        let f = Figures::new(
            units.clp03_charge,
            units.clp04_paid,
            units.all_adjustments(),
            None,
            &carcs(),
        );
        assert_eq!(
            (f.patient_responsibility, f.contractual, f.denied, f.other_adjustments, f.variance),
            (
                Decimal::new(100, 0),
                Decimal::new(20, 0),
                Decimal::new(30, 0),
                Decimal::ZERO,
                Decimal::ZERO
            )
        );
        // With 151 listed as contractual the same payment is paid.
        let with_151 = vec!["45".to_string(), "151".to_string()];
        assert_eq!(classify(&units, true, &with_151), ClaimStatus::Paid);
        // CO-16 at claim level on a paid claim.
        let mut claim_level = payment("1", 200, 150, &[(200, 170, &[("CO", "45", 30)])]);
        claim_level.adjustments.push(Adjustment {
            group: Some(Group::CO),
            group_code: "CO".into(),
            reason: "16".into(),
            amount: Decimal::new(20, 0),
            quantity: None,
        });
        assert_eq!(classify(&claim_level, true, &carcs()), ClaimStatus::Partial);
        // A zero amount denies nothing.
        let zero = payment("1", 100, 100, &[(100, 100, &[("CO", "16", 0)])]);
        assert_eq!(classify(&zero, true, &carcs()), ClaimStatus::Paid);
    }

    #[test]
    fn clp02_23_is_forwarded_and_19_to_21_are_processed() {
        let not_ours = payment("23", 100, 0, &[(100, 0, &[("CO", "109", 100)])]);
        assert_eq!(classify(&not_ours, true, &carcs()), ClaimStatus::Forwarded);
        assert_eq!(classify(&not_ours, false, &carcs()), ClaimStatus::Unmatched);
        assert_eq!(
            line_status(&not_ours.lines[0], ClaimStatus::Forwarded, &carcs()),
            ClaimStatus::Forwarded
        );
        for clp02 in ["19", "20", "21"] {
            let paid = payment(clp02, 100, 80, &[(100, 80, &[("CO", "45", 20)])]);
            assert_eq!(classify(&paid, true, &carcs()), ClaimStatus::Paid, "CLP02 {clp02}");
            let zero = payment(clp02, 100, 0, &[(100, 0, &[("CO", "22", 100)])]);
            assert_eq!(classify(&zero, true, &carcs()), ClaimStatus::Denied, "CLP02 {clp02}");
        }
    }
}
