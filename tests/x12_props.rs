//! Property tests (proptest) of the X12 core through the public library API:
//! no input makes the tokenizer, the envelope checker or `validate_file`
//! panic; the parallel (chunked) scan equals the sequential one; and the
//! writer round-trips: parse(write(x)) = x for random delimiters and data.

use proptest::prelude::*;

use claimflow::validate::validate_file;
use claimflow::x12::{
    self, Delimiters, GroupHeader, InterchangeHeader, Scan, SegmentWriter, Segments, Severity,
};

/// Reads everything the library offers on `input` and checks the invariants
/// that hold for any input: typed results, positions inside the input,
/// ordinals counting up, sets inside their byte ranges, chunked = sequential.
fn exercise(input: &[u8]) {
    let mut ordinal = 0u32;
    for item in Segments::new(input) {
        match item {
            Ok(seg) => {
                ordinal += 1;
                assert_eq!(seg.pos.segment, ordinal);
                assert!(seg.pos.byte as usize + seg.len as usize <= input.len());
                for el in seg.elements() {
                    for rep in el.repetitions() {
                        let _ = rep.components().count();
                    }
                }
                let _ = seg.element(seg.element_count() + 3);
            }
            Err(e) => {
                assert!(e.pos.byte as usize <= input.len());
                assert!(!e.to_string().is_empty());
            }
        }
    }
    let seq = x12::scan_sequential(input);
    for (_, _, set) in seq.sets() {
        assert!(set.bytes.start <= set.bytes.end && set.bytes.end <= input.len());
        let read = set.segments(input).filter(Result::is_ok).count();
        assert_eq!(read, set.segment_count as usize, "{set:?}");
    }
    for chunks in [2, 3, 7] {
        same_scan(&seq, &x12::scan_chunked(input, chunks));
    }
    for (_, _, set) in seq.sets() {
        assert_eq!(hl_codes(&x12::check_hierarchy(input, set)), reference_hl(input, set));
    }
    let report = validate_file("prop", input);
    let errors = report.findings.iter().any(|f| f.severity == Severity::Error);
    assert_eq!(report.valid, !errors && report.findings_suppressed == 0);
    if input.is_empty() {
        assert!(!report.valid);
    }
}

fn hl_codes(findings: &[x12::Finding]) -> Vec<(u64, u32, &'static str)> {
    findings
        .iter()
        .map(|f| (f.pos.unwrap_or_default().byte, f.pos.unwrap_or_default().segment, f.rule))
        .collect()
}

/// The HL rules applied to every HL segment the tokenizer reads: the fast
/// check (a substring search, no tokenizing) must find exactly these.
fn reference_hl(input: &[u8], set: &x12::TransactionSet) -> Vec<(u64, u32, &'static str)> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut last = 0u64;
    for seg in set.segments(input).flatten().filter(|s| s.is("HL")) {
        let id = seg.str(1).trim().to_string();
        let n = id.parse::<u64>().ok();
        match id.parse::<u64>() {
            Ok(n) if n == last + 1 => {
                seen.insert(n);
                last = n;
            }
            parsed => {
                out.push((seg.pos.byte, seg.pos.segment, "X12-HL01"));
                if let Ok(n) = parsed {
                    seen.insert(n);
                    last = n;
                }
            }
        }
        let parent = seg.str(2).trim().to_string();
        if !parent.is_empty()
            && !parent.parse::<u64>().is_ok_and(|p| seen.contains(&p) && Some(p) != n)
        {
            out.push((seg.pos.byte, seg.pos.segment, "X12-HL02"));
        }
    }
    out
}

fn same_scan(a: &Scan, b: &Scan) {
    assert_eq!(a.findings, b.findings);
    assert_eq!(a.segments, b.segments);
    let sets = |s: &Scan| -> Vec<(std::ops::Range<usize>, u32, String, String)> {
        s.sets()
            .map(|(_, g, t)| {
                (t.bytes.clone(), t.segment_count, t.control.clone(), g.control.clone())
            })
            .collect()
    };
    assert_eq!(sets(a), sets(b));
}

