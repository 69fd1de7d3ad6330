//! Remittances in the ledger (schema versions 2 to 6): which 835s were
//! applied, the claim payments they posted, and reversals undoing earlier
//! postings.
//!
//! A payment (an 835 transaction set) is applied once, keyed by payer id +
//! TRN02 trace number + TRN03, whatever file or envelope carries it: the
//! same payment again (the same content fingerprint) posts nothing, and a
//! different payment under a key already used is a conflict that posts
//! nothing either. Rows posted before version 5 have no fingerprint: their
//! BPR02 and claim payments are compared instead.
//! Each claim payment adds a `claim_payments` row and, when it matched a sent
//! claim, sets that claim's current status (and the payer's claim number,
//! CLP07). The payment row is also the claim's status-history event: the
//! `claim_events` view lists `claim_history` (build events) and matched
//! payments together. A reversal (CLP02 = 22) marks the live payment of the
//! claim with the same payer claim number (CLP07) and the negated CLP03 and
//! CLP04 as `reversed_by` it (none found: nothing undone, and it is listed
//! in [`PostSummary::unpaired_reversals`]); the corrected payment that
//! follows posts fresh. Each remittance's PLB adjustments are recorded
//! too (`account`). This module does not match or classify (that is
//! `reconcile`).

use rusqlite::{params, TransactionBehavior};
use rust_decimal::Decimal;

use super::{Error, Ledger};
use crate::claim::ClaimStatus;
use crate::numtext::push_normalized;
use crate::Text;

/// A claim the ledger knows as sent (current state).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerClaim {
    /// The claim's row in this ledger (`claims.rowid`): names it to
    /// [`Ledger::post_remittances`] on the same open ledger.
    pub row: i64,
    /// CLM01.
    pub claim_id: Text,
    /// 2010BB payer id.
    pub payer_id: Text,
    /// CLM02 as last sent.
    pub total_charge: Decimal,
    /// Current status.
    pub status: ClaimStatus,
    /// Index into the [`Ledger::sent_files`] list given to
    /// [`Ledger::sent_claims`] of the file it was last sent in.
    pub submission: usize,
    /// The payer's claim number (CLP07) from the latest payment that gave one.
    pub payer_claim_id: Option<Text>,
}

/// A complete submission: an 837 file the ledger's claims were sent in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentFile {
    /// `submissions.id`.
    pub id: i64,
    /// The file as written (absolute path).
    pub file: String,
    /// When it was written (ISO 8601, the run's clock).
    pub created_at: String,
}

/// One claim payment to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentPosting {
    /// The matched claim's CLM01 (CLP01 when unmatched).
    pub claim_id: Text,
    /// The matched claim's payer id (the remittance's payer when unmatched).
    pub payer_id: Text,
    /// The matched claim's [`LedgerClaim::row`]; `None` when no sent claim
    /// matched (the payment is kept for audit, no claim changes).
    pub claim_row: Option<i64>,
    /// CLP01 as received.
    pub clp01: Text,
    /// CLP02.
    pub clp02: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// Classification (paid, denied, reversed, …).
    pub status: ClaimStatus,
    /// The status the matched claim has after this payment, when it is not
    /// `status` (a claim paid in parts: every live payment considered);
    /// `None`: `status`.
    pub claim_status: Option<ClaimStatus>,
    /// CLP03.
    pub billed: Decimal,
    /// CLP04.
    pub paid: Decimal,
    /// PR total.
    pub patient_responsibility: Decimal,
    /// Contractual total (CO adjustments with a contractual reason).
    pub contractual: Decimal,
    /// Denied total (the adjustments the office can act on).
    pub denied: Decimal,
    /// Total of the other adjustments.
    pub other_adjustments: Decimal,
    /// Every adjustment, `GROUP-CARC amount` joined with `;` (claim, then lines).
    pub adjustments: String,
    /// True for a reversal (CLP02 = 22).
    pub reversal: bool,
    /// The sent line ids the payment answered, `;`-joined; `None` when it
    /// answered every line of the claim (or the lines are not known).
    pub lines: Option<String>,
    /// Where the CLP is in its file (names an unpaired reversal).
    pub pos: crate::x12::Position,
    /// Allowed amount (AMT*B6 of every line when each line gives one, else
    /// paid + patient responsibility).
    pub allowed: Decimal,
    /// The service lines, in file order: summed into the remittance's
    /// procedure rows when the payment is matched (schema version 9).
    pub service_lines: Vec<super::LinePosting>,
    /// The adjustments counted in `denied`, claim level then lines.
    pub denials: Vec<super::DenialPosting>,
    /// True when it answers lines an earlier live denial of the claim
    /// answered, without a reversal: it replaces that denial.
    pub replaces_denial: bool,
}

