//! The claims and files the ledger knows as sent, read for matching
//! remittances. It does not match (that is `reconcile`).

use rust_decimal::Decimal;

use crate::claim::ClaimStatus;
use crate::ledger::{Error, Ledger};
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
}
