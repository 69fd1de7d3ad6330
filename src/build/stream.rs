//! The build as a stream, in bounded memory: when the rows of each claim
//! are adjacent in the export (the usual export), claims are read, scrubbed,
//! decided, written to the 837P and recorded batch by batch as the file is
//! read, and freed; memory then depends on the batch and on what the run
//! keeps of each claim sent (its ledger record), not on the export.
//!
//! The file is read and each batch scrubbed on its own thread, on all cores
//! ([`encounter::Opened::read_parallel`]: a scan of the whole file first,
//! then runs of rows read a few at a time; the rules on the global rayon
//! pool), at most [`AHEAD`] batches ahead of the thread that takes the
//! ledger's answers, decides, writes and records them, whose own parallel
//! work (content hashes, rendering, ledger records) runs on a rayon pool of
//! its own, so that it does not wait behind the reader's jobs; a third
//! thread takes the export's sha256 meanwhile, and the 837P is hashed and
//! written on a fourth (`sending::Hashing`).
//!
//! Whether the rows are adjacent is found by the reader's scan, before it
//! hands on any batch (nothing touches the ledger or the output folder
//! before). When they are not, the rows are indexed by claim and the
//! claims read from it go through the same batches (`spill`); so do the
//! claims of a build with the NCCI/MUE edits loaded, whose rules look across
//! a compact table of every claim's services (`spill::run_ncci`). Otherwise
//! (an export too large to index, or NCCI edits with claims sent earlier
//! for the export's dates in the ledger) the whole-file build runs
//! ([`super::prepare`], then [`Prepared::submit`]). All give the same
//! bytes: the same steps run on each claim in the same order (`submit`,
//! `emit`, `outputs`), and findings are put in the same order at the end.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::emit::Emitter;
use super::outputs::Outcome;
use super::submit::{decide, hold_for_coverage, remove_stale_temp_files, start_ignored, Decision};
use super::{manifest, Error, Inputs, Options, Prepared, Report};
use crate::claim::Claim;
use crate::encounter;
use crate::finding::Finding;
use crate::ledger::{self, Ledger};
use crate::progress::Progress;
use crate::scrub::{self, IcdTally};

/// Claims handed on at a time by the reader.
pub(super) const BATCH: usize = 4_096;
/// Claims read ahead, at most, while the adjacency pass has not answered.
const READ_AHEAD: usize = 32_768;
/// Batches the reader may hand on before this thread takes them: two of
/// the reader's waves (it reads four runs at a time on two cores), so that
/// it starts the next wave at once instead of waiting for this thread.
const AHEAD: usize = 8;

/// An export whose header has been read: [`Opened::run`] builds it.
pub struct Opened<'a> {
    inputs: &'a Inputs<'a>,
    export: encounter::Opened,
    verify: bool,
}

/// Opens the export and reads its header: the errors that mean the export
/// cannot be read at all come here, before any ledger is opened.
pub fn open<'a>(inputs: &'a Inputs<'a>) -> Result<Opened<'a>, Error> {
    let export = encounter::open(inputs.export, inputs.layout.map(|(_, l)| l))?;
    Ok(Opened { inputs, export, verify: false })
}

/// Why the stream stopped early.
pub(super) enum Stop {
    /// A claim's rows are not adjacent: read the whole file instead.
    NotAdjacent,
    Failed(Error),
    /// The reading thread's batches are no longer taken (the run stopped
    /// for one of the reasons above), or it panicked.
    Gone,
}

/// A batch of claims read and scrubbed, and what was read.
type Batch = (scrub::Scrubbed, Read);

/// What a batch held as read: claims, their rows and service lines.
struct Read {
    claims: usize,
    rows: u64,
    lines: usize,
}

impl From<encounter::Error> for Stop {
    fn from(e: encounter::Error) -> Stop {
        Stop::Failed(e.into())
    }
}

impl From<Error> for Stop {
    fn from(e: Error) -> Stop {
        Stop::Failed(e)
    }
}

