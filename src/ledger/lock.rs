//! The ledger lock: one run at a time per ledger.
//!
//! A lock file `<ledger>.lock` (e.g. `claimflow.db.lock`) is created with
//! `O_CREAT|O_EXCL` (`create_new`), so exactly one process can create it; it
//! holds that process's id. It is removed when the [`LockFile`] is dropped.
//!
//! Stale locks: a run killed with `kill -9` (or a power cut) leaves the file
//! behind. When the recorded pid is not a running process on this machine
//! (checked through `/proc/<pid>` on Linux), the lock is stale: it is removed
//! and taken over, and the caller is told so. Where `/proc` is not available
//! every existing lock is treated as live, and an operator removes a stale one
//! by hand after checking that no claimflow is running. This module does not
//! wait for a lock: a second cron run exits 2 at once.

use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A lock that could not be taken.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LockError {
    /// Another live process holds it.
    #[error("the ledger is in use by another claimflow run (pid {pid}, lock file {path}); wait for it to finish. If no claimflow is running, remove the lock file")]
    Held {
        /// The lock file.
        path: String,
        /// The holder's process id as recorded (0 when unreadable).
        pid: u32,
    },
    /// The lock file could not be created or read.
    #[error("cannot create the ledger lock file {path}: {cause}")]
    Io {
        /// The lock file.
        path: String,
        /// The I/O error.
        cause: io::Error,
    },
}

/// A held lock; released (file removed) on drop.
#[derive(Debug)]
pub struct LockFile {
    path: PathBuf,
    /// The pid of a stale lock that was taken over, if any.
    pub took_over_from: Option<u32>,
}

impl LockFile {
    /// The lock file path for a ledger path: `<ledger>.lock`.
    pub fn path_for(ledger: &Path) -> PathBuf {
        let mut s = ledger.as_os_str().to_os_string();
        s.push(".lock");
        PathBuf::from(s)
    }

    /// Takes the lock for `ledger`, or fails at once if a live process holds it.
    pub fn acquire(ledger: &Path) -> Result<LockFile, LockError> {
        let path = LockFile::path_for(ledger);
        let shown = path.display().to_string();
        let io_err = |source| LockError::Io { path: shown.clone(), cause: source };
        let mut took_over_from = None;
        for _ in 0..3 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    writeln!(f, "{}", std::process::id()).map_err(io_err)?;
                    f.sync_all().map_err(io_err)?;
                    return Ok(LockFile { path, took_over_from });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    let content = fs::read_to_string(&path).unwrap_or_default();
                    let pid: u32 = content.trim().parse().unwrap_or(0);
                    if pid != 0 && is_stale(pid) {
                        // Remove only if it still names the same dead process.
                        if fs::read_to_string(&path).unwrap_or_default() == content {
                            let _ = fs::remove_file(&path);
                            took_over_from = Some(pid);
                        }
                        continue;
                    }
                    return Err(LockError::Held { path: shown, pid });
                }
                Err(e) => return Err(io_err(e)),
            }
        }
        Err(LockError::Held { path: shown, pid: 0 })
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// True when `pid` is known not to be running on this machine.
fn is_stale(pid: u32) -> bool {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return false; // cannot tell: treat as live
    }
    pid != std::process::id() && !proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_fails_while_held_and_succeeds_after_release() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("claimflow.db");
        let lock = LockFile::acquire(&db).unwrap();
        let err = LockFile::acquire(&db).unwrap_err();
        assert!(err.to_string().contains("in use by another claimflow run"), "{err}");
        drop(lock);
        assert!(!LockFile::path_for(&db).exists());
        LockFile::acquire(&db).unwrap();
    }

    #[test]
    fn stale_lock_of_dead_process_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("claimflow.db");
        // pid_max on Linux is at most 2^22; this pid cannot be running.
        fs::write(LockFile::path_for(&db), "99999999\n").unwrap();
        let lock = LockFile::acquire(&db).unwrap();
        assert_eq!(lock.took_over_from, Some(99_999_999));
    }
}
