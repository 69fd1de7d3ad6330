//! What `build` and `secondary` share when they send an 837P: starting
//! it ([`start`]: control numbers taken, the temp file opened behind a
//! writer that hashes (sha256) and counts its bytes, the submission
//! recorded `pending`), the check of each transaction set as it is written
//! (the writer's own, or with `--verify` a validation in memory as the only
//! set of an interchange with the file's envelope, its claims' spans read
//! back and compared), ending it ([`finish`]: trailers, sha256, sets and
//! total filled in, the rename into place, the submission complete), and
//! the crash-test hook of the submission protocol. It does not decide what
//! is sent, nor record the claims.

use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use crate::atomic::AtomicFile;
use crate::config::Config;
use crate::edi837;
use crate::ledger::{self, Ledger, Span, SubmissionRecord};
use crate::progress::Progress;
use crate::x12::WriteError;

/// An 837P started by [`start`].
pub(crate) struct Started<'c> {
    pub(crate) env: edi837::Envelope,
    /// The file's name, `<prefix>-<ISA13>.x12`.
    pub(crate) name: String,
    pub(crate) dest: PathBuf,
    /// The ISA and GS written, into the temp file.
    pub(crate) writer: edi837::SetWriter<'c, Hashing<AtomicFile>>,
    /// The submission as recorded `pending` (its sha256, sets and total
    /// are filled in at the end) and its id in the ledger.
    pub(crate) sub: SubmissionRecord,
    pub(crate) id: i64,
}

/// Why an 837P could not be started or ended.
#[derive(Debug)]
pub(crate) enum Error {
    Ledger(ledger::Error),
    /// The file could not be created or written.
    Io {
        path: PathBuf,
        what: &'static str,
        cause: std::io::Error,
    },
    Write837 {
        path: PathBuf,
        cause: WriteError,
    },
}

impl From<ledger::Error> for Error {
    fn from(e: ledger::Error) -> Error {
        Error::Ledger(e)
    }
}

/// The [`Error::Io`] of `what` on `path`.
fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |cause| Error::Io { path, what, cause }
}

/// Takes the next control numbers from the ledger, starts
/// `<prefix>-<ISA13>.x12` in `out_dir` (an existing folder) as a temp file
/// with its ISA and GS, and records its submission `pending`: its claims
/// are recorded set by set as they are written.
pub(crate) fn start<'c>(
    config: &'c Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    prefix: &str,
    now: chrono::NaiveDateTime,
) -> Result<Started<'c>, Error> {
    let (isa13, gs06) =
        ledger.allocate_control_numbers(config.interchange.control_number_start.unwrap_or(1))?;
    crash_point("allocated");
    let name = format!("{prefix}-{isa13:09}.x12");
    let dest = out_dir.join(&name);
    let env = edi837::Envelope { interchange_control: isa13, group_control: gs06, now };
    let file = AtomicFile::create(&dest).map_err(io(&dest, "cannot create"))?;
    // The file's sha256 is taken from the bytes as they are written (no
    // second pass over the file for it).
    let writer = edi837::SetWriter::begin(Hashing::new(file), config, &env)
        .map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
    let abs = std::fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf()).join(&name);
    let sub = SubmissionRecord {
        file: abs,
        file_sha256: String::new(),
        isa13: format!("{isa13:09}"),
        gs06: gs06.to_string(),
        st02: Vec::new(),
        total_charge: Decimal::ZERO,
        created_at: now.format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    let id = ledger.begin_pending(&sub, 0)?;
    Ok(Started { env, name, dest, writer, sub, id })
}

/// An 837P ended by [`finish`]: in place, its submission complete.
pub(crate) struct Finished {
    pub(crate) dest: PathBuf,
    /// What the writer wrote: control numbers, sets, claims, lines, total.
    pub(crate) written: edi837::Written,
    /// The file's sha256 (hex), its size in bytes and its sets' ST02.
    pub(crate) sha256: String,
    pub(crate) bytes: u64,
    pub(crate) st02: Vec<String>,
}

