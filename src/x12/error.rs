//! Positions and errors of the X12 layer.
//!
//! A [`Position`] says where something is in an X12 byte stream; an [`Error`]
//! is a failure to read the stream at such a position. Data problems found by
//! the envelope checks are not errors: they are [`crate::x12::Finding`]s.
//! [`Position`] itself lives in `crate::finding`, the crate's one diagnostic
//! model, which imports nothing and so stays below this layer.

pub use crate::finding::Position;

/// A failure to read X12 at a position.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[error("{pos}: {kind}")]
pub struct Error {
    /// Where the problem starts.
    pub pos: Position,
    /// What went wrong.
    pub kind: ErrorKind,
}

impl Error {
    pub(crate) fn new(pos: Position, kind: ErrorKind) -> Error {
        Error { pos, kind }
    }

    /// True when reading went on normally and this is only worth knowing
    /// (text before the first ISA, a questionable ISA11, a last segment
    /// without terminator): the segments around it were all read.
    pub fn is_warning(&self) -> bool {
        matches!(
            self.kind,
            ErrorKind::Junk { .. }
                | ErrorKind::DelimiterWarning(_)
                | ErrorKind::Unterminated { .. }
        )
    }
}

/// What went wrong while reading X12.
#[derive(Clone, Debug, Eq, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input holds no `ISA` segment at all.
    #[error("not an X12 interchange: no ISA segment found (input starts with \"{0}\")")]
    NoIsa(String),
    /// The ISA segment is cut short.
    #[error("ISA segment is truncated: expected 16 elements and a segment terminator, found {0}")]
    IsaTruncated(String),
    /// Two delimiters are the same byte, or a delimiter is a letter or digit.
    #[error("ISA delimiters are unusable: {0}")]
    BadDelimiters(String),
    /// A segment does not start with a 2-3 character alphanumeric id.
    #[error("expected a segment id (2-3 letters or digits) followed by the element separator {expected:?}, found \"{found}\"; skipped {skipped} bytes to the next readable segment")]
    BadSegmentId {
        /// The element separator in force.
        expected: char,
        /// A printable excerpt of what was there (at most 8 bytes).
        found: String,
        /// Bytes skipped before reading resumed.
        skipped: u64,
    },
    /// Bytes that are not X12 were skipped (e.g. a text preamble).
    #[error("{skipped} bytes of non-X12 data {what} were skipped")]
    Junk {
        /// How many bytes.
        skipped: u64,
        /// Where, in words ("before the first ISA").
        what: &'static str,
    },
    /// The ISA's delimiters are usable but questionable (e.g. ISA11 equals
    /// the component separator); reading went on.
    #[error("questionable ISA delimiters: {0}")]
    DelimiterWarning(&'static str),
    /// The input starts with a bare ST: no ISA/GS envelope.
    #[error("no ISA/GS envelope: the input starts with a bare ST segment (delimiters were inferred from it)")]
    NoEnvelope,
    /// The input ends in the middle of a segment (no terminator after the
    /// last segment). The segment is still yielded, read to the end of the
    /// input; this is reported as a warning.
    #[error("the last segment ({id}) has no segment terminator {terminator:?}: the input ends inside it (read to the end; a truncated file also shows as missing trailers)")]
    Unterminated {
        /// The segment id that was being read.
        id: String,
        /// The segment terminator in force.
        terminator: char,
    },
}

/// A short, printable excerpt of raw bytes for messages (at most 24 chars).
///
/// Non-printable bytes are shown as `\xNN`. Used only on envelope-level data
/// (ids, delimiters), never on claim content.
pub(crate) fn excerpt(bytes: &[u8]) -> String {
    let mut out = String::new();
    for &b in bytes.iter().take(24) {
        if b.is_ascii_graphic() || b == b' ' {
            out.push(b as char);
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    if bytes.len() > 24 {
        out.push('…');
    }
    out
}
