//! Writing X12: segments with configurable delimiters, and the ISA/GS/ST
//! envelopes with their control numbers and counts.
//!
//! X12 has no escape mechanism, so the writer refuses any value that contains
//! a delimiter byte (an error, never silent corruption); the scrubber is
//! expected to have held such data back already. Trailing empty elements and
//! trailing empty components are trimmed, as the guides require. The writer
//! counts segments for SE01, sets for GE01 and groups for IEA01. It knows
//! nothing of which segments a transaction needs.

use std::io::{self, Write};

use super::delim::Delimiters;

/// A failure to write X12.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// The underlying writer failed.
    #[error("write failed: {0}")]
    Io(#[from] io::Error),
    /// A value contains a delimiter byte; X12 cannot carry it.
    #[error("segment {segment} element {element}: value contains the delimiter {delimiter:?}, which X12 cannot carry")]
    Delimiter {
        /// Segment id.
        segment: String,
        /// Element number, 1-based.
        element: usize,
        /// The offending delimiter.
        delimiter: char,
    },
    /// A fixed-width ISA field is longer than its width.
    #[error("ISA{field:02} is {len} characters, at most {width} allowed")]
    IsaField {
        /// ISA element number.
        field: usize,
        /// Length given.
        len: usize,
        /// Width allowed.
        width: usize,
    },
    /// Envelope calls out of order (e.g. end_set without begin_set).
    #[error("envelope out of order: {0}")]
    Order(&'static str),
}

/// ISA header values (loop-free facts of an interchange).
#[derive(Clone, Debug)]
pub struct InterchangeHeader<'a> {
    /// ISA05 sender id qualifier, e.g. `ZZ`.
    pub sender_qualifier: &'a str,
    /// ISA06 sender id (padded to 15).
    pub sender_id: &'a str,
    /// ISA07 receiver id qualifier.
    pub receiver_qualifier: &'a str,
    /// ISA08 receiver id (padded to 15).
    pub receiver_id: &'a str,
    /// ISA09 date, `YYMMDD`.
    pub date: &'a str,
    /// ISA10 time, `HHMM`.
    pub time: &'a str,
    /// ISA12 version, e.g. `00501`.
    pub version: &'a str,
    /// ISA13 control number (1..=999,999,999), written as 9 digits.
    pub control: u32,
    /// ISA14: ask for a TA1 acknowledgment.
    pub ack_requested: bool,
    /// ISA15 usage: `P` production or `T` test.
    pub usage: char,
}

/// GS header values.
#[derive(Clone, Debug)]
pub struct GroupHeader<'a> {
    /// GS01 functional identifier, e.g. `HC` for claims.
    pub functional_id: &'a str,
    /// GS02 application sender code.
    pub sender: &'a str,
    /// GS03 application receiver code.
    pub receiver: &'a str,
    /// GS04 date, `CCYYMMDD`.
    pub date: &'a str,
    /// GS05 time, `HHMM`.
    pub time: &'a str,
    /// GS06 group control number.
    pub control: u32,
    /// GS08 version, e.g. `005010X222A1`.
    pub version: &'a str,
}

/// Segment and envelope writer.
#[derive(Debug)]
pub struct SegmentWriter<W: Write> {
    out: W,
    delimiters: Delimiters,
    newline: bool,
    /// The segment being built: id, then elements with separators.
    buf: Vec<u8>,
    /// Length of `buf` after the last non-empty element (for trimming).
    keep: usize,
    cur_id: String,
    cur_element: usize,
    /// Segments written since the open ST (ST included).
    set_segments: u32,
    set_control: Option<String>,
    group: Option<(u32, u32)>,
    interchange: Option<(u32, u32)>,
    /// `forbidden[b]`: byte `b` may not appear in a value (a delimiter, or a
    /// line break when one follows each terminator). Components allowed
    /// inside composites are checked per component, so the component
    /// separator is always forbidden in a value.
    forbidden: [bool; 256],
}

impl<W: Write> SegmentWriter<W> {
    /// A writer with the given delimiters; `newline` adds `\n` after each terminator.
    pub fn new(out: W, delimiters: Delimiters, newline: bool) -> SegmentWriter<W> {
        SegmentWriter {
            out,
            delimiters,
            newline,
            buf: Vec::with_capacity(256),
            keep: 0,
            cur_id: String::new(),
            cur_element: 0,
            set_segments: 0,
            set_control: None,
            group: None,
            interchange: None,
            forbidden: {
                let mut f = [false; 256];
                for b in [delimiters.element, delimiters.segment, delimiters.component] {
                    f[usize::from(b)] = true;
                }
                if let Some(r) = delimiters.repetition {
                    f[usize::from(r)] = true;
                }
                if newline {
                    f[usize::from(b'\n')] = true;
                    f[usize::from(b'\r')] = true;
                }
                f
            },
        }
    }

