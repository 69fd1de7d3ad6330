//! The eligibility and claim status transactions: 270 inquiries written and
//! 271 answers read (005010X279A1), 276 inquiries written and 277 answers read
//! (005010X212).
//!
//! Writers take plain inquiry data and write it to the guide through the
//! crate's envelope writer; readers take a set's HL levels as the guide
//! schema places them (`loops`: each segment with its guide loop) and
//! return plain answers with the position of the segment each came from,
//! and findings for values that do not parse (segment and element named;
//! the rest of the file is read). Nothing here touches the ledger or the
//! config beyond the interchange settings, and readers keep no patient
//! names or birth dates.

mod common;
mod loops;
mod read271;
mod read277;
mod read27x_inquiry;
mod write270;
mod write276;

pub use loops::{levels, Level};
pub use read271::{read_271, Answer271, Benefit, CoverageLevel, Read271};
pub use read277::{is_x212, read_277, ClaimStatus277, Read277, Stc};
pub use read27x_inquiry::{read_270, read_276, ReadInquiries};
pub use write270::{write_270, Inquiry270, Name, Written270, GUIDE_270};
pub use write276::{write_276, Inquiry276, GUIDE_276};
