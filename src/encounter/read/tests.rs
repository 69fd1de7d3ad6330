//! The parallel reader ([`Opened::read_parallel`]) against the sequential
//! one ([`Opened::read_batches`]): the same claims, findings, row numbers,
//! row offsets, unclaimed and blank rows, with parts of every size down to
//! one byte (so that parts start inside quoted cells, inside CRLF pairs and
//! on empty lines), on the fixture exports written with LF or CRLF, a BOM,
//! empty and blank lines, quoted line breaks and a layout, and on generated
//! exports (proptest). An export whose claim's rows are apart is not read
//! (`None`) exactly when the sequential read makes two claims of one id.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use super::*;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a read gave: claims, their findings, the other findings, unclaimed
/// rows, row starts and blank rows.
type Read = (Vec<Claim>, Vec<Finding>, Vec<Finding>, Vec<u64>, Vec<usize>, u64);

fn opened(bytes: &[u8], layout: Option<&Layout>) -> Option<Opened> {
    Opened::new("t.csv".into(), Input::Owned(bytes.to_vec()), layout, true).ok()
}

fn sequential(o: &Opened) -> Read {
    let (mut claims, mut found) = (Vec::new(), Vec::new());
    let rows = o
        .read_batches(3, &mut |_, _| {}, &mut |mut c, mut f| {
            claims.append(&mut c);
            found.append(&mut f);
            Ok::<(), Error>(())
        })
        .unwrap();
    (claims, found, rows.findings, rows.unclaimed_rows, rows.row_starts, rows.blank_rows)
}

fn parallel(o: &Opened, part: usize) -> Option<Read> {
    let (mut claims, mut found) = (Vec::new(), Vec::new());
    let rows = o
        .read_parallel(part, &mut |_, _| {}, &mut |mut c, mut f| {
            claims.append(&mut c);
            found.append(&mut f);
            Ok::<(), Error>(())
        })
        .unwrap()?;
    Some((claims, found, rows.findings, rows.unclaimed_rows, rows.row_starts, rows.blank_rows))
}

/// Compares both reads of `bytes` for each part size; true when the
/// parallel reader read it (claims' rows adjacent).
fn same(bytes: &[u8], layout: Option<&Layout>, parts: &[usize]) -> bool {
    let Some(o) = opened(bytes, layout) else { return false };
    let seq = sequential(&o);
    let mut ids: Vec<&str> = seq.0.iter().map(|c| c.claim_id.as_str()).collect();
    ids.sort_unstable();
    let adjacent = ids.windows(2).all(|w| w[0] != w[1]);
    for &part in parts {
        match parallel(&o, part) {
            None => assert!(!adjacent, "part {part}: an adjacent export was not read"),
            Some(par) => {
                assert!(adjacent, "part {part}: a claim_id that comes back was read");
                assert_eq!(par.0, seq.0, "part {part}: claims");
                assert_eq!(par.1, seq.1, "part {part}: claim findings");
                assert_eq!(par.2, seq.2, "part {part}: file findings");
                assert_eq!(par.3, seq.3, "part {part}: unclaimed rows");
                assert_eq!(par.4, seq.4, "part {part}: row starts");
                assert_eq!(par.5, seq.5, "part {part}: blank rows");
            }
        }
    }
    adjacent
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_string).collect()
}

fn text(bom: bool, rows: &[String], eol: &str) -> Vec<u8> {
    let mut t = if bom { "\u{feff}".to_string() } else { String::new() };
    for r in rows {
        t.push_str(r);
        t.push_str(eol);
    }
    t.into_bytes()
}

/// Every part size up to 80 bytes, then a few larger ones.
fn all_parts() -> Vec<usize> {
    (1..=80).chain([97, 256, 1000, 4096, PART_BYTES]).collect()
}

