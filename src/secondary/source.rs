//! What a COB claim is built from, read back from disk: the claims as they
//! were sent (the ledger's recorded 837 files) and the primary's claim
//! payments (the 835 files `reconcile` posted, checked against the sha256
//! recorded then). Each 837 file is read once, claim by claim; each wanted
//! 835 transaction set is parsed once, when first needed, and freed when no
//! claim still to build needs it.
//!
//! It reads; it does not decide (see `decide`) or build claims (`cob`).

use std::collections::HashMap;
use std::path::Path;

use crate::claim::Claim;
use crate::edi835::{self, ClaimPayment};
use crate::ledger::{self, PrimaryPayment};
use crate::x12::{self, TransactionKind};

/// Reads the recorded 837 file `file` (an absolute path from the ledger)
/// and hands each claim to `each` as soon as it is read, so only one claim
/// of the file is in memory at a time. `Err` says why the file cannot be
/// read back (the claims handed over before an error are not X12).
pub(super) fn each_sent(file: &str, each: impl FnMut(Claim)) -> Result<(), String> {
    let bytes = crate::input::open(Path::new(file)).map_err(|e| e.to_string())?;
    crate::edi837::read_each(&bytes, each).map(drop).map_err(|e| e.to_string())
}

/// An 835 claim payment with its set's payment date.
pub(super) type Found = (ClaimPayment, Option<chrono::NaiveDate>);

/// (835 file, ST02): one transaction set of a primary's 835.
type SetKey = (String, String);

/// The 835 claim payments the ledger's payments point at. Each transaction
/// set is parsed when a COB claim first needs one of its claim payments, and
/// its claim payments are freed once every COB claim that needs them is
/// built ([`Remits::release`]), so memory holds the sets in use, not every
/// claim payment of the run.
#[derive(Debug, Default)]
pub(super) struct Remits {
    /// The 835 files (checked against their sha256), by path.
    files: HashMap<String, crate::input::Input>,
    /// The wanted sets: where they are until parsed, then their claim
    /// payments; and how many payments still need them.
    sets: HashMap<SetKey, SetSlot>,
    /// Files that could not be used: file -> why.
    pub(super) broken: HashMap<String, String>,
}

#[derive(Debug)]
struct SetSlot {
    /// The sets with this ST02 in the file, with their ISA13 (parsed once).
    unread: Vec<(x12::TransactionSet, String)>,
    /// CLP01 -> the claim payments with that CLP01 in the set(s), with the
    /// set's payment date (BPR16, else the production date).
    payments: HashMap<String, Vec<Found>>,
    /// Payments read for that still have to be built.
    uses: usize,
}

impl Remits {
    /// Opens the 835 files the `payments` were posted from and finds their
    /// sets. A file is used only when its sha256 is the one recorded when
    /// it was reconciled.
    pub(super) fn read(payments: &[&PrimaryPayment]) -> Remits {
        let mut by_file: HashMap<&str, &str> = HashMap::new();
        let mut uses: HashMap<SetKey, usize> = HashMap::new();
        for p in payments {
            by_file.entry(&p.remit_file).or_insert(&p.remit_sha256);
            *uses.entry(set_key(p)).or_default() += 1;
        }
        let mut out = Remits::default();
        let mut files: Vec<_> = by_file.into_iter().collect();
        files.sort_unstable();
        for (file, sha256) in files {
            let bytes = match crate::input::open(Path::new(file)) {
                Ok(b) => b,
                Err(e) => {
                    out.broken.insert(
                        file.to_string(),
                        format!("cannot read the primary's 835 ({e}); it is read where reconcile read it"),
                    );
                    continue;
                }
            };
            use sha2::Digest;
            if ledger::hex(&sha2::Sha256::digest(&bytes[..])) != sha256 {
                out.broken.insert(
                    file.to_string(),
                    "the primary's 835 has changed since it was reconciled (sha256 differs)".into(),
                );
                continue;
            }
            let scan = x12::scan(&bytes);
            for (isa, _, set) in scan.sets() {
                let key = (file.to_string(), set.control.clone());
                if set.kind != TransactionKind::Remittance835 {
                    continue;
                }
                let Some(&n) = uses.get(&key) else { continue };
                let slot = out.sets.entry(key).or_insert_with(|| SetSlot {
                    unread: Vec::new(),
                    payments: HashMap::new(),
                    uses: n,
                });
                slot.unread.push((set.clone(), isa.control.clone()));
            }
            out.files.insert(file.to_string(), bytes);
        }
        out
    }

    /// Parses the set payment `p` is in, when not yet done.
    pub(super) fn load(&mut self, p: &PrimaryPayment) {
        let Some(slot) = self.sets.get_mut(&set_key(p)) else { return };
        let Some(bytes) = self.files.get(&p.remit_file) else { return };
        for (set, isa) in std::mem::take(&mut slot.unread) {
            let rem = edi835::read_set(bytes, &set, &isa);
            let date = rem.payment.bpr16_date.or(rem.production_date);
            for cp in rem.claims {
                slot.payments
                    .entry(cp.clp01_claim_id.to_string())
                    .or_default()
                    .push((needed(cp), date));
            }
        }
    }

    /// The 835 claim payment the ledger's payment `p` was posted from: same
    /// set, CLP01, CLP02, CLP07 and paid amount. `None` when the file does
    /// not hold it. Its set must have been loaded ([`Remits::load`]).
    pub(super) fn find(&self, p: &PrimaryPayment) -> Option<&Found> {
        self.sets.get(&set_key(p))?.payments.get(&p.clp01)?.iter().find(|(cp, _)| {
            cp.clp02_status.as_str() == p.clp02
                && cp.clp07_payer_claim_id.as_str() == p.payer_claim_id
                && cp.clp04_paid == p.paid
        })
    }

    /// Says that payment `p` (one of those read for) is no longer needed;
    /// its set's claim payments are freed when no other payment needs them.
    pub(super) fn release(&mut self, p: &PrimaryPayment) {
        let k = set_key(p);
        if let Some(slot) = self.sets.get_mut(&k) {
            slot.uses = slot.uses.saturating_sub(1);
            if slot.uses == 0 {
                self.sets.remove(&k);
            }
        }
    }
}

/// The set payment `p` is in: (835 file, ST02).
fn set_key(p: &PrimaryPayment) -> SetKey {
    (p.remit_file.clone(), p.st02.clone())
}

/// Claim payment `cp` with only what finding it (CLP02, CLP07, CLP04), the
/// crossover check (CLP02, NM1*TT) and the COB claim (`cob::build`: claim and
/// line adjustments, SVC amounts, procedures, units, REF*6R) use; the rest
/// (patient and other names, MIA/MOA, references, dates, amounts,
/// quantities, remarks) is dropped, since every wanted claim payment is held
/// until its COB claim is built.
fn needed(mut cp: ClaimPayment) -> ClaimPayment {
    cp.names.retain(|n| n.entity == "TT");
    cp.names.shrink_to_fit();
    cp.mia = None;
    cp.moa = None;
    cp.refs = Vec::new();
    cp.dates = Vec::new();
    cp.amounts = Vec::new();
    cp.quantities = Vec::new();
    for l in &mut cp.lines {
        l.refs = Vec::new();
        l.amounts = Vec::new();
        l.quantities = Vec::new();
        l.remarks = Vec::new();
    }
    cp
}
