//! What the ledger keeps of a claim's money beyond the claim payments
//! themselves (schema version 6): which sent lines each payment answered,
//! the PLB provider adjustments of each remittance (tied to the claim their
//! reference names, or provider-level), and a claim's net payment.
//!
//! `remit` posts; this module holds the version 6 schema, the rows the
//! posting adds, and the reads a reconciliation starts from (the live
//! payments of earlier runs). It does not match or classify.

use rusqlite::params;
use rust_decimal::Decimal;

use super::{Error, Ledger};
use crate::claim::ClaimStatus;
use crate::Text;

/// Schema version 6: the sent lines a claim payment answered, and PLB
/// provider adjustments with the claim they are tied to.
pub(crate) const MIGRATION_V6: &str = r#"
-- The sent line ids (REF*6R, else the line's position) the payment answered,
-- ';'-joined; NULL when it answered every line of the claim, and on rows
-- posted before version 6.
ALTER TABLE claim_payments ADD COLUMN lines TEXT;

CREATE TABLE provider_adjustments (
    id            INTEGER PRIMARY KEY,
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    provider_id   TEXT NOT NULL,       -- PLB01
    fiscal_date   TEXT,                -- PLB02, YYYY-MM-DD
    reason        TEXT NOT NULL,       -- PLB03-1 (L6 interest, WO, 72, FB, ...)
    reference     TEXT NOT NULL,       -- PLB03-2
    amount        TEXT NOT NULL,       -- decimal text, positive = taken back from the payment
    claim_id      TEXT,                -- the sent claim the reference names; NULL = provider-level
    payer_id      TEXT,                -- that claim's payer id
    kind          TEXT NOT NULL        -- 'interest' (L6), 'claim' (tied to the claim), 'provider'
);
CREATE INDEX provider_adjustments_claim ON provider_adjustments (claim_id, payer_id)
    WHERE claim_id IS NOT NULL;
"#;

/// The PLB reason of interest paid to the provider.
const INTEREST: &str = "L6";

/// A payment of an earlier run that stands (matched, not reversed, not a
/// reversal itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LivePayment {
    /// The claim's CLM01.
    pub claim_id: Text,
    /// The claim's payer id.
    pub payer_id: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// The sent line ids it answered, `;`-joined; `None`: every line.
    pub lines: Option<String>,
    /// Its status as posted (`partial` also when it left a sent line
    /// unanswered).
    pub status: ClaimStatus,
    /// Its denied amount; `None` on rows posted by schema version 3.
    pub denied: Option<Decimal>,
}

/// One PLB adjustment (one reason/reference/amount) to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlbPosting {
    /// PLB01.
    pub provider_id: Text,
    /// PLB02, `YYYY-MM-DD`.
    pub fiscal_date: Option<String>,
    /// Reason code.
    pub reason: Text,
    /// Reference.
    pub reference: Text,
    /// Amount (positive = taken back).
    pub amount: Decimal,
    /// The sent claim (claim id, payer id) the reference names, if any.
    pub claim: Option<(Text, Text)>,
}

/// A claim's money in the ledger: its live payments and the PLB
/// adjustments tied to it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClaimMoney {
    /// Sum of CLP04 of its live payments (reversed ones and reversals left out).
    pub paid: Decimal,
    /// Sum of the PLB amounts tied to it, other than interest (positive =
    /// taken back, e.g. a WO or 72 recoupment).
    pub recouped: Decimal,
    /// Interest paid on it (PLB L6 tied to it, as a positive amount); not
    /// part of `net`.
    pub interest: Decimal,
    /// `paid − recouped`: what the payer paid for the claim, net.
    pub net: Decimal,
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap_or_default()
}

/// Inserts the PLB adjustments of remittance `remit_id`.
pub(crate) fn insert_plb(
    conn: &rusqlite::Connection,
    remit_id: i64,
    items: &[PlbPosting],
) -> rusqlite::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    let mut st = conn.prepare_cached(
        "INSERT INTO provider_adjustments (remittance_id, provider_id, fiscal_date, reason,
            reference, amount, claim_id, payer_id, kind)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    for p in items {
        let kind = if p.reason.trim().eq_ignore_ascii_case(INTEREST) {
            "interest"
        } else if p.claim.is_some() {
            "claim"
        } else {
            "provider"
        };
        st.execute(params![
            remit_id,
            p.provider_id.as_str(),
            p.fiscal_date,
            p.reason.as_str(),
            p.reference.as_str(),
            crate::numtext::amount(p.amount),
            p.claim.as_ref().map(|c| c.0.as_str()),
            p.claim.as_ref().map(|c| c.1.as_str()),
            kind
        ])?;
    }
    Ok(())
}

