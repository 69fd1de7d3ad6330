//! Splitting the data rows of an export into fields, with the csv crate's
//! rules (RFC 4180 quoting, `""` inside quotes, a row ends at `\n`, `\r` or
//! `\r\n`, empty lines skipped, any number of fields) and the same rows and
//! fields as its reader, without copying: a row on one line whose quoted
//! cells (if any) close before the next delimiter or the line's end is split
//! in place with memchr, its fields borrowed from the export. Any other row
//! (a line break or `""` inside quotes, bytes after a closing quote, a lone
//! `\r`) is read by the csv crate itself from where it starts. It reads no
//! header and knows nothing of columns; [`Splitter::next`] gives a row's
//! fields and where it starts.

use std::io::{Cursor, SeekFrom};

/// Reads the rows of an export body one at a time (a lending iterator: each
/// [`Record`] borrows the splitter until the next call).
pub(super) struct Splitter<'b> {
    body: &'b [u8],
    delimiter: u8,
    /// Where the next row's reading starts (maybe on the line breaks before
    /// it).
    at: usize,
    /// The fields of the last row: byte ranges into the body, or into
    /// `rec` for a row the csv crate read.
    bounds: Vec<(usize, usize)>,
    /// The bytes a row is split at: the delimiter, `"`, `\r` and `\n`.
    special: [bool; 256],
    /// The csv reader for the rows not split in place, made on first need.
    slow: Option<csv::Reader<Cursor<&'b [u8]>>>,
    rec: csv::ByteRecord,
}

/// One row's fields.
pub(super) struct Record<'a> {
    src: &'a [u8],
    bounds: &'a [(usize, usize)],
    /// Split in place: `src` is the body.
    in_place: bool,
    /// Where the row starts in the body (its first field).
    pub(super) start: usize,
}

impl Record<'_> {
    /// The number of fields.
    pub(super) fn len(&self) -> usize {
        self.bounds.len()
    }

    /// Field `i`, unquoted.
    pub(super) fn get(&self, i: usize) -> Option<&[u8]> {
        let &(s, e) = self.bounds.get(i)?;
        self.src.get(s..e)
    }

    /// Where the bytes of fields `0..k` and the delimiter after them are in
    /// the body, when the row was split in place and has more than `k`
    /// fields: two rows with the same bytes there have the same first `k`
    /// fields.
    pub(super) fn prefix(&self, k: usize) -> Option<(usize, usize)> {
        let &(next, _) = self.bounds.get(k).filter(|_| self.in_place)?;
        Some((self.start, next))
    }

    /// The bytes of a [`Record::prefix`] of this or another row split in
    /// place from the same body; `None` when this row was not.
    pub(super) fn body_bytes(&self, (from, to): (usize, usize)) -> Option<&[u8]> {
        self.src.get(from..to).filter(|_| self.in_place)
    }

    /// The fields in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.bounds.iter().map(|&(s, e)| self.src.get(s..e).unwrap_or_default())
    }
}

/// A row's fields by index: a [`Record`], or a csv crate record.
pub(super) trait Fields {
    /// Field `i`, unquoted.
    fn field(&self, i: usize) -> Option<&[u8]>;
}

impl Fields for Record<'_> {
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
    }
}

impl Fields for csv::ByteRecord {
    fn field(&self, i: usize) -> Option<&[u8]> {
        self.get(i)
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
        let mut special = [false; 256];
        for b in [delimiter, b'"', b'\r', b'\n'] {
            special[usize::from(b)] = true;
        }
        Splitter {
            special,
            body,
            delimiter,
            at,
            bounds: Vec::with_capacity(128),
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
        self.bounds.clear();
        if let Some(end) = self.split_row(start) {
            self.at = end;
            return Some(Record { src: self.body, bounds: &self.bounds, in_place: true, start });
        }
        self.bounds.clear();
        self.read_slow(start)?;
        let rec = &self.rec;
        self.bounds.extend((0..rec.len()).filter_map(|i| rec.range(i)).map(|r| (r.start, r.end)));
        Some(Record { src: self.rec.as_slice(), bounds: &self.bounds, in_place: false, start })
    }

    /// Splits the row that starts at `start` into `bounds` in place, in one
    /// pass over its bytes; where it ends (its line break or the body's
    /// end), or `None` when it needs the csv reader (`""` inside quotes,
    /// bytes after a closing quote, quotes open at the end of the body).
    fn split_row(&mut self, start: usize) -> Option<usize> {
        let rest = self.body.get(start..)?;
        let d = self.delimiter;
        if matches!(d, b'"' | b'\r' | b'\n') {
            // A delimiter that is also a quote or a line break.
            return None;
        }
        // Where the current field starts; whether it is inside quotes; where
        // its closing quote is (a quoted field ends right after it).
        let (mut from, mut quoted, mut closed) = (0, false, None);
        // Locals, not fields: the loop keeps them in registers.
        let (special, bounds) = (&self.special, &mut self.bounds);
        let n = rest.len();
        let mut i = 0;
        loop {
            while i < n && !special[usize::from(rest[i])] {
                i += 1;
            }
            let Some(&b) = rest.get(i) else {
                if quoted {
                    return None;
                }
                break;
            };
            if quoted {
                // Inside quotes a delimiter or line break is text.
                if b == b'"' {
                    // Only a delimiter or the row's end may follow the
                    // closing quote.
                    if rest.get(i + 1).is_some_and(|&x| !matches!(x, b'\r' | b'\n') && x != d) {
                        return None;
                    }
                    quoted = false;
                    closed = Some(i);
                }
            } else if b == d {
                bounds.push(match closed.take() {
                    Some(c) => (start + from + 1, start + c),
                    None => (start + from, start + i),
                });
                from = i + 1;
            } else if b == b'"' {
                // A quote starts a quoted field only as its first byte;
                // elsewhere in an unquoted field it is an ordinary byte.
                quoted = i == from;
            } else {
                // `\r` or `\n`: the row ends.
                break;
            }
            i += 1;
        }
        let end = i.min(n);
        bounds.push(match closed {
            Some(c) => (start + from + 1, start + c),
            None => (start + from, start + end),
        });
        Some(start + end)
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
