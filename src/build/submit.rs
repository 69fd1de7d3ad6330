//! The submission protocol of a build: decide per clean claim (send, already
//! sent, held for a replacement, sent again as an original after a
//! front-end rejection when it changed, held when it did not), then send
//! the claims that go through `emit` (the 837P written, checked and
//! recorded) and write `rejects.csv`, `held/` and `manifest.json` through
//! `outputs`. [`Prepared::submit`] does it for an export read whole (see
//! [`super::prepare`]); `stream` uses the same steps batch by batch.

use std::fs;
use std::path::Path;

use rayon::prelude::*;

use super::emit::{take_sent, Emitter};
use super::outputs::Outcome;
use super::{Error, Prepared, Report};
use crate::claim::{Claim, ClaimStatus, Frequency};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, Ledger};
use crate::progress::Progress;
use crate::scrub;

/// A note: the configured control_number_start is behind the ledger.
const START_IGNORED: &str = "BUILD-ISA13-START";
/// A code-set file the run used (its rows, and how many a newer file replaced).
pub const CODESET_USED: &str = "BUILD-CODESET";
/// No NCCI PTP, MUE or add-on code file: the NCCI/MUE edits were not checked.
pub const NCCI_UNCHECKED: &str = "BUILD-NCCI-UNCHECKED";

/// What happens to one clean claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Decision {
    /// Written to the 837P, recorded with this status (sent, resent,
    /// replacement, void).
    Send(ClaimStatus),
    /// Rejected at the front end and changed since: written again as an
    /// original, recorded as `sent`.
    Resubmit,
    /// Rejected only with its set or interchange (a 999 or TA1 naming no
    /// error inside it) and unchanged: written again as it is, recorded as
    /// `resent`.
    ResendAsIs,
    /// Sent earlier and unchanged: not sent again.
    AlreadySent,
    /// Sent earlier and changed since: held until a replacement is built.
    Held,
}

impl Decision {
    /// True when the claim goes in this run's 837P.
    pub(super) fn sends(self) -> bool {
        matches!(self, Decision::Send(_) | Decision::Resubmit | Decision::ResendAsIs)
    }
}

