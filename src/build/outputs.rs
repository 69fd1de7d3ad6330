//! The files a build writes besides the 837P, once every claim is decided:
//! `rejects.csv`, the held-back rows (`held/<export name>`, byte for byte)
//! and `manifest.json`, each written atomically; and the [`Report`]. Both
//! the whole-file build and the streamed one end here. It decides nothing.

use std::fs;
use std::path::{Path, PathBuf};

use rust_decimal::{Decimal, RoundingStrategy};

use super::emit::Sent;
use super::manifest::{Counts, FileEntry, Manifest, Totals};
use super::{Error, Options, Report, CODESET_USED, NCCI_UNCHECKED};
use crate::atomic;
use crate::claim::Claim;
use crate::codeset::CodeSets;
use crate::encounter::Encounters;
use crate::finding::{Finding, Severity};
use crate::numtext::cents;
use crate::progress::Progress;

/// What a build did, for its files.
pub(super) struct Outcome<'a> {
    pub(super) out_dir: &'a Path,
    pub(super) export: &'a Path,
    pub(super) export_sha256: &'a str,
    pub(super) export_bytes: u64,
    /// The config and layout files, hashed into the manifest.
    pub(super) recorded_inputs: &'a [PathBuf],
    pub(super) options: &'a Options,
    pub(super) codesets: &'a CodeSets,
    /// The export's rows (for `held/`) and column names.
    pub(super) encounters: &'a Encounters,
    /// Every finding, in the order found.
    pub(super) findings: Vec<Finding>,
    pub(super) notes: Vec<Finding>,
    /// The 837P, when any claim was sent.
    pub(super) sent: Option<Sent>,
    /// Claims held back (by scrub, coverage or the ledger), in any order.
    pub(super) held: Vec<&'a Claim>,
    /// Claims already sent and unchanged, in input order.
    pub(super) already_sent: Vec<String>,
    /// Their total charge.
    pub(super) already_charge: Decimal,
    pub(super) rows_read: u64,
    /// Claims read.
    pub(super) claims: usize,
    /// Service lines read.
    pub(super) lines_read: usize,
    pub(super) progress: &'a Progress,
}

/// Writes `rejects.csv`, `held/` and `manifest.json` into `out_dir`.
pub(super) fn write(o: Outcome<'_>) -> Result<Report, Error> {
    let Outcome { out_dir, findings, notes, sent, mut held, progress, .. } = o;
    let note = |rule, message| Finding::new(rule, Severity::Warning, message);
    let mut codeset_notes: Vec<Finding> =
        o.codesets.summary().into_iter().map(|m| note(CODESET_USED, m)).collect();
    codeset_notes.extend(o.codesets.ncci_note().map(|m| note(NCCI_UNCHECKED, m)));
    let mut outputs: Vec<FileEntry> = sent.iter().map(|s| s.entry.clone()).collect();

    progress.stage("writing the rejects report and manifest");
    let rejects_file = out_dir.join("rejects.csv");
    let rejects = crate::finding::rejects_csv(&findings);
    atomic::write(&rejects_file, &rejects).map_err(Error::io(&rejects_file, "cannot write"))?;
    outputs.push(FileEntry::of_bytes(&rejects_file, &rejects));

    held.sort_by_key(|c| c.source.rows.first().copied().unwrap_or(0));
    let held_rows = o.encounters.held_rows(held.iter().copied());
    let held_dir = out_dir.join("held");
    let held_name = o
        .export
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "encounters.csv".into());
    let held_file = held_dir.join(&held_name);
    if held_rows.is_empty() {
        // A held file from an earlier run would be mistaken for this run's.
        let _ = fs::remove_file(&held_file);
    } else {
        fs::create_dir_all(&held_dir).map_err(Error::io(&held_dir, "cannot create"))?;
        let mut bytes = Vec::new();
        o.encounters
            .write_rows(&mut bytes, &held_rows)
            .map_err(Error::io(&held_file, "cannot write"))?;
        atomic::write(&held_file, &bytes).map_err(Error::io(&held_file, "cannot write"))?;
        outputs.push(FileEntry::of_bytes(&held_file, &bytes));
    }

    // Totals are shown in cents: a held claim may carry an amount with
    // more decimals (the finding that holds it back names it exactly).
    let round =
        |sum: Decimal| sum.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let held_charge: Decimal = held.iter().map(|c| c.total_charge()).sum();
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let mut inputs = vec![FileEntry {
        path: o.export.display().to_string(),
        bytes: o.export_bytes,
        sha256: o.export_sha256.to_string(),
    }];
    for p in o.recorded_inputs {
        let (sha256, bytes) = super::manifest::hash_file(p).map_err(Error::io(p, "cannot read"))?;
        inputs.push(FileEntry { path: p.display().to_string(), bytes, sha256 });
    }
    let manifest = Manifest {
        claimflow: env!("CARGO_PKG_VERSION"),
        now: o.options.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        resend: o.options.resend,
        inputs,
        outputs,
        codesets: o.codesets.files.clone(),
        counts: Counts {
            rows: o.rows_read,
            claims: o.claims,
            lines: o.lines_read,
            sent: sent.as_ref().map_or(0, |s| s.claims),
            sent_lines: sent.as_ref().map_or(0, |s| s.lines),
            already_sent: o.already_sent.len(),
            held: held.len(),
            errors,
            warnings: findings.len() - errors,
        },
        totals: Totals {
            sent_charge: cents(sent.as_ref().map_or(Decimal::ZERO, |s| s.charge)),
            held_charge: cents(round(held_charge)),
            held_rows_not_in_charge: {
                let summed: std::collections::HashSet<u64> =
                    held.iter().flat_map(|c| c.lines.iter().map(|l| l.row)).collect();
                held_rows.iter().copied().filter(|r| !summed.contains(r)).collect()
            },
            already_sent_charge: cents(round(o.already_charge)),
        },
        control_numbers: sent.as_ref().map(|s| s.control.clone()).unwrap_or_default(),
        held_claims: held.iter().map(|c| c.claim_id.clone()).collect(),
        already_sent_claims: o.already_sent,
    };
    let mut json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::io(out_dir, "cannot write manifest.json")(e.into()))?;
    json.push(b'\n');
    let manifest_file = out_dir.join("manifest.json");
    atomic::write(&manifest_file, &json).map_err(Error::io(&manifest_file, "cannot write"))?;
    progress.done();
    Ok(Report {
        manifest,
        findings,
        notes,
        codeset_notes,
        x12_file: sent.map(|s| s.path),
        rejects_file,
        held_file,
        held_rows: held_rows.len(),
        manifest_file,
    })
}
