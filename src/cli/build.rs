//! `claimflow build`: encounter export -> scrubbed claims -> one 837P file for
//! the clean claims, a rejects report and the held-back rows for the rest, a
//! run manifest, and the ledger updated.
//!
//! Stages: (1) check arguments, load config, take the ledger lock; (2) read
//! and scrub (nothing written yet: a fatal problem exits 2 with nothing
//! written); (3) ask the ledger what was already sent; (4) write the 837P to
//! a temp file, re-validate it with the X12 engine, record it in the ledger
//! as pending, rename it into place, mark it complete; (5) write
//! `rejects.csv`, `held/` and `manifest.json` (each atomically).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDateTime;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;
use sha2::{Digest, Sha256};

use claimflow::atomic::AtomicFile;
use claimflow::claim::{format_money, Claim, Frequency};
use claimflow::codeset::CodeSets;
use claimflow::config::Config;
use claimflow::edi837;
use claimflow::encounter::{self, Encounters, Layout};
use claimflow::ledger::{self, ClaimRecord, Ledger, SubmissionRecord};
use claimflow::scrub;

use super::progress::Progress;
use super::{Global, Outcome};

/// Build 837P claims from an encounter export.
///
/// Reads the export (canonical layout, or any other through --layout), checks
/// every claim, and writes into DIR: `claims-<ISA13>.x12` (the 837P of every
/// clean claim not already sent), `rejects.csv` (claim_id, row, column, rule,
/// severity, message for every finding), `held/<export name>` (the original
/// rows of held-back claims, to fix and re-run) and `manifest.json` (inputs
/// and outputs with sha256, counts, totals, control numbers). The ledger
/// remembers what was sent: re-running on the same export sends nothing
/// twice; a sent claim whose content changed is held back until a
/// replacement (frequency 7) is built, or --resend is given.
///
/// Exit: 0 all claims sent (or already sent), 1 some held back, 2 could not
/// run (nothing written).
///
/// Examples:
///   claimflow build fixtures/encounters/demo.csv --config fixtures/claimflow.toml --out out
///   claimflow build export.csv --out outbox --now 2025-07-01T02:00 --ledger /var/lib/claimflow.db
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Encounter CSV export.
    #[arg(value_name = "ENCOUNTERS.csv")]
    input: PathBuf,
    /// Output folder (created if missing).
    #[arg(short, long, value_name = "DIR")]
    out: PathBuf,
    /// Config file [default: ./claimflow.toml].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ledger file [default: claimflow.db beside the config].
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Layout file mapping a foreign export onto the canonical columns.
    #[arg(long, value_name = "FILE")]
    layout: Option<PathBuf>,
    /// The run's clock (YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS, local time).
    #[arg(long, value_name = "TIMESTAMP")]
    now: Option<String>,
    /// Send claims again even when the ledger says they were sent.
    #[arg(long)]
    resend: bool,
    /// Folder of newer ICD-10-CM releases (`icd10cm-FY<YYYY>.txt`), as for `check`.
    #[arg(long, value_name = "DIR")]
    codeset_dir: Option<PathBuf>,
}

/// One line of `rejects.csv` (also used for ledger findings).
#[derive(Clone, Debug, Serialize)]
pub struct Reject {
    /// CLM01 (empty when the finding is about a row that has none).
    pub claim_id: String,
    /// 1-based CSV row (header = 1); 0 when the finding is about the whole claim.
    pub row: u64,
    /// Canonical column name (empty when not about one column).
    pub column: String,
    /// Stable rule id.
    pub rule: String,
    /// `error` (holds the claim back) or `warning`.
    pub severity: String,
    /// Plain-language message (no PHI).
    pub message: String,
}

impl Reject {
    fn is_error(&self) -> bool {
        self.severity == "error"
    }
}

/// What stage 2 produces.
struct Prepared {
    /// Claims with no error finding, in input order.
    clean: Vec<Claim>,
    /// Claims held back by the reader or the rules.
    held: Vec<Claim>,
    /// Every finding, as `rejects.csv` lines.
    findings: Vec<Reject>,
    /// The export as read (for copying held rows byte for byte).
    enc: Encounters,
    /// Data rows read (header excluded).
    rows_read: u64,
}

