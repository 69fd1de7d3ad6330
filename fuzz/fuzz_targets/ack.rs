//! Fuzz target: the acknowledgment readers (TA1, 999, 277CA) and the claim
//! spans of an 837 on arbitrary bytes. Any panic, hang or out-of-memory is
//! a bug.
#![no_main]

use claimflow::{ack, edi837};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (acks, _scan) = ack::read(data);
    for a in &acks {
        std::hint::black_box((a.kind(), &a.fingerprint));
        match &a.body {
            ack::Body::Set(s) => {
                for e in &s.errors {
                    std::hint::black_box(e.describe());
                }
            }
            ack::Body::Claim(c) => {
                std::hint::black_box((c.outcome(), c.codes()));
            }
            ack::Body::Batch(b) => {
                std::hint::black_box(b.codes());
            }
            ack::Body::Ta1(_) => {}
        }
    }
    for s in edi837::claim_spans(data) {
        assert!(s.first <= s.last, "a claim ends before it starts");
    }
});
