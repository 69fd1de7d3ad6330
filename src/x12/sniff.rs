//! A first look at an input: does it begin like X12 (an ISA), and what does
//! its first transaction say it is (GS08, ST01, ST03), or does it answer with
//! a TA1. Reads only the first segments; it checks nothing (the envelope
//! checker does) and knows no command or healthcare meaning of the codes.

use super::envelope::TransactionKind;
use super::lex::Segments;

/// At most this many segments are read before giving up on finding an ST.
const MAX_SEGMENTS: u32 = 64;

/// What the first segments of an input say.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Sniff {
    /// The input begins with `ISA` (after a byte-order mark and white space).
    pub x12: bool,
    /// A TA1 segment came before any GS.
    pub ta1: bool,
    /// GS08 of the first functional group, when one was read.
    pub gs08: Option<String>,
    /// ST01 of the first transaction set, when one was read.
    pub st01: Option<String>,
    /// ST03 of the first transaction set (empty when not given).
    pub st03: String,
}

impl Sniff {
    /// The kind of the first transaction set, when one was read.
    pub fn kind(&self) -> Option<TransactionKind> {
        let st01 = self.st01.as_deref()?;
        Some(TransactionKind::identify(st01, &self.st03, self.gs08.as_deref().unwrap_or("")))
    }
}

/// Looks at the start of `input` (the whole input, or only its first bytes).
pub fn sniff(input: &[u8]) -> Sniff {
    let start = input.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(input);
    let first = start.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(start.len());
    let mut s = Sniff { x12: start[first..].starts_with(b"ISA"), ..Sniff::default() };
    if !s.x12 {
        return s;
    }
    let mut segments = Segments::new(input);
    while let Some(Ok(seg)) = segments.next() {
        match seg.id_str() {
            "TA1" if s.gs08.is_none() => s.ta1 = true,
            "GS" if s.gs08.is_none() => s.gs08 = Some(seg.str(8).trim().to_string()),
            "ST" => {
                s.st01 = Some(seg.str(1).trim().to_string());
                s.st03 = seg.str(3).trim().to_string();
                break;
            }
            _ => {}
        }
        if segments.ordinal() >= MAX_SEGMENTS {
            break;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *230101*1200*^*00501*000000001*0*T*:~";

    #[test]
    fn reads_gs08_st01_st03_of_the_first_set() {
        let input = format!("{ISA}GS*HP*S*R*20230101*1200*1*X*005010X221A1~ST*835*0001~BPR*I~");
        let s = sniff(input.as_bytes());
        assert!(s.x12 && !s.ta1);
        assert_eq!(s.gs08.as_deref(), Some("005010X221A1"));
        assert_eq!(s.st01.as_deref(), Some("835"));
        assert_eq!(s.kind(), Some(TransactionKind::Remittance835));
    }

    #[test]
    fn a_ta1_before_any_group() {
        let input = format!("\u{feff}\n{ISA}TA1*000000001*230101*1200*A*000~IEA*0*000000001~");
        let s = sniff(input.as_bytes());
        assert!(s.x12 && s.ta1);
        assert_eq!(s.kind(), None);
    }

    #[test]
    fn text_that_is_not_x12() {
        let s = sniff(b"claim_id,row\nA1,1\n");
        assert!(!s.x12);
        assert_eq!(s.st01, None);
        assert!(!sniff(b"").x12);
    }
}
