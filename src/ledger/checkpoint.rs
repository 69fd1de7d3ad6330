//! Checkpoints of the ledger's write-ahead log on a thread of their own,
//! while one connection commits a long run of write transactions
//! (reconcile's posting batches). The writing connection then never
//! checkpoints, so its commits never wait for the two fsyncs a checkpoint
//! makes, and the log is still copied into the database file and reused as
//! the run goes. A checkpoint that cannot run (another one in progress, a
//! connection that cannot open) is skipped: the writer's last checkpoint
//! copies what is left. This module decides nothing about what is written.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::thread::JoinHandle;

use rusqlite::{Connection, OpenFlags};

/// The checkpointing thread; see the module docs. Dropping it waits for
/// the checkpoint in progress.
pub(crate) struct Checkpointer {
    ask: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts checkpointing the ledger at `path` on a connection of its
    /// own. `None` when the connection or the thread cannot be had: the
    /// caller's connection then checkpoints as usual.
    pub(crate) fn start(path: &str) -> Option<Checkpointer> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).ok()?;
        // The checkpoint syncs the log before copying it and the database
        // file after (`FULL`, whatever the writer's own setting).
        conn.execute_batch("PRAGMA synchronous = FULL;").ok()?;
        let (ask, asked) = sync_channel::<()>(1);
        let thread = std::thread::Builder::new()
            .name("checkpoint".into())
            .spawn(move || checkpoint_when_asked(&conn, &asked))
            .ok()?;
        Some(Checkpointer { ask: Some(ask), thread: Some(thread) })
    }

    /// Asks for a checkpoint (after a commit). Never blocks: when one is
    /// already asked for, that one will copy this commit too.
    pub(crate) fn committed(&self) {
        if let Some(ask) = &self.ask {
            match ask.try_send(()) {
                Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.ask.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Runs a passive checkpoint for each request until the requests end; the
/// last one asked for runs before it returns.
fn checkpoint_when_asked(conn: &Connection, asked: &Receiver<()>) {
    while asked.recv().is_ok() {
        // A failed or busy checkpoint is left to the next one.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commits_reach_the_database_file_through_the_checkpointing_thread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;
             CREATE TABLE t (v TEXT);",
        )
        .unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let path_text = path.to_str().unwrap();
        let checkpointer = Checkpointer::start(path_text).unwrap();
        for batch in 0..5 {
            let tx = conn.unchecked_transaction().unwrap();
            for i in 0..200 {
                tx.execute(
                    "INSERT INTO t (v) VALUES (?1)",
                    [format!("{batch}-{i}-{}", "x".repeat(100))],
                )
                .unwrap();
            }
            tx.commit().unwrap();
            checkpointer.committed();
        }
        drop(checkpointer);
        assert!(size() > before + 50_000, "the rows were copied into the database file");
        let n: i64 = conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 1000);
    }

    #[test]
    fn a_ledger_that_cannot_be_opened_gives_no_checkpointer() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no/such/l.db");
        assert!(Checkpointer::start(missing.to_str().unwrap()).is_none());
    }
}
