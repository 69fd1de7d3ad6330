//! Eligibility inquiries in the ledger (schema 13, with the claim status
//! tables `claim_status` reads and writes): the 270 inquiries sent (one row
//! per TRN trace, with the rows they came from) and the 271 answers
//! recorded (one row per answer, keyed by the answer's fingerprint so a
//! 271 read twice records nothing twice). It stores no patient names: a
//! dependent is known by its patient key (see `coverage::patient_key`).
//! Deciding what to ask and what an answer means is the eligibility job's.

use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection, OptionalExtension, Row};
use rust_decimal::Decimal;

use super::{Error, Ledger};
use crate::coverage::{Coverage, CoverageStatus};

pub(crate) const MIGRATION_V13: &str = r#"
CREATE TABLE eligibility_inquiries (
    trace            TEXT PRIMARY KEY,   -- TRN02 as sent (unique per inquiry)
    payer_id         TEXT NOT NULL,
    member_id        TEXT NOT NULL,
    patient          TEXT NOT NULL,      -- 'subscriber' or 'dependent'
    patient_key      TEXT NOT NULL,      -- 'subscriber' or 'dependent:' + hash (no names)
    service_date     TEXT NOT NULL,      -- YYYY-MM-DD
    service_date_end TEXT,
    service_types    TEXT NOT NULL,      -- EQ01 codes, '^' between them
    file             TEXT NOT NULL,      -- the 270 written
    isa13            TEXT NOT NULL,
    source_rows      TEXT NOT NULL,      -- export rows, ',' between them
    sent_at          TEXT NOT NULL
);
CREATE INDEX eligibility_inquiries_key
    ON eligibility_inquiries (payer_id, member_id, patient_key, service_date);

CREATE TABLE coverage_answers (
    id                       INTEGER PRIMARY KEY,
    fingerprint              TEXT NOT NULL UNIQUE,  -- sha256 of the answer's envelope and segments
    trace                    TEXT NOT NULL,         -- the inquiry answered ('' for a rejected inquiry)
    payer_id                 TEXT NOT NULL,
    member_id                TEXT NOT NULL,
    patient                  TEXT NOT NULL,         -- subscriber, dependent, source, receiver
    patient_key              TEXT NOT NULL,
    service_date             TEXT,
    status                   TEXT NOT NULL,         -- active, inactive, not_found, error, unknown, rejected
    plan_begin               TEXT,
    plan_end                 TEXT,
    plan_name                TEXT NOT NULL,
    group_number             TEXT NOT NULL,
    insurance_type           TEXT NOT NULL,
    copay                    TEXT,
    coinsurance              TEXT,
    deductible               TEXT,
    deductible_remaining     TEXT,
    oop_remaining            TEXT,
    copay_out                TEXT,
    coinsurance_out          TEXT,
    deductible_out           TEXT,
    deductible_remaining_out TEXT,
    other_payer_primary      TEXT NOT NULL,
    reject_reason            TEXT NOT NULL,
    follow_up                TEXT NOT NULL,
    answered_at              TEXT,                  -- the 271's BHT04/05
    file                     TEXT NOT NULL,
    recorded_at              TEXT NOT NULL
);
CREATE INDEX coverage_answers_key ON coverage_answers (payer_id, member_id, patient_key);

CREATE TABLE status_inquiries (
    trace     TEXT PRIMARY KEY,          -- 2200D/E TRN02 as sent in a 276
    claim_id  TEXT NOT NULL,
    payer_id  TEXT NOT NULL,
    file      TEXT NOT NULL,
    isa13     TEXT NOT NULL,
    sent_at   TEXT NOT NULL
);
CREATE INDEX status_inquiries_claim ON status_inquiries (claim_id, payer_id, sent_at);

