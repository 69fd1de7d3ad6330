//! Exact decimal arithmetic inside SQLite, for the report's queries.
//!
//! The ledger stores amounts as decimal text (`125`, `-0.5`). SQLite's own
//! `SUM` would turn them into floating point; these functions parse each
//! value as a `rust_decimal::Decimal` and return decimal text, so sums are
//! exact and the aggregation still happens in SQL, one group at a time:
//!
//! - `dec_sum(x)`: aggregate sum (NULL counts as 0; no rows gives `0`);
//! - `dec_add(a, b)`, `dec_sub(a, b)`: sum and difference (NULL is 0);
//! - `dec_sign(x)`: -1, 0 or 1.
//!
//! A value that is not a decimal is an error naming it, never a silent 0.
//! This module knows nothing of claims.

use rusqlite::functions::{Aggregate, Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use rust_decimal::Decimal;

/// The decimal at argument `i` (NULL is 0).
fn arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Decimal> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(Decimal::ZERO),
        ValueRef::Integer(n) => Ok(Decimal::from(n)),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse::<Decimal>().ok())
            .ok_or_else(|| bad(&String::from_utf8_lossy(t))),
        ValueRef::Real(r) => Err(bad(&r.to_string())),
        ValueRef::Blob(_) => Err(bad("a blob")),
    }
}

fn bad(what: &str) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(format!("not a decimal amount: {what:?}").into())
}

/// `dec_sum`.
struct DecSum;

impl Aggregate<Decimal, String> for DecSum {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Decimal> {
        Ok(Decimal::ZERO)
    }
    fn step(&self, ctx: &mut Context<'_>, acc: &mut Decimal) -> rusqlite::Result<()> {
        let v = arg(ctx, 0)?;
        *acc = acc
            .checked_add(v)
            .ok_or_else(|| rusqlite::Error::UserFunctionError("sum out of range".into()))?;
        Ok(())
    }
    fn finalize(&self, _: &mut Context<'_>, acc: Option<Decimal>) -> rusqlite::Result<String> {
        Ok(crate::numtext::amount(acc.unwrap_or_default()))
    }
}

/// Registers the functions on `conn`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_aggregate_function("dec_sum", 1, flags, DecSum)?;
    conn.create_scalar_function("dec_add", 2, flags, |ctx| {
        Ok(crate::numtext::amount(arg(ctx, 0)? + arg(ctx, 1)?))
    })?;
    conn.create_scalar_function("dec_sub", 2, flags, |ctx| {
        Ok(crate::numtext::amount(arg(ctx, 0)? - arg(ctx, 1)?))
    })?;
    conn.create_scalar_function("dec_sign", 1, flags, |ctx| {
        let v = arg(ctx, 0)?;
        Ok(if v.is_zero() {
            0
        } else if v.is_sign_negative() {
            -1
        } else {
            1
        })
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> rusqlite::Result<String> {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.query_row(sql, [], |r| r.get(0))
    }

    #[test]
    fn sums_exactly_where_floats_would_not() {
        let sql = "SELECT dec_sum(v) FROM (SELECT '0.1' AS v UNION ALL SELECT '0.2' UNION ALL SELECT NULL)";
        assert_eq!(one(sql).unwrap(), "0.3");
        assert_eq!(one("SELECT dec_sum(v) FROM (SELECT 1 AS v WHERE 0)").unwrap(), "0");
        assert_eq!(one("SELECT dec_sub('100', '0.01')").unwrap(), "99.99");
        assert_eq!(one("SELECT dec_add('-5', NULL)").unwrap(), "-5");
        assert_eq!(one("SELECT CAST(dec_sign('-0.01') AS TEXT)").unwrap(), "-1");
        assert_eq!(one("SELECT CAST(dec_sign('0.00') AS TEXT)").unwrap(), "0");
    }

    #[test]
    fn refuses_what_is_not_a_decimal() {
        let err = one("SELECT dec_sum(v) FROM (SELECT '12,50' AS v)").unwrap_err();
        assert!(err.to_string().contains("not a decimal amount"), "{err}");
        assert!(one("SELECT dec_sign(1.5)").is_err());
    }
}