    /// The delimiters in use.
    pub fn delimiters(&self) -> Delimiters {
        self.delimiters
    }

    /// Segments written so far in the open transaction set (ST included).
    pub(crate) fn set_segments(&self) -> u32 {
        self.set_segments
    }

    fn check(&self, value: &[u8], allow_component: bool) -> Result<(), WriteError> {
        if !allow_component && !value.iter().any(|&b| self.forbidden[usize::from(b)]) {
            return Ok(());
        }
        let d = self.delimiters;
        for &b in value {
            if b == d.element
                || b == d.segment
                || Some(b) == d.repetition
                || (!allow_component && b == d.component)
                || (self.newline && (b == b'\n' || b == b'\r'))
            {
                return Err(WriteError::Delimiter {
                    segment: self.cur_id.clone(),
                    element: self.cur_element,
                    delimiter: b as char,
                });
            }
        }
        Ok(())
    }

    /// Starts a segment with id `id`.
    pub fn begin(&mut self, id: &str) -> &mut Self {
        self.buf.clear();
        self.buf.extend_from_slice(id.as_bytes());
        self.keep = self.buf.len();
        self.cur_id.clear();
        self.cur_id.push_str(id);
        self.cur_element = 0;
        self
    }

    /// Appends a simple element (may be empty).
    pub fn element(&mut self, value: &str) -> Result<&mut Self, WriteError> {
        self.cur_element += 1;
        self.check(value.as_bytes(), false)?;
        self.buf.push(self.delimiters.element);
        self.buf.extend_from_slice(value.as_bytes());
        if !value.is_empty() {
            self.keep = self.buf.len();
        }
        Ok(self)
    }

    /// Appends a composite element; trailing empty components are trimmed.
    pub fn composite(&mut self, parts: &[&str]) -> Result<&mut Self, WriteError> {
        self.cur_element += 1;
        let n = parts.iter().rposition(|p| !p.is_empty()).map_or(0, |i| i + 1);
        self.buf.push(self.delimiters.element);
        for (i, p) in parts[..n].iter().enumerate() {
            self.check(p.as_bytes(), false)?;
            if i > 0 {
                self.buf.push(self.delimiters.component);
            }
            self.buf.extend_from_slice(p.as_bytes());
        }
        if n > 0 {
            self.keep = self.buf.len();
        }
        Ok(self)
    }

    /// Appends an element holding several values separated by the
    /// repetition separator (e.g. EQ01 service types); empty values are
    /// skipped. Refused when the delimiters have no repetition separator.
    pub fn repeated(&mut self, values: &[&str]) -> Result<&mut Self, WriteError> {
        self.cur_element += 1;
        let rep = self
            .delimiters
            .repetition
            .ok_or(WriteError::Order("repeated values need a repetition separator (ISA11)"))?;
        self.buf.push(self.delimiters.element);
        let mut first = true;
        for v in values.iter().filter(|v| !v.is_empty()) {
            self.check(v.as_bytes(), false)?;
            if !first {
                self.buf.push(rep);
            }
            self.buf.extend_from_slice(v.as_bytes());
            first = false;
        }
        if !first {
            self.keep = self.buf.len();
        }
        Ok(self)
    }

    /// Ends the segment: trims trailing empty elements and writes it.
    pub fn end(&mut self) -> Result<(), WriteError> {
        self.buf.truncate(self.keep);
        self.buf.push(self.delimiters.segment);
        if self.newline {
            self.buf.push(b'\n');
        }
        self.out.write_all(&self.buf)?;
        self.set_segments += 1;
        Ok(())
    }

    /// Writes a whole segment of simple elements.
    pub fn segment(&mut self, id: &str, elements: &[&str]) -> Result<(), WriteError> {
        self.begin(id);
        for e in elements {
            self.element(e)?;
        }
        self.end()
    }

    /// Appends `count` segments already rendered by another writer with the
    /// same delimiters (e.g. loops rendered in parallel), counting them for SE01.
    ///
    /// The bytes are written as given; the caller guarantees they are whole
    /// segments produced by a [`SegmentWriter`] (which checked their values).
    pub(crate) fn raw_segments(&mut self, bytes: &[u8], count: u32) -> Result<(), WriteError> {
        self.out.write_all(bytes)?;
        self.set_segments += count;
        Ok(())
    }

