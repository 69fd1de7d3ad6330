//! Writing and recording the COB claims of a secondary run, with the same
//! protocol as a build: control numbers allocated and committed first, the
//! 837P written to a temp file and re-validated (COB balancing included),
//! the submission recorded as pending with its claims and their COB
//! records, the file renamed into place, the submission marked complete.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};

use super::{Error, Options};
use crate::atomic::AtomicFile;
use crate::claim::{Claim, ClaimStatus};
use crate::config::Config;
use crate::edi837;
use crate::ledger::{self, ClaimRecord, CobRecord, Ledger, SubmissionRecord};

/// What the ledger keeps of a COB claim besides the claim itself.
#[derive(Clone, Debug)]
pub(super) struct Pending {
    pub(super) primary_payer_id: String,
    pub(super) primary_payment_id: i64,
    pub(super) primary_paid: Decimal,
    pub(super) patient_responsibility: Decimal,
}

/// Writes `claims` as one 837P into `out_dir` and records them; returns the
/// file and its ISA13.
pub(super) fn write_and_record(
    config: &Config,
    ledger: &mut Ledger,
    out_dir: &Path,
    options: &Options,
    claims: &[(Claim, Pending)],
) -> Result<(PathBuf, String), Error> {
    fs::create_dir_all(out_dir).map_err(Error::io(out_dir, "cannot create output folder"))?;
    let (isa13, gs06) =
        ledger.allocate_control_numbers(config.interchange.control_number_start.unwrap_or(1))?;
    let name = format!("secondary-{isa13:09}.x12");
    let dest = out_dir.join(&name);
    let list: Vec<&Claim> = claims.iter().map(|(c, _)| c).collect();
    let env =
        edi837::Envelope { interchange_control: isa13, group_control: gs06, now: options.now };
    let mut file = AtomicFile::create(&dest).map_err(Error::io(&dest, "cannot create"))?;
    let written = edi837::write(&mut file, &list, config, &env)
        .and_then(|w| Ok(file.flush().map(|()| w)?))
        .map_err(|cause| Error::Write837 { path: dest.clone(), cause })?;
    let bytes = crate::input::open(file.temp_path()).map_err(Error::io(&dest, "cannot re-read"))?;
    let check = crate::validate::validate_file(&name, &bytes);
    if !check.is_valid() {
        let first = check.findings.first().map(|f| f.message.clone()).unwrap_or_default();
        return Err(Error::SelfCheck { path: dest, first });
    }
    let sha256 = ledger::hex(&Sha256::digest(&bytes[..]));
    // Where each claim sits in its set, for mapping 999 errors to claims.
    let mut spans = crate::edi837::spans_by_claim(&bytes);
    drop(bytes);
    let set_of =
        written.sets.iter().flat_map(|s| std::iter::repeat(s.control.as_str()).take(s.claims));
    let records: Vec<ClaimRecord> = claims
        .iter()
        .zip(set_of)
        .map(|((c, p), st)| ClaimRecord {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer.id.clone(),
            content_hash: ledger::content_hash(c),
            frequency: c.frequency.code().to_string(),
            total_charge: c.total_charge(),
            st02: st.to_string(),
            status: ClaimStatus::Sent,
            span: spans.remove(&(st.to_string(), c.claim_id.clone(), c.payer.id.clone())),
            detail: Some(format!("COB claim after the primary {}", p.primary_payer_id)),
            patient: ledger::PatientRecord::of(c),
        })
        .collect();
    let cob: Vec<CobRecord> = claims
        .iter()
        .map(|(c, p)| CobRecord {
            claim_id: c.claim_id.clone(),
            payer_id: c.payer.id.clone(),
            primary_payer_id: p.primary_payer_id.clone(),
            primary_payment_id: p.primary_payment_id,
            primary_paid: p.primary_paid,
            primary_patient_responsibility: p.patient_responsibility,
        })
        .collect();
    let abs = fs::canonicalize(out_dir).unwrap_or_else(|_| out_dir.to_path_buf()).join(&name);
    let sub = SubmissionRecord {
        file: abs,
        file_sha256: sha256,
        isa13: written.interchange_control.clone(),
        gs06: written.group_control.clone(),
        st02: written.sets.iter().map(|s| s.control.clone()).collect(),
        total_charge: written.total_charge,
        created_at: options.now.format("%Y-%m-%dT%H:%M:%S").to_string(),
    };
    let id = ledger.record_pending(&sub, &records)?;
    ledger.record_cob_claims(id, &cob)?;
    file.commit().map_err(Error::io(&dest, "cannot write"))?;
    ledger.complete(id)?;
    Ok((dest, written.interchange_control))
}
