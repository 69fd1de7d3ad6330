//! The nightly build job as a library call: encounter export in; an 837P of
//! the clean claims not yet sent, `rejects.csv`, the held-back rows and
//! `manifest.json` out; the ledger updated.
//!
//! The job has two steps so that nothing is written when the export cannot be
//! read: [`prepare`] reads and scrubs (no file, no ledger touched), then
//! [`Prepared::submit`] asks the ledger what was already sent, writes the
//! files and records the submission. [`run`] does both. The returned
//! [`Report`] holds everything a caller prints; this module prints nothing.
//!
//! ```no_run
//! use claimflow::{build, clock, codeset::CodeSets, config::Config, ledger::Ledger, progress::Progress};
//! use std::path::Path;
//!
//! let config = Config::load(Path::new("fixtures/claimflow.toml"))?;
//! let inputs = build::Inputs::new(Path::new("fixtures/encounters/demo.csv"), &config, CodeSets::shipped());
//! let options = build::Options { now: clock::parse_now("2026-11-27")?, resend: false };
//! let mut ledger = Ledger::open(Path::new("out/claimflow.db"))?;
//! let report = build::run(&inputs, &options, &mut ledger, Path::new("out"), &Progress::silent())?;
//! println!("sent {} claim(s)", report.manifest.counts.sent);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use crate::claim::Claim;
use crate::codeset::CodeSets;
use crate::config::Config;
use crate::encounter::{self, Encounters, Layout};
use crate::finding::Finding;
use crate::progress::Progress;
use crate::scrub;

mod correction;
mod emit;
mod manifest;
mod outputs;
mod spill;
mod stream;
mod submit;

pub use manifest::{ControlNumbers, Counts, FileEntry, Manifest, Totals};
pub use stream::{open, Opened};
pub use submit::{CODESET_USED, NCCI_UNCHECKED};

/// Why a build could not run. Nothing was sent when this is returned: a
/// failure before the 837P is renamed into place leaves no 837P, and the
/// ledger counts its claims as not sent.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The export could not be read (unreadable, not CSV, missing columns).
    #[error(transparent)]
    Encounters(#[from] encounter::Error),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] crate::ledger::Error),
    /// A file could not be read or written.
    #[error("{path}: {what}: {cause}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What was being done (`cannot write`, `cannot create output folder`...).
        what: &'static str,
        /// The I/O error.
        #[source]
        cause: std::io::Error,
    },
    /// The 837P could not be written (I/O, or a value X12 cannot carry,
    /// which scrub holds back before writing).
    #[error("{path}: writing the 837P: {cause}")]
    Write837 {
        /// The 837P being written.
        path: PathBuf,
        /// The writer's error.
        #[source]
        cause: crate::x12::WriteError,
    },
    /// `out_dir` exists and is not a folder.
    #[error("{0}: the output path must be a folder")]
    NotAFolder(PathBuf),
    /// The 837P written failed claimflow's own validation (a bug): nothing
    /// was sent.
    #[error("{path}: the 837P written failed its own validation ({first}); nothing was sent. This is a bug in claimflow: please report it")]
    SelfCheck {
        /// The 837P that would have been written.
        path: PathBuf,
        /// The first finding.
        first: String,
    },
}

impl Error {
    pub(crate) fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> Error {
        let path = path.to_path_buf();
        move |cause| Error::Io { path, what, cause }
    }
}

impl From<crate::sending::Error> for Error {
    fn from(e: crate::sending::Error) -> Error {
        use crate::sending::Error as Sending;
        match e {
            Sending::Ledger(e) => Error::Ledger(e),
            Sending::Io { path, what, cause } => Error::Io { path, what, cause },
            Sending::Write837 { path, cause } => Error::Write837 { path, cause },
        }
    }
}

/// What the job reads.
#[derive(Debug)]
pub struct Inputs<'a> {
    /// The encounter export (canonical columns, or any CSV through `layout`).
    pub export: &'a Path,
    /// The layout mapping a foreign export onto the canonical columns, and
    /// the file it was loaded from (hashed into the manifest).
    pub layout: Option<(&'a Path, &'a Layout)>,
    /// The configuration.
    pub config: &'a Config,
    /// The file the configuration was loaded from (hashed into the
    /// manifest), when there is one.
    pub config_file: Option<&'a Path>,
    /// Code sets for the scrub rules ([`CodeSets::shipped`] or imported ones).
    pub codesets: &'a CodeSets,
}

impl<'a> Inputs<'a> {
    /// Inputs with no layout and no config file to record.
    pub fn new(export: &'a Path, config: &'a Config, codesets: &'a CodeSets) -> Inputs<'a> {
        Inputs { export, layout: None, config, config_file: None, codesets }
    }
}

/// How the job runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// The run's clock: envelope dates, date rules, the manifest.
    pub now: NaiveDateTime,
    /// Send claims again even when the ledger says they were sent.
    pub resend: bool,
}

