//! What `build` and `secondary` share when they send an 837P: the file
//! written through a writer that hashes (sha256) and counts its bytes, each
//! transaction set checked in memory as it is written (validated as the
//! only set of an interchange with the file's envelope, and its claims'
//! spans read for mapping acknowledgments to claims), and the crash-test
//! hook of the submission protocol. It does not decide what is sent, nor
//! record anything in the ledger.

use std::collections::HashMap;
use std::io::Write;

use sha2::{Digest, Sha256};

use crate::config::Config;
use crate::edi837;
use crate::ledger::Span;
use crate::x12::WriteError;

/// A writer that hashes (sha256) and counts the bytes it passes on.
pub(crate) struct Hashing<W> {
    pub(crate) inner: W,
    pub(crate) hash: Sha256,
    pub(crate) bytes: u64,
}

impl<W> Hashing<W> {
    pub(crate) fn new(inner: W) -> Hashing<W> {
        Hashing { inner, hash: Sha256::new(), bytes: 0 }
    }
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Each claim's span in its set, by (ST02, claim id, payer id).
pub(crate) type Spans = HashMap<(String, String, String), Span>;

/// How the check of a set written ended.
pub(crate) enum SetCheck {
    /// Valid: where each claim sits.
    Valid(Spans),
    /// claimflow's own validation failed (a bug): the first finding.
    Invalid(String),
}

/// Checks the set `bytes` just written to the file `name` (see the module
/// doc), running `meanwhile` on this thread while the check runs on rayon.
pub(crate) fn check_set<R: Send>(
    config: &Config,
    env: &edi837::Envelope,
    name: &str,
    bytes: Vec<u8>,
    meanwhile: impl FnOnce() -> R + Send,
) -> Result<(SetCheck, R), WriteError> {
    let whole = edi837::standalone_set(config, env, &bytes)?;
    drop(bytes);
    let ((report, spans), theirs) = rayon::join(
        || {
            rayon::join(
                || crate::validate::validate_file(name, &whole),
                || edi837::spans_by_claim(&whole),
            )
        },
        meanwhile,
    );
    let check = if report.is_valid() {
        SetCheck::Valid(spans)
    } else {
        SetCheck::Invalid(report.findings.first().map(|f| f.message.clone()).unwrap_or_default())
    };
    Ok((check, theirs))
}

/// Test hook for the crash-safety tests: with `CLAIMFLOW_TEST_CRASH_AT=<point>`
/// the process aborts (no destructors, like kill -9) at that point of the
/// submission: `allocated`, `pending` or `renamed`.
pub(crate) fn crash_point(point: &str) {
    if std::env::var("CLAIMFLOW_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}
