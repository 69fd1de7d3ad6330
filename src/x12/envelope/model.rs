//! The envelope tree: interchanges, groups, transaction sets and their
//! kinds, and the [`Scan`] that holds them with their findings (the crate's
//! one [`Finding`] type). Plain data; the checks that build it live in
//! `checker`.

use std::ops::Range;

pub use crate::finding::{Finding, Severity};
use crate::x12::delim::Delimiters;
use crate::x12::error::Position;
use crate::x12::lex::Segments;

/// One ISA…IEA interchange.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Interchange {
    /// Position of the ISA (or of the first segment when the ISA is missing).
    pub pos: Position,
    /// False when there was no ISA and this interchange was implied.
    pub has_isa: bool,
    /// Delimiters in force.
    pub delimiters: Delimiters,
    /// ISA05/ISA06 sender qualifier and id (trimmed).
    pub sender: (String, String),
    /// ISA07/ISA08 receiver qualifier and id (trimmed).
    pub receiver: (String, String),
    /// ISA09 date (YYMMDD) and ISA10 time (HHMM).
    pub date_time: (String, String),
    /// ISA12 version, e.g. `00501`.
    pub version: String,
    /// ISA13 control number.
    pub control: String,
    /// ISA15 usage indicator (`P` production, `T` test).
    pub usage: String,
    /// Functional groups in order.
    pub groups: Vec<Group>,
    /// Positions of its TA1 segments (interchange acknowledgments, which
    /// stand between the ISA and the first GS).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ta1: Vec<Position>,
    /// Position of the IEA, when present.
    pub end: Option<Position>,
}

/// One GS…GE functional group.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Group {
    /// Position of the GS (or of the first set when GS is missing).
    pub pos: Position,
    /// False when there was no GS and this group was implied.
    pub has_gs: bool,
    /// GS01 functional identifier code (HC claims, HP remittances, FA acks…).
    pub functional_id: String,
    /// GS02 sender code.
    pub sender: String,
    /// GS03 receiver code.
    pub receiver: String,
    /// GS06 group control number.
    pub control: String,
    /// GS08 version / release / industry identifier, e.g. `005010X222A1`.
    pub version: String,
    /// Transaction sets in order.
    pub sets: Vec<TransactionSet>,
    /// Position of the GE, when present.
    pub end: Option<Position>,
}

/// One ST…SE transaction set.
#[derive(Clone, Debug, serde::Serialize)]
pub struct TransactionSet {
    /// Position of the ST.
    pub pos: Position,
    /// ST01 transaction set identifier, e.g. `837`.
    pub id: String,
    /// ST02 control number.
    pub control: String,
    /// ST03 implementation convention reference, when given.
    pub implementation: String,
    /// What kind of transaction this is (from ST01, ST03 and GS08).
    pub kind: TransactionKind,
    /// Bytes from the ST's first byte to just past the SE's terminator (or
    /// to the last segment read when SE is missing).
    pub bytes: Range<usize>,
    /// Segments from ST to SE inclusive.
    pub segment_count: u32,
    /// Position of the SE, when present.
    pub end: Option<Position>,
    /// Delimiters in force.
    pub delimiters: Delimiters,
}

impl TransactionSet {
    /// The set's segments, re-read from `input` (the same buffer given to [`scan`](super::scan)).
    pub fn segments<'a>(&self, input: &'a [u8]) -> Segments<'a> {
        Segments::chunk(
            input,
            self.bytes.start,
            self.bytes.end,
            self.delimiters,
            self.pos.segment.saturating_sub(1),
        )
    }
}

/// Transaction kinds claimflow knows by name.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Hash, Ord, PartialOrd, serde::Serialize)]
pub enum TransactionKind {
    /// 837 professional (005010X222…).
    #[serde(rename = "837P")]
    Claim837P,
    /// 837 institutional (005010X223…).
    #[serde(rename = "837I")]
    Claim837I,
    /// 837 of another or unstated guide (dental, or no version given).
    #[serde(rename = "837")]
    Claim837,
    /// 835 health care claim payment/advice.
    #[serde(rename = "835")]
    Remittance835,
    /// 999 implementation acknowledgment.
    #[serde(rename = "999")]
    Ack999,
    /// 277CA claim acknowledgment (005010X214).
    #[serde(rename = "277CA")]
    Ack277CA,
    /// Anything else (the ST01 is in the set's `id`).
    #[serde(rename = "other")]
    Other,
}

impl TransactionKind {
    /// Identifies a set from ST01, ST03 and the group's GS08.
    pub(crate) fn identify(st01: &str, st03: &str, gs08: &str) -> TransactionKind {
        let version = if st03.is_empty() { gs08 } else { st03 };
        match st01 {
            "837" if version.contains("X222") => TransactionKind::Claim837P,
            "837" if version.contains("X223") => TransactionKind::Claim837I,
            "837" => TransactionKind::Claim837,
            "835" => TransactionKind::Remittance835,
            "999" => TransactionKind::Ack999,
            "277" if version.contains("X214") => TransactionKind::Ack277CA,
            _ => TransactionKind::Other,
        }
    }

    /// Short name for summaries (`837P`, `835`, …).
    pub fn name(&self) -> &'static str {
        match self {
            TransactionKind::Claim837P => "837P",
            TransactionKind::Claim837I => "837I",
            TransactionKind::Claim837 => "837",
            TransactionKind::Remittance835 => "835",
            TransactionKind::Ack999 => "999",
            TransactionKind::Ack277CA => "277CA",
            TransactionKind::Other => "other",
        }
    }
}

/// The result of scanning one input.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Scan {
    /// Interchanges in file order.
    pub interchanges: Vec<Interchange>,
    /// Envelope and read findings in file order.
    pub findings: Vec<Finding>,
    /// Segments read.
    pub segments: u32,
    /// Findings not kept because the cap was reached.
    pub findings_suppressed: u64,
    /// The same, counted per severity and code.
    pub suppressed_by_code: Suppressed,
}

/// Findings past the cap, counted per code (so that totals per code stay
/// exact however many findings a file has).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Suppressed {
    /// Error-level findings not kept, per code.
    pub errors: std::collections::BTreeMap<&'static str, u64>,
    /// Warnings not kept, per code.
    pub warnings: std::collections::BTreeMap<&'static str, u64>,
}

impl Suppressed {
    /// Counts one finding that was not kept.
    pub(crate) fn add(&mut self, f: &Finding) {
        let map = match f.severity {
            Severity::Error => &mut self.errors,
            Severity::Warning => &mut self.warnings,
        };
        *map.entry(f.rule).or_default() += 1;
    }
}

impl Scan {
    /// Every transaction set with its group, in file order.
    pub fn sets(&self) -> impl Iterator<Item = (&Interchange, &Group, &TransactionSet)> {
        self.interchanges
            .iter()
            .flat_map(|i| i.groups.iter().flat_map(move |g| g.sets.iter().map(move |s| (i, g, s))))
    }

    /// True when no error-level finding was made.
    pub fn is_valid(&self) -> bool {
        !self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}
