//! `claimflow reconcile`: 835 remittances matched to the claims that were
//! sent (from 837 files with `--claims`, or the ledger), classified, reported
//! in CSV files, summarized on stdout, and (with the ledger) posted.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use chrono::NaiveDate;
use rayon::prelude::*;
use rust_decimal::Decimal;
use serde::Serialize;

use claimflow::ledger::{self, Ledger, PaymentPosting, RemitPosting};
use claimflow::reconcile::report::{self, money, OutstandingRow, PlbRow};
use claimflow::reconcile::{self, ClaimIndex, SentClaim, Status};
use claimflow::x12::{self, Finding, Severity, TransactionKind};
use claimflow::Text;
use claimflow::{edi835, edi837};

use super::{Global, Outcome};
use claimflow::progress::Progress;

/// Match 835 remittances to sent claims, classify every claim payment, and
/// write reports.
///
/// Claims come from 837 files (`--claims`, no config or ledger needed) or
/// from the ledger. Writes claims.csv, lines.csv, provider_adjustments.csv,
/// denials.csv and outstanding.csv into --out (atomically, mode 0600) and
/// prints a summary with the tie-out check (paid + provider adjustments =
/// BPR02 total). A broken 835 file is reported; the others still reconcile.
///
/// Exit: 0 everything paid and balanced; 1 something needs a person
/// (denials, unmatched or unbalanced payments, unpaired reversals, a bad
/// file); 2 could not run.
///
/// Examples:
///   claimflow reconcile inbox/*.835 --claims outbox/*.x12 --out recon/
///   claimflow reconcile inbox/remit.835 --config claimflow.toml --out recon/ --now 2026-03-01
#[derive(Debug, clap::Args)]
pub struct Args {
    /// 835 remittance files.
    #[arg(required = true, value_name = "REMIT.835")]
    files: Vec<PathBuf>,
    /// Read the sent claims from these 837 files instead of the ledger
    /// (nothing is posted).
    #[arg(long, value_name = "FILE.837", num_args = 1.., conflicts_with = "ledger")]
    claims: Vec<PathBuf>,
    /// Configuration file (default ./claimflow.toml); locates the ledger.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Ledger file (default: claimflow.db beside the config).
    #[arg(long, value_name = "FILE")]
    ledger: Option<PathBuf>,
    /// Folder for the reports (created when missing).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The run's clock: YYYY-MM-DD, YYYY-MM-DDTHH:MM or YYYY-MM-DDTHH:MM:SS (local).
    #[arg(long, value_name = "TIMESTAMP")]
    now: Option<String>,
}

/// One finding with the file it is in.
#[derive(Debug, Clone, Serialize)]
struct FileFinding {
    file: String,
    #[serde(flatten)]
    finding: Finding,
}

/// What one transaction set contributed.
#[derive(Debug, Serialize)]
struct SetSummary {
    file: String,
    st02: String,
    payer_id: String,
    trace: String,
    payment_date: Option<NaiveDate>,
    method: String,
    bpr02: Decimal,
    paid: Decimal,
    plb: Decimal,
    claims: usize,
    /// False when the set has no SE (a truncated file): reported, never posted.
    complete: bool,
    #[serde(skip)]
    file_sha256: String,
}

/// One 835 file, opened and scanned (its bytes stay mapped for the run).
struct Opened {
    name: String,
    input: Option<claimflow::input::Input>,
    scan: x12::Scan,
    hash: String,
    broken: Option<String>,
}

fn open_remit_file(path: &Path) -> Opened {
    let name = path.display().to_string();
    let input = match claimflow::input::open(path) {
        Ok(i) => i,
        Err(e) => {
            return Opened {
                name,
                input: None,
                scan: x12::Scan::default(),
                hash: String::new(),
                broken: Some(format!("cannot read: {e}")),
            }
        }
    };
    let hash = {
        use sha2::Digest;
        ledger::hex(&sha2::Sha256::digest(&input[..]))
    };
    let scan = x12::scan(&input);
    let sets = scan.sets().filter(|(_, _, s)| s.kind == TransactionKind::Remittance835).count();
    let broken =
        (sets == 0).then(|| match scan.findings.iter().find(|f| f.severity == Severity::Error) {
            Some(f) => format!("no 835 transaction set could be read ({}: {})", f.pos, f.message),
            None => "no 835 transaction set in the file".to_string(),
        });
    Opened { name, input: Some(input), scan, hash, broken }
}

