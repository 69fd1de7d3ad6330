//! Loading the code-set folder: NCCI PTP, MUE and add-on files, CARC and
//! RARC lists, overlapping files, bad files. Codes are made up (CPT shape).

use std::fs;
use std::path::Path;

use super::ncci::{day, pack};
use super::*;

const PTP_HEADER: &str = "Column 1\tColumn 2\t* = In existence prior to 1996\tEffective Date\tDeletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\tPTP Edit Rationale";

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

/// A folder with one file of every kind (PTP in two parts, TSV and CSV).
fn full_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "ptp-part1.txt",
        &format!(
            "CPT codes, descriptions and other data only are copyright 2025 (made-up notice)\nAll rights reserved.\n\n{PTP_HEADER}\n04001\t04002\t\t20200101\t*\t1\tMisuse of column two code with column one code\n04001\t04003\t\t20200101\t20250101\t0\tMutually exclusive procedures\n"
        ),
    );
    write(
        p,
        "ptp-part2.csv",
        "Column 1,Column 2,* = In existence prior to 1996,Effective Date,Deletion Date *=no data,Modifier 0=not allowed 1=allowed 9=not applicable,PTP Edit Rationale\n05001,05002,,20200101,,9,\"Standards of medical, surgical practice\"\n",
    );
    write(
        p,
        "mue.txt",
        "HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\tMUE Rationale\n04005\t1\t1 Line Edit\tAnatomic\n04006\t4\t2 Date of Service Edit: Policy\tx\nJ0001\t10\t3 Date of Service Edit: Clinical\tx\n",
    );
    write(
        p,
        "addon.txt",
        "Add-on Code\tPrimary Code\tAdd-on Code Edit Type\tAdd-on Code Effective Date\tAdd-on Code Deletion Date\n04010\t04001\t1\t20200101\t*\n04011\tCCCCC\t2\t20200101\t*\n",
    );
    write(p, "carc.csv", "carc,description,start,stop\n50,\"Made-up text, not X12's\",19950101,\n99,Retired made-up reason,19950101,20200101\n");
    write(p, "rarc.txt", "rarc\tdescription\tstart\tstop\nN130\tMade-up remark\t20030101\t\n");
    write(p, "cpt.csv", "cpt,description,start,stop\n04001,,20200101,\nA0001,,20200101,20250101\n");
    write(p, "README.md", "ignored: not .txt, .csv or .tsv");
    dir
}

#[test]
fn loads_every_kind() {
    let dir = full_dir();
    let cs = CodeSets::with_dir(dir.path()).unwrap();
    assert_eq!(cs.edits.counts(), (3, 3, 2));
    let e = cs.edits.ptp(pack("04001").unwrap(), pack("04002").unwrap());
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].modifier, ModifierIndicator::Allowed);
    assert_eq!(cs.edits.rationale(&e[0]), "Misuse of column two code with column one code");
    let e = cs.edits.ptp(pack("04001").unwrap(), pack("04003").unwrap())[0];
    assert!(e.in_effect(day(d(2024, 12, 31))) && !e.in_effect(day(d(2025, 1, 1))));
    let e = cs.edits.ptp(pack("05001").unwrap(), pack("05002").unwrap())[0];
    assert_eq!(e.modifier, ModifierIndicator::NotApplicable);
    assert_eq!(cs.edits.rationale(&e), "Standards of medical, surgical practice");
    assert_eq!(cs.edits.mue(pack("04006").unwrap()).unwrap().indicator, MueIndicator::DatePolicy);
    assert_eq!(cs.edits.mue(pack("J0001").unwrap()).unwrap().value, 10);
    assert_eq!(cs.edits.addon(pack("04011").unwrap())[0].primary, ncci::ANY_PRIMARY);
    assert_eq!(cs.carc_text("50"), Some("Made-up text, not X12's"));
    assert_eq!(cs.rarc_text("N130"), Some("Made-up remark"));
    assert_eq!(cs.carc_in_use("50", d(2026, 1, 1)), Some(true));
    assert_eq!(cs.carc_in_use("99", d(2019, 12, 31)), Some(true));
    assert_eq!(cs.carc_in_use("99", d(2020, 1, 1)), Some(false));
    assert_eq!(cs.carc_in_use("12", d(2026, 1, 1)), Some(false));
    assert_eq!(cs.rarc_in_use("N130", d(2002, 12, 31)), Some(false));
    assert_eq!(CodeSets::shipped().carc_in_use("50", d(2026, 1, 1)), None);
    assert_eq!(cs.cpt_in_use("04001", d(2026, 1, 1)), Some(true));
    assert_eq!(cs.cpt_in_use("A0001", d(2025, 1, 1)), Some(false));
    assert_eq!(cs.cpt_in_use("04002", d(2026, 1, 1)), Some(false));
    assert_eq!(CodeSets::shipped().cpt_in_use("04001", d(2026, 1, 1)), None);
    assert!(cs.ncci_note().is_none() && CodeSets::shipped().ncci_note().is_some());
    let kinds: Vec<&str> = cs.files.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds, ["addon", "carc", "cpt", "mue", "ptp", "ptp", "rarc"]);
    assert!(cs.files.iter().all(|f| f.sha256.len() == 64 && f.bytes > 0));
    let summary = cs.summary().join("\n");
    assert!(summary.contains("ptp-part1.txt (ptp): 2 row(s)"), "{summary}");
}

