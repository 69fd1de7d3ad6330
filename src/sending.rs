//! What `build` and `secondary` share when they send an 837P: starting
//! it ([`start`]: control numbers taken, the temp file opened behind a
//! writer that hashes (sha256), counts and writes its bytes on a thread of
//! its own, the submission recorded `pending`), the check of each
//! transaction set as it is written (the writer's own, or with `--verify` a
//! validation in memory as the only set of an interchange with the file's
//! envelope, its claims' spans read back and compared), ending it
//! ([`finish`]: trailers, sha256, sets and total filled in, the file synced
//! while the ledger commits, the rename into place, the submission
//! complete), and the crash-test hook of the submission protocol. It does
//! not decide what is sent, nor record the claims.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;

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
    let hashing = Hashing::new(file).map_err(io(&dest, "cannot create"))?;
    let writer = edi837::SetWriter::begin(hashing, config, &env)
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
/// `record` (the caller's other rows of the submission) while the file is
/// synced on another thread, renames the file `dest` into place once both
/// are done and marks the submission complete. A crash before the
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
    let (written, hashing) =
        writer.finish().map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
    let Hashed { inner: mut file, hash, bytes } =
        hashing.finish().map_err(io(&dest, "cannot write"))?;
    sub.file_sha256 = ledger::hex(&hash.finalize());
    sub.st02 = written.sets.iter().map(|s| s.control.clone()).collect();
    sub.total_charge = written.total_charge;
    stage("recording in the ledger (the 837P synced meanwhile)");
    // The temp file's fsync runs on another thread while the ledger waits
    // for its recording thread and commits (synced) what the rename needs;
    // the file is renamed only after both.
    let (synced, recorded) = std::thread::scope(|s| {
        let syncing = s.spawn(|| file.sync());
        let recorded = ledger.end_pending(id, &sub, written.claims).and_then(|()| record(ledger));
        let synced = syncing
            .join()
            .unwrap_or_else(|_| Err(std::io::Error::other("syncing the file failed")));
        (synced, recorded)
    });
    recorded?;
    synced.map_err(io(&dest, "cannot write"))?;
    crash_point("pending");
    stage("renaming the 837P into place");
    file.commit().map_err(io(&dest, "cannot write"))?;
    crash_point("renamed");
    stage("marking the submission complete");
    ledger.complete(id)?;
    Ok(Finished { dest, written, sha256: sub.file_sha256, bytes, st02: sub.st02 })
}

/// A writer that hashes (sha256), counts and writes the bytes it is given
/// on a thread of its own: a write copies the bytes into a block, and each
/// full block goes to that thread, which hashes it and writes it to the
/// inner writer while the caller goes on (the 837P's sets are rendered
/// while the sets before them are hashed and written). [`Hashing::finish`]
/// waits for the thread and gives the inner writer back; an error of the
/// thread comes back from the next write, flush or `finish`. Blocks go back
/// to the writer once written, so memory is a few blocks.
pub(crate) struct Hashing<W: Write + Send + 'static> {
    /// The block being filled.
    block: Vec<u8>,
    /// Full blocks to the thread (`None` once it stopped).
    to_thread: Option<mpsc::SyncSender<Vec<u8>>>,
    /// Blocks written, back for reuse.
    written: mpsc::Receiver<Vec<u8>>,
    thread: Option<thread::JoinHandle<std::io::Result<Hashed<W>>>>,
    /// The thread's error once it stopped on one (for the writes after).
    failed: Option<std::io::ErrorKind>,
}

/// What a [`Hashing`] writer wrote, once finished.
pub(crate) struct Hashed<W> {
    pub(crate) inner: W,
    pub(crate) hash: Sha256,
    pub(crate) bytes: u64,
}

/// Bytes gathered before a block goes to the writing thread.
const BLOCK: usize = 1 << 20;
/// Blocks waiting for the writing thread, at most.
const BLOCKS_QUEUED: usize = 4;

