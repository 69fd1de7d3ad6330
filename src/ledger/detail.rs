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
//! transaction. Lines are summed per remittance, not stored one by one: a
//! row per line would make posting a million payments seconds slower
//! (measured), and the report only needs the sums. This module does not aggregate (that
//! is `report`) and decides nothing about money (`reconcile` does).

use std::path::Path;

use chrono::NaiveDate;
use rusqlite::{Connection, OpenFlags};
use rust_decimal::Decimal;

use super::Error;
use crate::numtext::push_normalized;
use crate::Text;

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
    /// What the patient paid at the visit (2300 `AMT*F5`), when the claim
    /// says.
    pub paid_at_visit: Option<Decimal>,
    /// The claim's line ids as sent (REF*6R), in order.
    pub line_ids: Vec<String>,
    /// The service lines as sent, in the `claim_patients.services` form
    /// (see [`PriorClaim::lines`]).
    pub services: String,
}

/// A claim sent earlier, as the NCCI rules of a later build see it: its
/// patient and its service lines.
#[derive(Clone, Debug)]
pub struct PriorClaim {
    /// CLM01.
    pub claim_id: String,
    /// The patient's last name, first name and date of birth as sent.
    pub last: String,
    /// First name.
    pub first: String,
    /// Date of birth.
    pub dob: Option<NaiveDate>,
    /// The recorded service lines.
    pub services: String,
}

/// One service line of a [`PriorClaim`].
#[derive(Clone, Debug, PartialEq)]
pub struct PriorLine<'a> {
    /// Date of service.
    pub date: NaiveDate,
    /// Procedure code.
    pub procedure: &'a str,
    /// Modifiers.
    pub modifiers: Vec<&'a str>,
    /// Units.
    pub units: Decimal,
}

impl PriorClaim {
    /// The service lines (entries that cannot be read are skipped).
    pub fn lines(&self) -> impl Iterator<Item = PriorLine<'_>> {
        self.services.split(';').filter_map(|e| {
            let mut parts = e.split(' ');
            let date = NaiveDate::parse_from_str(parts.next()?, "%Y%m%d").ok()?;
            let procedure = parts.next()?;
            let modifiers = parts.next()?.split(':').filter(|m| !m.is_empty()).collect();
            let units = parts.next()?.parse().ok()?;
            Some(PriorLine { date, procedure, modifiers, units })
        })
    }
}

/// The `services` text of a claim's lines.
fn services_text(claim: &crate::claim::Claim) -> String {
    let mut s = String::with_capacity(claim.lines.len() * 24);
    for (i, l) in claim.lines.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        s.push_str(&l.service_date.format("%Y%m%d").to_string());
        s.push(' ');
        s.push_str(&l.procedure);
        s.push(' ');
        s.push_str(&l.modifiers.join(":"));
        s.push(' ');
        s.push_str(&l.units.normalize().to_string());
    }
    s
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
            paid_at_visit: claim.patient_paid,
            // As reconcile names a sent line: REF*6R, else its position.
            line_ids: claim
                .lines
                .iter()
                .enumerate()
                .map(|(n, l)| {
                    if l.line_id.trim().is_empty() {
                        (n + 1).to_string()
                    } else {
                        l.line_id.trim().to_string()
                    }
                })
                .collect(),
            services: services_text(claim),
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

/// Statements inserting the detail of claim payments and remittances.
pub(crate) struct DetailInserts<'t> {
    procedure: rusqlite::CachedStatement<'t>,
    denial: rusqlite::CachedStatement<'t>,
}

/// Lines, billed and paid per (payer, procedure) of one remittance.
pub(crate) type ProcedureSums = std::collections::BTreeMap<(Text, Text), (i64, Decimal, Decimal)>;