impl Prepared {
    /// Sends what is new: asks the ledger what was already sent, writes the
    /// 837P (when any claim goes), `rejects.csv`, the held rows and
    /// `manifest.json` into `out_dir` (created when missing), and records the
    /// submission. `config` must be the one the claims were scrubbed with.
    /// First, a replacement or void held back only for its empty
    /// `original_ref` takes the payer's claim number the ledger holds for it
    /// and moves to the clean claims (see `correction`). Each claim written
    /// to the 837P is emptied as it is sent (every id, name, line and row of
    /// it is freed once its transaction set is written and its ledger record
    /// taken). Claims not sent are left as they were: the caller decides
    /// when they are freed (a command about to exit need not free them one
    /// by one).
    pub fn submit(
        &mut self,
        config: &Config,
        ledger: &mut Ledger,
        out_dir: &Path,
        progress: &Progress,
    ) -> Result<Report, Error> {
        if out_dir.exists() && !out_dir.is_dir() {
            return Err(Error::NotAFolder(out_dir.to_path_buf()));
        }
        let file = self.export.display().to_string();
        let mut notes = super::correction::take_original_refs(
            &mut self.clean,
            &mut self.held,
            &mut self.findings,
            config,
            ledger,
        )?;
        progress.stage("checking coverage answers");
        let encounters = &self.encounters;
        hold_for_coverage(
            &mut self.clean,
            &mut self.held,
            &mut self.findings,
            config,
            ledger,
            self.options.now,
            &file,
            &|c| encounters.column_label(c),
        )?;
        progress.stage("hashing claims");
        let mut hashes: Vec<String> = self.clean.par_iter().map(ledger::content_hash).collect();
        progress.stage("looking up sent claims");
        let mut findings = self.findings.clone();
        let mut decisions =
            decide(&self.clean, ledger, &hashes, &mut findings, self.options.resend, &file)?;
        if !self.codesets.edits.is_empty() {
            progress.stage("NCCI edits against claims sent earlier");
            self.ncci_against_ledger(config, ledger, &mut decisions, &mut findings)?;
        }
        fs::create_dir_all(out_dir).map_err(Error::io(out_dir, "cannot create output folder"))?;
        remove_stale_temp_files(out_dir);
        let to_send: Vec<usize> = (0..self.clean.len()).filter(|&i| decisions[i].sends()).collect();
        // Counted before the claims sent are emptied.
        let lines_read: usize = self.clean.iter().chain(&self.held).map(|c| c.lines.len()).sum();
        let claims = self.clean.len() + self.held.len();
        let sent = if to_send.is_empty() {
            None
        } else {
            notes.extend(start_ignored(config, ledger)?);
            progress.stage("writing the 837P");
            let mut emitter =
                Emitter::open(config, ledger, out_dir, self.options.now, self.verify)?;
            for &i in &to_send {
                let hash = std::mem::take(&mut hashes[i]);
                emitter.send(take_sent(&mut self.clean[i]), decisions[i], hash, ledger)?;
            }
            Some(emitter.finish(ledger, progress)?)
        };
        // Held back: by scrub, or by the ledger (changed after sending).
        let mut held: Vec<&Claim> = self.held.iter().collect();
        held.extend(
            self.clean
                .iter()
                .zip(&decisions)
                .filter(|(_, d)| **d == Decision::Held)
                .map(|(c, _)| c),
        );
        let already: Vec<&Claim> = self
            .clean
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| **d == Decision::AlreadySent)
            .map(|(c, _)| c)
            .collect();
        super::outputs::write(Outcome {
            out_dir,
            export: &self.export,
            export_sha256: &self.export_sha256,
            export_bytes: self.export_bytes,
            recorded_inputs: &self.recorded_inputs,
            options: &self.options,
            codesets: &self.codesets,
            encounters: &self.encounters,
            findings,
            notes,
            sent,
            held,
            already_sent: already.iter().map(|c| c.claim_id.clone()).collect(),
            already_charge: already.iter().map(|c| c.total_charge()).sum(),
            rows_read: self.rows_read,
            claims,
            lines_read,
            progress,
        })
    }

    /// The NCCI rules of the claims about to be sent against the claims sent
    /// earlier for the same patients and days (the ledger): a new error
    /// finding holds the claim back.
    fn ncci_against_ledger(
        &self,
        config: &Config,
        ledger: &Ledger,
        decisions: &mut [Decision],
        findings: &mut Vec<Finding>,
    ) -> Result<(), Error> {
        let targets: Vec<usize> = (0..self.clean.len()).filter(|&i| decisions[i].sends()).collect();
        let dates =
            targets.iter().flat_map(|&i| self.clean[i].lines.iter().map(|l| l.service_date));
        let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
            return Ok(());
        };
        // A claim is recorded under its first date of service; its lines may
        // run a few weeks later.
        let from = first - chrono::Duration::days(62);
        let prior = ledger.prior_claims(from, last)?;
        let found = scrub::ncci_with_prior(
            &self.encounters,
            &self.clean,
            &self.held,
            &targets,
            &prior,
            config,
            &self.codesets,
        );
        let known: std::collections::HashSet<(&str, u64, &str, &str)> = findings
            .iter()
            .map(|f| (f.claim_id.as_str(), f.row, f.rule, f.message.as_str()))
            .collect();
        let new: Vec<Finding> = found
            .into_iter()
            .filter(|f| !known.contains(&(f.claim_id.as_str(), f.row, f.rule, f.message.as_str())))
            .collect();
        let held: std::collections::HashSet<&str> =
            new.iter().filter(|f| f.is_error()).map(|f| f.claim_id.as_str()).collect();
        for &i in &targets {
            if held.contains(self.clean[i].claim_id.as_str()) {
                decisions[i] = Decision::Held;
            }
        }
        findings.extend(new);
        Ok(())
    }
}

/// The note saying the configured `control_number_start` is ignored, when
/// the ledger has gone past it (asked before the numbers are taken).
pub(super) fn start_ignored(config: &Config, ledger: &Ledger) -> Result<Option<Finding>, Error> {
    let Some(start) = config.interchange.control_number_start else { return Ok(None) };
    let last = ledger.counter("ISA13")?;
    if last > 0 && start > last {
        let message = format!(
            "control_number_start {start} is ignored: this ledger has already issued \
             control numbers up to {last}, and numbers go on from there"
        );
        return Ok(Some(Finding::new(START_IGNORED, Severity::Warning, message)));
    }
    Ok(None)
}

