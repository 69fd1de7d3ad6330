//! `claimflow validate` end to end.

use crate::util::{claimflow, fixture};

#[test]
fn valid_file_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args(["validate", &fixture("x12/good/minimal.835")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("835"), "{stdout}");
    assert!(stdout.contains(": valid"), "{stdout}");
}

#[test]
fn se_count_off_by_one_exits_1_with_position() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/bad/se_count_off_by_one.835");
    let out = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("{f}:segment 6 (byte ")), "{stdout}");
    assert!(stdout.contains("SE01 declares \"5\" segments but 4 were counted"), "{stdout}");
}

#[test]
fn unreadable_file_exits_2_but_others_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args(["validate", "no-such-file.835", &fixture("x12/good/minimal.835")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("minimal.835"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.835"));
}

/// Runs `claimflow validate` on one fixture; returns (exit code, stdout, path).
fn validate(rel: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture(rel);
    let out = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), f)
}

/// Asserts a finding line `FILE:segment N (byte B): MESSAGE... [CODE]`.
fn assert_finding(stdout: &str, file: &str, at: &str, message: &str, code: &str) {
    let found = stdout.lines().any(|l| {
        l.starts_with(&format!("{file}:{at}: "))
            && l.contains(message)
            && l.ends_with(&format!("[{code}]"))
    });
    assert!(found, "no line `{file}:{at}: ...{message}... [{code}]` in:\n{stdout}");
}

#[test]
fn good_fixtures_are_valid() {
    for rel in [
        "x12/good/minimal.835",
        "x12/good/minimal.837",
        "x12/good/crlf_terminators.837",
        "x12/good/two_interchanges_back_to_back.835",
    ] {
        let (code, stdout, _) = validate(rel);
        assert_eq!(code, Some(0), "{rel}: {stdout}");
        assert!(stdout.contains(": valid\n"), "{rel}: {stdout}");
    }
    let (_, stdout, _) = validate("x12/good/two_interchanges_back_to_back.835");
    assert!(stdout.contains("835 x2 (2 interchange(s), 2 group(s), 2 set(s), 36 segments): valid"));
    let (_, stdout, _) = validate("x12/good/minimal.837");
    assert!(stdout.contains(": 837P (1 interchange(s)"), "{stdout}");
}

#[test]
fn empty_file() {
    let (code, out, f) = validate("x12/bad/empty.x12");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 0 (byte 0)",
        "input holds no X12 data (empty file)",
        "X12-EMPTY",
    );
}

#[test]
fn truncated_file() {
    let (code, out, f) = validate("x12/bad/truncated_mid_set.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 12 (byte 401)",
        "the last segment (LX) has no segment terminator '~'",
        "X12-UNTERMINATED",
    );
    assert_finding(
        &out,
        &f,
        "segment 12 (byte 404)",
        "input ends inside a transaction set: SE is missing",
        "X12-SE-MISSING",
    );
    assert_finding(&out, &f, "segment 12 (byte 404)", "GE is missing", "X12-GE-MISSING");
    assert_finding(&out, &f, "segment 12 (byte 404)", "IEA is missing", "X12-IEA-MISSING");
}

#[test]
fn not_x12_pdf_and_a_csv() {
    let (code, out, f) = validate("x12/bad/not_x12.pdf");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 1 (byte 0)",
        "not an X12 interchange: no ISA segment found (input starts with \"%PDF-1.7\")",
        "X12-NOT-X12",
    );
    // A CSV is named as one, with the commands that read it: exit 2.
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/bad/not_x12.csv");
    let o = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        err.trim_end(),
        format!("claimflow: {f}: a CSV file, not X12 (an X12 file expected): `claimflow check` and `claimflow build` read encounter exports")
    );
}

#[test]
fn isa_shorter_than_106_bytes() {
    let (code, out, f) = validate("x12/bad/isa_short.x12");
    assert_eq!(code, Some(1));
    assert_finding(&out, &f, "segment 1 (byte 0)", "ISA segment is truncated: expected 16 elements and a segment terminator, found 10 element separators in 81 bytes", "X12-ISA");
    let (code, out, f) = validate("x12/bad/isa_fields_unpadded.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 1 (byte 0)",
        "ISA segment is 104 bytes, expected 106: ISA06 has 13 characters, expected 15",
        "X12-ISA-LENGTH",
    );
}

#[test]
fn colliding_delimiters() {
    let (code, out, f) = validate("x12/bad/delimiters_collide.x12");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 1 (byte 0)",
        "the component separator (ISA16) equals the element separator",
        "X12-ISA",
    );
}

