//! Fuzz target (differential): the parallel envelope scan, split into many
//! small chunks, must give exactly the sequential scan's result.
#![no_main]

use claimflow::x12;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // The first byte chooses the number of chunks; the rest is the input.
    let chunks = 1 + (data[0] as usize % 16);
    let input = &data[1..];
    let seq = x12::scan_sequential(input);
    let par = x12::scan_chunked(input, chunks);
    assert_eq!(seq.findings, par.findings);
    assert_eq!(seq.segments, par.segments);
    let sets = |s: &x12::Scan| -> Vec<(std::ops::Range<usize>, u32, String)> {
        s.sets().map(|(_, _, t)| (t.bytes.clone(), t.segment_count, t.control.clone())).collect()
    };
    assert_eq!(sets(&seq), sets(&par));
});
