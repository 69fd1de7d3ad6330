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
/// (`$CLAIMFLOW_TEST_OUTPUT/837`), when set. The file name gets a content
/// hash so that outputs of different tests never overwrite each other.
pub fn keep_for_oracle(kind: &str, name: &str, bytes: &[u8]) {
    use sha2::{Digest, Sha256};
    if let Ok(dir) = std::env::var("CLAIMFLOW_TEST_OUTPUT") {
        let d = Path::new(&dir).join(kind);
        let _ = std::fs::create_dir_all(&d);
        let hash = Sha256::digest(bytes);
        let tag: String = hash.iter().take(6).map(|b| format!("{b:02x}")).collect();
        let _ = std::fs::write(d.join(format!("{tag}-{name}")), bytes);
    }
}

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
