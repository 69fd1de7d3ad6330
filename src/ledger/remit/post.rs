//! Posting remittances: each payment applied once under its key, claim
//! payments inserted with their detail, reversals undoing the live payment
//! they pair with, overturned denials replaced, PLB adjustments recorded.
//! It does not match or classify (that is `reconcile`).

use rusqlite::{params, TransactionBehavior};
use rust_decimal::Decimal;

use super::{PaymentPosting, PostSummary, RemitPosting, UnpairedReversal};
use crate::ledger::bind::Binds;
use crate::ledger::checkpoint::Checkpointer;
use crate::ledger::{Error, Ledger};

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
/// Only the values that differ from the payment before are bound again.
fn insert_payment(
    st: &mut Binds<'_>,
    conn: &rusqlite::Connection,
    remit_id: i64,
    p: &PaymentPosting,
) -> rusqlite::Result<i64> {
    st.int(1, remit_id)?;
    st.fresh_text(2, p.claim_id.as_str())?;
    st.text(3, p.payer_id.as_str())?;
    st.int(4, i64::from(p.claim_row.is_some()))?;
    // CLP01 is nearly always the claim id: NULL then (`COALESCE(?5, ?2)`),
    // which stays bound from one payment to the next.
    st.opt_text(5, (p.clp01 != p.claim_id).then_some(p.clp01.as_str()))?;
    st.text(6, p.clp02.as_str())?;
    st.fresh_text(7, p.payer_claim_id.as_str())?;
    st.text(8, p.status.as_str())?;
    let amounts = [p.billed, p.paid, p.patient_responsibility, p.contractual, p.other_adjustments];
    for (i, d) in amounts.into_iter().enumerate() {
        st.amount(9 + i, d)?;
    }
    st.text(14, p.adjustments.as_str())?;
    st.amount(15, p.denied)?;
    st.opt_text(16, p.lines.as_deref())?;
    st.amount(17, p.allowed)?;
    st.execute()?;
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
    /// True when payment `r` (payer + trace + TRN03, with the same content)
    /// was applied before; false when it is new or conflicts with another
    /// payment under its key.
    pub fn is_applied(&self, r: &RemitPosting) -> Result<bool, Error> {
        seen(&self.conn, r).map(|s| s == Seen::Applied).map_err(self.sq())
    }

    /// The trace numbers (TRN02, trimmed) of every remittance posted: a
    /// payment whose trace is not among them was never applied.
    pub fn remittance_traces(&self) -> Result<std::collections::HashSet<String>, Error> {
        let mut st =
            self.conn.prepare("SELECT DISTINCT trace FROM remittances").map_err(self.sq())?;
        let rows = st
            .query_map([], |r| Ok(r.get_ref(0)?.as_str()?.trim().to_string()))
            .map_err(self.sq())?;
        rows.collect::<Result<_, _>>().map_err(self.sq())
    }

    /// The `remittances` row of the payment applied under payer id
    /// `payer_id`, trace `trace` and TRN03 `trn03` with content fingerprint
    /// `fingerprint` (as [`Ledger::post_remittances`] recognises a payment
    /// applied before), if any. Rows posted before schema version 5 carry
    /// no fingerprint and are not found.
    pub fn posted_remittance(
        &self,
        payer_id: &str,
        trace: &str,
        trn03: &str,
        fingerprint: &str,
    ) -> Result<Option<i64>, Error> {
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT id FROM remittances
                 WHERE payer_id = ?1 AND trace = ?2 AND (trn03 = ?3 OR trn03 IS NULL)
                   AND fingerprint = ?4
                 ORDER BY id LIMIT 1",
            )
            .map_err(self.sq())?;
        let mut rows = st.query(params![payer_id, trace, trn03, fingerprint]).map_err(self.sq())?;
        match rows.next().map_err(self.sq())? {
            Some(r) => Ok(Some(r.get(0).map_err(self.sq())?)),
            None => Ok(None),
        }
    }

    /// Posts batches of remittances in order, each batch in one transaction
    /// as [`Ledger::post_remittances`] posts it, and hands what each batch
    /// posted to `posted`. A batch is all posted or not at all, whatever
    /// happens to the process. Around the batches:
    ///
    /// - `foreign_keys = OFF`: every reference these transactions write is
    ///   to a row they wrote or read themselves (the remittance just
    ///   inserted, a payment id just returned or found by its query), and
    ///   the claims updated keep their `submission_id`: the per-row checks
    ///   cannot fail, and they are skipped.
    /// - `synchronous = NORMAL`: a batch's commit is not synced on its own.
    ///   In WAL mode that loses no consistency, only the latest batches on
    ///   a power loss, never on a kill -9 (the commits are in the OS's
    ///   cache). After the last batch the connection is back to `FULL`, the
    ///   WAL file is synced (every batch durable) and a checkpoint copies it
    ///   into the database file.
    /// - `cache_size` 16 MiB (SQLite's default is 2 MiB): a batch's dirty
    ///   pages stay in the cache until its commit instead of being spilled
    ///   into the WAL and read back (a quarter fewer writes and a third
    ///   fewer reads of the ledger). The connection's own size is back
    ///   after the batches.
    /// - checkpoints on a thread of their own (`ledger::checkpoint`), asked for
    ///   after each batch's commit: this connection does not checkpoint
    ///   (`wal_autocheckpoint = 0`, restored after the batches), so a
    ///   commit never waits for a checkpoint's fsyncs.
    ///
    /// Stops at the first error (the batch in progress rolls back; earlier
    /// batches stay posted, and a run again posts what is missing).
    pub fn post_remittance_batches<I>(
        &mut self,
        batches: I,
        at: &str,
        mut posted: impl FnMut(PostSummary),
    ) -> Result<(), Error>
    where
        I: IntoIterator,
        I::Item: std::ops::Deref<Target = [RemitPosting]>,
    {
        let cache: i64 =
            self.conn.query_row("PRAGMA cache_size", [], |r| r.get(0)).map_err(self.sq())?;
        let auto: i64 = self
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .map_err(self.sq())?;
        self.conn.execute_batch(bulk_pragmas(true)).map_err(self.sq())?;
        let checkpointer = Checkpointer::start(&self.path);
        if checkpointer.is_some() {
            self.conn.execute_batch("PRAGMA wal_autocheckpoint = 0;").map_err(self.sq())?;
        }
        let mut crash = CrashAt::from_env();
        let all = || -> Result<(), Error> {
            for batch in batches {
                posted(self.post_remittances_at(&batch, at, &mut crash)?);
                crash.committed();
                if let Some(c) = &checkpointer {
                    c.committed();
                }
            }
            Ok(())
        };
        let done = all();
        // The checkpoint in progress ends before the last one below.
        drop(checkpointer);
        let restored = self
            .conn
            .execute_batch(&format!(
                "{} PRAGMA cache_size = {cache}; PRAGMA wal_autocheckpoint = {auto};",
                bulk_pragmas(false)
            ))
            .map_err(self.sq());
        done?;
        restored?;
        crash.posted();
        // Every batch is in the WAL: syncing it makes them all durable, as
        // a last commit with `FULL` would (a checkpoint alone may leave
        // frames unsynced while another connection reads an older
        // snapshot). The checkpoint then copies what it can into the
        // database file.
        let wal = format!("{}-wal", self.path);
        if let Ok(file) = std::fs::File::open(&wal) {
            file.sync_all().map_err(|cause| Error::Sync { path: wal, cause })?;
        }
        self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())).map_err(self.sq())
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
        self.post_remittances_at(remits, at, &mut CrashAt::Never)
    }

    /// [`Ledger::post_remittances`], aborting where `crash` says (tests).
    fn post_remittances_at(
        &mut self,
        remits: &[RemitPosting],
        at: &str,
        crash: &mut CrashAt,
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
            let mut ins_pay = Binds::new(
                tx.prepare_cached(
                    "INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01, clp02,
                        payer_claim_id, status, billed, paid, patient_responsibility, contractual,
                        other_adjustments, adjustments, denied, lines, allowed)
                     VALUES (?1, ?2, ?3, ?4, COALESCE(?5, ?2), ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,
                        ?14, ?15, ?16, ?17)",
                )
                .map_err(sq)?,
            );
            let mut detail = crate::ledger::detail::DetailInserts::new(&tx).map_err(sq)?;
            // The claim's current state: the status its payments leave it in
            // (the latest payment's own, unless the claim was paid in parts),
            // and the payer's claim number when this payment gives one (?4
            // is NULL when it gives none).
            let mut set_status = Binds::new(
                tx.prepare_cached(
                    "UPDATE claims SET status = ?2, updated_at = ?3,
                        payer_claim_id = COALESCE(?4, payer_claim_id)
                     WHERE rowid = ?1 AND claim_id = ?5 AND payer_id = ?6",
                )
                .map_err(sq)?,
            );
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
                for p in &r.payments {
                    let pay_id = insert_payment(&mut ins_pay, &tx, remit_id, p).map_err(sq)?;
                    detail.insert_denials(pay_id, &p.denials).map_err(sq)?;
                    summary.payments += 1;
                    let Some(row) = p.claim_row else {
                        summary.unmatched += 1;
                        continue;
                    };
                    if p.reversal {
                        let earlier = crate::ledger::account::reversed_payment(
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
                    // Bound as the payments are (the run's clock once).
                    let updated = (|| {
                        set_status.int(1, row)?;
                        set_status.text(2, p.claim_status.unwrap_or(p.status).as_str())?;
                        set_status.text(3, at)?;
                        let pcid = p.payer_claim_id.as_str();
                        if pcid.is_empty() {
                            set_status.opt_text(4, None)?;
                        } else {
                            set_status.fresh_text(4, pcid)?;
                        }
                        set_status.fresh_text(5, p.claim_id.as_str())?;
                        set_status.text(6, p.payer_id.as_str())?;
                        set_status.execute()
                    })();
                    updated.map_err(sq)?;
                }
                crate::ledger::account::insert_plb(&tx, remit_id, &r.adjustments).map_err(sq)?;
                detail.insert_procedures(remit_id, &r.procedures).map_err(sq)?;
                summary.applied.push(key);
                crash.remittance();
            }
        }
        tx.commit().map_err(sq)?;
        Ok(summary)
    }
}

