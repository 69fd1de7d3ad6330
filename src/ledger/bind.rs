//! A cached statement whose values are bound only when they change, for
//! the statements that posting runs once per row.
//!
//! SQLite keeps a bound value until it is replaced (running or resetting
//! the statement keeps it), and binding text frees the value bound before
//! and copies the new one into a fresh allocation: binding every value of
//! every row costs a quarter of the posting thread's instructions. Many values
//! repeat from row to row (the remittance, the payer, the run's clock, a
//! status, a zero amount), so each parameter's last value is remembered and
//! compared first. A statement taken from rusqlite's cache has no bindings
//! (rusqlite clears them when it caches it), and only this wrapper binds
//! it while it holds it. It does not prepare or choose statements.

use rust_decimal::Decimal;

use crate::numtext::push_normalized;

/// The value a parameter holds.
#[derive(Debug)]
enum Last {
    /// None bound yet (the statement came from the cache).
    Unset,
    Null,
    Int(i64),
    Text(String),
    /// An amount, bound as its normalized text: equal amounts (1.5 and
    /// 1.50) have the same text.
    Amount(Decimal),
}

/// A cached statement and the value each of its parameters holds.
pub(crate) struct Binds<'t> {
    st: rusqlite::CachedStatement<'t>,
    /// Indexed by parameter number (1-based; 0 unused).
    last: Vec<Last>,
    /// Amounts are formatted here.
    scratch: String,
}

impl<'t> Binds<'t> {
    /// Wraps `st`, fresh from the statement cache (nothing bound).
    pub(crate) fn new(st: rusqlite::CachedStatement<'t>) -> Binds<'t> {
        let n = st.parameter_count();
        Binds { st, last: (0..=n).map(|_| Last::Unset).collect(), scratch: String::new() }
    }

    /// Binds text `v` to parameter `i` unless it holds `v` already.
    pub(crate) fn text(&mut self, i: usize, v: &str) -> rusqlite::Result<()> {
        match self.last.get_mut(i) {
            Some(Last::Text(t)) if t == v => Ok(()),
            Some(last) => {
                self.st.raw_bind_parameter(i, v)?;
                match last {
                    Last::Text(t) => {
                        t.clear();
                        t.push_str(v);
                    }
                    other => *other = Last::Text(v.to_owned()),
                }
                Ok(())
            }
            // Out of range: rusqlite reports it.
            None => self.st.raw_bind_parameter(i, v),
        }
    }

    /// Binds integer `v` to parameter `i` unless it holds `v` already.
    pub(crate) fn int(&mut self, i: usize, v: i64) -> rusqlite::Result<()> {
        match self.last.get_mut(i) {
            Some(Last::Int(n)) if *n == v => Ok(()),
            Some(last) => {
                self.st.raw_bind_parameter(i, v)?;
                *last = Last::Int(v);
                Ok(())
            }
            None => self.st.raw_bind_parameter(i, v),
        }
    }

    /// Binds `v`, or NULL when it is `None`, to parameter `i`.
    pub(crate) fn opt_text(&mut self, i: usize, v: Option<&str>) -> rusqlite::Result<()> {
        match v {
            Some(v) => self.text(i, v),
            None => match self.last.get_mut(i) {
                Some(Last::Null) => Ok(()),
                Some(last) => {
                    self.st.raw_bind_parameter(i, rusqlite::types::Null)?;
                    *last = Last::Null;
                    Ok(())
                }
                None => self.st.raw_bind_parameter(i, rusqlite::types::Null),
            },
        }
    }

    /// Binds text `v` that seldom repeats (an id) to parameter `i`,
    /// without comparing or remembering it.
    pub(crate) fn fresh_text(&mut self, i: usize, v: &str) -> rusqlite::Result<()> {
        if let Some(last) = self.last.get_mut(i) {
            *last = Last::Unset;
        }
        self.st.raw_bind_parameter(i, v)
    }

    /// Binds amount `d` as normalized decimal text (`numtext`) to parameter
    /// `i` unless it holds an equal amount already.
    pub(crate) fn amount(&mut self, i: usize, d: Decimal) -> rusqlite::Result<()> {
        match self.last.get_mut(i) {
            Some(Last::Amount(a)) if *a == d => Ok(()),
            Some(last) => {
                self.scratch.clear();
                push_normalized(&mut self.scratch, d);
                self.st.raw_bind_parameter(i, self.scratch.as_str())?;
                *last = Last::Amount(d);
                Ok(())
            }
            None => self.st.raw_bind_parameter(i, d.to_string()),
        }
    }

    /// Runs the statement with the values bound; the number of rows changed.
    pub(crate) fn execute(&mut self) -> rusqlite::Result<usize> {
        self.st.raw_execute()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> rusqlite::Connection {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (a, b, c)").unwrap();
        c
    }

    fn rows(c: &rusqlite::Connection) -> Vec<String> {
        let mut st = c
            .prepare("SELECT quote(a) || ' ' || quote(b) || ' ' || quote(c) FROM t ORDER BY rowid")
            .unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap();
        r.map(Result::unwrap).collect()
    }

    #[test]
    fn values_kept_replaced_and_cleared_with_the_cache() {
        let c = conn();
        {
            let mut b = Binds::new(c.prepare_cached("INSERT INTO t VALUES (?1, ?2, ?3)").unwrap());
            b.text(1, "x").unwrap();
            b.int(2, 7).unwrap();
            b.opt_text(3, None).unwrap();
            b.execute().unwrap();
            // Unchanged values stay bound; changed ones replace them, of
            // another type too.
            b.text(1, "x").unwrap();
            b.int(2, 7).unwrap();
            b.opt_text(3, Some("y")).unwrap();
            b.execute().unwrap();
            b.int(1, 3).unwrap();
            b.amount(2, Decimal::new(1050, 2)).unwrap();
            b.opt_text(3, Some("y")).unwrap();
            b.execute().unwrap();
            b.text(1, "3").unwrap();
            b.amount(2, Decimal::new(105, 1)).unwrap();
            b.opt_text(3, None).unwrap();
            b.execute().unwrap();
            b.fresh_text(1, "3").unwrap();
            b.amount(2, Decimal::new(-2, 0)).unwrap();
            b.fresh_text(3, "z").unwrap();
            b.execute().unwrap();
            b.text(3, "z").unwrap();
            b.execute().unwrap();
            assert!(b.text(4, "out of range").is_err());
        }
        // Back from the cache: nothing bound (NULLs), and nothing remembered.
        let mut b = Binds::new(c.prepare_cached("INSERT INTO t VALUES (?1, ?2, ?3)").unwrap());
        b.execute().unwrap();
        b.text(1, "x").unwrap();
        b.int(2, 7).unwrap();
        b.opt_text(3, None).unwrap();
        b.execute().unwrap();
        assert_eq!(
            rows(&c),
            [
                "'x' 7 NULL",
                "'x' 7 'y'",
                "3 '10.5' 'y'",
                "'3' '10.5' NULL",
                "'3' '-2' 'z'",
                "'3' '-2' 'z'",
                "NULL NULL NULL",
                "'x' 7 NULL"
            ]
        );
    }
}
