//! A streamed build (`build::open` + `Opened::run`, the CLI's path) and the
//! whole-file build (`build::prepare` + `Prepared::submit`) write the same
//! bytes: the 837P, `rejects.csv`, `held/` and `manifest.json` (its paths
//! aside), and report the same findings, on exports with CRLF, a BOM, empty
//! and blank lines, a quoted line break, a layout, several batches and sets,
//! and on exports whose claims' rows are not adjacent (then streamed through
//! an index of rows by claim): shuffled a few ways, across batch and set
//! boundaries, and shuffled at random (a property test).

use std::fs;
use std::path::{Path, PathBuf};

use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::encounter::Layout;
use claimflow::ledger::Ledger;
use claimflow::progress::Progress;
use claimflow::{build, clock};

use crate::util::root;

/// Every file under `dir` (relative path, bytes), the output folder's path
/// replaced by `OUT` in `manifest.json`.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                todo.push(p);
                continue;
            }
            let mut bytes = fs::read(&p).unwrap();
            if p.file_name().is_some_and(|n| n == "manifest.json") {
                let text = String::from_utf8(bytes).unwrap();
                bytes = text.replace(&dir.display().to_string(), "OUT").into_bytes();
            }
            out.push((p.strip_prefix(dir).unwrap().to_path_buf(), bytes));
        }
    }
    out.sort();
    out
}

/// Builds `export` both ways (fresh ledgers, the same clock; the whole-file
/// build with `--verify`) and compares what they wrote and found; returns true when the build was streamed.
fn both_ways(export: &Path, layout: Option<&Path>) -> bool {
    let config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    both_ways_with(export, layout, &config, CodeSets::shipped(), None).0
}

