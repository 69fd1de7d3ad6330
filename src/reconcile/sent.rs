//! Claims as sent: the side of reconciliation that remittances are matched to.
//!
//! A [`SentClaim`] holds only what matching and reporting need (ids, payer,
//! charges, service lines). It is built from the lean reading of a sent 837
//! file ([`edi837::read_summaries`](crate::edi837::read_summaries)), for
//! `--claims FILE.837` and for the lines of the ledger's claims. This module
//! reads no X12 itself.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

use crate::edi837::ClaimSummary;
use crate::Text;

/// One service line as sent.
pub use crate::edi837::LineSummary as SentLine;

/// One claim as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SentClaim {
    /// CLM01 as sent.
    pub claim_id: Text,
    /// 2010BB payer id.
    pub payer_id: Text,
    /// The payer's claim control number, when known (from an earlier
    /// remittance in the ledger, or REF*F8 on a replacement claim).
    pub payer_claim_id: Option<Text>,
    /// CLM02 total charge.
    #[serde(serialize_with = "crate::numtext::json::money")]
    pub charge: Decimal,
    /// When the claim was sent (for the age of outstanding claims).
    pub sent_on: Option<NaiveDate>,
    /// Service lines in order.
    pub lines: Vec<SentLine>,
}

impl From<ClaimSummary> for SentClaim {
    /// A claim read from a sent 837: REF*F8 (on a replacement) is the
    /// payer's claim number; when it was sent is not in the file.
    fn from(c: ClaimSummary) -> SentClaim {
        SentClaim {
            claim_id: c.claim_id,
            payer_id: c.payer_id,
            payer_claim_id: c.original_ref,
            charge: c.charge,
            sent_on: None,
            lines: c.lines,
        }
    }
}