/// What one transaction set contributed.
struct SetOut {
    summary: SetSummary,
    rows: report::Rows,
    plb: Vec<PlbRow>,
    findings: Vec<Finding>,
    /// (pairing key, is reversal, paid, status) per claim payment.
    compact: Vec<Compact>,
    /// Ledger postings (ledger mode only).
    payments: Vec<PaymentPosting>,
}

/// The little kept of each claim payment after its rows are written.
struct Compact {
    key: reconcile::PairKey,
    status: Status,
    forwarded: bool,
    paid: Decimal,
    claim_id: Text,
    set: usize,
}

fn process_set(
    opened: &Opened,
    file_no: usize,
    interchange_control: &str,
    set: &x12::TransactionSet,
    index: &ClaimIndex<'_>,
    ledger_rows: Option<&[i64]>,
) -> anyhow::Result<SetOut> {
    let with_postings = ledger_rows.is_some();
    let input = opened.input.as_deref().unwrap_or_default();
    let rem = edi835::read_set(input, set, interchange_control);
    let mut findings = edi835::balance(&rem);
    findings.extend(rem.findings.iter().filter(|f| f.code != "835-READ").cloned());
    let results = reconcile::reconcile_remittance(index, file_no, &rem, with_postings);
    let plb = report::plb_rows(index, file_no, &rem);
    let rows = report::format_rows(&results)?;
    let compact = results
        .iter()
        .map(|r| Compact {
            key: reconcile::PairKey::of(r),
            status: r.status,
            forwarded: r.forwarded,
            paid: r.figures.paid,
            // Only reversals and their partners are named in the summary.
            claim_id: if r.status == Status::Reversed {
                r.claim_id.clone()
            } else {
                Text::default()
            },
            set: 0,
        })
        .collect();
    // The results are not needed after this: their strings move into the postings.
    let payments = match ledger_rows {
        Some(rows) => results
            .into_iter()
            .map(|r| PaymentPosting {
                payer_id: match r.sent {
                    Some(i) => index.claims()[i].payer_id.clone(),
                    None => r.payer_id,
                },
                claim_row: r.sent.map(|i| rows[i]),
                status: r.status.words().to_string(),
                reversal: r.status == Status::Reversed,
                claim_id: r.claim_id,
                clp01: r.clp01,
                clp02: r.clp02,
                payer_claim_id: r.payer_claim_id,
                billed: r.figures.billed,
                paid: r.figures.paid,
                patient_responsibility: r.figures.patient_responsibility,
                contractual: r.figures.contractual,
                other_adjustments: r.figures.other_adjustments,
                adjustments: r.adjustments,
            })
            .collect(),
        None => Vec::new(),
    };
    let summary = SetSummary {
        file: opened.name.clone(),
        st02: rem.st02_control.to_string(),
        payer_id: rem.payer_id().to_string(),
        trace: rem.trace.trn02_number.to_string(),
        payment_date: rem.payment.bpr16_date,
        method: rem.payment.bpr04_method.to_string(),
        bpr02: rem.payment.bpr02_amount,
        paid: rem.paid_total(),
        plb: rem.plb_total(),
        claims: rem.claims.len(),
        complete: set.end.is_some(),
        file_sha256: opened.hash.clone(),
    };
    Ok(SetOut { summary, rows, plb, findings, compact, payments })
}

