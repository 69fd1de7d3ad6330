//! The tokenizer: bytes in, [`Segment`]s out, with their byte offset and ordinal.
//!
//! Zero-copy over one `&[u8]` (usually a memory map): a segment borrows from
//! the input and nothing is allocated per segment. Delimiters come from each
//! ISA as it is met, so a file holding several interchanges with different
//! delimiters reads correctly. CR, LF, spaces and tabs between segments are
//! skipped (line breaks after terminators, indented "pretty" files, a newline
//! used as the terminator itself). The tokenizer never panics: unreadable
//! bytes become one [`Error`] per unreadable stretch, after which it resumes
//! at the next plausible segment. It knows nothing of envelopes (see
//! `envelope`) and nothing of healthcare.
//!
//! `plain` is the hot path (plain segments, known delimiters: a few byte
//! tests and a SWAR search per segment); `general` is everything else
//! (ISAs, the start of the input, unreadable bytes, the end of the input).

mod general;
mod plain;

use nom::bytes::complete::take_while_m_n;
use nom::{IResult, Parser};

use super::delim::Delimiters;
use super::error::{Error, Position};
use super::segment::Segment;

pub(crate) use plain::{ends_id, find_byte, is_envelope_id};

/// Iterator of segments (or read errors) over an X12 input.
#[derive(Debug, Clone)]
pub struct Segments<'a> {
    input: &'a [u8],
    /// Next byte to read.
    offset: usize,
    /// Stop before this byte (a chunk's end; `input.len()` normally).
    end: usize,
    /// Segments yielded so far; the next one gets `ordinal + 1`.
    ordinal: u32,
    delimiters: Option<Delimiters>,
    done: bool,
    /// A warning to yield before the next segment (e.g. about the ISA
    /// delimiters, or a last segment without terminator).
    pending: Option<Error>,
}

/// `segment-id = 2*3(ALPHA / DIGIT)`
fn segment_id(i: &[u8]) -> IResult<&[u8], &[u8]> {
    take_while_m_n(2, 3, |b: u8| b.is_ascii_alphanumeric()).parse(i)
}

fn is_filler(b: u8) -> bool {
    matches!(b, b'\r' | b'\n' | b' ' | b'\t')
}

impl<'a> Segments<'a> {
    /// Tokenizes a whole input; delimiters are read from its first ISA.
    ///
    /// A UTF-8 byte-order mark at the start is skipped.
    pub fn new(input: &'a [u8]) -> Segments<'a> {
        let offset = if input.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        Segments {
            input,
            offset,
            end: input.len(),
            ordinal: 0,
            delimiters: None,
            done: false,
            pending: None,
        }
    }

    /// Tokenizes `input[start..end]` with known delimiters, numbering
    /// segments from `first_ordinal + 1`. Byte offsets stay absolute.
    ///
    /// `start` must be the start of a segment (or of filler before one); the
    /// parallel envelope scan splits at segment terminators to ensure that.
    pub(crate) fn chunk(
        input: &'a [u8],
        start: usize,
        end: usize,
        delimiters: Delimiters,
        first_ordinal: u32,
    ) -> Segments<'a> {
        let end = end.min(input.len());
        Segments {
            input,
            offset: start.min(end),
            end,
            ordinal: first_ordinal,
            delimiters: Some(delimiters),
            done: false,
            pending: None,
        }
    }

    /// Stops reading before byte `end` (which must follow a segment terminator).
    pub(crate) fn limit(mut self, end: usize) -> Segments<'a> {
        self.end = end.min(self.input.len());
        self
    }

    /// The delimiters currently in force (after the last ISA read).
    pub fn delimiters(&self) -> Option<Delimiters> {
        self.delimiters
    }

    /// Segments yielded so far.
    pub fn ordinal(&self) -> u32 {
        self.ordinal
    }

    fn pos(&self, byte: usize) -> Position {
        Position::new(byte as u64, self.ordinal + 1)
    }
}

impl<'a> Iterator for Segments<'a> {
    type Item = Result<Segment<'a>, Error>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending.take() {
            return Some(Err(e));
        }
        if self.done {
            return None;
        }
        if let Some(d) = self.delimiters {
            if let Some(seg) = self.plain_segment(d) {
                return Some(Ok(seg));
            }
        }
        self.general_next()
    }
}
