//! claimflow: the claims side of a medical practice's revenue cycle, as a
//! library. The `claimflow` command is a thin shell over it: anything the
//! command does, a Rust program or a test can do by calling these modules.
//!
//! # The jobs
//!
//! - [`build`]: an encounter export in; scrubbed claims, an X12 5010 837P of
//!   the clean ones not yet sent, `rejects.csv`, the held-back rows and
//!   `manifest.json` out; the [`ledger`] updated. [`build::run`] returns a
//!   [`build::Report`].
//! - [`reconcile`]: 835 remittances in; every claim payment matched to the
//!   claims that were sent (from the ledger or from 837 files), classified,
//!   written to five CSV reports, tied out, and posted to the ledger.
//!   [`reconcile::run`] returns a [`reconcile::Summary`].
//!
//! - [`eligibility`]: an encounter or schedule export in, one 270 of
//!   eligibility inquiries out ([`eligibility::request`]); 271 answers in,
//!   coverage recorded and `coverage.csv` out ([`eligibility::read`]).
//!   `build` and `check` hold claims on the answers ([`coverage`]).
//!
//! - [`report`]: the ledger in (read-only, one read transaction); A/R
//!   aging, denials, payments and days to pay, patient balances and
//!   procedures out as CSV files, `summary.json` and one HTML page.
//!   [`report::run`] returns a [`report::Report`].
//!
//! None prints anything: the caller renders the report. Progress goes through
//! a [`progress::Progress`] ([`progress::Progress::silent`] for none).
//!
//! ```no_run
//! use std::path::{Path, PathBuf};
//! use claimflow::{build, clock, codeset::CodeSets, config::Config, ledger::Ledger};
//! use claimflow::{progress::Progress, reconcile};
//!
//! let config = Config::load(Path::new("fixtures/claimflow.toml"))?;
//! let export = Path::new("fixtures/encounters/demo.csv");
//! let inputs = build::Inputs::new(export, &config, CodeSets::shipped());
//! let options = build::Options { now: clock::parse_now("2026-11-27")?, resend: false };
//! let mut ledger = Ledger::open(Path::new("out/claimflow.db"))?;
//! let built = build::run(&inputs, &options, &mut ledger, Path::new("out"), &Progress::silent())?;
//! println!("sent {}, held {}", built.manifest.counts.sent, built.manifest.counts.held);
//!
//! let remits = [PathBuf::from("fixtures/835/demo.835")];
//! let options = reconcile::Options::new(clock::parse_now("2026-12-15")?);
//! let claims = reconcile::Claims::Ledger(&mut ledger);
//! let summary = reconcile::run(&remits, claims, Path::new("out/recon"), &options, &Progress::silent())?;
//! println!("denied {}, tie-out ok: {}", summary.counts.denied, summary.tie_out.ok);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/build_then_reconcile.rs` runs the same walk-through
//! (`cargo run --example build_then_reconcile`).
//!
//! # Diagnostics
//!
//! Every problem any layer reports is a [`finding::Finding`]: a rule id, a
//! severity, a message without PHI, and where it is (file, X12 position, CSV
//! row and column, claim). Its `Display` is the line the command prints.
//!
//! # The layers, from the bottom
//!
//! - [`finding`]: the diagnostic model; imports nothing from the crate.
//! - [`x12`]: tokenizer, envelopes and writer for any X12 interchange. Knows
//!   nothing of healthcare.
//! - [`claim`] (the domain model), [`config`], [`codeset`], [`values`] and
//!   [`numtext`] (reading and writing X12 values and money).
//! - [`encounter`] (CSV exports into claims), [`scrub`] (the rules),
//!   [`edi837`] (write and read 837P), [`edi835`] (read 835), [`validate`].
//! - [`ledger`] (SQLite memory between runs), then the jobs [`build`],
//!   [`reconcile`] and [`report`].
//!
//! The X12 layer on its own:
//!
//! ```
//! use claimflow::x12;
//! let input = b"ISA*00*          *00*          *ZZ*SUBMITTER      *ZZ*RECEIVER       *230101*1200*^*00501*000000001*0*T*:~GS*HC*S*R*20230101*1200*1*X*005010X222A1~ST*837*0001*005010X222A1~BHT*0019*00*1*20230101*1200*CH~SE*3*0001~GE*1*1~IEA*1*000000001~";
//! let scan = x12::scan(input);
//! assert!(scan.is_valid());
//! assert_eq!(scan.sets().count(), 1);
//! ```
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod ack;
mod atomic;
pub mod build;
pub mod claim;
pub mod clock;
pub mod codeset;
pub mod config;
pub mod coverage;
pub mod edi27x;
pub mod edi835;
pub mod edi837;
pub mod eligibility;
pub mod encounter;
pub mod filekind;
pub mod finding;
pub mod input;
pub mod ledger;
pub mod numtext;
pub mod progress;
pub mod reconcile;
pub mod report;
pub mod scrub;
pub mod secondary;
mod sending;
pub mod status;
pub mod suggest;
pub mod validate;
pub mod values;
pub mod x12;

/// Short text read from X12 files (ids, codes, qualifiers): values of up to
/// 24 bytes, nearly all of them, are stored inline without a heap
/// allocation, which matters when a run reads a million claim payments.
pub type Text = compact_str::CompactString;
