//! Splitting the data rows of an export into fields, with the csv crate's
//! rules (RFC 4180 quoting, `""` inside quotes, a row ends at `\n`, `\r` or
//! `\r\n`, empty lines skipped, any number of fields) and the same rows and
//! fields as its reader, without copying: a row whose quoted cells (if any)
//! close right before the next delimiter or the row's end is split in place,
//! 16 bytes at a time (SSE2 on x86_64, plain code elsewhere), its fields
//! borrowed from the export. Any other row (`""` inside quotes, bytes after
//! a closing quote, quotes open at the end of the body) is read by the csv
//! crate itself from where it starts. It reads no header and knows nothing
//! of columns; [`Splitter::next`] gives a row's fields and where it starts,
//! [`Splitter::next_prefix`] only its first fields.

use std::io::{Cursor, SeekFrom};

/// Reads the rows of an export body one at a time (a lending iterator: each
/// [`Record`] borrows the splitter until the next call).
pub(super) struct Splitter<'b> {
    body: &'b [u8],
    delimiter: u8,
    /// Where the next row's reading starts (maybe on the line breaks before
    /// it).
    at: usize,
    /// Where the last row's fields are: see [`Record`].
    ends: Vec<usize>,
    /// The fields of a row the csv crate read, a byte between each two.
    slow_fields: Vec<u8>,
    /// The csv reader for the rows not split in place, made on first need.
    slow: Option<csv::Reader<Cursor<&'b [u8]>>>,
    rec: csv::ByteRecord,
}

/// One row's fields.
pub(super) struct Record<'a> {
    src: &'a [u8],
    /// Where the byte before the first field is in `src` (wrapping), then
    /// where each field ends: field `i` is `src[ends[i] + 1..ends[i + 1]]`.
    ends: &'a [usize],
    /// Split in place: `src` is the body, and a field that starts with `"`
    /// is quoted (it ends with its closing `"`). Else `src` holds the
    /// unquoted fields, a byte between each two.
    in_place: bool,
    /// Where the row starts in the body (its first field).
    pub(super) start: usize,
    /// The split fields' bytes as text, checked once when a field is first
    /// asked for as text ([`Fields::field_str`]); `Some(None)` when they are
    /// not all UTF-8 (each field is then checked on its own).
    text: std::cell::Cell<Option<Option<&'a str>>>,
}

impl<'a> Record<'a> {
    fn new(src: &'a [u8], ends: &'a [usize], in_place: bool, start: usize) -> Record<'a> {
        Record { src, ends, in_place, start, text: std::cell::Cell::new(None) }
    }

    /// Where field `i`'s bytes are in `src` (inside its quotes).
    #[inline]
    fn range(&self, i: usize) -> Option<(usize, usize)> {
        let &[before, e, ..] = self.ends.get(i..)? else { return None };
        let from = before.wrapping_add(1);
        match self.src.get(from..e)? {
            [b'"', _inner @ .., b'"'] if self.in_place => Some((from + 1, e - 1)),
            _ => Some((from, e)),
        }
    }

    /// The bytes from the first field's start to the last field's end as
    /// text (checked once per row), and where they start in `src`.
    #[inline]
    fn row_text(&self) -> Option<(&'a str, usize)> {
        let first = self.ends.first()?.wrapping_add(1);
        let text = match self.text.get() {
            Some(t) => t,
            None => {
                let t = self
                    .src
                    .get(first..*self.ends.last()?)
                    .and_then(|b| std::str::from_utf8(b).ok());
                self.text.set(Some(t));
                t
            }
        };
        Some((text?, first))
    }

    /// The number of fields.
    pub(super) fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }

    /// Field `i`, unquoted.
    pub(super) fn get(&self, i: usize) -> Option<&'a [u8]> {
        let (from, to) = self.range(i)?;
        self.src.get(from..to)
    }

    /// Where the bytes of fields `0..k` and the delimiter after them are in
    /// the body, when the row was split in place and has more than `k`
    /// fields: two rows with the same bytes there have the same first `k`
    /// fields.
    pub(super) fn prefix(&self, k: usize) -> Option<(usize, usize)> {
        let &[before, _, ..] = self.ends.get(k..).filter(|_| self.in_place)? else { return None };
        Some((self.start, before.wrapping_add(1)))
    }

    /// The bytes of a [`Record::prefix`] of this or another row split in
    /// place from the same body; `None` when this row was not.
    pub(super) fn body_bytes(&self, (from, to): (usize, usize)) -> Option<&[u8]> {
        self.src.get(from..to).filter(|_| self.in_place)
    }

    /// The fields in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &'a [u8]> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or_default())
    }
}

