//! `eligibility request`: an export's rows into 270 inquiries, one per
//! payer, member, patient and date of service; rows that cannot make an
//! inquiry are findings (row and column, as in `check`); inquiries already
//! sent are left out unless `again`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};

use super::Error;
use crate::atomic::{self, AtomicFile};
use crate::claim::{is_valid_npi, Entity, Relationship};
use crate::config::Config;
use crate::coverage::patient_key;
use crate::edi27x::{write_270, Inquiry270, Name};
use crate::edi837::Envelope;
use crate::encounter::{read_schedule, Col, Layout, Person, Schedule, ScheduleRow};
use crate::finding::{Finding, Severity};
use crate::ledger::{InquiryRecord, Ledger};

/// How `request` runs.
#[derive(Clone, Debug)]
pub struct RequestOptions {
    /// The run's clock (envelope dates, the ledger).
    pub now: NaiveDateTime,
    /// Ask again for inquiries already sent.
    pub again: bool,
}

/// An inquiry left out because it was sent before.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AlreadyAsked {
    /// Export rows it came from.
    pub rows: Vec<u64>,
    /// Payer asked.
    pub payer_id: String,
    /// Date of service.
    pub service_date: NaiveDate,
    /// The earlier inquiry's trace.
    pub trace: String,
    /// When it was sent.
    pub sent_at: NaiveDateTime,
}

/// What `request` did.
#[derive(Debug, serde::Serialize)]
pub struct RequestReport {
    /// The export.
    pub file: String,
    /// Data rows read.
    pub rows_read: u64,
    /// The 270 written, when any inquiry was new.
    pub x12_file: Option<PathBuf>,
    /// Its ISA13.
    pub interchange_control: Option<String>,
    /// Inquiries written: (trace, payer, date of service, rows).
    pub inquiries: Vec<(String, String, NaiveDate, Vec<u64>)>,
    /// Inquiries left out (sent before).
    pub already_asked: Vec<AlreadyAsked>,
    /// Rows that could not make an inquiry, and warnings.
    pub findings: Vec<Finding>,
    /// `inquiry-rejects.csv` (always written).
    pub rejects_file: PathBuf,
}

