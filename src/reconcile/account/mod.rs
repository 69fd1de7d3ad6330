//! The claims' accounts during one reconciliation: which sent lines the
//! live payments of each claim answered, so that every sent line is
//! accounted for.
//!
//! Claim payments are accounted one payment (835 transaction set) at a
//! time, in file order. A line no claim payment of the payment, of an
//! earlier payment of the run or of an earlier run (the ledger's live
//! payments) answered is added to the claim payment's lines as
//! `not_adjudicated`, and makes a paid claim `partial`. A reversal (CLP02
//! 22) undoes the live payment of its claim with the same payer claim number
//! (CLP07) and the negated CLP03/CLP04, whose lines are then unanswered
//! again; it is paired with the claim's next payment, the correction. PLB
//! references are tied to the claim they name. Each claim payment also gets
//! the status its claim is left in, its live payments combined line by line
//! (a claim paid in parts is `paid` once every part is in), which the ledger
//! records on the claim. What is left unanswered at the end is the claim's
//! outstanding amount.
//!
//! This module decides; it reads no file, writes no report and posts
//! nothing (the ledger does its own undoing when it posts).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    all_lines, line_bit, ClaimIndex, ClaimResult, ClaimStatus, FastHash, Figures, LineResult,
    LineRule, Pairing, SentClaim,
};
use crate::x12::Finding;
use crate::Text;

/// A payment that stands (not reversed).
#[derive(Clone, Debug)]
struct Live {
    payer_claim_id: Text,
    billed: Decimal,
    paid: Decimal,
    /// The sent lines it answered ([`line_bit`]).
    lines: u64,
    /// Its run-wide index when it is a claim payment of this run.
    at: Option<usize>,
    /// Its status on its own: before unanswered lines made it `partial`.
    status: ClaimStatus,
}

/// The live payments of every sent claim, earlier runs' and this run's.
#[derive(Debug, Default)]
pub struct Book {
    /// Per sent claim (index in the sent claims): its live payments.
    live: Vec<Vec<Live>>,
    /// Per sent claim: matched by a claim payment of this run.
    touched: Vec<bool>,
    /// The reversals of this run: (run-wide index, pairing).
    pairs: Vec<(usize, Pairing)>,
    /// Per sent claim: reversals of this run (indexes into `pairs`) that no
    /// correction has followed yet.
    awaiting: HashMap<usize, Vec<usize>, FastHash>,
    /// The run-wide index of the next claim payment.
    next: usize,
    /// The sent claim of each matched claim payment of this run, in order.
    log: Vec<u32>,
    /// Payer claim numbers (CLP07, trimmed, upper case) of this run's
    /// payments to their claims; built from `log` on the first PLB reference
    /// that needs it, and extended from there.
    by_pcn: HashMap<Text, usize, FastHash>,
    /// How much of `log` is in `by_pcn`.
    indexed: usize,
    /// The sent claim of each claim payment of this run made `partial` only
    /// because a sent line was unanswered when it was accounted.
    unanswered_partial: Vec<u32>,
}

/// Room for exactly one payment in a claim's empty list: most claims get
/// one, and a first push would make room for four (264 bytes more a
/// claim). Later pushes grow the list as usual.
fn first_room(live: &mut Vec<Live>) {
    if live.capacity() == 0 {
        live.reserve_exact(1);
    }
}

fn same_id(a: &str, b: &str) -> bool {
    crate::values::trimmed(a).eq_ignore_ascii_case(crate::values::trimmed(b))
}

/// The sent line as `code:modifiers`, as lines.csv shows procedures.
fn procedure_of(l: &super::SentLine) -> Text {
    let mut s = Text::new(crate::values::trimmed(&l.procedure));
    for m in &l.modifiers {
        s.push(':');
        s.push_str(crate::values::trimmed(m));
    }
    s
}

impl Book {
    /// Accounts for `claims` sent claims, none paid yet.
    pub fn new(claims: usize) -> Book {
        Book { live: vec![Vec::new(); claims], touched: vec![false; claims], ..Book::default() }
    }