/// One 835 transaction set (one payment) to post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemitPosting {
    /// The paying payer's id.
    pub payer_id: String,
    /// TRN02.
    pub trace: String,
    /// TRN03 (the payer's originating company id).
    pub trn03: String,
    /// sha256 (hex) of the payment's content, not of its bytes: the same
    /// payment in another envelope or byte form has the same fingerprint.
    pub fingerprint: String,
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
    /// The PLB adjustments, in file order.
    pub adjustments: Vec<super::PlbPosting>,
}

/// A reversal whose claim has no live payment with its payer claim number
/// and negated amounts: it was recorded, and nothing was undone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnpairedReversal {
    /// The 835 file.
    pub file: String,
    /// Where its CLP is.
    pub pos: crate::x12::Position,
    /// The claim.
    pub claim_id: Text,
    /// CLP07.
    pub payer_claim_id: Text,
    /// CLP03 (negative).
    pub billed: Decimal,
    /// CLP04 (negative).
    pub paid: Decimal,
}

/// What a posting run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PostSummary {
    /// (payer, trace) of sets posted now.
    pub applied: Vec<(String, String)>,
    /// (payer, trace) of sets that were already applied (nothing posted).
    pub already_applied: Vec<(String, String)>,
    /// (payer, trace) of sets whose payer and trace (and TRN03) belong to a
    /// different payment already applied: nothing posted.
    pub conflicts: Vec<(String, String)>,
    /// Claim payments posted.
    pub payments: usize,
    /// Of those, payments matched to no sent claim (recorded, no claim updated).
    pub unmatched: usize,
    /// Earlier postings undone by reversals.
    pub undone: usize,
    /// Reversals that found no live payment to undo.
    pub unpaired_reversals: Vec<UnpairedReversal>,
}

/// Schema version 2: remittances, claim payments, provider adjustments.
pub(crate) const MIGRATION_V2: &str = r#"
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

/// Schema version 3: the claim's payer claim number on `claims`, and payment
/// events read from `claim_payments` (through the `claim_events` view)
/// instead of being copied into `claim_history`.
pub(crate) const MIGRATION_V3: &str = r#"
ALTER TABLE claims ADD COLUMN payer_claim_id TEXT;   -- CLP07 of the latest payment that gave one
UPDATE claims SET payer_claim_id = (
    SELECT p.payer_claim_id FROM claim_payments p
    WHERE p.claim_id = claims.claim_id AND p.payer_id = claims.payer_id
      AND p.matched = 1 AND p.payer_claim_id <> ''
    ORDER BY p.id DESC LIMIT 1);
-- Version 2 copied every matched payment into claim_history (no submission,
-- detail 'trace T paid A'); claim_events now reads those from claim_payments.
DELETE FROM claim_history
WHERE submission_id IS NULL AND detail LIKE 'trace % paid %'
  AND status IN ('paid', 'partial', 'denied', 'patient_responsibility', 'reversed');

-- Every event of a claim: build events and later statuses (claim_history),
-- and each matched claim payment. Order by at, source, seq (at the same
-- moment a build event comes before a payment).
CREATE VIEW claim_events AS
SELECT h.claim_id, h.payer_id, h.status, h.at, h.detail,
       h.submission_id, NULL AS payment_id, 'history' AS source, h.id AS seq
