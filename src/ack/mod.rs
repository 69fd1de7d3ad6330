//! Acknowledgment intake: TA1, 999 and 277CA files read into each claim's
//! story in the ledger.
//!
//! - A TA1 answers an interchange: matched by TA101 to the submission with
//!   that ISA13. Rejected (TA104 R): every claim of the file is rejected.
//! - A 999 answers a transaction set (AK2/IK5) or a whole group (AK9 when
//!   it names no set): matched by AK102 (GS06) and AK202 (ST02) to a
//!   submission's set. IK5 A and E accept the set's claims, M/R/W/X reject
//!   them. Each IK3 error goes to the claim whose segment it points at (its
//!   position within the set, recorded by `build` for every claim sent; see
//!   [`ledger::Span`](crate::ledger::Span)); an error in a subscriber's or
//!   billing provider's segments goes to every claim under it, and one in
//!   the set's header to none.
//! - A 277CA answers claims: 2200D TRN02 is our claim id; the payer is the
//!   2100A id when the config knows it (`id` or `aliases`), else the claim
//!   must have been sent to one payer only. STC categories A1/A2/A5 accept
//!   the claim, A3/A4/A6/A7/A8 reject it; status and entity codes, REF*1K
//!   and REF*D9 are kept. The submission is the one whose BHT03 the 2200B
//!   TRN02 names, else the claim's current one. A 2200B status rejecting
//!   the whole batch rejects every claim of the set its TRN02 names.
//!
//! - A 277 claim status answer (005010X212: GS08/ST03 tell it from a 277CA)
//!   answers a 276 inquiry: matched by its trace, else by REF*EJ; its STC
//!   category goes into the claim's history (see `x212`).
//!
//! Every acknowledgment is recorded once (by content); one that matches
//! nothing is reported with its position, never dropped. [`run`] reads,
//! matches, records and writes `acks.csv`; it prints nothing.
//!
//! By role: `model` (what an acknowledgment says), `read` (the X12
//! readers), `matching` (to submissions and claims), `report` (the report
//! and `acks.csv`), `run` (the job).

mod matching;
mod model;
mod read;
mod report;
mod run;
mod x212;

pub use model::{
    Ack, BatchAck277, Body, ClaimAck277, Envelope, Outcome, SegmentError, SetAck, StatusCode, Ta1,
};
pub use read::read;
pub use report::{AckRow, Counts, LedgerSummary, Report};
pub use run::{run, Error, Options};
pub use x212::status_of_category;

/// Finding rule: an acknowledgment that matches nothing in the ledger.
pub const UNMATCHED: &str = "ACK-UNMATCHED";
/// Finding rule: an acknowledgment in a transaction set with no SE.
pub const TRUNCATED: &str = "ACK-TRUNCATED";
/// Finding rule: a file with no TA1, 999 or 277CA in it.
pub const NOT_ACK: &str = "ACK-NONE";