impl Opened<'_> {
    /// Also validates each transaction set in memory as it is written, with
    /// the validator of `claimflow validate` (`build --verify`), besides the
    /// writer's own check (see `sending::check_set`).
    pub fn verify(mut self, on: bool) -> Self {
        self.verify = on;
        self
    }

    /// Builds the export into `out_dir` and records it in `ledger`: streamed
    /// when it can be (see the module doc), else through [`Prepared`], which
    /// is returned then (its claims not sent are still in memory; the caller
    /// decides when to free them).
    pub fn run(
        self,
        options: &Options,
        ledger: &mut Ledger,
        out_dir: &std::path::Path,
        progress: &Progress,
    ) -> Result<(Report, Option<Prepared>), Error> {
        let Opened { inputs, export, verify } = self;
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(Error::NotAFolder(out_dir.to_path_buf()));
        }
        if inputs.codesets.edits.is_empty() {
            progress.stage("reading, checking and writing claims");
            // The parallel reader's scan answers whether the rows are
            // adjacent before it hands on any batch: nothing waits.
            let (tx, adjacent) = mpsc::channel();
            let _ = tx.send(true);
            let (streamed, hashed) = std::thread::scope(|s| {
                let export = &export;
                // The export's sha256 for the manifest, on another thread.
                let hasher = s.spawn(|| manifest::hash_file(inputs.export));
                let mut run = Stream::new(inputs, options, ledger, out_dir, progress, verify);
                let streamed = run
                    .read(export, &adjacent, |on_rows, on_batch| {
                        export
                            .read_parallel(encounter::PART_BYTES, on_rows, on_batch)?
                            .ok_or(Stop::NotAdjacent)
                    })
                    .map(|rows| (run, rows));
                (streamed, hasher.join())
            });
            match streamed {
                Ok((run, rows)) => {
                    let (sha256, bytes) = hashed
                        .unwrap_or_else(|_| Err(std::io::Error::other("hashing the export failed")))
                        .map_err(Error::io(inputs.export, "cannot read"))?;
                    let encounters = export.into_encounters(rows);
                    return run.finish(encounters, &sha256, bytes).map(|r| (r, None));
                }
                Err(Stop::Failed(e)) => return Err(e),
                Err(Stop::NotAdjacent) => {
                    let hashed = hashed
                        .unwrap_or_else(|_| Err(std::io::Error::other("hashing the export failed")))
                        .map_err(Error::io(inputs.export, "cannot read"))?;
                    // Too many rows to index: the whole-file build below.
                    let stream = Stream::new(inputs, options, ledger, out_dir, progress, verify);
                    if let Some(report) = super::spill::run(stream, export, hashed)? {
                        return Ok((report, None));
                    }
                }
                Err(Stop::Gone) => {
                    return Err(Error::Io {
                        path: inputs.export.to_path_buf(),
                        what: "cannot read",
                        cause: std::io::Error::other("the reading thread stopped"),
                    })
                }
            }
        } else if let Some(report) = super::spill::run_ncci(
            Stream::new(inputs, options, ledger, out_dir, progress, verify),
            export,
        )? {
            return Ok((report, None));
        }
        let mut prepared = super::prepare(inputs, options, progress)?;
        prepared.verify = verify;
        let report = prepared.submit(inputs.config, ledger, out_dir, progress)?;
        Ok((report, Some(prepared)))
    }
}

/// A streamed build under way: what it keeps of the claims it has seen.
pub(super) struct Stream<'r, 'a> {
    inputs: &'a Inputs<'a>,
    options: &'r Options,
    ledger: &'r mut Ledger,
    out_dir: &'r std::path::Path,
    progress: &'r Progress,
    file: String,
    icd: IcdTally,
    /// Findings of scrub, coverage and the ledger, each in claim order.
    scrubbed: Vec<Finding>,
    coverage: Vec<Finding>,
    decided: Vec<Finding>,
    notes: Vec<Finding>,
    start_note: Option<Finding>,
    /// Claims held back, kept whole for `held/` and the manifest.
    held: Vec<Claim>,
    already_sent: Vec<String>,
    already_charge: Decimal,
    rows_read: u64,
    claims: usize,
    lines_read: usize,
    emitter: Option<Emitter<'a>>,
    /// The NCCI edits' services of the whole export, when the edits are
    /// loaded (see `spill`).
    ncci: Option<scrub::DayIndex<'a>>,
    /// Validate each set in memory as well (`--verify`).
    verify: bool,
}

impl<'r, 'a> Stream<'r, 'a> {
    pub(super) fn new(
        inputs: &'a Inputs<'a>,
        options: &'r Options,
        ledger: &'r mut Ledger,
        out_dir: &'r std::path::Path,
        progress: &'r Progress,
        verify: bool,
    ) -> Stream<'r, 'a> {
        Stream {
            inputs,
            options,
            ledger,
            out_dir,
            progress,
            file: inputs.export.display().to_string(),
            icd: IcdTally::default(),
            scrubbed: Vec::new(),
            coverage: Vec::new(),
            decided: Vec::new(),
            notes: Vec::new(),
            start_note: None,
            held: Vec::new(),
            already_sent: Vec::new(),
            already_charge: Decimal::ZERO,
            rows_read: 0,
            claims: 0,
            lines_read: 0,
            emitter: None,
            ncci: None,
            verify,
        }
    }

    pub(super) fn inputs(&self) -> &'a Inputs<'a> {
        self.inputs
    }

