//! The 276 writer (005010X212): claim status inquiries in one interchange.
//!
//! Each transaction set holds up to the config's
//! `max_claims_per_transaction` inquiries under their payer (2000A,
//! NM1*PR), the information receiver (2000B, NM1*41: the config's
//! submitter) and the provider (2000C, NM1*1P with the billing NPI), in
//! order of first appearance. Each claim asked is a subscriber level
//! (2000D: DMG when the subscriber is the patient, NM1*IL) and, for a
//! dependent, a patient level (2000E: DMG, NM1*QC); the claim's status
//! tracking (2200D or 2200E) is TRN*1 (the trace), REF*1K (the payer's
//! claim number, when known), REF*EJ (CLM01), AMT*T3 (the charge) and
//! DTP*472 (the claim's service dates).

use std::io::Write;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::common::{d8, dmg, firsts, provider_nm1, write_sets, Kind};
use super::write270::Name;
use crate::claim::Entity;
use crate::config::Config;
use crate::edi837::Envelope;
use crate::numtext::amount;
use crate::x12::{SegmentWriter, WriteError};

/// GS08 / ST03 of a 276 and its 277.
pub const GUIDE_276: &str = "005010X212";

/// One claim status inquiry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inquiry276 {
    /// TRN02: unique per inquiry; the 277 echoes it.
    pub trace: String,
    /// 2100A payer id and name.
    pub payer_id: String,
    /// Payer name.
    pub payer_name: String,
    /// 2100C provider NPI.
    pub provider_npi: String,
    /// Person or organization.
    pub provider_entity: Entity,
    /// Provider's organization or last name.
    pub provider_name: String,
    /// Provider's first name (a person).
    pub provider_first: String,
    /// 2100D member id.
    pub member_id: String,
    /// The subscriber.
    pub subscriber: Name,
    /// The patient when a dependent.
    pub dependent: Option<Name>,
    /// CLM01 (REF*EJ).
    pub claim_id: String,
    /// The payer's claim number (REF*1K), when known.
    pub payer_claim_id: Option<String>,
    /// CLM02 (AMT*T3).
    pub total_charge: Decimal,
    /// First date of service.
    pub from: NaiveDate,
    /// Last date of service (RD8 when after `from`).
    pub to: NaiveDate,
}

/// Writes `inquiries` as one 276 interchange (GS01 `HR`); an empty list is refused.
pub fn write_276<W: Write>(
    out: W,
    inquiries: &[Inquiry276],
    cfg: &Config,
    env: &Envelope,
) -> Result<Vec<String>, WriteError> {
    if inquiries.is_empty() {
        return Err(WriteError::Order("a 276 needs at least one inquiry"));
    }
    let kind = Kind { gs01: "HR", st01: "276", guide: GUIDE_276, bht01: "0010" };
    let (_, sets) =
        write_sets(out, inquiries, cfg, env, &kind, |w, chunk| hierarchy(w, chunk, cfg))?;
    Ok(sets)
}

fn hierarchy<W: Write>(
    w: &mut SegmentWriter<W>,
    chunk: &[Inquiry276],
    cfg: &Config,
) -> Result<(), WriteError> {
    let mut hl = 0u32;
    for payer in firsts(chunk.iter().map(|q| q.payer_id.as_str())) {
        let of_payer: Vec<&Inquiry276> = chunk.iter().filter(|q| q.payer_id == payer).collect();
        hl += 1;
        let payer_hl = hl.to_string();
        w.segment("HL", &[&payer_hl, "", "20", "1"])?;
        w.segment("NM1", &["PR", "2", &of_payer[0].payer_name, "", "", "", "", "PI", payer])?;
        hl += 1;
        let receiver_hl = hl.to_string();
        w.segment("HL", &[&receiver_hl, &payer_hl, "21", "1"])?;
        w.segment(
            "NM1",
            &["41", "2", &cfg.submitter.name, "", "", "", "", "46", &cfg.submitter.id],
        )?;
        for npi in firsts(of_payer.iter().map(|q| q.provider_npi.as_str())) {
            let mine: Vec<&&Inquiry276> =
                of_payer.iter().filter(|q| q.provider_npi == npi).collect();
            hl += 1;
            let provider_hl = hl.to_string();
            w.segment("HL", &[&provider_hl, &receiver_hl, "19", "1"])?;
            let q = mine[0];
            provider_nm1(w, q.provider_entity, &q.provider_name, &q.provider_first, npi)?;
            for q in mine {
                hl += 1;
                let sub_hl = hl.to_string();
                let dep = q.dependent.as_ref();
                w.segment(
                    "HL",
                    &[&sub_hl, &provider_hl, "22", if dep.is_some() { "1" } else { "0" }],
                )?;
                let s = &q.subscriber;
                if dep.is_none() {
                    dmg(w, s)?;
                }
                w.segment("NM1", &["IL", "1", &s.last, &s.first, "", "", "", "MI", &q.member_id])?;
                match dep {
                    None => tracking(w, q)?,
                    Some(d) => {
                        hl += 1;
                        w.segment("HL", &[&hl.to_string(), &sub_hl, "23"])?;
                        dmg(w, d)?;
                        w.segment("NM1", &["QC", "1", &d.last, &d.first])?;
                        tracking(w, q)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn tracking<W: Write>(w: &mut SegmentWriter<W>, q: &Inquiry276) -> Result<(), WriteError> {
    w.segment("TRN", &["1", &q.trace])?;
    if let Some(n) = q.payer_claim_id.as_deref().filter(|n| !n.is_empty()) {
        w.segment("REF", &["1K", n])?;
    }
    if !q.claim_id.is_empty() {
        w.segment("REF", &["EJ", &q.claim_id])?;
    }
    w.segment("AMT", &["T3", &amount(q.total_charge)])?;
    if q.to > q.from {
        w.segment("DTP", &["472", "RD8", &format!("{}-{}", d8(q.from), d8(q.to))])
    } else {
        w.segment("DTP", &["472", "D8", &d8(q.from)])
    }
}
