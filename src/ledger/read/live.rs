//! A claim's live payments as rows ([`Live`]), read in one query for one
//! claim id ([`of_claim`]) or streamed for every claim id in id order
//! ([`Stream`]), and the one rule over them: what a payer's live payments
//! add up to ([`answer_of`]) and which payer answers after the primary
//! ([`later_payer`]).
//!
//! The `patient_responsibility` view (schema 14) states the same rule in SQL
//! for readers of the ledger outside claimflow; every claimflow reader
//! (`report`, `status`, `secondary`) goes through this module. Nothing here
//! writes or decides what an answer means (that is `ledger::standing`).

use rusqlite::{params, Connection, Row, Rows};
use rust_decimal::Decimal;

use super::{dec, text, ReadError as Error};
use crate::ledger::PayerAnswer;

/// A live payment (`p`): matched to a sent claim, not a reversal and not
/// undone by one.
pub(super) const LIVE: &str =
    "p.matched = 1 AND p.reversed_by IS NULL AND p.status NOT IN ('reversed', 'unmatched')";

/// One live payment (matched, not a reversal, not undone by one).
pub(super) struct Live {
    /// CLM01.
    pub claim_id: String,
    /// The paying payer.
    pub payer_id: String,
    /// `claim_payments.id`: posting order.
    pub id: i64,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// The PR adjustments.
    pub patient_responsibility: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;`.
    pub adjustments: String,
    /// CLP02 19, 20 or 21: processed and forwarded to another payer.
    pub forwarded: bool,
    /// The payer has a claim of its own under this claim id.
    pub own_claim: bool,
}

/// The live payments `p` that `filter` keeps, in the columns [`row`] reads,
/// by claim id, payer and posting order (the order of the
/// `claim_payments_claim` index).
fn select(filter: &str) -> String {
    format!(
        "SELECT p.claim_id, p.payer_id, p.id, p.billed, p.paid, p.patient_responsibility,
            p.adjustments, p.clp02,
            EXISTS (SELECT 1 FROM claims x WHERE x.claim_id = p.claim_id AND x.payer_id = p.payer_id)
         FROM claim_payments p WHERE {LIVE}{filter}
         ORDER BY p.claim_id, p.payer_id, p.id"
    )
}

fn row(r: &Row<'_>) -> Result<Live, Error> {
    Ok(Live {
        claim_id: text(r, 0)?,
        payer_id: text(r, 1)?,
        id: r.get(2)?,
        billed: dec(r, 3)?,
        paid: dec(r, 4)?,
        patient_responsibility: dec(r, 5)?,
        adjustments: text(r, 6)?,
        forwarded: matches!(text(r, 7)?.trim(), "19" | "20" | "21"),
        own_claim: r.get::<_, i64>(8)? != 0,
    })
}

/// The live payments of claim id `claim_id` (every payer).
pub(super) fn of_claim(conn: &Connection, claim_id: &str) -> Result<Vec<Live>, Error> {
    let mut st = conn.prepare_cached(&select(" AND p.claim_id = ?1"))?;
    let mut rows = st.query(params![claim_id])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(row(r)?);
    }
    Ok(out)
}

/// What the live payments of `payer` in `group` (one claim id) add up to,
/// summed exactly; their adjustments joined in posting order.
pub(super) fn answer_of(group: &[Live], payer: &str) -> PayerAnswer {
    let mut a = PayerAnswer::default();
    for p in group.iter().filter(|p| p.payer_id == payer) {
        a.payments += 1;
        a.paid += p.paid;
        a.patient_responsibility += p.patient_responsibility;
        a.forwarded |= p.forwarded;
        if !a.adjustments.is_empty() {
            a.adjustments.push(';');
        }
        a.adjustments.push_str(&p.adjustments);
    }
    a
}

/// The payer answering after `primary` on a claim whose live payments are
/// `group`: the secondary billed or `named` on the claim, else the first
/// later payer (in posting order) without a claim of its own (the crossover
/// payer, whose answer reconcile posts under its own id); `None` when there
/// is none.
pub(super) fn later_payer(group: &[Live], primary: &str, named: Option<String>) -> Option<String> {
    named.filter(|s| !s.is_empty()).or_else(|| {
        group
            .iter()
            .filter(|p| p.payer_id != primary && !p.own_claim)
            .min_by_key(|p| p.id)
            .map(|p| p.payer_id.clone())
    })
}

/// Every live payment of the ledger, read once in claim id order and handed
/// out one claim id at a time to a caller walking claims in the same order:
/// memory holds the live payments of one claim id.
pub(super) struct Stream<'s> {
    rows: Rows<'s>,
    next: Option<Live>,
    group: Vec<Live>,
}

impl<'s> Stream<'s> {
    /// The statement [`Stream::new`] runs; prepare it on the read's
    /// connection.
    pub fn sql() -> String {
        select("")
    }

    /// Starts the stream on a statement prepared from [`Stream::sql`].
    pub fn new(st: &'s mut rusqlite::Statement<'_>) -> Result<Self, Error> {
        let mut rows = st.query([])?;
        let next = match rows.next()? {
            Some(r) => Some(row(r)?),
            None => None,
        };
        Ok(Stream { rows, next, group: Vec::new() })
    }

    /// The live payments of `claim_id`; claim ids must be asked in
    /// ascending order (asking the same one again gives the same rows).
    pub fn group(&mut self, claim_id: &str) -> Result<&[Live], Error> {
        if self.group.first().is_some_and(|g| g.claim_id == claim_id) {
            return Ok(&self.group);
        }
        self.group.clear();
        // Skip the payments of claim ids before this one (claims the caller
        // does not walk), then gather this claim id's.
        while let Some(p) = self.next.take() {
            if p.claim_id.as_str() > claim_id {
                self.next = Some(p);
                break;
            }
            if p.claim_id == claim_id {
                self.group.push(p);
            }
            self.next = match self.rows.next()? {
                Some(r) => Some(row(r)?),
                None => None,
            };
        }
        Ok(&self.group)
    }
}