/// The live payment of claim (`claim_id`, `payer_id`) posted before payment
/// row `before` that a reversal with CLP07 `payer_claim_id` (any when
/// empty), CLP03 `billed` and CLP04 `paid` undoes: the latest with the same
/// payer claim number and the negated amounts.
pub(crate) fn reversed_payment(
    conn: &rusqlite::Connection,
    claim_id: &str,
    payer_id: &str,
    before: i64,
    payer_claim_id: &str,
    billed: Decimal,
    paid: Decimal,
) -> rusqlite::Result<Option<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT id, payer_claim_id, billed, paid FROM claim_payments
         WHERE claim_id = ?1 AND payer_id = ?2 AND id < ?3 AND matched = 1
           AND reversed_by IS NULL AND status NOT IN ('reversed', 'unmatched')
         ORDER BY id DESC",
    )?;
    let mut rows = st.query(params![claim_id, payer_id, before])?;
    let pcn = payer_claim_id.trim();
    while let Some(r) = rows.next()? {
        let their: String = r.get(1)?;
        if (pcn.is_empty() || their.trim().eq_ignore_ascii_case(pcn))
            && dec(&r.get::<_, String>(2)?) == -billed
            && dec(&r.get::<_, String>(3)?) == -paid
        {
            return Ok(Some(r.get(0)?));
        }
    }
    Ok(None)
}

impl Ledger {
    /// Every live payment of a sent claim: matched, not reversed, not a
    /// reversal. A reconciliation starts from what they answered.
    pub fn live_payments(&self) -> Result<Vec<LivePayment>, Error> {
        self.live_payments_before(&[])
    }

    /// The payments that were live before remittances `remits` (ids of
    /// `remittances` rows) were posted: [`Ledger::live_payments`] without
    /// the payments of those remittances, and with the payments they
    /// reversed or replaced live again. A reconciliation whose 835s repeat
    /// remittances the ledger holds (run again after it stopped half-way,
    /// or an 835 delivered again with new payments in it) starts from
    /// these, so that it accounts every payment once.
    pub fn live_payments_before(&self, remits: &[i64]) -> Result<Vec<LivePayment>, Error> {
        let sql = if remits.is_empty() {
            "SELECT claim_id, payer_id, payer_claim_id, billed, paid, lines, status, denied
             FROM claim_payments
             WHERE matched = 1 AND reversed_by IS NULL AND status NOT IN ('reversed', 'unmatched')
             ORDER BY id"
                .to_string()
        } else {
            // Integers written by us: nothing to quote.
            let ids = remits.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
            format!(
                "SELECT claim_id, payer_id, payer_claim_id, billed, paid, lines, status, denied
                 FROM claim_payments
                 WHERE matched = 1 AND status NOT IN ('reversed', 'unmatched')
                   AND remittance_id NOT IN ({ids})
                   AND (reversed_by IS NULL OR reversed_by IN
                        (SELECT id FROM claim_payments WHERE remittance_id IN ({ids})))
                 ORDER BY id"
            )
        };
        let mut st = self.conn.prepare(&sql).map_err(self.sq())?;
        let rows = st
            .query_map([], |r| {
                Ok(LivePayment {
                    claim_id: Text::new(r.get_ref(0)?.as_str()?),
                    payer_id: Text::new(r.get_ref(1)?.as_str()?),
                    payer_claim_id: Text::new(r.get_ref(2)?.as_str()?),
                    billed: dec(r.get_ref(3)?.as_str()?),
                    paid: dec(r.get_ref(4)?.as_str()?),
                    lines: r.get(5)?,
                    status: r.get(6)?,
                    denied: r.get_ref(7)?.as_str_or_null()?.map(dec),
                })
            })
            .map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// The money of claim (`claim_id`, `payer_id`): its live payments, the
    /// recoupments tied to it and the interest paid on it.
    pub fn claim_money(&self, claim_id: &str, payer_id: &str) -> Result<ClaimMoney, Error> {
        let mut m = ClaimMoney::default();
        let mut st = self
            .conn
            .prepare(
                "SELECT paid FROM claim_payments
                 WHERE claim_id = ?1 AND payer_id = ?2 AND matched = 1
                   AND reversed_by IS NULL AND status NOT IN ('reversed', 'unmatched')",
            )
            .map_err(self.sq())?;
        let paid = st
            .query_map(params![claim_id, payer_id], |r| r.get::<_, String>(0))
            .map_err(self.sq())?;
        for p in paid {
            m.paid += dec(&p.map_err(self.sq())?);
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT kind, amount FROM provider_adjustments WHERE claim_id = ?1 AND payer_id = ?2",
            )
            .map_err(self.sq())?;
        let plb = st
            .query_map(params![claim_id, payer_id], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(self.sq())?;
        for row in plb {
            let (kind, amount) = row.map_err(self.sq())?;
            if kind == "interest" {
                m.interest -= dec(&amount);
            } else {
                m.recouped += dec(&amount);
            }
        }
        m.net = m.paid - m.recouped;
        Ok(m)
    }
}
