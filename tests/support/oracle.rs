//! Keeping the 837s the tests write for the pyx12 oracle: one definition,
//! included by the integration tests (`tests/util.rs`) and by the library's
//! unit tests (`src/edi837/tests.rs`, through `#[path]`), which cannot
//! share code any other way.

/// Saves `bytes` as `$CLAIMFLOW_TEST_OUTPUT/<kind>/<hash>-<name>` when that
/// variable is set (`scripts/test.sh` sets it, then runs pyx12 over every
/// 837 kept). The content hash keeps outputs of different tests apart.
pub fn keep_for_oracle(kind: &str, name: &str, bytes: &[u8]) {
    use sha2::{Digest, Sha256};
    if let Ok(dir) = std::env::var("CLAIMFLOW_TEST_OUTPUT") {
        let d = std::path::Path::new(&dir).join(kind);
        let _ = std::fs::create_dir_all(&d);
        let tag: String =
            Sha256::digest(bytes).iter().take(6).map(|b| format!("{b:02x}")).collect();
        let _ = std::fs::write(d.join(format!("{tag}-{name}")), bytes);
    }
}
