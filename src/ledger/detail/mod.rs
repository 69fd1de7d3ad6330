//! The detail the money report reads beyond claim totals (schema version 9):
//! the patient and first date of service of each claim as sent, the
//! service lines each remittance answered summed by payer and procedure
//! code, each denying adjustment with its reason, and the allowed amount of
//! each claim payment. Also opens a ledger for reading without taking the
//! run lock.
//!
//! `build` writes a claim's patient row in the same transaction as its
//! pending submission; `reconcile` writes denial rows with their claim
//! payment and procedure rows with their remittance, in the posting
//! transaction (the procedure sums come with the remittance: reconcile adds
//! them up on its reading threads, [`ProcedureSums`]). Lines are summed per
//! remittance, not stored one by one: a row per line would make posting a
//! million payments seconds slower (measured), and the report only needs
//! the sums. This module does not aggregate (that is `report`) and decides
//! nothing about money (`reconcile` does).
//!
//! `patients` records and reads the claims as sent, `posting` inserts the
//! detail of a remittance's claim payments.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::Error;

mod patients;
mod posting;
#[cfg(test)]
mod tests;

pub(crate) use patients::insert_patients;
pub use patients::{PatientRecord, PriorClaim, PriorLine};
pub(crate) use posting::DetailInserts;
pub use posting::{DenialPosting, LinePosting, ProcedureSums};

/// Schema version 9: patients as sent, answered service lines by
/// procedure, denying adjustments, and the allowed amount of a claim payment.
pub(crate) const MIGRATION_V9: &str = r#"
-- The patient of a claim as it was sent (the subscriber when the patient is
-- the subscriber), one row per claim and submission; the claim's current
-- row is the one of claims.submission_id.
CREATE TABLE claim_patients (
    claim_id      TEXT NOT NULL,
    payer_id      TEXT NOT NULL,
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    patient_last  TEXT NOT NULL,
    patient_first TEXT NOT NULL,
    patient_dob   TEXT,               -- YYYY-MM-DD
    service_date  TEXT NOT NULL,      -- earliest line date, YYYY-MM-DD
    PRIMARY KEY (claim_id, payer_id, submission_id)
) WITHOUT ROWID;

-- allowed: AMT*B6 of every line when each line gives one, else paid +
-- patient responsibility; NULL on rows posted before version 9.
ALTER TABLE claim_payments ADD COLUMN allowed TEXT;

-- The service lines (SVC) of a remittance's matched claim payments, summed
-- by the claim's payer and the procedure code; a reversal's lines count -1
-- and its negative amounts cancel what it reverses.
CREATE TABLE remittance_procedures (
    remittance_id INTEGER NOT NULL REFERENCES remittances (id),
    payer_id      TEXT NOT NULL,      -- the claims' payer
    procedure     TEXT NOT NULL,      -- code as submitted (SVC06, else SVC01), no modifiers
    lines         INTEGER NOT NULL,
    billed        TEXT NOT NULL,      -- sum of SVC02
    paid          TEXT NOT NULL,      -- sum of SVC03
    PRIMARY KEY (remittance_id, payer_id, procedure)
) WITHOUT ROWID;

-- Each adjustment counted in claim_payments.denied, with its level.
CREATE TABLE payment_denials (
    payment_id INTEGER NOT NULL REFERENCES claim_payments (id),
    line_no    INTEGER NOT NULL,      -- 0 = claim level (CAS after CLP), else the line
    group_code TEXT NOT NULL,         -- CAS01
    carc       TEXT NOT NULL,         -- CAS02
    amount     TEXT NOT NULL          -- decimal text
);
"#;

/// Schema version 12: the service lines of each claim as sent, on its
/// patient row, so that the NCCI rules of a later build see what was billed
/// for a patient on a day.
pub(crate) const MIGRATION_V12: &str = r#"
-- One entry per service line, ';' between lines: date (YYYYMMDD), procedure,
-- modifiers joined by ':', units; e.g. '20260302 04001 59:LT 1;20260302 04002  2'.
-- NULL on rows recorded before version 12.
ALTER TABLE claim_patients ADD COLUMN services TEXT;
"#;

/// Opens the ledger at `path` for reading (SQLite's read-only mode), without
/// the run lock (reads are safe beside a running job: SQLite's WAL gives
/// each read transaction one snapshot). Nothing is written: a ledger at an
/// older schema version is read as it is (a query that needs a newer table
/// fails; [`super::read::outdated`] says so). A missing file is an error:
/// reading creates no ledger.
pub fn open_read_only(path: &Path) -> Result<Connection, Error> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(Error::Missing { path: shown });
    }
    let sq = |cause| Error::Sqlite { path: shown.clone(), cause };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sq)?;
    conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sq)?;
    let version: u32 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .map_err(sq)?;
    let known = super::schema_version();
    if version > known {
        return Err(Error::TooNew { path: shown, found: version, known });
    }
    Ok(conn)
}