impl<'t> DetailInserts<'t> {
    /// Prepares the statements on `tx`.
    pub(crate) fn new(tx: &'t Connection) -> rusqlite::Result<DetailInserts<'t>> {
        Ok(DetailInserts {
            procedure: tx.prepare_cached(
                "INSERT INTO remittance_procedures (remittance_id, payer_id, procedure, lines, billed, paid)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            denial: tx.prepare_cached(
                "INSERT INTO payment_denials (payment_id, line_no, group_code, carc, amount)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
        })
    }

    /// Inserts the denials of claim payment `payment_id`; `amount` is a
    /// reused text buffer.
    pub(crate) fn insert_denials(
        &mut self,
        payment_id: i64,
        denials: &[DenialPosting],
        amount: &mut String,
    ) -> rusqlite::Result<()> {
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

    /// Inserts the procedure sums of remittance `remittance_id`.
    pub(crate) fn insert_procedures(
        &mut self,
        remittance_id: i64,
        sums: &ProcedureSums,
        amount: &mut String,
    ) -> rusqlite::Result<()> {
        let st = &mut self.procedure;
        for ((payer, procedure), (lines, billed, paid)) in sums {
            st.raw_bind_parameter(1, remittance_id)?;
            st.raw_bind_parameter(2, payer.as_str())?;
            st.raw_bind_parameter(3, procedure.as_str())?;
            st.raw_bind_parameter(4, *lines)?;
            // SQLite copies bound text, so one buffer serves both amounts.
            amount.clear();
            push_normalized(amount, *billed);
            st.raw_bind_parameter(5, amount.as_str())?;
            amount.clear();
            push_normalized(amount, *paid);
            st.raw_bind_parameter(6, amount.as_str())?;
            st.raw_execute()?;
        }
        Ok(())
    }
}

/// Adds the lines of a matched claim payment to its remittance's sums: each
/// line counts 1, or -1 in a reversal.
pub(crate) fn add_lines(
    sums: &mut ProcedureSums,
    payer: &Text,
    lines: &[LinePosting],
    reversal: bool,
) {
    for l in lines {
        let e = sums.entry((payer.clone(), l.procedure.clone())).or_default();
        e.0 += if reversal { -1 } else { 1 };
        e.1 += l.billed;
        e.2 += l.paid;
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
           (claim_id, payer_id, submission_id, patient_last, patient_first, patient_dob, service_date,
            patient_paid, line_ids, services)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
            p.paid_at_visit.map(crate::numtext::amount).unwrap_or_default(),
            p.line_ids.join(";"),
            p.services,
        ])?;
    }
    Ok(())
}

impl super::Ledger {
    /// The claims sent (complete submissions, not voided or rejected at the
    /// front end) whose first date of service is from `from` to `to`, with
    /// their patient and service lines, for the NCCI rules.
    pub fn prior_claims(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<PriorClaim>, Error> {
        let day = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT p.claim_id, p.patient_last, p.patient_first, p.patient_dob, p.services
                 FROM claim_patients p
                 JOIN claims c ON c.claim_id = p.claim_id AND c.payer_id = p.payer_id
                                AND c.submission_id = p.submission_id
                 JOIN submissions s ON s.id = p.submission_id
                 WHERE p.service_date BETWEEN ?1 AND ?2 AND p.services IS NOT NULL
                   AND s.state = 'complete' AND c.status NOT IN ('void', 'rejected')",
            )
            .map_err(self.sq())?;
        let rows = st
            .query_map([day(from), day(to)], |r| {
                let dob: Option<String> = r.get(3)?;
                Ok(PriorClaim {
                    claim_id: r.get(0)?,
                    last: r.get(1)?,
                    first: r.get(2)?,
                    dob: dob.and_then(|d| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok()),
                    services: r.get(4)?,
                })
            })
            .map_err(self.sq())?;
        rows.collect::<Result<Vec<_>, _>>().map_err(self.sq())
    }
}

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

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::*;
    use crate::claim::ClaimStatus;
    use crate::ledger::{ClaimRecord, Ledger, PaymentPosting, RemitPosting, SubmissionRecord};

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn sub(file: &Path, isa13: &str) -> SubmissionRecord {
        SubmissionRecord {
            file: file.to_path_buf(),
            file_sha256: "h".into(),
            isa13: isa13.into(),
            gs06: "1".into(),
            st02: vec!["0001".into()],
            total_charge: d("125"),
            created_at: "2026-03-01T08:00:00".into(),
        }
    }

