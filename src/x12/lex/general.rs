//! The tokenizer's general path: ISAs (they set the delimiters), the
//! start of the input (junk before the first ISA, a bare ST), segments the
//! hot path does not take (unusual ids, a last segment without
//! terminator) and unreadable bytes, after which reading resumes at the
//! next plausible segment. The common case is in `plain`.

use memchr::memmem;

use super::plain::ends_id;
use super::{is_filler, segment_id, Segments};
use crate::x12::delim::Delimiters;
use crate::x12::error::{excerpt, Error, ErrorKind, Position};
use crate::x12::segment::Segment;

impl<'a> Segments<'a> {
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

impl<'a> Segments<'a> {
    /// Everything but the hot path: ISAs, the start of the input, unreadable
    /// bytes, the end of the input.
    #[inline(never)]
    pub(super) fn general_next(&mut self) -> Option<Result<Segment<'a>, Error>> {
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
