//! Writing and recording the COB claims of a secondary run set by set, with
//! the same protocol as a build: [`Emitter::open`] allocates and commits
//! the control numbers, starts the 837P as a temp file and records its
//! submission `pending`; [`Emitter::send`] takes the COB claims in order and
//! writes a transaction set each time one is full (the writer `build` uses),
//! validates the set in memory (COB balancing included) and compares its
//! claims' spans read back with the writer's, and records its claims and their COB records as part of the pending
//! submission, then drops them; [`Emitter::finish`] ends the file, fills in
//! the submission's sha256, sets and total, renames the file into place and
//! marks the submission complete. Until the rename, a crash leaves a
//! pending submission without a file, which the ledger abandons when next
//! opened (with the claims and COB records recorded so far). It does not
//! decide what is sent (`decide`).

use std::fs;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use sha2::Digest;

use super::{Error, Options};
use crate::atomic::AtomicFile;
use crate::claim::{Claim, ClaimStatus};
use crate::config::Config;
use crate::edi837;
use crate::ledger::{self, ClaimRecord, CobRecord, Ledger, SubmissionRecord};
use crate::sending::{self, crash_point, Hashed, Hashing, SetCheck};

/// What the ledger keeps of a COB claim besides the claim itself.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) primary_payer_id: String,
    pub(super) primary_payment_id: i64,
    pub(super) primary_paid: Decimal,
    pub(super) patient_responsibility: Decimal,
}

/// The COB 837P being written (see the module doc).
pub(super) struct Emitter<'c> {
    config: &'c Config,
    env: edi837::Envelope,
    name: String,
    dest: PathBuf,
    writer: edi837::SetWriter<'c, Hashing<AtomicFile>>,
    pending: Vec<(Claim, Pending)>,
    /// The submission as recorded `pending` (its sha256, sets and total
    /// filled in at the end) and its id in the ledger.
    sub: SubmissionRecord,
    id: i64,
}

impl<'c> Emitter<'c> {
    /// Creates `out_dir` when missing, takes the next control numbers from
    /// the ledger and starts `secondary-<ISA13>.x12` there (as a temp file).
    pub(super) fn open(
        config: &'c Config,
        ledger: &mut Ledger,
        out_dir: &Path,
        options: &Options,
    ) -> Result<Emitter<'c>, Error> {
        fs::create_dir_all(out_dir).map_err(Error::io(out_dir, "cannot create output folder"))?;
        let sending::Started { env, name, dest, writer, sub, id } =
            sending::start(config, ledger, out_dir, "secondary", options.now)?;
        Ok(Emitter { config, env, name, dest, writer, pending: Vec::new(), sub, id })
    }

    /// Sends `claim` (in this order); writes a set when one is full.
    pub(super) fn send(
        &mut self,
        claim: Claim,
        pending: Pending,
        ledger: &mut Ledger,
    ) -> Result<(), Error> {
        self.pending.push((claim, pending));
        if self.pending.len() >= self.writer.per_set() {
            self.write_set(ledger)?;
        }
        Ok(())
    }

    /// Writes the pending claims as one set, validates it, and records its
    /// claims and their COB records (as part of the pending submission).
    fn write_set(&mut self, ledger: &mut Ledger) -> Result<(), Error> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let claims: Vec<&Claim> = pending.iter().map(|(c, _)| c).collect();
        // COB claims are made from what the payers' remittances say, which
        // may not balance: every set is validated in memory (`verify`).
        let written = self
            .writer
            .write_set(&claims, true)
            .map_err(|cause| Error::Write837 { path: self.dest.clone(), cause })?;
        drop(claims);
        let control = written.summary.control.clone();
        // The set's records are taken meanwhile on this thread.
        let (check, (mut records, cob)) =
            sending::check_set(self.config, &self.env, &self.name, written, true, || {
                records_of(&pending, &control)
            })
            .map_err(|cause| Error::Write837 { path: self.dest.clone(), cause })?;
        drop(pending);
        let spans = match check {
            SetCheck::Valid(spans) => spans,
            SetCheck::Invalid(first) => {
                return Err(Error::SelfCheck { path: self.dest.clone(), first })
            }
        };
        for (r, span) in records.iter_mut().zip(spans) {
            r.span = Some(span);
        }
        ledger.add_pending(self.id, &self.sub.created_at, &records)?;
        ledger.record_cob_claims(self.id, &cob)?;
        Ok(())
    }

    /// Writes the last set and the trailers, fills in the pending
    /// submission, renames the file into place and marks it complete;
    /// returns the file and its ISA13.
    pub(super) fn finish(mut self, ledger: &mut Ledger) -> Result<(PathBuf, String), Error> {
        self.write_set(ledger)?;
        let Emitter { dest, writer, mut sub, id, .. } = self;
        let (written, hashing) =
            writer.finish().map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
        let Hashed { inner: file, hash, .. } =
            hashing.finish().map_err(Error::io(&dest, "cannot write"))?;
        sub.file_sha256 = ledger::hex(&hash.finalize());
        sub.st02 = written.sets.iter().map(|s| s.control.clone()).collect();
        sub.total_charge = written.total_charge;
        ledger.end_pending(id, &sub, written.claims)?;
        crash_point("pending");
        file.commit().map_err(Error::io(&dest, "cannot write"))?;
        crash_point("renamed");
        ledger.complete(id)?;
        Ok((dest, written.interchange_control))
    }
}

/// The ledger records of the COB claims of set `st02` (their spans are
/// filled in once the set is read back) and their `cob_claims` records.
fn records_of(claims: &[(Claim, Pending)], st02: &str) -> (Vec<ClaimRecord>, Vec<CobRecord>) {
    claims
        .iter()
        .map(|(c, p)| {
            let record = ClaimRecord {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer.id.clone(),
                content_hash: ledger::content_hash(c),
                frequency: c.frequency.code().to_string(),
                total_charge: c.total_charge(),
                st02: st02.to_string(),
                status: ClaimStatus::Sent,
                span: None,
                detail: Some(format!("COB claim after the primary {}", p.primary_payer_id)),
                patient: ledger::PatientRecord::of(c),
            };
            let cob = CobRecord {
                claim_id: c.claim_id.clone(),
                payer_id: c.payer.id.clone(),
                primary_payer_id: p.primary_payer_id.clone(),
                primary_payment_id: p.primary_payment_id,
                primary_paid: p.primary_paid,
                primary_patient_responsibility: p.patient_responsibility,
            };
            (record, cob)
        })
        .unzip()
}
