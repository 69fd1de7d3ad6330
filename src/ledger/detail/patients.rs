//! The patient and service lines of each claim as sent: recorded with its
//! submission, read back for the NCCI rules of a later build. It applies no
//! NCCI rule itself.

use chrono::NaiveDate;
use rusqlite::Connection;
use rust_decimal::Decimal;

use crate::ledger::Error;

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

/// The `services` text of a claim's lines (written without `fmt`: a build
/// writes it for every claim sent, on the thread writing the 837P).
pub(super) fn services_text(claim: &crate::claim::Claim) -> String {
    let mut s = String::with_capacity(claim.lines.len() * 24);
    for (i, l) in claim.lines.iter().enumerate() {
        if i > 0 {
            s.push(';');
        }
        push_compact_date(&mut s, l.service_date);
        s.push(' ');
        s.push_str(&l.procedure);
        s.push(' ');
        for (j, m) in l.modifiers.iter().enumerate() {
            if j > 0 {
                s.push(':');
            }
            s.push_str(m);
        }
        s.push(' ');
        crate::numtext::push_normalized(&mut s, l.units);
    }
    s
}

/// Appends `d` as chrono's `%Y%m%d` writes it.
fn push_compact_date(out: &mut String, d: NaiveDate) {
    use chrono::Datelike;
    let year = d.year();
    let Ok(y) = u32::try_from(year) else {
        out.push_str(&d.format("%Y%m%d").to_string());
        return;
    };
    if y > 9999 {
        out.push_str(&d.format("%Y%m%d").to_string());
        return;
    }
    let (m, day) = (d.month(), d.day());
    let digits = [y / 1000, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, day / 10, day % 10];
    for n in digits {
        out.push(char::from(b'0' + n as u8));
    }
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

/// Inserts the patient rows of submission `id` (claims in the order given),
/// with one cached statement: `id` bound once, the text bound borrowed,
/// dates and amounts written into reused buffers.
pub(crate) fn insert_patients(
    tx: &Connection,
    id: i64,
    claims: &[crate::ledger::ClaimRecord],
) -> rusqlite::Result<()> {
    use crate::numtext::{push_iso_date, push_normalized};
    let mut st = tx.prepare_cached(
        "INSERT OR REPLACE INTO claim_patients
           (claim_id, payer_id, submission_id, patient_last, patient_first, patient_dob, service_date,
            patient_paid, line_ids, services)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    st.raw_bind_parameter(3, id)?;
    let (mut dob, mut day, mut paid, mut line_ids) =
        (String::new(), String::new(), String::new(), String::new());
    for c in claims {
        let Some(p) = &c.patient else { continue };
        st.raw_bind_parameter(1, c.claim_id.as_str())?;
        st.raw_bind_parameter(2, c.payer_id.as_str())?;
        st.raw_bind_parameter(4, p.last.as_str())?;
        st.raw_bind_parameter(5, p.first.as_str())?;
        match p.dob {
            Some(d) => {
                dob.clear();
                push_iso_date(&mut dob, d);
                st.raw_bind_parameter(6, dob.as_str())?;
            }
            None => st.raw_bind_parameter(6, rusqlite::types::Null)?,
        }
        day.clear();
        push_iso_date(&mut day, p.service_date);
        st.raw_bind_parameter(7, day.as_str())?;
        paid.clear();
        if let Some(a) = p.paid_at_visit {
            push_normalized(&mut paid, a);
        }
        st.raw_bind_parameter(8, paid.as_str())?;
        line_ids.clear();
        for (i, l) in p.line_ids.iter().enumerate() {
            if i > 0 {
                line_ids.push(';');
            }
            line_ids.push_str(l);
        }
        st.raw_bind_parameter(9, line_ids.as_str())?;
        st.raw_bind_parameter(10, p.services.as_str())?;
        st.raw_execute()?;
    }
    Ok(())
}

impl crate::ledger::Ledger {
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
