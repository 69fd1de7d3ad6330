//! Builders for the reconcile unit tests: sent claims and claim payments
//! written in a line or two.

use rust_decimal::Decimal;

use super::SentClaim;
use crate::edi835::{Adjustment, ClaimPayment, Group, ServicePayment};
use crate::x12::Position;
use crate::Text;

pub(crate) fn sent(id: &str) -> SentClaim {
    SentClaim {
        claim_id: Text::new(id),
        payer_id: "P".into(),
        payer_claim_id: None,
        charge: Decimal::new(100, 0),
        sent_on: None,
        lines: vec![],
    }
}

/// (charge, paid, [(group, reason, amount)])
pub(crate) type TestLine<'a> = (i64, i64, &'a [(&'a str, &'a str, i64)]);

pub(crate) fn payment(
    status: &str,
    charge: i64,
    paid: i64,
    lines: &[TestLine<'_>],
) -> ClaimPayment {
    let adj = |g: &str, r: &str, a: i64| Adjustment {
        group: Group::from_code(g),
        group_code: g.into(),
        reason: r.into(),
        amount: Decimal::new(a, 0),
        quantity: None,
    };
    ClaimPayment {
        pos: Position::default(),
        lx: None,
        clp01_claim_id: "C".into(),
        clp02_status: status.into(),
        clp03_charge: Decimal::new(charge, 0),
        clp04_paid: Decimal::new(paid, 0),
        clp05_patient_responsibility: None,
        clp06_filing_indicator: Text::default(),
        clp07_payer_claim_id: Text::default(),
        clp08_facility: Text::default(),
        clp09_frequency: Text::default(),
        clp11_drg: Text::default(),
        clp12_drg_weight: None,
        clp13_discharge_fraction: None,
        adjustments: vec![],
        names: vec![],
        mia: None,
        moa: None,
        refs: vec![],
        dates: vec![],
        amounts: vec![],
        quantities: vec![],
        lines: lines
            .iter()
            .map(|(c, p, adjs)| ServicePayment {
                pos: Position::default(),
                svc01_procedure: crate::edi835::Procedure::default(),
                svc02_charge: Decimal::new(*c, 0),
                svc03_paid: Decimal::new(*p, 0),
                svc04_revenue_code: Text::default(),
                svc05_units: None,
                svc06_original: None,
                svc07_original_units: None,
                service_date: None,
                service_date_end: None,
                adjustments: adjs.iter().map(|(g, r, a)| adj(g, r, *a)).collect(),
                line_id: None,
                refs: vec![],
                allowed: None,
                amounts: vec![],
                quantities: vec![],
                remarks: vec![],
            })
            .collect(),
    }
}

/// The default contractual CARC codes.
pub(crate) fn carcs() -> Vec<String> {
    crate::config::DEFAULT_CONTRACTUAL_CARCS.iter().map(|c| c.to_string()).collect()
}

/// A sent line: id, procedure code, charge and date (`YYYY-MM-DD`, or "").
pub(crate) fn line(id: &str, code: &str, charge: i64, date: &str) -> super::SentLine {
    super::SentLine {
        line_id: id.into(),
        procedure: code.into(),
        modifiers: Default::default(),
        date: date.parse().ok(),
        charge: Decimal::new(charge, 0),
    }
}

/// A sent claim `id` (payer P) with `lines`; its charge is theirs summed.
pub(crate) fn sent_with(id: &str, lines: Vec<super::SentLine>) -> SentClaim {
    SentClaim { charge: lines.iter().map(|l| l.charge).sum(), lines, ..sent(id) }
}

/// An SVC01 or SVC06 procedure `code` (qualifier HC, no modifiers).
pub(crate) fn procedure(code: &str) -> crate::edi835::Procedure {
    crate::edi835::Procedure { qualifier: "HC".into(), code: code.into(), ..Default::default() }
}
