//! Command-line surface: global options, the subcommand list, dispatch, and
//! the outcome that `main` turns into an exit code. One file per subcommand.
//! anyhow is used here and in `main.rs` only.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod build;
mod check;
mod parse;
mod progress;
mod reconcile;
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

#[derive(Debug, Subcommand)]
pub enum Command {
    Check(check::Args),
    Build(build::Args),
    Validate(validate::Args),
    Parse(parse::Args),
    Reconcile(reconcile::Args),
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
    pub fn exit_code(self) -> ExitCode {
        match self {
            Outcome::Clean => ExitCode::from(0),
            Outcome::NeedsAttention => ExitCode::from(1),
            Outcome::CouldNotRun => ExitCode::from(2),
        }
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
    }
}
