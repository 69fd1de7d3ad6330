//! Remittances in the ledger (schema version 2): which 835s were applied,
//! the claim payments they posted, and reversals undoing earlier postings.
//!
//! An 835 transaction set is applied once, keyed by payer id + TRN02 trace
//! number + the file's sha256: posting the same file again posts nothing.
//! Each claim payment adds a `claim_payments` row, a `claim_history` row with
//! its status, and sets the claim's current status. A reversal (CLP02 = 22)
//! marks the latest earlier live payment of the claim as `reversed_by` it; the
//! corrected payment that follows posts fresh. Everything of one run is one
//! transaction. This module does not match or classify (that is `reconcile`).

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use rust_decimal::Decimal;

use super::{Error, Ledger};

/// A claim the ledger knows as sent (current state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerClaim {
    /// CLM01.
    pub claim_id: String,
    /// 2010BB payer id.
    pub payer_id: String,
    /// CLM02 as last sent.
    pub total_charge: Decimal,
    /// Current status (`sent`, `paid`, `denied`, …).
    pub status: String,
    /// The 837 file it was last sent in.
    pub file: String,
    /// When that file was written (ISO 8601, the run's clock).
    pub sent_at: String,
    /// The payer's claim number from the latest payment that gave one.
    pub payer_claim_id: Option<String>,
}

