//! The report's grouped queries (`claimflow report`), and the ledger facts
//! each one reads; the pass over every claim (aging, claim outcomes,
//! patient balances) is `claims`.
//!
//! All run inside one read transaction (`read::begin`, `read::end`), so
//! every file describes the same moment of the ledger. Amounts are summed in
//! SQL with the exact decimal functions of `sqlfn` (registered by
//! `read::begin`); what comes back is one row per group (payer, month,
//! reason, code). Nothing here formats or writes files.
//!
//! Words used below:
//! - a *live* payment is a claim payment matched to a sent claim, not a
//!   reversal and not undone by one (`matched = 1`, `reversed_by IS NULL`,
//!   status not `reversed` or `unmatched`);
//! - a claim's *sent date* is the first time it went out (the earliest
//!   `claim_history` row with a submission);
//! - a payment's *date* is the remittance's BPR16, else the day it was
//!   applied.

use rusqlite::{params, Connection, Row};
use rust_decimal::Decimal;

use super::live::LIVE;
use super::{dec, text, ReadError as Error};

/// What the queries are restricted to.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    /// Only this payer's claims and payments.
    pub payer: Option<String>,
    /// Payments dated on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Payments dated on or before (YYYY-MM-DD).
    pub to: Option<String>,
}

/// A payment (`p`) of a later payer on a claim: to a secondary on a COB
/// claim (`cob_claims`), or of the crossover payer, which has no claim of its
/// own. Its CLP03 is the charge the primary was billed: not billed again.
const LATER: &str = "(EXISTS (SELECT 1 FROM cob_claims x
        WHERE x.claim_id = p.claim_id AND x.payer_id = p.payer_id)
    OR (p.matched = 1 AND NOT EXISTS (SELECT 1 FROM claims x
        WHERE x.claim_id = p.claim_id AND x.payer_id = p.payer_id)))";

/// A payment's date.
const PAY_DATE: &str = "COALESCE(r.payment_date, substr(r.applied_at, 1, 10))";

/// `WHERE` terms on payments `p` of remittances `r`: payer ?1, dates ?2..?3.
fn payment_terms() -> String {
    format!("(?1 IS NULL OR p.payer_id = ?1) AND (?2 IS NULL OR {PAY_DATE} >= ?2) AND (?3 IS NULL OR {PAY_DATE} <= ?3)")
}

/// Count in column `i`.
fn count(row: &Row<'_>, i: usize) -> Result<u64, Error> {
    Ok(u64::try_from(row.get::<_, i64>(i)?).unwrap_or(0))
}

/// Money of the claim payments of one payer and month.
#[derive(Debug, Default)]
pub(crate) struct PaymentGroup {
    /// `claim_payments.payer_id`.
    pub payer_id: String,
    /// `YYYY-MM` of the payment's date.
    pub month: String,
    /// Claim payments (every posted row, reversals included).
    pub payments: u64,
    /// Sums of `billed`, `allowed` (paid + patient responsibility on rows
    /// posted before schema 9), `paid`, `contractual`,
    /// `patient_responsibility`, `denied`.
    pub billed: Decimal,
    /// See `billed`.
    pub allowed: Decimal,
    /// See `billed`.
    pub paid: Decimal,
    /// See `billed`.
    pub contractual: Decimal,
    /// See `billed`.
    pub patient_responsibility: Decimal,
    /// See `billed`.
    pub denied: Decimal,
}

/// Every claim payment posted (matched or not, reversals included: their
/// negative amounts cancel what they reverse), by payer and month.
pub(crate) fn payments(conn: &Connection, f: &Filter) -> Result<Vec<PaymentGroup>, Error> {
    let sql = format!(
        "SELECT p.payer_id, substr({PAY_DATE}, 1, 7) AS month, COUNT(*),
            dec_sum(CASE WHEN {LATER} OR p.replaced_by IS NOT NULL THEN '0' ELSE p.billed END),
            dec_sum(CASE WHEN p.replaced_by IS NOT NULL THEN '0'
                    ELSE COALESCE(p.allowed, dec_add(p.paid, p.patient_responsibility)) END),
            dec_sum(p.paid),
            dec_sum(CASE WHEN p.replaced_by IS NOT NULL THEN '0' ELSE p.contractual END),
            dec_sum(CASE WHEN p.replaced_by IS NOT NULL THEN '0' ELSE p.patient_responsibility END),
            dec_sum(CASE WHEN p.replaced_by IS NOT NULL THEN '0' ELSE p.denied END)
         FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
         WHERE {}
         GROUP BY p.payer_id, month ORDER BY p.payer_id, month",
        payment_terms()
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(PaymentGroup {
            payer_id: text(r, 0)?,
            month: text(r, 1)?,
            payments: count(r, 2)?,
            billed: dec(r, 3)?,
            allowed: dec(r, 4)?,
            paid: dec(r, 5)?,
            contractual: dec(r, 6)?,
            patient_responsibility: dec(r, 7)?,
            denied: dec(r, 8)?,
        });
    }
    Ok(out)
}

