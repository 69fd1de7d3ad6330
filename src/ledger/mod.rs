//! The claims ledger: the memory between nightly runs, in one SQLite file.
//!
//! It records every claim sent (with a content hash), every 837 file written
//! with its ISA13/GS06/ST02 control numbers, each claim's status history, and
//! allocates control numbers so they are never reused, even after a crash.
//! The file is opened in WAL mode; a lock file keeps two runs from sharing it
//! (see [`LockFile`]). The schema is versioned: `MIGRATIONS` lists every
//! version in order, and opening a ledger applies the missing ones in one
//! transaction each. The schema is documented in `docs/ledger.md`.
//!
//! Crash safety of a build: control numbers are allocated and committed
//! before the file is written (a crash burns them, never reuses them); the
//! submission is then recorded as `pending` with its claims (a build's set by
//! set on a thread of its own, `pending`), the file is
//! renamed into place, and the submission is marked `complete`. A `pending`
//! submission found when the ledger is next opened is completed when its file
//! exists, and abandoned (its claims count as not sent) when it does not.
//!
//! Remittances are in `remit` (schema 2 to 5), acknowledgments in `ack`
//! (schema 7), eligibility inquiries in `eligibility` and claim status
//! inquiries in `claim_status` (schema 13), and the reads behind
//! `claimflow status` in `story`. This
//! module does not decide what to build (that is `build`), and does not
//! read X12 files (that is `reconcile` and `ack`).

use std::path::{Path, PathBuf};

pub use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::claim::ClaimStatus;
use crate::finding::Finding;

mod account;
mod ack;
mod bind;
mod checkpoint;
mod claim_status;
mod cob;
mod detail;
mod eligibility;
mod hash;
mod lock;
mod migrations;
mod pending;
pub mod read;
mod remit;
mod standing;
mod story;
mod submission;

pub use account::{ClaimMoney, LivePayment, PlbPosting};
pub use ack::{AckPosting, AckSummary, ClaimAck, CurrentClaim, Span, Submission, SubmittedClaim};
pub use claim_status::{LatestStatusAnswer, StatusAnswerRecord};
pub use cob::{CobCandidate, CobCursor, CobHeld, CobRecord, PrimaryPayment};
pub use detail::{
    open_read_only, DenialPosting, LinePosting, PatientRecord, PriorClaim, PriorLine, ProcedureSums,
};
pub use eligibility::{
    coverage_all, coverage_for, coverage_for_claims, inquiry_counts, InquiryRecord,
};
pub use hash::content_hash;
pub(crate) use hash::hex;
pub use lock::{LockError, LockFile};
pub(crate) use migrations::schema_version;
#[cfg(test)]
pub(crate) use migrations::MIGRATIONS;
pub use read::ReadError;
pub use remit::{
    LedgerClaim, PaymentPosting, PostSummary, RemitPosting, SentFile, SentRow, UnpairedReversal,
};
pub use standing::{standing, unanswered_lines, PayerAnswer, Stage, Standing};
pub(crate) use story::Which;
pub use story::{ClaimState, Event, PaymentState, StatusCount};
pub use submission::{ABANDONED, RECOVERED};

