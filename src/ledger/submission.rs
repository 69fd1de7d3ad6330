//! Recording 837 submissions: control-number allocation, claims recorded
//! `pending` then `complete`, recovery of submissions a crash left `pending`,
//! lookups of what was sent, and later status events. Remittances and
//! acknowledgments are recorded by `remit` and `ack`.

use std::path::Path;

use rusqlite::{params, OptionalExtension, TransactionBehavior};

use super::{detail, ClaimRecord, Error, Ledger, SentClaim, SubmissionRecord};
use crate::claim::ClaimStatus;
use crate::finding::{Finding, Severity};

/// A submission left `pending` whose file exists: completed on open.
pub const RECOVERED: &str = "LEDGER-RECOVERED";
/// A submission left `pending` with no file: abandoned on open.
pub const ABANDONED: &str = "LEDGER-ABANDONED";

impl Ledger {
    /// Resolves `pending` submissions: complete when the file exists, else abandoned.
    pub(super) fn recover(&mut self) -> Result<(), Error> {
        let pending: Vec<(i64, String, String)> = {
            let mut st = self
                .conn
                .prepare(
                    "SELECT id, file, isa13 FROM submissions WHERE state = 'pending' ORDER BY id",
                )
                .map_err(self.sq())?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(self.sq())?
                .collect::<Result<Vec<_>, _>>()
                .map_err(self.sq())?;
            rows
        };
        for (id, file, isa13) in pending {
            if Path::new(&file).exists() {
                self.complete(id)?;
                self.recovered.push(self.recovery(
                    RECOVERED,
                    format!("recovered interrupted submission ISA13 {isa13}: its file exists; recorded as sent"),
                ));
            } else {
                let path = self.path.clone();
                let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
                let tx = self.conn.transaction().map_err(sq)?;
                tx.execute("DELETE FROM claim_history WHERE submission_id = ?1", [id])
                    .map_err(sq)?;
                tx.execute("DELETE FROM claim_patients WHERE submission_id = ?1", [id])
                    .map_err(sq)?;
                // A secondary run's COB records of the claims it did not send.
                tx.execute("DELETE FROM cob_claims WHERE submission_id = ?1", [id]).map_err(sq)?;
                tx.execute("UPDATE submissions SET state = 'abandoned' WHERE id = ?1", [id])
                    .map_err(sq)?;
                tx.commit().map_err(sq)?;
                self.recovered.push(self.recovery(
                    ABANDONED,
                    format!("interrupted submission ISA13 {isa13} has no file; its claims count as not sent"),
                ));
            }
        }
        Ok(())
    }

    /// A warning about a submission resolved on open, in the ledger's file.
    fn recovery(&self, rule: &'static str, message: String) -> Finding {
        Finding::new(rule, Severity::Warning, message).in_file(self.path.clone())
    }

