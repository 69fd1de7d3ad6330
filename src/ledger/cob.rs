//! Other coverage in the ledger (schema version 8): which claims were sent
//! to their primary payer naming a secondary (`other_coverage`), which claims
//! were sent to a secondary payer as coordination-of-benefits claims
//! (`cob_claims`, with the primary payment they carry), and the patient's
//! responsibility after all payers (the `patient_responsibility` view).
//!
//! A COB claim is an ordinary claim of the ledger under the secondary
//! payer's id (`claims`, `claim_history`, frequency 1): `reconcile` matches
//! the secondary's 835 to it by claim id + payer like any other. This module
//! only stores and answers; deciding what to send is `secondary`.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;

use super::{Error, Ledger};
use crate::claim::ClaimStatus;

/// Schema version 8: other coverage, COB claims, patient responsibility.
pub(crate) const MIGRATION_V8: &str = r#"
CREATE TABLE other_coverage (
    claim_id       TEXT NOT NULL,     -- CLM01
    payer_id       TEXT NOT NULL,     -- the payer the claim was sent to
    other_payer_id TEXT NOT NULL,     -- 2330B NM109 of the other payer named on it
    responsibility TEXT NOT NULL,     -- 2320 SBR01 of the other payer: 'S' (secondary), 'T'
    submission_id  INTEGER NOT NULL REFERENCES submissions (id),
    PRIMARY KEY (claim_id, payer_id, other_payer_id, submission_id)
);

CREATE TABLE cob_claims (
    claim_id             TEXT NOT NULL,  -- CLM01
    payer_id             TEXT NOT NULL,  -- the secondary payer it was sent to
    primary_payer_id     TEXT NOT NULL,
    primary_payment_id   INTEGER NOT NULL REFERENCES claim_payments (id),
    primary_paid         TEXT NOT NULL,  -- decimal text: 2320 AMT*D
    primary_patient_responsibility TEXT NOT NULL,  -- decimal text: PR adjustments of the primary
    submission_id        INTEGER NOT NULL REFERENCES submissions (id),
    PRIMARY KEY (claim_id, payer_id)
);

-- The patient's responsibility after every payer that has answered, per
-- claim sent to its primary: the PR total of the secondary's live payments
-- when it has paid, else of the primary's (live = matched, not reversed,
-- not a reversal; several when a payer split the claim). Summed in whole
-- cents (integers: amounts have at most two decimals), never as floats.
-- stage: 'final' (no other coverage), 'awaiting_secondary' (other coverage,
-- the secondary has not paid), 'after_secondary'.
CREATE VIEW patient_responsibility AS
WITH live AS (
    SELECT p.claim_id, p.payer_id,
           CAST(ROUND(CAST(p.patient_responsibility AS REAL) * 100) AS INTEGER) AS cents
    FROM claim_payments p
    WHERE p.matched = 1 AND p.reversed_by IS NULL AND p.status NOT IN ('reversed', 'unmatched')
),
per_payer AS (
    SELECT claim_id, payer_id, SUM(cents) AS cents FROM live GROUP BY claim_id, payer_id
),
chain AS (
    SELECT c.claim_id, c.payer_id AS primary_payer_id,
        (SELECT cc.payer_id FROM cob_claims cc
         WHERE cc.claim_id = c.claim_id AND cc.primary_payer_id = c.payer_id) AS secondary_payer_id,
        (SELECT oc.other_payer_id FROM other_coverage oc
         WHERE oc.claim_id = c.claim_id AND oc.payer_id = c.payer_id
           AND oc.submission_id = c.submission_id LIMIT 1) AS covered_by
    FROM claims c
    WHERE NOT EXISTS (SELECT 1 FROM cob_claims x
                      WHERE x.claim_id = c.claim_id AND x.payer_id = c.payer_id)
),
answer AS (
    SELECT ch.claim_id, ch.primary_payer_id,
           COALESCE(ch.secondary_payer_id, ch.covered_by) AS secondary_payer_id,
           COALESCE(s.payer_id, p.payer_id) AS payer_id,
           COALESCE(s.cents, p.cents) AS cents,
           CASE WHEN s.payer_id IS NOT NULL THEN 'after_secondary'
                WHEN ch.covered_by IS NOT NULL OR ch.secondary_payer_id IS NOT NULL
                    THEN 'awaiting_secondary'
                ELSE 'final' END AS stage
    FROM chain ch
    JOIN per_payer p ON p.claim_id = ch.claim_id AND p.payer_id = ch.primary_payer_id
    LEFT JOIN per_payer s ON s.claim_id = ch.claim_id AND s.payer_id = ch.secondary_payer_id
)
SELECT claim_id, payer_id,
       printf('%s%d.%02d', CASE WHEN cents < 0 THEN '-' ELSE '' END, abs(cents) / 100,
              abs(cents) % 100) AS amount,
       stage, primary_payer_id, secondary_payer_id