    /// Records a live payment of an earlier run (from the ledger) of sent
    /// claim `claim`: its CLP07, CLP03, CLP04, the lines it answered and its
    /// status on its own (`own_status`).
    pub fn add_earlier(
        &mut self,
        claim: usize,
        payer_claim_id: &str,
        billed: Decimal,
        paid: Decimal,
        lines: u64,
        status: ClaimStatus,
    ) {
        if let Some(v) = self.live.get_mut(claim) {
            first_room(v);
            v.push(Live {
                payer_claim_id: Text::new(payer_claim_id),
                billed,
                paid,
                lines,
                at: None,
                status,
            });
        }
    }

    /// The lines of sent claim `claim` its live payments answered.
    fn answered(&self, claim: usize) -> u64 {
        self.live[claim].iter().fold(0, |a, l| a | l.lines)
    }

    /// The status of sent claim `claim` (`sent`) as its live payments leave
    /// it, line by line: each sent line has the status of the latest live
    /// payment that answered it, and [`combine`] makes one of them (with
    /// the lines no live payment answered). A claim paid in parts is `paid`
    /// once every part is in; a part denied or a line still unanswered makes
    /// it `partial`; a payment that answers the same lines again (after a
    /// corrected claim) replaces the earlier answer. With no live payment
    /// (all reversed) the claim is `reversed`; when its lines are not known,
    /// it has the status of its latest live payment.
    fn claim_status(&self, claim: usize, sent: &SentClaim) -> ClaimStatus {
        let live = &self.live[claim];
        let Some(latest) = live.last() else { return ClaimStatus::Reversed };
        let all = all_lines(sent.lines.len());
        if all == 0 {
            return latest.status;
        }
        let mut statuses = Vec::with_capacity(2);
        let mut answered = 0;
        for n in 0..sent.lines.len().min(64) {
            let bit = line_bit(n);
            if let Some(l) = live.iter().rev().find(|l| l.lines & bit != 0) {
                answered |= bit;
                if !statuses.contains(&l.status) {
                    statuses.push(l.status);
                }
            }
        }
        if statuses.is_empty() {
            // Its payments matched none of its lines.
            statuses.push(latest.status);
        }
        combine(&statuses, all & !answered != 0)
    }

    /// Of this run's claim payments made `partial` only because a sent line
    /// was unanswered, those whose claim has every sent line answered at the
    /// end (by a later payment of the run): nothing of them is left to do.
    pub fn partial_completed(&self, claims: &[SentClaim]) -> usize {
        self.unanswered_partial
            .iter()
            .filter(|&&i| {
                let i = i as usize;
                claims.get(i).is_some_and(|c| self.unanswered(i, c).is_zero())
            })
            .count()
    }