/// A ledger problem.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The lock could not be taken.
    #[error(transparent)]
    Lock(#[from] LockError),
    /// The ledger's folder could not be created.
    #[error("cannot create the ledger's folder {path}: {cause}")]
    Folder {
        /// The folder.
        path: String,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// The ledger's write-ahead log could not be synced to disk.
    #[error("cannot sync the ledger's write-ahead log {path}: {cause}")]
    Sync {
        /// The write-ahead log file.
        path: String,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// SQLite failed.
    #[error("ledger {path}: {cause}")]
    Sqlite {
        /// The ledger file.
        path: String,
        /// The SQLite error.
        #[source]
        cause: rusqlite::Error,
    },
    /// The ledger was written by a newer claimflow.
    #[error("ledger {path} has schema version {found}; this claimflow knows up to {known}: upgrade claimflow")]
    TooNew {
        /// The ledger file.
        path: String,
        /// Version found.
        found: u32,
        /// Highest version known here.
        known: u32,
    },
    /// A read-only command needs a newer schema than the ledger's: a
    /// command that writes the ledger upgrades it.
    #[error("ledger {path} has schema version {found}, older than the version {known} this command reads; it is opened read-only and not upgraded: the next `claimflow build` (or any command that writes the ledger: reconcile, ack, secondary, eligibility, status --inquire) upgrades it")]
    Outdated {
        /// The ledger file.
        path: String,
        /// Version found.
        found: u32,
        /// Highest version known here.
        known: u32,
    },
    /// A typed read failed.
    #[error("ledger {path}: {cause}")]
    Read {
        /// The ledger file.
        path: String,
        /// The read error.
        #[source]
        cause: ReadError,
    },
    /// There is no ledger file where one is to be read.
    #[error("no ledger at {path}: `claimflow build` creates it")]
    Missing {
        /// The ledger file.
        path: String,
    },
    /// A control-number counter reached its maximum.
    #[error("control number {name} is exhausted (999999999); control numbers are never reused")]
    Exhausted {
        /// Counter name.
        name: String,
    },
}

/// What the ledger knows of a claim that was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentClaim {
    /// sha256 of the canonical claim as last sent.
    pub content_hash: String,
    /// Current status.
    pub status: ClaimStatus,
    /// The file it was last sent in.
    pub file: String,
    /// That file's ISA13.
    pub isa13: String,
}

/// One claim of a submission, as recorded.
#[derive(Clone, Debug)]
pub struct ClaimRecord {
    /// CLM01.
    pub claim_id: String,
    /// Payer id.
    pub payer_id: String,
    /// [`content_hash`] of the claim.
    pub content_hash: String,
    /// CLM05-3.
    pub frequency: String,
    /// CLM02.
    pub total_charge: Decimal,
    /// ST02 of the set holding it.
    pub st02: String,
    /// How it is sent: [`ClaimStatus::Sent`], `Resent` (with `--resend`),
    /// `Replacement` (frequency 7) or `Void` (8).
    pub status: ClaimStatus,
    /// Where it sits in its 837 set (for mapping 999 errors to it).
    pub span: Option<Span>,
    /// What to say of this send in the claim's story (e.g. that it goes
    /// again after a front-end rejection); `None` says nothing more.
    pub detail: Option<String>,
    /// The patient as sent (for patient statements); `None` records none.
    pub patient: Option<PatientRecord>,
}

/// A file about to be (or just) written.
#[derive(Clone, Debug)]
pub struct SubmissionRecord {
    /// Where the file is (will be) after the rename.
    pub file: PathBuf,
    /// sha256 of its bytes, hex.
    pub file_sha256: String,
    /// ISA13 (9 digits).
    pub isa13: String,
    /// GS06.
    pub gs06: String,
    /// ST02 values.
    pub st02: Vec<String>,
    /// Sum of CLM02.
    pub total_charge: Decimal,
    /// The run's clock, ISO 8601.
    pub created_at: String,
}

/// An open, locked ledger.
#[derive(Debug)]
pub struct Ledger {
    /// The thread recording a build's pending claims, when one runs
    /// ([`Ledger::queue_pending`]); dropped (and so waited for) before the
    /// connection and the lock.
    pending: Option<pending::PendingWriter>,
    conn: Connection,
    path: String,
    /// Pending submissions resolved on open, one warning each:
    /// [`RECOVERED`] (its file exists: recorded as sent) or [`ABANDONED`]
    /// (no file: its claims count as not sent), naming the ISA13.
    pub recovered: Vec<Finding>,
    // Dropped last: the lock is released after the connection closes. A
    // read-only ledger takes none.
    _lock: Option<LockFile>,
}

impl Ledger {
    /// Creates the ledger's folder if needed, takes the lock, opens (creating
    /// if needed) the ledger, applies missing migrations and resolves
    /// submissions left `pending` by a crash.
    pub fn open(path: &Path) -> Result<Ledger, Error> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|cause| Error::Folder { path: dir.display().to_string(), cause })?;
        }
        let lock = LockFile::acquire(path)?;
        let shown = path.display().to_string();
        let sq = |source| Error::Sqlite { path: shown.clone(), cause: source };
        let conn = Connection::open(path).map_err(sq)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sq)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(sq)?;
        conn.pragma_update(None, "synchronous", "FULL").map_err(sq)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(sq)?;
        set_private(path);
        let mut ledger =
            Ledger { pending: None, conn, path: shown, recovered: Vec::new(), _lock: Some(lock) };
        ledger.migrate()?;
        ledger.recover()?;
        Ok(ledger)
    }

    /// Opens the ledger at `path` read-only (SQLite's read-only mode, no
    /// lock): nothing is migrated, recovered or written, and the file's
    /// bytes and modification time stay as they are. A ledger at an older
    /// schema version is opened as it is: what its tables hold can be read,
    /// and a read that needs a newer table fails; [`Ledger::outdated`] then
    /// names the command that upgrades it. A missing file is
    /// [`Error::Missing`], a newer schema [`Error::TooNew`].
    pub fn open_read_only(path: &Path) -> Result<Ledger, Error> {
        let conn = detail::open_read_only(path)?;
        Ok(Ledger {
            pending: None,
            conn,
            path: path.display().to_string(),
            recovered: Vec::new(),
            _lock: None,
        })
    }

    /// Another connection to this ledger, read-only ([`Ledger::open_read_only`]:
    /// no lock, nothing migrated, recovered or written), for a thread that
    /// reads while this connection writes. The ledger is in WAL mode, so
    /// each of its reads sees the transactions committed when it starts.
    pub fn reader(&self) -> Result<Ledger, Error> {
        Ledger::open_read_only(Path::new(&self.path))
    }

    /// [`Error::Outdated`] when the ledger's schema is older than this
    /// build's (a read that failed on it needs the upgrade); `None` when it
    /// is current or its version cannot be read.
    pub fn outdated(&self) -> Option<Error> {
        read::outdated(&self.conn)
    }

    /// What the standing of claim `claim_id` sent to `payer_id` takes (see
    /// [`read::balances::claim_answers`]); `None` when the ledger holds no
    /// such claim or it is a COB claim to a secondary.
    pub fn claim_answers(
        &self,
        claim_id: &str,
        payer_id: &str,
    ) -> Result<Option<read::balances::ClaimAnswers>, Error> {
        read::balances::claim_answers(&self.conn, claim_id, payer_id)
            .map_err(|cause| Error::Read { path: self.path.clone(), cause })
    }

    fn sq(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| Error::Sqlite { path: self.path.clone(), cause: source }
    }

    /// The schema version of the open ledger.
    pub fn version(&self) -> Result<u32, Error> {
        self.conn
            .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
            .map_err(self.sq())
    }

    /// The open connection, for read-only reporting and for modules that add
    /// their own tables through `MIGRATIONS`.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// The open connection, for writes in modules that own tables added by a
    /// migration (e.g. remittances); use a transaction.
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Makes the ledger file (and its WAL companions, when present) mode 0600.
fn set_private(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = path.as_os_str().to_os_string();
            p.push(suffix);
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

#[cfg(test)]
mod tests;

/// Statuses are stored as their words (`sent`, `paid`, ...).
impl rusqlite::ToSql for ClaimStatus {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// A word that is no status is an error naming it (a ledger edited by hand).
impl rusqlite::types::FromSql for ClaimStatus {
    fn column_result(value: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let word = value.as_str()?;
        ClaimStatus::from_word(word).ok_or_else(|| {
            rusqlite::types::FromSqlError::Other(format!("unknown claim status {word:?}").into())
        })
    }
}
