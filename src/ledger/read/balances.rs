//! What a claim's standing needs, read from the ledger: the claim as sent
//! (first sent, its 837, the patient, what the patient paid at the visit)
//! and the live payments of each payer in coordination-of-benefits order
//! (the primary, then the secondary billed or named, else the crossover
//! payer answering under its own id), summed exactly into
//! [`PayerAnswer`]s for [`crate::ledger::standing`].
//!
//! [`claim_answers`] reads one claim (the claim view of `claimflow status`);
//! [`each_balance`] walks the claims the `patient_responsibility` view
//! gives a patient share (patient balances of `claimflow report`). This
//! module decides nothing: the rule is `ledger::standing`.

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;

use super::report::{day, dec, text, LIVE};
use super::ReadError as Error;
use crate::ledger::{standing, PayerAnswer, Standing};

/// What the ledger knows of a claim as sent, for its patient balance row.
#[derive(Clone, Debug, Default)]
pub struct SentAs {
    /// First sent.
    pub sent: Option<NaiveDate>,
    /// The 837 it was last sent in (`submissions.file`).
    pub file: String,
    /// Last name, first name, birth date, service date from `claim_patients`
    /// (schema 9); `None` for claims sent before.
    pub patient: Option<(String, String, String, String)>,
    /// What the patient paid at the visit, from `claim_patients` (schema
    /// 10): `Some(None)` when the claim carried none, `None` when the ledger
    /// did not record it (the recorded 837 says).
    pub paid_at_visit: Option<Option<Decimal>>,
}

/// A claim's answers in coordination-of-benefits order, as
/// [`crate::ledger::standing`] takes them.
#[derive(Clone, Debug, Default)]
pub struct ClaimAnswers {
    /// CLM01.
    pub claim_id: String,
    /// The primary payer (the claim's ledger key).
    pub primary_payer: String,
    /// The payer answering after the primary: the secondary billed or
    /// named, else the crossover payer that answered; `None` when there is
    /// none.
    pub second_payer: Option<String>,
    /// The claim as sent (default when the ledger does not know it).
    pub sent: SentAs,
    /// The primary's live payments.
    pub primary: PayerAnswer,
    /// The second payer's live payments (`payments` 0: not answered yet).
    pub secondary: Option<PayerAnswer>,
}

impl ClaimAnswers {
    /// The standing, crediting what the patient paid at the visit as the
    /// ledger recorded it, else (a claim recorded before schema 10) as
    /// `unrecorded` says (read from the claim's 837 by the caller).
    pub fn standing(&self, unrecorded: Option<Decimal>) -> Standing {
        let paid = self.sent.paid_at_visit.unwrap_or(unrecorded);
        standing(&self.primary, self.secondary.as_ref(), paid.unwrap_or(Decimal::ZERO))
    }
}

/// The answers of claim `claim_id` sent to `primary_payer`: its secondary is
/// the payer of its COB claim (`cob_claims`), else the other payer the claim
/// named (`other_coverage`), else the crossover payer that answered.
/// `None` when the ledger holds no such claim, or when the claim under that
/// payer is itself a COB claim (its standing is the primary's claim's).
pub fn claim_answers(
    conn: &Connection,
    claim_id: &str,
    primary_payer: &str,
) -> Result<Option<ClaimAnswers>, Error> {
    let named: Option<Option<String>> = conn
        .prepare_cached(
            "SELECT COALESCE(
                (SELECT cc.payer_id FROM cob_claims cc
                 WHERE cc.claim_id = c.claim_id AND cc.primary_payer_id = c.payer_id),
                (SELECT oc.other_payer_id FROM other_coverage oc
                 WHERE oc.claim_id = c.claim_id AND oc.payer_id = c.payer_id
                   AND oc.submission_id = c.submission_id LIMIT 1))
             FROM claims c WHERE c.claim_id = ?1 AND c.payer_id = ?2
               AND NOT EXISTS (SELECT 1 FROM cob_claims x
                               WHERE x.claim_id = c.claim_id AND x.payer_id = c.payer_id)",
        )?
        .query_row(params![claim_id, primary_payer], |r| r.get::<_, Option<String>>(0))
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    match named {
        Some(named) => answers_of(conn, claim_id, primary_payer, named).map(Some),
        None => Ok(None),
    }
}

fn answers_of(
    conn: &Connection,
    claim_id: &str,
    primary_payer: &str,
    named: Option<String>,
) -> Result<ClaimAnswers, Error> {
    let sent = sent_as(conn, claim_id, primary_payer)?.unwrap_or_default();
    let primary = payer_answer(conn, claim_id, primary_payer)?;
    let second_payer = match named.filter(|s| !s.is_empty()) {
        Some(s) => Some(s),
        None => crossover_payer(conn, claim_id, primary_payer)?,
    };
    let secondary = match &second_payer {
        None => None,
        Some(s) => Some(payer_answer(conn, claim_id, s)?),
    };
    Ok(ClaimAnswers {
        claim_id: claim_id.to_string(),
        primary_payer: primary_payer.to_string(),
        second_payer,
        sent,
        primary,
        secondary,
    })
}

