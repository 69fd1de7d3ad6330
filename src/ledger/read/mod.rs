//! The ledger's typed reads for the commands that only read it: the
//! report's grouped queries (`report`) and its pass over every claim
//! (`claims`), a claim's answers for its standing
//! (`balances`), a claim's live payments and the rule over them (`live`:
//! what a payer answered, which payer answers after the primary), the
//! exact-decimal SQL functions the report sums with (`sqlfn`),
//! and the report's read transaction ([`begin`], [`end`]).
//!
//! Nothing here writes to the ledger or decides what a figure means: the
//! money rule is `ledger::standing`, the rows and files are `report`'s.

use chrono::NaiveDate;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};
use rust_decimal::Decimal;

pub mod balances;
pub(crate) mod claims;
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

/// Text of column `i` ('' for NULL).
fn text(row: &Row<'_>, i: usize) -> Result<String, ReadError> {
    Ok(match row.get_ref(i)? {
        ValueRef::Null => String::new(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(r) => r.to_string(),
        ValueRef::Blob(_) => String::new(),
    })
}

/// Decimal of column `i` (NULL is 0).
fn dec(row: &Row<'_>, i: usize) -> Result<Decimal, ReadError> {
    let t = text(row, i)?;
    if t.is_empty() {
        return Ok(Decimal::ZERO);
    }
    t.trim().parse().map_err(|_| ReadError::Value { what: format!("amount {t:?}") })
}

/// The `YYYY-MM-DD` start of an ISO 8601 text, as a date.
fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
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
