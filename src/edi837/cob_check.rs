//! COB balancing of any 837P, for `claimflow validate`: the segments of each
//! claim that carries 2320/2430 loops are gathered into a
//! [`CobClaim`](super::cob::CobClaim) and checked with the same rules the
//! `secondary` job applies before writing ([`super::cob::balance`]).
//!
//! Claims without an other payer that adjudicated them (no AMT*D) are not
//! checked. It reads segments only and does not rebuild claims.

use rust_decimal::Decimal;

use super::cob::{balance, CobAdjudication, CobClaim, CobLine, CobPayer};
use crate::x12::{Finding, Segment, TransactionSet};

/// Where in a claim the walker is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum At {
    /// 2300 and its provider loops.
    Claim,
    /// 2320 (claim CAS, AMT) and its 2330x loops.
    OtherPayer,
    /// 2400 and 2410/2420 loops of a line.
    Line,
    /// 2430 (line CAS).
    Adjudication,
}

fn amount(raw: &[u8]) -> Decimal {
    crate::values::parse_decimal_bytes(raw).unwrap_or_default()
}

/// Sum of a CAS segment's amounts (CAS03, 06, 09, 12, 15, 18).
fn cas_total(seg: &Segment<'_>) -> Decimal {
    [3, 6, 9, 12, 15, 18].iter().map(|&n| amount(seg.element(n).raw)).sum()
}

fn close(claim: Option<(CobClaim, bool)>, out: &mut Vec<Finding>) {
    let Some((c, has_cob)) = claim else { return };
    if !has_cob {
        return;
    }
    for i in balance(&c) {
        out.push(Finding::error(i.pos, i.segment, i.rule, i.message));
    }
}

/// Checks COB balancing on every claim of one 837P transaction set.
pub(crate) fn check_cob(input: &[u8], set: &TransactionSet) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut claim: Option<(CobClaim, bool)> = None;
    let mut at = At::Claim;
    let mut lx = 0usize;
    for seg in set.segments(input).flatten() {
        match seg.id {
            b"CLM" => {
                close(claim.take(), &mut out);
                let c = CobClaim {
                    claim_id: seg.str(1).trim().to_string(),
                    total: amount(seg.element(2).raw),
                    pos: seg.pos,
                    ..CobClaim::default()
                };
                claim = Some((c, false));
                at = At::Claim;
                lx = 0;
            }
            b"HL" | b"SE" => close(claim.take(), &mut out),
            _ => {
                let Some((c, has_cob)) = claim.as_mut() else { continue };
                at = step(c, has_cob, at, &mut lx, &seg);
            }
        }
    }
    close(claim, &mut out);
    out
}

