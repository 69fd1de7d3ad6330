//! Which kind of file an input is (an encounter CSV, an 837, an 835, a TA1,
//! a 999, a 277CA, another X12 transaction) and which claimflow command
//! reads it, so that a command given the wrong kind says so in one line.
//!
//! It looks only at the first bytes of a file ([`crate::x12::sniff`]): it
//! checks nothing, and a file it cannot place (empty, unreadable, broken
//! X12) is left to the command's own reader, which reports it with its
//! position.

use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::x12::{self, TransactionKind};

/// Bytes read from the start of a file to recognise it.
const HEAD: u64 = 64 * 1024;

/// What a file is, as far as its first bytes tell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// Text whose first line has a comma and that does not begin with ISA.
    Csv,
    /// X12 whose first transaction set is of a kind claimflow knows.
    X12(TransactionKind),
    /// X12 answering with a TA1 interchange acknowledgment.
    Ta1,
    /// X12 whose first transaction set is another one (its ST01).
    OtherX12(String),
    /// Anything else: X12 without a transaction set read, or not placed.
    Unknown,
}

impl FileKind {
    /// Recognises the start of a file's bytes.
    pub fn of(head: &[u8]) -> FileKind {
        let s = x12::sniff(head);
        if s.x12 {
            return match s.kind() {
                Some(TransactionKind::Other) => FileKind::OtherX12(s.st01.unwrap_or_default()),
                Some(kind) => FileKind::X12(kind),
                None if s.ta1 => FileKind::Ta1,
                None => FileKind::Unknown,
            };
        }
        let first_line = head.split(|&b| b == b'\n').next().unwrap_or_default();
        if first_line.contains(&b',') && std::str::from_utf8(first_line).is_ok() {
            FileKind::Csv
        } else {
            FileKind::Unknown
        }
    }

    /// Recognises the file at `path` from its first 64 KiB; `Unknown` when it
    /// cannot be read (the command's reader says why) or is standard input.
    pub fn of_file(path: &Path) -> FileKind {
        if path.as_os_str() == "-" {
            return FileKind::Unknown;
        }
        let mut head = Vec::new();
        match std::fs::File::open(path).and_then(|f| f.take(HEAD).read_to_end(&mut head)) {
            Ok(_) => FileKind::of(&head),
            Err(_) => FileKind::Unknown,
        }
    }

    /// What the file is, for a person: "an X12 835 remittance".
    pub fn describe(&self) -> String {
        match self {
            FileKind::Csv => "a CSV file, not X12".to_string(),
            FileKind::X12(k) => match k {
                TransactionKind::Claim837P => "an X12 837P claim file".to_string(),
                TransactionKind::Claim837I => "an X12 837I (institutional) claim file".to_string(),
                TransactionKind::Claim837 => "an X12 837 claim file".to_string(),
                TransactionKind::Remittance835 => "an X12 835 remittance".to_string(),
                TransactionKind::Ack999 => "an X12 999 acknowledgment".to_string(),
                TransactionKind::Ack277CA => "an X12 277CA claim acknowledgment".to_string(),
                TransactionKind::Other => "an X12 file".to_string(),
            },
            FileKind::Ta1 => "an X12 TA1 interchange acknowledgment".to_string(),
            FileKind::OtherX12(st01) => format!("an X12 {st01} transaction"),
            FileKind::Unknown => "a file of unknown kind".to_string(),
        }
    }

    /// Which command reads this kind of file.
    pub fn read_by(&self) -> &'static str {
        match self {
            FileKind::Csv => "`claimflow check` and `claimflow build` read encounter exports",
            FileKind::X12(k) => match k {
                TransactionKind::Claim837P
                | TransactionKind::Claim837I
                | TransactionKind::Claim837 => {
                    "`claimflow reconcile --claims` reads sent claims, `claimflow validate` checks them"
                }
                TransactionKind::Remittance835 => "`claimflow reconcile` reads it",
                TransactionKind::Ack999 | TransactionKind::Ack277CA => "`claimflow ack` reads it",
                TransactionKind::Other => {
                    "`claimflow validate` and `claimflow parse` read any X12 file"
                }
            },
            FileKind::Ta1 => "`claimflow ack` reads it",
            FileKind::OtherX12(st01) if st01 == "277" => {
                "`claimflow ack` reads 277 claim status answers"
            }
            FileKind::OtherX12(st01) if st01 == "271" => "`claimflow eligibility read` reads it",
            FileKind::OtherX12(_) | FileKind::Unknown => {
                "no claimflow command reads it; `claimflow validate` and `claimflow parse` read any X12 file"
            }
        }
    }
}

/// The kind of file a command reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expected {
    /// 835 remittances (`reconcile`, `parse --remittances`).
    Remittance,
    /// 837 claim files (`reconcile --claims`).
    Claims,
    /// TA1, 999 and 277CA acknowledgments, and 277 claim status answers
    /// (`ack`).
    Acknowledgment,
    /// Any X12 (`validate`, `parse`).
    AnyX12,
    /// An encounter export (`check`, `build`).
    Encounters,
}

