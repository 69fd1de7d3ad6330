//! The claims and files the ledger knows as sent, read for matching
//! remittances. It does not match (that is `reconcile`).

use rusqlite::types::ValueRef;
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
        let mut claims = Vec::new();
        self.each_sent_claim(files, |r| {
            claims.push(LedgerClaim {
                row: r.row,
                claim_id: Text::new(r.claim_id),
                payer_id: Text::new(r.payer_id),
                total_charge: r.total_charge.parse().unwrap_or_default(),
                status: r.status,
                submission: r.submission,
                payer_claim_id: r.payer_claim_id.map(Text::new),
            });
        })?;
        Ok(claims)
    }

    /// [`Ledger::sent_claims`] without a vector of its own: `each` is given
    /// every claim last sent in one of `files`, in row order, its values
    /// borrowed from SQLite's row.
    pub fn each_sent_claim(
        &self,
        files: &[SentFile],
        mut each: impl FnMut(SentRow<'_>),
    ) -> Result<(), Error> {
        let mut files = FileIndex::new(files);
        let mut st = self
            .conn
            .prepare(
                "SELECT rowid, claim_id, payer_id, total_charge, status, submission_id, payer_claim_id
                 FROM claims ORDER BY rowid",
            )
            .map_err(self.sq())?;
        let mut rows = st.query([]).map_err(self.sq())?;
        let mut status = StatusCache::default();
        while let Some(r) = rows.next().map_err(self.sq())? {
            let Some(submission) = files.find(r.get::<_, i64>(5).map_err(self.sq())?) else {
                continue;
            };
            each(sent_row(r, submission, &mut status).map_err(self.sq())?);
        }
        Ok(())
    }

    /// How many claims the ledger holds (an upper bound of how many
    /// [`Ledger::each_sent_claim`] gives: room is made for them at once).
    pub fn claim_count(&self) -> Result<usize, Error> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM claims", [], |r| r.get(0))
            .map_err(self.sq())?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

/// The row `r` of the claims query of [`Ledger::each_sent_claim`], read in
/// place: no copy is made of its text.
fn sent_row<'r>(
    r: &'r rusqlite::Row<'_>,
    submission: usize,
    status: &mut StatusCache,
) -> rusqlite::Result<SentRow<'r>> {
    fn text(v: ValueRef<'_>) -> rusqlite::Result<Option<&str>> {
        match v {
            ValueRef::Null => Ok(None),
            v => Ok(Some(v.as_str()?)),
        }
    }
    Ok(SentRow {
        row: r.get(0)?,
        claim_id: text(r.get_ref(1)?)?.unwrap_or_default(),
        payer_id: text(r.get_ref(2)?)?.unwrap_or_default(),
        total_charge: text(r.get_ref(3)?)?.unwrap_or_default(),
        status: status.read(r, 4)?,
        submission,
        payer_claim_id: text(r.get_ref(6)?)?,
    })
}

/// The last status word read and its status: most rows repeat one of a
/// few words, compared as bytes before one is parsed again.
#[derive(Default)]
struct StatusCache {
    word: String,
    status: Option<ClaimStatus>,
}

impl StatusCache {
    /// The status in column `col` of `r`.
    fn read(&mut self, r: &rusqlite::Row<'_>, col: usize) -> rusqlite::Result<ClaimStatus> {
        let v = r.get_ref(col)?;
        if let (Some(status), ValueRef::Text(b)) = (self.status, v) {
            if b == self.word.as_bytes() {
                return Ok(status);
            }
        }
        let status: ClaimStatus = r.get(col)?;
        self.word.clear();
        self.word.push_str(v.as_str().unwrap_or_default());
        self.status = Some(status);
        Ok(status)
    }
}

/// Submission ids to their index in the files given to
/// [`Ledger::each_sent_claim`] (the last file of an id, as a map built in
/// file order keeps): sorted for a binary search, and the last id found
/// tried first (a submission's claims usually come together).
struct FileIndex {
    by_id: Vec<(i64, usize)>,
    last: Option<(i64, usize)>,
}

impl FileIndex {
    fn new(files: &[SentFile]) -> FileIndex {
        let mut by_id: Vec<(i64, usize)> =
            files.iter().enumerate().map(|(i, f)| (f.id, i)).collect();
        by_id.sort_unstable_by_key(|&(id, i)| (id, std::cmp::Reverse(i)));
        by_id.dedup_by_key(|p| p.0);
        FileIndex { by_id, last: None }
    }

    /// The index of the file with submission id `id`.
    fn find(&mut self, id: i64) -> Option<usize> {
        match self.last {
            Some((last, i)) if last == id => Some(i),
            _ => {
                let k = self.by_id.binary_search_by_key(&id, |p| p.0).ok()?;
                self.last = Some(self.by_id[k]);
                Some(self.by_id[k].1)
            }
        }
    }
}

/// A claim of the ledger as [`Ledger::each_sent_claim`] reads it, borrowed
/// from its row: the fields of [`LedgerClaim`] (a missing text is empty,
/// the total charge is the ledger's text of it).
#[derive(Clone, Copy, Debug)]
pub struct SentRow<'r> {
    /// `claims.rowid`.
    pub row: i64,
    /// CLM01.
    pub claim_id: &'r str,
    /// 2010BB payer id.
    pub payer_id: &'r str,
    /// CLM02 as last sent, as the ledger keeps it.
    pub total_charge: &'r str,
    /// Current status.
    pub status: ClaimStatus,
    /// Index into the files given of the file it was last sent in.
    pub submission: usize,
    /// The payer's claim number (CLP07) from the latest payment that gave one.
    pub payer_claim_id: Option<&'r str>,
}