fn load_claims_from_837(paths: &[PathBuf]) -> anyhow::Result<Vec<SentClaim>> {
    let read: Vec<anyhow::Result<edi837::Summaries>> = paths
        .par_iter()
        .map(|p| {
            let input = claimflow::input::open(p)
                .with_context(|| format!("{}: cannot read", p.display()))?;
            let r = edi837::read_summaries(&input);
            if r.sets == 0 {
                bail!("{}: no 837 transaction set found", p.display());
            }
            Ok(r)
        })
        .collect();
    let mut claims = Vec::new();
    for (path, r) in paths.iter().zip(read) {
        let r = r?;
        for f in r.findings.iter().filter(|f| f.severity == Severity::Error).take(3) {
            eprintln!(
                "claimflow: warning: claims file {}:{}: {} [{}]",
                path.display(),
                f.pos,
                f.message,
                f.code
            );
        }
        claims.extend(r.claims.into_iter().map(SentClaim::from));
    }
    Ok(claims)
}

#[derive(Debug, Serialize)]
struct Counts {
    paid: usize,
    partial: usize,
    denied: usize,
    patient_responsibility: usize,
    reversed: usize,
    unmatched: usize,
    outstanding: usize,
    forwarded: usize,
}

#[derive(Debug, Serialize)]
struct TieOut {
    paid: Decimal,
    provider_adjustments_effect: Decimal,
    expected_bpr02: Decimal,
    bpr02_total: Decimal,
    ok: bool,
}

#[derive(Debug, Serialize)]
struct ReversalNote {
    claim_id: String,
    check_trace: String,
    amount: Decimal,
    reverses_trace: Option<String>,
    corrected_by_trace: Option<String>,
    corrected_paid: Option<Decimal>,
}

#[derive(Debug, Serialize)]
struct BrokenFile {
    file: String,
    reason: String,
}

#[derive(Debug, Serialize)]
struct Summary {
    files: usize,
    transactions: usize,
    claim_payments: usize,
    counts: Counts,
    tie_out: TieOut,
    reversals: Vec<ReversalNote>,
    denial_rows: usize,
    broken_files: Vec<BrokenFile>,
    findings: Vec<FileFinding>,
    findings_not_kept: usize,
    reports: Vec<String>,
    payments: Vec<SetSummary>,
    ledger: Option<LedgerNote>,
}

/// What was posted to the ledger.
#[derive(Debug, Serialize)]
struct LedgerNote {
    /// Traces posted now.
    applied: Vec<String>,
    /// Traces applied by an earlier run: nothing posted.
    already_applied: Vec<String>,
    payments_posted: usize,
    postings_undone: usize,
}

/// `--ledger`, else `claimflow.db` beside `--config` (default `./claimflow.toml`).
fn ledger_path(args: &Args) -> anyhow::Result<PathBuf> {
    if let Some(l) = &args.ledger {
        return Ok(l.clone());
    }
    let config = args.config.clone().unwrap_or_else(|| PathBuf::from("claimflow.toml"));
    if args.config.is_some() && !config.exists() {
        bail!("config {} does not exist", config.display());
    }
    let dir = config.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    Ok(dir.join("claimflow.db"))
}

/// The claims of a ledger as sent claims, with their ledger rows.
struct LedgerClaims {
    claims: Vec<SentClaim>,
    /// Per claim: true while it still waits for a remittance.
    waiting: Vec<bool>,
    /// Per claim: its row in the ledger (names it when posting).
    rows: Vec<i64>,
}