/// The PRAGMAs around [`Ledger::post_remittance_batches`] (`on`), and back
/// to the connection's own (`!on`; the cache size the connection had is
/// restored beside these). PRAGMA `foreign_keys` cannot change inside a
/// transaction, so these run between them.
fn bulk_pragmas(on: bool) -> &'static str {
    if on {
        "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -16384;"
    } else {
        "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
    }
}

/// Test hook for the crash tests of posting: with
/// `CLAIMFLOW_TEST_CRASH_AT=<point>` the process aborts (no destructors, no
/// rollback, like kill -9) the `CLAIMFLOW_TEST_CRASH_COUNT`-th time (1 when
/// unset) it reaches `<point>`:
///
/// - `remittance`: a remittance's rows were written, its batch's
///   transaction is still open;
/// - `committed`: a batch was committed;
/// - `posted`: every batch was committed, the WAL is neither synced nor
///   checkpointed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CrashAt {
    /// No crash (the environment variable is unset or names another point).
    Never,
    /// After the n-th remittance written (counting down).
    Remittance(u32),
    /// After the n-th batch committed (counting down).
    Committed(u32),
    /// Before the WAL is synced.
    Posted,
}

impl CrashAt {
    fn from_env() -> CrashAt {
        let Ok(point) = std::env::var("CLAIMFLOW_TEST_CRASH_AT") else { return CrashAt::Never };
        let count = std::env::var("CLAIMFLOW_TEST_CRASH_COUNT")
            .ok()
            .and_then(|c| c.parse().ok())
            .filter(|&c: &u32| c > 0)
            .unwrap_or(1);
        match point.as_str() {
            "remittance" => CrashAt::Remittance(count),
            "committed" => CrashAt::Committed(count),
            "posted" => CrashAt::Posted,
            _ => CrashAt::Never,
        }
    }

    fn remittance(&mut self) {
        if let CrashAt::Remittance(n) = self {
            *n -= 1;
            if *n == 0 {
                std::process::abort();
            }
        }
    }

    fn committed(&mut self) {
        if let CrashAt::Committed(n) = self {
            *n -= 1;
            if *n == 0 {
                std::process::abort();
            }
        }
    }

    fn posted(&self) {
        if *self == CrashAt::Posted {
            std::process::abort();
        }
    }
}
