//! Pre-rendering of each claim's loops (2300 and below, and the 2000B and
//! 2000C bodies) into byte blocks, in parallel, with the hashes of its
//! grouping keys. It does not number HL segments (that is `hierarchy`).

use std::io::Write;

use super::claim::loop_2300;
use super::group::{billing_key, is_self, patient_key, subscriber_key};
use super::hierarchy::{patient_body, subscriber_body};
use crate::claim::Claim;
use crate::x12::{Delimiters, SegmentWriter, WriteError};

/// Segments rendered ahead of time, and how many.
#[derive(Debug, Default)]
pub(super) struct Block {
    bytes: Vec<u8>,
    segments: u32,
}

impl Block {
    pub(super) fn render(
        delimiters: Delimiters,
        newline: bool,
        capacity: usize,
        f: impl FnOnce(&mut SegmentWriter<Vec<u8>>) -> Result<(), WriteError>,
    ) -> Result<Block, WriteError> {
        let mut w = SegmentWriter::new(Vec::with_capacity(capacity), delimiters, newline);
        f(&mut w)?;
        let segments = w.set_segments();
        Ok(Block { bytes: w.into_inner()?, segments })
    }

    pub(super) fn write_to<W: Write>(&self, w: &mut SegmentWriter<W>) -> Result<(), WriteError> {
        w.raw_segments(&self.bytes, self.segments)
    }
}

/// One claim's pre-rendered loops, with the hashes of its grouping keys.
/// Everything but the HL segments (whose numbers depend on order) is
/// rendered in parallel.
#[derive(Debug)]
pub(super) struct Rendered {
    /// Loop 2300 and below.
    pub(super) claim: Block,
    /// Loop 2000B after its HL (used when this claim opens its subscriber group).
    pub(super) subscriber: Block,
    /// Loop 2000C after its HL (empty when the patient is the subscriber).
    pub(super) patient: Block,
    /// Hashes of the billing, subscriber and patient keys.
    pub(super) keys: [u64; 3],
}

fn key_hash<T: std::hash::Hash>(t: &T) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    // FxHash, deterministic: the keys are our own claims (not chosen by an
    // attacker), and a hit is confirmed by comparing the keys themselves
    // (`group`), so the output never depends on the hash.
    BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(t)
}

/// Renders one claim's loops (2300 and below, the 2000B and 2000C bodies)
/// and hashes its grouping keys; pure, so it runs in parallel.
pub(super) fn render_claim(
    c: &Claim,
    delimiters: Delimiters,
    newline: bool,
) -> Result<Rendered, WriteError> {
    let claim = Block::render(delimiters, newline, 256 + 160 * c.lines.len(), |w| loop_2300(w, c))?;
    let subscriber = Block::render(delimiters, newline, 256, |w| subscriber_body(w, c))?;
    let patient = if is_self(c) {
        Block::default()
    } else {
        Block::render(delimiters, newline, 192, |w| patient_body(w, c))?
    };
    let keys = [key_hash(&billing_key(c)), key_hash(&subscriber_key(c)), key_hash(&patient_key(c))];
    Ok(Rendered { claim, subscriber, patient, keys })
}
