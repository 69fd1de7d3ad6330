//! Table tests for the tokenizer and envelope checks.

use super::*;

const ISA: &str = "ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~";

fn file(body: &str) -> String {
    format!("{ISA}GS*HC*S*R*20230101*1200*1*X*005010X222A1~{body}GE*1*1~IEA*1*000000001~")
}

fn set(segs: &[&str]) -> String {
    let n = segs.len() + 2;
    format!(
        "ST*837*0001*005010X222A1~{}SE*{n}*0001~",
        segs.iter().map(|s| format!("{s}~")).collect::<String>()
    )
}

fn codes(input: &str) -> Vec<&'static str> {
    scan(input.as_bytes()).findings.iter().map(|f| f.rule).collect()
}

macro_rules! lexes_to {
    ($name:ident, $input:expr, [$(($id:expr, [$($el:expr),*])),* $(,)?]) => {
        #[test]
        fn $name() {
            let input: &[u8] = $input;
            let got: Vec<(String, Vec<String>)> = Segments::new(input)
                .filter_map(Result::ok)
                .filter(|s| !s.is("ISA"))
                .map(|s| (s.id_str().to_string(), s.elements().map(|e| e.as_str().into_owned()).collect()))
                .collect();
            let want: Vec<(String, Vec<String>)> = vec![$(($id.to_string(), vec![$($el.to_string()),*])),*];
            assert_eq!(got, want);
        }
    };
}

lexes_to!(trailing_empty_element,
    b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~NM1*85*2**~",
    [("NM1", ["85", "2", "", ""])]);
lexes_to!(crlf_after_terminators,
    b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~\r\nGS*HC~\r\n  ST*837~\r\n",
    [("GS", ["HC"]), ("ST", ["837"])]);
lexes_to!(newline_terminator_with_cr,
    b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:\nGS*HC\r\nSE*1\n",
    [("GS", ["HC"]), ("SE", ["1"])]);
lexes_to!(segment_without_elements,
    b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~LE~",
    [("LE", [])]);

#[test]
fn splits_components_and_repetitions() {
    let input = format!("{ISA}HI*ABK:E119^ABF:I10~");
    let seg = Segments::new(input.as_bytes()).nth(1).unwrap().unwrap();
    let reps = seg.element(1).repetitions();
    assert_eq!(reps.len(), 2);
    assert_eq!(reps[1].component(2), b"I10");
    assert_eq!(seg.element(9).raw, b"");
}

#[test]
fn valid_file_has_no_findings() {
    let f = file(&set(&["BHT*0019*00*1*20230101*1200*CH"]));
    let s = scan(f.as_bytes());
    assert!(s.findings.is_empty(), "{:?}", s.findings);
    let (_, g, st) = s.sets().next().unwrap();
    assert_eq!(g.version, "005010X222A1");
    assert_eq!(st.kind, TransactionKind::Claim837P);
    assert_eq!(st.segment_count, 3);
}

#[test]
fn se_count_off_by_one() {
    let f = file("ST*837*0001~BHT*0019~SE*4*0001~");
    assert_eq!(codes(&f), vec!["X12-SE01"]);
}

#[test]
fn mismatched_control_numbers() {
    let f = format!("{ISA}GS*HC*S*R*20230101*1200*7*X*005010X222A1~ST*837*0001~SE*2*0002~GE*1*8~IEA*1*000000002~");
    assert_eq!(codes(&f), vec!["X12-SE02", "X12-GE02", "X12-IEA02"]);
}

#[test]
fn missing_trailers() {
    let f = format!("{ISA}GS*HC*S*R*20230101*1200*7*X*005010X222A1~ST*837*0001~BHT*1~");
    assert_eq!(codes(&f), vec!["X12-SE-MISSING", "X12-GE-MISSING", "X12-IEA-MISSING"]);
}

#[test]
fn nested_gs() {
    let f = format!(
        "{ISA}GS*HC*S*R*20230101*1200*1*X*V~GS*HC*S*R*20230101*1200*2*X*V~GE*0*2~IEA*2*000000001~"
    );
    assert_eq!(codes(&f), vec!["X12-GE-MISSING"]);
}

#[test]
fn two_interchanges_back_to_back() {
    let one = file(&set(&["BHT*1"]));
    let two = one.replace("000000001", "000000002");
    let s = scan(format!("{one}\n{two}").as_bytes());
    assert!(s.findings.is_empty(), "{:?}", s.findings);
    assert_eq!(s.interchanges.len(), 2);
    assert_eq!(s.sets().nth(1).unwrap().2.pos.segment, 10);
}