/// Provider-level adjustments and deposits of one payer and month.
#[derive(Debug)]
pub(crate) struct RemitGroup {
    /// `remittances.payer_id` (the paying payer).
    pub payer_id: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Sum of `plb_total` (positive = taken back).
    pub plb: Decimal,
    /// Sum of `bpr02`.
    pub bpr02: Decimal,
}

/// PLB totals and BPR02 deposits (`remittances`), by payer and month.
pub(crate) fn remittances(conn: &Connection, f: &Filter) -> Result<Vec<RemitGroup>, Error> {
    let sql = format!(
        "SELECT r.payer_id, substr({PAY_DATE}, 1, 7) AS month, dec_sum(r.plb_total), dec_sum(r.bpr02)
         FROM remittances r
         WHERE (?1 IS NULL OR r.payer_id = ?1) AND (?2 IS NULL OR {PAY_DATE} >= ?2)
           AND (?3 IS NULL OR {PAY_DATE} <= ?3)
         GROUP BY r.payer_id, month ORDER BY r.payer_id, month"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(RemitGroup {
            payer_id: text(r, 0)?,
            month: text(r, 1)?,
            plb: dec(r, 2)?,
            bpr02: dec(r, 3)?,
        });
    }
    Ok(out)
}

/// How many live payments of a payer and month came `days` after the claim
/// was first sent (payments that paid more than 0).
#[derive(Debug)]
pub(crate) struct DaysGroup {
    /// Payer.
    pub payer_id: String,
    /// `YYYY-MM` of the payment's date.
    pub month: String,
    /// Days from first sent to the payment's date.
    pub days: i64,
    /// Payments.
    pub payments: u64,
}

/// Days to pay as a histogram per payer and month: one row per distinct day
/// count, so memory grows with groups, not with payments.
pub(crate) fn days_to_pay(conn: &Connection, f: &Filter) -> Result<Vec<DaysGroup>, Error> {
    let sql = format!(
        "SELECT payer_id, month, days, COUNT(*) FROM (
            SELECT p.payer_id, substr({PAY_DATE}, 1, 7) AS month,
              CAST(julianday({PAY_DATE}) - julianday(substr(
                (SELECT MIN(h.at) FROM claim_history h
                 WHERE h.claim_id = p.claim_id AND h.payer_id = p.payer_id
                   AND h.submission_id IS NOT NULL), 1, 10)) AS INTEGER) AS days
            FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
            WHERE {LIVE} AND dec_sign(p.paid) > 0 AND {})
         WHERE days IS NOT NULL
         GROUP BY payer_id, month, days ORDER BY payer_id, month, days",
        payment_terms()
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(DaysGroup {
            payer_id: text(r, 0)?,
            month: text(r, 1)?,
            days: r.get(2)?,
            payments: count(r, 3)?,
        });
    }
    Ok(out)
}

/// Denied money of one payer and reason (`payment_denials` of live payments).
#[derive(Debug)]
pub(crate) struct DenialGroup {
    /// Payer.
    pub payer_id: String,
    /// CAS01 (empty on total rows).
    pub group_code: String,
    /// CARC (empty on total rows).
    pub carc: String,
    /// Distinct claims with such an adjustment.
    pub claims: u64,
    /// Distinct lines with such an adjustment (line-level ones only).
    pub lines: u64,
    /// Sum of the adjustments.
    pub amount: Decimal,
}

/// Denials of live payments dated in the filter, by payer and reason
/// (`by_reason`) or by payer only (the payer's total row).
pub(crate) fn denials(
    conn: &Connection,
    f: &Filter,
    by_reason: bool,
) -> Result<Vec<DenialGroup>, Error> {
    let (keys, group) = if by_reason {
        ("p.payer_id, d.group_code, d.carc", "p.payer_id, d.group_code, d.carc")
    } else {
        ("p.payer_id, '', ''", "p.payer_id")
    };
    let sql = format!(
        "SELECT {keys}, COUNT(DISTINCT p.claim_id),
            COUNT(DISTINCT CASE WHEN d.line_no > 0 THEN d.payment_id || ':' || d.line_no END),
            dec_sum(d.amount)
         FROM payment_denials d JOIN claim_payments p ON p.id = d.payment_id
           JOIN remittances r ON r.id = p.remittance_id
         WHERE {LIVE} AND {} GROUP BY {group} ORDER BY {group}",
        payment_terms()
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(DenialGroup {
            payer_id: text(r, 0)?,
            group_code: text(r, 1)?,
            carc: text(r, 2)?,
            claims: count(r, 3)?,
            lines: count(r, 4)?,
            amount: dec(r, 5)?,
        });
    }
    Ok(out)
}

