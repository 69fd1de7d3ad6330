//! The tokenizer's hot path: a terminated segment with a plain 2-3
//! character id under known delimiters, located with a few byte tests and
//! a SWAR search for its terminator; runs of such segments for the
//! envelope scan; the byte search the element readers share. Anything
//! else is left to `general`.

use super::{is_filler, Segments};
use crate::x12::delim::Delimiters;
use crate::x12::error::Position;
use crate::x12::segment::Segment;

impl<'a> Segments<'a> {
    /// The hot path: a terminated segment with a plain 2-3 character id,
    /// delimiters known. Anything else (an ISA, an unreadable id, the end of
    /// the input, a missing terminator) returns `None` without moving, and
    /// the general path in `next` handles it. Same results as that path,
    /// without its per-segment nom call and with a short-segment search
    /// for the terminator (segments are typically 10-60 bytes).
    #[inline(always)]
    pub(super) fn plain_segment(&mut self, d: Delimiters) -> Option<Segment<'a>> {
        let input = self.input.get(..self.end)?;
        let (start, id_len, term_at) = locate_plain(input, self.offset, d)?;
        let mut body_end = term_at;
        if d.segment == b'\n' && body_end > start + id_len && input[body_end - 1] == b'\r' {
            body_end -= 1; // a CRLF file whose terminator is LF
        }
        self.ordinal += 1;
        self.offset = term_at + 1;
        Some(Segment {
            id: &input[start..start + id_len],
            body: &input[start + id_len..body_end],
            pos: Position::new(start as u64, self.ordinal),
            len: (term_at + 1 - start) as u32,
            delimiters: d,
        })
    }
}

impl<'a> Segments<'a> {
    /// Reads a run of consecutive plain segments (any but ISA, GS, ST, SE,
    /// GE, IEA) and returns its first and last, or `None` (without moving)
    /// when the next item is not a plain segment. The envelope scan calls
    /// this before each `next()`: the segments in between are counted but
    /// never handed out one by one, which is most of the file.
    #[inline]
    pub(crate) fn plain_run(&mut self) -> Option<(Segment<'a>, Segment<'a>)> {
        let d = self.delimiters?;
        if self.pending.is_some() || self.done {
            return None;
        }
        let input = self.input.get(..self.end)?;
        // Only offsets in the loop; segments are built for the first and last.
        let mut offset = self.offset;
        let mut ordinal = self.ordinal;
        let mut first = None;
        let mut last = None;
        while let Some((start, id_len, term_at)) = locate_plain(input, offset, d) {
            if is_envelope_id(&input[start..start + id_len]) {
                break; // left to `next()`
            }
            ordinal += 1;
            if first.is_none() {
                first = Some((start, id_len, term_at, ordinal));
            }
            last = Some((start, id_len, term_at, ordinal));
            offset = term_at + 1;
        }
        let first = first?;
        let last = last.unwrap_or(first);
        self.offset = offset;
        self.ordinal = ordinal;
        let make = |(start, id_len, term_at, ordinal): (usize, usize, usize, u32)| {
            let mut body_end = term_at;
            if d.segment == b'\n' && body_end > start + id_len && input[body_end - 1] == b'\r' {
                body_end -= 1;
            }
            Segment {
                id: &input[start..start + id_len],
                body: &input[start + id_len..body_end],
                pos: Position::new(start as u64, ordinal),
                len: (term_at + 1 - start) as u32,
                delimiters: d,
            }
        };
        Some((make(first), make(last)))
    }
}

/// Where the plain segment at or after `offset` (after filler) is:
/// (start, id length, terminator index), or `None` when what follows is not
/// a terminated segment with a plain 2-3 character id (see `plain_segment`).
#[inline(always)]
fn locate_plain(input: &[u8], offset: usize, d: Delimiters) -> Option<(usize, usize, usize)> {
    let mut start = offset;
    while start < input.len() && (is_filler(input[start]) || input[start] == d.segment) {
        start += 1;
    }
    let rest = input.get(start..)?;
    if rest.len() < 3 || !rest[0].is_ascii_alphanumeric() || !rest[1].is_ascii_alphanumeric() {
        return None;
    }
    let id_len = if ends_id(&rest[2..], d) {
        2
    } else if rest[2].is_ascii_alphanumeric() && ends_id(&rest[3..], d) {
        if &rest[..3] == b"ISA" {
            return None;
        }
        3
    } else {
        return None;
    };
    let term_at = start + id_len + find_byte(d.segment, &rest[id_len..])?;
    Some((start, id_len, term_at))
}

/// True for the envelope segment ids: ISA, IEA, GS, GE, ST, SE.
#[inline]
pub(crate) fn is_envelope_id(id: &[u8]) -> bool {
    // Cheap first-byte test first: most segments are not envelopes.
    matches!(id.first(), Some(b'I' | b'G' | b'S'))
        && matches!(id, b"ISA" | b"IEA" | b"GS" | b"GE" | b"ST" | b"SE")
}

/// First `needle` in `hay`: eight bytes at a time (SWAR) over the first 64
/// bytes, where most segment terminators are, then memchr (a tail shorter
/// than 8 bytes byte by byte). Calling memchr for every short segment or
/// element costs more than these loops.
#[inline(always)]
pub(crate) fn find_byte(needle: u8, hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO.wrapping_mul(u64::from(needle));
    let mut i = 0;
    while i + 8 <= hay.len() && i < 64 {
        let mut word = [0u8; 8];
        word.copy_from_slice(&hay[i..i + 8]);
        let x = u64::from_le_bytes(word) ^ pattern;
        // The lowest set bit of this marks the first zero byte of x (the
        // first `needle` byte); bits above it may be false positives.
        let zero = x.wrapping_sub(LO) & !x & HI;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    let rest = &hay[i..];
    if rest.len() < 8 {
        // A short tail (the last element of most segments): a call to
        // memchr costs more than looking at these few bytes.
        return rest.iter().position(|&b| b == needle).map(|j| i + j);
    }
    memchr::memchr(needle, rest).map(|j| i + j)
}

/// True when `after` (the bytes after a segment id) starts with the element
/// separator or the terminator, or with CR LF when the terminator is LF.
#[inline(always)]
pub(crate) fn ends_id(after: &[u8], d: Delimiters) -> bool {
    match after.first() {
        Some(&b) if b == d.element || b == d.segment => true,
        Some(b'\r') => d.segment == b'\n' && after.get(1) == Some(&b'\n'),
        _ => false,
    }
}
