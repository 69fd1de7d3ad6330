//! Test harness: run the real `claimflow` binary in a temp dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The project root (where fixtures/ lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path as a string.
pub fn fixture(rel: &str) -> String {
    root().join("fixtures").join(rel).display().to_string()
}

/// `claimflow` with its working directory set to `dir`.
pub fn claimflow(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_claimflow"));
    cmd.current_dir(dir);
    cmd
}

#[path = "support/oracle.rs"]
mod oracle;
pub use oracle::keep_for_oracle;

/// Keeps every `*.x12` file under `dir` (recursively) for the pyx12 oracle:
/// every 837 a command run by the tests wrote is validated by `scripts/test.sh`.
pub fn keep_all_837(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            keep_all_837(&p);
        } else if p.extension().is_some_and(|x| x == "x12") {
            if let Ok(bytes) = std::fs::read(&p) {
                let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
                keep_for_oracle("837", &name, &bytes);
            }
        }
    }
}
