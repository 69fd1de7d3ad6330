//! `claimflow build`: outputs, exit codes, golden file, ledger behaviour, lock.
//!
//! Every 837 produced is kept for the pyx12 oracle (`scripts/test.sh`). This
//! file holds the helpers the modules share.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::util::{claimflow, fixture, keep_for_oracle, root};

mod crash;
mod ledger;
mod outputs;

const NOW: &str = "2025-12-01T02:00";

/// A temp dir with the build fixtures' config copied in (so the default
/// ledger `claimflow.db` lands beside it, inside the temp dir).
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::copy(fixture("build/claimflow.toml"), dir.path().join("claimflow.toml")).unwrap();
    dir
}

fn build(dir: &Path, input: &str, extra: &[&str]) -> Output {
    let mut cmd = claimflow(dir);
    cmd.args(["build", input, "--out", "out", "--now", NOW]);
    cmd.args(extra);
    let o = cmd.output().unwrap();
    crate::util::keep_all_837(&dir.join("out"));
    o
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn text(o: &Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn x12_files(out: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(out)
        .map(|d| {
            d.flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "x12"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("out/manifest.json")).unwrap()).unwrap()
}

fn keep(name: &str, path: &Path) {
    keep_for_oracle("837", name, &fs::read(path).unwrap());
}

fn temp_files(out: &Path) -> usize {
    fs::read_dir(out)
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).count())
        .unwrap_or(0)
}
