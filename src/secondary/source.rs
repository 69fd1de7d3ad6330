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

/// The claims of the recorded 837 files, by (claim id, payer id).
#[derive(Debug, Default)]
pub(super) struct SentClaims {
    claims: HashMap<(String, String), Claim>,
    /// Files that could not be read: file -> why.
    pub(super) broken: HashMap<String, String>,
}

impl SentClaims {
    /// Reads every file of `files` (absolute paths from the ledger); only the
    /// claims named in `wanted` are kept.
    pub(super) fn read(files: &[&str], wanted: &[(&str, &str)]) -> SentClaims {
        let want: std::collections::HashSet<(&str, &str)> = wanted.iter().copied().collect();
        let mut out = SentClaims::default();
        for file in files {
            let read = crate::input::open(Path::new(file))
                .map_err(|e| e.to_string())
                .and_then(|bytes| crate::edi837::read(&bytes).map_err(|e| e.to_string()));
            match read {
                Ok(r) => {
                    for c in r.claims {
                        if want.contains(&(c.claim_id.as_str(), c.payer.id.as_str())) {
                            out.claims.insert((c.claim_id.clone(), c.payer.id.clone()), c);
                        }
                    }
                }
                Err(e) => {
                    out.broken.insert(file.to_string(), e);
                }
            }
        }
        out
    }

    /// The claim sent to `payer_id` as `claim_id`, taken out.
    pub(super) fn take(&mut self, claim_id: &str, payer_id: &str) -> Option<Claim> {
        self.claims.remove(&(claim_id.to_string(), payer_id.to_string()))
    }
}

/// An 835 claim payment with its set's payment date.
pub(super) type Found = (ClaimPayment, Option<chrono::NaiveDate>);

/// The 835 claim payments the ledger's payments point at.
#[derive(Debug, Default)]
pub(super) struct Remits {
    /// (file, ST02, CLP01) -> the claim payments with that CLP01 in that set,
    /// with the set's payment date (BPR16, else the production date).
    payments: HashMap<(String, String, String), Vec<Found>>,
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
                    out.payments.entry(key).or_default().push((cp, date));
                }
            }
        }
        out
    }

    /// The 835 claim payment the ledger's payment `p` was posted from: same
    /// set, CLP01, CLP02, CLP07 and paid amount. `None` when the file does
    /// not hold it.
    pub(super) fn find(&self, p: &PrimaryPayment) -> Option<&Found> {
        let key = (p.remit_file.clone(), p.st02.clone(), p.clp01.clone());
        self.payments.get(&key)?.iter().find(|(cp, _)| {
            cp.clp02_status.as_str() == p.clp02
                && cp.clp07_payer_claim_id.as_str() == p.payer_claim_id
                && cp.clp04_paid == p.paid
        })
    }
}
