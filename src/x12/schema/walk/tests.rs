//! The walker's memory of segments that passed their element checks
//! changes nothing: sets of many claims, each with a defect in an element
//! checked for type and length only (or none), give the same findings
//! remembered and checked in full.

use super::*;
use crate::x12::schema::{guide_for, NoExternalCodes, NoVisitor};

/// An 837P of `n` claims; claim `i` carries defect `i % 9` (0: none).
fn claims_837(n: usize) -> Vec<u8> {
    let mut body = vec![
        "ST*837*0001*005010X222A1".to_string(),
        "BHT*0019*00*B1*20260320*1200*CH".into(),
        "NM1*41*2*BENCH GROUP*****46*BENCH01".into(),
        "PER*IC*BILLING*TE*5555550100".into(),
        "NM1*40*2*BENCH CLEARING*****46*BENCHCLEARING".into(),
        "HL*1**20*1".into(),
        "NM1*85*2*BENCH GROUP*****XX*1234567893".into(),
        "N3*1 MAIN ST".into(),
        "N4*SPRINGFIELD*IL*627010001".into(),
        "REF*EI*123456789".into(),
    ];
    for i in 0..n {
        let defect = i % 9;
        let id = match defect {
            1 => "X".repeat(39),    // CLM01 too long
            2 => String::new(),     // CLM01 missing
            3 => format!("B{i}^R"), // a repetition separator in CLM01
            _ => format!("B{i:09}"),
        };
        let charge = if defect == 4 { "12O".to_string() } else { "120".into() };
        let last = if defect == 5 { "X".repeat(61) } else { format!("PAT{i}") };
        let member = if defect == 6 { String::new() } else { format!("M{i:09}") };
        let date = if defect == 7 { "20261340" } else { "20260301" };
        let name = if defect == 8 { "N\u{e9}E" } else { "BENCH" };
        body.extend([
            format!("HL*{}*1*22*0", i + 2),
            "SBR*P*18*******CI".into(),
            format!("NM1*IL*1*{name}*{last}****MI*{member}"),
            "NM1*PR*2*BENCH PLAN*****PI*BENCHPAYER".into(),
            format!("CLM*{id}*{charge}***11:B:1*Y*A*Y*Y"),
            "HI*ABK:R69".into(),
            "LX*1".into(),
            "SV1*HC:99213*120*UN*1***1".into(),
            format!("DTP*472*D8*{date}"),
        ]);
    }
    let count = body.len() + 1;
    body.push(format!("SE*{count}*0001"));
    let mut s = String::from(
        "ISA*00*          *00*          *ZZ*S              *ZZ*R              *260320*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20260320*1200*1*X*005010X222A1~",
    );
    for seg in body {
        s.push_str(&seg);
        s.push('~');
    }
    s.push_str("GE*1*1~IEA*1*000000001~");
    s.into_bytes()
}

fn walks(input: &[u8]) -> Vec<(Walk, Walk)> {
    let scan = crate::x12::scan(input);
    scan.sets()
        .filter_map(|(_, g, set)| {
            let guide = guide_for(&g.version, &set.id)?;
            let run = |remember| {
                walk_with(input, set, guide, true, &NoExternalCodes, &mut NoVisitor, remember)
            };
            Some((run(true), run(false)))
        })
        .collect()
}

#[test]
fn remembered_segments_give_the_findings_of_a_full_check() {
    let input = claims_837(90);
    let mut compared = 0;
    for (remembered, full) in walks(&input) {
        assert_eq!(remembered.findings, full.findings);
        assert_eq!(remembered.loops, full.loops);
        assert_eq!(remembered.unchecked, full.unchecked);
        // Every defect is found in each claim that carries it.
        for rule in ["G-ELEM-LENGTH", "G-ELEM-TYPE", "G-ELEM-MISSING"] {
            assert!(full.findings.iter().filter(|f| f.rule == rule).count() >= 10, "{rule}");
        }
        compared += 1;
    }
    assert_eq!(compared, 1);
}

#[test]
fn fixtures_give_the_same_findings_remembered_or_not() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let p = entry.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|e| {
                ["837", "835", "999", "277", "271", "270", "276", "x12"].iter().any(|x| e == *x)
            }) {
                files.push(p);
            }
        }
    }
    let mut compared = 0;
    for f in files {
        let input = std::fs::read(&f).unwrap();
        for (remembered, full) in walks(&input) {
            assert_eq!(remembered.findings, full.findings, "{}", f.display());
            compared += 1;
        }
    }
    assert!(compared > 50, "{compared} sets compared");
}
