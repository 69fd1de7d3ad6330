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

use memchr::memmem;
use nom::bytes::complete::take_while_m_n;
use nom::{IResult, Parser};

use super::delim::Delimiters;
use super::error::{excerpt, Error, ErrorKind, Position};
use super::segment::Segment;

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

    fn skip_filler(&mut self) {
        let term = self.delimiters.map(|d| d.segment);
        while self.offset < self.end {
            let b = self.input[self.offset];
            if is_filler(b) || Some(b) == term {
                // An empty segment (a terminator right after another) is
                // filler too: e.g. "~\n~" or a newline terminator on a blank line.
                self.offset += 1;
            } else {
                break;
            }
        }
    }

    fn at_isa(&self) -> bool {
        let rest = &self.input[self.offset..self.end];
        rest.len() > 3 && rest.starts_with(b"ISA") && !rest[3].is_ascii_alphanumeric()
    }

    /// Finds the next `ISA` + separator at or after `from`, within the chunk.
    fn find_isa(&self, from: usize) -> Option<usize> {
        let hay = &self.input[from..self.end];
        let mut base = 0;
        for i in memmem::find_iter(hay, b"ISA") {
            if i < base {
                continue;
            }
            match hay.get(i + 3) {
                Some(b) if !b.is_ascii_alphanumeric() && !is_filler(*b) => return Some(from + i),
                _ => base = i + 1,
            }
        }
        None
    }

    fn read_isa(&mut self) -> Result<Segment<'a>, Error> {
        let start = self.offset;
        let pos = self.pos(start);
        match Delimiters::from_isa(&self.input[start..self.end], pos) {
            Ok(h) => {
                self.delimiters = Some(h.delimiters);
                if let Some(w) = h.delimiter_warning {
                    self.pending = Some(Error::new(pos, ErrorKind::DelimiterWarning(w)));
                }
                let body_end = start + h.len - 1;
                self.offset = start + h.len;
                self.ordinal += 1;
                Ok(Segment {
                    id: &self.input[start..start + 3],
                    body: &self.input[start + 3..body_end],
                    pos,
                    len: h.len as u32,
                    delimiters: h.delimiters,
                })
            }
            Err(e) => {
                // Resume at the next ISA, if any; an interchange whose ISA
                // cannot be read cannot be delimited.
                self.offset = self.find_isa(start + 3).unwrap_or(self.end);
                Err(e)
            }
        }
    }

    /// Before any ISA: skip to the first one, or infer delimiters from a
    /// bare `ST` (an 835 sent without envelope), or give up.
    fn find_start(&mut self) -> Option<Result<Segment<'a>, Error>> {
        let start = self.offset;
        let pos = self.pos(start);
        if let Some(i) = self.find_isa(start) {
            self.offset = i;
            let skipped = i - start;
            return Some(Err(Error::new(
                pos,
                ErrorKind::Junk { skipped: skipped as u64, what: "before the first ISA" },
            )));
        }
        let rest = &self.input[start..self.end];
        if rest.len() > 3 && rest.starts_with(b"ST") && !rest[2].is_ascii_alphanumeric() {
            let element = rest[2];
            // The terminator: the first byte after "ST*nnn*" that is neither
            // alphanumeric, the element separator nor a space.
            let term = rest[3..]
                .iter()
                .find(|&&b| !b.is_ascii_alphanumeric() && b != element && b != b' ')
                .copied();
            if let Some(segment) = term {
                let component = if element == b':' || segment == b':' { b'>' } else { b':' };
                self.delimiters =
                    Some(Delimiters { element, component, repetition: None, segment });
                return Some(Err(Error::new(pos, ErrorKind::NoEnvelope)));
            }
        }
        self.done = true;
        Some(Err(Error::new(pos, ErrorKind::NoIsa(excerpt(&rest[..rest.len().min(8)])))))
    }

    /// After an unreadable segment start: skip to the next plausible segment.
    ///
    /// Returns (where reading resumes, the end of the skipped bytes): the
    /// skipped stretch ends just past a segment terminator (line breaks and
    /// empty segments after it are filler, not counted), so a scan split at
    /// terminators reports the same stretch as a sequential one.
    fn resync(&mut self, from: usize, d: Delimiters) -> (usize, usize) {
        let mut p = from;
        loop {
            match memchr::memchr(d.segment, &self.input[p..self.end]) {
                None => return (self.end, self.end),
                Some(i) => p += i + 1,
            }
            let skipped_end = p;
            while p < self.end && (is_filler(self.input[p]) || self.input[p] == d.segment) {
                p += 1;
            }
            if p >= self.end {
                return (self.end, skipped_end);
            }
            if starts_segment(&self.input[p..self.end], d, self.end == self.input.len()) {
                return (p, skipped_end);
            }
        }
    }
}

