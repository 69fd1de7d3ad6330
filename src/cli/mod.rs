//! Command-line surface: global options, the subcommand list, dispatch, and
//! the outcome that `main` turns into an exit code. One file per subcommand.
//! anyhow is used here and in `main.rs` only.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::bail;
use chrono::NaiveDateTime;
use clap::{Parser, Subcommand};

use claimflow::config::Config;
use claimflow::filekind::{self, Expected};

mod ack;
mod build;
mod check;
mod eligibility;
mod parse;
mod reconcile;
mod report;
mod secondary;
mod status;
mod validate;

/// claimflow: encounter exports to 837P claims, 835 remittances to reconciliation.
///
/// Exit codes: 0 clean; 1 ran to the end but something needs a person
/// (findings, held-back claims, discrepancies); 2 could not run.
#[derive(Debug, Parser)]
#[command(name = "claimflow", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, clap::Args)]
pub struct Global {
    /// Print machine-readable JSON on stdout instead of human text.
    #[arg(long, global = true)]
    pub json: bool,
    /// Worker threads (default: one per core).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
}

/// `--config FILE`, shared by the commands that read the configuration.
#[derive(Debug, clap::Args)]
pub struct ConfigArg {
    /// Configuration file [default: ./claimflow.toml].
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

impl ConfigArg {
    /// The config file named, else `./claimflow.toml`.
    pub fn path(&self) -> PathBuf {
        self.config.clone().unwrap_or_else(|| PathBuf::from("claimflow.toml"))
    }

    /// Loads the configuration; a missing file is named with what to do.
    pub fn load(&self) -> anyhow::Result<Config> {
        let path = self.path();
        if !path.exists() {
            bail!("{}", missing_config(&path, self.config.is_some()));
        }
        Ok(Config::load(&path)?)
    }
}

/// The message for a config file that is not there, with the two ways out.
fn missing_config(path: &Path, named: bool) -> String {
    let how = if named {
        "named by --config): check the path"
    } else {
        "read when --config is not given): pass --config FILE"
    };
    format!(
        "{}: no config file ({how}, or copy the commented example fixtures/claimflow.toml to ./claimflow.toml and edit it (every key: docs/config.md)",
        path.display()
    )
}

/// `--ledger FILE`, shared by the commands that keep the ledger.
#[derive(Debug, clap::Args)]
pub struct LedgerArg {
    /// Ledger file [default: claimflow.db beside the config file].
    #[arg(long, value_name = "FILE")]
    pub ledger: Option<PathBuf>,
}

impl LedgerArg {
    /// The ledger named, else `claimflow.db` beside the config file (which
    /// must exist when it was named).
    pub fn path(&self, config: &ConfigArg) -> anyhow::Result<PathBuf> {
        if let Some(l) = &self.ledger {
            return Ok(l.clone());
        }
        let path = config.path();
        if config.config.is_some() && !path.exists() {
            bail!("{}", missing_config(&path, true));
        }
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Ok(dir.join("claimflow.db"))
    }
}

/// `--now TIMESTAMP`, shared by the commands with date rules or dates.
#[derive(Debug, clap::Args)]
pub struct NowArg {
    /// The run's clock: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS,
    /// local time [default: the system clock].
    #[arg(long, value_name = "TIMESTAMP")]
    pub now: Option<String>,
}

impl NowArg {
    /// The `--now` given, else the local wall clock.
    pub fn get(&self) -> anyhow::Result<NaiveDateTime> {
        Ok(claimflow::clock::now_or_local(self.now.as_deref())?)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Build(build::Args),
    Validate(validate::Args),
    Parse(parse::Args),
    Reconcile(reconcile::Args),
    Report(report::Args),
    Secondary(secondary::Args),
    Ack(ack::Args),
    Status(status::Args),
    Eligibility(eligibility::Args),
}

/// How a command ended, when it could run at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything clean: exit 0.
    Clean,
    /// Ran to the end, but something needs a person: exit 1.
    NeedsAttention,
    /// Some input could not be read at all (others were processed): exit 2.
    CouldNotRun,
}

impl Outcome {
    /// [`Outcome::CouldNotRun`] when some input could not be read, else
    /// [`Outcome::NeedsAttention`] when something needs a person, else
    /// [`Outcome::Clean`].
    pub fn of(could_not_run: bool, needs_attention: bool) -> Outcome {
        if could_not_run {
            Outcome::CouldNotRun
        } else if needs_attention {
            Outcome::NeedsAttention
        } else {
            Outcome::Clean
        }
    }

    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::from(0),
            Outcome::NeedsAttention => ExitCode::from(1),
            Outcome::CouldNotRun => ExitCode::from(2),
        }
    }
}

/// At most this many findings are printed in a human report.
const MAX_PRINTED_FINDINGS: usize = 50;

/// Prints the first findings, one a line, then how many more `--json` lists.
pub fn print_findings(
    out: &mut dyn Write,
    findings: &[claimflow::finding::Finding],
) -> io::Result<()> {
    for f in findings.iter().take(MAX_PRINTED_FINDINGS) {
        writeln!(out, "{f}")?;
    }
    if findings.len() > MAX_PRINTED_FINDINGS {
        let more = findings.len() - MAX_PRINTED_FINDINGS;
        writeln!(out, "... {more} more finding(s) (see --json)")?;
    }
    Ok(())
}

/// The files of the kind the command reads (or that the recogniser cannot
/// place: the command's reader reports those); each file of another kind is
/// named on stderr in one line, with the command that reads it. The flag is
/// true when a file was left out (the command then exits 2).
pub(crate) fn files_of_kind(files: &[PathBuf], expected: Expected) -> (Vec<PathBuf>, bool) {
    let mut kept = Vec::with_capacity(files.len());
    let mut wrong = false;
    for f in files {
        match filekind::check(f, expected) {
            Ok(()) => kept.push(f.clone()),
            Err(e) => {
                eprintln!("claimflow: {e}");
                wrong = true;
            }
        }
    }
    (kept, wrong)
}

/// Says on stderr what opening the ledger repaired: submissions a crash left
/// pending (completed or abandoned), one warning each, printed as the other
/// findings are.
pub fn print_ledger_notes(ledger: &claimflow::ledger::Ledger) {
    for finding in &ledger.recovered {
        eprintln!("claimflow: {finding}");
    }
}

pub fn run(cli: Cli) -> anyhow::Result<Outcome> {
    if let Some(n) = cli.global.threads {
        rayon::ThreadPoolBuilder::new().num_threads(n.max(1)).build_global()?;
    }
    match cli.command {
        Command::Check(args) => check::run(args, &cli.global),
        Command::Build(args) => build::run(args, &cli.global),
        Command::Validate(args) => validate::run(args, &cli.global),
        Command::Parse(args) => parse::run(args, &cli.global),
        Command::Reconcile(args) => reconcile::run(args, &cli.global),
        Command::Report(args) => report::run(args, &cli.global),
        Command::Secondary(args) => secondary::run(args, &cli.global),
        Command::Ack(args) => ack::run(args, &cli.global),
        Command::Status(args) => status::run(args, &cli.global),
        Command::Eligibility(args) => eligibility::run(args, &cli.global),
    }
}

/// Prints a job's result on standard output: `value` as JSON with `--json`,
/// else its text form written by `text`.
pub(crate) fn print_result<T: serde::Serialize>(
    json: bool,
    value: &T,
    text: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> anyhow::Result<()> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        text(&mut out)?;
    }
    out.flush()?;
    Ok(())
}