FROM claim_history h
UNION ALL
SELECT p.claim_id, p.payer_id, p.status, r.applied_at,
       'trace ' || r.trace || ' paid ' || p.paid
       || CASE WHEN p.reverses IS NULL THEN '' ELSE '; undoes payment #' || p.reverses END,
       NULL, p.id, 'payment', p.id
FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
WHERE p.matched = 1;
"#;

/// Schema version 4: the denied part of a payment's adjustments apart from
/// the contractual part. Rows posted by version 3 keep `contractual` = every
/// CO adjustment and get `denied` NULL (`adjustments` lists each one).
pub(crate) const MIGRATION_V4: &str = r#"
ALTER TABLE claim_payments ADD COLUMN denied TEXT;   -- decimal text; NULL on rows posted by version 3
"#;

/// Schema version 5: a payment is keyed by payer + TRN02 + TRN03 and its
/// content fingerprint, not by file; the unique key on the file's hash goes
/// (two payments in one file may share a trace). The table is rebuilt (run
/// with foreign keys off, checked before commit); earlier rows get NULL
/// `trn03` and `fingerprint`.
pub(crate) const MIGRATION_V5: &str = r#"
DROP VIEW claim_events;
CREATE TABLE remittances_v5 (
    id           INTEGER PRIMARY KEY,
    payer_id     TEXT NOT NULL,        -- the paying payer's id (config id), else REF*2U, N104 or TRN03
    trace        TEXT NOT NULL,        -- TRN02 check/EFT trace number
    trn03        TEXT,                 -- TRN03; NULL on rows posted before version 5
    fingerprint  TEXT,                 -- sha256 of the payment's content; NULL before version 5
    file_sha256  TEXT NOT NULL,
    file         TEXT NOT NULL,
    st02         TEXT NOT NULL,
    bpr02        TEXT NOT NULL,        -- decimal text
    plb_total    TEXT NOT NULL,        -- decimal text, positive = taken back
    payment_date TEXT,                 -- BPR16, YYYY-MM-DD
    applied_at   TEXT NOT NULL         -- the run's --now
);
INSERT INTO remittances_v5 (id, payer_id, trace, trn03, fingerprint, file_sha256, file, st02,
    bpr02, plb_total, payment_date, applied_at)
SELECT id, payer_id, trace, NULL, NULL, file_sha256, file, st02, bpr02, plb_total,
    payment_date, applied_at
FROM remittances;
DROP TABLE remittances;
ALTER TABLE remittances_v5 RENAME TO remittances;
CREATE INDEX remittances_payment ON remittances (payer_id, trace);

CREATE VIEW claim_events AS
SELECT h.claim_id, h.payer_id, h.status, h.at, h.detail,
       h.submission_id, NULL AS payment_id, 'history' AS source, h.id AS seq
FROM claim_history h
UNION ALL
SELECT p.claim_id, p.payer_id, p.status, r.applied_at,
       'trace ' || r.trace || ' paid ' || p.paid
       || CASE WHEN p.reverses IS NULL THEN '' ELSE '; undoes payment #' || p.reverses END,
       NULL, p.id, 'payment', p.id
FROM claim_payments p JOIN remittances r ON r.id = p.remittance_id
WHERE p.matched = 1;
"#;

/// What the ledger already holds under a payment's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Seen {
    /// Nothing: post it.
    New,
    /// The same payment: post nothing.
    Applied,
    /// Another payment under the same key: post nothing, report it.
    Conflict,
}