/// What a payer adjudicated: the denominators of the denial rates.
#[derive(Debug)]
pub(crate) struct Adjudicated {
    /// Payer.
    pub payer_id: String,
    /// Distinct claims with a live payment.
    pub claims: u64,
    /// Sum of their `billed`.
    pub billed: Decimal,
}

/// Claims adjudicated (live payments dated in the filter), per payer.
/// Claims are counted per payer, so the sums over payers count each
/// (claim, payer) once.
pub(crate) fn adjudicated(conn: &Connection, f: &Filter) -> Result<Vec<Adjudicated>, Error> {
    let sql = format!(
        "SELECT p.payer_id, COUNT(DISTINCT p.claim_id), dec_sum(p.billed)
         FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
         WHERE {LIVE} AND {} GROUP BY p.payer_id ORDER BY p.payer_id",
        payment_terms()
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(Adjudicated { payer_id: text(r, 0)?, claims: count(r, 1)?, billed: dec(r, 2)? });
    }
    Ok(out)
}

/// Lines, billed and paid of one procedure code.
#[derive(Debug)]
pub(crate) struct ProcedureGroup {
    /// `remittance_procedures.procedure`.
    pub procedure: String,
    /// Lines (net of reversals).
    pub lines: i64,
    /// Sum of SVC02.
    pub billed: Decimal,
    /// Sum of SVC03.
    pub paid: Decimal,
}

/// Service lines of the matched payments of remittances dated in the
/// filter, by procedure code (`remittance_procedures`, summed per
/// remittance when posted; reversals net out what they reverse).
pub(crate) fn procedures(conn: &Connection, f: &Filter) -> Result<Vec<ProcedureGroup>, Error> {
    let sql = format!(
        "SELECT rp.procedure, SUM(rp.lines), dec_sum(rp.billed), dec_sum(rp.paid)
         FROM remittance_procedures rp JOIN remittances r ON r.id = rp.remittance_id
         WHERE (?1 IS NULL OR rp.payer_id = ?1) AND (?2 IS NULL OR {PAY_DATE} >= ?2)
           AND (?3 IS NULL OR {PAY_DATE} <= ?3)
         GROUP BY rp.procedure"
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query(params![f.payer, f.from, f.to])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(ProcedureGroup {
            procedure: text(r, 0)?,
            lines: r.get(1)?,
            billed: dec(r, 2)?,
            paid: dec(r, 3)?,
        });
    }
    Ok(out)
}

/// Totals the report's files must tie out to, read apart from them.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    /// Sum of `claim_payments.paid` in the filter.
    pub paid: Decimal,
    /// Sum of `remittances.plb_total` in the filter.
    pub plb: Decimal,
    /// Sum of `remittances.bpr02` in the filter.
    pub bpr02: Decimal,
}

/// The ledger's own totals of payments and deposits in the filter.
pub(crate) fn totals(conn: &Connection, f: &Filter) -> Result<Totals, Error> {
    let paid: String = conn.query_row(
        &format!(
            "SELECT dec_sum(p.paid) FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id WHERE {}",
            payment_terms()
        ),
        params![f.payer, f.from, f.to],
        |r| r.get(0),
    )?;
    let (plb, bpr02): (String, String) = conn.query_row(
        &format!(
            "SELECT dec_sum(r.plb_total), dec_sum(r.bpr02) FROM remittances r
             WHERE (?1 IS NULL OR r.payer_id = ?1) AND (?2 IS NULL OR {PAY_DATE} >= ?2)
               AND (?3 IS NULL OR {PAY_DATE} <= ?3)"
        ),
        params![f.payer, f.from, f.to],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let parse = |s: String| -> Result<Decimal, Error> {
        s.parse().map_err(|_| Error::Value { what: format!("total {s:?}") })
    };
    Ok(Totals { paid: parse(paid)?, plb: parse(plb)?, bpr02: parse(bpr02)? })
}

/// Every payer id the ledger knows (of claims sent and of claim payments),
/// once, in id order: `--payer` must name one of them.
pub(crate) fn payer_ids(conn: &Connection) -> Result<Vec<String>, Error> {
    let mut st = conn.prepare(
        "SELECT payer_id FROM claims UNION SELECT payer_id FROM claim_payments ORDER BY 1",
    )?;
    let rows = st.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<Result<_, _>>()?)
}
