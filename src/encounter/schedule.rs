//! Reading an export as a schedule: one row per patient visit, for
//! eligibility inquiries. The same file formats, layouts and header matching
//! as a claim export, but only the columns an inquiry needs are required
//! (billing_npi, payer_id, member_id, subscriber name and birth date,
//! service_date); claim and line columns are ignored when present.
//!
//! It parses values (dates, sex, relationship, service types) and reports
//! what cannot be read as findings with row and column; it does not check
//! the config, NPIs or duplicates (the eligibility job does).

use std::path::Path;

use chrono::NaiveDate;

use crate::claim::{Relationship, Sex};
use crate::finding::{Finding, Severity};

use super::cells::{date_msg, parse_date};
use super::map::{build_mapping_for, Ctx};
use super::{not_csv, rule, Col, Error, Layout};

/// The columns a schedule export must have (or map, with a layout).
pub const SCHEDULE_REQUIRED: [Col; 7] = [
    Col::BillingNpi,
    Col::PayerId,
    Col::MemberId,
    Col::SubscriberLast,
    Col::SubscriberFirst,
    Col::SubscriberDob,
    Col::ServiceDate,
];

/// A person named in a schedule row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    /// Last name.
    pub last: String,
    /// First name.
    pub first: String,
    /// Date of birth.
    pub dob: Option<NaiveDate>,
    /// Sex, when given.
    pub sex: Option<Sex>,
}

/// One readable schedule row.
#[derive(Clone, Debug)]
pub struct ScheduleRow {
    /// 1-based row (header = 1).
    pub row: u64,
    /// claim_id when the export has one (findings name it).
    pub claim_id: String,
    /// billing_npi.
    pub billing_npi: String,
    /// payer_id.
    pub payer_id: String,
    /// member_id.
    pub member_id: String,
    /// group_number.
    pub group_number: Option<String>,
    /// The subscriber.
    pub subscriber: Person,
    /// The patient's relationship to the subscriber.
    pub relationship: Relationship,
    /// The patient, when not the subscriber.
    pub patient: Option<Person>,
    /// service_date.
    pub service_date: NaiveDate,
    /// service_date_end, when after service_date.
    pub service_date_end: Option<NaiveDate>,
    /// EQ01 service type codes (empty: the default).
    pub service_types: Vec<String>,
}

/// A schedule export read.
#[derive(Debug)]
pub struct Schedule {
    /// The file as named by the caller.
    pub file: String,
    /// Rows that could be read, in file order.
    pub rows: Vec<ScheduleRow>,
    /// Findings (rows that could not be read are only here).
    pub findings: Vec<Finding>,
    /// Data rows read (blank rows excluded).
    pub rows_read: u64,
    labels: Vec<String>,
}

impl Schedule {
    /// How a canonical column is named in this file's header.
    pub fn column_label(&self, col: Col) -> String {
        self.labels[col as usize].clone()
    }
}

/// Reads `path` as a schedule export (canonical columns, or `layout`).
pub fn read_schedule(path: &Path, layout: Option<&Layout>) -> Result<Schedule, Error> {
    let file = path.display().to_string();
    let data = crate::input::open(path)
        .map_err(|source| Error::Io { path: file.clone(), cause: source })?;
    read_schedule_bytes(&file, &data, layout)
}

/// Reads a schedule export already in memory; `file` names it in findings.
pub fn read_schedule_bytes(
    file: &str,
    data: &[u8],
    layout: Option<&Layout>,
) -> Result<Schedule, Error> {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    if body.contains(&0) {
        return Err(not_csv(file, "the file contains NUL bytes (binary data)"));
    }
    let delimiter = layout.map_or(b',', |l| l.delimiter);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(body);
    let io_err = |e: csv::Error| match e.into_kind() {
        csv::ErrorKind::Io(source) => Error::Io { path: file.to_string(), cause: source },
        other => Error::NotCsv { path: file.to_string(), message: format!("{other:?}") },
    };
    let mut rec = csv::ByteRecord::new();
    if !rdr.read_byte_record(&mut rec).map_err(io_err)? {
        return Err(not_csv(file, "the file is empty (a header row is required)"));
    }
    let header: Vec<String> = rec
        .iter()
        .map(|h| std::str::from_utf8(h).map(|s| s.trim().to_string()))
        .collect::<Result<_, _>>()
        .map_err(|_| not_csv(file, "the header row is not UTF-8 text"))?;
    let (map, _unknown) =
        build_mapping_for(file, &header, layout, |c| SCHEDULE_REQUIRED.contains(&c))?;
    let ctx = Ctx { file, map: &map };
    let mut out = Schedule {
        file: file.to_string(),
        rows: Vec::new(),
        findings: Vec::new(),
        rows_read: 0,
        labels: map.labels.clone(),
    };
    let mut row: u64 = 1;
    while rdr.read_byte_record(&mut rec).map_err(io_err)? {
        row += 1;
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        out.rows_read += 1;
        if let Some(r) = read_row(&ctx, &rec, row, &mut out.findings) {
            out.rows.push(r);
        }
    }
    Ok(out)
}