/// One claim payment to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPosting {
    /// The matched claim's CLM01 (CLP01 when unmatched).
    pub claim_id: String,
    /// The matched claim's payer id (the remittance's payer when unmatched).
    pub payer_id: String,
    /// True when a sent claim matched.
    pub matched: bool,
    /// CLP01 as received.
    pub clp01: String,
    /// CLP02.
    pub clp02: String,
    /// CLP07.
    pub payer_claim_id: String,
    /// Classification (`paid`, `denied`, `reversed`, …).
    pub status: String,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// PR total.
    pub patient_responsibility: Decimal,
    /// CO total.
    pub contractual: Decimal,
    /// OA/PI total.
    pub other_adjustments: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;` (claim, then lines).
    pub adjustments: String,
    /// True for a reversal (CLP02 = 22).
    pub reversal: bool,
}

/// One 835 transaction set to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemitPosting {
    /// The payer's id.
    pub payer_id: String,
    /// TRN02.
    pub trace: String,
    /// sha256 of the file, hex.
    pub file_sha256: String,
    /// The file as named.
    pub file: String,
    /// ST02.
    pub st02: String,
    /// BPR02.
    pub bpr02: Decimal,
    /// BPR16, `YYYY-MM-DD`.
    pub payment_date: Option<String>,
    /// PLB total (positive = taken back).
    pub plb_total: Decimal,
    /// Claim payments in file order.
    pub payments: Vec<PaymentPosting>,
}

/// What a posting run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostSummary {
    /// (payer, trace) of sets posted now.
    pub applied: Vec<(String, String)>,
    /// (payer, trace) of sets that were already applied (nothing posted).
    pub already_applied: Vec<(String, String)>,
    /// Claim payments posted.
    pub payments: usize,
    /// Earlier postings undone by reversals.
    pub undone: usize,
    /// Reversals that found no earlier posting to undo.
    pub reversals_without_posting: usize,
}

/// Schema version 2: remittances, claim payments, provider adjustments.
pub const MIGRATION_V2: &str = r#"
CREATE TABLE remittances (
    id           INTEGER PRIMARY KEY,
    payer_id     TEXT NOT NULL,        -- N1*PR REF*2U, N104, or TRN03
    trace        TEXT NOT NULL,        -- TRN02 check/EFT trace number
    file_sha256  TEXT NOT NULL,
    file         TEXT NOT NULL,
    st02         TEXT NOT NULL,
    bpr02        TEXT NOT NULL,        -- decimal text
    plb_total    TEXT NOT NULL,        -- decimal text, positive = taken back
    payment_date TEXT,                 -- BPR16, YYYY-MM-DD
    applied_at   TEXT NOT NULL,        -- the run's --now
    UNIQUE (payer_id, trace, file_sha256)
);

CREATE TABLE claim_payments (
    id                     INTEGER PRIMARY KEY,
    remittance_id          INTEGER NOT NULL REFERENCES remittances (id),
    claim_id               TEXT NOT NULL,  -- matched CLM01, or CLP01 when unmatched
    payer_id               TEXT NOT NULL,  -- the claim's payer id (ledger key)
    matched                INTEGER NOT NULL,
    clp01                  TEXT NOT NULL,
    clp02                  TEXT NOT NULL,
    payer_claim_id         TEXT NOT NULL,  -- CLP07
    status                 TEXT NOT NULL,  -- paid, partial, denied, patient_responsibility, reversed, unmatched
    billed                 TEXT NOT NULL,
    paid                   TEXT NOT NULL,
    patient_responsibility TEXT NOT NULL,
    contractual            TEXT NOT NULL,
    other_adjustments      TEXT NOT NULL,
    adjustments            TEXT NOT NULL,  -- 'CO-45 20.00;PR-1 10.00'
    reverses               INTEGER REFERENCES claim_payments (id),
    reversed_by            INTEGER REFERENCES claim_payments (id)
);
CREATE INDEX claim_payments_claim ON claim_payments (claim_id, payer_id);
"#;

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

impl Ledger {
    /// Every claim of a complete submission, with its current status and the
    /// payer claim number learned from earlier remittances.
    pub fn sent_claims(&self) -> Result<Vec<LedgerClaim>, Error> {
        let mut pcn: std::collections::HashMap<(String, String), String> = Default::default();
        {
            let mut st = self
                .conn
                .prepare(
                    "SELECT claim_id, payer_id, payer_claim_id FROM claim_payments
                     WHERE matched = 1 AND payer_claim_id <> '' ORDER BY id",
                )
                .map_err(self.sq())?;
            let rows = st
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get(2)?)))
                .map_err(self.sq())?;
            for row in rows {
                let (c, p, n) = row.map_err(self.sq())?;
                pcn.insert((c, p), n);
            }
        }
        let mut st = self
            .conn
            .prepare(
                "SELECT c.claim_id, c.payer_id, c.total_charge, c.status, s.file, s.created_at
                 FROM claims c JOIN submissions s ON s.id = c.submission_id
                 WHERE s.state = 'complete' ORDER BY s.id, c.rowid",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(self.sq())?;
        let mut out = Vec::new();
        for row in rows {
            let (claim_id, payer_id, charge, status, file, sent_at) = row.map_err(self.sq())?;
            let payer_claim_id = pcn.remove(&(claim_id.clone(), payer_id.clone()));
            out.push(LedgerClaim {
                total_charge: charge.parse().unwrap_or_default(),
                claim_id,
                payer_id,
                status,
                file,
                sent_at,
                payer_claim_id,
            });
        }
        Ok(out)
    }

    /// True when this 835 set (payer + trace + file hash) was applied before.
    pub fn is_applied(
        &self,
        payer_id: &str,
        trace: &str,
        file_sha256: &str,
    ) -> Result<bool, Error> {
        self.conn
            .query_row(
                "SELECT 1 FROM remittances WHERE payer_id = ?1 AND trace = ?2 AND file_sha256 = ?3",
                params![payer_id, trace, file_sha256],
                |_| Ok(()),
            )
            .optional()
            .map(|o| o.is_some())
            .map_err(self.sq())
    }

    /// Posts remittances in order, in one transaction; sets already applied
    /// are skipped. `at` is the run's clock (ISO 8601).
    pub fn post_remittances(
        &mut self,
        remits: &[RemitPosting],
        at: &str,
    ) -> Result<PostSummary, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let mut summary = PostSummary::default();
        {
            let mut exists = tx
                .prepare_cached(
                    "SELECT 1 FROM remittances WHERE payer_id = ?1 AND trace = ?2 AND file_sha256 = ?3",
                )
                .map_err(sq)?;
            let mut ins_remit = tx
                .prepare_cached(
                    "INSERT INTO remittances (payer_id, trace, file_sha256, file, st02, bpr02, plb_total, payment_date, applied_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sq)?;
            let mut ins_pay = tx
                .prepare_cached(
                    "INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02, payer_claim_id,
                        status, billed, paid, patient_responsibility, contractual, other_adjustments, adjustments)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .map_err(sq)?;
            let mut find_live = tx
                .prepare_cached(
                    "SELECT id FROM claim_payments
                     WHERE claim_id = ?1 AND payer_id = ?2 AND id < ?3
                       AND reversed_by IS NULL AND status NOT IN ('reversed', 'unmatched')
                     ORDER BY id DESC LIMIT 1",
                )
                .map_err(sq)?;
            let mut undo = tx
                .prepare_cached("UPDATE claim_payments SET reversed_by = ?1 WHERE id = ?2")
                .map_err(sq)?;
            let mut link = tx
                .prepare_cached("UPDATE claim_payments SET reverses = ?1 WHERE id = ?2")
                .map_err(sq)?;
            // History rows and current statuses are written set-wise after
            // the loop (one statement each instead of two per payment).
            let mut first_id: Option<i64> = None;
            let mut last_id: i64 = 0;
            for r in remits {
                let key = (r.payer_id.clone(), r.trace.clone());
                let seen = exists
                    .query_row(params![r.payer_id, r.trace, r.file_sha256], |_| Ok(()))
                    .optional()
                    .map_err(sq)?
                    .is_some();
                if seen {
                    summary.already_applied.push(key);
                    continue;
                }
                ins_remit
                    .execute(params![
                        r.payer_id,
                        r.trace,
                        r.file_sha256,
                        r.file,
                        r.st02,
                        dec(r.bpr02),
                        dec(r.plb_total),
                        r.payment_date,
                        at
                    ])
                    .map_err(sq)?;
                let remit_id = tx.last_insert_rowid();
                for p in &r.payments {
                    ins_pay
                        .execute(params![
                            remit_id,
                            p.claim_id,
                            p.payer_id,
                            p.matched,
                            p.clp01,
                            p.clp02,
                            p.payer_claim_id,
                            p.status,
                            dec(p.billed),
                            dec(p.paid),
                            dec(p.patient_responsibility),
                            dec(p.contractual),
                            dec(p.other_adjustments),
                            p.adjustments,
                        ])
                        .map_err(sq)?;
                    let pay_id = tx.last_insert_rowid();
                    first_id.get_or_insert(pay_id);
                    last_id = pay_id;
                    summary.payments += 1;
                    if p.reversal && p.matched {
                        let earlier: Option<i64> = find_live
                            .query_row(params![p.claim_id, p.payer_id, pay_id], |row| row.get(0))
                            .optional()
                            .map_err(sq)?;
                        match earlier {
                            Some(e) => {
                                undo.execute(params![pay_id, e]).map_err(sq)?;
                                link.execute(params![e, pay_id]).map_err(sq)?;
                                summary.undone += 1;
                            }
                            None => summary.reversals_without_posting += 1,
                        }
                    }
                }
                summary.applied.push(key);
            }
            if let Some(first) = first_id {
                // Status history of every matched payment, in posting order.
                tx.execute(
                    "INSERT INTO claim_history (claim_id, payer_id, status, at, total_charge, detail)
                     SELECT p.claim_id, p.payer_id, p.status, ?1, p.billed,
                            'trace ' || r.trace || ' paid ' || p.paid
                            || CASE WHEN p.reverses IS NULL THEN ''
                                    ELSE '; undoes payment #' || p.reverses END
                     FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
                     WHERE p.id BETWEEN ?2 AND ?3 AND p.matched = 1
                     ORDER BY p.id",
                    params![at, first, last_id],
                )
                .map_err(sq)?;
                // Each claim's current status: that of its latest payment here
                // (SQLite takes the bare column from the MAX(id) row).
                tx.execute(
                    "UPDATE claims SET status = p.status, updated_at = ?1
                     FROM (SELECT claim_id, payer_id, status, MAX(id) AS id FROM claim_payments
                           WHERE id BETWEEN ?2 AND ?3 AND matched = 1
                           GROUP BY claim_id, payer_id) AS p
                     WHERE claims.claim_id = p.claim_id AND claims.payer_id = p.payer_id",
                    params![at, first, last_id],
                )
                .map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)?;
        Ok(summary)
    }
}
