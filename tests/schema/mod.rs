//! The guide schema and `validate` by SNIP level: one synthetic one-defect
//! file per rule (`fixtures/x12/bad/`), no false positives on valid public
//! samples and on every 837 the suite writes, and the schema walker agreeing
//! with the hand-written readers on loop boundaries. This file holds the
//! helpers the modules share.

use std::path::{Path, PathBuf};

use claimflow::codeset::CodeSets;
use claimflow::validate::{validate_with, Options};

use crate::util::{claimflow, fixture, root};

mod defects;
mod loops;
mod samples;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap()
}

fn samples() -> Option<PathBuf> {
    let dir = std::env::var_os("CLAIMFLOW_SAMPLES")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/x12-samples"));
    dir.is_dir().then_some(dir)
}

/// The samples `fixtures/corpus-expected.tsv` records as valid.
fn valid_samples(dir: &Path) -> Vec<PathBuf> {
    let table = std::fs::read_to_string(root().join("fixtures/corpus-expected.tsv")).unwrap();
    table
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let mut cols = l.split('\t');
            let file = cols.next()?;
            (cols.next()? == "valid").then(|| dir.join(file))
        })
        .filter(|p| p.exists())
        .collect()
}
