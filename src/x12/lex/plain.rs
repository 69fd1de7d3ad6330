//! The tokenizer's hot path: a terminated segment with a plain 2-3
//! character id under known delimiters, located with a few byte tests and
//! a SWAR search for its terminator; runs of such segments for the
//! envelope scan; the byte search the element readers share. Anything
//! else is left to `general`.

use super::{is_filler, Segments};
use crate::x12::delim::Delimiters;
use crate::x12::error::{Error, Position};
use crate::x12::fields::Fields;
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

impl<'a> Segments<'a> {
    /// The next item, a segment loaded into `f` with its elements located
    /// (or a read error): the same items as `next()` followed by
    /// [`Fields::load`], with the hot path's terminator search and element
    /// split done in one pass (`Fields::scan`). The schema walk reads
    /// every set this way.
    #[inline]
    pub fn next_fields(&mut self, f: &mut Fields<'a>) -> Option<Result<(), Error>> {
        if self.pending.is_none() && !self.done {
            // An LF terminator may have a CR before it that the body leaves out.
            if let Some(d) = self.delimiters.filter(|d| d.segment != b'\n') {
                let input = self.input.get(..self.end)?;
                if let Some((start, id_len)) = locate_id(input, self.offset, d) {
                    if let Some(term_at) = f.scan(input, start, id_len, d, self.ordinal + 1) {
                        self.ordinal += 1;
                        self.offset = term_at + 1;
                        return Some(Ok(()));
                    }
                }
            }
        }
        match self.next()? {
            Ok(seg) => {
                f.load(&seg);
                Some(Ok(()))
            }
            Err(e) => Some(Err(e)),
        }
    }
}

/// Where the plain segment at or after `offset` (after filler) is:
/// (start, id length, terminator index), or `None` when what follows is not
/// a terminated segment with a plain 2-3 character id (see `plain_segment`).
#[inline(always)]
fn locate_plain(input: &[u8], offset: usize, d: Delimiters) -> Option<(usize, usize, usize)> {
    let (start, id_len) = locate_id(input, offset, d)?;
    let term_at = start + id_len + find_byte(d.segment, &input[start + id_len..])?;
    Some((start, id_len, term_at))
}

/// Where the plain segment id at or after `offset` (after filler) is:
/// (start, id length), or `None` when what follows is not a plain 2-3
/// character id followed by the element separator or the terminator
/// (see `locate_plain`, which also finds the terminator).
#[inline(always)]
fn locate_id(input: &[u8], offset: usize, d: Delimiters) -> Option<(usize, usize)> {
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
    Some((start, id_len))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `next_fields` against `next` then `Fields::load`: the same items,
    /// segments and elements.
    fn same_as_next_then_load(input: &[u8]) {
        let mut plain = Segments::new(input);
        let mut fused = Segments::new(input);
        let mut f = Fields::default();
        loop {
            let a = plain.next();
            let b = fused.next_fields(&mut f);
            match (a, b) {
                (None, None) => break,
                (Some(Ok(seg)), Some(Ok(()))) => {
                    let loaded = Fields::new(&seg);
                    assert_eq!(*f.segment(), seg, "{:?}", String::from_utf8_lossy(input));
                    assert_eq!(f.element_count(), loaded.element_count());
                    for n in 0..40 {
                        assert_eq!(f.get(n), loaded.get(n), "element {n}");
                    }
                }
                (Some(Err(a)), Some(Err(b))) => assert_eq!(a.to_string(), b.to_string()),
                (a, b) => panic!("{a:?} against {:?}", b.map(|r| r.map(|()| f.segment().id))),
            }
            assert_eq!(plain.ordinal(), fused.ordinal());
        }
    }

    const ISA: &str = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260101*1200*^*00501*000000001*0*T*:~";

    #[test]
    fn the_fused_path_reads_what_next_and_load_read() {
        for body in [
            "GS*HC*S*R~ST*837*1~NM1*85*2*A LONG NAME FOR A GROUP*****XX*1234567893~N3~HI*ABK:E119*ABF:I10~SE*5*1~",
            "ST*837*1~\nBHT*0019*00*1*20260101*1200*CH~\r\nREF*EI~~REF*EI*123456789012345678901234567890*X~",
            "ZZ*1*2*3*4*5*6*7*8*9*10*11*12*13*14*15*16*17*18*19*20*21*22*23*24*25*26*27*28*29*30*31*32*33*34~",
            "N4*A*B",
            "N4*A*B*CDEFGHIJ",
            "N4*",
            "1X*~ABC*DEF~A~ISA*1~*~N4~",
        ] {
            same_as_next_then_load(format!("{ISA}{body}").as_bytes());
        }
        // A newline terminator takes the general path (CR LF line ends).
        let nl = ISA.replace('~', "\n");
        same_as_next_then_load(format!("{nl}N4*A*B\r\nN3*C\nN3\r\n").as_bytes());
    }

    proptest::proptest! {
        #[test]
        fn any_input_reads_the_same_fused(body in proptest::collection::vec(
            proptest::sample::select(b"**~~:^ANM1\r\n ".to_vec()), 0..120)) {
            let mut input = ISA.as_bytes().to_vec();
            input.extend_from_slice(&body);
            same_as_next_then_load(&input);
        }
    }
}