#[test]
fn newest_file_wins_where_files_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // The older quarter: 04001/04002 in effect, 04001/04003 too.
    write(
        p,
        "a-2025q4.txt",
        &format!(
            "{PTP_HEADER}\n04001\t04002\t\t20200101\t*\t0\t\n04001\t04003\t\t20200101\t*\t0\t\n"
        ),
    );
    // The newer quarter deletes 04001/04002 and adds an edit effective 2026.
    write(p, "b-2026q1.txt", &format!("{PTP_HEADER}\n04001\t04002\t\t20200101\t20260101\t0\t\n04001\t04004\t\t20260101\t*\t1\t\n"));
    let cs = CodeSets::with_dir(p).unwrap();
    let e = cs.edits.ptp(pack("04001").unwrap(), pack("04002").unwrap());
    assert_eq!(e.len(), 1, "only the newer file's row of the pair");
    assert!(!e[0].in_effect(day(d(2026, 2, 1))));
    assert_eq!(cs.edits.ptp(pack("04001").unwrap(), pack("04003").unwrap()).len(), 1);
    assert_eq!(cs.files[0].replaced, 1);
    let summary = cs.summary().join("\n");
    assert!(summary.contains("a-2025q4.txt (ptp): 2 row(s); 1 of them replaced by a file with a newer effective date"), "{summary}");
    // A file whose every edit is in a newer one is not used.
    write(p, "a-2025q4.txt", &format!("{PTP_HEADER}\n04001\t04002\t\t20200101\t*\t0\t\n"));
    let cs = CodeSets::with_dir(p).unwrap();
    assert!(cs.summary()[0].contains("not used"), "{:?}", cs.summary());
}

#[test]
fn bad_files_name_file_and_line() {
    let cases: [(&str, &str, &str, usize); 7] = [
        ("enc.csv", "claim_id,billing_npi\nX1,1234567893\n", "not a code-set file", 0),
        ("ptp.txt", "notice\nColumn 1\tColumn 2\tEffective Date\tModifier\n", "\"Deletion Date\"", 2),
        ("ptp.txt", &format!("{PTP_HEADER}\n04001\t04002\t\t20200101\t*\t1\t\n04001\t04003\t\t2020-01-01\t*\t1\t\n"), "Effective Date \"2020-01-01\" is not a date", 3),
        ("ptp.txt", &format!("{PTP_HEADER}\n0400\t04002\t\t20200101\t*\t1\t\n"), "Column 1 \"0400\" is not a CPT or HCPCS", 2),
        ("ptp.txt", &format!("{PTP_HEADER}\n04001\t04002\t\t20200101\t*\t2\t\n"), "Modifier \"2\" is not 0, 1 or 9", 2),
        ("mue.txt", "HCPCS/CPT Code\tPractitioner Services MUE Values\tMUE Adjudication Indicator\n04005\tmany\t1\n", "not a whole number", 2),
        ("carc.csv", "carc,description,start,stop\nCO-45,x,19950101,\n", "is not a CARC", 2),
    ];
    for (name, text, expect, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), name, text);
        let e = CodeSets::with_dir(dir.path()).unwrap_err();
        let shown = e.to_string();
        assert!(shown.contains(name) && shown.contains(expect), "{shown}");
        assert!(shown.contains(&format!(": line {line}: ")), "{shown}");
    }
}

/// Loading a full PTP set: 1,000,000 pairs in four parts, as CMS ships it.
/// The time is printed, not asserted: the speed is measured by
/// `NCCI_PAIRS=1000000 bash scripts/bench-build.sh`.
#[test]
fn loads_a_million_ptp_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let mut n = 0u32;
    for part in 0..4 {
        let mut text = format!("made-up notice\n{PTP_HEADER}\n");
        for _ in 0..250_000 {
            let (a, b) = (n / 1000, n % 1000);
            text.push_str(&format!(
                "{:05}\t{:05}\t\t20200101\t*\t{}\tMade-up rationale\n",
                10000 + a,
                20000 + b,
                n % 2
            ));
            n += 1;
        }
        write(dir.path(), &format!("ptp-part{part}.txt"), &text);
    }
    let t = std::time::Instant::now();
    let cs = CodeSets::with_dir(dir.path()).unwrap();
    let took = t.elapsed();
    println!("loaded 1,000,000 PTP pairs in {took:?}");
    eprintln!("loaded 1,000,000 PTP pairs in {took:?}");
    assert_eq!(cs.edits.counts().0, 1_000_000);
    assert_eq!(cs.edits.ptp(pack("10999").unwrap(), pack("20999").unwrap()).len(), 1);
}