/// Takes one segment of an open claim; returns where the walker is next.
fn step(c: &mut CobClaim, has_cob: &mut bool, at: At, lx: &mut usize, seg: &Segment<'_>) -> At {
    match seg.id {
        b"SBR" if matches!(at, At::Claim | At::OtherPayer) => {
            c.payers.push(CobPayer { pos: seg.pos, ..CobPayer::default() });
            At::OtherPayer
        }
        b"CAS" if at == At::OtherPayer => {
            if let Some(p) = c.payers.last_mut() {
                p.claim_cas += cas_total(seg);
            }
            at
        }
        b"AMT" if at == At::OtherPayer && seg.str(1).trim() == "D" => {
            if let Some(p) = c.payers.last_mut() {
                p.paid = Some(amount(seg.element(2).raw));
                *has_cob = true;
            }
            at
        }
        b"NM1" if at == At::OtherPayer && seg.str(1).trim() == "PR" => {
            if let Some(p) = c.payers.last_mut() {
                if p.id.is_empty() {
                    p.id = seg.str(9).trim().to_string();
                }
            }
            at
        }
        b"LX" => {
            *lx += 1;
            c.lines.push(CobLine { number: *lx, ..CobLine::default() });
            At::Line
        }
        b"SV1" => {
            if let Some(l) = c.lines.last_mut() {
                l.charge = amount(seg.element(2).raw);
            }
            At::Line
        }
        b"SVD" => {
            if let Some(l) = c.lines.last_mut() {
                l.adjudications.push(CobAdjudication {
                    payer: seg.str(1).trim().to_string(),
                    paid: amount(seg.element(2).raw),
                    cas: Decimal::ZERO,
                    pos: seg.pos,
                });
                *has_cob = true;
            }
            At::Adjudication
        }
        b"CAS" if at == At::Adjudication => {
            if let Some(a) = c.lines.last_mut().and_then(|l| l.adjudications.last_mut()) {
                a.cas += cas_total(seg);
            }
            at
        }
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::x12;

    fn check(body: &str) -> Vec<&'static str> {
        let f = format!(
            "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20260101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~{body}SE*{}*0001~GE*1*1~IEA*1*000000001~",
            body.matches('~').count() + 2
        );
        let scan = x12::scan(f.as_bytes());
        let (_, _, set) = scan.sets().next().unwrap();
        check_cob(f.as_bytes(), set).iter().map(|f| f.rule).collect()
    }

    /// A claim of 150 (100 + 50), primary paid 90: line 1 paid 70 with CO 20
    /// and PR 10, line 2 paid 20 with CO 30; nothing at claim level.
    const BALANCED: &str = "CLM*A*150***11:B:1~SBR*P*18*******CI~AMT*D*90~OI***Y***Y~NM1*IL*1*X*Y****MI*M1~NM1*PR*2*P*****PI*PAYER1~LX*1~SV1*HC:99213*100*UN*1***1~SVD*PAYER1*70*HC:99213**1~CAS*CO*45*20~CAS*PR*2*10~DTP*573*D8*20260101~LX*2~SV1*HC:99214*50*UN*1***1~SVD*PAYER1*20*HC:99214**1~CAS*CO*45*30~DTP*573*D8*20260101~";

    #[test]
    fn balanced_cob_claim_passes() {
        assert!(check(BALANCED).is_empty(), "{:?}", check(BALANCED));
    }

    #[test]
    fn line_charge_must_equal_paid_plus_line_adjustments() {
        // Line 2's CAS is 29: the line and the claim are off by 1.
        let body = BALANCED.replace("CAS*CO*45*30", "CAS*CO*45*29");
        assert_eq!(check(&body), vec!["837-COB-LINE", "837-COB-CLAIM"]);
    }

    #[test]
    fn amt_d_must_equal_the_sum_of_svd02_less_claim_adjustments() {
        // CLM02 151 (one more than the lines: 837-CLM02's business) with
        // AMT*D 91 satisfies the claim rule, but the lines paid 90.
        let body = BALANCED.replace("CLM*A*150", "CLM*A*151").replace("AMT*D*90~", "AMT*D*91~");
        assert_eq!(check(&body), vec!["837-COB-PAID"]);
    }

    #[test]
    fn claim_level_adjustments_reduce_amt_d() {
        // A claim-level CO-253 of 2: the payer paid 88 on lines paying 90.
        let body = BALANCED.replace("AMT*D*90~", "CAS*CO*253*2~AMT*D*88~");
        assert!(check(&body).is_empty(), "{:?}", check(&body));
    }

    #[test]
    fn clm02_must_equal_paid_plus_all_adjustments() {
        // CLM02 one more than what was paid and adjusted.
        let body = BALANCED.replace("CLM*A*150", "CLM*A*151");
        assert_eq!(check(&body), vec!["837-COB-CLAIM"]);
        // A claim-level OA of 5 the payment does not reflect: the claim is
        // over-adjusted, and AMT*D is not the lines' paid less it.
        let body = BALANCED.replace("AMT*D*90~", "CAS*OA*23*5~AMT*D*90~");
        assert_eq!(check(&body), vec!["837-COB-CLAIM", "837-COB-PAID"]);
    }

    #[test]
    fn a_line_the_payer_did_not_adjudicate_is_reported() {
        // Line 2 lost its 2430: its 50 is not accounted for.
        let body =
            BALANCED.replace("SVD*PAYER1*20*HC:99214**1~CAS*CO*45*30~DTP*573*D8*20260101~", "");
        assert_eq!(check(&body), vec!["837-COB-LINE", "837-COB-CLAIM", "837-COB-PAID"]);
    }

    #[test]
    fn claim_level_only_adjudication_balances_without_lines() {
        let body = "CLM*A*150***11:B:1~SBR*P*18*******CI~CAS*CO*45*50~CAS*PR*1*10~AMT*D*90~AMT*EAF*10~OI***Y***Y~NM1*IL*1*X*Y****MI*M1~NM1*PR*2*P*****PI*PAYER1~DTP*573*D8*20260101~LX*1~SV1*HC:99213*150*UN*1***1~";
        assert!(check(body).is_empty());
        assert_eq!(check(&body.replace("AMT*D*90", "AMT*D*91")), vec!["837-COB-CLAIM"]);
    }

    #[test]
    fn coverage_without_adjudication_is_not_balanced() {
        let body = "CLM*A*150***11:B:1~SBR*S*18*******CI~OI***Y***Y~NM1*IL*1*X*Y****MI*M1~NM1*PR*2*P*****PI*PAYER2~LX*1~SV1*HC:99213*150*UN*1***1~";
        assert!(check(body).is_empty());
    }
}