impl RequestReport {
    /// True when some row could not make an inquiry.
    pub fn needs_attention(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// One distinct inquiry and the rows it came from.
struct Pending {
    rows: Vec<u64>,
    row: ScheduleRow,
    key: String,
    service_types: Vec<String>,
}

/// Reads `export`, writes the 270 into `out_dir` and records the inquiries.
pub fn request(
    export: &Path,
    layout: Option<&Layout>,
    config: &Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    options: &RequestOptions,
) -> Result<RequestReport, Error> {
    let schedule = read_schedule(export, layout)?;
    let mut findings = schedule.findings.clone();
    let mut pending: Vec<Pending> = Vec::new();
    let mut index: HashMap<(String, String, String, NaiveDate), usize> = HashMap::new();
    for r in &schedule.rows {
        if !row_ok(&schedule, r, config, &mut findings) {
            continue;
        }
        let key = patient_key(
            r.patient
                .as_ref()
                .filter(|_| r.relationship != Relationship::SelfInsured)
                .map(|p| (p.first.as_str(), p.dob)),
        );
        let k = (r.payer_id.clone(), r.member_id.to_uppercase(), key.clone(), r.service_date);
        match index.get(&k) {
            Some(&i) => {
                let p = &mut pending[i];
                p.rows.push(r.row);
                for t in &r.service_types {
                    if !p.service_types.contains(t) {
                        p.service_types.push(t.clone());
                    }
                }
            }
            None => {
                index.insert(k, pending.len());
                pending.push(Pending {
                    rows: vec![r.row],
                    row: r.clone(),
                    key,
                    service_types: r.service_types.clone(),
                });
            }
        }
    }
    findings.sort_by_key(|f| f.row);
    std::fs::create_dir_all(out_dir).map_err(Error::io(out_dir, "cannot create output folder"))?;
    let rejects_file = out_dir.join("inquiry-rejects.csv");
    atomic::write(&rejects_file, &crate::finding::rejects_csv(&findings))
        .map_err(Error::io(&rejects_file, "cannot write"))?;

    let mut already = Vec::new();
    let mut to_send = Vec::new();
    for p in pending {
        let before = ledger.eligibility_inquiry_sent(
            &p.row.payer_id,
            &p.row.member_id,
            &p.key,
            p.row.service_date,
        )?;
        match before {
            Some(b) if !options.again => already.push(AlreadyAsked {
                rows: p.rows,
                payer_id: p.row.payer_id,
                service_date: p.row.service_date,
                trace: b.trace,
                sent_at: b.sent_at,
            }),
            _ => to_send.push(p),
        }
    }
    let mut report = RequestReport {
        file: schedule.file.clone(),
        rows_read: schedule.rows_read,
        x12_file: None,
        interchange_control: None,
        inquiries: Vec::new(),
        already_asked: already,
        findings,
        rejects_file,
    };
    if to_send.is_empty() {
        return Ok(report);
    }
    let (isa13, gs06) =
        ledger.allocate_control_numbers(config.interchange.control_number_start.unwrap_or(1))?;
    let inquiries: Vec<Inquiry270> = to_send
        .iter()
        .enumerate()
        .map(|(n, p)| inquiry(p, config, &format!("{isa13:09}-{}", n + 1)))
        .collect();
    let name = format!("eligibility-{isa13:09}.x12");
    let dest = out_dir.join(&name);
    let env = Envelope { interchange_control: isa13, group_control: gs06, now: options.now };
    let mut file = AtomicFile::create(&dest).map_err(Error::io(&dest, "cannot create"))?;
    let written = write_270(&mut file, &inquiries, config, &env)
        .and_then(|w| Ok(file.flush().map(|()| w)?))
        .map_err(|cause| Error::Write { path: dest.clone(), cause })?;
    let bytes = std::fs::read(file.temp_path()).map_err(Error::io(&dest, "cannot re-read"))?;
    let scan = crate::x12::scan(&bytes);
    let mut problems: Vec<Finding> = scan.findings.clone();
    for (_, _, set) in scan.sets() {
        problems.extend(crate::x12::check_hierarchy(&bytes, set));
    }
    if let Some(first) = problems.iter().find(|f| f.is_error()) {
        return Err(Error::SelfCheck { path: dest, first: first.message.clone() });
    }
    file.commit().map_err(Error::io(&dest, "cannot write"))?;
    let shown = dest.display().to_string();
    let records: Vec<InquiryRecord> = to_send
        .iter()
        .zip(&inquiries)
        .map(|(p, q)| InquiryRecord {
            trace: q.trace.clone(),
            payer_id: p.row.payer_id.clone(),
            member_id: p.row.member_id.clone(),
            patient: if q.dependent.is_some() { "dependent" } else { "subscriber" }.into(),
            patient_key: p.key.clone(),
            service_date: p.row.service_date,
            service_date_end: p.row.service_date_end,
            service_types: if p.service_types.is_empty() {
                "30".into()
            } else {
                p.service_types.join("^")
            },
            file: shown.clone(),
            isa13: written.interchange_control.clone(),
            source_rows: p.rows.iter().map(u64::to_string).collect::<Vec<_>>().join(","),
            sent_at: options.now,
        })
        .collect();
    ledger.record_eligibility_inquiries(&records)?;
    report.inquiries = to_send
        .into_iter()
        .zip(records)
        .map(|(p, r)| (r.trace, r.payer_id, r.service_date, p.rows))
        .collect();
    report.x12_file = Some(dest);
    report.interchange_control = Some(written.interchange_control);
    Ok(report)
}

fn name_of(p: &Person) -> Name {
    Name { last: p.last.clone(), first: p.first.clone(), dob: p.dob, sex: p.sex }
}

fn inquiry(p: &Pending, config: &Config, trace: &str) -> Inquiry270 {
    let r = &p.row;
    let payer = config.payer(&r.payer_id);
    let bp = config.billing_provider(&r.billing_npi);
    let (entity, name, first) = match bp {
        Some(b) if b.entity == Entity::Person => (
            Entity::Person,
            b.last_name.clone().unwrap_or_default(),
            b.first_name.clone().unwrap_or_default(),
        ),
        Some(b) => (Entity::Organization, b.name.clone(), String::new()),
        None => (Entity::Organization, String::new(), String::new()),
    };
    let ein: String =
        bp.map(|b| b.tax_id.chars().filter(char::is_ascii_digit).collect()).unwrap_or_default();
    let dependent =
        r.patient.as_ref().filter(|_| r.relationship != Relationship::SelfInsured).map(|d| {
            let code = match r.relationship {
                Relationship::Spouse => "01",
                Relationship::Child => "19",
                _ => "34",
            };
            (name_of(d), code)
        });
    let mut subscriber = name_of(&r.subscriber);
    if dependent.is_some() {
        // The guide sends the subscriber's demographics only when the subscriber is the patient.
        subscriber.dob = None;
        subscriber.sex = None;
    }
    Inquiry270 {
        trace: trace.to_string(),
        trace_origin: format!("1{ein}"),
        payer_id: r.payer_id.clone(),
        payer_name: payer.map(|p| p.name.clone()).unwrap_or_default(),
        provider_npi: r.billing_npi.clone(),
        provider_entity: entity,
        provider_name: name,
        provider_first: first,
        member_id: r.member_id.clone(),
        group_number: r.group_number.clone(),
        subscriber,
        dependent,
        date: r.service_date,
        date_end: r.service_date_end,
        service_types: p.service_types.clone(),
    }
}

/// Checks against the config and the 270's character set; pushes findings.
fn row_ok(s: &Schedule, r: &ScheduleRow, config: &Config, findings: &mut Vec<Finding>) -> bool {
    let before = findings.len();
    let mut push = |col: Col, id: &'static str, message: String| {
        findings.push(
            Finding::new(id, Severity::Error, message)
                .in_file(&s.file)
                .at_row(r.row, s.column_label(col))
                .for_claim(&r.claim_id),
        );
    };
    match config.billing_provider(&r.billing_npi) {
        None if !is_valid_npi(&r.billing_npi) => push(
            Col::BillingNpi,
            "E-NPI-001",
            format!("billing_npi {} fails the NPI check digit", r.billing_npi),
        ),
        None => push(
            Col::BillingNpi,
            "E-CFG-001",
            format!("billing_npi {} is not a billing_provider in the config", r.billing_npi),
        ),
        Some(b) => {
            let digits = b.tax_id.chars().filter(char::is_ascii_digit).count();
            if digits != 9 {
                push(
                    Col::BillingNpi,
                    "E-EIN-001",
                    format!(
                        "billing provider {}'s tax_id must be a 9-digit EIN (the 270's TRN03 is 1 followed by it)",
                        r.billing_npi
                    ),
                );
            }
        }
    }
    if config.payer(&r.payer_id).is_none() {
        push(
            Col::PayerId,
            "E-CFG-002",
            format!("payer_id {} is not a payer in the config", r.payer_id),
        );
    }
    // X12 carries no delimiter in a value, and only its basic character set.
    let i = &config.interchange;
    let delims: Vec<char> = [&i.element, &i.component, &i.repetition, &i.segment]
        .iter()
        .filter_map(|d| d.chars().next())
        .collect();
    let mut texts: Vec<(Col, &str)> = vec![
        (Col::MemberId, &r.member_id),
        (Col::SubscriberLast, &r.subscriber.last),
        (Col::SubscriberFirst, &r.subscriber.first),
    ];
    if let Some(g) = &r.group_number {
        texts.push((Col::GroupNumber, g));
    }
    if let Some(p) = &r.patient {
        texts.push((Col::PatientLast, &p.last));
        texts.push((Col::PatientFirst, &p.first));
    }
    for (col, v) in texts {
        if v.chars().any(|c| delims.contains(&c) || !(' '..='~').contains(&c)) {
            push(
                col,
                "X12_DELIMITER_IN_DATA",
                format!(
                    "{} contains an X12 delimiter or a character outside the X12 character set",
                    col.name()
                ),
            );
        }
    }
    if r.member_id.len() > 80 {
        push(Col::MemberId, "E-MEM-001", "member_id is longer than 80 characters".into());
    }
    findings.len() == before
}