#[test]
fn fixtures_read_in_parallel_as_in_sequence() {
    let mut demo = lines(&root().join("fixtures/encounters/demo.csv"));
    // Its last row is D1005 again, after other claims.
    assert!(!same(&text(false, &demo, "\n"), None, &[1, 50, 4096]));
    demo.pop();
    let parts = all_parts();
    assert!(same(&text(false, &demo, "\n"), None, &parts));
    assert!(same(&text(true, &demo, "\r\n"), None, &parts));
    assert!(same(&text(false, &demo, "\r"), None, &parts));
    // Empty lines and rows of empty cells between and inside claims, a
    // quoted cell with line breaks and quotes, a row with no claim_id, a
    // row that starts with a BOM's bytes, no line break at the end.
    let blank = ",".repeat(demo[0].matches(',').count());
    let mut odd = Vec::new();
    for (i, r) in demo.iter().enumerate() {
        let mut r = r.clone();
        if i == 4 {
            let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
            cells[11] = "\"Suite 5\r\n\nBack \"\"door\"\"\n\"".to_string();
            r = cells.join(",");
        }
        if i == 6 {
            r = r.split_once(',').map(|(_, rest)| format!(",{rest}")).unwrap();
        }
        odd.push(r);
        if i % 3 == 1 {
            odd.push(String::new());
        }
        if i % 4 == 2 {
            odd.push(blank.clone());
        }
    }
    let last = demo.last().unwrap().split_once(',').unwrap().1;
    odd.push(format!("\u{feff}Z9999,{last}"));
    assert!(same(&text(true, &odd, "\r\n"), None, &parts));
    let mut unended = text(false, &odd, "\n");
    unended.pop();
    assert!(same(&unended, None, &parts));
    let cob = lines(&root().join("fixtures/encounters/cob.csv"));
    assert!(same(&text(false, &cob, "\r\n"), None, &parts));
    let layout = Layout::load(&root().join("fixtures/layouts/acme-pm.toml")).unwrap();
    let acme = std::fs::read(root().join("fixtures/layouts/acme-export.csv")).unwrap();
    assert!(same(&acme, Some(&layout), &parts));
}

/// A cell of a generated export: plain, empty, blank, quoted with line
/// breaks, quotes and delimiters inside, or a stray quote.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Z0-9.]{1,6}",
        1 => Just(String::new()),
        1 => Just("  ".to_string()),
        1 => "\"[a-z,\n\r]{0,6}(\"\"[a-z\n]{0,3})?\"",
        1 => "[a-z]{1,3}\"[a-z]{0,2}",
        1 => Just("\u{feff}x".to_string()),
    ]
}

/// A row: a claim_id from a few (empty sometimes), then cells.
fn row() -> impl Strategy<Value = (u8, Vec<String>)> {
    (0u8..6, proptest::collection::vec(cell(), 0..24))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn generated_exports_read_in_parallel_as_in_sequence(
        rows in proptest::collection::vec(row(), 0..30),
        sorted in any::<bool>(),
        eol in prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just("\n\n")],
        bom in any::<bool>(),
        part in 1usize..120,
    ) {
        let header = std::fs::read_to_string(root().join("fixtures/encounters/demo.csv"))
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .to_string();
        let mut rows = rows;
        if sorted {
            // Claims' rows adjacent (most of the time: empty ids stay).
            rows.sort_by_key(|r| r.0);
        }
        let mut lines = vec![header];
        for (id, cells) in &rows {
            let id = if *id == 0 { String::new() } else { format!("C{id}") };
            lines.push(std::iter::once(id).chain(cells.iter().cloned()).collect::<Vec<_>>().join(","));
        }
        same(&text(bom, &lines, eol), None, &[part, part * 7]);
    }
}

/// An export holding a NUL byte is refused whichever 16 MiB part holds it
/// (the parts are looked at on all cores), with or without a BOM.
#[test]
fn a_nul_byte_in_any_part_refuses_the_export() {
    let refused =
        |bytes: Vec<u8>| match Opened::new("t.csv".into(), Input::Owned(bytes), None, true) {
            Err(Error::NotCsv { message, .. }) => message.contains("NUL bytes"),
            _ => false,
        };
    let demo = std::fs::read(root().join("fixtures/encounters/demo.csv")).unwrap();
    let header = demo[..=demo.iter().position(|&b| b == b'\n').unwrap()].to_vec();
    let mut row = header.clone();
    row.extend_from_slice(b"C1,A\0B\n");
    assert!(refused(row));
    // A NUL only in the third part, after a BOM.
    let mut big = b"\xEF\xBB\xBF".to_vec();
    big.extend_from_slice(&header);
    while big.len() < (2 << 24) + 100 {
        big.extend_from_slice(b"C1,ABCDEFGHIJKLMNOPQRSTUVWXYZ\n");
    }
    let clean = big.clone();
    big.extend_from_slice(b"C2,\0\n");
    assert!(refused(big));
    assert!(Opened::new("t.csv".into(), Input::Owned(clean), None, true).is_ok());
}