    /// Allocates the next ISA13 and GS06 in one committed transaction.
    /// A number handed out is never handed out again, whether or not the
    /// file it was meant for gets written. `first` is what a counter that has
    /// handed out nothing yet starts at (1 normally; `control_number_start`
    /// in the config); once a counter has handed out a number, `first` is
    /// ignored and numbers go on from the last one.
    pub fn allocate_control_numbers(&mut self, first: u32) -> Result<(u32, u32), Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let next = |name: &str| -> Result<u32, Error> {
            let v: i64 = tx
                .query_row(
                    "UPDATE counters SET value = CASE WHEN value = 0 THEN max(?2, 1) ELSE value + 1 END
                     WHERE name = ?1 RETURNING value",
                    params![name, first],
                    |r| r.get(0),
                )
                .map_err(sq)?;
            u32::try_from(v)
                .ok()
                .filter(|v| *v <= 999_999_999)
                .ok_or_else(|| Error::Exhausted { name: name.to_string() })
        };
        let isa13 = next("ISA13")?;
        let gs06 = next("GS06")?;
        tx.commit().map_err(sq)?;
        Ok((isa13, gs06))
    }

    /// The last value handed out by a counter (`ISA13`, `GS06`).
    pub fn counter(&self, name: &str) -> Result<u32, Error> {
        let v: i64 = self
            .conn
            .query_row("SELECT value FROM counters WHERE name = ?1", [name], |r| r.get(0))
            .map_err(self.sq())?;
        Ok(u32::try_from(v).unwrap_or(u32::MAX))
    }

    /// What the ledger knows of each `(claim_id, payer_id)`, in the same
    /// order (None = never sent in a complete submission).
    pub fn lookup(&self, keys: &[(&str, &str)]) -> Result<Vec<Option<SentClaim>>, Error> {
        // One read transaction for all of them: a query on its own takes
        // and releases the WAL's read lock (system calls) each time.
        let read = self.conn.unchecked_transaction().map_err(self.sq())?;
        // A new ledger answers without a query per claim.
        let any: bool = read
            .query_row("SELECT EXISTS (SELECT 1 FROM claims)", [], |r| r.get(0))
            .map_err(self.sq())?;
        if !any {
            return Ok(vec![None; keys.len()]);
        }
        let mut st = read
            .prepare_cached(
                "SELECT c.content_hash, c.status, s.file, s.isa13
                 FROM claims c JOIN submissions s ON s.id = c.submission_id
                 WHERE c.claim_id = ?1 AND c.payer_id = ?2",
            )
            .map_err(self.sq())?;
        let mut out = Vec::with_capacity(keys.len());
        for (claim_id, payer_id) in keys {
            let found = st
                .query_row(params![claim_id, payer_id], |r| {
                    Ok(SentClaim {
                        content_hash: r.get(0)?,
                        status: r.get(1)?,
                        file: r.get(2)?,
                        isa13: r.get(3)?,
                    })
                })
                .optional()
                .map_err(self.sq())?;
            out.push(found);
        }
        drop(st);
        read.commit().map_err(self.sq())?;
        Ok(out)
    }

    /// Records a submission and its claims as `pending`: the submission in
    /// one transaction, then its claims in transactions of 5,000 claims each
    /// ([`Ledger::begin_pending`], [`Ledger::add_pending`]). Call before
    /// renaming the file into place; then [`Ledger::complete`]. A crash
    /// between two transactions leaves a `pending` submission whose file was
    /// never renamed into place: the recovery when the ledger is next opened
    /// abandons it and deletes the claims recorded so far, as it does for a
    /// crash after the last one.
    pub fn record_pending(
        &mut self,
        sub: &SubmissionRecord,
        claims: &[ClaimRecord],
    ) -> Result<i64, Error> {
        let id = self.begin_pending(sub, claims.len())?;
        self.add_pending(id, &sub.created_at, claims)?;
        // The same values again, committed and synced: the claims' batches
        // are on disk before the caller renames the file into place.
        self.end_pending(id, sub, claims.len())?;
        Ok(id)
    }

    /// Records a submission of `claims` claims as `pending`, before its
    /// claims: for a writer that records the claims in batches as it writes
    /// them ([`Ledger::add_pending`]) and knows the file's sha256, sets and
    /// total only at the end ([`Ledger::end_pending`]). The crash guarantees
    /// are those of [`Ledger::record_pending`]: until the file is renamed
    /// into place, a crash leaves a submission the next open abandons.
    pub fn begin_pending(&mut self, sub: &SubmissionRecord, claims: usize) -> Result<i64, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        tx.execute(
            "INSERT INTO submissions (file, file_sha256, isa13, gs06, st02, claims, total_charge, created_at, state)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
            params![
                sub.file.display().to_string(),
                sub.file_sha256,
                sub.isa13,
                sub.gs06,
                sub.st02.join(","),
                claims as i64,
                crate::numtext::amount(sub.total_charge),
                sub.created_at,
            ],
        )
        .map_err(sq)?;
        let id = tx.last_insert_rowid();
        tx.commit().map_err(sq)?;
        Ok(id)
    }

    /// Records claims of pending submission `id`, in transactions of 5,000.
    /// Those commits are not synced to disk (see `batch_pragmas`): the
    /// caller's next commit with the connection's `synchronous = FULL`
    /// ([`Ledger::end_pending`] before the rename) makes them durable.
    pub fn add_pending(
        &mut self,
        id: i64,
        created_at: &str,
        claims: &[ClaimRecord],
    ) -> Result<(), Error> {
        self.flush_pending()?;
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        self.conn.execute_batch(batch_pragmas(true)).map_err(sq)?;
        let added = insert_pending_batches(&mut self.conn, id, created_at, claims).map_err(sq);
        let restored = self.conn.execute_batch(batch_pragmas(false)).map_err(sq);
        added.and(restored)
    }
    /// Fills in what [`Ledger::begin_pending`] could not know: the file's
    /// sha256, its sets, its claims and their total. Call before renaming
    /// the file into place.
    pub fn end_pending(
        &mut self,
        id: i64,
        sub: &SubmissionRecord,
        claims: usize,
    ) -> Result<(), Error> {
        self.flush_pending()?;
        self.conn
            .execute(
                "UPDATE submissions SET file_sha256 = ?2, st02 = ?3, claims = ?4, total_charge = ?5
                 WHERE id = ?1",
                params![
                    id,
                    sub.file_sha256,
                    sub.st02.join(","),
                    claims as i64,
                    crate::numtext::amount(sub.total_charge),
                ],
            )
            .map_err(self.sq())?;
        Ok(())
    }

    /// Marks a pending submission complete: its claims become the ledger's
    /// current state (status how each was sent: `sent`, `resent`,
    /// `replacement` or `void`), in one transaction. The claims' one
    /// reference is that submission (their history rows name it, checked
    /// when recorded): foreign keys are not checked row by row (a seventh
    /// of the statement's work).
    pub fn complete(&mut self, submission_id: i64) -> Result<(), Error> {
        self.flush_pending()?;
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        self.conn.execute_batch("PRAGMA foreign_keys = OFF").map_err(sq)?;
        let completed = self.complete_unchecked(submission_id).map_err(sq);
        let restored = self.conn.execute_batch("PRAGMA foreign_keys = ON").map_err(sq);
        completed.and(restored)
    }

    /// [`Ledger::complete`]'s transaction.
    fn complete_unchecked(&mut self, submission_id: i64) -> rusqlite::Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO claims
               (claim_id, payer_id, content_hash, frequency, total_charge, status, submission_id, st02, updated_at)
             SELECT claim_id, payer_id, content_hash, frequency, total_charge, status, submission_id, st02, at
             FROM claim_history WHERE submission_id = ?1 ORDER BY id
             ON CONFLICT (claim_id, payer_id) DO UPDATE SET
               content_hash = excluded.content_hash, frequency = excluded.frequency,
               total_charge = excluded.total_charge, status = excluded.status,
               submission_id = excluded.submission_id, st02 = excluded.st02,
               updated_at = excluded.updated_at",
            [submission_id],
        )?;
        tx.execute("UPDATE submissions SET state = 'complete' WHERE id = ?1", [submission_id])?;
        tx.commit()
    }

    /// Records a later event for a claim that was sent (e.g. paid, denied,
    /// reversed): a `claim_history` row, and
    /// the claim's current `status`. Returns false (and records nothing) when
    /// the ledger has no such claim. `at` is ISO 8601 (the run's `--now`).
    pub fn record_status(
        &mut self,
        claim_id: &str,
        payer_id: &str,
        status: ClaimStatus,
        at: &str,
        detail: Option<&str>,
    ) -> Result<bool, Error> {
        let path = self.path.clone();
        let sq = |source| Error::Sqlite { path: path.clone(), cause: source };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(sq)?;
        let n = tx
            .execute(
                "UPDATE claims SET status = ?3, updated_at = ?4 WHERE claim_id = ?1 AND payer_id = ?2",
                params![claim_id, payer_id, status, at],
            )
            .map_err(sq)?;
        if n == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO claim_history (claim_id, payer_id, status, at, detail)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![claim_id, payer_id, status, at, detail],
        )
        .map_err(sq)?;
        tx.commit().map_err(sq)?;
        Ok(true)
    }
}