#[test]
fn duplicate_interchange_control() {
    let one = file(&set(&["BHT*1"]));
    assert_eq!(codes(&format!("{one}{one}")), vec!["X12-DUPLICATE-CONTROL"]);
}

#[test]
fn garbage_after_iea() {
    let f = format!("{}\u{0}\u{1}\u{2}binary", file(&set(&["BHT*1"])));
    let c = codes(&f);
    assert_eq!(c, vec!["X12-READ"], "{c:?}");
}

#[test]
fn empty_input() {
    assert_eq!(codes(""), vec!["X12-EMPTY"]);
}

#[test]
fn not_x12() {
    assert_eq!(codes("%PDF-1.7\n%binary"), vec!["X12-NOT-X12"]);
    assert_eq!(codes("claim_id,billing_npi\nA1,1234567893\n"), vec!["X12-NOT-X12"]);
}

#[test]
fn short_isa() {
    assert_eq!(codes(&ISA[..50]), vec!["X12-ISA"]);
}

#[test]
fn colliding_delimiters() {
    let bad = ISA.replace("*T*:~", "*T***~");
    let c = codes(&format!("{bad}GS*HC~"));
    assert_eq!(c[0], "X12-ISA", "{c:?}");
}

#[test]
fn truncated_file() {
    let f = file(&set(&["BHT*1"]));
    // Cut inside the IEA: the IEA is read to the end with a warning, and
    // its control number no longer matches.
    let cut = &f[..f.len() - 10];
    let c = codes(cut);
    assert_eq!(c, vec!["X12-IEA02", "X12-UNTERMINATED"], "{c:?}");
    // Cut inside the set: every open envelope is reported.
    let cut = &f[..f.find("BHT*1").unwrap() + 3];
    let c = codes(cut);
    assert_eq!(
        c,
        vec!["X12-UNTERMINATED", "X12-SE-MISSING", "X12-GE-MISSING", "X12-IEA-MISSING"],
        "{c:?}"
    );
}

#[test]
fn last_segment_without_terminator_is_read_with_a_warning() {
    let f = file(&set(&["BHT*1"]));
    let s = scan(f.trim_end_matches('~').as_bytes());
    assert!(s.is_valid(), "{:?}", s.findings);
    assert_eq!(s.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), vec!["X12-UNTERMINATED"]);
    assert_eq!(s.interchanges[0].end.map(|p| p.segment), Some(s.segments));
    // A newline-terminated file without a final newline (CRLF line ends).
    let nl = f.replace(":~", ":\n").replace('~', "\r\n");
    let nl = nl.trim_end();
    let s = scan(nl.as_bytes());
    assert!(s.is_valid(), "{:?}", s.findings);
    let last = Segments::new(nl.as_bytes()).filter_map(Result::ok).last().unwrap();
    assert_eq!(last.str(2), "000000001");
}

#[test]
fn repetition_equal_to_component_is_a_warning() {
    let f = file(&set(&["BHT*1"])).replace("*^*00501*", "*:*00501*");
    let s = scan(f.as_bytes());
    assert!(s.is_valid(), "{:?}", s.findings);
    assert_eq!(s.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), vec!["X12-DELIMITERS"]);
    assert_eq!(s.findings[0].severity, Severity::Warning);
    assert_eq!(s.interchanges[0].delimiters.repetition, None);
}

#[test]
fn unpadded_isa_is_reported_but_read() {
    let f = file(&set(&["BHT*1"])).replace("SUBMITTER      ", "SUBMITTER");
    let s = scan(f.as_bytes());
    assert_eq!(s.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), vec!["X12-ISA-LENGTH"]);
    assert_eq!(s.sets().count(), 1);
}

#[test]
fn preamble_is_skipped_with_warning() {
    let f = format!("Some prose first.\r\n\r\n{}", file(&set(&["BHT*1"])));
    let s = scan(f.as_bytes());
    assert_eq!(s.findings.len(), 1);
    assert_eq!(s.findings[0].severity, Severity::Warning);
    assert!(s.is_valid());
}

#[test]
fn bare_st_is_read_without_envelope() {
    let s = scan(b"ST*835*1234~BPR*I*1*C~SE*3*1234~");
    assert_eq!(s.findings.iter().map(|f| f.rule).collect::<Vec<_>>(), vec!["X12-NO-ENVELOPE"]);
    assert_eq!(s.sets().next().unwrap().2.kind, TransactionKind::Remittance835);
}

#[test]
fn hl_parent_must_exist() {
    let f = file(&set(&["HL*1**20*1", "HL*2*1*22*0", "HL*4*3*22*0"]));
    let s = scan(f.as_bytes());
    let (_, _, st) = s.sets().next().unwrap();
    let hl: Vec<_> = check_hierarchy(f.as_bytes(), st).iter().map(|f| f.rule).collect();
    assert_eq!(hl, vec!["X12-HL01", "X12-HL02"]);
}

