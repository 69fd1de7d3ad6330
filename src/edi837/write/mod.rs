//! The 837P writer: claims -> one X12 interchange (ISA ... IEA).
//!
//! Segment order, usage and codes follow the 005010X222A1 implementation guide
//! (checked against pyx12's `837.5010.X222.A1.xml` map). Only the loops that
//! the encounter CSV feeds are written; everything else in the guide is
//! situational and left out. The claim loops (2300 and below) are rendered in
//! parallel per claim; the hierarchy and envelopes are written sequentially,
//! so the output is the same for any number of threads.

mod claim;
mod group;
mod hierarchy;
mod line;
mod render;

use std::borrow::Borrow;
use std::io::Write;

use chrono::NaiveDateTime;
use rayon::prelude::*;
use rust_decimal::Decimal;

use crate::claim::Claim;
use crate::config::Config;
use crate::x12::{Delimiters, GroupHeader, InterchangeHeader, SegmentWriter, WriteError};

pub(super) use hierarchy::{address, subscriber_name};
use hierarchy::{loop_1000a, loop_1000b, write_hierarchy};
pub(super) use line::d8;
use render::{render_claim, Rendered};

/// GS08 / ST03: the 837P implementation guide version.
const GUIDE_VERSION: &str = "005010X222A1";

/// Control numbers and clock of one interchange.
#[derive(Clone, Debug)]
pub struct Envelope {
    /// ISA13 interchange control number (1..=999,999,999).
    pub interchange_control: u32,
    /// GS06 group control number.
    pub group_control: u32,
    /// The run's clock: ISA09/ISA10, GS04/GS05 and BHT04/BHT05.
    pub now: NaiveDateTime,
}

/// One transaction set written.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SetSummary {
    /// ST02 / SE02 control number (4 digits, from 0001 within the interchange).
    pub control: String,
    /// Claims (CLM segments) in the set.
    pub claims: usize,
    /// SE01: segments from ST to SE inclusive.
    pub segments: u32,
}

/// What [`write()`] wrote.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Written {
    /// ISA13 as written (9 digits).
    pub interchange_control: String,
    /// GS06 as written.
    pub group_control: String,
    /// The transaction sets, in file order.
    pub sets: Vec<SetSummary>,
    /// Claims written.
    pub claims: usize,
    /// Service lines written.
    pub lines: usize,
    /// Sum of CLM02 over all claims.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub total_charge: Decimal,
}

/// Writes `claims` as one 837P interchange to `out`.
///
/// Claims keep their input order within each transaction set, grouped under
/// their billing provider, subscriber and patient in order of first
/// appearance. A new ST/SE starts every `max_claims_per_transaction` claims.
/// The guide does not allow a transaction set without claims, so an empty
/// `claims` is refused with [`WriteError::Order`] (callers write no file then).
pub fn write<W: Write + Send, C: Borrow<Claim> + Sync>(
    out: W,
    claims: &[C],
    cfg: &Config,
    env: &Envelope,
) -> Result<Written, WriteError> {
    if claims.is_empty() {
        return Err(WriteError::Order("an 837P needs at least one claim"));
    }
    let i = &cfg.interchange;
    let mut w = begin_envelope(out, cfg, env, "HC", GUIDE_VERSION)?;
    let delimiters = w.delimiters();
    let date = env.now.format("%Y%m%d").to_string();
    let time = env.now.format("%H%M").to_string();
    let mut summary = Written {
        interchange_control: format!("{:09}", env.interchange_control),
        group_control: env.group_control.to_string(),
        sets: Vec::new(),
        claims: 0,
        lines: 0,
        total_charge: Decimal::ZERO,
    };
    let per_set = i.max_claims_per_transaction.max(1);
    let chunks: Vec<&[C]> = claims.chunks(per_set).collect();
    let render = |chunk: &[C]| -> Result<Vec<Rendered>, WriteError> {
        chunk.par_iter().map(|c| render_claim(c.borrow(), delimiters, i.newline)).collect()
    };
    // Pipeline: while this thread writes set n, the pool renders set n + 1
    // (rendering is pure per claim; writing stays sequential and ordered).
    let mut next = render(chunks[0]);
    for (n, chunk) in chunks.iter().enumerate() {
        let rendered = next?;
        let control = format!("{:04}", n + 1);
        let (written, following) = rayon::join(
            || -> Result<u32, WriteError> {
                w.begin_set("837", &control, GUIDE_VERSION)?;
                // BHT03: the originator's batch id; ISA13 + ST02 is unique per set.
                let batch = format!("{}{}", summary.interchange_control, control);
                w.segment("BHT", &["0019", "00", &batch, &date, &time, "CH"])?;
                loop_1000a(&mut w, cfg)?;
                loop_1000b(&mut w, cfg)?;
                let claims_in_set: Vec<&Claim> = chunk.iter().map(Borrow::borrow).collect();
                write_hierarchy(&mut w, &claims_in_set, &rendered)?;
                w.end_set()
            },
            || chunks.get(n + 1).map(|c| render(c)),
        );
        let segments = written?;
        next = following.unwrap_or_else(|| Ok(Vec::new()));
        for c in chunk.iter() {
            let c: &Claim = c.borrow();
            summary.lines += c.lines.len();
            summary.total_charge += c.total_charge();
        }
        summary.claims += chunk.len();
        summary.sets.push(SetSummary { control, claims: chunk.len(), segments });
    }
    w.end_group()?;
    w.end_interchange()?;
    w.into_inner()?;
    Ok(summary)
}

/// Opens a writer on `out` with the config's delimiters and writes the ISA
/// and GS of one interchange with one functional group (`functional_id`:
/// GS01, `version`: GS08). The caller writes the sets, then
/// `end_group` and `end_interchange`. Shared by every transaction claimflow
/// writes (837P, 270, 276).
pub(crate) fn begin_envelope<W: Write>(
    out: W,
    cfg: &Config,
    env: &Envelope,
    functional_id: &str,
    version: &str,
) -> Result<SegmentWriter<W>, WriteError> {
    let i = &cfg.interchange;
    let delimiters = Delimiters {
        element: byte_of(&i.element, b'*'),
        component: byte_of(&i.component, b':'),
        repetition: Some(byte_of(&i.repetition, b'^')),
        segment: byte_of(&i.segment, b'~'),
    };
    let mut w = SegmentWriter::new(out, delimiters, i.newline);
    let isa_date = env.now.format("%y%m%d").to_string();
    let date = env.now.format("%Y%m%d").to_string();
    let time = env.now.format("%H%M").to_string();
    w.begin_interchange(&InterchangeHeader {
        sender_qualifier: &i.sender_qualifier,
        sender_id: &i.sender_id,
        receiver_qualifier: &i.receiver_qualifier,
        receiver_id: &i.receiver_id,
        date: &isa_date,
        time: &time,
        version: "00501",
        control: env.interchange_control,
        ack_requested: false,
        usage: i.usage.chars().next().unwrap_or('T'),
    })?;
    w.begin_group(&GroupHeader {
        functional_id,
        sender: i.gs_sender(),
        receiver: i.gs_receiver(),
        date: &date,
        time: &time,
        control: env.group_control,
        version,
    })?;
    Ok(w)
}

fn byte_of(s: &str, default: u8) -> u8 {
    s.as_bytes().first().copied().unwrap_or(default)
}