FROM answer;
"#;

/// A claim sent to its primary payer naming a secondary that has not been
/// billed yet, with the primary's latest payment (if any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CobCandidate {
    /// CLM01.
    pub claim_id: String,
    /// The primary payer's id (the claim's ledger key).
    pub payer_id: String,
    /// The secondary payer's id named on the claim (2330B).
    pub secondary_payer_id: String,
    /// The 837 file the claim was last sent in (absolute path).
    pub file: String,
    /// ST02 of the transaction set of that file the claim was recorded in.
    pub st02: String,
    /// The primary's latest matched payment, when one was posted.
    pub payment: Option<PrimaryPayment>,
    /// The primary's live payments of the claim (matched, not reversed, not
    /// a reversal), oldest first: one, or several when the payer split the
    /// claim over several claim payments.
    pub live: Vec<PrimaryPayment>,
}

/// Where a page of [`Ledger::cob_candidates_page`] ended: the last
/// candidate's `claims` and `other_coverage` rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CobCursor {
    claim_row: i64,
    coverage_row: i64,
}

/// A posted claim payment of the primary payer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrimaryPayment {
    /// `claim_payments.id`.
    pub id: i64,
    /// Its status (paid, partial, denied, patient_responsibility, reversed, forwarded).
    pub status: ClaimStatus,
    /// True when a later reversal undid it.
    pub reversed: bool,
    /// CLP01 as received.
    pub clp01: String,
    /// CLP02.
    pub clp02: String,
    /// CLP07 (may be empty).
    pub payer_claim_id: String,
    /// CLP04.
    pub paid: Decimal,
    /// PR total.
    pub patient_responsibility: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;`.
    pub adjustments: String,
    /// The 835 as named when it was reconciled.
    pub remit_file: String,
    /// sha256 of that file when it was reconciled.
    pub remit_sha256: String,
    /// ST02 of the transaction set that carried the payment.
    pub st02: String,
    /// BPR16 payment date (`YYYY-MM-DD`), when given.
    pub payment_date: Option<String>,
    /// The sent line ids it answered, `;`-joined; `None`: every line.
    pub lines: Option<String>,
}

/// A COB claim `secondary` could not build (schema 10, `cob_held`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CobHeld {
    /// CLM01.
    pub claim_id: String,
    /// The primary payer.
    pub payer_id: String,
    /// The secondary payer.
    pub secondary_payer_id: String,
    /// Why, in billing words.
    pub reason: String,
    /// When the secondary run held it.
    pub at: String,
    /// The primary claim's current status.
    pub status: ClaimStatus,
    /// The claim's charge.
    pub charge: Decimal,
}

/// One COB claim sent: what `cob_claims` keeps of it.
#[derive(Clone, Debug)]
pub struct CobRecord {
    /// CLM01.
    pub claim_id: String,
    /// The secondary payer it goes to.
    pub payer_id: String,
    /// The primary payer.
    pub primary_payer_id: String,
    /// The primary payment it carries ([`PrimaryPayment::id`]).
    pub primary_payment_id: i64,
    /// 2320 AMT*D.
    pub primary_paid: Decimal,
    /// The primary's PR adjustments.
    pub primary_patient_responsibility: Decimal,
}

impl Ledger {
    /// Records the other payers named on the claims of submission
    /// `submission_id`: (claim id, payer id, other payer id, SBR01 code).
    pub fn record_other_coverage(
        &mut self,
        submission_id: i64,
        rows: &[(&str, &str, &str, &str)],
    ) -> Result<(), Error> {
        if rows.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO other_coverage
                       (claim_id, payer_id, other_payer_id, responsibility, submission_id)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sq)?;
            for (claim_id, payer_id, other, resp) in rows {
                st.execute(params![claim_id, payer_id, other, resp, submission_id]).map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)
    }

    /// Records the COB claims of submission `submission_id` (call right
    /// after [`Ledger::record_pending`] of that submission).
    pub fn record_cob_claims(
        &mut self,
        submission_id: i64,
        rows: &[CobRecord],
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT INTO cob_claims (claim_id, payer_id, primary_payer_id, primary_payment_id,
                        primary_paid, primary_patient_responsibility, submission_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (claim_id, payer_id) DO UPDATE SET
                        primary_payer_id = excluded.primary_payer_id,
                        primary_payment_id = excluded.primary_payment_id,
                        primary_paid = excluded.primary_paid,
                        primary_patient_responsibility = excluded.primary_patient_responsibility,
                        submission_id = excluded.submission_id",
                )
                .map_err(sq)?;
            for r in rows {
                st.execute(params![
                    r.claim_id,
                    r.payer_id,
                    r.primary_payer_id,
                    r.primary_payment_id,
                    crate::numtext::amount(r.primary_paid),
                    crate::numtext::amount(r.primary_patient_responsibility),
                    submission_id
                ])
                .map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)
    }

    /// Claims sent (in a complete submission) to their primary naming a
    /// secondary payer (SBR01 `S`) that has no claim of that id in the
    /// ledger yet, each with the primary's latest matched payment: at most
    /// `limit` of them, the next ones after `after` (start from
    /// `CobCursor::default()`), in the order the claims were recorded (then
    /// the order their other payers were recorded). Returns the candidates
    /// and the cursor for the next page (an empty page: no more). A
    /// secondary run takes them page by page, so memory holds one page; the
    /// claims it records at the secondary payer enter `claims` only when its
    /// submission is complete, so every page of one run reads the ledger as
    /// it was when the run began.
    pub fn cob_candidates_page(
        &self,
        after: CobCursor,
        limit: usize,
    ) -> Result<(Vec<CobCandidate>, CobCursor), Error> {
        // Driven by the claims' rowid (CROSS JOIN keeps that table first), so
        // that a page starts where the last one ended instead of scanning and
        // sorting every other-coverage row again.
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT c.rowid, oc.rowid, oc.claim_id, oc.payer_id, oc.other_payer_id, s.file, c.st02
                 FROM claims c
                 CROSS JOIN other_coverage oc ON oc.claim_id = c.claim_id AND oc.payer_id = c.payer_id
                              AND oc.submission_id = c.submission_id
                 JOIN submissions s ON s.id = c.submission_id AND s.state = 'complete'
                 WHERE c.rowid >= ?1 AND (c.rowid > ?1 OR oc.rowid > ?2)
                   AND oc.responsibility = 'S'
                   AND NOT EXISTS (SELECT 1 FROM claims x
                                   WHERE x.claim_id = oc.claim_id AND x.payer_id = oc.other_payer_id)
                 ORDER BY c.rowid, oc.rowid
                 LIMIT ?3",
            )
            .map_err(self.sq())?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        type Row = (i64, i64, String, String, String, String, String);
        let rows = st
            .query_map(params![after.claim_row, after.coverage_row, limit], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })
            .map_err(self.sq())?
            .collect::<Result<Vec<Row>, _>>()
            .map_err(self.sq())?;
        let next = rows.last().map_or(after, |r| CobCursor { claim_row: r.0, coverage_row: r.1 });
        let mut pay = self
            .conn
            .prepare_cached(
                "SELECT p.id, p.status, p.reversed_by IS NOT NULL, p.clp01, p.clp02, p.payer_claim_id,
                        p.paid, p.patient_responsibility, p.adjustments, r.file, r.file_sha256,
                        r.st02, r.payment_date, p.lines
                 FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
                 WHERE p.claim_id = ?1 AND p.payer_id = ?2 AND p.matched = 1
                 ORDER BY p.id",
            )
            .map_err(self.sq())?;
        let dec = |s: String| s.parse::<Decimal>().unwrap_or_default();
        let mut out = Vec::with_capacity(rows.len());
        for (_, _, claim_id, payer_id, secondary_payer_id, file, st02) in rows {
            let mut all = pay
                .query_map(params![claim_id, payer_id], |r| {
                    Ok(PrimaryPayment {
                        id: r.get(0)?,
                        status: r.get(1)?,
                        reversed: r.get(2)?,
                        clp01: r.get(3)?,
                        clp02: r.get(4)?,
                        payer_claim_id: r.get(5)?,
                        paid: dec(r.get(6)?),
                        patient_responsibility: dec(r.get(7)?),
                        adjustments: r.get(8)?,
                        remit_file: r.get(9)?,
                        remit_sha256: r.get(10)?,
                        st02: r.get(11)?,
                        payment_date: r.get(12)?,
                        lines: r.get(13)?,
                    })
                })
                .map_err(self.sq())?
                .collect::<Result<Vec<PrimaryPayment>, _>>()
                .map_err(self.sq())?;
            let payment = all.last().cloned();
            all.retain(|p| {
                !p.reversed && !matches!(p.status, ClaimStatus::Reversed | ClaimStatus::Unmatched)
            });
            out.push(CobCandidate {
                claim_id,
                payer_id,
                secondary_payer_id,
                file,
                st02,
                payment,
                live: all,
            });
        }
        Ok((out, next))
    }

    /// Replaces the COB claims held back by `secondary` with `rows`:
    /// (claim id, primary payer id, secondary payer id, reason), at `at`.
    pub fn record_cob_held(
        &mut self,
        rows: &[(String, String, String, String)],
        at: &str,
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        tx.execute("DELETE FROM cob_held", []).map_err(sq)?;
        {
            let mut st = tx
                .prepare_cached(
                    "INSERT OR REPLACE INTO cob_held
                       (claim_id, payer_id, secondary_payer_id, reason, at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(sq)?;
            for (claim_id, payer_id, secondary, reason) in rows {
                st.execute(params![claim_id, payer_id, secondary, reason, at]).map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)
    }

    /// The COB claims the last `secondary` run held back, with the primary
    /// claim's status and charge: (claim id, primary payer id, secondary
    /// payer id, reason, at, status, charge), by claim id.
    pub fn cob_held(&self) -> Result<Vec<CobHeld>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT h.claim_id, h.payer_id, h.secondary_payer_id, h.reason, h.at,
                        c.status, c.total_charge
                 FROM cob_held h JOIN claims c ON c.claim_id = h.claim_id AND c.payer_id = h.payer_id
                 WHERE NOT EXISTS (SELECT 1 FROM claims x WHERE x.claim_id = h.claim_id
                                   AND x.payer_id = h.secondary_payer_id)
                 ORDER BY h.claim_id, h.payer_id",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map([], |r| {
                Ok(CobHeld {
                    claim_id: r.get(0)?,
                    payer_id: r.get(1)?,
                    secondary_payer_id: r.get(2)?,
                    reason: r.get(3)?,
                    at: r.get(4)?,
                    status: r.get(5)?,
                    charge: r.get::<_, String>(6)?.parse().unwrap_or_default(),
                })
            })
            .map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// The payer claim number (CLP07 of the latest payment that gave one)
    /// the ledger holds for each `(claim_id, payer_id)`, in order.
    pub fn payer_claim_numbers(&self, keys: &[(&str, &str)]) -> Result<Vec<Option<String>>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT payer_claim_id FROM claims
                 WHERE claim_id = ?1 AND payer_id = ?2 AND payer_claim_id <> ''",
            )
            .map_err(self.sq())?;
        keys.iter()
            .map(|(c, p)| {
                st.query_row(params![c, p], |r| r.get::<_, Option<String>>(0))
                    .optional()
                    .map(Option::flatten)
                    .map_err(self.sq())
            })
            .collect()
    }
}