/// Ends the 837P that [`start`] began (its last set written): writes the
/// trailers, fills in the pending submission `id` (the file's sha256, its
/// sets, claims and total; every claim queued is committed first), runs
/// `record` (the caller's other rows of the submission), renames the file
/// `dest` into place and marks the submission complete. A crash before the
/// rename leaves a pending submission without a file (abandoned when the
/// ledger is next opened); after it, one the next open completes. With
/// `stages`, the ledger's writes, the rename and the completion are stages
/// of their own there.
pub(crate) fn finish(
    ledger: &mut Ledger,
    dest: PathBuf,
    writer: edi837::SetWriter<'_, Hashing<AtomicFile>>,
    mut sub: SubmissionRecord,
    id: i64,
    stages: Option<&Progress>,
    record: impl FnOnce(&mut Ledger) -> Result<(), ledger::Error>,
) -> Result<Finished, Error> {
    let stage = |name| {
        if let Some(progress) = stages {
            progress.stage(name);
        }
    };
    let (written, mut hashing) =
        writer.finish().map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
    hashing.flush().map_err(io(&dest, "cannot write"))?;
    let Hashing { inner: file, hash, bytes } = hashing;
    sub.file_sha256 = ledger::hex(&hash.finalize());
    sub.st02 = written.sets.iter().map(|s| s.control.clone()).collect();
    sub.total_charge = written.total_charge;
    stage("recording in the ledger");
    ledger.end_pending(id, &sub, written.claims)?;
    record(ledger)?;
    crash_point("pending");
    stage("renaming the 837P into place (fsync)");
    file.commit().map_err(io(&dest, "cannot write"))?;
    crash_point("renamed");
    stage("marking the submission complete");
    ledger.complete(id)?;
    Ok(Finished { dest, written, sha256: sub.file_sha256, bytes, st02: sub.st02 })
}

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

    /// An 837P started in `dir` with one set of the sample claims written,
    /// ended by [`finish`] with `record`; the result and the submission as
    /// the ledger then holds it when complete.
    fn finished(
        dir: &Path,
        record: impl FnOnce(&mut Ledger) -> Result<(), ledger::Error>,
    ) -> (Result<Finished, Error>, Option<ledger::Submission>) {
        let cfg = config();
        let mut ledger = Ledger::open(&dir.join("claimflow.db")).unwrap();
        let now = envelope().now;
        let Started { mut writer, dest, sub, id, .. } =
            start(&cfg, &mut ledger, dir, "t", now).unwrap();
        writer.write_set(&sample_claims(), false).unwrap();
        let done = finish(&mut ledger, dest, writer, sub, id, None, record);
        (done, ledger.submission_by_id(id).unwrap())
    }

    #[test]
    fn finish_puts_the_file_in_place_with_its_hash_and_completes_the_submission() {
        let dir = tempfile::tempdir().unwrap();
        let mut recorded = false;
        let (done, complete) = finished(dir.path(), |_| {
            recorded = true;
            Ok(())
        });
        let done = done.unwrap();
        assert!(recorded);
        let bytes = std::fs::read(&done.dest).unwrap();
        assert_eq!(done.dest, dir.path().join("t-000000001.x12"));
        assert_eq!(done.bytes, bytes.len() as u64);
        assert_eq!(done.sha256, ledger::hex(&Sha256::digest(&bytes)));
        assert_eq!(done.st02, ["0001"]);
        assert_eq!(done.written.claims, sample_claims().len());
        assert_eq!(complete.map(|s| s.st02), Some(done.st02));
    }

    #[test]
    fn a_failed_record_leaves_no_file_and_the_submission_pending() {
        let dir = tempfile::tempdir().unwrap();
        let (done, complete) = finished(dir.path(), |_| {
            Err(ledger::Error::Folder {
                path: "ledger".into(),
                cause: std::io::Error::other("refused"),
            })
        });
        assert!(matches!(done, Err(Error::Ledger(_))));
        assert!(!dir.path().join("t-000000001.x12").exists());
        assert!(complete.is_none());
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