/// [`both_ways`] with `config`, on ledgers where `earlier` was built first
/// (when given); also returns the streamed build's report.
fn both_ways_with(
    export: &Path,
    layout: Option<&Path>,
    config: &Config,
    codesets: &CodeSets,
    earlier: Option<&Path>,
) -> (bool, build::Report) {
    let dir = tempfile::tempdir().unwrap();
    let layout_loaded = layout.map(|p| Layout::load(p).unwrap());
    let mut inputs = build::Inputs::new(export, config, codesets);
    inputs.layout = layout.zip(layout_loaded.as_ref());
    let options = build::Options { now: clock::parse_now("2026-11-27").unwrap(), resend: false };
    let progress = Progress::silent();

    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for db in ["a.db", "b.db"] {
        let Some(earlier) = earlier else { break };
        let mut ledger = Ledger::open(&dir.path().join(db)).unwrap();
        let first = build::Inputs::new(earlier, config, codesets);
        let out = dir.path().join(format!("earlier-{db}"));
        build::run(&first, &options, &mut ledger, &out, &progress).unwrap();
    }
    let mut ledger = Ledger::open(&dir.path().join("a.db")).unwrap();
    let (streamed, prepared) =
        build::open(&inputs).unwrap().run(&options, &mut ledger, &a, &progress).unwrap();
    let mut ledger = Ledger::open(&dir.path().join("b.db")).unwrap();
    let mut whole = build::prepare(&inputs, &options, &progress).unwrap();
    // The reference validates every set in memory too (`--verify`): the
    // writer's own check lets through what the full check does.
    whole.verify = true;
    let reference = whole.submit(config, &mut ledger, &b, &progress).unwrap();

    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(
        fa.iter().map(|f| &f.0).collect::<Vec<_>>(),
        fb.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in fa.iter().zip(&fb) {
        assert!(
            x == y,
            "{} differs:\n{}\n---\n{}",
            name.display(),
            String::from_utf8_lossy(x),
            String::from_utf8_lossy(y)
        );
    }
    assert_eq!(streamed.findings, reference.findings);
    assert_eq!(streamed.notes, reference.notes);
    assert_eq!(streamed.held_rows, reference.held_rows);
    (prepared.is_none(), streamed)
}

/// `rows` (a header, then data rows) written with `eol` after each.
fn export(dir: &Path, name: &str, bom: bool, rows: &[String], eol: &str) -> PathBuf {
    let mut text = String::new();
    if bom {
        text.push('\u{feff}');
    }
    for r in rows {
        text.push_str(r);
        text.push_str(eol);
    }
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

fn lines(rel: &str) -> Vec<String> {
    let text = fs::read_to_string(root().join(rel)).unwrap();
    text.lines().map(str::to_string).collect()
}

/// demo.csv without its last row (D1005 again, after other claims): every
/// claim's rows adjacent.
fn demo_adjacent() -> Vec<String> {
    let mut rows = lines("fixtures/encounters/demo.csv");
    assert!(rows.last().unwrap().starts_with("D1005,"));
    rows.pop();
    rows
}

#[test]
fn fixtures_streamed_and_whole_give_the_same_bytes() {
    // clean.csv also has D1005's rows apart: streamed through the index.
    assert!(both_ways(&root().join("fixtures/encounters/clean.csv"), None));
    assert!(both_ways(&root().join("fixtures/encounters/cob.csv"), None));
    let layout = root().join("fixtures/layouts/acme-pm.toml");
    assert!(both_ways(&root().join("fixtures/layouts/acme-export.csv"), Some(&layout)));
    // demo.csv has D1005's rows apart.
    assert!(both_ways(&root().join("fixtures/encounters/demo.csv"), None));
}

#[test]
fn crlf_bom_empty_lines_and_quoted_line_breaks_stream_the_same() {
    let dir = tempfile::tempdir().unwrap();
    let rows = demo_adjacent();
    assert!(both_ways(&export(dir.path(), "lf.csv", false, &rows, "\n"), None));
    assert!(both_ways(&export(dir.path(), "crlf.csv", true, &rows, "\r\n"), None));
    // Empty lines and rows of empty cells between (and inside) claims.
    let blank = ",".repeat(rows[0].matches(',').count());
    let mut spaced = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        spaced.push(r.clone());
        if i % 3 == 1 {
            spaced.push(String::new());
        }
        if i % 4 == 2 {
            spaced.push(blank.clone());
        }
    }
    assert!(both_ways(&export(dir.path(), "spaced.csv", false, &spaced, "\r\n"), None));
    // A quoted cell with a line break (and a quote) in it, and a row with
    // no claim_id.
    let mut quoted = rows.clone();
    let cells: Vec<&str> = quoted[1].split(',').collect();
    let mut cells: Vec<String> = cells.iter().map(|c| c.to_string()).collect();
    cells[11] = "\"Suite 5\nBack \"\"door\"\"\"".to_string();
    quoted[1] = cells.join(",");
    let mut orphan: Vec<String> = rows[2].split(',').map(str::to_string).collect();
    orphan[0] = String::new();
    quoted.insert(3, orphan.join(","));
    assert!(both_ways(&export(dir.path(), "quoted.csv", true, &quoted, "\n"), None));
}

#[test]
fn many_batches_and_sets_stream_the_same_shuffled_or_not() {
    let dir = tempfile::tempdir().unwrap();
    let rows = demo_adjacent();
    // 300 copies of every claim under new claim and member ids: two reader
    // batches, two sets.
    let mut many = vec![rows[0].clone()];
    for n in 0..300 {
        for r in &rows[1..] {
            let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
            for c in [0, 3] {
                if !cells[c].is_empty() {
                    cells[c] = format!("{}-{n}", cells[c]);
                }
            }
            many.push(cells.join(","));
        }
    }
    assert!(both_ways(&export(dir.path(), "many.csv", false, &many, "\n"), None));
    // The same rows, every other one moved to the end: rows of a claim apart.
    let (mut even, odd): (Vec<_>, Vec<_>) =
        many[1..].iter().cloned().enumerate().partition(|(i, _)| i % 2 == 0);
    even.extend(odd);
    let mut shuffled = vec![many[0].clone()];
    shuffled.extend(even.into_iter().map(|(_, r)| r));
    assert!(both_ways(&export(dir.path(), "shuffled.csv", false, &shuffled, "\n"), None));
}

/// demo.csv's claims copied `copies` times under new claim and member ids,
/// header first.
fn copies(copies: usize) -> Vec<String> {
    let rows = demo_adjacent();
    let mut many = vec![rows[0].clone()];
    for n in 0..copies {
        for r in &rows[1..] {
            let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
            for c in [0, 3] {
                if !cells[c].is_empty() {
                    cells[c] = format!("{}-{n}", cells[c]);
                }
            }
            many.push(cells.join(","));
        }
    }
    many
}

/// The data rows of `rows` (header first) in an order drawn from `seed`.
fn shuffle(rows: &[String], seed: u64) -> Vec<String> {
    let mut body = rows[1..].to_vec();
    let mut x = seed | 1;
    for i in (1..body.len()).rev() {
        // xorshift64*: enough to scatter rows, the same on every run.
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        let j = (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % (i + 1);
        body.swap(i, j);
    }
    let mut out = vec![rows[0].clone()];
    out.extend(body);
    out
}

#[test]
fn shuffled_exports_across_batches_and_sets_stream_the_same() {
    let dir = tempfile::tempdir().unwrap();
    // 400 copies: over 8,000 claims, two reader batches of 4,096 and two
    // 837P sets of 5,000, every claim's rows scattered over the file.
    let many = copies(400);
    let shuffled = shuffle(&many, 7);
    let first: Vec<&str> = many[1..].iter().map(|r| r.split(',').next().unwrap()).collect();
    let moved: Vec<&str> = shuffled[1..].iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_ne!(first, moved);
    assert!(both_ways(&export(dir.path(), "shuffled.csv", false, &shuffled, "\n"), None));
    // CRLF and a BOM; blank rows, empty lines and rows without a claim_id
    // among the scattered rows; a quoted line break in a cell.
    let blank = ",".repeat(many[0].matches(',').count());
    let mut mixed = vec![shuffled[0].clone()];
    for (i, r) in shuffled[1..].iter().enumerate() {
        let mut r = r.clone();
        if i == 5 {
            let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
            cells[11] = "\"Suite 5\r\nBack \"\"door\"\"\"".to_string();
            r = cells.join(",");
        }
        if i % 997 == 3 {
            let mut orphan: Vec<String> = r.split(',').map(str::to_string).collect();
            orphan[0] = String::new();
            mixed.push(orphan.join(","));
        }
        mixed.push(r);
        if i % 1_013 == 1 {
            mixed.push(String::new());
        }
        if i % 1_511 == 2 {
            mixed.push(blank.clone());
        }
    }
    assert!(both_ways(&export(dir.path(), "mixed.csv", true, &mixed, "\r\n"), None));
    // Sets of 700 claims, on ledgers that already sent half of the claims
    // (those go as already sent) and a changed copy of some (held back):
    // shuffled another way.
    let mut config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    config.interchange.max_claims_per_transaction = 700;
    let mut half = vec![many[0].clone()];
    for (i, r) in many[1..].iter().enumerate().filter(|(i, _)| i % 2 == 0) {
        // Every 50th of them with another group number: the content
        // changed since it was sent.
        let mut cells: Vec<String> = r.split(',').map(str::to_string).collect();
        if i % 100 == 0 {
            cells[4] = "GRPX".to_string();
        }
        half.push(cells.join(","));
    }
    let earlier = export(dir.path(), "earlier.csv", false, &half, "\n");
    let again = shuffle(&many, 11);
    let again = export(dir.path(), "again.csv", false, &again, "\n");
    let (streamed, report) =
        both_ways_with(&again, None, &config, CodeSets::shipped(), Some(&earlier));
    assert!(streamed);
    let counts = &report.manifest.counts;
    assert!(counts.already_sent > 500 && counts.sent > 500, "{counts:?}");
    let changed = report.findings.iter().filter(|f| f.rule == "E-LEDGER-001").count();
    assert!(changed > 0, "{counts:?}");
}

/// With NCCI/MUE edits loaded, the edits of each batch look across the
/// whole export: claims of one patient and day far apart in the file, in
/// other batches, adjacent or shuffled, find what the whole-file build
/// finds. On a ledger with claims sent earlier for those days, the
/// whole-file build runs (and finds the same again).
#[test]
fn ncci_edits_across_batches_stream_the_same() {
    use crate::ncci::{row, setup, HEADER};
    let dir = setup(Some("error"));
    let config = Config::load(&dir.path().join("claimflow.toml")).unwrap();
    let codesets = CodeSets::with_dir(&dir.path().join("codes")).unwrap();
    let codes = ["04001", "04002", "04006", "04005", "04010", "04011", "04012", "J0001", "04007"];
    let days = ["2026-03-02", "2026-03-03", "2026-03-04"];
    let mut rows = vec![HEADER.to_string()];
    // 6,000 claims of 1-3 lines for 400 patients: a patient's claims of a
    // day are 400 claims apart, in other batches and sets.
    let mut x = 1u64;
    for n in 0..6_000 {
        let (payer, who) = (["DEMOPAYER1", "DEMOMCAID"][n % 2], format!("P{}", n % 400));
        for l in 0..=(n % 3) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let code = codes[(x >> 33) as usize % codes.len()];
            let m = if (x >> 20) % 7 == 0 { "59" } else { "" };
            let units = 1 + ((x >> 40) % 3) as u32;
            rows.push(row(&format!("N{n}"), payer, &who, days[(n / 400 + l) % 3], code, m, units));
        }
    }
    let adjacent = export(dir.path(), "adjacent.csv", false, &rows, "\n");
    let (streamed, report) = both_ways_with(&adjacent, None, &config, &codesets, None);
    assert!(streamed);
    let ncci = |r: &build::Report, rule: &str| r.findings.iter().filter(|f| f.rule == rule).count();
    assert!(ncci(&report, "E-NCCI-001") > 100, "{:?}", report.manifest.counts);
    assert!(ncci(&report, "E-MUE-001") > 100 && ncci(&report, "E-ADDON-001") > 0);
    assert!(report.findings.iter().any(|f| f.message.contains("(claim N")));
    let shuffled = export(dir.path(), "shuffled.csv", true, &shuffle(&rows, 3), "\r\n");
    assert!(both_ways_with(&shuffled, None, &config, &codesets, None).0);
    // Claims sent earlier for those days: the whole-file build, both ways.
    let earlier = export(dir.path(), "earlier.csv", false, &rows[..200], "\n");
    let later: Vec<String> = [rows[0].clone()].into_iter().chain(rows[200..].to_vec()).collect();
    let later = export(dir.path(), "later.csv", false, &shuffle(&later, 5), "\n");
    assert!(!both_ways_with(&later, None, &config, &codesets, Some(&earlier)).0);
}

/// Any order of an export's rows builds what the whole-file build does.
#[test]
fn any_order_of_the_rows_streams_the_same() {
    use proptest::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let many = copies(3);
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 12,
        failure_persistence: None,
        ..Default::default()
    });
    let rows = Just(many[1..].to_vec()).prop_shuffle();
    runner
        .run(&(rows, any::<bool>()), |(body, crlf)| {
            let mut all = vec![many[0].clone()];
            all.extend(body);
            let eol = if crlf { "\r\n" } else { "\n" };
            prop_assert!(both_ways(&export(dir.path(), "any.csv", false, &all, eol), None));
            Ok(())
        })
        .unwrap();
}

