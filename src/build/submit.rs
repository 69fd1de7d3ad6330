//! The submission protocol of a build: decide per clean claim (send, already
//! sent, held for a replacement, sent again as an original after a
//! front-end rejection when it changed, held when it did not), write the 837P to a temp file, re-validate
//! it, record it in the ledger as pending, rename it into place, mark it
//! complete; then `rejects.csv`, `held/` and `manifest.json`, each written
//! atomically. Reading and scrubbing are done before (see [`super::prepare`]).

use std::fs;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};
use sha2::{Digest, Sha256};

use super::manifest::{ControlNumbers, Counts, FileEntry, Manifest, Totals};
use super::{Error, Prepared, Report};
use crate::atomic::{self, AtomicFile};
use crate::claim::{Claim, ClaimStatus, Frequency};
use crate::config::Config;
use crate::edi837;
use crate::finding::{Finding, Severity};
use crate::ledger::{self, ClaimRecord, Ledger, SubmissionRecord};
use crate::numtext::cents;
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
enum Decision {
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
    fn sends(self) -> bool {
        matches!(self, Decision::Send(_) | Decision::Resubmit | Decision::ResendAsIs)
    }
}

/// The 837P as written and recorded.
struct Sent {
    path: std::path::PathBuf,
    entry: FileEntry,
    charge: Decimal,
    lines: usize,
    control: ControlNumbers,
}

impl Prepared {
    /// Sends what is new: asks the ledger what was already sent, writes the
    /// 837P (when any claim goes), `rejects.csv`, the held rows and
    /// `manifest.json` into `out_dir` (created when missing), and records the
    /// submission. `config` must be the one the claims were scrubbed with.
    /// First, a replacement or void held back only for its empty
    /// `original_ref` takes the payer's claim number the ledger holds for it
    /// and moves to the clean claims (see `correction`). Each claim written
    /// to the 837P is emptied once its ledger record is taken (every id,
    /// name, line and row of it is freed), which keeps the re-validation and
    /// ledger stages from holding every sent claim. Claims not sent are left as they were: the
    /// caller decides when they are freed (a command about to exit need not
    /// free them one by one).
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
        let mut notes = self.take_original_refs(config, ledger)?;
        progress.stage("checking coverage answers");
        self.hold_for_coverage(config, ledger)?;
        progress.stage("hashing claims");
        let mut hashes: Vec<String> = self.clean.par_iter().map(ledger::content_hash).collect();
        progress.stage("looking up sent claims");
        let mut findings = self.findings.clone();
        let mut decisions = self.decide(ledger, &hashes, &mut findings)?;
        if !self.codesets.edits.is_empty() {
            progress.stage("NCCI edits against claims sent earlier");
            self.ncci_against_ledger(config, ledger, &mut decisions, &mut findings)?;
        }
        let note = |rule, message| Finding::new(rule, Severity::Warning, message);
        let mut codeset_notes: Vec<Finding> =
            self.codesets.summary().into_iter().map(|m| note(CODESET_USED, m)).collect();
        codeset_notes.extend(self.codesets.ncci_note().map(|m| note(NCCI_UNCHECKED, m)));

        fs::create_dir_all(out_dir).map_err(Error::io(out_dir, "cannot create output folder"))?;
        remove_stale_temp_files(out_dir);
        let to_send: Vec<usize> = (0..self.clean.len()).filter(|&i| decisions[i].sends()).collect();
        // Counted before `write_837` frees the lines of the claims it sends.
        let lines_read: usize = self.clean.iter().chain(&self.held).map(|c| c.lines.len()).sum();
        let mut outputs = Vec::new();
        let sent = if to_send.is_empty() {
            None
        } else {
            if let Some(start) = config.interchange.control_number_start {
                let last = ledger.counter("ISA13")?;
                if last > 0 && start > last {
                    let message = format!(
                        "control_number_start {start} is ignored: this ledger has already issued \
                         control numbers up to {last}, and numbers go on from there"
                    );
                    notes.push(Finding::new(START_IGNORED, Severity::Warning, message));
                }
            }
            progress.stage("writing the 837P");
            let sent = self.write_837(
                config,
                ledger,
                out_dir,
                &to_send,
                &decisions,
                &mut hashes,
                progress,
            )?;
            outputs.push(sent.entry.clone());
            Some(sent)
        };