#[test]
fn binary_garbage_after_iea() {
    let (code, out, f) = validate("x12/bad/garbage_after_iea.835");
    assert_eq!(code, Some(1));
    assert_finding(&out, &f, "segment 15 (byte 408)", "expected a segment id (2-3 letters or digits) followed by the element separator '*', found \"\\x00\\x01", "X12-READ");
    assert!(out.contains("skipped 512 bytes"), "{out}");
    // The interchange before the garbage was read whole.
    assert!(out.contains(": 835 (1 interchange(s), 1 group(s), 1 set(s), 14 segments)"), "{out}");
}

#[test]
fn mismatched_control_numbers() {
    let (code, out, f) = validate("x12/bad/control_numbers_mismatch.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 15 (byte 455)",
        "SE02 is \"0002\" but ST02 is \"0001\"",
        "X12-SE02",
    );
    assert_finding(
        &out,
        &f,
        "segment 16 (byte 467)",
        "GE02 is \"2\" but GS06 is \"1\"",
        "X12-GE02",
    );
    assert_finding(
        &out,
        &f,
        "segment 17 (byte 475)",
        "IEA02 is \"000000009\" but ISA13 is \"000000001\"",
        "X12-IEA02",
    );
}

#[test]
fn counts_off_by_one() {
    let (code, out, f) = validate("x12/bad/counts_off_by_one.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 15 (byte 455)",
        "SE01 declares \"14\" segments but 13 were counted",
        "X12-SE01",
    );
    assert_finding(
        &out,
        &f,
        "segment 16 (byte 467)",
        "GE01 declares \"2\" transaction sets but 1 were counted",
        "X12-GE01",
    );
    assert_finding(
        &out,
        &f,
        "segment 17 (byte 475)",
        "IEA01 declares \"2\" functional groups but 1 were counted",
        "X12-IEA01",
    );
}

#[test]
fn nested_and_missing_groups() {
    let (code, out, f) = validate("x12/bad/nested_gs.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 16 (byte 467)",
        "a new GS starts before the previous functional group was closed by GE",
        "X12-GE-MISSING",
    );
    let (code, out, f) = validate("x12/bad/missing_gs_ge.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 2 (byte 107)",
        "ST is outside any functional group (missing GS)",
        "X12-OUTSIDE",
    );
    assert_finding(
        &out,
        &f,
        "segment 15 (byte 402)",
        "IEA closes the interchange while a group or set is still open",
        "X12-GE-MISSING",
    );
}

#[test]
fn duplicate_control_numbers_and_outside_segments() {
    let (code, out, f) = validate("x12/bad/duplicate_control_numbers.835");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 13 (byte 383)",
        "ST02 control number 0001 is used by an earlier set in this group",
        "X12-DUPLICATE-CONTROL",
    );
    assert_finding(
        &out,
        &f,
        "segment 25 (byte 619)",
        "ISA13 control number 000000001 is used by an earlier interchange",
        "X12-DUPLICATE-CONTROL",
    );
    let (code, out, f) = validate("x12/bad/segments_outside_envelope.835");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 15 (byte 408)",
        "2 segment(s) starting with LX are outside any interchange",
        "X12-OUTSIDE",
    );
}

#[test]
fn hl_parent_and_bare_st() {
    let (code, out, f) = validate("x12/bad/hl_parent_missing.837");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 8 (byte 323)",
        "HL02 parent \"5\" does not name an earlier HL",
        "X12-HL02",
    );
    let (code, out, f) = validate("x12/bad/bare_st_no_envelope.835");
    assert_eq!(code, Some(1));
    assert_finding(
        &out,
        &f,
        "segment 1 (byte 0)",
        "no ISA/GS envelope: the input starts with a bare ST segment",
        "X12-NO-ENVELOPE",
    );
    assert!(out.contains(": 835 (1 interchange(s)"), "{out}");
}

