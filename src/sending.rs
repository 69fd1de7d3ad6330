//! What `build` and `secondary` share when they send an 837P: the file
//! written through a writer that hashes (sha256) and counts its bytes, the
//! check of each transaction set as it is written (the writer's own, or
//! with `--verify` a validation in memory as the only set of an interchange
//! with the file's envelope, its claims' spans read back and compared), and
//! the crash-test hook of the submission protocol. It does not decide what is sent, nor
//! record anything in the ledger.

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

/// How the check of a set written ended.
pub(crate) enum SetCheck {
    /// Valid: where each claim sits, in the order the claims were given.
    Valid(Vec<Span>),
    /// claimflow's own validation failed (a bug): the first finding.
    Invalid(String),
}

/// Checks the set just written to the file `name` and runs `meanwhile`.
///
/// The writer's own guarantees stand without a second pass: it counts
/// SE01, numbers the HL levels and computes CLM02 from the lines itself,
/// refuses any value holding a delimiter, and reports where it placed each
/// claim; the values were checked by scrub before. With `verify`, the set
/// is also validated in memory as the only set of an interchange with the
/// file's envelope (the validator of `claimflow validate`, on rayon while
/// `meanwhile` runs on this thread), and its claims' spans read back must
/// be the writer's; `written.bytes` must then hold the set.
pub(crate) fn check_set<R: Send>(
    config: &Config,
    env: &edi837::Envelope,
    name: &str,
    written: edi837::SetWritten,
    verify: bool,
    meanwhile: impl FnOnce() -> R + Send,
) -> Result<(SetCheck, R), WriteError> {
    let edi837::SetWritten { bytes, spans, .. } = written;
    if !verify {
        return Ok((SetCheck::Valid(spans), meanwhile()));
    }
    let whole = edi837::standalone_set(config, env, &bytes)?;
    drop(bytes);
    let ((report, read_back), theirs) = rayon::join(
        || {
            rayon::join(
                || crate::validate::validate_file(name, &whole),
                || edi837::claim_spans(&whole),
            )
        },
        meanwhile,
    );
    let check = if !report.is_valid() {
        SetCheck::Invalid(report.findings.first().map(|f| f.message.clone()).unwrap_or_default())
    } else if !same_places(&spans, &read_back) {
        SetCheck::Invalid(
            "the claims' spans read back from the set are not those the writer recorded".into(),
        )
    } else {
        SetCheck::Valid(spans)
    };
    Ok((check, theirs))
}

/// Whether the writer's spans (in claim order) are the spans read back
/// from the set (in file order): the same positions and levels.
fn same_places(written: &[Span], read_back: &[edi837::ClaimSpan]) -> bool {
    let mut by_position: Vec<&Span> = written.iter().collect();
    by_position.sort_by_key(|s| s.first);
    by_position.len() == read_back.len()
        && by_position
            .iter()
            .zip(read_back)
            .all(|(w, r)| w.first == r.first && w.last == r.last && w.levels == r.levels)
}

/// Test hook for the crash-safety tests: with `CLAIMFLOW_TEST_CRASH_AT=<point>`
/// the process aborts (no destructors, like kill -9) at that point of the
/// submission: `allocated`, `pending` or `renamed`.
pub(crate) fn crash_point(point: &str) {
    if std::env::var("CLAIMFLOW_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edi837::tests::{config, sample_claims};

    fn envelope() -> edi837::Envelope {
        let now = chrono::NaiveDate::from_ymd_opt(2024, 3, 10).unwrap().and_hms_opt(8, 30, 0);
        edi837::Envelope { interchange_control: 5, group_control: 5, now: now.unwrap() }
    }

    /// One set of the sample claims, its bytes kept.
    fn one_set() -> edi837::SetWritten {
        let (cfg, env) = (config(), envelope());
        let mut w = edi837::SetWriter::begin(Vec::new(), &cfg, &env).unwrap();
        w.write_set(&sample_claims(), true).unwrap()
    }

    fn check(set: edi837::SetWritten, verify: bool) -> SetCheck {
        check_set(&config(), &envelope(), "t.x12", set, verify, || ()).unwrap().0
    }

    #[test]
    fn a_valid_set_passes_both_checks_with_the_writers_spans() {
        let set = one_set();
        let spans = set.spans.clone();
        assert_eq!(spans.len(), sample_claims().len());
        for verify in [false, true] {
            match check(one_set(), verify) {
                SetCheck::Valid(got) => assert_eq!(got, spans),
                SetCheck::Invalid(why) => panic!("{why}"),
            }
        }
    }

    #[test]
    fn verify_catches_a_set_that_does_not_validate() {
        let mut set = one_set();
        // SE01 one off: the writer would never do this.
        let text = String::from_utf8(set.bytes).unwrap();
        let at = text.rfind("SE*").unwrap();
        let (head, tail) = text.split_at(at);
        let count: u32 = tail[3..].split('*').next().unwrap().parse().unwrap();
        set.bytes =
            format!("{head}SE*{}{}", count + 1, &tail[3 + count.to_string().len()..]).into_bytes();
        assert!(matches!(check(set, true), SetCheck::Invalid(why) if why.contains("SE")));
        // Without --verify the bytes are not read again.
        let mut set = one_set();
        set.bytes.clear();
        assert!(matches!(check(set, false), SetCheck::Valid(_)));
    }

    #[test]
    fn verify_catches_spans_that_are_not_where_the_claims_are() {
        let mut set = one_set();
        set.spans[0].last += 1;
        assert!(matches!(check(set, true), SetCheck::Invalid(why) if why.contains("spans")));
        let mut set = one_set();
        set.spans[1].levels.pop();
        assert!(matches!(check(set, true), SetCheck::Invalid(_)));
    }
}
