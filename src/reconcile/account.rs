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
//! references are tied to the claim they name. What is left unanswered at
//! the end is the claim's outstanding amount.
//!
//! This module decides; it reads no file, writes no report and posts
//! nothing (the ledger does its own undoing when it posts).

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::{
    all_lines, line_bit, ClaimIndex, ClaimResult, FastHash, Figures, LineResult, LineRule, Pairing,
    SentClaim, Status,
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
    status: Status,
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

fn same_id(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// The sent line as `code:modifiers`, as lines.csv shows procedures.
fn procedure_of(l: &super::SentLine) -> Text {
    let mut s = Text::new(l.procedure.trim());
    for m in &l.modifiers {
        s.push(':');
        s.push_str(m.trim());
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
    /// status on its own ([`own_status`]).
    pub fn add_earlier(
        &mut self,
        claim: usize,
        payer_claim_id: &str,
        billed: Decimal,
        paid: Decimal,
        lines: u64,
        status: Status,
    ) {
        if let Some(v) = self.live.get_mut(claim) {
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
    fn claim_status(&self, claim: usize, sent: &SentClaim) -> Status {
        let live = &self.live[claim];
        let Some(latest) = live.last() else { return Status::Reversed };
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
            let Some(i) = r.sent.filter(|&i| i < self.live.len()) else { continue };
            let at = first + k;
            self.touched[i] = true;
            self.log.push(u32::try_from(i).unwrap_or(u32::MAX));
            if r.status != Status::Reversed {
                for p in self.awaiting.remove(&i).unwrap_or_default() {
                    self.pairs[p].1.corrected_by = Some(at);
                }
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
            let pcn = r.payer_claim_id.trim();
            let undone = self.live[i].iter().rposition(|l| {
                (pcn.is_empty() || same_id(&l.payer_claim_id, pcn))
                    && l.billed == -r.figures.billed
                    && l.paid == -r.figures.paid
            });
            let pairing = match undone {
                Some(p) => Pairing { reverses: self.live[i].remove(p).at, corrected_by: None },
                None => {
                    if unpaired_findings {
                        findings.push(unpaired(r));
                    }
                    Pairing::default()
                }
            };
            r.pairing = Some(pairing);
            self.pairs.push((at, pairing));
            self.awaiting.entry(i).or_default().push(self.pairs.len() - 1);
        }
        for r in results.iter_mut() {
            let Some(i) = r.sent.filter(|&i| i < self.live.len()) else { continue };
            if r.status == Status::Unmatched {
                continue;
            }
            let sent = &claims[i];
            let missing = all_lines(sent.lines.len()) & !(r.answered | self.answered(i));
            if missing != 0 && r.status != Status::Reversed {
                for (n, l) in sent.lines.iter().enumerate() {
                    if missing & line_bit(n) != 0 {
                        r.lines.push(LineResult {
                            pos: r.pos,
                            line_id: l.line_id.clone(),
                            procedure: procedure_of(l),
                            status: Status::NotAdjudicated,
                            rule: LineRule::None,
                            figures: Figures { billed: l.charge, ..Figures::default() },
                            carc: Vec::new(),
                            rarc: Vec::new(),
                            denial: None,
                        });
                    }
                }
                if matches!(r.status, Status::Paid | Status::PatientResponsibility) {
                    r.status = Status::Partial;
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
fn combine(statuses: &[Status], missing: bool) -> Status {
    let has = |s: Status| statuses.contains(&s);
    if has(Status::Partial) {
        Status::Partial
    } else if has(Status::Paid) {
        if has(Status::Denied) || missing {
            Status::Partial
        } else {
            Status::Paid
        }
    } else if has(Status::PatientResponsibility) {
        if missing {
            Status::Partial
        } else if has(Status::Denied) {
            Status::Denied
        } else {
            Status::PatientResponsibility
        }
    } else if has(Status::Denied) {
        Status::Denied
    } else {
        statuses.first().copied().unwrap_or(Status::Forwarded)
    }
}

/// The status a live payment of an earlier run had on its own, from what
/// the ledger keeps (its status, denied amount and CLP04): the ledger
/// records `partial` for a payment that left a sent line unanswered, and
/// with no denied money that was the only reason, so on its own it was paid
/// (or, paying nothing, the patient's). `None` for a status no live payment
/// has.
pub fn own_status(
    status: crate::claim::ClaimStatus,
    denied: Option<Decimal>,
    paid: Decimal,
) -> Option<Status> {
    use crate::claim::ClaimStatus as C;
    Some(match status {
        C::Partial if denied.is_some_and(|d| d.is_zero()) => {
            if paid > Decimal::ZERO {
                Status::Paid
            } else {
                Status::PatientResponsibility
            }
        }
        C::Paid => Status::Paid,
        C::Partial => Status::Partial,
        C::Denied => Status::Denied,
        C::PatientResponsibility => Status::PatientResponsibility,
        C::Forwarded => Status::Forwarded,
        C::Sent | C::Resent | C::Replacement | C::Void | C::Reversed | C::Unmatched => return None,
    })
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
mod tests {
    use super::*;
    use crate::claim::ClaimStatus;
    use crate::reconcile::testing::{line, sent, sent_with};
    use crate::reconcile::ClaimRule;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// A claim payment of sent claim `claim` with CLP07 `pcn`, CLP03 and
    /// CLP04, answering the sent lines of `answered`.
    fn paying(
        claim: usize,
        status: Status,
        pcn: &str,
        billed: &str,
        paid: &str,
        answered: u64,
    ) -> ClaimResult {
        ClaimResult {
            file: 0,
            pos: Default::default(),
            claim_id: Text::new(format!("C{claim}")),
            clp01: Text::new(format!("C{claim}")),
            sent: Some(claim),
            payer_id: "P".into(),
            payer_claim_id: pcn.into(),
            clp02: if status == Status::Reversed { "22" } else { "1" }.into(),
            status,
            forwarded: false,
            rule: ClaimRule::ClaimId,
            figures: Figures { billed: d(billed), paid: d(paid), ..Figures::default() },
            carc: vec![],
            rarc: vec![],
            adjustments: String::new(),
            check_trace: "T1".into(),
            payment_date: None,
            lines: vec![],
            denial: None,
            pairing: None,
            candidates: vec![],
            answered,
            claim_status: None,
        }
    }

    /// Sent claims C0 (lines of 100 and 50) and C1 (one line of 80).
    fn claims() -> Vec<SentClaim> {
        vec![
            sent_with("C0", vec![line("C0-1", "99213", 100, ""), line("C0-2", "36415", 50, "")]),
            sent_with("C1", vec![line("C1-1", "99212", 80, "")]),
        ]
    }

    fn statuses(rs: &[ClaimResult]) -> Vec<(Status, Option<Status>)> {
        rs.iter().map(|r| (r.status, r.claim_status)).collect()
    }

    #[test]
    fn a_line_no_payment_answered_is_not_adjudicated_until_a_later_payment_answers_it() {
        let claims = claims();
        let mut book = Book::new(claims.len());
        // Payment 1: C0's first line only; C1 whole.
        let mut p1 = [
            paying(0, Status::Paid, "A", "100", "80", 0b01),
            paying(1, Status::Paid, "B", "80", "70", 0b1),
        ];
        assert!(book.account(&claims, &mut p1, true).is_empty());
        assert_eq!(
            statuses(&p1),
            [(Status::Partial, Some(Status::Partial)), (Status::Paid, Some(Status::Paid))]
        );
        let na = &p1[0].lines[0];
        assert_eq!((na.line_id.as_str(), na.procedure.as_str()), ("C0-2", "36415"));
        assert_eq!(
            (na.status, na.rule, na.figures.billed),
            (Status::NotAdjudicated, LineRule::None, d("50"))
        );
        assert_eq!(p1[0].lines.len(), 1);
        assert!(p1[1].lines.is_empty());
        assert_eq!(book.unanswered(0, &claims[0]), d("50"));
        assert_eq!(book.unanswered(1, &claims[1]), Decimal::ZERO);
        assert_eq!(book.partial_completed(&claims), 0);
        // Payment 2 answers the second line: the claim is paid and complete.
        let mut p2 = [paying(0, Status::Paid, "A2", "50", "40", 0b10)];
        book.account(&claims, &mut p2, true);
        assert_eq!(statuses(&p2), [(Status::Paid, Some(Status::Paid))]);
        assert!(p2[0].lines.is_empty());
        assert_eq!(book.unanswered(0, &claims[0]), Decimal::ZERO);
        assert_eq!(book.partial_completed(&claims), 1);
        assert!(book.touched(0) && book.touched(1));
    }

    #[test]
    fn parts_in_one_payment_answer_the_claim_together_and_a_denied_one_stays_denied() {
        let claims = claims();
        let mut book = Book::new(claims.len());
        let mut p = [
            paying(0, Status::Paid, "A", "100", "80", 0b01),
            paying(0, Status::Paid, "B", "50", "40", 0b10),
        ];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Paid, Some(Status::Paid)); 2]);
        assert!(p.iter().all(|r| r.lines.is_empty()));
        // Denied for one line of two: the other is not adjudicated, the
        // payment stays denied, and nothing is "completed".
        let mut book = Book::new(claims.len());
        let mut p = [paying(0, Status::Denied, "A", "100", "0", 0b01)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Denied, Some(Status::Denied))]);
        assert_eq!(p[0].lines[0].status, Status::NotAdjudicated);
        // The patient's share with a line unanswered is partial.
        let mut p = [paying(1, Status::PatientResponsibility, "B", "80", "0", 0)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Partial, Some(Status::Partial))]);
        assert_eq!(book.partial_completed(&claims), 0);
    }

    #[test]
    fn an_earlier_run_s_lines_count_as_answered() {
        let claims = claims();
        let mut book = Book::new(claims.len());
        book.add_earlier(0, "A", d("100"), d("80"), 0b01, Status::Paid);
        assert_eq!(book.unanswered(0, &claims[0]), d("50"));
        // Never answered: the whole charge.
        assert_eq!(book.unanswered(1, &claims[1]), d("80"));
        assert!(!book.touched(0));
        let mut p = [paying(0, Status::Paid, "B", "50", "40", 0b10)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Paid, Some(Status::Paid))]);
        assert!(p[0].lines.is_empty());
        // A claim whose lines are not known: no line is unanswered.
        let unknown = vec![sent("C9")];
        let mut book = Book::new(1);
        let mut p = [paying(0, Status::Paid, "A", "100", "80", 0)];
        book.account(&unknown, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Paid, Some(Status::Paid))]);
        assert_eq!(book.unanswered(0, &unknown[0]), Decimal::ZERO);
    }

    #[test]
    fn the_claim_s_status_takes_the_latest_answer_of_each_line() {
        let claims = claims();
        // Part A paid line 1, part B denied line 2: partial, whichever came last.
        let mut book = Book::new(claims.len());
        book.add_earlier(0, "A", d("100"), d("80"), 0b01, Status::Paid);
        let mut p = [paying(0, Status::Denied, "B", "50", "0", 0b10)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Denied, Some(Status::Partial))]);
        // Denied whole, then paid whole (a corrected claim): paid.
        let mut book = Book::new(claims.len());
        book.add_earlier(0, "A", d("150"), d("0"), 0b11, Status::Denied);
        let mut p = [paying(0, Status::Paid, "B", "150", "120", 0b11)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Paid, Some(Status::Paid))]);
        // A payment that matched none of the claim's lines.
        let mut book = Book::new(claims.len());
        let mut p = [paying(0, Status::Paid, "A", "150", "120", 0)];
        book.account(&claims, &mut p, true);
        assert_eq!(statuses(&p), [(Status::Partial, Some(Status::Partial))]);
        assert_eq!(p[0].lines.len(), 2);
    }

    #[test]
    fn combines_line_statuses_into_one() {
        use Status::*;
        let table: &[(&[Status], bool, Status)] = &[
            (&[Paid], false, Paid),
            (&[Paid], true, Partial),
            (&[Partial, Paid], false, Partial),
            (&[Paid, Denied], false, Partial),
            (&[Paid, PatientResponsibility], false, Paid),
            (&[Paid, Forwarded], false, Paid),
            (&[PatientResponsibility], false, PatientResponsibility),
            (&[PatientResponsibility], true, Partial),
            (&[PatientResponsibility, Denied], false, Denied),
            (&[Denied], true, Denied),
            (&[Forwarded], false, Forwarded),
            (&[Forwarded, Denied], false, Denied),
        ];
        for (statuses, missing, want) in table {
            assert_eq!(combine(statuses, *missing), *want, "{statuses:?} missing {missing}");
        }
    }

    #[test]
    fn an_earlier_payment_partial_only_for_a_missing_line_was_paid_on_its_own() {
        let z = Some(Decimal::ZERO);
        assert_eq!(own_status(ClaimStatus::Partial, z, d("80")), Some(Status::Paid));
        assert_eq!(
            own_status(ClaimStatus::Partial, z, d("0")),
            Some(Status::PatientResponsibility)
        );
        assert_eq!(own_status(ClaimStatus::Partial, Some(d("20")), d("80")), Some(Status::Partial));
        // Posted by schema version 3: no denied amount to tell.
        assert_eq!(own_status(ClaimStatus::Partial, None, d("80")), Some(Status::Partial));
        assert_eq!(own_status(ClaimStatus::Denied, z, d("0")), Some(Status::Denied));
        assert_eq!(own_status(ClaimStatus::Reversed, z, d("-80")), None);
    }

    #[test]
    fn a_reversal_undoes_the_latest_live_payment_with_its_clp07_and_negated_amounts() {
        let claims = claims();
        let mut book = Book::new(claims.len());
        book.add_earlier(1, "X", d("80"), d("70"), 0b1, Status::Paid);
        let mut p = [
            paying(1, Status::Paid, "Y", "80", "60", 0b1),
            paying(1, Status::Paid, "X", "80", "70", 0b1),
        ];
        book.account(&claims, &mut p, true);
        // Other amounts than any payment of X: nothing undone, a warning.
        let mut r = [paying(1, Status::Reversed, "X", "-80", "-60", 0)];
        let findings = book.account(&claims, &mut r, true);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule, "RECON-REVERSAL");
        assert_eq!(findings[0].claim_id, "C1");
        assert!(findings[0].message.contains("payer claim number X for 80.00 billed, 60.00 paid"));
        assert_eq!(r[0].pairing, Some(Pairing::default()));
        // The ledger reports its own: no finding asked for.
        let mut r = [paying(1, Status::Reversed, "Z", "-80", "-70", 0)];
        assert!(book.account(&claims, &mut r, false).is_empty());
        // X, 80/70: the latest of the two (this run's, index 1), not the
        // earlier run's; then the earlier run's; then Y by amounts alone.
        let mut r = [
            paying(1, Status::Reversed, "x", "-80", "-70", 0),
            paying(1, Status::Reversed, "X", "-80", "-70", 0),
        ];
        book.account(&claims, &mut r, true);
        assert_eq!(r[0].pairing, Some(Pairing { reverses: Some(1), corrected_by: None }));
        assert_eq!(r[1].pairing, Some(Pairing { reverses: None, corrected_by: None }));
        assert_eq!(r[1].claim_status, Some(Status::Paid), "Y still stands");
        let mut r = [paying(1, Status::Reversed, "", "-80", "-60", 0)];
        book.account(&claims, &mut r, true);
        assert_eq!(r[0].pairing, Some(Pairing { reverses: Some(0), corrected_by: None }));
        // Nothing stands: reversed, the whole charge outstanding again.
        assert_eq!(r[0].claim_status, Some(Status::Reversed));
        assert_eq!(book.unanswered(1, &claims[1]), d("80"));
        // The claim's next payment is the correction of every reversal
        // still waiting for one.
        let mut c = [paying(1, Status::Paid, "W", "80", "75", 0b1)];
        book.account(&claims, &mut c, true);
        let corrected: Vec<Option<usize>> =
            book.pairs().iter().map(|(_, p)| p.corrected_by).collect();
        assert_eq!(corrected, [Some(7); 5]);
        let at: Vec<usize> = book.pairs().iter().map(|(at, _)| *at).collect();
        assert_eq!(at, [2, 3, 4, 5, 6]);
        assert_eq!(book.unanswered(1, &claims[1]), Decimal::ZERO);
    }

    #[test]
    fn a_plb_reference_is_tied_by_clp07_in_the_payment_then_known_numbers_then_claim_id() {
        // C1 has a payer claim number from the ledger; C3 went to payer Q only.
        let mut claims = vec![sent("C1"), sent("C2"), sent("C3"), sent("C4")];
        claims[0].payer_claim_id = Some("PCN-1".into());
        claims[2].payer_id = "Q".into();
        let index = ClaimIndex::new(&claims);
        let mut book = Book::new(claims.len());
        let p = Some("P");
        // 1. The CLP07 of a claim payment of the same payment (C2 here) wins
        //    over the number the ledger knows for C1.
        let set = [paying(1, Status::Paid, "pcn-1", "100", "80", 0)];
        assert_eq!(book.tie(&index, &set, p, " PCN-1 "), Some(1));
        // An unmatched claim payment of the payment ties nothing.
        let mut unmatched = paying(1, Status::Unmatched, "PCN-7", "100", "80", 0);
        unmatched.sent = None;
        assert_eq!(book.tie(&index, &[unmatched], p, "PCN-7"), None);
        // 2. A payer claim number the ledger knows, of the paying payer only.
        assert_eq!(book.tie(&index, &[], p, "PCN-1"), Some(0));
        assert_eq!(book.tie(&index, &[], Some("Q"), "PCN-1"), None);
        // 3. The CLP07 of a payment earlier in the run, of the paying payer.
        let mut earlier = [
            paying(3, Status::Paid, "PCN-4", "100", "80", 0),
            paying(2, Status::Paid, "PCN-3", "100", "80", 0),
        ];
        book.account(&claims, &mut earlier, true);
        assert_eq!(book.tie(&index, &[], p, "pcn-4"), Some(3));
        assert_eq!(book.tie(&index, &[], p, "PCN-3"), None, "C3 is payer Q's");
        assert_eq!(book.tie(&index, &[], Some("Q"), "PCN-3"), Some(2));
        // Payments accounted after the first lookup are found too.
        let mut later = [paying(1, Status::Paid, "PCN-2", "100", "80", 0)];
        book.account(&claims, &mut later, true);
        assert_eq!(book.tie(&index, &[], p, "PCN-2"), Some(1));
        // 4. A claim id, exactly: of the paying payer, or sent to one payer.
        assert_eq!(book.tie(&index, &[], p, "c4"), Some(3));
        assert_eq!(book.tie(&index, &[], p, "C3"), Some(2));
        assert_eq!(book.tie(&index, &[], None, "C4"), Some(3));
        assert_eq!(book.tie(&index, &[], p, "C"), None, "no prefix");
        assert_eq!(book.tie(&index, &[], p, "NOCLAIM"), None);
        assert_eq!(book.tie(&index, &[], p, "  "), None);
    }
}