#[test]
fn json_output_has_findings_with_positions() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/bad/counts_off_by_one.837");
    let good = fixture("x12/good/minimal.835");
    let out = claimflow(dir.path()).args(["validate", "--json", &f, &good]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let reports = v.as_array().unwrap();
    assert_eq!(reports.len(), 2);
    assert_eq!(reports[0]["file"], f.as_str());
    assert_eq!(reports[0]["valid"], false);
    assert_eq!(reports[0]["transactions"][0][0], "837P");
    let findings = reports[0]["findings"].as_array().unwrap();
    let first = findings.iter().find(|f| f["rule"] == "X12-SE01").unwrap();
    assert_eq!(first["snip"], 1);
    assert_eq!(first["severity"], "error");
    assert_eq!(first["segment_id"], "SE");
    assert_eq!(first["pos"]["segment"], 15);
    assert_eq!(first["pos"]["byte"], 455);
    assert_eq!(reports[1]["valid"], true);
    assert_eq!(reports[1]["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn many_files_keep_their_order_and_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<String> = ["x12/good/minimal.835", "x12/bad/empty.x12", "x12/good/minimal.837"]
        .iter()
        .map(|r| fixture(r))
        .collect();
    let out = claimflow(dir.path()).arg("validate").args(&files).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summaries: Vec<&str> = stdout.lines().filter(|l| l.contains(" interchange(s), ")).collect();
    assert_eq!(summaries.len(), 3, "{stdout}");
    for (line, f) in summaries.iter().zip(&files) {
        assert!(line.starts_with(&format!("{f}: ")), "{line}");
    }
    assert!(
        stdout.ends_with("3 file(s) checked: 2 valid, 1 with errors, 0 unreadable\n"),
        "{stdout}"
    );
}

#[test]
fn standard_input_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path())
        .args(["validate", "-"])
        .stdin(std::fs::File::open(fixture("x12/good/minimal.835")).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("-: 835 "));
    let out = claimflow(dir.path()).args(["validate", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(".: cannot read: is a directory"));
}

/// A single-line file larger than the parallel-scan threshold: read on every
/// core with the same result as a sequential scan, valid, no line breaks.
#[test]
fn large_single_line_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.x12");
    let bytes = single_line_file(24 << 20);
    std::fs::write(&path, &bytes).unwrap();
    let out = claimflow(dir.path()).args(["validate", "big.x12"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(": valid\n"), "{stdout}");
}

/// The same at 1 GB (slow: `cargo test --release -- --ignored one_gb`).
#[test]
#[ignore]
fn one_gb_single_line_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.x12");
    std::fs::write(&path, single_line_file(1 << 30)).unwrap();
    let out = claimflow(dir.path()).args(["validate", "big.x12"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
}

/// Valid 835 interchanges (envelopes, guide and balancing) with no line
/// breaks, about `size` bytes.
fn single_line_file(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 4096);
    let mut n = 0u32;
    while out.len() < size {
        n += 1;
        out.extend_from_slice(format!(
            "ISA*00*          *00*          *ZZ*DEMOSUBMITTER  *ZZ*DEMOCLEARING   *261127*0900*^*00501*{n:09}*0*T*:~\
             GS*HP*DEMOPAYER*DEMOSUBMITTER*20261127*0900*{n}*X*005010X221A1~ST*835*0001~\
             BPR*I*160000*C*CHK************20261127~TRN*1*T{n}*1999999999~\
             N1*PR*DEMO PAYER~N3*1 PAYER WAY~N4*SPRINGFIELD*IL*62701~PER*BL*EDI*TE*5555550100~\
             N1*PE*DEMO CLINIC*XX*1234567893~LX*1~"
        ).as_bytes());
        let claims = 2000;
        for c in 0..claims {
            out.extend_from_slice(
                // Balanced (835 balancing is part of validate): 150 − 80 = 50 + 20.
                format!("CLP*DEMO-{c}*1*150*80*20*12*PCN{c}*11*1~CAS*CO*45*50~CAS*PR*1*20~NM1*QC*1*DEMO*PAT~")
                    .as_bytes(),
            );
        }
        out.extend_from_slice(
            format!("SE*{}*0001~GE*1*{n}~IEA*1*{n:09}~", claims * 4 + 10).as_bytes(),
        );
    }
    out
}

#[test]
fn envelope_only_skips_the_transaction_checks() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("835/unbalanced.835");
    // Full validation finds the imbalance ...
    let out = claimflow(dir.path()).args(["validate", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("835-BAL-"));
    // ... the envelope pre-flight does not look at the money, and says so.
    let out = claimflow(dir.path()).args(["validate", "--envelope-only", &f]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains(": valid (envelopes only)"), "{stdout}");
    let out =
        claimflow(dir.path()).args(["--json", "validate", "--envelope-only", &f]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json[0]["depth"], "envelope");
    // Envelope defects are still found.
    let bad = fixture("x12/bad/se_count_off_by_one.835");
    let out = claimflow(dir.path()).args(["validate", "--envelope-only", &bad]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}