/// A row's fields by index: a [`Record`], or a csv crate record.
pub(super) trait Fields {
    /// Field `i`, unquoted.
    fn field(&self, i: usize) -> Option<&[u8]>;

    /// Field `i`, unquoted, as text: `Err` when its bytes are not UTF-8.
    fn field_str(&self, i: usize) -> Option<Result<&str, ()>> {
        self.field(i).map(|raw| std::str::from_utf8(raw).map_err(|_| ()))
    }
}

impl Fields for Record<'_> {
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }

    /// The row's fields are checked as UTF-8 once, not one by one: a field
    /// starts and ends next to a delimiter or quote (ASCII bytes), so it is
    /// a slice of the row's text. When the row holds bytes that are not
    /// UTF-8, each field asked for is checked on its own.
    #[inline]
    fn field_str(&self, i: usize) -> Option<Result<&str, ()>> {
        let (from, to) = self.range(i)?;
        if let Some((text, first)) = self.row_text() {
            if let Some(f) = text.get(from.wrapping_sub(first)..to.wrapping_sub(first)) {
                return Some(Ok(f));
            }
        }
        Some(std::str::from_utf8(self.src.get(from..to)?).map_err(|_| ()))
    }
}

impl Fields for csv::ByteRecord {
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
}

/// Bytes looked at together by [`split_fields`].
const BLOCK: usize = 16;

/// Splits the row at the start of `rest` (not `d` a quote or line break),
/// [`BLOCK`] bytes at a time, `masks(at)` giving the delimiters and the
/// other special bytes (`"`, `\r`, `\n`) of `rest[at..at + BLOCK]` (bit `k`
/// for byte `at + k`; fewer bytes at the end of `rest`). Pushes onto `ends`
/// where each field ends (plus `base`); where the row ends in `rest`, or
/// `None` when it needs the csv reader (see [`Splitter::split_row`]). It
/// stops early, at a block start, once `ends` holds more than `limit`
/// entries (the first `limit` then exact; more may follow).
#[inline(always)]
fn split_fields(
    rest: &[u8],
    base: usize,
    d: u8,
    ends: &mut Vec<usize>,
    limit: usize,
    mut masks: impl FnMut(usize) -> (u32, u32),
) -> Option<usize> {
    let n = rest.len();
    let mut block = 0;
    // Inside quotes; where the current field starts (a quote opens a quoted
    // field only as its first byte; elsewhere it is an ordinary byte).
    let (mut quoted, mut from) = (false, 0);
    loop {
        if ends.len() > limit {
            return Some(block);
        }
        let (delims, others) = masks(block);
        if others == 0 && !quoted {
            // Delimiters only: each ends a field.
            if delims != 0 {
                let mut m = delims;
                while m != 0 {
                    ends.push(base + block + m.trailing_zeros() as usize);
                    m &= m - 1;
                }
                from = block + (31 - delims.leading_zeros()) as usize + 1;
            }
        } else {
            let mut m = delims | others;
            while m != 0 {
                let i = block + m.trailing_zeros() as usize;
                m &= m - 1;
                let b = rest.get(i).copied().unwrap_or_default();
                if quoted {
                    // Inside quotes a delimiter or line break is text; only
                    // a delimiter or the row's end may follow the closing
                    // quote.
                    if b == b'"' {
                        if text_after_closing_quote(rest, i, d) {
                            return None;
                        }
                        quoted = false;
                    }
                } else if b == d {
                    ends.push(base + i);
                    from = i + 1;
                } else if b == b'"' {
                    quoted = i == from;
                } else {
                    // `\r` or `\n`: the row ends.
                    ends.push(base + i);
                    return Some(i);
                }
            }
        }
        block += BLOCK;
        if block >= n {
            if quoted {
                return None;
            }
            ends.push(base + n);
            return Some(n);
        }
    }
}

/// Whether a byte other than the delimiter `d` or a line break follows
/// the closing quote at `i` (a row the csv crate reads instead).
#[inline(always)]
fn text_after_closing_quote(rest: &[u8], i: usize, d: u8) -> bool {
    rest.get(i + 1).is_some_and(|&x| !matches!(x, b'\r' | b'\n') && x != d)
}

