//! The ledger's typed reads for the commands that only read it: the
//! report's queries (`report`), a claim's answers for its standing
//! (`balances`), a claim's live payments and the rule over them (`live`:
//! what a payer answered, which payer answers after the primary), the
//! exact-decimal SQL functions the report sums with (`sqlfn`),
//! and the report's read transaction ([`begin`], [`end`]).
//!
//! Nothing here writes to the ledger or decides what a figure means: the
//! money rule is `ledger::standing`, the rows and files are `report`'s.

use rusqlite::Connection;

pub mod balances;
mod live;
pub(crate) mod report;
mod sqlfn;

/// A read of the ledger failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A query failed.
    #[error("reading the ledger: {0}")]
    Query(#[from] rusqlite::Error),
    /// The ledger holds a value that is not what its column says.
    #[error("the ledger holds an unreadable {what}")]
    Value {
        /// What and the value.
        what: String,
    },
}

/// Registers the exact-decimal SQL functions on `conn` and starts one read
/// transaction: every query until [`end`] sees the same moment of the ledger.
pub fn begin(conn: &Connection) -> Result<(), ReadError> {
    sqlfn::register(conn)?;
    conn.execute_batch("BEGIN DEFERRED")?;
    Ok(())
}

/// Ends the read transaction [`begin`] started (it changed nothing: ending
/// it cannot lose work).
pub fn end(conn: &Connection, ok: bool) -> Result<(), ReadError> {
    conn.execute_batch(if ok { "COMMIT" } else { "ROLLBACK" })?;
    Ok(())
}

/// [`crate::ledger::Error::Outdated`] when the ledger open on `conn` has an
/// older schema than this build's (a read-only command whose read failed on
/// it says so, with the command that upgrades it); `None` when it is
/// current or its version cannot be read.
pub fn outdated(conn: &Connection) -> Option<crate::ledger::Error> {
    let path = conn.path().unwrap_or("(in memory)");
    let found: u32 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .ok()?;
    let known = crate::ledger::schema_version();
    (found < known).then(|| crate::ledger::Error::Outdated { path: path.to_string(), found, known })
}

/// The ledger's payer ids (of claims sent and of claim payments), once, in
/// id order.
pub fn payer_ids(conn: &Connection) -> Result<Vec<String>, ReadError> {
    report::payer_ids(conn)
}
