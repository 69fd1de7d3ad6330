//! The X12 core: delimiters, tokenizer, segments, envelopes and writer.
//!
//! This layer reads and writes any X12 interchange and checks its envelopes.
//! It knows nothing of healthcare: no loops, no claims, no money. It imports
//! nothing from the rest of the crate but `finding`, the one diagnostic model
//! (`scripts/check-layers.sh`).

mod delim;
mod document;
mod envelope;
mod error;
mod fields;
pub mod grammar;
mod hierarchy;
mod lex;
pub mod schema;
mod segment;
mod sniff;
mod write;

pub use delim::Delimiters;
pub use document::{readable, Document, SegmentList};
pub(crate) use envelope::MAX_FINDINGS;
pub use envelope::{
    scan, scan_chunked, scan_sequential, Finding, Group, Interchange, Scan, Severity, Suppressed,
    TransactionKind, TransactionSet,
};
pub use error::{Error, ErrorKind, Position};
pub use fields::{Fields, MAX_FIELDS};
pub use hierarchy::check_hierarchy;
pub use lex::Segments;
pub use segment::{Element, Elements, Segment};
pub use sniff::{sniff, Sniff};
pub use write::{GroupHeader, InterchangeHeader, SegmentWriter, WriteError};

#[cfg(test)]
mod tests;