/// Claims `record_pending` inserts per transaction.
const PENDING_BATCH: usize = 5_000;

/// [`PENDING_BATCH`], or `CLAIMFLOW_TEST_LEDGER_BATCH` when set (tests cross
/// batch boundaries with a few claims).
fn pending_batch() -> usize {
    std::env::var("CLAIMFLOW_TEST_LEDGER_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(PENDING_BATCH)
}

/// Test hook for the crash-safety tests: with `CLAIMFLOW_TEST_CRASH_AT=batch`
/// the process aborts (no destructors, like kill -9) after the first batch
/// of pending claims was committed, before the next one.
fn crash_wanted(point: &str) -> bool {
    std::env::var("CLAIMFLOW_TEST_CRASH_AT").is_ok_and(|p| p == point)
}

/// The PRAGMAs around the inserts of pending claims (`on`), and back to the
/// connection's own (`!on`). PRAGMA `foreign_keys` cannot change inside a
/// transaction, so these run between them.
///
/// - `synchronous = NORMAL`: a batch's commit is not synced. In WAL mode
///   that loses no consistency, only the last commits on a power loss;
///   every one of those batches is synced by the next commit made with
///   `FULL` (a sync of the WAL file covers every frame in it), which is
///   [`Ledger::end_pending`]'s, before the file is renamed into place. A
///   kill -9 loses nothing either way: the commits are in the OS's cache.
/// - `foreign_keys = OFF`: the only reference these rows hold is their
///   `submission_id`, the row [`Ledger::begin_pending`] committed and that
///   nothing deletes; [`insert_pending_batches`] checks it once instead of
///   for every row (a seventh of the insert).
pub(super) fn batch_pragmas(on: bool) -> &'static str {
    if on {
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;"
    } else {
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
    }
}