/// True when remittance row `id`, posted before version 5 (no
/// fingerprint), holds the same payment as `r`: the same BPR02 and the same
/// claim payments (CLP01, CLP02, amounts, CLP07, adjustments) in order.
fn same_as_legacy(
    conn: &rusqlite::Connection,
    id: i64,
    bpr02: &str,
    r: &RemitPosting,
) -> rusqlite::Result<bool> {
    let dec = |s: &str| s.parse::<Decimal>().ok();
    if dec(bpr02) != Some(r.bpr02) {
        return Ok(false);
    }
    let mut st = conn.prepare_cached(
        "SELECT clp01, clp02, billed, paid, payer_claim_id, adjustments
         FROM claim_payments WHERE remittance_id = ?1 ORDER BY id",
    )?;
    let rows = st
        .query_map([id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, String>(4)?,
                row.get::<_, String>(5)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows.len() == r.payments.len()
        && rows.iter().zip(&r.payments).all(|(row, p)| {
            row.0 == p.clp01.as_str()
                && row.1 == p.clp02.as_str()
                && dec(&row.2) == Some(p.billed)
                && dec(&row.3) == Some(p.paid)
                && row.4 == p.payer_claim_id.as_str()
                && row.5 == p.adjustments
        }))
}

/// Inserts one claim payment of remittance `remit_id` and returns its id.
/// Values are bound in place; the six amounts share one text buffer
/// (SQLite copies bound text).
fn insert_payment(
    st: &mut rusqlite::CachedStatement<'_>,
    conn: &rusqlite::Connection,
    remit_id: i64,
    p: &PaymentPosting,
    amount: &mut String,
) -> rusqlite::Result<i64> {
    st.raw_bind_parameter(1, remit_id)?;
    st.raw_bind_parameter(2, p.claim_id.as_str())?;
    st.raw_bind_parameter(3, p.payer_id.as_str())?;
    st.raw_bind_parameter(4, p.claim_row.is_some())?;
    st.raw_bind_parameter(5, p.clp01.as_str())?;
    st.raw_bind_parameter(6, p.clp02.as_str())?;
    st.raw_bind_parameter(7, p.payer_claim_id.as_str())?;
    st.raw_bind_parameter(8, p.status.as_str())?;
    let amounts = [p.billed, p.paid, p.patient_responsibility, p.contractual, p.other_adjustments];
    for (i, d) in amounts.into_iter().enumerate() {
        amount.clear();
        push_normalized(amount, d);
        st.raw_bind_parameter(9 + i, amount.as_str())?;
    }
    st.raw_bind_parameter(14, p.adjustments.as_str())?;
    amount.clear();
    push_normalized(amount, p.denied);
    st.raw_bind_parameter(15, amount.as_str())?;
    st.raw_bind_parameter(16, p.lines.as_deref())?;
    amount.clear();
    push_normalized(amount, p.allowed);
    st.raw_bind_parameter(17, amount.as_str())?;
    st.raw_execute()?;
    Ok(conn.last_insert_rowid())
}

/// What the ledger holds under the key of payment `r`.
fn seen(conn: &rusqlite::Connection, r: &RemitPosting) -> rusqlite::Result<Seen> {
    let mut st = conn.prepare_cached(
        "SELECT id, fingerprint, bpr02 FROM remittances
         WHERE payer_id = ?1 AND trace = ?2 AND (trn03 = ?3 OR trn03 IS NULL)
         ORDER BY id",
    )?;
    let rows = st
        .query_map(params![r.payer_id, r.trace, r.trn03], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Option<String>>(1)?, row.get::<_, String>(2)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if rows.is_empty() {
        return Ok(Seen::New);
    }
    for (id, fingerprint, bpr02) in &rows {
        let same = match fingerprint {
            Some(f) => *f == r.fingerprint,
            None => same_as_legacy(conn, *id, bpr02, r)?,
        };
        if same {
            return Ok(Seen::Applied);
        }
    }
    Ok(Seen::Conflict)
}

/// Marks the live denials of `p`'s claim that payment `pay_id` overturns
/// (they answered some of the same lines) as replaced by it: no longer live.
/// Runs only for payments reconcile flagged, so posting stays fast.
fn replace_denials(
    tx: &rusqlite::Transaction<'_>,
    p: &PaymentPosting,
    pay_id: i64,
) -> rusqlite::Result<usize> {
    let mut st = tx.prepare_cached(
        "SELECT id, lines FROM claim_payments
         WHERE claim_id = ?1 AND payer_id = ?2 AND id < ?3 AND matched = 1
           AND reversed_by IS NULL AND status = 'denied'",
    )?;
    let earlier = st
        .query_map(params![p.claim_id.as_str(), p.payer_id.as_str(), pay_id], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let ids = |l: &Option<String>| -> Option<Vec<String>> {
        l.as_ref().map(|t| t.split(';').map(|s| s.trim().to_ascii_uppercase()).collect())
    };
    let mine = ids(&p.lines);
    let mut replace = tx.prepare_cached(
        "UPDATE claim_payments SET reversed_by = ?1, replaced_by = ?1 WHERE id = ?2",
    )?;
    let mut n = 0;
    for (id, lines) in earlier {
        let overlap = match (&mine, ids(&lines)) {
            (Some(a), Some(b)) => a.iter().any(|x| b.contains(x)),
            _ => true,
        };
        if overlap {
            n += replace.execute(params![pay_id, id])?;
        }
    }
    Ok(n)
}

impl Ledger {
    /// The complete submissions (the files claims were sent in), oldest first.
    pub fn sent_files(&self) -> Result<Vec<SentFile>, Error> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, file, created_at FROM submissions WHERE state = 'complete' ORDER BY id",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map([], |r| {
                Ok(SentFile { id: r.get(0)?, file: r.get(1)?, created_at: r.get(2)? })
            })
            .map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// Every claim last sent in one of `files` (from [`Ledger::sent_files`]),
    /// with its current status and the payer claim number learned from
    /// earlier remittances. One pass over `claims` in row order (no join, no
    /// sort: a million claims load in about a second).
    pub fn sent_claims(&self, files: &[SentFile]) -> Result<Vec<LedgerClaim>, Error> {
        let by_id: std::collections::HashMap<i64, usize> =
            files.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        let mut st = self
            .conn
            .prepare(
                "SELECT rowid, claim_id, payer_id, total_charge, status, submission_id, payer_claim_id
                 FROM claims ORDER BY rowid",
            )
            .map_err(self.sq())?;
        let mut rows = st.query([]).map_err(self.sq())?;
        let mut claims = Vec::new();
        while let Some(r) = rows.next().map_err(self.sq())? {
            let Some(&submission) = by_id.get(&r.get::<_, i64>(5).map_err(self.sq())?) else {
                continue;
            };
            // Read in place: ids are short, so no heap copy is made of them.
            let text = |i| -> Result<Option<Text>, Error> {
                match r.get_ref(i).map_err(self.sq())? {
                    rusqlite::types::ValueRef::Null => Ok(None),
                    v => Ok(Some(Text::new(v.as_str().map_err(|e| self.sq()(e.into()))?))),
                }
            };
            claims.push(LedgerClaim {
                row: r.get(0).map_err(self.sq())?,
                claim_id: text(1)?.unwrap_or_default(),
                payer_id: text(2)?.unwrap_or_default(),
                total_charge: text(3)?.unwrap_or_default().parse().unwrap_or_default(),
                status: r.get(4).map_err(self.sq())?,
                submission,
                payer_claim_id: text(6)?,
            });
        }
        Ok(claims)
    }

    /// True when payment `r` (payer + trace + TRN03, with the same content)
    /// was applied before; false when it is new or conflicts with another
    /// payment under its key.
    pub fn is_applied(&self, r: &RemitPosting) -> Result<bool, Error> {
        seen(&self.conn, r).map(|s| s == Seen::Applied).map_err(self.sq())
    }

    /// Posts remittances in order, in one transaction; payments already
    /// applied are skipped, and so are payments whose payer + trace + TRN03
    /// belong to a different payment (listed in [`PostSummary::conflicts`]). `at` is the run's clock (ISO 8601). Each payment's
    /// `claim_row` must come from [`Ledger::sent_claims`] of this ledger.
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
            let mut ins_remit = tx
                .prepare_cached(
                    "INSERT INTO remittances (payer_id, trace, trn03, fingerprint, file_sha256, file,
                        st02, bpr02, plb_total, payment_date, applied_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(sq)?;
            let mut ins_pay = tx
                .prepare_cached(
                    "INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                        payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                        other_adjustments, adjustments, denied, lines, allowed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                )
                .map_err(sq)?;
            let mut detail = super::detail::DetailInserts::new(&tx).map_err(sq)?;
            let mut amount = String::new();
            // The claim's current state: the status its payments leave it in
            // (the latest payment's own, unless the claim was paid in parts),
            // and the payer's claim number when this payment gives one.
            let mut set_status = tx
                .prepare_cached(
                    "UPDATE claims SET status = ?2, updated_at = ?3,
                        payer_claim_id = COALESCE(NULLIF(?4, ''), payer_claim_id)
                     WHERE rowid = ?1 AND claim_id = ?5 AND payer_id = ?6",
                )
                .map_err(sq)?;
            let mut undo = tx
                .prepare_cached("UPDATE claim_payments SET reversed_by = ?1 WHERE id = ?2")
                .map_err(sq)?;
            let mut link = tx
                .prepare_cached("UPDATE claim_payments SET reverses = ?1 WHERE id = ?2")
                .map_err(sq)?;
            for r in remits {
                let key = (r.payer_id.clone(), r.trace.clone());
                match seen(&tx, r).map_err(sq)? {
                    Seen::New => {}
                    Seen::Applied => {
                        summary.already_applied.push(key);
                        continue;
                    }
                    Seen::Conflict => {
                        summary.conflicts.push(key);
                        continue;
                    }
                }
                ins_remit
                    .execute(params![
                        r.payer_id,
                        r.trace,
                        r.trn03,
                        r.fingerprint,
                        r.file_sha256,
                        r.file,
                        r.st02,
                        crate::numtext::amount(r.bpr02),
                        crate::numtext::amount(r.plb_total),
                        r.payment_date,
                        at
                    ])
                    .map_err(sq)?;
                let remit_id = tx.last_insert_rowid();
                let mut procedures = super::detail::ProcedureSums::new();
                for p in &r.payments {
                    let pay_id =
                        insert_payment(&mut ins_pay, &tx, remit_id, p, &mut amount).map_err(sq)?;
                    detail.insert_denials(pay_id, &p.denials, &mut amount).map_err(sq)?;
                    summary.payments += 1;
                    let Some(row) = p.claim_row else {
                        summary.unmatched += 1;
                        continue;
                    };
                    super::detail::add_lines(
                        &mut procedures,
                        &p.payer_id,
                        &p.service_lines,
                        p.reversal,
                    );
                    if p.reversal {
                        let earlier = super::account::reversed_payment(
                            &tx,
                            &p.claim_id,
                            &p.payer_id,
                            pay_id,
                            &p.payer_claim_id,
                            p.billed,
                            p.paid,
                        )
                        .map_err(sq)?;
                        let Some(e) = earlier else {
                            // Nothing undone: the claim keeps its state.
                            summary.unpaired_reversals.push(UnpairedReversal {
                                file: r.file.clone(),
                                pos: p.pos,
                                claim_id: p.claim_id.clone(),
                                payer_claim_id: p.payer_claim_id.clone(),
                                billed: p.billed,
                                paid: p.paid,
                            });
                            continue;
                        };
                        undo.execute(params![pay_id, e]).map_err(sq)?;
                        link.execute(params![e, pay_id]).map_err(sq)?;
                        summary.undone += 1;
                    }
                    if p.replaces_denial && !p.reversal {
                        replace_denials(&tx, p, pay_id).map_err(sq)?;
                    }
                    // The row names the claim; its ids are checked too, so
                    // a row from another ledger can never touch a claim.
                    set_status
                        .execute(params![
                            row,
                            p.claim_status.unwrap_or(p.status),
                            at,
                            p.payer_claim_id.as_str(),
                            p.claim_id.as_str(),
                            p.payer_id.as_str()
                        ])
                        .map_err(sq)?;
                }
                super::account::insert_plb(&tx, remit_id, &r.adjustments).map_err(sq)?;
                detail.insert_procedures(remit_id, &procedures, &mut amount).map_err(sq)?;
                summary.applied.push(key);
            }
        }
        tx.commit().map_err(sq)?;
        Ok(summary)
    }
}