/// Stage 2: read the export and scrub it. Fatal problems (unreadable, not
/// CSV, missing columns, bad layout) are errors; nothing is written yet.
fn read_and_scrub(run: &Run, progress: &Progress) -> anyhow::Result<Prepared> {
    let layout = run.layout.as_deref().map(Layout::load).transpose()?;
    let mut enc = encounter::read(&run.input, layout.as_ref())?;
    progress.stage("checking claims");
    let codesets = run.codesets.as_ref().unwrap_or_else(|| CodeSets::shipped());
    let scrubbed = scrub::run(&mut enc, &run.config, run.now, codesets);
    let rows_read = scrubbed
        .clean
        .iter()
        .chain(&scrubbed.held)
        .map(|c| c.source.rows.len() as u64)
        .sum::<u64>()
        + enc.unclaimed_rows.len() as u64;
    let findings = scrubbed
        .findings
        .iter()
        .map(|f| Reject {
            claim_id: f.claim_id.clone(),
            row: f.row,
            column: f.column.clone(),
            rule: f.rule.to_string(),
            severity: f.severity.as_str().to_string(),
            message: f.message.clone(),
        })
        .collect();
    Ok(Prepared { clean: scrubbed.clean, held: scrubbed.held, findings, enc, rows_read })
}

/// What happened to one claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Decision {
    Send(&'static str),
    AlreadySent,
    Held,
}

#[derive(Debug, Serialize)]
struct FileEntry {
    path: String,
    bytes: u64,
    sha256: String,
}

#[derive(Debug, Serialize)]
struct Counts {
    rows: u64,
    claims: usize,
    lines: usize,
    sent: usize,
    sent_lines: usize,
    already_sent: usize,
    held: usize,
    errors: usize,
    warnings: usize,
}

#[derive(Debug, Serialize)]
struct Totals {
    sent_charge: String,
    held_charge: String,
    already_sent_charge: String,
}

#[derive(Debug, Serialize)]
struct ControlNumbers {
    isa13: Option<String>,
    gs06: Option<String>,
    st02: Vec<String>,
}

#[derive(Debug, Serialize)]
struct Manifest {
    claimflow: &'static str,
    now: String,
    resend: bool,
    inputs: Vec<FileEntry>,
    outputs: Vec<FileEntry>,
    counts: Counts,
    totals: Totals,
    control_numbers: ControlNumbers,
    held_claims: Vec<String>,
    already_sent_claims: Vec<String>,
}

/// Checked arguments (stage 1).
struct Run {
    input: PathBuf,
    out: PathBuf,
    config: Config,
    config_path: PathBuf,
    ledger_path: PathBuf,
    layout: Option<PathBuf>,
    now: NaiveDateTime,
    resend: bool,
    /// Imported code sets (`--codeset-dir`), else the shipped ones.
    codesets: Option<CodeSets>,
}

impl Run {
    fn from_args(args: Args) -> anyhow::Result<Run> {
        let config_path = args.config.unwrap_or_else(|| PathBuf::from("claimflow.toml"));
        let config = Config::load(&config_path)?;
        let ledger_path = args.ledger.unwrap_or_else(|| config.default_ledger_path());
        let now = claimflow::clock::now_or_local(args.now.as_deref())?;
        if !args.input.is_file() {
            bail!("{}: cannot read encounter export: not a file", args.input.display());
        }
        if args.out.exists() && !args.out.is_dir() {
            bail!("{}: --out must be a folder", args.out.display());
        }
        Ok(Run {
            input: args.input,
            out: args.out,
            config,
            config_path,
            ledger_path,
            layout: args.layout,
            now,
            resend: args.resend,
            codesets: args.codeset_dir.as_deref().map(CodeSets::with_dir).transpose()?,
        })
    }
}

