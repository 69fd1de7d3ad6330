//! The 837P professional claim (ASC X12 005010X222A1): writing claims out and
//! reading them back.
//!
//! - [`write()`] turns checked [`Claim`](crate::claim::Claim)s and the
//!   [`Config`](crate::config::Config) into one interchange: ISA/GS, one ST/SE
//!   per `max_claims_per_transaction` claims, hierarchical levels grouping
//!   claims under their billing provider (2000A), subscriber (2000B) and,
//!   when the patient is not the subscriber, patient (2000C). One function per
//!   loop (`loop_1000a`, `loop_2010aa`, ... `loop_2410`). Output is a pure
//!   function of its inputs (claims, config, control numbers and clock).
//! - [`read()`] / [`read_claims`] turn any 837P back into claims, tolerant of
//!   real-world files (unknown segments and loops are skipped).
//!
//! - [`read_summaries`] reads only what reconciliation matches on (claim and
//!   line ids, payer, charges, dates), fast enough for a million claims.
//!
//! - [`claim_spans`] says where each claim sits in its transaction set
//!   (segment positions as a 999 counts them), for `build` to record.
//!
//! - `check_set` makes the claim-level checks of `claimflow validate` on any
//!   837 (CLM02 = line sum, diagnosis pointers, NPI check digits), and
//!   `check_cob` the COB balancing of 837Ps that carry 2320/2430 loops.
//!
//! This module does not check business rules (that is `scrub`, which runs
//! before the writer) and does not allocate control numbers (that is
//! `ledger`). The writer refuses, as a last guard, any value that contains a
//! delimiter (`x12::WriteError::Delimiter`).

mod check;
pub(crate) mod cob;
mod cob_check;
mod read;
mod read_cob;
mod span;
mod summary;
mod write;

#[cfg(test)]
pub(crate) mod tests;

pub(crate) use check::{check_set, SetCheck};
pub(crate) use cob_check::check_cob;
pub use read::{read, read_claims, read_each, read_set_each, Error, Read837, READ_SKIPPED};
pub use span::{claim_spans, ClaimSpan};
pub use summary::{
    read_summaries, read_summaries_as, read_summaries_by_set, read_summaries_released,
    ClaimSummary, LineSummary, Modifiers, Summaries,
};
pub(crate) use write::begin_envelope;
pub use write::{standalone_set, write, Envelope, SetSummary, SetWriter, SetWritten, Written};
