//! Delimiters of an interchange, read from its ISA segment.
//!
//! The ISA is the one fixed-layout segment of X12: its 4th byte is the element
//! separator, ISA11 holds the repetition separator (5010 and later), ISA16 the
//! component separator and the byte after ISA16 is the segment terminator.
//! This module reads those; it does not check the other ISA fields (see
//! `envelope`). It is tolerant of an ISA whose fixed-width fields were not
//! padded: it finds ISA16 by counting element separators, and the envelope
//! check reports the wrong length.

use super::error::{excerpt, Error, ErrorKind, Position};

/// The four delimiters of an interchange.
#[derive(Clone, Copy, Debug, Eq, PartialEq, serde::Serialize)]
pub struct Delimiters {
    /// Element separator (ISA byte 3), e.g. `*`.
    pub element: u8,
    /// Component (sub-element) separator (ISA16), e.g. `:`.
    pub component: u8,
    /// Repetition separator (ISA11), `None` before version 00501 or when
    /// ISA11 is the 4010 placeholder `U`.
    pub repetition: Option<u8>,
    /// Segment terminator (the byte after ISA16), e.g. `~`.
    pub segment: u8,
}

impl Default for Delimiters {
    /// The usual 5010 set: `*` `:` `^` `~`.
    fn default() -> Delimiters {
        Delimiters { element: b'*', component: b':', repetition: Some(b'^'), segment: b'~' }
    }
}

/// An ISA segment's header facts, as read by [`Delimiters::from_isa`].
#[derive(Clone, Copy, Debug, Eq, PartialEq)]
pub(crate) struct IsaHeader {
    /// The delimiters in force until the next ISA.
    pub(crate) delimiters: Delimiters,
    /// Length of the ISA segment in bytes, terminator included (106 when padded).
    pub(crate) len: usize,
    /// A warning about the delimiters that did not stop reading (e.g. the
    /// repetition separator equals another delimiter and was ignored).
    pub(crate) delimiter_warning: Option<&'static str>,
}

impl Delimiters {
    /// Reads the delimiters from an ISA segment starting at `isa[0]`.
    ///
    /// `at` is the position of `isa[0]` in the file, used for errors. The
    /// input may continue past the ISA. Never panics.
    pub(crate) fn from_isa(isa: &[u8], at: Position) -> Result<IsaHeader, Error> {
        let err = |kind| Error::new(at, kind);
        if isa.len() < 4 || &isa[..3] != b"ISA" {
            return Err(err(ErrorKind::IsaTruncated(format!(
                "{} bytes: {:?}",
                isa.len(),
                excerpt(isa)
            ))));
        }
        let element = isa[3];
        if element.is_ascii_alphanumeric() || element == b' ' {
            return Err(err(ErrorKind::BadDelimiters(format!(
                "element separator (ISA byte 3) is {:?}, a letter, digit or space",
                element as char
            ))));
        }
        // Find the 16th element separator: ISA16 is the single byte after it.
        // Bound the search so a file of garbage is not scanned to its end: a
        // padded ISA is 106 bytes; unpadded ones are shorter; allow slack.
        let window = &isa[..isa.len().min(200)];
        let mut seps = 0;
        let mut isa16_at = None;
        for (i, &b) in window.iter().enumerate().skip(3) {
            if b == element {
                seps += 1;
                if seps == 16 {
                    isa16_at = Some(i + 1);
                    break;
                }
            }
        }
        let isa16_at = match isa16_at {
            Some(i) if i + 1 < isa.len() => i,
            _ => {
                return Err(err(ErrorKind::IsaTruncated(format!(
                    "{} element separators in {} bytes",
                    seps,
                    window.len()
                ))))
            }
        };
        let component = isa[isa16_at];
        let segment = isa[isa16_at + 1];
        let len = isa16_at + 2;
        if component == element || segment == element || segment == component {
            let clash = if component == element {
                "the component separator (ISA16) equals the element separator (ISA byte 3)"
            } else if segment == element {
                "the segment terminator (byte after ISA16) equals the element separator (ISA byte 3)"
            } else {
                "the segment terminator (byte after ISA16) equals the component separator (ISA16)"
            };
            return Err(err(ErrorKind::BadDelimiters(format!(
                "{clash}: element {:?}, component {:?}, terminator {:?} must be three different bytes",
                element as char, component as char, segment as char
            ))));
        }
        if component.is_ascii_alphanumeric() || segment.is_ascii_alphanumeric() {
            return Err(err(ErrorKind::BadDelimiters(format!(
                "component {:?} or segment terminator {:?} is a letter or digit",
                component as char, segment as char
            ))));
        }
        // ISA11 sits between separator 10 and 11; ISA12 (version) after 11.
        let fields = split_fields(&isa[4..isa16_at - 1], element);
        let isa11 = fields.get(10).copied().unwrap_or(b"");
        let isa12 = fields.get(11).copied().unwrap_or(b"");
        let mut delimiter_warning = None;
        let repetition = match isa11 {
            [r] if isa12 >= &b"00501"[..] && !r.is_ascii_alphanumeric() && *r != b' ' => {
                if *r == element || *r == component || *r == segment {
                    delimiter_warning = Some(
                        "repetition separator (ISA11) equals another delimiter; repetitions are not split",
                    );
                    None
                } else {
                    Some(*r)
                }
            }
            _ => None,
        };
        Ok(IsaHeader {
            delimiters: Delimiters { element, component, repetition, segment },
            len,
            delimiter_warning,
        })
    }

    /// True when `b` is one of the delimiters (data must never contain one).
    pub fn is_delimiter(&self, b: u8) -> bool {
        b == self.element || b == self.component || b == self.segment || Some(b) == self.repetition
    }
}

fn split_fields(bytes: &[u8], sep: u8) -> Vec<&[u8]> {
    bytes.split(|&b| b == sep).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &[u8] = b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~";

    #[test]
    fn reads_standard_delimiters() {
        assert_eq!(ISA.len(), 106);
        let h = Delimiters::from_isa(ISA, Position::default()).unwrap();
        assert_eq!(h.delimiters, Delimiters::default());
        assert_eq!(h.len, 106);
    }

    #[test]
    fn reads_unpadded_isa() {
        let isa = b"ISA*00* *00* *ZZ*A *ZZ*B*180613*1230*^*00501*100000300*0*P*:~GS";
        let h = Delimiters::from_isa(isa, Position::default()).unwrap();
        assert_eq!(h.delimiters.segment, b'~');
        assert!(h.len < 106);
    }

    #[test]
    fn no_repetition_before_5010() {
        let isa = ISA.to_vec();
        let s = String::from_utf8(isa).unwrap().replace("*^*00501*", "*U*00401*");
        let h = Delimiters::from_isa(s.as_bytes(), Position::default()).unwrap();
        assert_eq!(h.delimiters.repetition, None);
    }

    #[test]
    fn rejects_short_isa() {
        let e = Delimiters::from_isa(&ISA[..60], Position::default()).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::IsaTruncated(_)));
    }

    #[test]
    fn rejects_colliding_delimiters() {
        let s = String::from_utf8(ISA.to_vec()).unwrap().replace("*T*:~", "*T**~");
        let e = Delimiters::from_isa(s.as_bytes(), Position::default()).unwrap_err();
        // 16 separators are then found earlier; either way it must be an error.
        let _ = e;
    }

    #[test]
    fn newline_terminator() {
        let s = String::from_utf8(ISA.to_vec()).unwrap().replace(":~", ":\n");
        let h = Delimiters::from_isa(s.as_bytes(), Position::default()).unwrap();
        assert_eq!(h.delimiters.segment, b'\n');
    }
}