/// Held-back findings listed on stdout; the rest are in rejects.csv.
const MAX_PRINTED: usize = 20;

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let run = Run::from_args(args)?;
    let progress = Progress::new();
    progress.stage("opening the ledger");
    let mut ledger = Ledger::open(&run.ledger_path)?;
    if let Some(pid) = ledger.took_over_lock_from {
        eprintln!(
            "claimflow: took over a stale ledger lock left by process {pid}, which is no longer running"
        );
    }
    for (isa13, completed) in &ledger.recovered {
        if *completed {
            eprintln!("claimflow: recovered interrupted submission ISA13 {isa13}: its file exists; recorded as sent");
        } else {
            eprintln!("claimflow: interrupted submission ISA13 {isa13} has no file; its claims count as not sent");
        }
    }

    // Stage 2: read and scrub; hash the input alongside.
    progress.stage("reading encounters");
    let (prepared, input_hash) = std::thread::scope(|s| {
        let hasher = s.spawn(|| hash_file(&run.input));
        let prepared = read_and_scrub(&run, &progress);
        (prepared, hasher.join())
    });
    let mut prepared = prepared?;
    let input_hash = input_hash
        .map_err(|_| anyhow::anyhow!("hashing the input failed"))?
        .with_context(|| format!("{}: cannot read", run.input.display()))?;

    // Stage 3: of the clean claims, what was sent already.
    progress.stage("hashing claims");
    let hashes: Vec<String> = prepared.clean.par_iter().map(ledger::content_hash).collect();
    progress.stage("looking up sent claims");
    let keys: Vec<(&str, &str)> =
        prepared.clean.iter().map(|c| (c.claim_id.as_str(), c.payer.id.as_str())).collect();
    let known = ledger.lookup(&keys)?;
    drop(keys);
    let mut decisions = Vec::with_capacity(prepared.clean.len());
    let mut ledger_findings = Vec::new();
    for (i, c) in prepared.clean.iter().enumerate() {
        let d = match &known[i] {
            None => Decision::Send("sent"),
            Some(_) if run.resend => Decision::Send("resent"),
            Some(k) if k.content_hash == hashes[i] => Decision::AlreadySent,
            Some(_) if c.frequency == Frequency::Replacement => Decision::Send("replacement"),
            Some(_) if c.frequency == Frequency::Void => Decision::Send("void"),
            Some(k) => {
                ledger_findings.push(Reject {
                    claim_id: c.claim_id.clone(),
                    row: c.source.rows.first().copied().unwrap_or(0),
                    column: String::new(),
                    rule: scrub::LEDGER_CHANGED.id.into(),
                    severity: "error".into(),
                    message: format!(
                        "claim {} was already sent (ISA13 {}) and its content has changed since; \
                         send a replacement: set frequency 7 and original_ref to the payer's claim \
                         control number, or re-run with --resend to send it again as is",
                        c.claim_id, k.isa13
                    ),
                });
                Decision::Held
            }
        };
        decisions.push(d);
    }
    prepared.findings.extend(ledger_findings);

    // Stage 4: the 837P.
    fs::create_dir_all(&run.out)
        .with_context(|| format!("{}: cannot create output folder", run.out.display()))?;
    remove_stale_temp_files(&run.out);
    let to_send: Vec<usize> =
        (0..prepared.clean.len()).filter(|&i| matches!(decisions[i], Decision::Send(_))).collect();
    let mut outputs = Vec::new();
    let mut control = ControlNumbers { isa13: None, gs06: None, st02: Vec::new() };
    let mut sent_charge = Decimal::ZERO;
    let mut sent_lines = 0;
    let mut x12_file = None;
    if !to_send.is_empty() {
        progress.stage("writing the 837P");
        let (isa13, gs06) = ledger.allocate_control_numbers()?;
        crash_point("allocated");
        let name = format!("claims-{isa13:09}.x12");
        let dest = run.out.join(&name);
        let claims: Vec<&Claim> = to_send.iter().map(|&i| &prepared.clean[i]).collect();
        let env =
            edi837::Envelope { interchange_control: isa13, group_control: gs06, now: run.now };
        let mut file = AtomicFile::create(&dest)
            .with_context(|| format!("{}: cannot create", dest.display()))?;
        let written = edi837::write(&mut file, &claims, &run.config, &env)
            .with_context(|| format!("{}: writing the 837P", dest.display()))?;
        file.flush()?;
        // Self-check: re-read what is on disk and validate it.
        progress.stage("re-validating the 837P");
        let bytes = claimflow::input::open(file.temp_path())
            .with_context(|| format!("{}: cannot re-read", dest.display()))?;
        let report = claimflow::validate::validate_file(&name, &bytes);
        if !report.is_valid() {
            let first = report.findings.first().map(|f| f.message.clone()).unwrap_or_default();
            bail!(
                "{}: the 837P written failed its own validation ({}); nothing was sent. This is a bug in claimflow: please report it",
                dest.display(),
                first
            );
        }
        let sha = ledger::hex(&Sha256::digest(&bytes[..]));
        let size = bytes.len() as u64;
        drop(bytes);
        let st02: Vec<String> = written.sets.iter().map(|s| s.control.clone()).collect();
        let mut set_of = Vec::with_capacity(claims.len());
        for s in &written.sets {
            set_of.extend(std::iter::repeat(s.control.clone()).take(s.claims));
        }
        let records: Vec<ClaimRecord> = to_send
            .iter()
            .zip(&set_of)
            .map(|(&i, st)| {
                let c = &prepared.clean[i];
                ClaimRecord {
                    claim_id: c.claim_id.clone(),
                    payer_id: c.payer.id.clone(),
                    content_hash: hashes[i].clone(),
                    frequency: c.frequency.code().to_string(),
                    total_charge: c.total_charge(),
                    st02: st.clone(),
                    status: match decisions[i] {
                        Decision::Send(s) => s,
                        _ => "sent",
                    },
                }
            })
            .collect();
        let abs = fs::canonicalize(&run.out).unwrap_or_else(|_| run.out.clone()).join(&name);
        let sub = SubmissionRecord {
            file: abs,
            file_sha256: sha.clone(),
            isa13: written.interchange_control.clone(),
            gs06: written.group_control.clone(),
            st02: st02.clone(),
            total_charge: written.total_charge,
            created_at: run.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        progress.stage("recording in the ledger");
        let id = ledger.record_pending(&sub, &records)?;
        crash_point("pending");
        progress.stage("renaming the 837P into place (fsync)");
        file.commit().with_context(|| format!("{}: cannot write", dest.display()))?;
        crash_point("renamed");
        progress.stage("marking the submission complete");
        ledger.complete(id)?;
        sent_charge = written.total_charge;
        sent_lines = written.lines;
        control = ControlNumbers {
            isa13: Some(written.interchange_control.clone()),
            gs06: Some(written.group_control.clone()),
            st02,
        };
        outputs.push(FileEntry { path: display(&dest), bytes: size, sha256: sha });
        x12_file = Some(dest);
    }

    // Stage 5: rejects, held rows, manifest.
    progress.stage("writing the rejects report and manifest");
    let rejects_path = run.out.join("rejects.csv");
    let rejects = rejects_csv(&prepared.findings)?;
    claimflow::atomic::write(&rejects_path, &rejects)
        .with_context(|| format!("{}: cannot write", rejects_path.display()))?;
    outputs.push(entry(&rejects_path, &rejects));

    // Held back: by scrub, or by the ledger (changed after sending).
    let mut held: Vec<&Claim> = prepared.held.iter().collect();
    held.extend(
        (0..prepared.clean.len())
            .filter(|&i| decisions[i] == Decision::Held)
            .map(|i| &prepared.clean[i]),
    );
    held.sort_by_key(|c| c.source.rows.first().copied().unwrap_or(0));
    let held_rows = prepared.enc.held_rows(held.iter().copied());
    let held_dir = run.out.join("held");
    let held_name = run
        .input
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "encounters.csv".into());
    let held_path = held_dir.join(&held_name);
    if held_rows.is_empty() {
        // A held file from an earlier run would be mistaken for this run's.
        let _ = fs::remove_file(&held_path);
    } else {
        fs::create_dir_all(&held_dir)
            .with_context(|| format!("{}: cannot create", held_dir.display()))?;
        let mut bytes = Vec::new();
        prepared.enc.write_rows(&mut bytes, &held_rows)?;
        claimflow::atomic::write(&held_path, &bytes)
            .with_context(|| format!("{}: cannot write", held_path.display()))?;
        outputs.push(entry(&held_path, &bytes));
    }

    let already: Vec<&Claim> = (0..prepared.clean.len())
        .filter(|&i| decisions[i] == Decision::AlreadySent)
        .map(|i| &prepared.clean[i])
        .collect();
    let sum = |cs: &[&Claim]| -> Decimal { cs.iter().map(|c| c.total_charge()).sum() };
    let errors = prepared.findings.iter().filter(|f| f.is_error()).count();
    let mut inputs =
        vec![FileEntry { path: display(&run.input), bytes: input_hash.1, sha256: input_hash.0 }];
    for p in [Some(&run.config_path), run.layout.as_ref()].into_iter().flatten() {
        let (sha, bytes) = hash_file(p).with_context(|| format!("{}: cannot read", p.display()))?;
        inputs.push(FileEntry { path: display(p), bytes, sha256: sha });
    }
    let manifest = Manifest {
        claimflow: env!("CARGO_PKG_VERSION"),
        now: run.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        resend: run.resend,
        inputs,
        outputs,
        counts: Counts {
            rows: prepared.rows_read,
            claims: prepared.clean.len() + prepared.held.len(),
            lines: prepared.clean.iter().chain(&prepared.held).map(|c| c.lines.len()).sum(),
            sent: to_send.len(),
            sent_lines,
            already_sent: already.len(),
            held: held.len(),
            errors,
            warnings: prepared.findings.len() - errors,
        },
        totals: Totals {
            sent_charge: format_money(sent_charge),
            held_charge: format_money(sum(&held)),
            already_sent_charge: format_money(sum(&already)),
        },
        control_numbers: control,
        held_claims: held.iter().map(|c| c.claim_id.clone()).collect(),
        already_sent_claims: already.iter().map(|c| c.claim_id.clone()).collect(),
    };
    let mut json = serde_json::to_vec_pretty(&manifest)?;
    json.push(b'\n');
    let manifest_path = run.out.join("manifest.json");
    claimflow::atomic::write(&manifest_path, &json)
        .with_context(|| format!("{}: cannot write", manifest_path.display()))?;
    progress.done();

    // Results on stdout.
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        serde_json::to_writer_pretty(&mut out, &manifest)?;
        writeln!(out)?;
    } else {
        let c = &manifest.counts;
        match &x12_file {
            Some(p) => writeln!(
                out,
                "sent {} claim(s), {} line(s), {} in {}",
                c.sent,
                c.sent_lines,
                manifest.totals.sent_charge,
                p.display()
            )?,
            None => writeln!(out, "sent 0 claims: no 837P written")?,
        }
        if c.already_sent > 0 {
            writeln!(
                out,
                "already sent: {} claim(s) (unchanged since sent; not sent again)",
                c.already_sent
            )?;
        }
        if c.held > 0 || !held_rows.is_empty() {
            writeln!(
                out,
                "held back: {} claim(s), {}; reasons in {}, rows to fix in {}",
                c.held,
                manifest.totals.held_charge,
                rejects_path.display(),
                held_path.display()
            )?;
            let errors: Vec<&Reject> = prepared.findings.iter().filter(|f| f.is_error()).collect();
            for f in errors.iter().take(MAX_PRINTED) {
                writeln!(
                    out,
                    "  {} row {} {}: {} ({})",
                    if f.claim_id.is_empty() { "-" } else { &f.claim_id },
                    f.row,
                    f.column,
                    f.message,
                    f.rule
                )?;
            }
            if errors.len() > MAX_PRINTED {
                writeln!(
                    out,
                    "  ... and {} more in {}",
                    errors.len() - MAX_PRINTED,
                    rejects_path.display()
                )?;
            }
        }
        if c.warnings > 0 {
            writeln!(out, "warnings: {} (see {})", c.warnings, rejects_path.display())?;
        }
    }
    out.flush()?;
    let outcome = if held.is_empty() && held_rows.is_empty() {
        Outcome::Clean
    } else {
        Outcome::NeedsAttention
    };
    drop(held);
    drop(already);
    drop(ledger); // releases the lock
                  // Freeing hundreds of thousands of claims one by one takes longer than
                  // the OS takes to reclaim the process's memory at exit.
    std::mem::forget(prepared);
    Ok(outcome)
}