/// A valid interchange built with the writer: `sets` sets of `lines` HL/CLM groups.
fn valid_file(delims: Delimiters, newline: bool, sets: usize, lines: usize) -> Vec<u8> {
    let mut w = SegmentWriter::new(Vec::new(), delims, newline);
    w.begin_interchange(&interchange_header()).unwrap();
    w.begin_group(&group_header()).unwrap();
    for s in 0..sets {
        w.begin_set("837", &format!("{:04}", s + 1), "005010X222A1").unwrap();
        w.segment("BHT", &["0019", "00", "REF1", "20230101", "1200", "CH"]).unwrap();
        w.segment("HL", &["1", "", "20", "1"]).unwrap();
        for l in 0..lines {
            let id = (l + 2).to_string();
            w.segment("HL", &[&id, "1", "22", "0"]).unwrap();
            w.begin("CLM").element(&format!("C{l}")).unwrap().element("100").unwrap();
            w.composite(&["11", "B", "1"]).unwrap();
            w.end().unwrap();
        }
        w.end_set().unwrap();
    }
    w.end_group().unwrap();
    w.end_interchange().unwrap();
    w.into_inner().unwrap()
}

fn interchange_header() -> InterchangeHeader<'static> {
    InterchangeHeader {
        sender_qualifier: "ZZ",
        sender_id: "SUBMITTER",
        receiver_qualifier: "ZZ",
        receiver_id: "RECEIVER",
        date: "230101",
        time: "1200",
        version: "00501",
        control: 1,
        ack_requested: false,
        usage: 'T',
    }
}

fn group_header() -> GroupHeader<'static> {
    GroupHeader {
        functional_id: "HC",
        sender: "S",
        receiver: "R",
        date: "20230101",
        time: "1200",
        control: 1,
        version: "005010X222A1",
    }
}

/// Punctuation usable as a delimiter.
const POOL: &[u8] = b"!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/// Four distinct non-alphanumeric delimiters; sometimes no repetition
/// separator, sometimes a newline as the segment terminator.
fn delimiters() -> impl Strategy<Value = Delimiters> {
    (prop::sample::subsequence(POOL.to_vec(), 4).prop_shuffle(), any::<bool>(), 0u8..4).prop_map(
        |(d, rep, term)| Delimiters {
            element: d[0],
            component: d[1],
            repetition: if rep { Some(d[2]) } else { None },
            segment: if term == 0 { b'\n' } else { d[3] },
        },
    )
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 0u8..8).prop_map(|(i, b)| Mutation::Flip(i, b)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), prop::collection::vec(any::<u8>(), 1..8))
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (
            any::<usize>(),
            prop::sample::select(vec![
                b"~".to_vec(),
                b"*".to_vec(),
                b"ISA".to_vec(),
                b"SE*".to_vec(),
                b"\r\n".to_vec(),
                b"GS*HC*".to_vec(),
            ])
        )
            .prop_map(|(i, v)| Mutation::Insert(i, v)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(input: &mut Vec<u8>, m: &Mutation) {
    let len = input.len();
    if len == 0 {
        return;
    }
    match m {
        Mutation::Flip(i, bit) => input[i % len] ^= 1 << bit,
        Mutation::Truncate(i) => input.truncate(i % len),
        Mutation::Insert(i, v) => {
            let at = i % (len + 1);
            input.splice(at..at, v.iter().copied());
        }
        Mutation::Delete(i, n) => {
            let at = i % len;
            input.drain(at..(at + n).min(len));
        }
        Mutation::Duplicate(i, n) => {
            let at = i % len;
            let part = input[at..(at + n).min(len)].to_vec();
            input.splice(at..at, part);
        }
    }
}

/// The model of one segment for the round trip: id and elements, each a
/// list of components (trailing empty components and elements trimmed,
/// as the writer does).
type SegModel = (String, Vec<Vec<String>>);

fn normalize(mut elements: Vec<Vec<String>>) -> Vec<Vec<String>> {
    for e in elements.iter_mut() {
        while e.last().is_some_and(|c| c.is_empty()) {
            e.pop();
        }
    }
    while elements.last().is_some_and(|e| e.is_empty()) {
        elements.pop();
    }
    elements
}

fn segment_id() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9]{1,2}".prop_filter("not an envelope id", |id| {
        !matches!(id.as_str(), "ISA" | "IEA" | "GS" | "GE" | "ST" | "SE")
    })
}