/// Calls `visit` with the answers of every claim the ledger's
/// `patient_responsibility` view gives a share above 0, by claim id; only
/// claims of primary payer `payer` when given and first sent within
/// `from..=to` when given.
pub fn each_balance<E: From<Error>>(
    conn: &Connection,
    payer: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    mut visit: impl FnMut(ClaimAnswers) -> Result<(), E>,
) -> Result<(), E> {
    let mut st = conn
        .prepare(
            "SELECT claim_id, primary_payer_id, COALESCE(secondary_payer_id, '')
             FROM patient_responsibility WHERE CAST(amount AS REAL) > 0
             ORDER BY claim_id, primary_payer_id",
        )
        .map_err(Error::from)?;
    let mut rows = st.query([]).map_err(Error::from)?;
    while let Some(r) = rows.next().map_err(Error::from)? {
        let Some(answers) = share_row(conn, r, payer, from, to)? else { continue };
        visit(answers)?;
    }
    Ok(())
}

fn share_row(
    conn: &Connection,
    r: &Row<'_>,
    payer: Option<&str>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Option<ClaimAnswers>, Error> {
    let (claim_id, primary, secondary) = (text(r, 0)?, text(r, 1)?, text(r, 2)?);
    if payer.is_some_and(|p| p != primary) {
        return Ok(None);
    }
    let sent = sent_as(conn, &claim_id, &primary)?.unwrap_or_default();
    if from.is_some_and(|f| sent.sent.map_or(true, |s| s < f))
        || to.is_some_and(|t| sent.sent.map_or(true, |s| s > t))
    {
        return Ok(None);
    }
    answers_of(conn, &claim_id, &primary, Some(secondary)).map(Some)
}

/// The payer other than `primary` answering claim `claim_id` as a later
/// payer without a claim of its own in the ledger: the crossover payer
/// (reconcile posts its answer under its own id).
fn crossover_payer(
    conn: &Connection,
    claim_id: &str,
    primary: &str,
) -> Result<Option<String>, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT p.payer_id FROM claim_payments p
         WHERE p.claim_id = ?1 AND p.payer_id <> ?2 AND {LIVE}
           AND NOT EXISTS (SELECT 1 FROM claims c
                           WHERE c.claim_id = p.claim_id AND c.payer_id = p.payer_id)
         ORDER BY p.id LIMIT 1"
    ))?;
    let mut rows = st.query(params![claim_id, primary])?;
    match rows.next()? {
        Some(r) => Ok(Some(text(r, 0)?)),
        None => Ok(None),
    }
}

/// The live payments of `claim_id` at `payer_id`, summed exactly.
fn payer_answer(conn: &Connection, claim_id: &str, payer_id: &str) -> Result<PayerAnswer, Error> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT p.patient_responsibility, p.paid, p.adjustments, p.clp02 FROM claim_payments p
         WHERE p.claim_id = ?1 AND p.payer_id = ?2 AND {LIVE}"
    ))?;
    let mut rows = st.query(params![claim_id, payer_id])?;
    let mut m = PayerAnswer::default();
    while let Some(r) = rows.next()? {
        m.patient_responsibility += dec(r, 0)?;
        m.paid += dec(r, 1)?;
        m.payments += 1;
        m.forwarded |= matches!(text(r, 3)?.trim(), "19" | "20" | "21");
        if !m.adjustments.is_empty() {
            m.adjustments.push(';');
        }
        m.adjustments.push_str(&text(r, 2)?);
    }
    Ok(m)
}

/// Reads what a claim was sent as; `None` when the ledger does not know
/// the claim (`claims`, `submissions`, `claim_patients`, `claim_history`).
fn sent_as(conn: &Connection, claim_id: &str, payer_id: &str) -> Result<Option<SentAs>, Error> {
    let mut st = conn.prepare_cached(
        "SELECT s.file, cp.patient_last, cp.patient_first, cp.patient_dob, cp.service_date,
            (SELECT MIN(h.at) FROM claim_history h
             WHERE h.claim_id = c.claim_id AND h.payer_id = c.payer_id
               AND h.submission_id IS NOT NULL),
            cp.patient_paid
         FROM claims c JOIN submissions s ON s.id = c.submission_id
         LEFT JOIN claim_patients cp ON cp.claim_id = c.claim_id AND cp.payer_id = c.payer_id
              AND cp.submission_id = c.submission_id
         WHERE c.claim_id = ?1 AND c.payer_id = ?2",
    )?;
    let mut rows = st.query(params![claim_id, payer_id])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let patient = match r.get_ref(1)? {
        ValueRef::Null => None,
        _ => Some((text(r, 1)?, text(r, 2)?, text(r, 3)?, text(r, 4)?)),
    };
    let paid_at_visit = match r.get_ref(6)? {
        ValueRef::Null => None,
        _ if text(r, 6)?.trim().is_empty() => Some(None),
        _ => Some(Some(dec(r, 6)?)),
    };
    Ok(Some(SentAs { file: text(r, 0)?, patient, sent: day(&text(r, 5)?), paid_at_visit }))
}