CREATE TABLE status_answers (
    id             INTEGER PRIMARY KEY,
    fingerprint    TEXT NOT NULL UNIQUE,   -- sha256 of the 277's envelope and the claim's segments
    claim_id       TEXT NOT NULL,
    payer_id       TEXT NOT NULL,
    trace          TEXT NOT NULL,          -- TRN02 (the 276's trace)
    category       TEXT NOT NULL,          -- STC01-1 of the first claim-level STC
    codes          TEXT NOT NULL,          -- every claim-level STC01, ' ' between them
    status         TEXT NOT NULL,          -- pending, finalized, finalized_denied, information_requested,
                                           -- accepted, rejected, status_error, not_on_file
    payer_claim_id TEXT,                   -- REF*1K
    charge         TEXT,                   -- STC04
    paid           TEXT,                   -- STC05
    check_number   TEXT,                   -- STC09
    check_date     TEXT,                   -- STC08
    file           TEXT NOT NULL,
    answered_at    TEXT NOT NULL           -- the run's clock
);
CREATE INDEX status_answers_claim ON status_answers (claim_id, payer_id, answered_at);
"#;

/// One 270 inquiry as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InquiryRecord {
    /// TRN02.
    pub trace: String,
    /// Payer asked.
    pub payer_id: String,
    /// Subscriber's member id.
    pub member_id: String,
    /// `subscriber` or `dependent`.
    pub patient: String,
    /// See `coverage::patient_key`.
    pub patient_key: String,
    /// Date of service asked.
    pub service_date: NaiveDate,
    /// Last date of a range.
    pub service_date_end: Option<NaiveDate>,
    /// EQ01 codes, `^` between them.
    pub service_types: String,
    /// The 270 file.
    pub file: String,
    /// Its ISA13.
    pub isa13: String,
    /// Export rows it came from, `,` between them.
    pub source_rows: String,
    /// The run's clock.
    pub sent_at: NaiveDateTime,
}

fn date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::from_str(&s).ok())
}

fn dec(s: Option<String>) -> Option<Decimal> {
    s.and_then(|s| Decimal::from_str(&s).ok())
}