fn read_row(
    ctx: &Ctx<'_>,
    rec: &csv::ByteRecord,
    row: u64,
    findings: &mut Vec<Finding>,
) -> Option<ScheduleRow> {
    let claim_id = ctx.cell(rec, Col::ClaimId).ok().flatten().map(|c| c.into_owned());
    let claim_id = claim_id.unwrap_or_default();
    let start = findings.len();
    let mut push = |col: Col, id: &'static str, message: String| {
        findings.push(ctx.finding(&claim_id, row, col, id, Severity::Error, message));
    };
    let mut text = |col: Col| -> Option<String> {
        match ctx.cell(rec, col) {
            Ok(v) => v.map(|s| s.into_owned()),
            Err(()) => {
                push(
                    col,
                    rule::NOT_UTF8,
                    format!("{} is not UTF-8 text; re-export the file as UTF-8", col.name()),
                );
                None
            }
        }
    };
    let billing_npi = text(Col::BillingNpi);
    let payer_id = text(Col::PayerId);
    let member_id = text(Col::MemberId);
    let group_number = text(Col::GroupNumber);
    let sub = [Col::SubscriberLast, Col::SubscriberFirst, Col::SubscriberDob, Col::SubscriberSex]
        .map(&mut text);
    let relationship = text(Col::Relationship);
    let pat =
        [Col::PatientLast, Col::PatientFirst, Col::PatientDob, Col::PatientSex].map(&mut text);
    let service_date = text(Col::ServiceDate);
    let service_date_end = text(Col::ServiceDateEnd);
    let service_type = text(Col::ServiceType);

    let mut need = |col: Col, v: &Option<String>, id: &'static str| {
        if v.is_none() {
            push(col, id, format!("{} is empty; an eligibility inquiry needs it", col.name()));
        }
    };
    need(Col::BillingNpi, &billing_npi, "E-NPI-001");
    need(Col::PayerId, &payer_id, "E-CFG-002");
    need(Col::MemberId, &member_id, "E-MEM-001");
    need(Col::SubscriberLast, &sub[0], "E-NAME-001");
    need(Col::SubscriberFirst, &sub[1], "E-NAME-001");
    need(Col::SubscriberDob, &sub[2], "E-DOB-001");
    need(Col::ServiceDate, &service_date, rule::LINE_VALUE_MISSING);
    let fmt = ctx.map.date_format.as_str();
    let mut date = |col: Col, v: &Option<String>| -> Option<NaiveDate> {
        let s = v.as_deref()?;
        let d = parse_date(s, fmt);
        if d.is_none() {
            push(col, rule::BAD_DATE, date_msg(col, fmt));
        }
        d
    };
    let sub_dob = date(Col::SubscriberDob, &sub[2]);
    let pat_dob = date(Col::PatientDob, &pat[2]);
    let from = date(Col::ServiceDate, &service_date);
    let to = date(Col::ServiceDateEnd, &service_date_end);
    let mut sex = |col: Col, v: &Option<String>| -> Option<Sex> {
        let s = v.as_deref()?;
        let x = Sex::from_code(&s.to_ascii_uppercase());
        if x.is_none() {
            push(col, rule::BAD_SEX, format!("{} {s:?} must be M, F or U", col.name()));
        }
        x
    };
    let sub_sex = sex(Col::SubscriberSex, &sub[3]);
    let pat_sex = sex(Col::PatientSex, &pat[3]);
    let relationship = match relationship.as_deref() {
        None => Relationship::SelfInsured,
        Some(s) => Relationship::parse(s).unwrap_or_else(|| {
            push(
                Col::Relationship,
                rule::BAD_RELATIONSHIP,
                format!("relationship {s:?} must be self, spouse, child or other"),
            );
            Relationship::SelfInsured
        }),
    };
    let patient = if relationship == Relationship::SelfInsured {
        None
    } else {
        for (col, v) in [(Col::PatientLast, &pat[0]), (Col::PatientFirst, &pat[1])]
            .into_iter()
            .chain([(Col::PatientDob, &pat[2])])
        {
            if v.is_none() {
                push(
                    col,
                    "E-PAT-001",
                    format!(
                        "relationship is {} but {} is empty; a dependent's inquiry needs it",
                        relationship.word(),
                        col.name()
                    ),
                );
            }
        }
        Some(Person {
            last: pat[0].clone().unwrap_or_default(),
            first: pat[1].clone().unwrap_or_default(),
            dob: pat_dob,
            sex: pat_sex,
        })
    };
    let service_types: Vec<String> = service_type
        .as_deref()
        .map(|s| s.split('^').map(|t| t.trim().to_ascii_uppercase()).collect())
        .unwrap_or_default();
    if service_types
        .iter()
        .any(|t| t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        push(
            Col::ServiceType,
            "E-ELIG-005",
            "service_type must be X12 service type codes (1 or 2 letters or digits, e.g. 30 or 98) separated by ^".into(),
        );
    }
    if let (Some(a), Some(b)) = (from, to) {
        if b < a {
            push(
                Col::ServiceDateEnd,
                rule::BAD_DATE,
                "service_date_end is before service_date".into(),
            );
        }
    }
    if findings.len() > start {
        return None;
    }
    Some(ScheduleRow {
        row,
        claim_id,
        billing_npi: billing_npi?,
        payer_id: payer_id?,
        member_id: member_id?,
        group_number,
        subscriber: Person {
            last: sub[0].clone()?,
            first: sub[1].clone()?,
            dob: sub_dob,
            sex: sub_sex,
        },
        relationship,
        patient,
        service_date: from?,
        service_date_end: to.filter(|t| Some(*t) != from),
        service_types,
    })
}
