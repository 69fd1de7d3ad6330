//! The detail the money report reads beyond claim totals (schema version 8):
//! the patient and first date of service of each claim as sent, each service
//! line a payer answered, each denying adjustment with its reason, and the
//! allowed amount of each claim payment. Also opens a ledger for reading
//! without taking the run lock.
//!
//! `build` writes a claim's patient row in the same transaction as its
//! pending submission; `reconcile` writes line and denial rows in the same
//! transaction as their claim payment. This module does not aggregate (that
//! is `report`) and decides nothing about money (`reconcile` does).

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;

use super::Error;
use crate::numtext::push_normalized;
use crate::Text;

/// Schema version 8: patients as sent, answered service lines, denying
/// adjustments, and the allowed amount of a claim payment.
pub(crate) const MIGRATION_V8: &str = r#"
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
-- patient responsibility; NULL on rows posted before version 8.
ALTER TABLE claim_payments ADD COLUMN allowed TEXT;

-- Each service line (SVC) of a claim payment, in file order.
CREATE TABLE payment_lines (
    payment_id INTEGER NOT NULL REFERENCES claim_payments (id),
    line_no    INTEGER NOT NULL,      -- 1 = the first SVC of the claim payment
    procedure  TEXT NOT NULL,         -- code as submitted (SVC06, else SVC01), no modifiers
    billed     TEXT NOT NULL,         -- SVC02
    paid       TEXT NOT NULL,         -- SVC03
    PRIMARY KEY (payment_id, line_no)
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

/// The patient of a claim as sent, recorded with its submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatientRecord {
    /// Last name (NM103 of the patient, or of the subscriber when the
    /// patient is the subscriber).
    pub last: String,
    /// First name.
    pub first: String,
    /// Date of birth.
    pub dob: Option<NaiveDate>,
    /// The claim's earliest date of service.
    pub service_date: NaiveDate,
}

impl PatientRecord {
    /// The patient of `claim` as an 837P sends it.
    pub fn of(claim: &crate::claim::Claim) -> Option<PatientRecord> {
        let person = claim.patient.as_ref().unwrap_or(&claim.subscriber);
        Some(PatientRecord {
            last: person.last.clone(),
            first: person.first.clone(),
            dob: person.dob,
            service_date: claim.lines.iter().map(|l| l.service_date).min()?,
        })
    }
}

/// One service line of a claim payment to post.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LinePosting {
    /// The procedure code as submitted (SVC06 when the payer changed it,
    /// else SVC01), without modifiers.
    pub procedure: Text,
    /// SVC02.
    pub billed: Decimal,
    /// SVC03.
    pub paid: Decimal,
}

/// One adjustment counted in a payment's `denied` amount.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DenialPosting {
    /// 0 for a claim-level adjustment, else the line's number (1 = first).
    pub line_no: u32,
    /// CAS01.
    pub group_code: Text,
    /// CAS02.
    pub carc: Text,
    /// The amount.
    pub amount: Decimal,
}

/// Statements inserting the detail of one claim payment.
pub(crate) struct DetailInserts<'t> {
    line: rusqlite::CachedStatement<'t>,
    denial: rusqlite::CachedStatement<'t>,
}

impl<'t> DetailInserts<'t> {
    /// Prepares the statements on `tx`.
    pub(crate) fn new(tx: &'t Connection) -> rusqlite::Result<DetailInserts<'t>> {
        Ok(DetailInserts {
            line: tx.prepare_cached(
                "INSERT INTO payment_lines (payment_id, line_no, procedure, billed, paid)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
            denial: tx.prepare_cached(
                "INSERT INTO payment_denials (payment_id, line_no, group_code, carc, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
        })
    }

    /// Inserts the lines and denials of claim payment `payment_id`;
    /// `amount` is a reused text buffer.
    pub(crate) fn insert(
        &mut self,
        payment_id: i64,
        lines: &[LinePosting],
        denials: &[DenialPosting],
        amount: &mut String,
    ) -> rusqlite::Result<()> {
        let mut paid = String::new();
        for (i, l) in lines.iter().enumerate() {
            amount.clear();
            push_normalized(amount, l.billed);
            push_normalized(&mut paid, l.paid);
            let st = &mut self.line;
            st.raw_bind_parameter(1, payment_id)?;
            st.raw_bind_parameter(2, i as i64 + 1)?;
            st.raw_bind_parameter(3, l.procedure.as_str())?;
            st.raw_bind_parameter(4, amount.as_str())?;
            st.raw_bind_parameter(5, paid.as_str())?;
            st.raw_execute()?;
            paid.clear();
        }
        for d in denials {
            amount.clear();
            push_normalized(amount, d.amount);
            let st = &mut self.denial;
            st.raw_bind_parameter(1, payment_id)?;
            st.raw_bind_parameter(2, i64::from(d.line_no))?;
            st.raw_bind_parameter(3, d.group_code.as_str())?;
            st.raw_bind_parameter(4, d.carc.as_str())?;
            st.raw_bind_parameter(5, amount.as_str())?;
            st.raw_execute()?;
        }
        Ok(())
    }
}

/// Inserts the patient rows of submission `id` (claims in the order given).
pub(crate) fn insert_patients(
    tx: &Connection,
    id: i64,
    claims: &[super::ClaimRecord],
) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO claim_patients
           (claim_id, payer_id, submission_id, patient_last, patient_first, patient_dob, service_date)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    for c in claims {
        let Some(p) = &c.patient else { continue };
        st.execute(rusqlite::params![
            c.claim_id,
            c.payer_id,
            id,
            p.last,
            p.first,
            p.dob.map(day),
            day(p.service_date),
        ])?;
    }
    Ok(())
}

/// Opens the ledger at `path` for reading, without the run lock (reads are
/// safe beside a running job: SQLite's WAL gives each read transaction one
/// snapshot). A ledger at an older schema version is first migrated through
/// [`super::Ledger::open`], which takes the lock for that moment. A missing
/// file is an error: reading creates no ledger.
pub fn open_read_only(path: &Path) -> Result<Connection, Error> {
    let shown = path.display().to_string();
    if !path.is_file() {
        return Err(Error::Missing { path: shown });
    }
    let sq = |cause| Error::Sqlite { path: shown.clone(), cause };
    let open = || -> Result<Connection, Error> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sq)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(sq)?;
        Ok(conn)
    };
    let conn = open()?;
    let version: u32 = conn
        .query_row("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", [], |r| r.get(0))
        .map_err(sq)?;
    let known = super::schema_version();
    if version > known {
        return Err(Error::TooNew { path: shown, found: version, known });
    }
    if version == known {
        return Ok(conn);
    }
    drop(conn);
    drop(super::Ledger::open(path)?);
    open()
}