fn time(s: Option<String>) -> Option<NaiveDateTime> {
    s.and_then(|s| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S").ok())
}

pub(super) fn iso(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

const INQUIRY_COLUMNS: &str = "trace, payer_id, member_id, patient, patient_key, service_date, \
     service_date_end, service_types, file, isa13, source_rows, sent_at";

fn inquiry(r: &Row<'_>) -> rusqlite::Result<InquiryRecord> {
    Ok(InquiryRecord {
        trace: r.get(0)?,
        payer_id: r.get(1)?,
        member_id: r.get(2)?,
        patient: r.get(3)?,
        patient_key: r.get(4)?,
        service_date: date(r.get(5)?).unwrap_or_default(),
        service_date_end: date(r.get(6)?),
        service_types: r.get(7)?,
        file: r.get(8)?,
        isa13: r.get(9)?,
        source_rows: r.get(10)?,
        sent_at: time(r.get(11)?).unwrap_or_default(),
    })
}

const COVERAGE_COLUMNS: &str = "trace, payer_id, member_id, patient, patient_key, service_date, \
     status, plan_begin, plan_end, plan_name, group_number, insurance_type, copay, coinsurance, \
     deductible, deductible_remaining, oop_remaining, copay_out, coinsurance_out, deductible_out, \
     deductible_remaining_out, other_payer_primary, reject_reason, follow_up, answered_at";

fn coverage(r: &Row<'_>) -> rusqlite::Result<Coverage> {
    let status: String = r.get(6)?;
    Ok(Coverage {
        trace: r.get(0)?,
        payer_id: r.get(1)?,
        member_id: r.get(2)?,
        patient: r.get(3)?,
        patient_key: r.get(4)?,
        service_date: date(r.get(5)?),
        status: CoverageStatus::from_word(&status),
        plan_begin: date(r.get(7)?),
        plan_end: date(r.get(8)?),
        plan_name: r.get(9)?,
        group_number: r.get(10)?,
        insurance_type: r.get(11)?,
        copay: dec(r.get(12)?),
        coinsurance: dec(r.get(13)?),
        deductible: dec(r.get(14)?),
        deductible_remaining: dec(r.get(15)?),
        oop_remaining: dec(r.get(16)?),
        copay_out: dec(r.get(17)?),
        coinsurance_out: dec(r.get(18)?),
        deductible_out: dec(r.get(19)?),
        deductible_remaining_out: dec(r.get(20)?),
        other_payer_primary: r.get(21)?,
        reject_reason: r.get(22)?,
        follow_up: r.get(23)?,
        answered_at: time(r.get(24)?),
    })
}

impl Ledger {
    /// When an inquiry for this payer, member, patient and date of service
    /// was sent, if one was.
    pub fn eligibility_inquiry_sent(
        &self,
        payer_id: &str,
        member_id: &str,
        patient_key: &str,
        service_date: NaiveDate,
    ) -> Result<Option<InquiryRecord>, Error> {
        let sql = format!(
            "SELECT {INQUIRY_COLUMNS} FROM eligibility_inquiries
             WHERE payer_id = ?1 AND member_id = ?2 AND patient_key = ?3 AND service_date = ?4
             ORDER BY sent_at DESC LIMIT 1"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(self.sq())?;
        st.query_row(params![payer_id, member_id, patient_key, service_date.to_string()], inquiry)
            .optional()
            .map_err(self.sq())
    }

    /// Records the inquiries of one 270 (one transaction).
    pub fn record_eligibility_inquiries(
        &mut self,
        inquiries: &[InquiryRecord],
    ) -> Result<(), Error> {
        let path = self.path.clone();
        let sq = |cause| Error::Sqlite { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sq)?;
        {
            let mut st = tx
                .prepare_cached(&format!(
                    "INSERT OR REPLACE INTO eligibility_inquiries ({INQUIRY_COLUMNS})
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                ))
                .map_err(sq)?;
            for q in inquiries {
                st.execute(params![
                    q.trace,
                    q.payer_id,
                    q.member_id,
                    q.patient,
                    q.patient_key,
                    q.service_date.to_string(),
                    q.service_date_end.map(|d| d.to_string()),
                    q.service_types,
                    q.file,
                    q.isa13,
                    q.source_rows,
                    iso(q.sent_at),
                ])
                .map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)
    }

    /// The inquiry sent with this trace.
    pub fn eligibility_inquiry(&self, trace: &str) -> Result<Option<InquiryRecord>, Error> {
        let sql = format!("SELECT {INQUIRY_COLUMNS} FROM eligibility_inquiries WHERE trace = ?1");
        let mut st = self.conn.prepare_cached(&sql).map_err(self.sq())?;
        st.query_row([trace], inquiry).optional().map_err(self.sq())
    }

    /// The inquiries sent for a payer and member (any patient), newest first.
    pub fn eligibility_inquiries_of(
        &self,
        payer_id: &str,
        member_id: &str,
    ) -> Result<Vec<InquiryRecord>, Error> {
        let sql = format!(
            "SELECT {INQUIRY_COLUMNS} FROM eligibility_inquiries
             WHERE payer_id = ?1 AND member_id = ?2 ORDER BY sent_at DESC, trace DESC"
        );
        let mut st = self.conn.prepare_cached(&sql).map_err(self.sq())?;
        let rows = st.query_map([payer_id, member_id], inquiry).map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }

    /// True when an answer with this fingerprint is recorded.
    pub fn coverage_recorded(&self, fingerprint: &str) -> Result<bool, Error> {
        let mut st = self
            .conn
            .prepare_cached("SELECT 1 FROM coverage_answers WHERE fingerprint = ?1")
            .map_err(self.sq())?;
        st.exists([fingerprint]).map_err(self.sq())
    }

    /// Records answers (fingerprint, answer) read from `file`; an answer
    /// already recorded is skipped. Returns how many were new.
    pub fn record_coverage(
        &mut self,
        answers: &[(String, Coverage)],
        file: &str,
        recorded_at: NaiveDateTime,
    ) -> Result<usize, Error> {
        let path = self.path.clone();
        let sq = |cause| Error::Sqlite { path: path.clone(), cause };
        let tx = self.conn.transaction().map_err(sq)?;
        let mut new = 0;
        {
            let mut st = tx
                .prepare_cached(&format!(
                    "INSERT OR IGNORE INTO coverage_answers (fingerprint, {COVERAGE_COLUMNS}, file, recorded_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                             ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)"
                ))
                .map_err(sq)?;
            let d = |x: Option<Decimal>| x.map(|v| v.normalize().to_string());
            for (fp, c) in answers {
                new += st
                    .execute(params![
                        fp,
                        c.trace,
                        c.payer_id,
                        c.member_id,
                        c.patient,
                        c.patient_key,
                        c.service_date.map(|d| d.to_string()),
                        c.status.map_or("unknown", CoverageStatus::word),
                        c.plan_begin.map(|d| d.to_string()),
                        c.plan_end.map(|d| d.to_string()),
                        c.plan_name,
                        c.group_number,
                        c.insurance_type,
                        d(c.copay),
                        d(c.coinsurance),
                        d(c.deductible),
                        d(c.deductible_remaining),
                        d(c.oop_remaining),
                        d(c.copay_out),
                        d(c.coinsurance_out),
                        d(c.deductible_out),
                        d(c.deductible_remaining_out),
                        c.other_payer_primary,
                        c.reject_reason,
                        c.follow_up,
                        c.answered_at.map(iso),
                        file,
                        iso(recorded_at),
                    ])
                    .map_err(sq)?;
            }
        }
        tx.commit().map_err(sq)?;
        Ok(new)
    }

    /// The answers on file for a payer, member and patient, newest first.
    pub fn coverage_for(
        &self,
        payer_id: &str,
        member_id: &str,
        patient_key: &str,
    ) -> Result<Vec<Coverage>, Error> {
        coverage_for(&self.conn, payer_id, member_id, patient_key)
    }
}

fn sq(conn: &Connection) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |cause| Error::Sqlite { path: conn.path().unwrap_or("ledger").to_string(), cause }
}

/// The answers on file for a payer, member and patient, newest first (any
/// connection, read-only ones included).
pub fn coverage_for(
    conn: &Connection,
    payer_id: &str,
    member_id: &str,
    patient_key: &str,
) -> Result<Vec<Coverage>, Error> {
    let sql = format!(
        "SELECT {COVERAGE_COLUMNS} FROM coverage_answers
         WHERE payer_id = ?1 AND member_id = ?2 AND patient_key = ?3
         ORDER BY answered_at DESC, id DESC"
    );
    let mut st = conn.prepare_cached(&sql).map_err(sq(conn))?;
    let rows = st.query_map([payer_id, member_id, patient_key], coverage).map_err(sq(conn))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sq(conn))
}

/// Every answer on file, by payer, member and patient, newest first within them.
pub fn coverage_all(conn: &Connection) -> Result<Vec<Coverage>, Error> {
    let sql = format!(
        "SELECT {COVERAGE_COLUMNS} FROM coverage_answers
         ORDER BY payer_id, member_id, patient_key, answered_at DESC, id DESC"
    );
    let mut st = conn.prepare_cached(&sql).map_err(sq(conn))?;
    let rows = st.query_map([], coverage).map_err(sq(conn))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sq(conn))
}

/// The answers on file for each claim (its payer, member and patient), in
/// claim order; no query at all when the ledger holds no answer.
pub fn coverage_for_claims(
    conn: &Connection,
    claims: &[crate::claim::Claim],
) -> Result<Vec<Vec<Coverage>>, Error> {
    let any: bool = conn
        .query_row("SELECT EXISTS (SELECT 1 FROM coverage_answers)", [], |r| r.get(0))
        .map_err(sq(conn))?;
    if !any {
        return Ok(vec![Vec::new(); claims.len()]);
    }
    claims
        .iter()
        .map(|c| {
            coverage_for(conn, &c.payer.id, &c.member_id, &crate::coverage::claim_patient_key(c))
        })
        .collect()
}

/// Inquiries sent per payer: (payer_id, inquiries).
pub fn inquiry_counts(conn: &Connection) -> Result<Vec<(String, u64)>, Error> {
    let mut st = conn
        .prepare_cached(
            "SELECT payer_id, COUNT(*) FROM eligibility_inquiries GROUP BY payer_id ORDER BY payer_id",
        )
        .map_err(sq(conn))?;
    let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(sq(conn))?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sq(conn))
}