    /// Accounts the claim payments of one payment (`results`, in file order)
    /// against `claims`, the sent claims: reversals undo the live payment they
    /// name, other payments stand; then each payment's unanswered sent lines
    /// are added to its lines as `not_adjudicated` (a paid or patient
    /// responsibility claim becomes `partial`). With `unpaired_findings`, a
    /// reversal that undoes nothing is a warning (`RECON-REVERSAL`); the
    /// ledger reports those itself.
    pub fn account(
        &mut self,
        claims: &[SentClaim],
        results: &mut [ClaimResult],
        unpaired_findings: bool,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let first = self.next;
        self.next += results.len();
        for (k, r) in results.iter_mut().enumerate() {
            // A later payer's answer (crossover) answers nothing of the
            // claim as sent to its payer.
            if r.later_payer {
                continue;
            }
            let Some(i) = r.sent.filter(|&i| i < self.live.len()) else { continue };
            let at = first + k;
            self.touched[i] = true;
            self.log.push(u32::try_from(i).unwrap_or(u32::MAX));
            if r.status != ClaimStatus::Reversed {
                for p in self.awaiting.remove(&i).unwrap_or_default() {
                    self.pairs[p].1.corrected_by = Some(at);
                }
                // A later answer on lines a live denial answered, without a
                // reversal, overturns the denial: it stops counting.
                let before = self.live[i].len();
                self.live[i]
                    .retain(|l| !(l.status == ClaimStatus::Denied && l.lines & r.answered != 0));
                r.replaces_denial = self.live[i].len() < before;
                first_room(&mut self.live[i]);
                self.live[i].push(Live {
                    payer_claim_id: r.payer_claim_id.clone(),
                    billed: r.figures.billed,
                    paid: r.figures.paid,
                    lines: r.answered,
                    at: Some(at),
                    status: r.status,
                });
                continue;
            }
            let pcn = crate::values::trimmed(&r.payer_claim_id);
            let undone = self.live[i].iter().rposition(|l| {
                (pcn.is_empty() || same_id(&l.payer_claim_id, pcn))
                    && l.billed == -r.figures.billed
                    && l.paid == -r.figures.paid
            });
            let pairing = match undone {
                Some(p) => {
                    let gone = self.live[i].remove(p);
                    // A correction may come before its reversal in one 835:
                    // a claim payment of this set, before the reversal and
                    // after the payment undone, answering the same lines.
                    let corrected_by = self.live[i]
                        .iter()
                        .filter(|l| l.at > gone.at && l.lines & gone.lines != 0)
                        .filter_map(|l| l.at)
                        .rfind(|&x| x >= first && x < at);
                    Pairing { reverses: gone.at, corrected_by }
                }
                None => {
                    if unpaired_findings {
                        findings.push(unpaired(r));
                    }
                    Pairing::default()
                }
            };
            r.pairing = Some(pairing);
            self.pairs.push((at, pairing));
            if pairing.corrected_by.is_none() {
                self.awaiting.entry(i).or_default().push(self.pairs.len() - 1);
            }
        }
        for r in results.iter_mut() {
            let Some(i) = r.sent.filter(|&i| i < self.live.len()) else { continue };
            if r.status == ClaimStatus::Unmatched || r.later_payer {
                continue;
            }
            let sent = &claims[i];
            let missing = all_lines(sent.lines.len()) & !(r.answered | self.answered(i));
            if missing != 0 && r.status != ClaimStatus::Reversed {
                for (n, l) in sent.lines.iter().enumerate() {
                    if missing & line_bit(n) != 0 {
                        r.lines.push(LineResult {
                            pos: r.pos,
                            line_id: l.line_id.clone(),
                            procedure: procedure_of(l),
                            status: ClaimStatus::NotAdjudicated,
                            rule: LineRule::None,
                            figures: Figures { billed: l.charge, ..Figures::default() },
                            carc: Vec::new(),
                            rarc: Vec::new(),
                            denial: None,
                        });
                    }
                }
                if matches!(r.status, ClaimStatus::Paid | ClaimStatus::PatientResponsibility) {
                    r.status = ClaimStatus::Partial;
                    self.unanswered_partial.push(u32::try_from(i).unwrap_or(u32::MAX));
                }
            }
            r.claim_status = Some(self.claim_status(i, sent));
        }
        findings
    }

    /// The reversals of this run: (run-wide index of the claim payment, what
    /// it undid in this run and the correction that followed).
    pub fn pairs(&self) -> &[(usize, Pairing)] {
        &self.pairs
    }

    /// True when a claim payment of this run matched sent claim `claim`.
    pub fn touched(&self, claim: usize) -> bool {
        self.touched.get(claim).copied().unwrap_or(false)
    }

    /// What of sent claim `claim` (`sent`) no live payment answered: the
    /// whole charge when none stands; else the charges of its unanswered
    /// lines (0 when its lines are not known).
    pub fn unanswered(&self, claim: usize, sent: &SentClaim) -> Decimal {
        let Some(live) = self.live.get(claim) else { return sent.charge };
        if live.is_empty() {
            return sent.charge;
        }
        let missing = all_lines(sent.lines.len()) & !self.answered(claim);
        sent.lines
            .iter()
            .enumerate()
            .filter(|(n, _)| missing & line_bit(*n) != 0)
            .map(|(_, l)| l.charge)
            .sum()
    }