    pub(super) fn progress(&self) -> &'r Progress {
        self.progress
    }

    pub(super) fn ledger(&self) -> &Ledger {
        self.ledger
    }

    /// The NCCI rules of each batch look across `days`, the services of
    /// every claim of the export (claim index = first-seen order).
    pub(super) fn with_days(mut self, days: scrub::DayIndex<'a>) -> Self {
        self.ncci = Some(days);
        self
    }

    /// Reads the export batch by batch through `source` (which reads the
    /// rows, calling its first argument for progress and its second with
    /// each batch); batches wait (at most [`READ_AHEAD`] claims) until
    /// `adjacent` answers.
    ///
    /// Two chains share the cores: the reading thread reads and scrubs each
    /// batch (the rules on the global rayon pool) and hands it on; this
    /// thread takes the ledger's answers, decides, writes and records, its
    /// parallel work (content hashes, rendering, ledger records) on a rayon
    /// pool of its own, so that it never waits behind the reader's jobs.
    pub(super) fn read<F>(
        &mut self,
        export: &encounter::Opened,
        adjacent: &mpsc::Receiver<bool>,
        source: F,
    ) -> Result<encounter::Rows, Stop>
    where
        F: FnOnce(
                &mut dyn FnMut(u64, u64),
                &mut dyn FnMut(Vec<Claim>, Vec<Finding>) -> Result<(), Stop>,
            ) -> Result<encounter::Rows, Stop>
            + Send,
    {
        let mut waiting: Vec<Batch> = Vec::new();
        let mut verdict: Option<bool> = None;
        // The file is read and scrubbed on its own thread, up to [`AHEAD`]
        // batches ahead of this one.
        let (rows_read, claims_read) = (AtomicU64::new(0), AtomicU64::new(0));
        let (tx, rx) = mpsc::sync_channel::<Batch>(AHEAD);
        // Without a pool of its own (it could not be made), this thread's
        // parallel work goes to the global pool.
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .thread_name(|i| format!("build-{i}"))
            .build()
            .ok();
        // The scrub's state goes with the reading thread for the run.
        let (inputs, now) = (self.inputs, self.options.now);
        let ncci = self.ncci.take();
        let mut icd = std::mem::take(&mut self.icd);
        let claims_before = self.claims;
        let read = std::thread::scope(|s| {
            let (ncci, icd) = (&ncci, &mut icd);
            let (rows_read, claims_read) = (&rows_read, &claims_read);
            let reader = s.spawn(move || {
                let tx = tx;
                // The claim index (first-seen order) of the batch's first claim.
                let mut first = claims_before;
                source(
                    &mut |r, c| {
                        rows_read.store(r, Ordering::Relaxed);
                        claims_read.store(c, Ordering::Relaxed);
                    },
                    &mut |claims, findings| {
                        let read = Read {
                            claims: claims.len(),
                            rows: claims.iter().map(|c| c.source.rows.len() as u64).sum(),
                            lines: claims.iter().map(|c| c.lines.len()).sum(),
                        };
                        let label = |c: &str| export.column_label(c);
                        let days = ncci.as_ref().map(|d| (d, first));
                        first += claims.len();
                        let scrubbed = scrub::run_batch(
                            claims,
                            findings,
                            &label,
                            inputs.config,
                            now,
                            inputs.codesets,
                            icd,
                            days,
                        );
                        // A send fails only when this thread has stopped.
                        tx.send((scrubbed, read)).map_err(|_| Stop::Gone)
                    },
                )
            });
            let mut done = Ok(());
            for batch in &rx {
                let (r, c) =
                    (rows_read.load(Ordering::Relaxed), claims_read.load(Ordering::Relaxed));
                self.progress.counts(r, c);
                waiting.push(batch);
                done =
                    self.ready(export, &mut waiting, &mut verdict, adjacent, false, pool.as_ref());
                if done.is_err() {
                    break;
                }
            }
            drop(rx);
            let rows = reader.join().unwrap_or(Err(Stop::Gone));
            done?;
            let rows = rows?;
            self.ready(export, &mut waiting, &mut verdict, adjacent, true, pool.as_ref())?;
            Ok(rows)
        });
        self.icd = icd;
        self.ncci = ncci;
        read
    }

    /// Runs the batches waiting once the adjacency pass has answered yes;
    /// waits for the answer when `block` or when too many claims wait.
    fn ready(
        &mut self,
        export: &encounter::Opened,
        waiting: &mut Vec<Batch>,
        verdict: &mut Option<bool>,
        adjacent: &mpsc::Receiver<bool>,
        block: bool,
        pool: Option<&rayon::ThreadPool>,
    ) -> Result<(), Stop> {
        if verdict.is_none() {
            let waited: usize = waiting.iter().map(|(_, read)| read.claims).sum();
            *verdict = match adjacent.try_recv() {
                Ok(v) => Some(v),
                // The pass ended without answering: read the whole file.
                Err(mpsc::TryRecvError::Disconnected) => Some(false),
                Err(mpsc::TryRecvError::Empty) if block || waited >= READ_AHEAD => {
                    Some(adjacent.recv().unwrap_or(false))
                }
                Err(mpsc::TryRecvError::Empty) => return Ok(()),
            };
            if *verdict == Some(false) {
                return Err(Stop::NotAdjacent);
            }
            self.start()?;
        }
        for (scrubbed, read) in waiting.drain(..) {
            match pool {
                Some(p) => p.install(|| self.batch(export, scrubbed, read))?,
                None => self.batch(export, scrubbed, read)?,
            }
        }
        Ok(())
    }

    /// The rows are adjacent: the output folder is made ready.
    fn start(&mut self) -> Result<(), Error> {
        let out_dir = self.out_dir;
        std::fs::create_dir_all(out_dir)
            .map_err(Error::io(out_dir, "cannot create output folder"))?;
        remove_stale_temp_files(out_dir);
        Ok(())
    }

    /// The steps of [`Prepared::submit`] after the scrub for one batch of
    /// claims.
    fn batch(
        &mut self,
        export: &encounter::Opened,
        scrubbed: scrub::Scrubbed,
        read: Read,
    ) -> Result<(), Error> {
        let (inputs, options) = (self.inputs, self.options);
        let (config, now) = (inputs.config, options.now);
        self.claims += read.claims;
        self.rows_read += read.rows;
        self.lines_read += read.lines;
        let label = |c: &str| export.column_label(c);
        let scrub::Scrubbed { mut clean, mut held, mut findings } = scrubbed;
        let ledger = &mut *self.ledger;
        self.notes.extend(super::correction::take_original_refs(
            &mut clean,
            &mut held,
            &mut findings,
            config,
            ledger,
        )?);
        self.scrubbed.append(&mut findings);
        let file = self.file.as_str();
        hold_for_coverage(
            &mut clean,
            &mut held,
            &mut self.coverage,
            config,
            ledger,
            now,
            file,
            &label,
        )?;
        let hashes: Vec<String> = clean.par_iter().map(ledger::content_hash).collect();
        let decisions = decide(&clean, ledger, &hashes, &mut self.decided, options.resend, file)?;
        for ((c, why), hash) in clean.into_iter().zip(decisions).zip(hashes) {
            match why {
                Decision::AlreadySent => {
                    self.already_charge += c.total_charge();
                    self.already_sent.push(c.claim_id);
                }
                Decision::Held => self.held.push(c),
                _ => {
                    if self.emitter.is_none() {
                        self.start_note = start_ignored(config, self.ledger)?;
                        self.emitter = Some(Emitter::open(
                            config,
                            self.ledger,
                            self.out_dir,
                            now,
                            self.verify,
                        )?);
                    }
                    if let Some(e) = &mut self.emitter {
                        e.send(c, why, hash, self.ledger)?;
                    }
                }
            }
        }
        self.held.append(&mut held);
        Ok(())
    }

    /// Ends the 837P and records it, then writes the other files.
    pub(super) fn finish(
        self,
        mut encounters: encounter::Encounters,
        export_sha256: &str,
        export_bytes: u64,
    ) -> Result<Report, Error> {
        let Stream { inputs, options, ledger, out_dir, progress, .. } = self;
        // In the order of the whole-file build: the one ICD release warning,
        // the file-level and unclaimed-row findings, then per claim scrub,
        // coverage and the ledger's.
        let mut findings: Vec<Finding> = self.icd.warning(inputs.codesets).into_iter().collect();
        findings.append(&mut encounters.findings);
        findings.extend(self.scrubbed);
        findings.extend(self.coverage);
        findings.extend(self.decided);
        let sent = match self.emitter {
            Some(e) => Some(e.finish(ledger, progress)?),
            None => None,
        };
        let mut notes = self.notes;
        notes.extend(self.start_note);
        let rows_read = self.rows_read + encounters.unclaimed_rows.len() as u64;
        super::outputs::write(Outcome {
            out_dir,
            export: inputs.export,
            export_sha256,
            export_bytes,
            recorded_inputs: &super::recorded_inputs(inputs),
            options,
            codesets: inputs.codesets,
            encounters: &encounters,
            findings,
            notes,
            sent,
            held: self.held.iter().collect(),
            already_sent: self.already_sent,
            already_charge: self.already_charge,
            rows_read,
            claims: self.claims,
            lines_read: self.lines_read,
            progress,
        })
    }
}