        progress.stage("writing the rejects report and manifest");
        let rejects_file = out_dir.join("rejects.csv");
        let rejects = crate::finding::rejects_csv(&findings);
        atomic::write(&rejects_file, &rejects).map_err(Error::io(&rejects_file, "cannot write"))?;
        outputs.push(FileEntry::of_bytes(&rejects_file, &rejects));

        // Held back: by scrub, or by the ledger (changed after sending).
        let mut held: Vec<&Claim> = self.held.iter().collect();
        held.extend(
            self.clean
                .iter()
                .zip(&decisions)
                .filter(|(_, d)| **d == Decision::Held)
                .map(|(c, _)| c),
        );
        held.sort_by_key(|c| c.source.rows.first().copied().unwrap_or(0));
        let held_rows = self.encounters.held_rows(held.iter().copied());
        let held_dir = out_dir.join("held");
        let held_name = self
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
            self.encounters
                .write_rows(&mut bytes, &held_rows)
                .map_err(Error::io(&held_file, "cannot write"))?;
            atomic::write(&held_file, &bytes).map_err(Error::io(&held_file, "cannot write"))?;
            outputs.push(FileEntry::of_bytes(&held_file, &bytes));
        }

        let already: Vec<&Claim> = self
            .clean
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| **d == Decision::AlreadySent)
            .map(|(c, _)| c)
            .collect();
        // Totals are shown in cents: a held claim may carry an amount with
        // more decimals (the finding that holds it back names it exactly).
        let charge = |cs: &[&Claim]| -> Decimal {
            let sum: Decimal = cs.iter().map(|c| c.total_charge()).sum();
            sum.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        };
        let errors = findings.iter().filter(|f| f.is_error()).count();
        let mut inputs = vec![FileEntry {
            path: self.export.display().to_string(),
            bytes: self.export_bytes,
            sha256: self.export_sha256.clone(),
        }];
        for p in &self.recorded_inputs {
            let (sha256, bytes) =
                super::manifest::hash_file(p).map_err(Error::io(p, "cannot read"))?;
            inputs.push(FileEntry { path: p.display().to_string(), bytes, sha256 });
        }
        let manifest = Manifest {
            claimflow: env!("CARGO_PKG_VERSION"),
            now: self.options.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
            resend: self.options.resend,
            inputs,
            outputs,
            codesets: self.codesets.files.clone(),
            counts: Counts {
                rows: self.rows_read,
                claims: self.clean.len() + self.held.len(),
                lines: lines_read,
                sent: to_send.len(),
                sent_lines: sent.as_ref().map_or(0, |s| s.lines),
                already_sent: already.len(),
                held: held.len(),
                errors,
                warnings: findings.len() - errors,
            },
            totals: Totals {
                sent_charge: cents(sent.as_ref().map_or(Decimal::ZERO, |s| s.charge)),
                held_charge: cents(charge(&held)),
                held_rows_not_in_charge: {
                    let summed: std::collections::HashSet<u64> =
                        held.iter().flat_map(|c| c.lines.iter().map(|l| l.row)).collect();
                    held_rows.iter().copied().filter(|r| !summed.contains(r)).collect()
                },
                already_sent_charge: cents(charge(&already)),
            },
            control_numbers: sent.as_ref().map(|s| s.control.clone()).unwrap_or_default(),
            held_claims: held.iter().map(|c| c.claim_id.clone()).collect(),
            already_sent_claims: already.iter().map(|c| c.claim_id.clone()).collect(),
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

    /// Holds back the clean claims the newest 271 answers on file say are
    /// not covered (see [`crate::coverage`]); adds the coverage findings.
    fn hold_for_coverage(&mut self, config: &Config, ledger: &Ledger) -> Result<(), Error> {
        let answers = ledger::coverage_for_claims(ledger.connection(), &self.clean)?;
        let file = self.export.display().to_string();
        let encounters = &self.encounters;
        scrub::apply_coverage(
            &mut self.clean,
            &mut self.held,
            &mut self.findings,
            &answers,
            config,
            self.options.now,
            &file,
            |c| encounters.column_label(c),
        );
        Ok(())
    }

    /// Per clean claim: send it, or not (already sent, or changed since it
    /// was sent: a finding added to `findings` holds it back).
    fn decide(
        &self,
        ledger: &Ledger,
        hashes: &[String],
        findings: &mut Vec<Finding>,
    ) -> Result<Vec<Decision>, Error> {
        let keys: Vec<(&str, &str)> =
            self.clean.iter().map(|c| (c.claim_id.as_str(), c.payer.id.as_str())).collect();
        let known = ledger.lookup(&keys)?;
        let resend = self.options.resend;
        let file = self.export.display().to_string();
        let mut decisions = Vec::with_capacity(self.clean.len());
        for ((c, k), hash) in self.clean.iter().zip(&known).zip(hashes) {
            let row = c.source.rows.first().copied().unwrap_or(0);
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
                    findings.push(
                        Finding::new(scrub::LEDGER_REJECTED.id, Severity::Error, message)
                            .in_file(&file)
                            .at_row(row, "")
                            .for_claim(&c.claim_id),
                    );
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
                    findings.push(
                        Finding::new(scrub::LEDGER_CHANGED.id, Severity::Error, message)
                            .in_file(&file)
                            .at_row(row, "")
                            .for_claim(&c.claim_id),
                    );
                    Decision::Held
                }
            });
        }
        Ok(decisions)
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

    /// Writes, checks and records the 837P of the claims `to_send`. Once the
    /// 837P is written, each sent claim's ledger record is taken from it and
    /// the claim is emptied ([`free_sent`]): the re-validation and the ledger
    /// run without the claims' lines, people and providers in memory.
    #[allow(clippy::too_many_arguments)]
    fn write_837(
        &mut self,
        config: &Config,
        ledger: &mut Ledger,
        out_dir: &Path,
        to_send: &[usize],
        decisions: &[Decision],
        hashes: &mut [String],
        progress: &Progress,
    ) -> Result<Sent, Error> {
        let (isa13, gs06) = ledger
            .allocate_control_numbers(config.interchange.control_number_start.unwrap_or(1))?;
        crash_point("allocated");
        let name = format!("claims-{isa13:09}.x12");
        let dest = out_dir.join(&name);
        let claims: Vec<&Claim> = to_send.iter().map(|&i| &self.clean[i]).collect();
        let env = edi837::Envelope {
            interchange_control: isa13,
            group_control: gs06,
            now: self.options.now,
        };
        let mut file = AtomicFile::create(&dest).map_err(Error::io(&dest, "cannot create"))?;
        // The file's sha256 is taken from the bytes as they are written (no
        // second pass over the file for it).
        let mut hashing = Hashing { inner: &mut file, hash: Sha256::new(), bytes: 0 };
        let written = edi837::write(&mut hashing, &claims, config, &env)
            .and_then(|w| Ok(hashing.flush().map(|()| w)?))
            .map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
        drop(claims);
        let sha256 = ledger::hex(&hashing.hash.finalize());
        let size = hashing.bytes;
        // The ledger's records (their spans come from the re-read below),
        // each claim emptied once its record is taken.
        let st02: Vec<String> = written.sets.iter().map(|s| s.control.clone()).collect();
        let set_of =
            written.sets.iter().flat_map(|s| std::iter::repeat(s.control.as_str()).take(s.claims));
        let mut coverage: Vec<(String, String, String, &'static str)> = Vec::new();
        let mut records: Vec<ClaimRecord> = Vec::with_capacity(to_send.len());
        for (&i, st) in to_send.iter().zip(set_of) {
            let c = &mut self.clean[i];
            coverage.extend(c.other_payers.iter().map(|o| {
                (
                    c.claim_id.clone(),
                    c.payer.id.clone(),
                    o.payer.id.clone(),
                    o.responsibility.code(),
                )
            }));
            records.push(ClaimRecord {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer.id.clone(),
                content_hash: std::mem::take(&mut hashes[i]),
                frequency: c.frequency.code().to_string(),
                total_charge: c.total_charge(),
                st02: st.to_string(),
                status: match decisions[i] {
                    Decision::Send(s) => s,
                    Decision::ResendAsIs => ClaimStatus::Resent,
                    _ => ClaimStatus::Sent,
                },
                span: None,
                detail: match decisions[i] {
                    Decision::Resubmit => Some(
                        "sent again as an original after a front-end rejection (corrected since)"
                            .to_string(),
                    ),
                    Decision::ResendAsIs => Some(
                        "sent again as is: its set or interchange was rejected, not the claim"
                            .to_string(),
                    ),
                    _ => None,
                },
                patient: ledger::PatientRecord::of(c),
            });
            free_sent(c);
        }
        // Self-check: re-read what is on disk and validate it; the claims'
        // spans are read from it at the same time, on the other core.
        progress.stage("re-validating the 837P");
        let bytes =
            crate::input::open(file.temp_path()).map_err(Error::io(&dest, "cannot re-read"))?;
        let (check, mut spans) = rayon::join(
            || crate::validate::validate_file(&name, &bytes),
            // Where each claim sits in its set, for mapping 999 errors to claims.
            || edi837::spans_by_claim(&bytes),
        );
        if !check.is_valid() {
            let first = check.findings.first().map(|f| f.message.clone()).unwrap_or_default();
            return Err(Error::SelfCheck { path: dest, first });
        }
        drop(check);
        drop(bytes);
        for r in &mut records {
            r.span = spans.remove(&(r.st02.clone(), r.claim_id.clone(), r.payer_id.clone()));
        }
        drop(spans);
        let abs = fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf()).join(&name);
        let sub = SubmissionRecord {
            file: abs,
            file_sha256: sha256.clone(),
            isa13: written.interchange_control.clone(),
            gs06: written.group_control.clone(),
            st02: st02.clone(),
            total_charge: written.total_charge,
            created_at: self.options.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        progress.stage("recording in the ledger");
        let id = ledger.record_pending(&sub, &records)?;
        drop(records);
        let coverage: Vec<(&str, &str, &str, &str)> =
            coverage.iter().map(|(c, p, o, r)| (c.as_str(), p.as_str(), o.as_str(), *r)).collect();
        ledger.record_other_coverage(id, &coverage)?;
        crash_point("pending");
        progress.stage("renaming the 837P into place (fsync)");
        file.commit().map_err(Error::io(&dest, "cannot write"))?;
        crash_point("renamed");
        progress.stage("marking the submission complete");
        ledger.complete(id)?;
        Ok(Sent {
            entry: FileEntry { path: dest.display().to_string(), bytes: size, sha256 },
            path: dest,
            charge: written.total_charge,
            lines: written.lines,
            control: ControlNumbers {
                isa13: Some(written.interchange_control),
                gs06: Some(written.group_control),
                st02,
            },
        })
    }
}