impl<'a> Segments<'a> {
    /// The hot path: a terminated segment with a plain 2-3 character id,
    /// delimiters known. Anything else (an ISA, an unreadable id, the end of
    /// the input, a missing terminator) returns `None` without moving, and
    /// the general path in `next` handles it. Same results as that path,
    /// without its per-segment nom call and with a short-segment search
    /// for the terminator (segments are typically 10-60 bytes).
    #[inline(always)]
    fn plain_segment(&mut self, d: Delimiters) -> Option<Segment<'a>> {
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

/// True when `rest` starts like a segment: an ISA, or a 2-3 character id
/// followed by the element separator or the terminator (CR LF counts as the
/// terminator when it is LF), or, when `at_end` (`rest` runs to the end of
/// the whole input), by nothing but line breaks: a last segment without
/// terminator.
fn starts_segment(rest: &[u8], d: Delimiters, at_end: bool) -> bool {
    if rest.len() > 3 && rest.starts_with(b"ISA") && !rest[3].is_ascii_alphanumeric() {
        return true;
    }
    match segment_id(rest) {
        Ok((after, _)) => {
            ends_id(after, d) || (at_end && after.iter().all(|&b| b == b'\r' || b == b'\n'))
        }
        Err(_) => false,
    }
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

impl<'a> Segments<'a> {
    /// Everything but the hot path: ISAs, the start of the input, unreadable
    /// bytes, the end of the input.
    #[inline(never)]
    fn general_next(&mut self) -> Option<Result<Segment<'a>, Error>> {
        self.skip_filler();
        if self.offset >= self.end {
            self.done = true;
            return None;
        }
        if self.at_isa() {
            return Some(self.read_isa());
        }
        let d = match self.delimiters {
            Some(d) => d,
            None => return self.find_start(),
        };
        let start = self.offset;
        let rest = &self.input[start..self.end];
        if !starts_segment(rest, d, self.end == self.input.len()) {
            let pos = self.pos(start);
            let (next, skipped_end) = self.resync(start, d);
            self.offset = next;
            // From the whole input, so a chunked scan shows the same excerpt.
            let found = excerpt(&self.input[start..(start + 8).min(self.input.len())]);
            return Some(Err(Error::new(
                pos,
                ErrorKind::BadSegmentId {
                    expected: d.element as char,
                    found,
                    skipped: (skipped_end - start) as u64,
                },
            )));
        }
        // (An id alone at the very end is a last segment without elements
        // or terminator: read below, with a warning.)
        // starts_segment checked that an id is there (ISAs were read above).
        let id_len = segment_id(rest).map_or(0, |(_, id)| id.len());
        let (term_at, seg_end) = match memchr::memchr(d.segment, &rest[id_len..]) {
            Some(i) => (start + id_len + i, start + id_len + i + 1),
            None => {
                // The input ends inside this segment: a last segment whose
                // terminator was left off (common for a final IEA, or a
                // newline-terminated file without a final newline), or a
                // truncated file. Read it to the end (line breaks trimmed)
                // and warn; a truncated file is then caught by the envelope
                // checks (missing SE/GE/IEA, wrong counts).
                let mut e = self.end;
                while e > start + id_len && matches!(self.input[e - 1], b'\r' | b'\n') {
                    e -= 1;
                }
                self.pending = Some(Error::new(
                    self.pos(start),
                    ErrorKind::Unterminated {
                        id: String::from_utf8_lossy(&rest[..id_len]).into_owned(),
                        terminator: d.segment as char,
                    },
                ));
                (e, self.end)
            }
        };
        let mut body_end = term_at;
        if d.segment == b'\n' && body_end > start + id_len && self.input[body_end - 1] == b'\r' {
            body_end -= 1; // a CRLF file whose terminator is LF
        }
        self.ordinal += 1;
        self.offset = seg_end;
        Some(Ok(Segment {
            id: &self.input[start..start + id_len],
            body: &self.input[start + id_len..body_end],
            pos: Position::new(start as u64, self.ordinal),
            len: (seg_end - start) as u32,
            delimiters: d,
        }))
    }
}
