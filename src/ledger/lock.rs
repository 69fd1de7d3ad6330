//! The ledger lock: one run at a time per ledger.
//!
//! The lock is an advisory, exclusive lock held on the file `<ledger>.lock`
//! (e.g. `claimflow.db.lock`): `flock(LOCK_EX | LOCK_NB)` on Unix,
//! `LockFileEx` on Windows, through the `fs4` crate. When another process
//! holds it, [`LockFile::acquire`] tries again for half a second (a lock
//! held for an instant, e.g. by a child between fork and exec, is waited
//! out) and then fails (a second cron run exits 2). The kernel releases the lock when the
//! holder's file is closed, so also when the process dies (`kill -9`, a
//! crash, a power cut): there are no stale locks to detect or take over.
//!
//! The holder writes its process id into the file, for the message a second
//! run prints. The file itself is left in place when the lock is released,
//! on purpose: deleting it would race with a run that has just opened it and
//! is about to lock it (that run would then hold a lock on a deleted file
//! while a third run creates and locks a new one). A `.lock` file that is
//! left behind therefore means nothing by itself; only a held lock blocks.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use fs4::{FileExt, TryLockError};

/// How often and how long a held lock is tried again before giving up
/// (half a second in all).
const HELD_RETRIES: u32 = 10;
const HELD_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// A lock that could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another live process holds it.
    #[error("the ledger is in use by another claimflow run (pid {pid}, lock file {path}); wait for it to finish: the lock is released automatically when that process ends")]
    Held {
        /// The lock file.
        path: String,
        /// The holder's process id as recorded (0 when unreadable).
        pid: u32,
    },
    /// The lock file could not be created, read or locked.
    #[error("cannot create the ledger lock file {path}: {cause}")]
    Io {
        /// The lock file.
        path: String,
        /// The I/O error.
        #[source]
        cause: io::Error,
    },
}

/// A held lock; released (by the kernel) when dropped or when the process
/// ends. The lock file stays in place.
#[derive(Debug)]
pub struct LockFile {
    _file: File,
}

impl LockFile {
    /// The lock file path for a ledger path: `<ledger>.lock`.
    fn path_for(ledger: &Path) -> PathBuf {
        let mut s = ledger.as_os_str().to_os_string();
        s.push(".lock");
        PathBuf::from(s)
    }

    /// Takes the lock for `ledger`, or fails after half a second if another process (or
    /// another open ledger in this process) holds it. The lock file's folder
    /// must exist.
    pub fn acquire(ledger: &Path) -> Result<LockFile, LockError> {
        let path = LockFile::path_for(ledger);
        let shown = path.display().to_string();
        let io_err = |cause| LockError::Io { path: shown.clone(), cause };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        // Called through the trait: `File::try_lock` of std (Rust 1.89) would
        // otherwise be picked, and this crate supports older compilers.
        // A lock held only for an instant is waited for (briefly): a process
        // that forks a child while holding the lock shares it with the child
        // until the child's exec closes the inherited file.
        let mut attempt = 0;
        let locked = loop {
            match FileExt::try_lock(&file) {
                Err(TryLockError::WouldBlock) if attempt < HELD_RETRIES => {
                    attempt += 1;
                    std::thread::sleep(HELD_RETRY_PAUSE);
                }
                other => break other,
            }
        };
        match locked {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut content = String::new();
                let _ = file.read_to_string(&mut content);
                let pid = content.trim().parse().unwrap_or(0);
                return Err(LockError::Held { path: shown, pid });
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
        file.set_len(0).map_err(io_err)?;
        writeln!(file, "{}", std::process::id()).map_err(io_err)?;
        Ok(LockFile { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_fails_while_held_and_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("claimflow.db");
        let lock = LockFile::acquire(&db).unwrap();
        match LockFile::acquire(&db).unwrap_err() {
            LockError::Held { pid, .. } => assert_eq!(pid, std::process::id()),
            err => panic!("expected Held, got {err}"),
        }
        drop(lock);
        assert!(LockFile::path_for(&db).exists(), "the lock file stays in place");
        LockFile::acquire(&db).unwrap();
    }

    #[test]
    fn lock_file_left_by_a_dead_process_does_not_block() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("claimflow.db");
        // What a killed run leaves: the file with its pid, and no lock held.
        std::fs::write(LockFile::path_for(&db), "99999999\n").unwrap();
        let _lock = LockFile::acquire(&db).unwrap();
        let pid = std::fs::read_to_string(LockFile::path_for(&db)).unwrap();
        assert_eq!(
            pid,
            format!("{}\n", std::process::id()),
            "the new holder's pid replaces the old one"
        );
    }
}