/// Where the row at the start of `rest` ends, as [`split_fields`] finds it
/// (`None` where it does), looking only at quotes and line breaks: a quote
/// opens a quoted field when it is the row's first byte or follows a
/// delimiter (outside quotes, a delimiter always ends a field).
#[inline(always)]
fn find_row_end(rest: &[u8], d: u8, mut masks: impl FnMut(usize) -> (u32, u32)) -> Option<usize> {
    let n = rest.len();
    let mut block = 0;
    let mut quoted = false;
    loop {
        let (_, mut m) = masks(block);
        while m != 0 {
            let i = block + m.trailing_zeros() as usize;
            m &= m - 1;
            let b = rest.get(i).copied().unwrap_or_default();
            if quoted {
                if b == b'"' {
                    if text_after_closing_quote(rest, i, d) {
                        return None;
                    }
                    quoted = false;
                }
            } else if b == b'"' {
                quoted = i.checked_sub(1).map_or(true, |p| rest.get(p) == Some(&d));
            } else {
                return Some(i);
            }
        }
        block += BLOCK;
        if block >= n {
            return if quoted { None } else { Some(n) };
        }
    }
}

/// The masks of [`split_fields`] byte by byte (the reference for `sse2`, and
/// the splitter off x86_64).
#[cfg_attr(all(target_arch = "x86_64", target_feature = "sse2"), allow(dead_code))]
fn portable_masks(rest: &[u8], at: usize, d: u8) -> (u32, u32) {
    let (mut delims, mut others) = (0, 0);
    for (k, &b) in rest.iter().skip(at).take(BLOCK).enumerate() {
        if b == d {
            delims |= 1 << k;
        } else if matches!(b, b'"' | b'\r' | b'\n') {
            others |= 1 << k;
        }
    }
    (delims, others)
}

/// [`split_fields`] and [`find_row_end`] with SSE2 compares (16 bytes an
/// instruction). The functions are `unsafe` only for `target_feature` (the
/// intrinsics were unsafe before Rust 1.87, and the crate's MSRV is older):
/// they take no pointers, and SSE2 is part of the x86_64 baseline.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[allow(unsafe_code)]
mod sse2 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8, _mm_set_epi64x,
    };

    use super::{find_row_end, split_fields, BLOCK};

    /// [`split_fields`] of `rest` with the masks below.
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn split(
        rest: &[u8],
        base: usize,
        d: u8,
        ends: &mut Vec<usize>,
        limit: usize,
    ) -> Option<usize> {
        let delimiter = _mm_set1_epi8(d as i8);
        // SAFETY: SSE2 is enabled (this function's target feature).
        split_fields(rest, base, d, ends, limit, |at| unsafe { masks(rest, at, delimiter) })
    }

    /// [`find_row_end`] of `rest` with the masks below.
    #[target_feature(enable = "sse2")]
    pub(super) unsafe fn row_end(rest: &[u8], d: u8) -> Option<usize> {
        let delimiter = _mm_set1_epi8(d as i8);
        // SAFETY: SSE2 is enabled (this function's target feature).
        find_row_end(rest, d, |at| unsafe { masks(rest, at, delimiter) })
    }

    /// The delimiters (`delimiter`: the delimiter in every byte) and the
    /// other special bytes of `rest[at..at + 16]`, as
    /// [`super::portable_masks`] gives them.
    #[target_feature(enable = "sse2")]
    #[inline]
    pub(super) unsafe fn masks(rest: &[u8], at: usize, delimiter: __m128i) -> (u32, u32) {
        let bytes = rest.get(at..).unwrap_or_default();
        let (word, valid) = match bytes.first_chunk::<BLOCK>() {
            Some(w) => (*w, u32::MAX),
            None => {
                let mut w = [0u8; BLOCK];
                w[..bytes.len()].copy_from_slice(bytes);
                (w, (1u32 << bytes.len()) - 1)
            }
        };
        let half = |k: usize| {
            let mut h = [0u8; 8];
            h.copy_from_slice(&word[k..k + 8]);
            i64::from_le_bytes(h)
        };
        let v = _mm_set_epi64x(half(8), half(0));
        let delims = _mm_movemask_epi8(_mm_cmpeq_epi8(v, delimiter)) as u32;
        let others = _mm_or_si128(
            _mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
            ),
            _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
        );
        let others = _mm_movemask_epi8(others) as u32;
        (delims & valid, others & valid)
    }
}

/// The first byte at or after `at` that is not a line break: where a row
/// whose reading starts at `at` starts.
pub(super) fn skip_breaks(body: &[u8], mut at: usize) -> usize {
    while matches!(body.get(at), Some(b'\r' | b'\n')) {
        at += 1;
    }
    at
}

