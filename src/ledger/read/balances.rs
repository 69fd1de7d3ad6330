//! What a claim's standing needs, read from the ledger: the claim as sent
//! (first sent, its 837, the patient, what the patient paid at the visit)
//! and the live payments of each payer in coordination-of-benefits order
//! (the primary, then the payer `live::later_payer` names), summed exactly
//! by `live::answer_of` into [`PayerAnswer`]s for
//! [`crate::ledger::standing`].
//!
//! [`claim_answers`] reads one claim (the claim view of `claimflow status`)
//! in two queries; the report's bulk pass (`read::claims::each_claim`)
//! reads every claim's answers with the same columns and helpers. This module
//! decides nothing: the rule is `ledger::standing`.

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;

use super::live::{self, answer_of, later_payer, Live};
use super::{day, dec, text, ReadError as Error};
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

/// The secondary of claim `c` billed (`cob_claims`) or named
/// (`other_coverage`); NULL when neither.
pub(super) const NAMED: &str = "COALESCE(
    (SELECT billed.payer_id FROM cob_claims billed
     WHERE billed.claim_id = c.claim_id AND billed.primary_payer_id = c.payer_id),
    (SELECT named.other_payer_id FROM other_coverage named
     WHERE named.claim_id = c.claim_id AND named.payer_id = c.payer_id
       AND named.submission_id = c.submission_id LIMIT 1))";

/// When claim `c` was first sent (the earliest `claim_history` row with a
/// submission).
pub(super) const FIRST_SENT: &str = "(SELECT MIN(h.at) FROM claim_history h
    WHERE h.claim_id = c.claim_id AND h.payer_id = c.payer_id AND h.submission_id IS NOT NULL)";

/// The six columns [`sent_as`] reads of claim `c`, from [`SENT_AS_JOINS`].
pub(super) const SENT_AS: &str =
    "s.file, cp.patient_last, cp.patient_first, cp.patient_dob, cp.service_date, cp.patient_paid";

/// The joins [`SENT_AS`] reads from.
pub(super) const SENT_AS_JOINS: &str = "LEFT JOIN submissions s ON s.id = c.submission_id
    LEFT JOIN claim_patients cp ON cp.claim_id = c.claim_id AND cp.payer_id = c.payer_id
         AND cp.submission_id = c.submission_id";

/// What the patient paid at the visit, from the [`SENT_AS`] column `i`.
pub(super) fn paid_at_visit(r: &Row<'_>, i: usize) -> Result<Option<Option<Decimal>>, Error> {
    Ok(match r.get_ref(i)? {
        ValueRef::Null => None,
        _ if text(r, i)?.trim().is_empty() => Some(None),
        _ => Some(Some(dec(r, i)?)),
    })
}

/// What a claim was sent as, from the [`SENT_AS`] columns starting at
/// `first` and the [`FIRST_SENT`] column `sent`; default when the ledger
/// holds no submission for it.
pub(super) fn sent_as(r: &Row<'_>, first: usize, sent: usize) -> Result<SentAs, Error> {
    if let ValueRef::Null = r.get_ref(first)? {
        return Ok(SentAs::default());
    }
    let patient = match r.get_ref(first + 1)? {
        ValueRef::Null => None,
        _ => Some((
            text(r, first + 1)?,
            text(r, first + 2)?,
            text(r, first + 3)?,
            text(r, first + 4)?,
        )),
    };
    Ok(SentAs {
        file: text(r, first)?,
        patient,
        sent: day(&text(r, sent)?),
        paid_at_visit: paid_at_visit(r, first + 5)?,
    })
}

/// The answers of a claim from its live payments `group` (of its claim id).
pub(super) fn answers(
    claim_id: String,
    primary_payer: String,
    named: Option<String>,
    sent: SentAs,
    group: &[Live],
) -> ClaimAnswers {
    let primary = answer_of(group, &primary_payer);
    let second_payer = later_payer(group, &primary_payer, named);
    let secondary = second_payer.as_deref().map(|s| answer_of(group, s));
    ClaimAnswers { claim_id, primary_payer, second_payer, sent, primary, secondary }
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
    let mut st = conn.prepare_cached(&format!(
        "SELECT {NAMED}, {FIRST_SENT}, {SENT_AS}
         FROM claims c {SENT_AS_JOINS}
         WHERE c.claim_id = ?1 AND c.payer_id = ?2
           AND NOT EXISTS (SELECT 1 FROM cob_claims x
                           WHERE x.claim_id = c.claim_id AND x.payer_id = c.payer_id)"
    ))?;
    let mut rows = st.query(params![claim_id, primary_payer])?;
    let Some(r) = rows.next()? else { return Ok(None) };
    let named = match r.get_ref(0)? {
        ValueRef::Null => None,
        _ => Some(text(r, 0)?),
    };
    let sent = sent_as(r, 2, 1)?;
    let group = live::of_claim(conn, claim_id)?;
    Ok(Some(answers(claim_id.into(), primary_payer.into(), named, sent, &group)))
}
