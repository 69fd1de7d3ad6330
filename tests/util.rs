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

/// Where the test command collects outputs for the pyx12 oracle
/// (`$CLAIMFLOW_TEST_OUTPUT/837`), when set.
pub fn keep_for_oracle(kind: &str, name: &str, bytes: &[u8]) {
    if let Ok(dir) = std::env::var("CLAIMFLOW_TEST_OUTPUT") {
        let d = Path::new(&dir).join(kind);
        let _ = std::fs::create_dir_all(&d);
        let _ = std::fs::write(d.join(name), bytes);
    }
}