/// The ledger's claims as sent claims. Service lines (and REF*F8) come from
/// the 837 files the claims were sent in, when those files are still there
/// (else the claim is matched at claim level only); the files are read on
/// other cores while SQLite reads the claims.
fn claims_from_ledger(ledger: &Ledger) -> anyhow::Result<LedgerClaims> {
    let files = ledger.sent_files()?;
    let (lc, read) = std::thread::scope(|scope| {
        let reader =
            scope.spawn(|| files.par_iter().map(|f| read_sent_file(&f.file)).collect::<Vec<_>>());
        (ledger.sent_claims(&files), reader.join())
    });
    let lc = lc?;
    let read = read.map_err(|_| anyhow::anyhow!("reading the sent 837 files failed"))?;
    let mut read: Vec<Vec<SentClaim>> = files
        .iter()
        .zip(read)
        .map(|(f, r)| {
            r.unwrap_or_else(|e| {
                eprintln!(
                    "claimflow: warning: sent file {} cannot be read ({e}): its claims are matched without their service lines",
                    f.file
                );
                Vec::new()
            })
        })
        .collect();
    let sent_on: Vec<Option<NaiveDate>> = files
        .iter()
        .map(|s| s.created_at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
        .collect();
    let waiting = lc.iter().map(|c| !REMITTED.contains(&c.status.as_str())).collect();
    let rows = lc.iter().map(|c| c.row).collect();
    let claims = lc
        .into_iter()
        .map(|c| {
            let mut lines = Vec::new();
            let mut f8 = None;
            let in_file = &mut read[c.submission];
            let want = (c.claim_id.as_str(), c.payer_id.as_str());
            if let Ok(p) = in_file.binary_search_by(|r| claim_key(r).cmp(&want)) {
                lines = std::mem::take(&mut in_file[p].lines);
                f8 = in_file[p].payer_claim_id.take();
            }
            SentClaim {
                sent_on: sent_on[c.submission],
                claim_id: c.claim_id,
                payer_id: c.payer_id,
                // REF*F8 of a replacement names the payer's claim number too.
                payer_claim_id: c.payer_claim_id.or(f8),
                charge: c.total_charge,
                lines,
            }
        })
        .collect();
    Ok(LedgerClaims { claims, waiting, rows })
}

/// The claims of one sent 837 file sorted by (claim id, payer id).
fn read_sent_file(path: &str) -> std::io::Result<Vec<SentClaim>> {
    let input = claimflow::input::open(Path::new(path))?;
    let mut claims: Vec<SentClaim> =
        edi837::read_summaries(&input).claims.into_iter().map(SentClaim::from).collect();
    claims.par_sort_unstable_by(|a, b| claim_key(a).cmp(&claim_key(b)));
    Ok(claims)
}

fn claim_key(c: &SentClaim) -> (&str, &str) {
    (c.claim_id.as_str(), c.payer_id.as_str())
}

/// Statuses a remittance gives a claim; any other ledger status means "waiting".
const REMITTED: [&str; 6] =
    ["paid", "partial", "denied", "patient_responsibility", "reversed", "unmatched"];

fn outstanding_rows(
    claims: &[SentClaim],
    waiting: &[bool],
    remitted: &[bool],
    today: NaiveDate,
) -> Vec<OutstandingRow> {
    claims
        .iter()
        .zip(waiting)
        .zip(remitted)
        .filter(|((_, w), done)| !**done && **w)
        .map(|((c, _), _)| OutstandingRow {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer_id.clone(),
            billed: c.charge,
            sent_on: c.sent_on,
            age_days: c.sent_on.map(|d| (today - d).num_days()),
        })
        .collect()
}

/// The ledger posting of one transaction set.
fn posting(s: &SetSummary, payments: Vec<PaymentPosting>) -> RemitPosting {
    RemitPosting {
        payer_id: s.payer_id.clone(),
        trace: s.trace.clone(),
        file_sha256: s.file_sha256.clone(),
        file: s.file.clone(),
        st02: s.st02.clone(),
        bpr02: s.bpr02,
        payment_date: s.payment_date.map(|d| d.format("%Y-%m-%d").to_string()),
        plb_total: s.plb,
        payments,
    }
}

/// Transaction sets handled per parallel batch: enough to keep every core
/// busy, few enough that memory stays bounded by the batch, not the input.
const SETS_PER_BATCH: usize = 16;

/// At most this many findings are kept for the summary; the rest are counted.
const MAX_KEPT_FINDINGS: usize = 10_000;

pub fn run(args: Args, global: &Global) -> anyhow::Result<Outcome> {
    let now = claimflow::clock::now_or_local(args.now.as_deref())?;
    let progress = Progress::on_stderr();
    progress.stage("load claims");
    let mut ledger: Option<Ledger> = None;
    let mut waiting: Vec<bool> = Vec::new();
    let mut ledger_rows: Vec<i64> = Vec::new();
    let claims: Vec<SentClaim> = if !args.claims.is_empty() {
        load_claims_from_837(&args.claims)?
    } else {
        let path = ledger_path(&args)?;
        if !path.exists() {
            bail!(
                "ledger {} does not exist: run `claimflow build` first, or reconcile against 837 files with --claims",
                path.display()
            );
        }
        let l =
            Ledger::open(&path).with_context(|| format!("opening ledger {}", path.display()))?;
        let from_ledger = claims_from_ledger(&l)?;
        waiting = from_ledger.waiting;
        ledger_rows = from_ledger.rows;
        ledger = Some(l);
        from_ledger.claims
    };
    progress.stage("index claims");
    let index = ClaimIndex::new(&claims);
    progress.stage("open and scan 835s");

    let opened: Vec<Opened> = args.files.par_iter().map(|p| open_remit_file(p)).collect();
    let mut broken: Vec<BrokenFile> = Vec::new();
    let mut findings: Vec<FileFinding> = Vec::new();
    let mut findings_dropped = 0usize;
    let mut keep = |file: &str, f: Finding, findings: &mut Vec<FileFinding>| {
        if findings.len() < MAX_KEPT_FINDINGS {
            findings.push(FileFinding { file: file.to_string(), finding: f });
        } else {
            findings_dropped += 1;
        }
    };
    let mut jobs = Vec::new();
    for (i, o) in opened.iter().enumerate() {
        if let Some(reason) = &o.broken {
            eprintln!("claimflow: {}: {reason}", o.name);
            broken.push(BrokenFile { file: o.name.clone(), reason: reason.clone() });
        }
        for f in &o.scan.findings {
            keep(&o.name, f.clone(), &mut findings);
        }
        for (ic, _, set) in o.scan.sets() {
            if set.kind == TransactionKind::Remittance835 {
                jobs.push((i, ic.control.as_str(), set));
            }
        }
    }

    let mut writer = report::ReportWriter::create(&args.out)
        .with_context(|| format!("writing reports into {}", args.out.display()))?;
    let mut sets: Vec<SetSummary> = Vec::new();
    let mut plb: Vec<PlbRow> = Vec::new();
    let mut compact: Vec<Compact> = Vec::new();
    let mut denial_rows = 0usize;
    let at = now.format("%Y-%m-%dT%H:%M:%S").to_string();
    let with_postings = ledger.is_some();
    progress.stage("read, match, write rows");
    // The ledger posts on its own thread while the next batch is read, so
    // SQLite's single writer overlaps the parallel parsing. Each batch is one
    // transaction; a set is applied at most once, so a run stopped half-way
    // is completed by running it again.
    let (to_ledger, poster) = match ledger.take() {
        Some(mut l) => {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<RemitPosting>>(2);
            let at = at.clone();
            let handle = std::thread::Builder::new().name("ledger-post".into()).spawn(
                move || -> Result<ledger::PostSummary, ledger::Error> {
                    let mut post = ledger::PostSummary::default();
                    let mut busy = std::time::Duration::ZERO;
                    for batch in rx {
                        let started = std::time::Instant::now();
                        let p = l.post_remittances(&batch, &at)?;
                        busy += started.elapsed();
                        post.applied.extend(p.applied);
                        post.already_applied.extend(p.already_applied);
                        post.payments += p.payments;
                        post.undone += p.undone;
                        post.reversals_without_posting += p.reversals_without_posting;
                    }
                    if std::env::var_os("CLAIMFLOW_TIMINGS").is_some() {
                        eprintln!(
                            "timing: ledger posting thread busy: {:.2} s",
                            busy.as_secs_f64()
                        );
                    }
                    Ok(post)
                },
            )?;
            (Some(tx), Some(handle))
        }
        None => (None, None),
    };
    for batch in jobs.chunks(SETS_PER_BATCH) {
        let outs: Vec<anyhow::Result<SetOut>> = batch
            .par_iter()
            .map(|(i, ctl, set)| {
                let rows = with_postings.then_some(ledger_rows.as_slice());
                process_set(&opened[*i], *i, ctl, set, &index, rows)
            })
            .collect();
        let mut postings = Vec::new();
        for out in outs {
            let out = out.context("formatting reports")?;
            writer.append(&out.rows).context("writing reports")?;
            denial_rows += out.rows.denial_rows;
            let set_no = sets.len();
            compact.extend(out.compact.into_iter().map(|c| Compact { set: set_no, ..c }));
            for f in out.findings {
                keep(&out.summary.file, f, &mut findings);
            }
            plb.extend(out.plb);
            if with_postings && out.summary.complete {
                postings.push(posting(&out.summary, out.payments));
            }
            sets.push(out.summary);
        }
        if let Some(tx) = &to_ledger {
            // A send fails only when the posting thread stopped on an error,
            // which joining it below reports.
            if tx.send(postings).is_err() {
                break;
            }
        }
    }
    drop(to_ledger);
    progress.stage("finish ledger posting");
    let posted = match poster {
        Some(h) => Some(
            h.join()
                .map_err(|_| anyhow::anyhow!("the ledger posting thread panicked"))?
                .context("posting to the ledger")?,
        ),
        None => None,
    };
    findings.sort_by(|a, b| a.file.cmp(&b.file).then(a.finding.pos.cmp(&b.finding.pos)));
    let pairs = reconcile::pair_reversals(
        &compact.iter().map(|c| (c.key.clone(), c.status == Status::Reversed)).collect::<Vec<_>>(),
    );

    let remitted: Vec<bool> = {
        let mut v = vec![false; claims.len()];
        for c in &compact {
            if let reconcile::PairKey::Sent(i) = c.key {
                v[i] = true;
            }
        }
        v
    };
    let outstanding: Vec<OutstandingRow> = if with_postings {
        outstanding_rows(&claims, &waiting, &remitted, now.date())
    } else {
        Vec::new()
    };
    progress.stage("finish reports (fsync, rename)");
    let paths = writer
        .finish(&plb, &outstanding)
        .with_context(|| format!("writing reports into {}", args.out.display()))?;

    progress.done();
    // Totals and the tie-out check.
    let count = |st: Status| compact.iter().filter(|c| c.status == st).count();
    let counts = Counts {
        paid: count(Status::Paid),
        partial: count(Status::Partial),
        denied: count(Status::Denied),
        patient_responsibility: count(Status::PatientResponsibility),
        reversed: count(Status::Reversed),
        unmatched: count(Status::Unmatched),
        outstanding: outstanding.len(),
        forwarded: compact.iter().filter(|c| c.forwarded).count(),
    };
    let paid: Decimal = compact.iter().map(|c| c.paid).sum();
    let plb_total: Decimal = plb.iter().map(|p| p.amount).sum();
    let bpr02_total: Decimal = sets.iter().map(|s| s.bpr02).sum();
    let tie_out = TieOut {
        paid,
        provider_adjustments_effect: -plb_total,
        expected_bpr02: paid - plb_total,
        bpr02_total,
        ok: paid - plb_total == bpr02_total,
    };
    let reversals: Vec<ReversalNote> = pairs
        .iter()
        .map(|(i, p)| {
            let r = &compact[*i];
            ReversalNote {
                claim_id: r.claim_id.to_string(),
                check_trace: sets[r.set].trace.clone(),
                amount: r.paid,
                reverses_trace: p.reverses.map(|j| sets[compact[j].set].trace.clone()),
                corrected_by_trace: p.corrected_by.map(|j| sets[compact[j].set].trace.clone()),
                corrected_paid: p.corrected_by.map(|j| compact[j].paid),
            }
        })
        .collect();
    let errors = findings.iter().filter(|f| f.finding.severity == Severity::Error).count()
        + findings_dropped;
    let unpaired = reversals.iter().filter(|r| r.corrected_by_trace.is_none()).count();
    let needs_person = counts.denied > 0
        || counts.partial > 0
        || counts.unmatched > 0
        || unpaired > 0
        || errors > 0
        || !broken.is_empty()
        || !tie_out.ok;

    let summary = Summary {
        files: args.files.len(),
        transactions: sets.len(),
        claim_payments: compact.len(),
        counts,
        tie_out,
        reversals,
        denial_rows,
        broken_files: broken,
        findings,
        findings_not_kept: findings_dropped,
        reports: paths.iter().map(|p| p.display().to_string()).collect(),
        payments: sets,
        ledger: posted.map(|p| LedgerNote {
            applied: p.applied.iter().map(|(_, t)| t.clone()).collect(),
            already_applied: p.already_applied.iter().map(|(_, t)| t.clone()).collect(),
            payments_posted: p.payments,
            postings_undone: p.undone,
        }),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if global.json {
        serde_json::to_writer_pretty(&mut out, &summary)?;
        writeln!(out)?;
    } else {
        print_summary(&mut out, &summary)?;
    }
    out.flush().context("writing the summary")?;

    Ok(if summary.broken_files.len() == args.files.len() {
        Outcome::CouldNotRun
    } else if needs_person {
        Outcome::NeedsAttention
    } else {
        Outcome::Clean
    })
}

/// At most this many findings are printed in the human summary.
const MAX_PRINTED_FINDINGS: usize = 50;

fn print_summary(out: &mut dyn Write, s: &Summary) -> io::Result<()> {
    for f in s.findings.iter().take(MAX_PRINTED_FINDINGS) {
        let sev = if f.finding.severity == Severity::Warning { "warning: " } else { "" };
        writeln!(
            out,
            "{}:{}: {}{} [{}]",
            f.file, f.finding.pos, sev, f.finding.message, f.finding.code
        )?;
    }
    if s.findings.len() > MAX_PRINTED_FINDINGS {
        writeln!(
            out,
            "... {} more finding(s) (see --json)",
            s.findings.len() - MAX_PRINTED_FINDINGS
        )?;
    }
    for b in &s.broken_files {
        writeln!(out, "{}: BROKEN: {}", b.file, b.reason)?;
    }
    writeln!(
        out,
        "reconciled {} claim payment(s) in {} payment(s) from {} file(s)",
        s.claim_payments, s.transactions, s.files
    )?;
    let c = &s.counts;
    writeln!(
        out,
        "  paid {}, partial {}, denied {}, patient_responsibility {}, reversed {}, unmatched {}, outstanding {}",
        c.paid, c.partial, c.denied, c.patient_responsibility, c.reversed, c.unmatched, c.outstanding
    )?;
    if c.forwarded > 0 {
        writeln!(out, "  forwarded to another payer: {}", c.forwarded)?;
    }
    for r in &s.reversals {
        let before = match &r.reverses_trace {
            Some(t) => format!("cancels the payment in trace {t}"),
            None => "cancels a payment not in these files".to_string(),
        };
        let after = match (&r.corrected_by_trace, r.corrected_paid) {
            (Some(t), Some(p)) => format!("corrected payment {} follows in trace {t}", money(p)),
            _ => "NO corrected payment follows".to_string(),
        };
        writeln!(
            out,
            "  reversal: claim {} ({} in trace {}) {}; {}",
            r.claim_id,
            money(r.amount),
            r.check_trace,
            before,
            after
        )?;
    }
    let t = &s.tie_out;
    writeln!(
        out,
        "  tie-out: paid {} + provider adjustments {} = {}; BPR02 total {}: {}",
        money(t.paid),
        money(t.provider_adjustments_effect),
        money(t.expected_bpr02),
        money(t.bpr02_total),
        if t.ok { "OK" } else { "MISMATCH" }
    )?;
    writeln!(out, "  denials worklist: {} row(s)", s.denial_rows)?;
    if let Some(l) = &s.ledger {
        if !l.applied.is_empty() {
            writeln!(
                out,
                "  ledger: posted {} claim payment(s) from {} remittance(s); {} earlier posting(s) undone by reversals",
                l.payments_posted,
                l.applied.len(),
                l.postings_undone
            )?;
        }
        for p in s.payments.iter().filter(|p| !p.complete) {
            writeln!(
                out,
                "  ledger: {} transaction {} (trace {}) is truncated (no SE): not posted",
                p.file, p.st02, p.trace
            )?;
        }
        for t in &l.already_applied {
            writeln!(out, "  ledger: remittance trace {t} was already applied: nothing posted")?;
        }
    }
    writeln!(out, "reports: {}", s.reports.join(", "))?;
    Ok(())
}
