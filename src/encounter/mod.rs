//! Reading encounter exports: the canonical CSV layout
//! (`docs/encounter-input.md`) or any other export through a
//! [`Layout`], grouped into [`Claim`]s by claim_id.
//!
//! What it does: accepts a UTF-8 BOM, matches headers case-insensitively after
//! trimming, in any order; lists unknown columns once as a warning; treats
//! empty cells as "not given"; groups rows of one claim wherever they are in
//! the file (claims keep first-seen order); reports claim-level values that
//! disagree between rows of a claim, naming both rows; turns every value that
//! cannot be read into a finding with file, row, column and claim_id (the
//! claim is then held back by `scrub`). It keeps the raw bytes of every row
//! so held-back claims can be written back out verbatim
//! ([`Encounters::write_rows`]).
//!
//! What it does not do: business rules (NPI check digits, code validity,
//! payer rules: `scrub`), or anything with the config. A file that cannot be
//! read, is not CSV, or lacks a required column is an [`Error`]; nothing else is.
//!
//! The work is split by role: `read` runs through the file, `map` maps the
//! header (or a layout) to canonical columns, `line` reads a row's service
//! line, `assemble` builds claims from grouped rows, `cells` parses values,
//! and `held` copies held-back rows out.

use std::io;

use crate::claim::Claim;
use crate::finding::Finding;
use crate::input::Input;

mod assemble;
mod cells;
mod columns;
mod held;
pub mod layout;
mod line;
mod map;
mod read;
mod record;
mod schedule;
mod secondary;

pub use columns::Col;
pub use layout::Layout;
pub use read::{open, read, read_bytes, read_counting, ClaimIndex, Opened, Rows, PART_BYTES};
pub use schedule::{
    read_schedule, read_schedule_bytes, Person, Schedule, ScheduleRow, SCHEDULE_REQUIRED,
};

/// An encounter file that cannot be read at all (nothing is written).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The file could not be opened or read.
    #[error("{path}: cannot read: {cause}")]
    Io {
        /// The input path.
        path: String,
        /// The I/O error.
        #[source]
        cause: io::Error,
    },
    /// The file is not CSV text (empty, binary, no header row).
    #[error("{path}: not a CSV encounter export: {message}")]
    NotCsv {
        /// The input path.
        path: String,
        /// Why.
        message: String,
    },
    /// Required columns are missing from the header.
    #[error("{path}: missing required column(s): {columns}")]
    MissingColumns {
        /// The input path.
        path: String,
        /// Comma-separated canonical names.
        columns: String,
    },
    /// A column appears twice in the header (which one to read?).
    #[error("{path}: column {column:?} appears more than once in the header")]
    DuplicateColumn {
        /// The input path.
        path: String,
        /// The header text.
        column: String,
    },
    /// The layout maps a column to a header the file does not have.
    #[error("{path}: layout {layout:?} maps {column} to header {header:?}, which the file does not have")]
    LayoutHeaderMissing {
        /// The input path.
        path: String,
        /// The layout's name.
        layout: String,
        /// The canonical column.
        column: String,
        /// The header the layout expects.
        header: String,
    },
}

/// Rule ids the reader itself emits (documented with the scrub rules).
pub(crate) mod rule {
    /// A claim-level value differs between rows of one claim.
    pub(crate) const ROW_DISAGREES: &str = "E-ROW-001";
    /// A row has no claim_id.
    pub(crate) const NO_CLAIM_ID: &str = "E-CID-002";
    /// A row has a different number of fields than the header.
    pub(crate) const FIELD_COUNT: &str = "E-CSV-002";
    /// A cell is not UTF-8 text.
    pub(crate) const NOT_UTF8: &str = "E-CSV-003";
    /// Columns in the file that are not read.
    pub(crate) const UNKNOWN_COLUMNS: &str = "W-CSV-001";
    /// A date cell is not a date in the expected format.
    pub(crate) const BAD_DATE: &str = "E-DATE-001";
    /// A number cell is not a plain decimal number.
    pub(crate) const BAD_NUMBER: &str = "E-NUM-001";
    /// A required line value (service_date, units, charge) is empty.
    pub(crate) const LINE_VALUE_MISSING: &str = "E-REQ-001";
    /// Sex is not M, F or U.
    pub(crate) const BAD_SEX: &str = "E-SEX-001";
    /// Relationship is not self, spouse, child or other.
    pub(crate) const BAD_RELATIONSHIP: &str = "E-REL-001";
    /// Patient columns given although the patient is the subscriber.
    pub(crate) const PATIENT_IGNORED: &str = "W-PAT-001";
    /// Frequency is not 1, 7 or 8.
    pub(crate) const BAD_FREQUENCY: &str = "E-FREQ-002";
    /// A diagnosis column is empty while a later one is filled.
    pub(crate) const DX_GAP: &str = "E-ICD-005";
    /// Diagnosis pointers that are not numbers.
    pub(crate) const BAD_POINTER: &str = "E-PTR-003";
    /// Secondary subscriber columns given although the patient is the
    /// secondary subscriber.
    pub(crate) const SECONDARY_SUBSCRIBER_IGNORED: &str = "W-COB-001";
    /// accident_state or accident_date given without the related cause
    /// that uses it (not sent).
    pub(crate) const ACCIDENT_IGNORED: &str = "W-ACC-001";
    /// ndc_quantity or ndc_unit given on a line without an NDC (not sent).
    pub(crate) const NDC_FACTS_IGNORED: &str = "W-NDC-001";
}

/// Everything read from one encounter file.
#[derive(Debug)]
pub struct Encounters {
    /// The input file as named by the caller.
    pub file: String,
    /// The claims, in first-seen order. A claim with reader findings is as
    /// complete as its rows allowed (lines that could not be read are left
    /// out) and must be held back: see [`Encounters::findings`].
    pub claims: Vec<Claim>,
    /// Reader findings: file-level warnings first (claim_id empty), then per
    /// claim in claim order, by row. Rows without a claim_id have findings
    /// with an empty claim_id and are listed in [`Encounters::unclaimed_rows`].
    pub findings: Vec<Finding>,
    /// Rows (1-based, header = row 1) that belong to no claim (no claim_id).
    pub unclaimed_rows: Vec<u64>,
    /// The header as in the file (trimmed).
    pub header: Vec<String>,
    /// Data rows skipped because every cell was empty (not findings).
    pub blank_rows: u64,
    labels: Vec<String>,
    data: Input,
    /// Byte offset where the header starts (after a BOM) and where each
    /// data row starts; a row ends where the next starts.
    header_start: usize,
    row_starts: Vec<usize>,
}

fn not_csv(file: &str, message: &str) -> Error {
    Error::NotCsv { path: file.to_string(), message: message.to_string() }
}

impl Encounters {
    /// How a canonical column is named in this file's header (for findings):
    /// the header text, `NAME (layout default)`, or the canonical name when
    /// the file does not have it. Names that are not canonical columns come
    /// back unchanged.
    pub fn column_label(&self, canonical: &str) -> String {
        label(&self.labels, canonical)
    }
}

/// How `canonical` is named by a file whose column labels are `labels`.
fn label(labels: &[String], canonical: &str) -> String {
    match Col::from_name(canonical) {
        Some(c) => labels[c as usize].clone(),
        None => canonical.to_string(),
    }
}

#[cfg(test)]
mod tests;