fn segments() -> impl Strategy<Value = Vec<(String, Vec<Vec<Vec<u8>>>)>> {
    let value = prop::collection::vec(0x20u8..0x7f, 0..6);
    let element = prop::collection::vec(value, 0..4);
    prop::collection::vec((segment_id(), prop::collection::vec(element, 0..6)), 1..12)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

proptest! {
    // 256 cases per property; PROPTEST_CASES=N runs more.
    #![proptest_config(ProptestConfig { cases: cases(), .. ProptestConfig::default() })]

    /// Arbitrary bytes: never a panic, always typed results.
    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&input);
    }

    /// Arbitrary bytes after a valid ISA (so the tokenizer gets past the
    /// header and into segment reading with real delimiters).
    #[test]
    fn arbitrary_bytes_after_isa_never_panic(
        d in delimiters(),
        tail in prop::collection::vec(any::<u8>(), 0..2048),
    ) {
        let mut input = valid_file(d, false, 1, 0);
        input.truncate(106);
        input.extend_from_slice(&tail);
        exercise(&input);
    }

    /// Byte flips, truncations, insertions, deletions and duplications of
    /// valid files: never a panic; chunked scan = sequential scan.
    #[test]
    fn mutated_valid_files_never_panic(
        d in delimiters(),
        newline in any::<bool>(),
        sets in 1usize..4,
        lines in 0usize..4,
        mutations in prop::collection::vec(mutation(), 1..6),
    ) {
        let mut input = valid_file(d, newline, sets, lines);
        exercise(&input);
        prop_assert!(x12::scan(&input).is_valid(), "{:?}", x12::scan(&input).findings);
        for m in &mutations {
            apply(&mut input, m);
        }
        exercise(&input);
    }

    /// parse(write(x)) = x: random delimiters, random segments, elements and
    /// composites without delimiter bytes; the envelope the writer builds
    /// passes every check.
    #[test]
    fn writer_round_trip(
        d in delimiters(),
        newline in any::<bool>(),
        segs in segments(),
    ) {
        let keep = |v: &Vec<u8>| -> String {
            String::from_utf8(v.iter().copied().filter(|b| !d.is_delimiter(*b)).collect()).unwrap()
        };
        let model: Vec<SegModel> = segs
            .iter()
            .map(|(id, els)| {
                (id.clone(), normalize(els.iter().map(|e| e.iter().map(keep).collect()).collect()))
            })
            .collect();
        let mut w = SegmentWriter::new(Vec::new(), d, newline);
        w.begin_interchange(&interchange_header()).unwrap();
        w.begin_group(&group_header()).unwrap();
        w.begin_set("837", "0001", "005010X222A1").unwrap();
        for (id, els) in &model {
            w.begin(id);
            for e in els {
                let parts: Vec<&str> = e.iter().map(String::as_str).collect();
                w.composite(&parts).unwrap();
            }
            w.end().unwrap();
        }
        let se01 = w.end_set().unwrap();
        w.end_group().unwrap();
        w.end_interchange().unwrap();
        let out = w.into_inner().unwrap();

        prop_assert_eq!(se01 as usize, model.len() + 2);
        let scan = x12::scan(&out);
        prop_assert!(scan.findings.is_empty(), "{:?}", scan.findings);
        prop_assert_eq!(scan.interchanges[0].delimiters, d);
        let (_, _, set) = scan.sets().next().unwrap();
        let got: Vec<SegModel> = set
            .segments(&out)
            .map(|s| s.unwrap())
            .filter(|s| !s.is("ST") && !s.is("SE"))
            .map(|s| {
                let els = s
                    .elements()
                    .map(|e| e.components().map(|c| String::from_utf8(c.to_vec()).unwrap()).collect())
                    .collect();
                (s.id_str().to_string(), normalize(els))
            })
            .collect();
        prop_assert_eq!(got, model);
    }
}

/// Data holding a delimiter is refused (never written corrupted), whatever
/// the delimiters.
#[test]
fn writer_refuses_every_delimiter_in_data() {
    let d = Delimiters { element: b'|', component: b'>', repetition: Some(b'!'), segment: b'\n' };
    for bad in ["a|b", "a>b", "a!b", "a\nb"] {
        let mut w = SegmentWriter::new(Vec::new(), d, false);
        assert!(w.begin("NM1").element(bad).is_err(), "{bad:?} accepted");
    }
}
