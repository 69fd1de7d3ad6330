//! What a COB claim is built from, read back from disk: the claims as they
//! were sent (the ledger's recorded 837 files) and the primary's claim
//! payments (the 835 files `reconcile` posted, checked against the sha256
//! recorded then). Each file is read once, however many claims it holds.
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

/// The 835 claim payments the ledger's payments point at.
#[derive(Debug, Default)]
pub(super) struct Remits {
    /// (file, ST02, CLP01) -> the claim payments with that CLP01 in that set,
    /// with the set's payment date (BPR16, else the production date).
    payments: HashMap<(String, String, String), Vec<Found>>,
    /// (file, ST02, CLP01) -> how many of the payments read for still have
    /// to be built; the entry is freed when it drops to zero ([`Remits::release`]).
    uses: HashMap<(String, String, String), usize>,
    /// Files that could not be used: file -> why.
    pub(super) broken: HashMap<String, String>,
}

impl Remits {
    /// Reads the 835 files the `payments` were posted from. A file is used
    /// only when its sha256 is the one recorded when it was reconciled.
    pub(super) fn read(payments: &[&PrimaryPayment]) -> Remits {
        let mut by_file: HashMap<&str, (&str, Vec<&PrimaryPayment>)> = HashMap::new();
        for p in payments {
            by_file.entry(&p.remit_file).or_insert((&p.remit_sha256, Vec::new())).1.push(p);
        }
        let mut out = Remits::default();
        for p in payments {
            *out.uses.entry(key(p)).or_default() += 1;
        }
        let mut files: Vec<_> = by_file.into_iter().collect();
        files.sort_by(|a, b| a.0.cmp(b.0));
        for (file, (sha256, wanted)) in files {
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
            let sets: std::collections::HashSet<&str> =
                wanted.iter().map(|p| p.st02.as_str()).collect();
            let scan = x12::scan(&bytes);
            for (isa, _, set) in scan.sets() {
                if set.kind != TransactionKind::Remittance835
                    || !sets.contains(set.control.as_str())
                {
                    continue;
                }
                let rem = edi835::read_set(&bytes, set, &isa.control);
                let date = rem.payment.bpr16_date.or(rem.production_date);
                for cp in rem.claims {
                    let key =
                        (file.to_string(), set.control.clone(), cp.clp01_claim_id.to_string());
                    // Only the claim payments a COB claim is built from are kept.
                    if out.uses.contains_key(&key) {
                        out.payments.entry(key).or_default().push((needed(cp), date));
                    }
                }
            }
        }
        out
    }

    /// The 835 claim payment the ledger's payment `p` was posted from: same
    /// set, CLP01, CLP02, CLP07 and paid amount. `None` when the file does
    /// not hold it.
    pub(super) fn find(&self, p: &PrimaryPayment) -> Option<&Found> {
        self.payments.get(&key(p))?.iter().find(|(cp, _)| {
            cp.clp02_status.as_str() == p.clp02
                && cp.clp07_payer_claim_id.as_str() == p.payer_claim_id
                && cp.clp04_paid == p.paid
        })
    }

    /// Says that payment `p` (one of those read for) is no longer needed;
    /// the claim payments under its key are freed when nothing else needs them.
    pub(super) fn release(&mut self, p: &PrimaryPayment) {
        let k = key(p);
        if let Some(n) = self.uses.get_mut(&k) {
            *n -= 1;
            if *n == 0 {
                self.uses.remove(&k);
                self.payments.remove(&k);
            }
        }
    }
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

/// Where payment `p` is: (835 file, ST02, CLP01).
fn key(p: &PrimaryPayment) -> (String, String, String) {
    (p.remit_file.clone(), p.st02.clone(), p.clp01.clone())
}
