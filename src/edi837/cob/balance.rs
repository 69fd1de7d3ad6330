//! COB balancing, the guide's COB front matter: for each other payer, every
//! line's charge = its SVD02 + its line CAS; CLM02 = AMT*D + claim CAS + line
//! CAS; and, with lines, AMT*D = the sum of SVD02 less the claim-level CAS.
//! [`CobClaim`] is what the rules look at, built from a claim about to be
//! written or from an 837P being validated. Nothing here writes X12.

use rust_decimal::Decimal;

use super::{RULE_CLAIM, RULE_LINE, RULE_PAID};
use crate::claim::{Adjustment, Claim};
use crate::x12::Position;

/// What balancing looks at for one claim, whatever it was read from.
#[derive(Clone, Debug, Default)]
pub(crate) struct CobClaim {
    /// CLM01.
    pub(crate) claim_id: String,
    /// CLM02.
    pub(crate) total: Decimal,
    /// The CLM's position (default when not from a file).
    pub(crate) pos: Position,
    /// The other payers (2320), in order.
    pub(crate) payers: Vec<CobPayer>,
    /// The service lines (2400), in order.
    pub(crate) lines: Vec<CobLine>,
}

/// One other payer of a claim (2320/2330B).
#[derive(Clone, Debug, Default)]
pub(crate) struct CobPayer {
    /// 2330B NM109.
    pub(crate) id: String,
    /// AMT*D, when the payer adjudicated the claim.
    pub(crate) paid: Option<Decimal>,
    /// Sum of the 2320 CAS amounts.
    pub(crate) claim_cas: Decimal,
    /// The SBR's position.
    pub(crate) pos: Position,
}

/// One service line: its charge, its 1-based number and the other payers' 2430s.
#[derive(Clone, Debug, Default)]
pub(crate) struct CobLine {
    pub(crate) charge: Decimal,
    pub(crate) number: usize,
    pub(crate) adjudications: Vec<CobAdjudication>,
}

/// One 2430: SVD01 payer, SVD02 paid, the sum of its CAS amounts, the SVD's position.
#[derive(Clone, Debug, Default)]
pub(crate) struct CobAdjudication {
    pub(crate) payer: String,
    pub(crate) paid: Decimal,
    pub(crate) cas: Decimal,
    pub(crate) pos: Position,
}

impl CobClaim {
    /// The balancing view of a claim in the model.
    pub(crate) fn of(c: &Claim) -> CobClaim {
        let sum = |l: &[Adjustment]| l.iter().map(|a| a.amount).sum::<Decimal>();
        CobClaim {
            claim_id: c.claim_id.clone(),
            total: c.total_charge(),
            pos: Position::default(),
            payers: c
                .other_payers
                .iter()
                .map(|o| CobPayer {
                    id: o.payer.id.clone(),
                    paid: o.paid,
                    claim_cas: sum(&o.adjustments),
                    pos: Position::default(),
                })
                .collect(),
            lines: c
                .lines
                .iter()
                .enumerate()
                .map(|(i, l)| CobLine {
                    charge: l.charge,
                    number: i + 1,
                    adjudications: l
                        .adjudications
                        .iter()
                        .map(|a| CobAdjudication {
                            payer: a.payer_id.clone(),
                            paid: a.paid,
                            cas: sum(&a.adjustments),
                            pos: Position::default(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// One balancing rule that does not hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imbalance {
    /// [`RULE_LINE`], [`RULE_CLAIM`] or [`RULE_PAID`].
    pub rule: &'static str,
    /// Where (the SVD, the 2320 SBR, or the CLM); default when not from a file.
    pub pos: Position,
    /// The segment concerned (`SVD`, `AMT`, `CLM`).
    pub segment: &'static str,
    /// What does not add up (amounts and ids only: no PHI).
    pub message: String,
}

/// Checks the COB balancing rules for every other payer of `c` that has
/// adjudicated the claim (AMT*D present). Payers without AMT*D (coverage only,
/// as on a primary claim) have nothing to balance.
pub(crate) fn balance(c: &CobClaim) -> Vec<Imbalance> {
    let m = crate::numtext::money;
    let mut out = Vec::new();
    for p in &c.payers {
        let Some(paid) = p.paid else { continue };
        let payer = p.id.as_str();
        let of_payer = |l: &CobLine| l.adjudications.iter().filter(|a| a.payer == payer).count();
        let reports_lines = c.lines.iter().any(|l| of_payer(l) > 0);
        let mut svd_total = Decimal::ZERO;
        let mut line_cas = Decimal::ZERO;
        for l in &c.lines {
            if reports_lines && of_payer(l) == 0 {
                out.push(Imbalance {
                    rule: RULE_LINE,
                    pos: c.pos,
                    segment: "SV1",
                    message: format!(
                        "claim {}, line {}, payer {payer}: the payer adjudicated other lines but not this one (no 2430): its charge {} is not accounted for",
                        c.claim_id,
                        l.number,
                        m(l.charge)
                    ),
                });
            }
            for a in l.adjudications.iter().filter(|a| a.payer == payer) {
                svd_total += a.paid;
                line_cas += a.cas;
                if l.charge != a.paid + a.cas {
                    out.push(Imbalance {
                        rule: RULE_LINE,
                        pos: a.pos,
                        segment: "SVD",
                        message: format!(
                            "claim {}, line {}, payer {payer}: line charge {} is not SVD02 paid {} + line adjustments {} (= {})",
                            c.claim_id,
                            l.number,
                            m(l.charge),
                            m(a.paid),
                            m(a.cas),
                            m(a.paid + a.cas)
                        ),
                    });
                }
            }
        }
        if c.total != paid + p.claim_cas + line_cas {
            out.push(Imbalance {
                rule: RULE_CLAIM,
                pos: c.pos,
                segment: "CLM",
                message: format!(
                    "claim {}, payer {payer}: CLM02 {} is not AMT*D paid {} + claim adjustments {} + line adjustments {} (= {})",
                    c.claim_id,
                    m(c.total),
                    m(paid),
                    m(p.claim_cas),
                    m(line_cas),
                    m(paid + p.claim_cas + line_cas)
                ),
            });
        }
        if reports_lines && paid != svd_total - p.claim_cas {
            out.push(Imbalance {
                rule: RULE_PAID,
                pos: p.pos,
                segment: "AMT",
                message: format!(
                    "claim {}, payer {payer}: AMT*D paid {} is not the lines' SVD02 {} less the claim adjustments {} (= {})",
                    c.claim_id,
                    m(paid),
                    m(svd_total),
                    m(p.claim_cas),
                    m(svd_total - p.claim_cas)
                ),
            });
        }
    }
    out
}
