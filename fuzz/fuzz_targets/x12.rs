//! Fuzz target: the tokenizer, the envelope checker and whole-file
//! validation on arbitrary bytes. Any panic (or hang, or out-of-memory) is
//! a bug: every input must give typed results.
#![no_main]

use claimflow::x12::{self, Segments};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Tokenizer, with every accessor on every segment read.
    let mut count = 0u32;
    for item in Segments::new(data) {
        match item {
            Ok(seg) => {
                count += 1;
                assert_eq!(seg.pos.segment, count, "ordinals count up by one");
                assert!(seg.pos.byte as usize + seg.len as usize <= data.len());
                let _ = seg.id_str();
                for el in seg.elements() {
                    for rep in el.repetitions() {
                        for c in rep.components() {
                            std::hint::black_box(c);
                        }
                    }
                }
                let n = seg.element_count();
                let _ = seg.element(n + 1);
                let _ = seg.component_str(1, 2);
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
    // Envelope checker, and re-reading every set from its byte range.
    let scan = x12::scan_sequential(data);
    for (_, _, set) in scan.sets() {
        assert!(set.bytes.start <= set.bytes.end && set.bytes.end <= data.len());
        for seg in set.segments(data).flatten() {
            std::hint::black_box(seg.id);
        }
    }
    // Whole-file validation (envelopes + per-set checks), as the CLI runs it.
    let report = claimflow::validate::validate_file("fuzz", data);
    let errors = report.findings.iter().any(|f| f.severity == x12::Severity::Error);
    assert_eq!(report.valid, !errors && report.findings_suppressed == 0);
});