impl Expected {
    fn name(self) -> &'static str {
        match self {
            Expected::Remittance => "an 835 remittance",
            Expected::Claims => "an 837 claim file",
            Expected::Acknowledgment => {
                "a TA1, 999 or 277CA acknowledgment or a 277 claim status answer"
            }
            Expected::AnyX12 => "an X12 file",
            Expected::Encounters => "an encounter export",
        }
    }

    /// Whether a file of `kind` is one the command reads (a file not placed
    /// is left to the command's reader).
    fn accepts(self, kind: &FileKind) -> bool {
        match (self, kind) {
            (_, FileKind::Unknown) => true,
            (Expected::Remittance, k) => *k == FileKind::X12(TransactionKind::Remittance835),
            (Expected::Claims, FileKind::X12(k)) => matches!(
                k,
                TransactionKind::Claim837P | TransactionKind::Claim837I | TransactionKind::Claim837
            ),
            (Expected::Claims, _) => false,
            (Expected::Acknowledgment, FileKind::Ta1) => true,
            // A 277 that is not a 277CA: a claim status answer (X212).
            (Expected::Acknowledgment, FileKind::OtherX12(st01)) => st01 == "277",
            (Expected::Acknowledgment, FileKind::X12(k)) => {
                matches!(k, TransactionKind::Ack999 | TransactionKind::Ack277CA)
            }
            (Expected::Acknowledgment, _) => false,
            (Expected::AnyX12, k) => *k != FileKind::Csv,
            (Expected::Encounters, k) => matches!(k, FileKind::Csv),
        }
    }
}

/// A file of another kind than the command reads.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct WrongKind {
    /// The file as named.
    pub file: String,
    /// What it is.
    pub kind: FileKind,
    /// What the command reads.
    pub expected: Expected,
}

impl fmt::Display for WrongKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = self.kind.describe();
        // "a CSV file, not X12" already says what it is not.
        if self.kind == FileKind::Csv && self.expected != Expected::Encounters {
            write!(
                f,
                "{}: {what} ({} expected): {}",
                self.file,
                self.expected.name(),
                self.kind.read_by()
            )
        } else {
            write!(
                f,
                "{}: {what}, not {}: {}",
                self.file,
                self.expected.name(),
                self.kind.read_by()
            )
        }
    }
}

/// Checks that the file at `path` is of the `expected` kind.
pub fn check(path: &Path, expected: Expected) -> Result<(), WrongKind> {
    let kind = FileKind::of_file(path);
    if expected.accepts(&kind) {
        Ok(())
    } else {
        Err(WrongKind { file: path.display().to_string(), kind, expected })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISA: &str = "ISA*00*          *00*          *ZZ*S              *ZZ*R              *230101*1200*^*00501*000000001*0*T*:~";

    fn x12(gs08: &str, st: &str) -> Vec<u8> {
        format!("{ISA}GS*HC*S*R*20230101*1200*1*X*{gs08}~ST*{st}~").into_bytes()
    }

    #[test]
    fn recognises_each_kind() {
        assert_eq!(FileKind::of(b"claim_id,row\n"), FileKind::Csv);
        assert_eq!(
            FileKind::of(&x12("005010X222A1", "837*0001*005010X222A1")),
            FileKind::X12(TransactionKind::Claim837P)
        );
        assert_eq!(
            FileKind::of(&x12("005010X221A1", "835*0001")),
            FileKind::X12(TransactionKind::Remittance835)
        );
        assert_eq!(
            FileKind::of(&x12("005010X214", "277*0001*005010X214")),
            FileKind::X12(TransactionKind::Ack277CA)
        );
        assert_eq!(
            FileKind::of(&x12("005010X279A1", "270*0001")),
            FileKind::OtherX12("270".into())
        );
        assert_eq!(FileKind::of(b"garbage"), FileKind::Unknown);
        assert_eq!(FileKind::of(b""), FileKind::Unknown);
    }

    #[test]
    fn unknown_files_are_left_to_the_reader() {
        for e in [Expected::Remittance, Expected::Acknowledgment, Expected::Encounters] {
            assert!(e.accepts(&FileKind::Unknown));
        }
        assert!(!Expected::Encounters.accepts(&FileKind::X12(TransactionKind::Remittance835)));
        assert!(Expected::AnyX12.accepts(&FileKind::OtherX12("270".into())));
        assert!(!Expected::AnyX12.accepts(&FileKind::Csv));
    }

    #[test]
    fn the_message_names_the_kind_and_the_command() {
        let w = WrongKind {
            file: "remit.835".into(),
            kind: FileKind::X12(TransactionKind::Remittance835),
            expected: Expected::Acknowledgment,
        };
        assert_eq!(
            w.to_string(),
            "remit.835: an X12 835 remittance, not a TA1, 999 or 277CA acknowledgment or a 277 claim status answer: `claimflow reconcile` reads it"
        );
        let w =
            WrongKind { file: "a.csv".into(), kind: FileKind::Csv, expected: Expected::Remittance };
        assert_eq!(
            w.to_string(),
            "a.csv: a CSV file, not X12 (an 835 remittance expected): `claimflow check` and `claimflow build` read encounter exports"
        );
    }
}
