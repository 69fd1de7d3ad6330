//! The report's pass over every claim (`claimflow report`): [`each_claim`]
//! reads the claims and their live payments once each, in claim id order,
//! walked side by side, and hands the caller each claim's facts for aging
//! and the claim outcomes ([`ClaimFacts`], with its standing by
//! `ledger::standing`) and, for a claim with a patient share, its answers
//! for patient balances ([`ClaimAnswers`]). The caller folds them as they
//! pass: memory holds the live payments of one claim id.
//!
//! Nothing here formats or writes files or decides what a standing means.

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;

use super::balances::{
    answers, paid_at_visit, sent_as, ClaimAnswers, SentAs, FIRST_SENT, NAMED, SENT_AS,
    SENT_AS_JOINS,
};
use super::live::{Live, Stream};
use super::report::Filter;
use super::{day, dec, text, ReadError as Error};
use crate::ledger::Standing;

/// One sent claim (not a void), as aging and the claim counts need it.
#[derive(Debug)]
pub(crate) struct ClaimFacts {
    /// `claims.payer_id`.
    pub payer_id: String,
    /// `claims.status`.
    pub status: String,
    /// First sent (`claim_history`), when the ledger has it.
    pub sent: Option<NaiveDate>,
    /// `claims.total_charge` (as last sent).
    pub charge: Decimal,
    /// Sum of `billed` (CLP03) over its live payments.
    pub answered: Decimal,
    /// True when a live payment paid more than 0.
    pub paid: bool,
    /// For a COB claim (`cob_claims`, schema 8): what the secondary is asked
    /// for (the primary's patient responsibility and the amounts it left to
    /// another payer); `None` otherwise.
    pub expected: Option<Decimal>,
    /// The claim names a secondary payer (`other_coverage`, SBR01 `S`) and
    /// no COB claim to it has been sent yet.
    pub secondary_pending: bool,
    /// A COB claim to the secondary has been sent for this claim: that
    /// claim carries what the secondary is asked for.
    pub cob_billed: bool,
    /// The claim's standing across payers ([`crate::ledger::standing`]);
    /// `None` for a COB claim (its standing is its primary's claim's).
    pub standing: Option<Standing>,
}

/// Calls `visit` for every claim of the payer filter (`claims`,
/// `claim_history`, live `claim_payments`, `cob_claims`, `other_coverage`,
/// `claim_patients`, `submissions`), in claim id order, with
/// - its facts and standing across payers (`None` for a void: frequency 8
///   or a claim voided since);
/// - its answers when it has a patient share (the claims of
///   `patient_responsibility`: a claim at its primary payer that the
///   primary answered, whose share less what the ledger recorded as paid
///   at the visit is above 0); `None` otherwise.
///
/// One bulk pass: the claims and the live payments are each read once, in
/// claim id order, by two streaming queries walked side by side; each
/// claim's answers are summed and its standing computed here, never with a
/// query per claim. Memory holds the live payments of one claim id.
pub(crate) fn each_claim<E: From<Error>>(
    conn: &Connection,
    f: &Filter,
    mut visit: impl FnMut(Option<ClaimFacts>, Option<ClaimAnswers>) -> Result<(), E>,
) -> Result<(), E> {
    let mut st = conn
        .prepare(&format!(
            "SELECT c.claim_id, c.payer_id, c.status, c.total_charge, {FIRST_SENT},
            cc.primary_patient_responsibility, pp.adjustments,
            EXISTS (SELECT 1 FROM other_coverage o
                    WHERE o.claim_id = c.claim_id AND o.payer_id = c.payer_id
                      AND o.responsibility = 'S'
                      AND NOT EXISTS (SELECT 1 FROM cob_claims x
                                      WHERE x.claim_id = c.claim_id AND x.primary_payer_id = c.payer_id)),
            {NAMED},
            EXISTS (SELECT 1 FROM cob_claims y
                    WHERE y.claim_id = c.claim_id AND y.primary_payer_id = c.payer_id),
            c.frequency = '8' OR c.status = 'void',
            {SENT_AS}
         FROM claims c
         LEFT JOIN cob_claims cc ON cc.claim_id = c.claim_id AND cc.payer_id = c.payer_id
         LEFT JOIN claim_payments pp ON pp.id = cc.primary_payment_id
         {SENT_AS_JOINS}
         WHERE (?1 IS NULL OR c.payer_id = ?1)
         ORDER BY c.claim_id, c.payer_id"
        ))
        .map_err(Error::from)?;
    let mut pst = conn.prepare(&Stream::sql()).map_err(Error::from)?;
    let mut pays = Stream::new(&mut pst)?;
    let mut rows = st.query(params![f.payer]).map_err(Error::from)?;
    while let Some(r) = rows.next().map_err(Error::from)? {
        let group = pays.group(&text(r, 0)?)?;
        let (facts, share) = claim_of(r, group)?;
        visit(facts, share)?;
    }
    Ok(())
}

/// The facts and the patient share of the claim in row `r` of
/// [`each_claim`], whose claim id's live payments are `group`.
fn claim_of(
    r: &Row<'_>,
    group: &[Live],
) -> Result<(Option<ClaimFacts>, Option<ClaimAnswers>), Error> {
    let payer_id = text(r, 1)?;
    let expected = match r.get_ref(5)? {
        ValueRef::Null => None,
        // A COB claim asks the secondary for what the primary left to
        // the patient, and for what it left to another payer (CO-22,
        // OA-23, ...): never a CO amount the patient cannot be billed.
        _ => Some(dec(r, 5)? + other_payer_amount(&text(r, 6)?)),
    };
    let (standing, share) = match expected {
        Some(_) => (None, None),
        None => {
            let named = match r.get_ref(8)? {
                ValueRef::Null => None,
                _ => Some(text(r, 8)?),
            };
            let sent = SentAs { paid_at_visit: paid_at_visit(r, 16)?, ..SentAs::default() };
            let mut a = answers(text(r, 0)?, payer_id.clone(), named, sent, group);
            let standing = a.standing(None);
            let share = match a.primary.payments > 0 && standing.balance > Decimal::ZERO {
                true => {
                    a.sent = sent_as(r, 11, 4)?;
                    Some(a)
                }
                false => None,
            };
            (Some(standing), share)
        }
    };
    if r.get::<_, i64>(10)? != 0 {
        return Ok((None, share));
    }
    let own = group.iter().filter(|p| p.payer_id == payer_id);
    let facts = ClaimFacts {
        answered: own.clone().map(|p| p.billed).sum(),
        paid: own.clone().any(|p| p.paid > Decimal::ZERO),
        payer_id,
        status: text(r, 2)?,
        charge: dec(r, 3)?,
        sent: day(&text(r, 4)?),
        expected,
        secondary_pending: r.get::<_, i64>(7)? != 0,
        cob_billed: r.get::<_, i64>(9)? != 0,
        standing,
    };
    Ok((Some(facts), share))
}

/// The non-PR adjustments in `adjustments` (`GROUP-CARC amount;…`) whose
/// reason says another payer covers the amount.
fn other_payer_amount(adjustments: &str) -> Decimal {
    adjustments
        .split(';')
        .filter_map(|a| {
            let (code, amount) = a.trim().split_once(' ')?;
            let (group, carc) = code.split_once('-')?;
            let amount = amount.trim().parse::<Decimal>().ok()?;
            (group != "PR" && crate::claim::other_payer_reason(carc)).then_some(amount)
        })
        .sum()
}