impl<W: Write + Send + 'static> Hashing<W> {
    /// Starts the thread writing to `inner`.
    pub(crate) fn new(inner: W) -> std::io::Result<Hashing<W>> {
        let (to_thread, blocks) = mpsc::sync_channel::<Vec<u8>>(BLOCKS_QUEUED);
        let (give_back, written) = mpsc::channel::<Vec<u8>>();
        let thread = thread::Builder::new().name("write-837".into()).spawn(move || {
            let mut out = Hashed { inner, hash: Sha256::new(), bytes: 0 };
            for mut block in blocks {
                out.hash.update(&block);
                out.inner.write_all(&block)?;
                out.bytes += block.len() as u64;
                block.clear();
                // The writer may be gone already (finishing): the block is freed.
                let _ = give_back.send(block);
            }
            out.inner.flush()?;
            Ok(out)
        })?;
        Ok(Hashing {
            block: Vec::new(),
            to_thread: Some(to_thread),
            written,
            thread: Some(thread),
            failed: None,
        })
    }

    /// Hands the block being filled to the thread (when not empty).
    fn pass_on(&mut self) -> std::io::Result<()> {
        if let Some(kind) = self.failed {
            return Err(std::io::Error::new(kind, "writing the file failed earlier"));
        }
        if self.block.is_empty() {
            return Ok(());
        }
        let next = self.written.try_recv().unwrap_or_default();
        let block = std::mem::replace(&mut self.block, next);
        let sent = self.to_thread.as_ref().is_some_and(|t| t.send(block).is_ok());
        if sent {
            return Ok(());
        }
        // The thread stopped on an error: that error.
        let e = match self.join() {
            Err(e) => e,
            Ok(_) => std::io::Error::other("the thread writing the file stopped"),
        };
        self.failed = Some(e.kind());
        Err(e)
    }

    /// Ends the thread once it has written every block handed over.
    fn join(&mut self) -> std::io::Result<Hashed<W>> {
        self.to_thread = None;
        match self.thread.take().map(thread::JoinHandle::join) {
            Some(Ok(done)) => done,
            Some(Err(_)) => Err(std::io::Error::other("the thread writing the file panicked")),
            None => Err(std::io::Error::other("the thread writing the file stopped")),
        }
    }

    /// Hands on what is left, waits until everything is hashed, written and
    /// flushed, and gives back the inner writer, the hash and the count.
    pub(crate) fn finish(mut self) -> std::io::Result<Hashed<W>> {
        self.pass_on()?;
        self.join()
    }
}

impl<W: Write + Send + 'static> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Some(kind) = self.failed {
            return Err(std::io::Error::new(kind, "writing the file failed earlier"));
        }
        self.block.extend_from_slice(buf);
        if self.block.len() >= BLOCK {
            self.pass_on()?;
        }
        Ok(buf.len())
    }
    /// Hands the bytes written so far to the thread (it does not wait for
    /// them to be written: [`Hashing::finish`] does).
    fn flush(&mut self) -> std::io::Result<()> {
        self.pass_on()
    }
}

impl<W: Write + Send + 'static> Drop for Hashing<W> {
    /// Waits for the thread, so that the inner writer (a temp file that
    /// removes itself when dropped) is dropped before the writer returns.
    fn drop(&mut self) {
        let _ = self.join();
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
    fn the_hashing_writer_writes_hashes_and_counts_every_byte_in_order() {
        let mut w = Hashing::new(Vec::new()).unwrap();
        let mut expected = Vec::new();
        // Writes of every size around a block, and empty ones.
        for i in 0..60usize {
            let chunk = vec![(i % 251) as u8; (i * 7919) % (3 * BLOCK / 2)];
            w.write_all(&chunk).unwrap();
            expected.extend_from_slice(&chunk);
            if i % 17 == 0 {
                w.flush().unwrap();
            }
        }
        let Hashed { inner, hash, bytes } = w.finish().unwrap();
        assert_eq!(bytes, expected.len() as u64);
        assert!(inner == expected, "the bytes written differ");
        assert_eq!(hash.finalize()[..], Sha256::digest(&expected)[..]);
    }

    /// A writer that fails once `room` bytes are written (a full disk).
    struct Full {
        room: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if buf.len() > self.room {
                return Err(std::io::Error::other("no space left"));
            }
            self.room -= buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_error_of_the_file_comes_back_from_a_write_or_finish() {
        for room in [0, 10, BLOCK, 5 * BLOCK + 3] {
            let mut w = Hashing::new(Full { room }).unwrap();
            let block = vec![b'x'; BLOCK / 3 + 1];
            let mut failed = None;
            for _ in 0..64 {
                if let Err(e) = w.write_all(&block) {
                    failed = Some(e);
                    break;
                }
            }
            let e = match failed {
                // Every write after the error fails too.
                Some(e) => {
                    assert!(w.write_all(b"more").is_err());
                    assert!(w.finish().is_err());
                    e
                }
                None => w.finish().err().expect("a file that is full must fail"),
            };
            assert!(e.to_string().contains("no space left"), "{e}");
        }
        // An error found only at the end.
        let mut w = Hashing::new(Full { room: 10 }).unwrap();
        w.write_all(b"more than ten bytes").unwrap();
        assert!(w.finish().is_err());
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
