//! Claim status inquiries in the ledger (schema 13 tables of
//! `eligibility`): the 276 inquiries sent (one row per trace, and an event
//! in the claim's history) and the 277 answers recorded (one row per
//! answer, the newest per claim read back for the worklist). Deciding what
//! to ask and what an answer means is the status job's.

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, OptionalExtension};
use rust_decimal::Decimal;

use super::eligibility::iso;
use super::{Error, Ledger};

impl Ledger {
    /// The trace of a 276 inquiry about this claim sent on `day`, if any.
    pub fn status_inquired_on(
        &self,
        claim_id: &str,
        payer_id: &str,
        day: NaiveDate,
    ) -> Result<Option<String>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT trace FROM status_inquiries
                 WHERE claim_id = ?1 AND payer_id = ?2 AND substr(sent_at, 1, 10) = ?3",
            )
            .map_err(self.sq())?;
        st.query_row(params![claim_id, payer_id, day.to_string()], |r| r.get(0))
            .optional()
            .map_err(self.sq())
    }

    /// Records the inquiries of one 276 (trace, claim id, payer id): a row
    /// each, and a `status_inquiry` event in each claim's history.
    pub fn record_status_inquiries(
        &mut self,
        inquiries: &[(String, String, String)],
        file: &str,
        isa13: &str,
        now: NaiveDateTime,
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |cause| Error::Sqlite { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sq)?;
        let at = iso(now);
        for (trace, claim_id, payer_id) in inquiries {
            tx.execute(
                "INSERT OR REPLACE INTO status_inquiries (trace, claim_id, payer_id, file, isa13, sent_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![trace, claim_id, payer_id, file, isa13, at],
            )
            .map_err(sq)?;
            tx.execute(
                "INSERT INTO claim_history (claim_id, payer_id, status, at, detail)
                 VALUES (?1, ?2, 'status_inquiry', ?3, ?4)",
                params![
                    claim_id,
                    payer_id,
                    at,
                    format!("276 claim status inquiry, trace {trace}, in {file} (ISA13 {isa13})")
                ],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)
    }

    /// The claim (claim id, payer id) a 276 trace asked about.
    pub fn status_inquiry(&self, trace: &str) -> Result<Option<(String, String)>, Error> {
        let mut st = self
            .conn
            .prepare_cached("SELECT claim_id, payer_id FROM status_inquiries WHERE trace = ?1")
            .map_err(self.sq())?;
        st.query_row([trace], |r| Ok((r.get(0)?, r.get(1)?))).optional().map_err(self.sq())
    }
}

/// A 277 claim status answer to record.
#[derive(Clone, Debug)]
pub struct StatusAnswerRecord {
    /// sha256 of the answer (the same answer is recorded once).
    pub fingerprint: String,
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// TRN02.
    pub trace: String,
    /// STC01-1 of the first claim-level STC.
    pub category: String,
    /// Every claim-level STC01, space-separated.
    pub codes: String,
    /// What the answer makes of the claim (see the table's comment).
    pub status: String,
    /// REF*1K.
    pub payer_claim_id: Option<String>,
    /// STC04.
    pub charge: Option<Decimal>,
    /// STC05.
    pub paid: Option<Decimal>,
    /// STC09.
    pub check_number: Option<String>,
    /// STC08.
    pub check_date: Option<NaiveDate>,
    /// The 277.
    pub file: String,
    /// What the claim's history says of it.
    pub detail: String,
}

/// The newest 277 answer of a claim, for the worklist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestStatusAnswer {
    /// STC01-1.
    pub category: String,
    /// Every claim-level STC01.
    pub codes: String,
    /// What the answer made of the claim.
    pub status: String,
    /// When it was recorded (ISO 8601).
    pub at: String,
}

impl Ledger {
    /// Records a 277 answer: its row, an event in the claim's history and,
    /// for an acknowledgment category (`accepted`, `rejected`), the claim's
    /// status; the payer's claim number fills in when the claim has none.
    /// Returns false (nothing recorded) when the same answer is on file.
    pub fn record_status_answer(
        &mut self,
        a: &StatusAnswerRecord,
        now: NaiveDateTime,
    ) -> Result<bool, Error> {
        let path = self.path.clone();
        let sq = |cause| Error::Sqlite { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sq)?;
        let at = iso(now);
        let d = |x: Option<Decimal>| x.map(|v| v.normalize().to_string());
        let n = tx
            .execute(
                "INSERT OR IGNORE INTO status_answers (fingerprint, claim_id, payer_id, trace, category,
                     codes, status, payer_claim_id, charge, paid, check_number, check_date, file, answered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    a.fingerprint,
                    a.claim_id,
                    a.payer_id,
                    a.trace,
                    a.category,
                    a.codes,
                    a.status,
                    a.payer_claim_id,
                    d(a.charge),
                    d(a.paid),
                    a.check_number,
                    a.check_date.map(|d| d.to_string()),
                    a.file,
                    at,
                ],
            )
            .map_err(sq)?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO claim_history (claim_id, payer_id, status, at, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![a.claim_id, a.payer_id, a.status, at, a.detail],
        )
        .map_err(sq)?;
        if matches!(a.status.as_str(), "accepted" | "rejected") {
            tx.execute(
                "UPDATE claims SET status = ?3, updated_at = ?4 WHERE claim_id = ?1 AND payer_id = ?2",
                params![a.claim_id, a.payer_id, a.status, at],
            )
            .map_err(sq)?;
        }
        if let Some(pcn) = &a.payer_claim_id {
            tx.execute(
                "UPDATE claims SET payer_claim_id = ?3
                 WHERE claim_id = ?1 AND payer_id = ?2 AND (payer_claim_id IS NULL OR payer_claim_id = '')",
                params![a.claim_id, a.payer_id, pcn],
            )
            .map_err(sq)?;
        }
        tx.commit().map_err(sq)?;
        Ok(true)
    }

    /// The claims sent with this CLM01 (any payer): their payer ids.
    pub fn payers_of_claim(&self, claim_id: &str) -> Result<Vec<String>, Error> {
        let mut st = self
            .conn
            .prepare_cached("SELECT payer_id FROM claims WHERE claim_id = ?1 ORDER BY payer_id")
            .map_err(self.sq())?;
        let rows = st.query_map([claim_id], |r| r.get(0)).map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// The newest 277 answer of every claim that has one.
    pub fn latest_status_answers(
        &self,
    ) -> Result<std::collections::HashMap<(String, String), LatestStatusAnswer>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT claim_id, payer_id, category, codes, status, answered_at FROM status_answers
                 ORDER BY answered_at, id",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    (r.get(0)?, r.get(1)?),
                    LatestStatusAnswer {
                        category: r.get(2)?,
                        codes: r.get(3)?,
                        status: r.get(4)?,
                        at: r.get(5)?,
                    },
                ))
            })
            .map_err(self.sq())?;
        // Later rows replace earlier ones: the newest stays.
        rows.collect::<Result<_, _>>().map_err(self.sq())
    }
}
