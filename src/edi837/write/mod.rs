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
use crate::ledger::Span;
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

/// One transaction set written by [`SetWriter::write_set`].
#[derive(Debug)]
pub struct SetWritten {
    /// Its control number and counts.
    pub summary: SetSummary,
    /// Its bytes, ST to SE, when asked for (empty otherwise).
    pub bytes: Vec<u8>,
    /// Where each claim sits in the set (ST = 1), in the order the claims
    /// were given: the span `ack` maps a 999 error back to its claim with
    /// ([`crate::edi837::claim_spans`] reads the same spans from the bytes).
    pub spans: Vec<Span>,
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
    let mut sets = SetWriter::begin(out, cfg, env)?;
    let chunks: Vec<&[C]> = claims.chunks(sets.per_set()).collect();
    let (delimiters, newline) = (sets.w.delimiters(), cfg.interchange.newline);
    let render = |chunk: &[C]| render_chunk(chunk, delimiters, newline);
    // Pipeline: while this thread writes set n, the pool renders set n + 1
    // (rendering is pure per claim; writing stays sequential and ordered).
    let mut next = render(chunks[0]);
    for (n, chunk) in chunks.iter().enumerate() {
        let rendered = next?;
        let (written, following) = rayon::join(
            || sets.write_rendered(chunk, &rendered, false).map(drop),
            || chunks.get(n + 1).map(|c| render(c)),
        );
        written?;
        next = following.unwrap_or_else(|| Ok(Vec::new()));
    }
    Ok(sets.finish()?.0)
}

/// An 837P interchange written set by set, for a caller that has the claims
/// a set at a time (a streamed build): [`SetWriter::begin`] writes the ISA
/// and GS, [`SetWriter::write_set`] one transaction set of at most
/// [`SetWriter::per_set`] claims, [`SetWriter::finish`] the GE and IEA. The
/// bytes are those [`write()`] writes for the same claims in the same sets.
pub struct SetWriter<'c, W: Write> {
    w: SegmentWriter<Capture<W>>,
    cfg: &'c Config,
    date: String,
    time: String,
    summary: Written,
    /// The buffer a set is gathered in before it is passed on, kept from
    /// one set to the next.
    spare: Vec<u8>,
}

/// Passes bytes on, or keeps them while a set is written.
struct Capture<W> {
    inner: W,
    keep: Option<Vec<u8>>,
}

impl<W: Write> Write for Capture<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match &mut self.keep {
            Some(k) => {
                k.extend_from_slice(buf);
                Ok(buf.len())
            }
            None => self.inner.write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

impl<'c, W: Write + Send> SetWriter<'c, W> {
    /// Writes the ISA and GS to `out`.
    pub fn begin(out: W, cfg: &'c Config, env: &Envelope) -> Result<Self, WriteError> {
        let w = begin_envelope(Capture { inner: out, keep: None }, cfg, env, "HC", GUIDE_VERSION)?;
        Ok(SetWriter {
            w,
            cfg,
            date: env.now.format("%Y%m%d").to_string(),
            time: env.now.format("%H%M").to_string(),
            summary: Written {
                interchange_control: format!("{:09}", env.interchange_control),
                group_control: env.group_control.to_string(),
                sets: Vec::new(),
                claims: 0,
                lines: 0,
                total_charge: Decimal::ZERO,
            },
            spare: Vec::new(),
        })
    }

    /// Claims per transaction set (`max_claims_per_transaction`).
    pub fn per_set(&self) -> usize {
        self.cfg.interchange.max_claims_per_transaction.max(1)
    }

    /// Writes one transaction set of `claims` (rendered in parallel; at most
    /// [`SetWriter::per_set`], at least one) and returns its summary, each
    /// claim's span and, when `keep_bytes`, its bytes (ST to SE).
    pub fn write_set<C: Borrow<Claim> + Sync>(
        &mut self,
        claims: &[C],
        keep_bytes: bool,
    ) -> Result<SetWritten, WriteError> {
        if claims.is_empty() {
            return Err(WriteError::Order("a transaction set needs at least one claim"));
        }
        let rendered = render_chunk(claims, self.w.delimiters(), self.cfg.interchange.newline)?;
        self.write_rendered(claims, &rendered, keep_bytes)
    }

    /// Writes one set of pre-rendered claims. The set is gathered in one
    /// buffer and passed on in one write (the file's hashing writer then
    /// hashes large blocks); the buffer is returned when `keep_bytes`, else
    /// kept for the next set.
    fn write_rendered<C: Borrow<Claim>>(
        &mut self,
        chunk: &[C],
        rendered: &[Rendered],
        keep_bytes: bool,
    ) -> Result<SetWritten, WriteError> {
        let control = format!("{:04}", self.summary.sets.len() + 1);
        let w = &mut self.w;
        let mut buffer = std::mem::take(&mut self.spare);
        buffer.clear();
        buffer.reserve(640 * chunk.len());
        w.get_mut().keep = Some(buffer);
        w.begin_set("837", &control, GUIDE_VERSION)?;
        // BHT03: the originator's batch id; ISA13 + ST02 is unique per set.
        let batch = format!("{}{}", self.summary.interchange_control, control);
        w.segment("BHT", &["0019", "00", &batch, &self.date, &self.time, "CH"])?;
        loop_1000a(w, self.cfg)?;
        loop_1000b(w, self.cfg)?;
        let claims_in_set: Vec<&Claim> = chunk.iter().map(Borrow::borrow).collect();
        let spans = write_hierarchy(w, &claims_in_set, rendered)?;
        let segments = w.end_set()?;
        let mut bytes = w.get_mut().keep.take().unwrap_or_default();
        w.get_mut().inner.write_all(&bytes)?;
        if !keep_bytes {
            self.spare = std::mem::take(&mut bytes);
        }
        for c in &claims_in_set {
            self.summary.lines += c.lines.len();
            self.summary.total_charge += c.total_charge();
        }
        self.summary.claims += chunk.len();
        let set = SetSummary { control, claims: chunk.len(), segments };
        self.summary.sets.push(set.clone());
        Ok(SetWritten { summary: set, bytes, spans })
    }

    /// Writes the GE and IEA; returns what was written and `out`.
    pub fn finish(mut self) -> Result<(Written, W), WriteError> {
        self.w.end_group()?;
        self.w.end_interchange()?;
        let out = self.w.into_inner()?;
        Ok((self.summary, out.inner))
    }
}

/// Each claim's loops, rendered in parallel.
fn render_chunk<C: Borrow<Claim> + Sync>(
    chunk: &[C],
    delimiters: crate::x12::Delimiters,
    newline: bool,
) -> Result<Vec<Rendered>, WriteError> {
    chunk.par_iter().map(|c| render_claim(c.borrow(), delimiters, newline)).collect()
}

/// The interchange [`write()`] would write with `set` (ST to SE, as returned
/// by [`SetWriter::write_set`]) as its only transaction set: the same ISA
/// and GS, the set, a GE and an IEA. A set is validated this way on its own,
/// in memory, while the sets after it are written.
pub fn standalone_set(cfg: &Config, env: &Envelope, set: &[u8]) -> Result<Vec<u8>, WriteError> {
    let mut w = begin_envelope(Vec::with_capacity(set.len() + 512), cfg, env, "HC", GUIDE_VERSION)?;
    w.raw_set(set)?;
    w.end_group()?;
    w.end_interchange()?;
    w.into_inner()
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
