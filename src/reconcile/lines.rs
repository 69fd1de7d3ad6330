//! Matching the service lines (SVC) of a claim payment to the lines that
//! were sent, in the order of `docs/reconcile.md`, and the answered-lines
//! masks the accounting keeps. It does not classify lines or touch money.

use rust_decimal::Decimal;

use super::{LineRule, SentClaim, SentLine};
use crate::edi835::ClaimPayment;
use crate::values::trimmed;
use crate::Text;

/// `a.eq_ignore_ascii_case(b)` (see `values::same_ignoring_case`).
fn same_text(a: &str, b: &str) -> bool {
    crate::values::same_ignoring_case(a, b)
}

/// The same modifiers in any order (trimmed, case-insensitive), without
/// allocating: there are at most four of each.
fn mods_eq(a: &[Text], b: &[Text]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let same = |x: &Text, y: &Text| same_text(trimmed(x), trimmed(y));
    a.iter()
        .all(|m| a.iter().filter(|n| same(m, n)).count() == b.iter().filter(|n| same(m, n)).count())
}

/// Matches each SVC of `claim` to a line of `sent`, in the order of
/// `docs/reconcile.md`: REF*6R; procedure + modifiers + date + charge (the
/// submitted code: SVC06 when given, then SVC01); procedure + date; charge +
/// date when exactly one unmatched sent line has them.
#[cfg(test)]
pub(super) fn match_lines(
    sent: &SentClaim,
    claim: &ClaimPayment,
) -> Vec<(Option<usize>, LineRule)> {
    let mut out = Vec::with_capacity(claim.lines.len());
    match_lines_into(sent, claim, &mut out);
    out
}

/// [`match_lines`] into `out` (cleared first): a buffer the caller reuses
/// from one claim payment to the next.
pub(super) fn match_lines_into(
    sent: &SentClaim,
    claim: &ClaimPayment,
    out: &mut Vec<(Option<usize>, LineRule)>,
) {
    out.clear();
    // Which sent lines are answered: on the stack for any 837P's claim
    // (at most 50 lines).
    let mut few = [false; 64];
    let mut many = Vec::new();
    let used: &mut [bool] = match few.get_mut(..sent.lines.len()) {
        Some(u) => u,
        None => {
            many.resize(sent.lines.len(), false);
            &mut many
        }
    };
    let fallback_date = claim.date("232").or_else(|| claim.date("150"));
    for svc in &claim.lines {
        // 1. REF*6R line item control number. Several SVCs may name the same
        //    line (the payer split it), so used lines stay eligible.
        if let Some(id) = svc.line_id.as_deref().map(trimmed).filter(|s| !s.is_empty()) {
            if let Some(i) = sent.lines.iter().position(|l| same_text(trimmed(&l.line_id), id)) {
                used[i] = true;
                out.push((Some(i), LineRule::LineId));
                continue;
            }
        }
        // The submitted code first (SVC06 when the payer re-coded), then the
        // adjudicated one (some payers repeat the code sent in SVC01).
        let codes: [(&crate::edi835::Procedure, LineRule); 2] = match &svc.svc06_original {
            Some(original) => [
                (original, LineRule::OriginalProcedure),
                (&svc.svc01_procedure, LineRule::Procedure),
            ],
            None => [
                (&svc.svc01_procedure, LineRule::Procedure),
                (&svc.svc01_procedure, LineRule::Procedure),
            ],
        };
        let date = svc.service_date.or(fallback_date);
        let same_code = |l: &SentLine, code: &str| same_text(trimmed(&l.procedure), trimmed(code));
        let same_date = |l: &SentLine| date.is_none() || l.date.is_none() || l.date == date;
        // A reversal's charge is negative.
        let charge = svc.svc02_charge.abs();
        // 2. procedure + modifiers + date + charge.
        let exact = codes.iter().find_map(|(proc, rule)| {
            sent.lines
                .iter()
                .enumerate()
                .position(|(i, l)| {
                    !used[i]
                        && same_code(l, &proc.code)
                        && mods_eq(&l.modifiers, &proc.modifiers)
                        && same_date(l)
                        && l.charge == charge
                })
                .map(|i| (i, *rule))
        });
        if let Some((i, rule)) = exact {
            used[i] = true;
            out.push((Some(i), rule));
            continue;
        }
        // 3. procedure + date: split or repriced lines; unused lines first.
        let loose = codes.iter().find_map(|(proc, _)| {
            sent.lines
                .iter()
                .enumerate()
                .position(|(i, l)| !used[i] && same_code(l, &proc.code) && same_date(l))
        });
        let loose = loose.or_else(|| {
            codes.iter().find_map(|(proc, _)| {
                sent.lines.iter().position(|l| same_code(l, &proc.code) && same_date(l))
            })
        });
        if let Some(i) = loose {
            used[i] = true;
            out.push((Some(i), LineRule::ProcedureDate));
            continue;
        }
        // 4. charge + date, only when one unused line has them: a line the
        //    payer re-coded without saying so in SVC06.
        let mut same_money = (0..sent.lines.len())
            .filter(|&i| !used[i] && sent.lines[i].charge == charge && same_date(&sent.lines[i]));
        match (same_money.next(), same_money.next()) {
            (Some(i), None) if charge != Decimal::ZERO => {
                used[i] = true;
                out.push((Some(i), LineRule::ChargeDate));
            }
            _ => out.push((None, LineRule::None)),
        }
    }
}