/// An export read and scrubbed: what [`Prepared::submit`] sends. Nothing has
/// been written yet.
#[derive(Debug)]
pub struct Prepared {
    /// Claims with no error finding, in input order. After
    /// [`Prepared::submit`], the ones it sent are emptied (no id, lines
    /// or rows).
    pub clean: Vec<Claim>,
    /// Claims held back by the reader or the rules, in input order.
    pub held: Vec<Claim>,
    /// Every finding of the reader and the rules.
    pub findings: Vec<Finding>,
    /// The export as read (its rows are copied byte for byte into `held/`).
    pub encounters: Encounters,
    /// Data rows read (header excluded).
    pub rows_read: u64,
    /// Also validate each transaction set in memory as it is written
    /// (`build --verify`; false from [`prepare`]), besides the writer's own
    /// check.
    pub verify: bool,
    export: PathBuf,
    export_sha256: String,
    export_bytes: u64,
    recorded_inputs: Vec<PathBuf>,
    options: Options,
    /// The code sets scrubbed with (the NCCI rules run again against the
    /// ledger in `submit`; the manifest records the files).
    codesets: CodeSets,
}

/// Reads the export and scrubs every claim. Writes nothing; fails only when
/// the export as a whole cannot be read (a bad row or claim is a finding).
pub fn prepare(
    inputs: &Inputs<'_>,
    options: &Options,
    progress: &Progress,
) -> Result<Prepared, Error> {
    progress.stage("reading encounters");
    // The export is hashed for the manifest on the other core while it is read.
    let (read, hashed) = std::thread::scope(|s| {
        let hasher = s.spawn(|| manifest::hash_file(inputs.export));
        let read = read_and_scrub(inputs, options, progress);
        (read, hasher.join())
    });
    let (mut encounters, scrubbed) = read?;
    let (export_sha256, export_bytes) = hashed
        .unwrap_or_else(|_| Err(std::io::Error::other("hashing the export failed")))
        .map_err(Error::io(inputs.export, "cannot read"))?;
    let rows_read = scrubbed
        .clean
        .iter()
        .chain(&scrubbed.held)
        .map(|c| c.source.rows.len() as u64)
        .sum::<u64>()
        + encounters.unclaimed_rows.len() as u64;
    // The claims now live in `clean` and `held`.
    encounters.claims = Vec::new();
    let recorded_inputs = recorded_inputs(inputs);
    Ok(Prepared {
        clean: scrubbed.clean,
        held: scrubbed.held,
        findings: scrubbed.findings,
        encounters,
        rows_read,
        verify: false,
        export: inputs.export.to_path_buf(),
        export_sha256,
        export_bytes,
        recorded_inputs,
        options: options.clone(),
        codesets: inputs.codesets.clone(),
    })
}

/// The config and layout files given, hashed into the manifest.
fn recorded_inputs(inputs: &Inputs<'_>) -> Vec<PathBuf> {
    [inputs.config_file, inputs.layout.map(|(p, _)| p)]
        .into_iter()
        .flatten()
        .map(Path::to_path_buf)
        .collect()
}

fn read_and_scrub(
    inputs: &Inputs<'_>,
    options: &Options,
    progress: &Progress,
) -> Result<(Encounters, scrub::Scrubbed), Error> {
    let mut enc =
        encounter::read_counting(inputs.export, inputs.layout.map(|(_, l)| l), &mut |r, c| {
            progress.counts(r, c)
        })?;
    progress.stage("checking claims");
    let scrubbed = scrub::run(&mut enc, inputs.config, options.now, inputs.codesets);
    Ok((enc, scrubbed))
}

/// The whole job: [`open`], then [`Opened::run`] (streamed when no NCCI
/// edits are loaded, through an index of rows by claim when a claim's rows
/// are apart; else
/// [`prepare`], then [`Prepared::submit`]: the same bytes either way).
pub fn run(
    inputs: &Inputs<'_>,
    options: &Options,
    ledger: &mut crate::ledger::Ledger,
    out_dir: &Path,
    progress: &Progress,
) -> Result<Report, Error> {
    open(inputs)?.run(options, ledger, out_dir, progress).map(|(report, _)| report)
}

/// What a build did.
#[derive(Debug)]
pub struct Report {
    /// What `manifest.json` holds (also what `build --json` prints).
    pub manifest: Manifest,
    /// Every finding (reader, rules, ledger) in the order found (`rejects.csv`
    /// lists them by row).
    pub findings: Vec<Finding>,
    /// Things the operator should know that are not about a claim (a
    /// configured `control_number_start` the ledger has gone past); no PHI.
    pub notes: Vec<Finding>,
    /// What the run used, for the operator: one [`CODESET_USED`] per
    /// code-set file, and [`NCCI_UNCHECKED`] when the NCCI/MUE edits were
    /// not checked; printed as notes (their messages).
    pub codeset_notes: Vec<Finding>,
    /// The 837P written, when any claim was sent.
    pub x12_file: Option<PathBuf>,
    /// `rejects.csv` (always written, with its header when empty).
    pub rejects_file: PathBuf,
    /// `held/<export name>`: the rows of held-back claims, when there are any.
    pub held_file: PathBuf,
    /// Rows held back (claims held, and rows that belong to no claim).
    pub held_rows: usize,
    /// `manifest.json`.
    pub manifest_file: PathBuf,
}

impl Report {
    /// True when a person must look: a claim or row was held back.
    pub fn needs_attention(&self) -> bool {
        self.manifest.counts.held > 0 || self.held_rows > 0
    }

    /// The error findings (claims held back), by row.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.is_error())
    }
}