    /// Appends a whole transaction set (ST to SE) written by another writer
    /// with the same delimiters, counting it for GE01.
    pub(crate) fn raw_set(&mut self, bytes: &[u8]) -> Result<(), WriteError> {
        let g = self.group.as_mut().ok_or(WriteError::Order("raw_set outside a group"))?;
        g.1 += 1;
        self.out.write_all(bytes)?;
        Ok(())
    }

    /// The writer written to.
    pub(crate) fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes the ISA (fixed width, 106 bytes) and opens an interchange.
    pub fn begin_interchange(&mut self, h: &InterchangeHeader<'_>) -> Result<(), WriteError> {
        if self.interchange.is_some() {
            return Err(WriteError::Order("begin_interchange while one is open"));
        }
        let pad = |field: usize, v: &str, width: usize| -> Result<String, WriteError> {
            if v.len() > width {
                return Err(WriteError::IsaField { field, len: v.len(), width });
            }
            Ok(format!("{v:<width$}"))
        };
        let rep = self.delimiters.repetition.map(|b| b as char).unwrap_or('U').to_string();
        let fields = [
            "00".to_string(),
            " ".repeat(10),
            "00".to_string(),
            " ".repeat(10),
            pad(5, h.sender_qualifier, 2)?,
            pad(6, h.sender_id, 15)?,
            pad(7, h.receiver_qualifier, 2)?,
            pad(8, h.receiver_id, 15)?,
            pad(9, h.date, 6)?,
            pad(10, h.time, 4)?,
            rep,
            pad(12, h.version, 5)?,
            format!("{:09}", h.control),
            if h.ack_requested { "1" } else { "0" }.to_string(),
            h.usage.to_string(),
        ];
        self.begin("ISA");
        for (i, f) in fields.iter().enumerate() {
            self.cur_element = i + 1;
            if i != 10 {
                self.check(f.as_bytes(), false)?;
            }
            self.buf.push(self.delimiters.element);
            self.buf.extend_from_slice(f.as_bytes());
        }
        self.buf.push(self.delimiters.element);
        self.buf.push(self.delimiters.component);
        self.keep = self.buf.len(); // the ISA is never trimmed
        self.end()?;
        self.interchange = Some((h.control, 0));
        Ok(())
    }

    /// Writes a GS and opens a functional group.
    pub fn begin_group(&mut self, h: &GroupHeader<'_>) -> Result<(), WriteError> {
        if self.interchange.is_none() || self.group.is_some() {
            return Err(WriteError::Order("begin_group outside an interchange or inside a group"));
        }
        let control = h.control.to_string();
        self.segment(
            "GS",
            &[h.functional_id, h.sender, h.receiver, h.date, h.time, &control, "X", h.version],
        )?;
        self.group = Some((h.control, 0));
        Ok(())
    }

    /// Writes an ST and opens a transaction set; `implementation` is ST03 (may be empty).
    pub fn begin_set(
        &mut self,
        id: &str,
        control: &str,
        implementation: &str,
    ) -> Result<(), WriteError> {
        if self.group.is_none() || self.set_control.is_some() {
            return Err(WriteError::Order("begin_set outside a group or inside a set"));
        }
        self.segment("ST", &[id, control, implementation])?;
        self.set_segments = 1;
        self.set_control = Some(control.to_string());
        Ok(())
    }

    /// Writes the SE with the counted segments; returns SE01.
    pub fn end_set(&mut self) -> Result<u32, WriteError> {
        let control =
            self.set_control.take().ok_or(WriteError::Order("end_set without begin_set"))?;
        let count = self.set_segments + 1;
        self.segment("SE", &[&count.to_string(), &control])?;
        if let Some(g) = self.group.as_mut() {
            g.1 += 1;
        }
        Ok(count)
    }

    /// Writes the GE with the counted sets.
    pub fn end_group(&mut self) -> Result<(), WriteError> {
        let (control, sets) =
            self.group.take().ok_or(WriteError::Order("end_group without begin_group"))?;
        self.segment("GE", &[&sets.to_string(), &control.to_string()])?;
        if let Some(i) = self.interchange.as_mut() {
            i.1 += 1;
        }
        Ok(())
    }

    /// Writes the IEA with the counted groups.
    pub fn end_interchange(&mut self) -> Result<(), WriteError> {
        let (control, groups) = self
            .interchange
            .take()
            .ok_or(WriteError::Order("end_interchange without begin_interchange"))?;
        self.segment("IEA", &[&groups.to_string(), &format!("{control:09}")])
    }

    /// Flushes and returns the inner writer.
    pub fn into_inner(mut self) -> Result<W, WriteError> {
        self.out.flush()?;
        Ok(self.out)
    }
}
