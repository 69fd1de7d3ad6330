//! The money columns of a claim payment or service line: each CAS
//! adjustment goes into exactly one column ([`Bucket`]) by its group code
//! and CARC reason, and the columns reconcile to the billed amount
//! ([`Figures`]). It does not classify payments or pick denial categories.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::claim::denial::{bucket, Bucket};
use crate::edi835::Adjustment;

/// Money figures of a claim or line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Figures {
    /// CLP03 / SVC02.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub billed: Decimal,
    /// Sum of AMT*B6 when every line reports it; else paid + patient responsibility.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub allowed: Decimal,
    /// CLP04 / SVC03.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub paid: Decimal,
    /// Sum of PR adjustments.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub patient_responsibility: Decimal,
    /// Sum of CO adjustments whose reason is a contractual one
    /// ([`Options::contractual_carcs`](crate::reconcile::Options)).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub contractual: Decimal,
    /// Sum of the adjustments that deny money the office can act on (see
    /// [`Bucket::Denied`]).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub denied: Decimal,
    /// Sum of the other adjustments (see [`Bucket::Other`]).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub other_adjustments: Decimal,
    /// billed − paid − patient responsibility − contractual − denied − other
    /// adjustments (0 when balanced).
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub variance: Decimal,
}

impl Figures {
    /// A claim the payer says is not its own (CLP02 23): what it did not
    /// pay is for the other payer to answer, so nothing is `denied`; those
    /// amounts are `other_adjustments`.
    pub(super) fn not_ours(&mut self) {
        self.other_adjustments += self.denied;
        self.denied = Decimal::ZERO;
    }

    pub(super) fn new<'x>(
        billed: Decimal,
        paid: Decimal,
        adjustments: impl Iterator<Item = &'x Adjustment>,
        allowed: Option<Decimal>,
        contractual: &[String],
    ) -> Figures {
        let mut f = Figures { billed, paid, ..Figures::default() };
        for a in adjustments {
            match bucket(a, contractual) {
                Bucket::PatientResponsibility => f.patient_responsibility += a.amount,
                Bucket::Contractual => f.contractual += a.amount,
                Bucket::Denied => f.denied += a.amount,
                Bucket::Other => f.other_adjustments += a.amount,
            }
        }
        f.allowed = allowed.unwrap_or(f.paid + f.patient_responsibility);
        f.variance = billed
            - paid
            - f.patient_responsibility
            - f.contractual
            - f.denied
            - f.other_adjustments;
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edi835::Group;
    use crate::reconcile::testing::carcs;

    #[test]
    fn each_group_and_reason_has_one_money_column() {
        let adj = |g: &str, r: &str| Adjustment {
            group: Group::from_code(g),
            group_code: g.into(),
            reason: r.into(),
            amount: Decimal::ONE,
            quantity: None,
        };
        let contractual = carcs();
        let with_131 = vec!["45".to_string(), "253".to_string(), "131".to_string()];
        let table: &[(&str, &str, &[String], Bucket)] = &[
            ("PR", "1", &contractual, Bucket::PatientResponsibility),
            ("PR", "45", &contractual, Bucket::PatientResponsibility),
            ("CO", "45", &contractual, Bucket::Contractual),
            ("CO", " 253 ", &contractual, Bucket::Contractual),
            ("CO", "16", &contractual, Bucket::Denied),
            ("CO", "151", &contractual, Bucket::Denied),
            ("CO", "131", &contractual, Bucket::Denied),
            ("CO", "131", &with_131, Bucket::Contractual),
            ("CO", "45", &[], Bucket::Denied),
            ("PI", "96", &contractual, Bucket::Denied),
            ("OA", "18", &contractual, Bucket::Denied),
            ("OA", "23", &contractual, Bucket::Other),
            ("PI", "45", &contractual, Bucket::Other),
            ("OA", "253", &contractual, Bucket::Other),
            ("CR", "16", &contractual, Bucket::Other),
            ("ZZ", "16", &contractual, Bucket::Other),
        ];
        for (g, r, list, want) in table {
            assert_eq!(bucket(&adj(g, r), list), *want, "{g}-{r} with {list:?}");
        }
    }
}
