//! Fuzz target: the 835 reader, balancing, the lean 837 reader and
//! reconciliation on arbitrary bytes. The claims an input carries (when it
//! is an 837, or a file with both) are the sent claims its remittances (when
//! it holds 835 sets) are matched to; the report rows are formatted too. Any
//! panic, hang or out-of-memory is a bug.
#![no_main]

use claimflow::reconcile::{self, report, ClaimIndex, SentClaim};
use claimflow::{edi835, edi837};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let remits = edi835::read_file(data);
    let sent: Vec<SentClaim> =
        edi837::read_summaries(data).claims.into_iter().map(SentClaim::from).collect();
    let index = ClaimIndex::new(&sent);
    let mut payers = reconcile::PayerNames::new();
    for c in &sent {
        payers.add(&c.payer_id, ["ALIAS"]);
    }
    let mut book = reconcile::Book::new(sent.len());
    for rem in &remits.remittances {
        std::hint::black_box(edi835::balance(rem));
        let _ = (rem.payer_id(), rem.paid_total(), rem.plb_total());
        let payer = payers.paying_payer(rem);
        let mut results = reconcile::reconcile_remittance(&index, 0, rem, payer.as_deref(), &["45".to_string()], true);
        for r in &results {
            assert!(r.lines.len() == rem.claims.iter().find(|c| c.pos == r.pos).map_or(0, |c| c.lines.len()));
        }
        std::hint::black_box(book.account(&sent, &mut results, true));
        report::format_rows(&results, &claimflow::codeset::ReasonTexts::default()).expect("formatting rows in memory cannot fail");
        for mut row in report::plb_rows(0, rem, &rem.payer_id()) {
            row.sent = book.tie(&index, &results, payer.as_deref(), &row.reference);
            std::hint::black_box(row);
        }
    }
    for (i, c) in sent.iter().enumerate() {
        std::hint::black_box(book.unanswered(i, c));
    }
});