impl<'b> Splitter<'b> {
    /// A splitter whose first row starts at or after `at` (at a row start,
    /// or on the line breaks before one; never inside a row).
    pub(super) fn new(body: &'b [u8], delimiter: u8, at: usize) -> Splitter<'b> {
        Splitter {
            body,
            delimiter,
            at,
            ends: Vec::with_capacity(128),
            slow_fields: Vec::new(),
            slow: None,
            rec: csv::ByteRecord::new(),
        }
    }

    /// Where the next row starts (the body's length when there is none).
    pub(super) fn next_start(&self) -> usize {
        skip_breaks(self.body, self.at).min(self.body.len())
    }

    /// Moves to a row start, or to the line breaks before one.
    pub(super) fn seek(&mut self, at: usize) {
        self.at = at;
    }

    /// The next row, or `None` at the end of the body.
    #[allow(clippy::should_implement_trait)]
    pub(super) fn next(&mut self) -> Option<Record<'_>> {
        let start = skip_breaks(self.body, self.at);
        if start >= self.body.len() {
            self.at = self.body.len();
            return None;
        }
        self.ends.clear();
        if let Some(end) = self.split_row(start) {
            self.at = end;
            return Some(Record::new(self.body, &self.ends, true, start));
        }
        self.ends.clear();
        self.read_slow(start)?;
        self.slow_fields.clear();
        self.ends.push(usize::MAX);
        for f in &self.rec {
            self.slow_fields.extend_from_slice(f);
            self.ends.push(self.slow_fields.len());
            self.slow_fields.push(b',');
        }
        Some(Record::new(&self.slow_fields, &self.ends, false, start))
    }

    /// Splits the row that starts at `start` in place, noting where each
    /// field ends in `ends`; where it ends (its line break or the body's
    /// end), or `None` when it needs the csv reader (`""` inside quotes,
    /// bytes after a closing quote, quotes open at the end of the body, a
    /// delimiter that is a quote or a line break).
    fn split_row(&mut self, start: usize) -> Option<usize> {
        self.split_prefix(start, usize::MAX)
    }

    /// [`Splitter::split_row`] that may stop once it has found where the
    /// first `limit` fields end (see [`split_fields`]).
    fn split_prefix(&mut self, start: usize, limit: usize) -> Option<usize> {
        let rest = self.body.get(start..)?;
        let d = self.delimiter;
        if matches!(d, b'"' | b'\r' | b'\n') {
            return None;
        }
        let ends = &mut self.ends;
        ends.push(start.wrapping_sub(1));
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            // SAFETY: SSE2 is enabled at compile time (this cfg), so the CPU
            // that runs this code has it; the function uses no pointers.
            #[allow(unsafe_code)]
            let end = unsafe { sse2::split(rest, start, d, ends, limit) }?;
            Some(start + end)
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        {
            let end = split_fields(rest, start, d, ends, limit, |at| portable_masks(rest, at, d))?;
            Some(start + end)
        }
    }

    /// Where the row that starts at `start` ends, when
    /// [`Splitter::split_row`] would split it.
    fn row_end(&self, start: usize) -> Option<usize> {
        let rest = self.body.get(start..)?;
        let d = self.delimiter;
        if matches!(d, b'"' | b'\r' | b'\n') {
            return None;
        }
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            // SAFETY: as in `split_prefix`.
            #[allow(unsafe_code)]
            let end = unsafe { sse2::row_end(rest, d) }?;
            Some(start + end)
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        {
            let end = find_row_end(rest, d, |at| portable_masks(rest, at, d))?;
            Some(start + end)
        }
    }

