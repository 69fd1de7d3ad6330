//! Writing, checking and recording the 837P of a build, claim by claim in
//! the order sent: [`Emitter::open`] takes the control numbers and starts
//! the file (a temp file) and its submission, recorded `pending` in the
//! ledger; [`Emitter::send`] takes a claim and writes a transaction set each
//! time one is full, checks it (`sending::check_set`: the writer's own
//! check, or with `--verify` a validation in memory), and records its
//! claims with their spans as part of the pending submission; [`Emitter::finish`] ends the file,
//! fills in the submission's sha256, sets and total, renames the file into
//! place and marks the submission complete. Until the rename, a crash leaves
//! a pending submission without a file, which the ledger abandons when next
//! opened. A claim is dropped once its set is written and recorded, so the
//! memory held is one set's claims. It does not decide what is sent (`submit`).

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rust_decimal::Decimal;

use super::manifest::{ControlNumbers, FileEntry};
use super::submit::Decision;
use super::Error;
use crate::atomic::AtomicFile;
use crate::claim::{Claim, ClaimStatus};
use crate::config::Config;
use crate::edi837;
use crate::ledger::{self, ClaimRecord, Ledger, SubmissionRecord};
use crate::progress::Progress;
use crate::sending::{self, Hashing, SetCheck};

/// The 837P as written and recorded.
pub(super) struct Sent {
    pub(super) path: PathBuf,
    pub(super) entry: FileEntry,
    pub(super) charge: Decimal,
    pub(super) lines: usize,
    /// Claims sent.
    pub(super) claims: usize,
    pub(super) control: ControlNumbers,
}

/// A claim to send: the claim, why it goes, its content hash.
type Pending = (Claim, Decision, String);

/// The 837P being written (see the module doc).
pub(super) struct Emitter<'c> {
    config: &'c Config,
    env: edi837::Envelope,
    name: String,
    dest: PathBuf,
    writer: edi837::SetWriter<'c, Hashing<AtomicFile>>,
    pending: Vec<Pending>,
    /// The submission as recorded `pending` (its sha256, sets and total
    /// filled in at the end) and its id in the ledger.
    sub: SubmissionRecord,
    id: i64,
    /// The records of the set just written, recorded once it is validated.
    records: Vec<ClaimRecord>,
    coverage: Vec<(String, String, String, &'static str)>,
    /// Validate each set in memory as well (`--verify`).
    verify: bool,
}

impl<'c> Emitter<'c> {
    /// Takes the next control numbers from the ledger and starts
    /// `claims-<ISA13>.x12` in `out_dir` (as a temp file).
    pub(super) fn open(
        config: &'c Config,
        ledger: &mut Ledger,
        out_dir: &Path,
        now: chrono::NaiveDateTime,
        verify: bool,
    ) -> Result<Emitter<'c>, Error> {
        let sending::Started { env, name, dest, writer, sub, id } =
            sending::start(config, ledger, out_dir, "claims", now)?;
        Ok(Emitter {
            config,
            env,
            name,
            dest,
            pending: Vec::with_capacity(writer.per_set()),
            writer,
            sub,
            id,
            records: Vec::new(),
            coverage: Vec::new(),
            verify,
        })
    }

    /// Sends `claim` (in this order); writes a set when one is full.
    pub(super) fn send(
        &mut self,
        claim: Claim,
        why: Decision,
        hash: String,
        ledger: &mut Ledger,
    ) -> Result<(), Error> {
        self.pending.push((claim, why, hash));
        if self.pending.len() >= self.writer.per_set() {
            self.write_set(ledger)?;
        }
        Ok(())
    }

    /// Writes the pending claims as one set, checks it, and records its
    /// claims in the ledger (as part of the pending submission).
    fn write_set(&mut self, ledger: &mut Ledger) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        // Taken for the set and given back emptied: its capacity (a set's
        // claims) serves every set.
        let mut pending = std::mem::take(&mut self.pending);
        let claims: Vec<&Claim> = pending.iter().map(|(c, _, _)| c).collect();
        let written = self
            .writer
            .write_set(&claims, self.verify)
            .map_err(|cause| Error::Write837 { path: self.dest.clone(), cause })?;
        drop(claims);
        let control = written.summary.control.clone();
        // Its claims' records are taken meanwhile, on rayon (the claims
        // are freed there too): this thread stays free to write.
        let records = &mut self.records;
        let coverage = &mut self.coverage;
        let check =
            sending::check_set(self.config, &self.env, &self.name, written, self.verify, || {
                let taken: Vec<_> = pending
                    .par_drain(..)
                    .map(|(c, why, hash)| record_of(&c, why, hash, &control))
                    .collect();
                records.reserve(taken.len());
                for (record, cover) in taken {
                    records.push(record);
                    coverage.extend(cover);
                }
            });
        self.pending = pending;
        let (check, ()) =
            check.map_err(|cause| Error::Write837 { path: self.dest.clone(), cause })?;
        let spans = match check {
            SetCheck::Valid(spans) => spans,
            SetCheck::Invalid(first) => {
                return Err(Error::SelfCheck { path: self.dest.clone(), first })
            }
        };
        for (r, span) in self.records.iter_mut().zip(spans) {
            r.span = Some(span);
        }
        // Recorded on the ledger's own thread while the next set is written.
        ledger.queue_pending(self.id, &self.sub.created_at, std::mem::take(&mut self.records))?;
        Ok(())
    }

    /// Writes the last set and the trailers, records the submission as
    /// pending, renames the file into place and marks it complete.
    pub(super) fn finish(
        mut self,
        ledger: &mut Ledger,
        progress: &Progress,
    ) -> Result<Sent, Error> {
        self.write_set(ledger)?;
        let Emitter { dest, writer, sub, id, coverage, .. } = self;
        let record_coverage = |ledger: &mut Ledger| {
            let coverage: Vec<(&str, &str, &str, &str)> = coverage
                .iter()
                .map(|(c, p, o, r)| (c.as_str(), p.as_str(), o.as_str(), *r))
                .collect();
            ledger.record_other_coverage(id, &coverage)
        };
        let sending::Finished { dest, written, sha256, bytes, st02 } =
            sending::finish(ledger, dest, writer, sub, id, Some(progress), record_coverage)?;
        Ok(Sent {
            entry: FileEntry { path: dest.display().to_string(), bytes, sha256 },
            path: dest,
            charge: written.total_charge,
            lines: written.lines,
            claims: written.claims,
            control: ControlNumbers {
                isa13: Some(written.interchange_control),
                gs06: Some(written.group_control),
                st02,
            },
        })
    }
}