/// Empties a claim written to the 837P and recorded: every value that lives
/// on the heap (ids, names, lines, diagnoses, rows...) is freed; only its
/// frequency, relationship, dates and amounts stay. Nothing after
/// `write_837` reads a sent claim (its line count is taken before), and a
/// claim freed whole leaves whole pages free for the allocator to return, so
/// the re-validation and ledger stages no longer sit on top of every claim.
fn free_sent(c: &mut Claim) {
    use std::mem::take;
    let Claim {
        claim_id,
        billing,
        payer,
        member_id,
        group_number,
        subscriber,
        relationship: _,
        patient,
        place_of_service,
        frequency: _,
        original_ref,
        prior_auth,
        onset_date: _,
        rendering,
        referring,
        facility,
        supervising,
        related_causes,
        accident_state,
        accident_date: _,
        delay_reason,
        patient_paid: _,
        note,
        diagnoses,
        lines,
        stated_total: _,
        other_payers,
        insurance_type,
        source,
    } = c;
    take(claim_id);
    take(billing);
    take(payer);
    take(member_id);
    take(group_number);
    take(subscriber);
    take(patient);
    take(place_of_service);
    take(original_ref);
    take(prior_auth);
    take(rendering);
    take(referring);
    take(facility);
    take(supervising);
    take(related_causes);
    take(accident_state);
    take(delay_reason);
    take(note);
    take(diagnoses);
    take(lines);
    take(other_payers);
    take(insurance_type);
    take(source);
}

/// A writer that hashes (sha256) and counts the bytes it passes on.
struct Hashing<W> {
    inner: W,
    hash: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