    fn claim(id: &str, last: &str) -> ClaimRecord {
        ClaimRecord {
            claim_id: id.into(),
            payer_id: "P1".into(),
            content_hash: "h".into(),
            frequency: "1".into(),
            total_charge: d("125"),
            st02: "0001".into(),
            status: ClaimStatus::Sent,
            span: None,
            detail: None,
            patient: Some(PatientRecord {
                last: last.into(),
                first: "Pat".into(),
                dob: NaiveDate::from_ymd_opt(1980, 5, 6),
                service_date: NaiveDate::from_ymd_opt(2026, 2, 27).unwrap(),
                paid_at_visit: None,
                line_ids: vec!["1".into()],
                services: "20260227 04001  1".into(),
            }),
        }
    }

    fn rows(l: &Ledger, sql: &str) -> Vec<String> {
        let mut st = l.connection().prepare(sql).unwrap();
        let r = st.query_map([], |r| r.get(0)).unwrap().collect::<Result<_, _>>().unwrap();
        r
    }

    #[test]
    fn records_patients_procedures_and_denials_and_forgets_abandoned_patients() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        let sent = dir.path().join("sent.x12");
        std::fs::write(&sent, b"x").unwrap();
        let mut l = Ledger::open(&path).unwrap();
        let id = l.record_pending(&sub(&sent, "000000001"), &[claim("C1", "Alpha")]).unwrap();
        l.complete(id).unwrap();
        // A crash before the rename: the next open abandons it.
        l.record_pending(&sub(&dir.path().join("gone.x12"), "000000002"), &[claim("C2", "Beta")])
            .unwrap();
        drop(l);
        let mut l = Ledger::open(&path).unwrap();
        assert_eq!(
            rows(&l, "SELECT claim_id || ':' || patient_last || ':' || patient_dob || ':' || service_date FROM claim_patients"),
            ["C1:Alpha:1980-05-06:2026-02-27"]
        );
        let c1 = l.sent_claims(&l.sent_files().unwrap()).unwrap()[0].row;
        let payment = PaymentPosting {
            claim_id: "C1".into(),
            payer_id: "P1".into(),
            claim_row: Some(c1),
            clp01: "C1".into(),
            clp02: "1".into(),
            payer_claim_id: "PCN".into(),
            status: ClaimStatus::Partial,
            claim_status: None,
            billed: d("125"),
            paid: d("70"),
            patient_responsibility: d("10"),
            contractual: d("20"),
            denied: d("25"),
            other_adjustments: Decimal::ZERO,
            adjustments: "CO-16 5.00;CO-45 20.00;PR-2 10.00;CO-97 20.00".into(),
            reversal: false,
            allowed: d("82.5"),
            lines: None,
            pos: Default::default(),
            service_lines: vec![
                LinePosting { procedure: "99213".into(), billed: d("100"), paid: d("70") },
                LinePosting { procedure: "36415".into(), billed: d("20"), paid: Decimal::ZERO },
                LinePosting { procedure: "81002".into(), billed: d("5"), paid: Decimal::ZERO },
            ],
            denials: vec![
                DenialPosting {
                    line_no: 0,
                    group_code: "CO".into(),
                    carc: "16".into(),
                    amount: d("5"),
                },
                DenialPosting {
                    line_no: 2,
                    group_code: "CO".into(),
                    carc: "97".into(),
                    amount: d("20"),
                },
            ],
            replaces_denial: false,
        };
        let remit = RemitPosting {
            payer_id: "P1".into(),
            trace: "T1".into(),
            trn03: "1".into(),
            fingerprint: "fp".into(),
            file_sha256: "f".into(),
            file: "/x/r.835".into(),
            st02: "0001".into(),
            bpr02: d("70"),
            payment_date: Some("2026-03-20".into()),
            plb_total: Decimal::ZERO,
            adjustments: Vec::new(),
            payments: vec![payment],
        };
        l.post_remittances(&[remit], "2026-03-21T00:00:00").unwrap();
        assert_eq!(rows(&l, "SELECT allowed FROM claim_payments"), ["82.5"]);
        assert_eq!(
            rows(&l, "SELECT payer_id || ':' || procedure || ':' || lines || ':' || billed || ':' || paid FROM remittance_procedures"),
            ["P1:36415:1:20:0", "P1:81002:1:5:0", "P1:99213:1:100:70"]
        );
        assert_eq!(
            rows(&l, "SELECT line_no || ':' || group_code || '-' || carc || ':' || amount FROM payment_denials ORDER BY line_no"),
            ["0:CO-16:5", "2:CO-97:20"]
        );
    }

    #[test]
    fn a_version_5_ledger_is_read_as_it_is_on_a_read_only_open_and_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.db");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY,
                     description TEXT NOT NULL, applied_at TEXT NOT NULL);",
            )
            .unwrap();
            for (v, description, sql) in super::super::MIGRATIONS.iter().filter(|m| m.0 <= 5) {
                conn.execute_batch(sql).unwrap();
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?1, ?2, '2026-01-01T00:00:00Z')",
                    params![v, description],
                )
                .unwrap();
            }
            conn.execute_batch(
                "INSERT INTO remittances (id, payer_id, trace, file_sha256, file, st02, bpr02,
                     plb_total, payment_date, applied_at)
                 VALUES (1, 'P1', 'T1', 'f', '/x/r.835', '0001', '80', '0', '2026-03-30', '2026-04-01');
                 INSERT INTO claim_payments (remittance_id, claim_id, payer_id, matched, clp01,
                     clp02, payer_claim_id, status, billed, paid, patient_responsibility,
                     contractual, other_adjustments, adjustments, denied)
                 VALUES (1, 'C1', 'P1', 1, 'C1', '1', 'PCN', 'paid', '125', '80', '0', '45', '0',
                     'CO-45 45.00', '0');",
            )
            .unwrap();
        }
        let before = (std::fs::read(&path).unwrap(), path.metadata().unwrap().modified().unwrap());
        let conn = open_read_only(&path).unwrap();
        let version: u32 =
            conn.query_row("SELECT MAX(version) FROM schema_migrations", [], |r| r.get(0)).unwrap();
        assert_eq!(version, 5);
        let kept: String =
            conn.query_row("SELECT paid FROM claim_payments", [], |r| r.get(0)).unwrap();
        assert_eq!(kept, "80");
        // A column of a later version is not there: the reader says which
        // command upgrades the ledger.
        assert!(conn
            .query_row("SELECT allowed FROM claim_payments", [], |r| r.get::<_, Option<String>>(0))
            .is_err());
        let outdated = crate::ledger::read::outdated(&conn).unwrap();
        assert!(outdated.to_string().contains("`claimflow build`"), "{outdated}");
        // Read-only: nothing can be written through it.
        assert!(conn.execute("DELETE FROM claim_payments", []).is_err());
        drop(conn);
        let after = (std::fs::read(&path).unwrap(), path.metadata().unwrap().modified().unwrap());
        assert!(before == after, "a read-only open changed the ledger file");
        // No ledger, no file made.
        let missing = dir.path().join("none.db");
        assert!(matches!(open_read_only(&missing), Err(Error::Missing { .. })));
        assert!(!missing.exists());
    }
}