/// Test hook for the crash-safety tests: with `CLAIMFLOW_TEST_CRASH_AT=<point>`
/// the process aborts (no destructors, like kill -9) at that point of the
/// submission: `allocated`, `pending` or `renamed`.
fn crash_point(point: &str) {
    if std::env::var("CLAIMFLOW_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

/// Removes temp files an interrupted run left in DIR (ours only: `.claims-*`,
/// `.rejects.csv.*`, `.manifest.json.*` ending in `.tmp`). The ledger lock
/// is held, so no other run for this ledger is writing them.
fn remove_stale_temp_files(dir: &Path) {
    for d in [dir.to_path_buf(), dir.join("held")] {
        let Ok(entries) = fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = [".claims-", ".rejects.csv.", ".manifest.json."]
                .iter()
                .any(|p| name.starts_with(p))
                || (d != dir && name.starts_with('.'));
            if ours && name.ends_with(".tmp") {
                let _ = fs::remove_file(e.path());
            }
        }
    }
}

fn display(p: &Path) -> String {
    p.display().to_string()
}

fn entry(path: &Path, bytes: &[u8]) -> FileEntry {
    FileEntry {
        path: display(path),
        bytes: bytes.len() as u64,
        sha256: ledger::hex(&Sha256::digest(bytes)),
    }
}

/// sha256 (hex) and size of a file, streamed.
fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut f = fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        n += k as u64;
        h.update(&buf[..k]);
    }
    Ok((ledger::hex(&h.finalize()), n))
}

/// `rejects.csv`: claim_id,row,column,rule,severity,message, in row order.
fn rejects_csv(findings: &[Reject]) -> anyhow::Result<Vec<u8>> {
    let mut sorted: Vec<&Reject> = findings.iter().collect();
    sorted.sort_by(|a, b| (a.row, &a.claim_id).cmp(&(b.row, &b.claim_id)));
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    w.write_record(["claim_id", "row", "column", "rule", "severity", "message"])?;
    for f in sorted {
        w.serialize(f)?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}
