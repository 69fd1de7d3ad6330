//! claimflow: the claims side of a medical practice's revenue cycle.
//!
//! Encounter exports in, scrubbed X12 5010 837P claim files out; 835
//! remittances in, reconciliation reports out. The layers, from the bottom:
//!
//! - [`x12`]: tokenizer, envelopes and writer for any X12 interchange. Knows
//!   nothing of healthcare.
//! - the domain and transaction modules built on it (see the README).
//!
//! ```
//! use claimflow::x12;
//! let input = b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20230101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20230101*1200*CH~SE*3*0001~GE*1*1~IEA*1*000000001~";
//! let scan = x12::scan(input);
//! assert!(scan.is_valid());
//! assert_eq!(scan.sets().count(), 1);
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod atomic;
pub mod build;
pub mod claim;
pub mod clock;
pub mod codeset;
pub mod config;
pub mod edi835;
pub mod edi837;
pub mod encounter;
pub mod finding;
pub mod input;
pub mod ledger;
pub mod numtext;
pub mod progress;
pub mod reconcile;
pub mod scrub;
pub mod validate;
pub mod values;
pub mod x12;

/// Short text read from X12 files (ids, codes, qualifiers): values of up to
/// 24 bytes, nearly all of them, are stored inline without a heap
/// allocation, which matters when a run reads a million claim payments.
pub type Text = compact_str::CompactString;