/// The ledger record of a claim sent in set `st02` (its span is filled in
/// once the set is read back), and its other payers for `other_coverage`.
fn record_of(
    c: &Claim,
    why: Decision,
    content_hash: String,
    st02: &str,
) -> (ClaimRecord, Vec<(String, String, String, &'static str)>) {
    let coverage = c
        .other_payers
        .iter()
        .map(|o| {
            (c.claim_id.clone(), c.payer.id.clone(), o.payer.id.clone(), o.responsibility.code())
        })
        .collect();
    let record = ClaimRecord {
        claim_id: c.claim_id.clone(),
        payer_id: c.payer.id.clone(),
        content_hash,
        frequency: c.frequency.code().to_string(),
        total_charge: c.total_charge(),
        st02: st02.to_string(),
        status: match why {
            Decision::Send(s) => s,
            Decision::ResendAsIs => ClaimStatus::Resent,
            _ => ClaimStatus::Sent,
        },
        span: None,
        detail: match why {
            Decision::Resubmit => Some(
                "sent again as an original after a front-end rejection (corrected since)"
                    .to_string(),
            ),
            Decision::ResendAsIs => Some(
                "sent again as is: its set or interchange was rejected, not the claim".to_string(),
            ),
            _ => None,
        },
        patient: ledger::PatientRecord::of(c),
    };
    (record, coverage)
}

/// Moves a claim out of `c` for sending, leaving `c` empty: every value
/// that lives on the heap (ids, names, lines, diagnoses, rows...) goes with
/// the claim returned; only its frequency, relationship, dates and amounts
/// stay. The whole-file build sends its clean claims this way, so that a
/// claim is freed once its set is written.
pub(super) fn take_sent(c: &mut Claim) -> Claim {
    use std::mem::take;
    let Claim {
        claim_id,
        billing,
        payer,
        member_id,
        group_number,
        subscriber,
        relationship,
        patient,
        place_of_service,
        frequency,
        original_ref,
        prior_auth,
        onset_date,
        rendering,
        referring,
        facility,
        supervising,
        related_causes,
        accident_state,
        accident_date,
        delay_reason,
        patient_paid,
        note,
        diagnoses,
        lines,
        stated_total,
        other_payers,
        insurance_type,
        source,
    } = c;
    Claim {
        claim_id: take(claim_id),
        billing: take(billing),
        payer: take(payer),
        member_id: take(member_id),
        group_number: take(group_number),
        subscriber: take(subscriber),
        relationship: *relationship,
        patient: take(patient),
        place_of_service: take(place_of_service),
        frequency: *frequency,
        original_ref: take(original_ref),
        prior_auth: take(prior_auth),
        onset_date: *onset_date,
        rendering: take(rendering),
        referring: take(referring),
        facility: take(facility),
        supervising: take(supervising),
        related_causes: take(related_causes),
        accident_state: take(accident_state),
        accident_date: *accident_date,
        delay_reason: take(delay_reason),
        patient_paid: *patient_paid,
        note: take(note),
        diagnoses: take(diagnoses),
        lines: take(lines),
        stated_total: *stated_total,
        other_payers: take(other_payers),
        insurance_type: take(insurance_type),
        source: take(source),
    }
}
