//! Envelopes: interchanges (ISA/IEA), functional groups (GS/GE) and
//! transaction sets (ST/SE), and the checks that tie their trailers to them.
//!
//! [`scan`] reads a whole input once and returns the envelope tree (with the
//! byte range of every transaction set, so later stages can parse sets in
//! parallel) and every envelope [`Finding`]: control numbers that do not
//! match, counts that are off, missing trailers, segments outside an
//! envelope, duplicate control numbers, malformed ISA fields. Large inputs are
//! split at segment boundaries and scanned on several threads; the result is
//! the same as a sequential scan. This module does not look inside a
//! transaction set (no loops, no healthcare rules).
//!
//! The work is split by role: `model` holds the envelope tree and finding
//! types, `checker` the sequential scan and its checks, `parallel` the
//! splitting of large inputs and the merging of their chunk scans.

mod checker;
mod model;
mod parallel;

pub use checker::scan_sequential;
pub(crate) use checker::MAX_FINDINGS;
pub use model::{
    Finding, Group, Interchange, Scan, Severity, Suppressed, TransactionKind, TransactionSet,
};
pub use parallel::scan_chunked;
pub(crate) use parallel::scan_parallel_chunks;

/// Inputs at least this large are scanned on several threads.
const PARALLEL_THRESHOLD: usize = 8 << 20;

/// Scans a whole input: envelope tree and findings. Never panics.
pub fn scan(input: &[u8]) -> Scan {
    let threads = rayon::current_num_threads();
    if input.len() >= PARALLEL_THRESHOLD && threads > 1 {
        if let Some(scan) = scan_parallel_chunks(input, threads * 4) {
            return scan;
        }
    }
    scan_sequential(input)
}