/// Inserts `claims` of pending submission `id` in transactions of
/// [`pending_batch`] claims; with `CLAIMFLOW_TEST_CRASH_AT=batch`, aborts
/// before a batch once a batch was committed.
pub(super) fn insert_pending_batches(
    conn: &mut rusqlite::Connection,
    id: i64,
    created_at: &str,
    claims: &[ClaimRecord],
) -> rusqlite::Result<()> {
    // Foreign keys are off (see `batch_pragmas`): the one reference of
    // every row is checked here, once.
    let known: bool =
        conn.query_row("SELECT EXISTS (SELECT 1 FROM submissions WHERE id = ?1)", [id], |r| {
            r.get(0)
        })?;
    if !known {
        return Err(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_FOREIGNKEY),
            Some(format!("FOREIGN KEY constraint failed: no submission {id}")),
        ));
    }
    for chunk in claims.chunks(pending_batch()) {
        if crash_wanted("batch") && has_pending_claims(conn, id)? {
            std::process::abort();
        }
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        insert_pending_claims(&tx, id, created_at, chunk)?;
        tx.commit()?;
    }
    Ok(())
}

/// True when pending submission `id` has claims recorded (for the crash
/// test hook).
fn has_pending_claims(conn: &rusqlite::Connection, id: i64) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM claim_history WHERE submission_id = ?1)",
        [id],
        |r| r.get(0),
    )
}

/// Inserts `claims` of pending submission `id` (history rows and patients).
/// One cached statement per table; the values every row shares are bound
/// once (SQLite keeps a binding until it is replaced), the others are bound
/// as borrowed text, amounts and span levels written into reused buffers.
fn insert_pending_claims(
    tx: &rusqlite::Transaction<'_>,
    id: i64,
    created_at: &str,
    claims: &[ClaimRecord],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT INTO claim_history
           (claim_id, payer_id, status, at, submission_id, st02, content_hash, frequency,
            total_charge, clm_first, clm_last, hl_levels, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    st.raw_bind_parameter(4, created_at)?;
    st.raw_bind_parameter(5, id)?;
    let mut amount = String::with_capacity(24);
    let mut levels = String::with_capacity(24);
    for c in claims {
        amount.clear();
        crate::numtext::push_normalized(&mut amount, c.total_charge);
        st.raw_bind_parameter(1, c.claim_id.as_str())?;
        st.raw_bind_parameter(2, c.payer_id.as_str())?;
        st.raw_bind_parameter(3, c.status)?;
        st.raw_bind_parameter(6, c.st02.as_str())?;
        st.raw_bind_parameter(7, c.content_hash.as_str())?;
        st.raw_bind_parameter(8, c.frequency.as_str())?;
        st.raw_bind_parameter(9, amount.as_str())?;
        match &c.span {
            Some(span) => {
                levels.clear();
                span.push_levels(&mut levels);
                st.raw_bind_parameter(10, span.first)?;
                st.raw_bind_parameter(11, span.last)?;
                st.raw_bind_parameter(12, levels.as_str())?;
            }
            None => {
                st.raw_bind_parameter(10, rusqlite::types::Null)?;
                st.raw_bind_parameter(11, rusqlite::types::Null)?;
                st.raw_bind_parameter(12, rusqlite::types::Null)?;
            }
        }
        st.raw_bind_parameter(13, c.detail.as_deref())?;
        st.raw_execute()?;
    }
    detail::insert_patients(tx, id, claims)
}
