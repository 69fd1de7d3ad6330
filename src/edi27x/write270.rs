//! The 270 writer (005010X279A1): eligibility inquiries in one interchange.
//!
//! Each transaction set holds up to the config's
//! `max_claims_per_transaction` inquiries, grouped under their payer (2000A,
//! NM1*PR) and provider (2000B, NM1*1P with the NPI) in order of first
//! appearance. Each inquiry is one subscriber level (2000C: TRN, NM1*IL,
//! REF*6P, DMG) and, when the patient is a dependent, one dependent level
//! (2000D: TRN, NM1*03, DMG, INS) under it; the date of service (DTP*291)
//! and the service types asked (EQ) go on the patient's level. It writes
//! nothing the guide marks situational when the inquiry does not have it.

use std::io::Write;

use chrono::NaiveDate;

use super::common::{d8, dmg, firsts, provider_nm1, write_sets, Kind};
use crate::claim::{Entity, Sex};
use crate::config::Config;
use crate::edi837::Envelope;
use crate::x12::{SegmentWriter, WriteError};

/// GS08 / ST03 of a 270.
pub const GUIDE_270: &str = "005010X279A1";

/// A person in an inquiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name {
    /// Last name.
    pub last: String,
    /// First name.
    pub first: String,
    /// Date of birth (DMG02), when known.
    pub dob: Option<NaiveDate>,
    /// Sex (DMG03), when known.
    pub sex: Option<Sex>,
}

/// One eligibility inquiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inquiry270 {
    /// TRN02: unique per inquiry; the 271 echoes it.
    pub trace: String,
    /// TRN03: the originator (`1` + the provider's EIN, 10 characters).
    pub trace_origin: String,
    /// 2100A payer id (NM109, qualifier PI) and name.
    pub payer_id: String,
    /// Payer name (NM103).
    pub payer_name: String,
    /// 2100B provider NPI (NM109, qualifier XX).
    pub provider_npi: String,
    /// Person or organization (NM102).
    pub provider_entity: Entity,
    /// Provider's organization or last name.
    pub provider_name: String,
    /// Provider's first name (a person).
    pub provider_first: String,
    /// 2100C member id (NM109, qualifier MI).
    pub member_id: String,
    /// 2100C REF*6P group number.
    pub group_number: Option<String>,
    /// The subscriber.
    pub subscriber: Name,
    /// The patient when a dependent, and INS02 (01 spouse, 19 child, 34 other adult).
    pub dependent: Option<(Name, &'static str)>,
    /// DTP*291: the date of service, or the first of a range.
    pub date: NaiveDate,
    /// The last date of a range (RD8).
    pub date_end: Option<NaiveDate>,
    /// EQ01 codes; empty means 30 (health benefit plan coverage).
    pub service_types: Vec<String>,
}

/// What [`write_270`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Written270 {
    /// ISA13 (9 digits).
    pub interchange_control: String,
    /// ST02 of each set, in order.
    pub sets: Vec<String>,
    /// Inquiries written.
    pub inquiries: usize,
}

/// Writes `inquiries` as one 270 interchange (GS01 `HS`) to `out`. An empty
/// list is refused (a set needs at least one inquiry).
pub fn write_270<W: Write>(
    out: W,
    inquiries: &[Inquiry270],
    cfg: &Config,
    env: &Envelope,
) -> Result<Written270, WriteError> {
    if inquiries.is_empty() {
        return Err(WriteError::Order("a 270 needs at least one inquiry"));
    }
    let kind = Kind { gs01: "HS", st01: "270", guide: GUIDE_270, bht01: "0022" };
    let (isa13, sets) = write_sets(out, inquiries, cfg, env, &kind, write_hierarchy)?;
    Ok(Written270 { interchange_control: isa13, sets, inquiries: inquiries.len() })
}

fn write_hierarchy<W: Write>(
    w: &mut SegmentWriter<W>,
    chunk: &[Inquiry270],
) -> Result<(), WriteError> {
    // Payers in order of first appearance; providers within a payer likewise.
    let mut hl = 0u32;
    for payer in firsts(chunk.iter().map(|q| q.payer_id.as_str())) {
        let of_payer: Vec<&Inquiry270> = chunk.iter().filter(|q| q.payer_id == payer).collect();
        hl += 1;
        let payer_hl = hl.to_string();
        w.segment("HL", &[&payer_hl, "", "20", "1"])?;
        let p = of_payer[0];
        w.segment("NM1", &["PR", "2", &p.payer_name, "", "", "", "", "PI", &p.payer_id])?;
        for npi in firsts(of_payer.iter().map(|q| q.provider_npi.as_str())) {
            hl += 1;
            let provider_hl = hl.to_string();
            w.segment("HL", &[&provider_hl, &payer_hl, "21", "1"])?;
            let mine: Vec<&&Inquiry270> =
                of_payer.iter().filter(|q| q.provider_npi == npi).collect();
            let q = mine[0];
            provider_nm1(w, q.provider_entity, &q.provider_name, &q.provider_first, npi)?;
            for q in mine {
                hl += 1;
                let sub_hl = hl.to_string();
                let has_dep = q.dependent.is_some();
                w.segment("HL", &[&sub_hl, &provider_hl, "22", if has_dep { "1" } else { "0" }])?;
                if !has_dep {
                    w.segment("TRN", &["1", &q.trace, &q.trace_origin])?;
                }
                let s = &q.subscriber;
                w.segment("NM1", &["IL", "1", &s.last, &s.first, "", "", "", "MI", &q.member_id])?;
                if let Some(g) = q.group_number.as_deref() {
                    w.segment("REF", &["6P", g])?;
                }
                dmg(w, s)?;
                match &q.dependent {
                    None => benefit_inquiry(w, q)?,
                    Some((d, relationship)) => {
                        hl += 1;
                        w.segment("HL", &[&hl.to_string(), &sub_hl, "23", "0"])?;
                        w.segment("TRN", &["1", &q.trace, &q.trace_origin])?;
                        w.segment("NM1", &["03", "1", &d.last, &d.first])?;
                        dmg(w, d)?;
                        if !relationship.is_empty() {
                            w.segment("INS", &["N", relationship])?;
                        }
                        benefit_inquiry(w, q)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// DTP*291 and the EQ loop (2110C or 2110D): one EQ with the service types
/// as repetitions of EQ01.
fn benefit_inquiry<W: Write>(w: &mut SegmentWriter<W>, q: &Inquiry270) -> Result<(), WriteError> {
    match q.date_end {
        Some(end) => w.segment("DTP", &["291", "RD8", &format!("{}-{}", d8(q.date), d8(end))])?,
        None => w.segment("DTP", &["291", "D8", &d8(q.date)])?,
    }
    let types: Vec<&str> = if q.service_types.is_empty() {
        vec!["30"]
    } else {
        q.service_types.iter().map(String::as_str).collect()
    };
    w.begin("EQ");
    w.repeated(&types)?;
    w.end()
}
