//! The schema walker and the hand-written readers agree on loop boundaries;
//! `parse --loops` prints the loop tree; 27x samples placed in their loops.

use super::*;

/// 837P and 835 files: fixtures and the public samples.
fn corpus() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for sub in ["x12/good", "835"] {
        for e in std::fs::read_dir(root().join("fixtures").join(sub)).unwrap().flatten() {
            if e.path().is_file() {
                files.push(e.path());
            }
        }
    }
    if let Some(dir) = samples() {
        for sub in ["837p", "835"] {
            for e in std::fs::read_dir(dir.join(sub)).unwrap().flatten() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_schema_and_the_readers_agree_on_loop_boundaries() {
    let opts = Options { level: 2, loops: true, ..Options::default() };
    let mut compared = 0;
    for path in corpus() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let report = validate_with(&name, &bytes, &opts);
        let scan = claimflow::x12::scan(&bytes);
        let sets: Vec<_> = scan.sets().map(|(_, _, s)| s).collect();
        // Only sets with a guide have loop trees; they come in set order.
        let trees: Vec<_> = report.loops.iter().filter(|t| !t.is_empty()).collect();
        let with_guide: Vec<_> = sets
            .iter()
            .zip(&report.loops)
            .filter(|(_, t)| !t.is_empty())
            .map(|(s, _)| *s)
            .collect();
        assert_eq!(trees.len(), with_guide.len());
        let all_placed = |id: &str| {
            sets.iter().filter(|s| s.id == id).count()
                == with_guide.iter().filter(|s| s.id == id).count()
        };
        // 837: the claim spans of the 837 reader are the 2300 loops.
        let spans = claimflow::edi837::claim_spans(&bytes);
        let mut schema_claims = Vec::new();
        for (set, tree) in with_guide.iter().zip(&trees) {
            if set.id != "837" {
                continue;
            }
            for l in tree.iter().filter(|l| l.id == "2300") {
                let first = l.start.segment - set.pos.segment + 1;
                let last = l.last_segment - set.pos.segment + 1;
                schema_claims.push((first, last));
            }
        }
        if !schema_claims.is_empty() && all_placed("837") {
            let reader: Vec<(u32, u32)> = spans.iter().map(|s| (s.first, s.last)).collect();
            assert_eq!(schema_claims, reader, "{name}: 2300 loops vs claim spans");
            compared += 1;
        }
        // 835: the claim payments of the 835 reader start the 2100 loops.
        let read = claimflow::edi835::read_file(&bytes);
        let reader: Vec<u32> =
            read.remittances.iter().flat_map(|r| r.claims.iter().map(|c| c.pos.segment)).collect();
        let schema: Vec<u32> = with_guide
            .iter()
            .zip(&trees)
            .filter(|(s, _)| s.id == "835")
            .flat_map(|(_, t)| t.iter().filter(|l| l.id == "2100").map(|l| l.start.segment))
            .collect();
        if !schema.is_empty() && all_placed("835") {
            assert_eq!(schema, reader, "{name}: 2100 loops vs claim payments");
            compared += 1;
        }
    }
    assert!(compared >= 4, "only {compared} files compared");
}

#[test]
fn parse_loops_prints_the_loop_tree() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixture("x12/good/minimal.837");
    let out = claimflow(dir.path()).args(["parse", "--loops", &f]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v[0].as_array().unwrap().iter().filter_map(|l| l["id"].as_str()).collect();
    assert_eq!(
        ids,
        [
            "ST_LOOP", "1000A", "1000B", "2000A", "2010AA", "2000B", "2010BA", "2010BB", "2300",
            "2400"
        ]
    );
    let clm = v[0].as_array().unwrap().iter().find(|l| l["id"] == "2300").unwrap();
    assert_eq!(clm["depth"], 3);
    assert_eq!(clm["start"]["segment"], 17);
}

#[test]
fn eligibility_and_claim_status_samples_are_placed_in_their_loops() {
    let Some(dir) = samples() else { return };
    let opts = Options { loops: true, ..Options::default() };
    let mut checked = 0;
    for (sub, claim_level) in [("270", "2100C"), ("271", "2100C"), ("276", "2100D")] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else { continue };
        for e in entries.flatten() {
            let name = e.path().display().to_string();
            if name.contains("-error-") {
                continue; // an AAA rejection with SE02 != ST02: an envelope defect
            }
            let bytes = std::fs::read(e.path()).unwrap();
            let report = validate_with(&name, &bytes, &opts);
            let errors: Vec<String> =
                report.findings.iter().filter(|f| f.is_error()).map(|f| f.to_string()).collect();
            assert!(errors.is_empty(), "{name}: {errors:#?}");
            let ids: Vec<&str> = report.loops.iter().flatten().map(|l| l.id).collect();
            for want in ["2000A", "2100A", "2000B", "2100B", claim_level] {
                assert!(ids.contains(&want), "{name}: no loop {want} in {ids:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} samples");
}