/// The build validates each transaction set alone, in memory, as the only
/// set of an interchange with the file's ISA and GS
/// (`edi837::standalone_set`), instead of re-reading the file: on every
/// fixture's claims (the clean ones, and the held-back ones where they can
/// be written), in sets of 3, that finds what validating the whole file
/// finds (validity, rules, messages); and the spans the writer reports
/// for its claims are those read back from the file.
#[test]
fn a_set_validated_alone_finds_what_the_whole_file_finds() {
    use claimflow::{edi837, encounter, scrub, validate};
    let mut config = Config::load(&root().join("fixtures/claimflow.toml")).unwrap();
    config.interchange.max_claims_per_transaction = 3;
    let now = clock::parse_now("2026-11-27").unwrap();
    let env = edi837::Envelope { interchange_control: 7, group_control: 9, now };
    let key = |f: &claimflow::finding::Finding| (f.rule, f.severity, f.message.clone());
    let mut compared = 0;
    for rel in ["demo.csv", "clean.csv", "cob.csv"] {
        let path = root().join("fixtures/encounters").join(rel);
        let mut enc = encounter::read(&path, None).unwrap();
        let scrubbed = scrub::run(&mut enc, &config, now, CodeSets::shipped());
        for claims in [&scrubbed.clean, &scrubbed.held] {
            let mut w = edi837::SetWriter::begin(Vec::new(), &config, &env).unwrap();
            let mut alone = Vec::new();
            // The writer's spans: (ST02, CLM position) -> (last, levels).
            let mut placed = std::collections::BTreeMap::new();
            let written: Result<(), _> = claims.chunks(3).try_for_each(|chunk| {
                let set = w.write_set(chunk, true)?;
                assert_eq!(set.spans.len(), chunk.len());
                for s in set.spans {
                    placed.insert((set.summary.control.clone(), s.first), (s.last, s.levels));
                }
                let bytes = edi837::standalone_set(&config, &env, &set.bytes)?;
                alone.push(validate::validate_file("x.x12", &bytes));
                Ok::<(), claimflow::x12::WriteError>(())
            });
            if written.is_err() || claims.is_empty() {
                continue;
            }
            let (_, file) = w.finish().unwrap();
            // Where the writer says each claim sits is where it is read back.
            let read_back: std::collections::BTreeMap<_, _> = edi837::claim_spans(&file)
                .into_iter()
                .map(|s| ((s.st02, s.first), (s.last, s.levels)))
                .collect();
            assert_eq!(placed, read_back, "{rel}");
            let whole = validate::validate_file("x.x12", &file);
            assert_eq!(whole.is_valid(), alone.iter().all(|r| r.is_valid()), "{rel}");
            let mut a: Vec<_> = whole.findings.iter().map(key).collect();
            let mut b: Vec<_> = alone.iter().flat_map(|r| r.findings.iter().map(key)).collect();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{rel}");
            compared += 1;
        }
    }
    assert!(compared >= 3);
}