/// Removes temp files an interrupted run left in DIR (ours only: `.claims-*`,
/// `.rejects.csv.*`, `.manifest.json.*` ending in `.tmp`). The ledger lock
/// is held, so no other run for this ledger is writing them.
pub(super) fn remove_stale_temp_files(dir: &Path) {
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

/// Holds back the clean claims the newest 271 answers on file say are
/// not covered (see [`crate::coverage`]); adds the coverage findings, with
/// columns named by `label`, to `findings`.
#[allow(clippy::too_many_arguments)]
pub(super) fn hold_for_coverage(
    clean: &mut Vec<Claim>,
    held: &mut Vec<Claim>,
    findings: &mut Vec<Finding>,
    config: &Config,
    ledger: &Ledger,
    now: chrono::NaiveDateTime,
    file: &str,
    label: &dyn Fn(&str) -> String,
) -> Result<(), Error> {
    let answers = ledger::coverage_for_claims(ledger.connection(), clean)?;
    scrub::apply_coverage(clean, held, findings, &answers, config, now, file, label);
    Ok(())
}

/// Per clean claim: send it, or not (already sent, or changed since it
/// was sent: a finding added to `findings` holds it back). `hashes[i]`
/// is `clean[i]`'s content hash; `file` names the export in findings.
pub(super) fn decide(
    clean: &[Claim],
    ledger: &Ledger,
    hashes: &[String],
    findings: &mut Vec<Finding>,
    resend: bool,
    file: &str,
) -> Result<Vec<Decision>, Error> {
    let keys: Vec<(&str, &str)> =
        clean.iter().map(|c| (c.claim_id.as_str(), c.payer.id.as_str())).collect();
    let known = ledger.lookup(&keys)?;
    let mut decisions = Vec::with_capacity(clean.len());
    for ((c, k), hash) in clean.iter().zip(&known).zip(hashes) {
        let row = c.source.rows.first().copied().unwrap_or(0);
        // The error finding that holds the claim back.
        let held = |rule, message| {
            Finding::new(rule, Severity::Error, message)
                .in_file(file)
                .at_row(row, "")
                .for_claim(&c.claim_id)
        };
        decisions.push(match k {
            // A first send says how it goes: a replacement or a void of
            // a claim sent before the ledger knew it stays one.
            None if c.frequency == Frequency::Replacement => {
                Decision::Send(ClaimStatus::Replacement)
            }
            None if c.frequency == Frequency::Void => Decision::Send(ClaimStatus::Void),
            None => Decision::Send(ClaimStatus::Sent),
            Some(_) if resend => Decision::Send(ClaimStatus::Resent),
            // Rejected at the front end: the payer never took the claim
            // in, so a corrected claim goes again as an original (a
            // replacement of a claim the payer does not have bounces).
            Some(k) if k.status == ClaimStatus::Rejected && k.content_hash != *hash => {
                Decision::Resubmit
            }
            Some(k) if k.status == ClaimStatus::Rejected => {
                let rejection = ledger.latest_rejection(&c.claim_id, &c.payer.id)?;
                if rejection.as_ref().is_some_and(|r| r.by_set) {
                    decisions.push(Decision::ResendAsIs);
                    continue;
                }
                let (at, said) = rejection
                    .map_or((String::new(), "a front-end rejection".into()), |r| (r.at, r.said));
                let message = format!(
                    "claim {} was rejected at the front end ({said}, recorded {at}) and has not \
                     changed since it was sent (ISA13 {}): correct it and build again (it goes \
                     as an original), or re-run with --resend to send it again as is",
                    c.claim_id, k.isa13
                );
                findings.push(held(scrub::LEDGER_REJECTED.id, message));
                Decision::Held
            }
            Some(k) if k.content_hash == *hash => Decision::AlreadySent,
            Some(_) if c.frequency == Frequency::Replacement => {
                Decision::Send(ClaimStatus::Replacement)
            }
            Some(_) if c.frequency == Frequency::Void => Decision::Send(ClaimStatus::Void),
            Some(k) => {
                let message = format!(
                    "claim {} was already sent (ISA13 {}) and its content has changed since; \
                     send a replacement: set frequency 7 and original_ref to the payer's claim \
                     control number, or re-run with --resend to send it again as is",
                    c.claim_id, k.isa13
                );
                findings.push(held(scrub::LEDGER_CHANGED.id, message));
                Decision::Held
            }
        });
    }
    Ok(decisions)
}