#[test]
fn parallel_scan_equals_sequential() {
    let mut big = String::new();
    for k in 1..=3000u32 {
        let one = file(&set(&["BHT*1", "NM1*85*2*X", "HL*1**20*1"]))
            .replace("000000001", &format!("{k:09}"));
        big.push_str(&one);
        big.push('\n');
    }
    big.push_str("SE*1*0001~"); // an orphan at the end
    let seq = scan_sequential(big.as_bytes());
    let par = envelope_parallel_for_tests(big.as_bytes());
    assert_eq!(format!("{:?}", seq.findings), format!("{:?}", par.findings));
    assert_eq!(seq.segments, par.segments);
    assert_eq!(seq.sets().count(), par.sets().count());
    let a: Vec<_> = seq.sets().map(|s| (s.2.bytes.clone(), s.2.pos)).collect();
    let b: Vec<_> = par.sets().map(|s| (s.2.bytes.clone(), s.2.pos)).collect();
    assert_eq!(a, b);
}

fn envelope_parallel_for_tests(input: &[u8]) -> Scan {
    envelope::scan_parallel_chunks(input, 7).expect("parallel scan applies")
}

#[test]
fn writer_round_trip() {
    let d = Delimiters { element: b'|', component: b'>', repetition: Some(b'!'), segment: b'\n' };
    let mut w = SegmentWriter::new(Vec::new(), d, false);
    w.begin_interchange(&InterchangeHeader {
        sender_qualifier: "ZZ",
        sender_id: "ME",
        receiver_qualifier: "ZZ",
        receiver_id: "YOU",
        date: "230101",
        time: "1200",
        version: "00501",
        control: 42,
        ack_requested: false,
        usage: 'T',
    })
    .unwrap();
    w.begin_group(&GroupHeader {
        functional_id: "HC",
        sender: "ME",
        receiver: "YOU",
        date: "20230101",
        time: "1200",
        control: 42,
        version: "005010X222A1",
    })
    .unwrap();
    w.begin_set("837", "0001", "005010X222A1").unwrap();
    w.segment("NM1", &["85", "2", "", ""]).unwrap();
    w.begin("SV1");
    w.composite(&["HC", "99213", "", ""]).unwrap();
    w.element("100").unwrap();
    w.end().unwrap();
    w.end_set().unwrap();
    w.end_group().unwrap();
    w.end_interchange().unwrap();
    let out = w.into_inner().unwrap();
    let s = scan(&out);
    assert!(s.findings.is_empty(), "{:?}\n{}", s.findings, String::from_utf8_lossy(&out));
    let segs: Vec<_> = Segments::new(&out).filter_map(Result::ok).collect();
    assert_eq!(segs[0].len, 106);
    assert_eq!(segs[3].element_count(), 2); // NM1 trailing empties trimmed
    assert_eq!(segs[4].element(1).component(2), b"99213");
}

#[test]
fn writer_joins_repeated_values_with_the_repetition_separator() {
    let mut w = SegmentWriter::new(Vec::new(), Delimiters::default(), false);
    w.begin("EQ");
    w.repeated(&["30", "", "98"]).unwrap();
    w.end().unwrap();
    w.begin("EQ");
    assert!(w.repeated(&["3^0"]).is_err());
    let no_rep = Delimiters { repetition: None, ..Delimiters::default() };
    let mut w2 = SegmentWriter::new(Vec::new(), no_rep, false);
    w2.begin("EQ");
    assert!(w2.repeated(&["30"]).is_err());
    assert_eq!(w.into_inner().unwrap(), b"EQ*30^98~");
}

#[test]
fn writer_refuses_delimiters_in_data() {
    let mut w = SegmentWriter::new(Vec::new(), Delimiters::default(), false);
    w.begin("NM1");
    assert!(matches!(w.element("A*B"), Err(WriteError::Delimiter { .. })));
    assert!(w.element("A:B").is_err());
    assert!(w.element("A^B").is_err());
    assert!(w.composite(&["A~"]).is_err());
}

lexes_to!(crlf_newline_terminator_segment_without_elements,
    b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:\r\nLX*1\r\nLE\r\nSE*1\r\n",
    [("LX", ["1"]), ("LE", []), ("SE", ["1"])]);

#[test]
fn id_then_cr_is_unreadable_unless_the_terminator_is_lf() {
    // With `~` as terminator, "BH\r\nT*..." is not a segment: one READ error.
    let f = file(&set(&["BH\r\nT*1"]));
    assert_eq!(codes(&f), vec!["X12-READ", "X12-SE01"]);
}