/// The bit of sent line `i` in an answered-lines mask (lines past the 64th,
/// which an 837P cannot have, share the last bit).
pub(crate) fn line_bit(i: usize) -> u64 {
    1u64 << i.min(63)
}

/// The mask of every line of a claim sent with `n` lines (0 when its lines
/// are not known).
pub(crate) fn all_lines(n: usize) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::testing::{line, payment, procedure, sent_with, TestLine};

    /// A claim payment whose SVCs are (SVC01 code, SVC06 code, charge, date),
    /// without REF*6R.
    fn answer(svcs: &[(&str, Option<&str>, i64, &str)]) -> ClaimPayment {
        let lines: Vec<TestLine<'_>> = svcs.iter().map(|s| (s.2, s.2, &[][..])).collect();
        let mut p = payment("1", svcs.iter().map(|s| s.2).sum(), 0, &lines);
        for (l, (code, original, _, date)) in p.lines.iter_mut().zip(svcs) {
            l.svc01_procedure = procedure(code);
            l.svc06_original = original.map(procedure);
            l.service_date = date.parse().ok();
        }
        p
    }

    #[test]
    fn svc06_names_the_code_sent_before_svc01_is_tried() {
        // The payer re-coded 99213 down to 99212 and says so in SVC06.
        let sent = sent_with(
            "C",
            vec![line("1", "99213", 100, "2026-06-01"), line("2", "99212", 100, "2026-06-01")],
        );
        let m = match_lines(&sent, &answer(&[("99212", Some("99213"), 100, "2026-06-01")]));
        assert_eq!(m, [(Some(0), LineRule::OriginalProcedure)]);
        // Without SVC06 the same SVC is the sent 99212.
        let m = match_lines(&sent, &answer(&[("99212", None, 100, "2026-06-01")]));
        assert_eq!(m, [(Some(1), LineRule::Procedure)]);
    }

    #[test]
    fn svc01_is_tried_when_svc06_names_no_line_sent() {
        // SVC06 names a code that was never sent; SVC01 repeats the one sent.
        let sent = sent_with(
            "C",
            vec![line("1", "99214", 150, "2026-06-01"), line("2", "36415", 30, "2026-06-01")],
        );
        let m = match_lines(&sent, &answer(&[("99214", Some("99215"), 150, "2026-06-01")]));
        assert_eq!(m, [(Some(0), LineRule::Procedure)]);
        // The same with another charge: procedure and date, SVC06 then SVC01.
        let m = match_lines(&sent, &answer(&[("99214", Some("99215"), 120, "2026-06-01")]));
        assert_eq!(m, [(Some(0), LineRule::ProcedureDate)]);
        let m = match_lines(&sent, &answer(&[("99215", Some("36415"), 99, "2026-06-01")]));
        assert_eq!(m, [(Some(1), LineRule::ProcedureDate)]);
    }

    #[test]
    fn charge_and_date_match_only_the_one_unmatched_line_that_has_them() {
        let sent = sent_with(
            "C",
            vec![
                line("1", "99213", 100, "2026-06-01"),
                line("2", "97110", 40, "2026-06-01"),
                line("3", "97112", 40, "2026-06-01"),
                line("4", "36415", 30, "2026-06-02"),
            ],
        );
        // Re-coded without SVC06: the only 100.00 line of that date.
        let m = match_lines(&sent, &answer(&[("G0001", None, 100, "2026-06-01")]));
        assert_eq!(m, [(Some(0), LineRule::ChargeDate)]);
        // Two 40.00 lines that day: which one cannot be told.
        let m = match_lines(&sent, &answer(&[("97530", None, 40, "2026-06-01")]));
        assert_eq!(m, [(None, LineRule::None)]);
        // The 30.00 line has another date.
        let m = match_lines(&sent, &answer(&[("G0002", None, 30, "2026-06-01")]));
        assert_eq!(m, [(None, LineRule::None)]);
        let m = match_lines(&sent, &answer(&[("G0002", None, 30, "2026-06-02")]));
        assert_eq!(m, [(Some(3), LineRule::ChargeDate)]);
        // Once one 40.00 line is matched by its code, the other is the only one
        // left; a line already matched is not matched again by its charge.
        let m = match_lines(
            &sent,
            &answer(&[
                ("97110", None, 40, "2026-06-01"),
                ("97530", None, 40, "2026-06-01"),
                ("97530", None, 40, "2026-06-01"),
            ]),
        );
        assert_eq!(
            m,
            [
                (Some(1), LineRule::Procedure),
                (Some(2), LineRule::ChargeDate),
                (None, LineRule::None)
            ]
        );
        // A zero charge never matches by charge.
        let free = sent_with("C", vec![line("1", "99213", 0, "2026-06-01")]);
        let m = match_lines(&free, &answer(&[("G0003", None, 0, "2026-06-01")]));
        assert_eq!(m, [(None, LineRule::None)]);
    }
}
