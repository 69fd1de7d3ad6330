//! Recording a submission's pending claims on a thread of its own, so that
//! the thread writing the 837P does not wait for SQLite: the writer of a
//! build or of a secondary run hands each set's claim records over
//! ([`Ledger::queue_pending`])
//! and goes on with the next set while a second connection to the same
//! ledger inserts them, in the order handed over, in the transactions of
//! [`Ledger::add_pending`]. [`Ledger::flush_pending`] waits until every
//! record handed over is committed and returns the first error; the
//! ledger's own writes that depend on those rows ([`Ledger::end_pending`],
//! [`Ledger::complete`], [`Ledger::add_pending`]) call it first.
//!
//! The crash guarantees are those of [`Ledger::add_pending`]: the rows are
//! part of a `pending` submission until the file is renamed into place, so
//! a crash at any point (even with records still queued) leaves a
//! submission the next open abandons. This module decides nothing about
//! what is recorded; the inserts are `submission`'s.

use std::path::Path;
use std::sync::mpsc;
use std::thread;

use rusqlite::{Connection, OpenFlags};

use super::submission::{batch_pragmas, insert_pending_batches};
use super::{ClaimRecord, Error, Ledger};

/// Sets of records queued at most before [`Ledger::queue_pending`] waits
/// for the thread (two sets: the one being inserted and the next).
const QUEUED: usize = 2;

/// The thread recording one pending submission's claims.
#[derive(Debug)]
pub(super) struct PendingWriter {
    /// The submission whose claims it records.
    id: i64,
    /// The ledger file (for errors).
    path: String,
    /// Records to insert; dropped to tell the thread to finish.
    queue: Option<mpsc::SyncSender<Vec<ClaimRecord>>>,
    /// The thread; its result is the first error, which stops it.
    thread: Option<thread::JoinHandle<Result<(), Error>>>,
}

impl PendingWriter {
    /// Opens a second connection to the ledger at `path` (which this
    /// process has open and locked) and starts the thread.
    fn start(path: &str, id: i64, created_at: &str) -> Result<PendingWriter, Error> {
        let shown = path.to_string();
        let sq = |cause| Error::Sqlite { path: shown.clone(), cause };
        let mut conn = Connection::open_with_flags(
            Path::new(path),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sq)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sq)?;
        // This connection only ever inserts pending claims.
        conn.execute_batch(batch_pragmas(true)).map_err(sq)?;
        let (queue, records) = mpsc::sync_channel::<Vec<ClaimRecord>>(QUEUED);
        let created_at = created_at.to_string();
        let thread = thread::Builder::new()
            .name("ledger-pending".into())
            .spawn(move || -> Result<(), Error> {
                let sq = |cause| Error::Sqlite { path: shown.clone(), cause };
                for set in records {
                    insert_pending_batches(&mut conn, id, &created_at, &set).map_err(sq)?;
                }
                conn.close().map_err(|(_, cause)| sq(cause))
            })
            .map_err(|e| {
                stopped(path, &format!("cannot start the thread recording claims: {e}"))
            })?;
        Ok(PendingWriter { id, path: path.to_string(), queue: Some(queue), thread: Some(thread) })
    }

    /// Waits for the thread to insert everything queued and end; its error.
    fn join(&mut self) -> Result<(), Error> {
        self.queue = None;
        match self.thread.take().map(thread::JoinHandle::join) {
            None | Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(stopped(&self.path, "the thread recording claims panicked")),
        }
    }
}

impl Drop for PendingWriter {
    /// The thread ends with what was queued (the submission stays
    /// `pending`, as after a crash, unless completed later).
    fn drop(&mut self) {
        let _ = self.join();
    }
}

impl Ledger {
    /// Queues `records` of pending submission `id` (see
    /// [`Ledger::begin_pending`]) to be recorded as
    /// [`Ledger::add_pending`] does, on a thread of their own; waits only
    /// when `QUEUED` sets are already waiting. An error of an earlier set
    /// comes back here or from [`Ledger::flush_pending`].
    pub fn queue_pending(
        &mut self,
        id: i64,
        created_at: &str,
        records: Vec<ClaimRecord>,
    ) -> Result<(), Error> {
        if self.pending.as_ref().is_some_and(|w| w.id != id) {
            self.flush_pending()?;
        }
        if self.pending.is_none() {
            self.pending = Some(PendingWriter::start(&self.path, id, created_at)?);
        }
        let sent = match self.pending.as_ref().and_then(|w| w.queue.as_ref()) {
            Some(queue) => queue.send(records).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The thread stopped: its error says why.
        self.flush_pending()?;
        Err(stopped(&self.path, "the thread recording claims stopped"))
    }

    /// Waits until every record queued by [`Ledger::queue_pending`] is
    /// committed; the first error of the thread recording them.
    pub fn flush_pending(&mut self) -> Result<(), Error> {
        match self.pending.take() {
            Some(mut w) => w.join(),
            None => Ok(()),
        }
    }
}

/// The error of a recording thread that could not start or went away.
fn stopped(path: &str, why: &str) -> Error {
    Error::Sqlite {
        path: path.to_string(),
        cause: rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
            Some(why.to_string()),
        ),
    }
}
