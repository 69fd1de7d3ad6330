//! The eligibility job: 270 inquiries out ([`request`]) and 271 answers in
//! ([`read`]).
//!
//! `request` reads an encounter or schedule export, makes one inquiry per
//! payer, member, patient and date of service, leaves out those already
//! asked (unless asked `again`), writes one 270 per run (one receiver: the
//! config's clearinghouse) and records each inquiry's trace in the ledger.
//! `read` reads 271s, matches each answer to its inquiry (by trace, then by
//! payer, member and date), records the coverage in the ledger and writes
//! `coverage.csv`. What an answer means for a claim is decided in
//! `coverage`, which `build` and `check` call; this module prints nothing.

use std::path::PathBuf;

mod read;
mod request;

pub use read::{read, AnswerRead, FileRead, ReadOptions, ReadReport, Unmatched, COVERAGE_HEADER};
pub use request::{request, AlreadyAsked, RequestOptions, RequestReport};

/// Why an eligibility run could not run at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The export could not be read (unreadable, not CSV, missing columns).
    #[error(transparent)]
    Encounters(#[from] crate::encounter::Error),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::Error),
    /// A file could not be read or written.
    #[error("{path}: {what}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// The 270 could not be written (a value X12 cannot carry).
    #[error("{path}: writing the 270: {cause}")]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The writer's error.
        #[source]
        cause: crate::x12::WriteError,
    },
    /// The 270 written failed claimflow's own envelope check (a bug).
    #[error("{path}: the 270 written failed its own check ({first}); nothing was sent. This is a bug in claimflow: please report it")]
    SelfCheck {
        /// The file.
        path: PathBuf,
        /// The first finding.
        first: String,
    },
}

impl Error {
    pub(crate) fn io(
        path: &std::path::Path,
        what: &'static str,
    ) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { path, what, cause }
    }
}
