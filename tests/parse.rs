//! `claimflow parse` end to end: JSON structure, `--segments` and `--segments --json`.

use crate::util::{claimflow, fixture};

fn parse(args: &[&str]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = claimflow(dir.path()).arg("parse").args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_has_envelopes_sets_and_segments_with_positions() {
    let f = fixture("x12/good/minimal.837");
    let (code, stdout, stderr) = parse(&[&f]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["file"], f.as_str());
    let ic = &v["interchanges"][0];
    assert_eq!(ic["control"], "000000001");
    assert_eq!(ic["sender"][1], "DEMOSUBMITTER");
    assert_eq!(ic["delimiters"]["element"], b'*');
    let g = &ic["groups"][0];
    assert_eq!(g["functional_id"], "HC");
    assert_eq!(g["version"], "005010X222A1");
    let set = &g["sets"][0];
    assert_eq!(set["kind"], "837P");
    assert_eq!(set["control"], "0001");
    assert_eq!(set["segment_count"], 20);
    let segs = set["segments"].as_array().unwrap();
    assert_eq!(segs.len(), 20);
    assert_eq!(segs[0]["id"], "ST");
    assert_eq!(segs[0]["segment"], 3);
    assert_eq!(segs[0]["byte"], 172);
    assert_eq!(segs[0]["elements"][0]["ref"], "ST01");
    assert_eq!(segs[0]["elements"][0]["value"], "837");
    // CLM05 is a composite: a list of components.
    let clm = segs.iter().find(|s| s["id"] == "CLM").unwrap();
    assert_eq!(clm["elements"][4]["ref"], "CLM05");
    assert_eq!(clm["elements"][4]["value"], serde_json::json!(["11", "B", "1"]));
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn json_shows_repetitions() {
    let dir = tempfile::tempdir().unwrap();
    let isa = "ISA*00*          *00*          *ZZ*A              *ZZ*B              *261127*0900*^*00501*000000001*0*T*:~";
    let body = "GS*HC*A*B*20261127*0900*1*X*005010X222A1~ST*837*0001~HI*ABK:E119^ABF:I10~SE*3*0001~GE*1*1~IEA*1*000000001~";
    std::fs::write(dir.path().join("r.x12"), format!("{isa}{body}")).unwrap();
    let out = claimflow(dir.path()).args(["parse", "r.x12"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let hi = &v["interchanges"][0]["groups"][0]["sets"][0]["segments"][1];
    assert_eq!(hi["id"], "HI");
    assert_eq!(
        hi["elements"][0]["value"],
        serde_json::json!({"repetitions": [["ABK", "E119"], ["ABF", "I10"]]})
    );
}

#[test]
fn segments_one_per_line_with_standard_delimiters() {
    // A file with odd delimiters (| > ! and newline terminator) prints with * : ^ ~.
    let dir = tempfile::tempdir().unwrap();
    let isa = "ISA|00|          |00|          |ZZ|A              |ZZ|B              |261127|0900|!|00501|000000001|0|T|>\n";
    let body = "GS|HC|A|B|20261127|0900|1|X|005010X222A1\nST|837|0001\nHI|ABK>E119!ABF>I10\nSE|3|0001\nGE|1|1\nIEA|1|000000001\n";
    std::fs::write(dir.path().join("odd.x12"), format!("{isa}{body}")).unwrap();
    let out = claimflow(dir.path()).args(["parse", "--segments", "odd.x12"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 7, "{stdout}");
    assert!(lines[0].starts_with("1\tISA*00*          *00*"), "{}", lines[0]);
    assert!(lines[0].ends_with("*000000001*0*T*:~"), "{}", lines[0]);
    assert_eq!(lines[3], "4\tHI*ABK:E119^ABF:I10~");
    assert_eq!(lines[6], "7\tIEA*1*000000001~");
}

#[test]
fn segments_json_is_an_array_of_the_document_segments() {
    // Odd delimiters, as above: the JSON shows values, not delimiters.
    let dir = tempfile::tempdir().unwrap();
    let isa = "ISA|00|          |00|          |ZZ|A              |ZZ|B              |261127|0900|!|00501|000000001|0|T|>\n";
    let body = "GS|HC|A|B|20261127|0900|1|X|005010X222A1\nST|837|0001\nHI|ABK>E119!ABF>I10\nSE|3|0001\nGE|1|1\nIEA|1|000000001\n";
    std::fs::write(dir.path().join("odd.x12"), format!("{isa}{body}")).unwrap();
    let run = |args: &[&str]| {
        let out = claimflow(dir.path()).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let segs = run(&["parse", "--segments", "--json", "odd.x12"]);
    let segs = segs.as_array().unwrap();
    assert_eq!(segs.len(), 7, "{segs:?}");
    for (i, s) in segs.iter().enumerate() {
        assert_eq!(s["segment"], i + 1);
    }
    assert_eq!(segs[0]["id"], "ISA");
    assert_eq!(segs[0]["byte"], 0);
    assert_eq!(segs[0]["elements"][10], serde_json::json!({"ref": "ISA11", "value": "!"}));
    assert_eq!(
        segs[3]["elements"][0],
        serde_json::json!({"ref": "HI01", "value": {"repetitions": [["ABK", "E119"], ["ABF", "I10"]]}})
    );
    assert_eq!(segs[6]["id"], "IEA");
    // The same objects as the set's segments in the full document (ST..SE).
    let doc = run(&["parse", "odd.x12"]);
    let in_set = &doc["interchanges"][0]["groups"][0]["sets"][0]["segments"];
    assert_eq!(in_set.as_array().unwrap()[..], segs[2..5]);
    // --json without --segments changes nothing: parse prints JSON anyway.
    assert_eq!(run(&["parse", "--json", "odd.x12"]), doc);
}

#[test]
fn findings_go_to_stderr_with_positions_and_exit_1() {
    let f = fixture("x12/bad/se_count_off_by_one.835");
    let (code, stdout, stderr) = parse(&[&f]);
    assert_eq!(code, Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["findings"][0]["rule"], "X12-SE01");
    assert!(
        stderr.contains(&format!(
            "{f}:segment 6 (byte 244): SE01 declares \"5\" segments but 4 were counted"
        )),
        "{stderr}"
    );
    let (code, stdout, _) = parse(&["--segments", &f]);
    assert_eq!(code, Some(1));
    assert_eq!(stdout.lines().count(), 8);
}

#[test]
fn a_csv_is_not_x12_exit_2() {
    let f = fixture("x12/bad/not_x12.csv");
    let (code, stdout, stderr) = parse(&[&f]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("not_x12.csv: a CSV file, not X12"), "{stderr}");
}

#[test]
fn bad_inputs_never_crash() {
    for rel in [
        "x12/bad/empty.x12",
        "x12/bad/not_x12.pdf",
        "x12/bad/isa_short.x12",
        "x12/bad/delimiters_collide.x12",
        "x12/bad/garbage_after_iea.835",
        "x12/bad/truncated_mid_set.837",
        "x12/bad/nested_gs.837",
        "x12/bad/missing_gs_ge.837",
        "x12/bad/bare_st_no_envelope.835",
    ] {
        let f = fixture(rel);
        for args in [vec![f.as_str()], vec!["--segments", f.as_str()]] {
            let (code, stdout, stderr) = parse(&args);
            assert_eq!(code, Some(1), "{rel} {args:?}: {stderr}");
            assert!(stderr.contains(&format!("{f}:segment ")), "{rel}: {stderr}");
            if args.len() == 1 {
                let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                assert!(!v["findings"].as_array().unwrap().is_empty(), "{rel}");
            }
        }
    }
}

#[test]
fn unreadable_file_exits_2() {
    let (code, _, stderr) = parse(&["no-such-file.x12"]);
    assert_eq!(code, Some(2));
    assert!(stderr.contains("no-such-file.x12: cannot read"), "{stderr}");
}