    /// The sent claim a PLB reference names (PLB03-2 and the like): the
    /// claim matched by a claim payment of the same payment whose CLP07 it
    /// is; else a claim of the paying payer `payer` whose payer claim number
    /// it is (known from the ledger, or from a live payment of this run);
    /// else a claim whose id it is exactly (of the paying payer, or of the
    /// only payer sent that id). `None` leaves the adjustment provider-level.
    pub fn tie(
        &mut self,
        index: &ClaimIndex<'_>,
        set: &[ClaimResult],
        payer: Option<&str>,
        reference: &str,
    ) -> Option<usize> {
        let r = reference.trim();
        if r.is_empty() {
            return None;
        }
        if let Some(i) = set
            .iter()
            .find(|c| c.sent.is_some() && same_id(&c.payer_claim_id, r))
            .and_then(|c| c.sent)
        {
            return Some(i);
        }
        let claims = index.claims();
        if let Some(p) = payer {
            if let Some(&i) = index.by_payer_claim.get(&super::payer_claim_key(p, r)) {
                return Some(i);
            }
            for &i in &self.log[self.indexed..] {
                for l in self.live.get(i as usize).into_iter().flatten() {
                    let key = l.payer_claim_id.trim().to_ascii_uppercase();
                    if !key.is_empty() {
                        self.by_pcn.insert(Text::new(key), i as usize);
                    }
                }
            }
            self.indexed = self.log.len();
            if let Some(&i) = self.by_pcn.get(r.to_ascii_uppercase().as_str()) {
                if same_id(&claims[i].payer_id, p) {
                    return Some(i);
                }
            }
        }
        match index.find(r, "", payer) {
            (Some(i), super::ClaimRule::ClaimId | super::ClaimRule::ClaimIdOnly) => Some(i),
            _ => None,
        }
    }
}

/// One status for a claim whose sent lines were answered with `statuses`
/// (distinct, at least one), `missing` when some sent line was not answered:
/// any `partial`, or `paid` with `denied` or a line missing, is `partial`;
/// else `paid` with the patient's or forwarded parts is `paid`; the
/// patient's share with a line missing is `partial` (as for one payment),
/// with a denial `denied`; `denied` stays `denied` whatever else is
/// missing; `forwarded` only when nothing else answered.
fn combine(statuses: &[ClaimStatus], missing: bool) -> ClaimStatus {
    let has = |s: ClaimStatus| statuses.contains(&s);
    if has(ClaimStatus::Partial) {
        ClaimStatus::Partial
    } else if has(ClaimStatus::Paid) {
        if has(ClaimStatus::Denied) || missing {
            ClaimStatus::Partial
        } else {
            ClaimStatus::Paid
        }
    } else if has(ClaimStatus::PatientResponsibility) {
        if missing {
            ClaimStatus::Partial
        } else if has(ClaimStatus::Denied) {
            ClaimStatus::Denied
        } else {
            ClaimStatus::PatientResponsibility
        }
    } else if has(ClaimStatus::Denied) {
        ClaimStatus::Denied
    } else {
        statuses.first().copied().unwrap_or(ClaimStatus::Forwarded)
    }
}

/// The status a live payment of an earlier run had on its own, from what
/// the ledger keeps (its status, denied amount and CLP04): the ledger
/// records `partial` for a payment that left a sent line unanswered, and
/// with no denied money that was the only reason, so on its own it was paid
/// (or, paying nothing, the patient's). `None` for a status no live payment
/// has.
pub(crate) fn own_status(
    status: ClaimStatus,
    denied: Option<Decimal>,
    paid: Decimal,
) -> Option<ClaimStatus> {
    match status {
        ClaimStatus::Partial if denied.is_some_and(|d| d.is_zero()) => {
            Some(if paid > Decimal::ZERO {
                ClaimStatus::Paid
            } else {
                ClaimStatus::PatientResponsibility
            })
        }
        ClaimStatus::Paid
        | ClaimStatus::Partial
        | ClaimStatus::Denied
        | ClaimStatus::PatientResponsibility
        | ClaimStatus::Forwarded => Some(status),
        _ => None,
    }
}

/// The warning for reversal `r` that undoes no live payment.
fn unpaired(r: &ClaimResult) -> Finding {
    let mut f = Finding::warning(
        r.pos,
        "CLP",
        "RECON-REVERSAL",
        format!(
            "reversal (CLP02 22) of payer claim number {} for {} billed, {} paid matches no payment of this claim in these files: nothing undone",
            if r.payer_claim_id.trim().is_empty() { "(none)" } else { r.payer_claim_id.trim() },
            crate::numtext::money(-r.figures.billed),
            crate::numtext::money(-r.figures.paid),
        ),
    );
    f.claim_id = r.claim_id.to_string();
    f
}

#[cfg(test)]
mod tests;