    /// The next row as [`Splitter::next`] gives it, but with only its first
    /// `k` fields (fewer when it has fewer) when it is split in place: a
    /// row's end is found from its quotes and line breaks alone, and only
    /// its first fields are split.
    pub(super) fn next_prefix(&mut self, k: usize) -> Option<Record<'_>> {
        let start = skip_breaks(self.body, self.at);
        if start >= self.body.len() {
            self.at = self.body.len();
            return None;
        }
        let Some(end) = self.row_end(start) else {
            self.at = start;
            return self.next();
        };
        let row = self.body.get(..end).unwrap_or_default();
        let d = self.delimiter;
        self.ends.clear();
        self.ends.push(start.wrapping_sub(1));
        let rest = row.get(start..).unwrap_or_default();
        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        {
            // SAFETY: as in `split_prefix`.
            #[allow(unsafe_code)]
            let _ = unsafe { sse2::split(rest, start, d, &mut self.ends, k) };
        }
        #[cfg(not(all(target_arch = "x86_64", target_feature = "sse2")))]
        let _ = split_fields(rest, start, d, &mut self.ends, k, |at| portable_masks(rest, at, d));
        self.ends.truncate(k.saturating_add(1));
        self.at = end;
        Some(Record::new(self.body, &self.ends, true, start))
    }

    /// Reads the row at `start` with the csv reader into `rec`.
    fn read_slow(&mut self, start: usize) -> Option<()> {
        let body = self.body;
        let delimiter = self.delimiter;
        let rdr = self.slow.get_or_insert_with(|| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .delimiter(delimiter)
                .buffer_capacity(4096)
                .from_reader(Cursor::new(body))
        });
        // From the line break before the row when there is one: a reader
        // that starts on a row would take a UTF-8 BOM there for the file's
        // own and drop it.
        let from =
            if start > 0 && matches!(body[start - 1], b'\r' | b'\n') { start - 1 } else { start };
        let read = rdr
            .seek_raw(SeekFrom::Start(from as u64), csv::Position::new())
            .and_then(|()| rdr.read_byte_record(&mut self.rec));
        match read {
            Ok(true) => {
                self.at = from + rdr.position().byte() as usize;
                Some(())
            }
            // Reading a byte slice does not fail, and a row starts here.
            Ok(false) | Err(_) => {
                self.at = body.len();
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
    #[allow(unsafe_code)]
    fn sse2_masks(bytes: &[u8], at: usize, d: u8) -> (u32, u32) {
        // SAFETY: SSE2 is enabled at compile time (the cfg above).
        unsafe { sse2::masks(bytes, at, std::arch::x86_64::_mm_set1_epi8(d as i8)) }
    }

    /// Every row of `body` as the csv reader gives it, with where it starts.
    fn by_csv(body: &[u8], delimiter: u8) -> Vec<(usize, Vec<Vec<u8>>)> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(body);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            let at = skip_breaks(body, rec.position().unwrap().byte() as usize);
            out.push((at, rec.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// The rows after a header line (so that a BOM can only be in a row)
    /// by the splitter and by the csv reader.
    fn same(rows: &[u8], delimiter: u8) {
        let mut body = b"h\n".to_vec();
        body.extend_from_slice(rows);
        let csv = by_csv(&body, delimiter);
        let mut s = Splitter::new(&body, delimiter, 2);
        let mut mine = vec![];
        while let Some(r) = s.next() {
            assert_eq!(r.len(), r.iter().count());
            mine.push((r.start, r.iter().map(<[u8]>::to_vec).collect::<Vec<_>>()));
        }
        assert_eq!(s.next_start(), body.len());
        assert_eq!(mine.as_slice(), &csv[1..], "{:?}", String::from_utf8_lossy(rows));
    }

    #[test]
    fn rows_and_fields_are_the_csv_readers() {
        for rows in [
            &b"a,b,c\n1,2,3\n"[..],
            b"a,\"b,c\",d\r\n\"x\"\r\n,\r\n",
            b"\"a\"\"b\",c\n\"x\ny\",z\n",
            b"\"a\"b,c\n a,\"b\"\n\"open",
            b"\n\n\r\r\na\rb\r\n\rc",
            b"\xef\xbb\xbfa,\"b\"\n\xef\xbb\xbf\"q\",x\n",
            b"a,b\"c\",\"\"\n\"\",\"\",\n,,,\n   \n",
            b"\"a\",\"b\"x,c\n\"a\r\",b\n",
        ] {
            same(rows, b',');
            same(rows, b';');
            same(rows, b'\t');
        }
    }

    #[test]
    fn seeking_to_a_row_start_reads_that_row() {
        let body = b"h\n\"a\"\"b\",c\r\nd,e\n";
        let mut s = Splitter::new(body, b',', 0);
        s.seek(12);
        let r = s.next().unwrap();
        assert_eq!(r.start, 12);
        assert_eq!(r.get(1), Some(&b"e"[..]));
        s.seek(2);
        let r = s.next().unwrap();
        assert_eq!(r.get(0), Some(&b"a\"b"[..]));
        assert_eq!(r.get(2), None);
        assert_eq!(s.next_start(), 12);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn the_splitter_off_x86_64_splits_as_this_one_does(
            rows in proptest::collection::vec(
                prop::sample::select(vec![b'a', b' ', b',', b';', b'"', b'\r', b'\n']),
                0..80,
            ),
            semicolon in any::<bool>(),
        ) {
            let d = if semicolon { b';' } else { b',' };
            let mut body = b"h\n".to_vec();
            body.extend_from_slice(&rows);
            let mut s = Splitter::new(&body, d, 2);
            while let Some(start) = Some(s.next_start()).filter(|&at| at < body.len()) {
                let mut ends = vec![start.wrapping_sub(1)];
                let portable = split_fields(&body[start..], start, d, &mut ends, usize::MAX, |at| {
                    portable_masks(&body[start..], at, d)
                });
                let found = find_row_end(&body[start..], d, |at| portable_masks(&body[start..], at, d));
                prop_assert_eq!(found, portable);
                prop_assert_eq!(s.row_end(start), portable.map(|e| start + e));
                s.ends.clear();
                let mine = s.split_row(start);
                prop_assert_eq!(portable.map(|e| start + e), mine);
                if mine.is_some() {
                    prop_assert_eq!(&ends, &s.ends);
                }
                if s.next().is_none() {
                    break;
                }
            }
        }

        #[test]
        fn a_prefix_of_a_row_is_the_rows_first_fields(
            rows in proptest::collection::vec(
                prop::sample::select(vec![b'a', b' ', b',', b'"', b'\r', b'\n', 0xef]),
                0..120,
            ),
            k in 0usize..6,
        ) {
            let mut body = b"h\n".to_vec();
            body.extend_from_slice(&rows);
            let (mut whole, mut prefix) = (Splitter::new(&body, b',', 2), Splitter::new(&body, b',', 2));
            loop {
                let Some(w) = whole.next() else {
                    prop_assert!(prefix.next_prefix(k).is_none());
                    break;
                };
                let w: (usize, Vec<Vec<u8>>) = (w.start, w.iter().map(<[u8]>::to_vec).collect());
                let p = prefix.next_prefix(k).expect("a row");
                let p: (usize, Vec<Vec<u8>>) = (p.start, p.iter().map(<[u8]>::to_vec).collect());
                prop_assert_eq!(p.0, w.0);
                prop_assert!(p.1.len() >= k.min(w.1.len()));
                prop_assert_eq!(&p.1[..k.min(w.1.len())], &w.1[..k.min(w.1.len())]);
                prop_assert_eq!(prefix.next_start(), whole.next_start());
            }
        }

        #[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
        #[test]
        fn sse2_masks_are_the_portable_ones(
            bytes in proptest::collection::vec(
                prop::sample::select(vec![b'a', b',', b'"', b'\r', b'\n', 0x80, 0xff, 0]),
                0..40,
            ),
            at in 0usize..40,
            d in prop::sample::select(vec![b',', b';', b'\t', 0x80, 0]),
        ) {
            prop_assert_eq!(sse2_masks(&bytes, at, d), portable_masks(&bytes, at, d));
        }

        #[test]
        fn a_field_as_text_is_its_bytes_checked_as_utf8(
            rows in proptest::collection::vec(
                prop::sample::select(vec![
                    &b"a"[..], b" ", b",", b";", b"\"", b"\r", b"\n", "\u{e9}".as_bytes(),
                    "\u{20ac}".as_bytes(), b"\xc3", b"\xff", b"\xa9",
                ]),
                0..60,
            ),
            d in prop::sample::select(vec![b',', b';', 0xa9]),
            k in 0usize..4,
        ) {
            let mut body = b"h\n".to_vec();
            body.extend(rows.concat());
            let mut s = Splitter::new(&body, d, 2);
            let mut p = Splitter::new(&body, d, 2);
            while let Some(r) = s.next() {
                for i in 0..r.len() + 1 {
                    let want = r.field(i).map(|b| std::str::from_utf8(b).map_err(|_| ()));
                    prop_assert_eq!(r.field_str(i), want);
                }
                // A row read only in part: the same fields.
                if let Some(q) = p.next_prefix(k) {
                    for i in 0..q.len() {
                        prop_assert_eq!(q.field_str(i), r.field_str(i));
                    }
                }
            }
        }

        #[test]
        fn any_bytes_split_as_the_csv_reader_does(
            rows in proptest::collection::vec(
                prop::sample::select(vec![b'a', b' ', b',', b';', b'"', b'\r', b'\n', 0xef, 0xbb, 0xbf]),
                0..120,
            ),
            semicolon in any::<bool>(),
        ) {
            same(&rows, if semicolon { b';' } else { b',' });
        }
    }
}
