//! What a COB claim is built from, read back from disk one batch of claims
//! at a time: the claims as they were sent (the ledger's recorded 837
//! files) and the primary's claim payments (the 835 files `reconcile`
//! posted, checked against the sha256 recorded then).
//!
//! Each file is opened (memory-mapped) and its envelope scanned once per
//! run, when a batch first needs it; its pages leave the process's memory
//! after each batch ([`Sent837::release`], [`Remits::release`]). A batch's
//! claims are read from the transaction sets the ledger recorded them in
//! (sets read in parallel, only the wanted claims kept); a claim not found
//! there, or a set that is not clean X12, sends the reader through the
//! whole file as it comes (the first occurrence wins). A batch's 835 sets
//! are parsed once, in parallel, and kept only while a batch uses them.
//!
//! It reads; it does not decide (see `decide`) or build claims (`cob`).

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use crate::claim::Claim;
use crate::edi835::{self, ClaimPayment};
use crate::input::Input;
use crate::ledger::{self, PrimaryPayment};
use crate::x12::{self, TransactionKind, TransactionSet};

/// A claim wanted from a recorded 837: (file, ST02 recorded, CLM01, payer id).
pub(super) type Wanted<'a> = (&'a str, &'a str, &'a str, &'a str);

/// Wanted claims by (CLM01, payer id): the index of the first in the list.
type Keys<'a> = HashMap<(&'a str, &'a str), usize>;

/// What reading back one wanted claim gave.
#[derive(Debug)]
pub(super) enum Back {
    /// The claim as sent (its first occurrence in the file).
    Claim(Box<Claim>),
    /// The file holds no such claim.
    Missing,
    /// The file cannot be read back: why.
    Broken(String),
}

/// A recorded 837 file, opened once per run.
#[derive(Debug)]
struct SentFile {
    bytes: Input,
    /// The first 837 set of each ST02.
    sets: HashMap<String, TransactionSet>,
}

/// The recorded 837 files of a run.
#[derive(Debug, Default)]
pub(super) struct Sent837 {
    /// By path: the file, or why it cannot be read back.
    files: HashMap<String, Result<SentFile, String>>,
}

impl Sent837 {
    /// Reads back the `wanted` claims, in the same order.
    pub(super) fn read(&mut self, wanted: &[Wanted<'_>]) -> Vec<Back> {
        for (file, _, _, _) in wanted {
            if !self.files.contains_key(*file) {
                self.files.insert(file.to_string(), open_sent(file));
            }
        }
        // By set: the wanted claims (key -> first wanted index).
        let mut by_set: HashMap<(&str, &str), Keys<'_>> = HashMap::new();
        for (i, (file, st02, claim_id, payer_id)) in wanted.iter().enumerate() {
            by_set.entry((file, st02)).or_default().entry((claim_id, payer_id)).or_insert(i);
        }
        let mut jobs: Vec<(&str, &SentFile, &TransactionSet, Keys<'_>)> = Vec::new();
        let mut whole: HashSet<&str> = HashSet::new();
        for ((file, st02), keys) in by_set {
            match self.files.get(file) {
                Some(Ok(f)) => match f.sets.get(st02) {
                    Some(set) => jobs.push((file, f, set, keys)),
                    None => {
                        whole.insert(file);
                    }
                },
                _ => {
                    whole.insert(file);
                }
            }
        }
        let found: Vec<(bool, Vec<(usize, Claim)>)> = jobs
            .par_iter()
            .map(|(_, f, set, keys)| {
                let mut got: Vec<(usize, Claim)> = Vec::new();
                let mut seen: HashSet<usize> = HashSet::new();
                let clean = crate::edi837::read_set_each(&f.bytes, set, |c| {
                    if let Some(&i) = keys.get(&(c.claim_id.as_str(), c.payer.id.as_str())) {
                        if seen.insert(i) {
                            got.push((i, c));
                        }
                    }
                });
                (clean && got.len() == keys.len(), got)
            })
            .collect();
        let mut out: Vec<Option<Back>> = (0..wanted.len()).map(|_| None).collect();
        for ((file, _, _, _), (complete, got)) in jobs.iter().zip(found) {
            if complete {
                for (i, c) in got {
                    out[i] = Some(Back::Claim(Box::new(c)));
                }
            } else {
                // Read the whole file for this set's claims instead.
                whole.insert(file);
            }
        }
        // The whole-file way, for what the sets did not answer.
        for file in whole {
            let mut keys: Keys<'_> = HashMap::new();
            for (i, w) in wanted.iter().enumerate() {
                if w.0 == file && out[i].is_none() {
                    keys.entry((w.2, w.3)).or_insert(i);
                }
            }
            let mut got: Vec<(usize, Claim)> = Vec::new();
            let mut taken: HashSet<usize> = HashSet::new();
            let read = match self.files.get(file) {
                Some(Ok(f)) => crate::edi837::read_each(&f.bytes, |c| {
                    if let Some(&i) = keys.get(&(c.claim_id.as_str(), c.payer.id.as_str())) {
                        if taken.insert(i) {
                            got.push((i, c));
                        }
                    }
                })
                .map(drop)
                .map_err(|e| e.to_string()),
                Some(Err(why)) => Err(why.clone()),
                None => Err("not opened".to_string()),
            };
            match read {
                Ok(()) => {
                    got.into_iter().for_each(|(i, c)| out[i] = Some(Back::Claim(Box::new(c))))
                }
                Err(why) => {
                    for (i, w) in wanted.iter().enumerate() {
                        if w.0 == file && !matches!(out[i], Some(Back::Claim(_))) {
                            out[i] = Some(Back::Broken(why.clone()));
                        }
                    }
                    self.files.insert(file.to_string(), Err(why));
                }
            }
        }
        out.into_iter().map(|b| b.unwrap_or(Back::Missing)).collect()
    }

    /// Lets the pages of the files read so far leave the process's memory.
    pub(super) fn release(&self) {
        for f in self.files.values().flatten() {
            f.bytes.release(f.bytes.len());
        }
    }
}

/// Opens the recorded 837 `file` (an absolute path from the ledger) and
/// finds its 837 sets; `Err` says why it cannot be read back.
fn open_sent(file: &str) -> Result<SentFile, String> {
    let bytes = crate::input::open_streamed(Path::new(file)).map_err(|e| e.to_string())?;
    let scan = x12::scan(&bytes);
    let mut sets: HashMap<String, TransactionSet> = HashMap::new();
    for (_, _, set) in scan.sets() {
        if set.id == "837" {
            sets.entry(set.control.clone()).or_insert_with(|| set.clone());
        }
    }
    drop(scan);
    bytes.release(bytes.len());
    Ok(SentFile { bytes, sets })
}

/// An 835 claim payment with its set's payment date.
pub(super) type Found = (ClaimPayment, Option<chrono::NaiveDate>);

/// (835 file, ST02): one transaction set of a primary's 835.
type SetKey = (String, String);

/// The 835 sets of one ST02 in a file, each with its ISA13.
type Sets = Vec<(TransactionSet, String)>;

/// An 835 file of the primary, opened (and checked) once per run.
#[derive(Debug)]
struct RemitFile {
    bytes: Input,
    /// The 835 sets by ST02, with their ISA13 (every set of that ST02).
    sets: HashMap<String, Sets>,
}

/// The 835 claim payments the ledger's payments point at. The sets a batch
/// needs are parsed when it starts ([`Remits::load`]); those the batch
/// before used and this one does not are freed then, so memory holds the
/// sets in use, not every claim payment of the run.
#[derive(Debug, Default)]
pub(super) struct Remits {
    /// The 835 files by path, or why one cannot be used.
    files: HashMap<String, Result<RemitFile, String>>,
    /// The parsed sets: CLP01 -> the claim payments with that CLP01 in the
    /// set(s), with the set's payment date (BPR16, else the production date).
    sets: HashMap<SetKey, HashMap<String, Vec<Found>>>,
}

impl Remits {
    /// Makes the sets `payments` are in ready for [`Remits::find`]: opens
    /// the files not opened yet (a file is used only when its sha256 is the
    /// one recorded when it was reconciled), parses the sets not parsed yet
    /// (in parallel) and frees the sets no payment of `payments` needs.
    pub(super) fn load(&mut self, payments: &[&PrimaryPayment]) {
        let mut files: Vec<(&str, &str)> =
            payments.iter().map(|p| (p.remit_file.as_str(), p.remit_sha256.as_str())).collect();
        files.sort_unstable();
        files.dedup_by(|a, b| a.0 == b.0);
        for (file, sha256) in files {
            if !self.files.contains_key(file) {
                self.files.insert(file.to_string(), open_remit(file, sha256));
            }
        }
        let wanted: HashSet<SetKey> = payments.iter().map(|p| set_key(p)).collect();
        self.sets.retain(|k, _| wanted.contains(k));
        let mut todo: Vec<(SetKey, &RemitFile, &Sets)> = Vec::new();
        for key in wanted {
            if self.sets.contains_key(&key) {
                continue;
            }
            let Some(Ok(f)) = self.files.get(&key.0) else { continue };
            let Some(sets) = f.sets.get(&key.1) else { continue };
            todo.push((key, f, sets));
        }
        let parsed: Vec<(SetKey, HashMap<String, Vec<Found>>)> = todo
            .into_par_iter()
            .map(|(key, f, sets)| {
                let mut payments: HashMap<String, Vec<Found>> = HashMap::new();
                for (set, isa) in sets {
                    let rem = edi835::read_set(&f.bytes, set, isa);
                    let date = rem.payment.bpr16_date.or(rem.production_date);
                    for cp in rem.claims {
                        payments
                            .entry(cp.clp01_claim_id.to_string())
                            .or_default()
                            .push((needed(cp), date));
                    }
                }
                (key, payments)
            })
            .collect();
        self.sets.extend(parsed);
    }

    /// The 835 claim payment the ledger's payment `p` was posted from: same
    /// set, CLP01, CLP02, CLP07 and paid amount. `None` when the file does
    /// not hold it. Its set must have been loaded ([`Remits::load`]).
    pub(super) fn find(&self, p: &PrimaryPayment) -> Option<&Found> {
        self.sets.get(&set_key(p))?.get(&p.clp01)?.iter().find(|(cp, _)| {
            cp.clp02_status.as_str() == p.clp02
                && cp.clp07_payer_claim_id.as_str() == p.payer_claim_id
                && cp.clp04_paid == p.paid
        })
    }

    /// Why the 835 `file` cannot be used, when it cannot.
    pub(super) fn broken(&self, file: &str) -> Option<&str> {
        match self.files.get(file) {
            Some(Err(why)) => Some(why),
            _ => None,
        }
    }

    /// Lets the pages of the files read so far leave the process's memory.
    pub(super) fn release(&self) {
        for f in self.files.values().flatten() {
            f.bytes.release(f.bytes.len());
        }
    }
}

/// Opens the primary's 835 `file`, checks it against the `sha256` recorded
/// when it was reconciled and finds its 835 sets.
fn open_remit(file: &str, sha256: &str) -> Result<RemitFile, String> {
    let bytes = crate::input::open_streamed(Path::new(file)).map_err(|e| {
        format!("cannot read the primary's 835 ({e}); it is read where reconcile read it")
    })?;
    use sha2::Digest;
    if ledger::hex(&sha2::Sha256::digest(&bytes[..])) != sha256 {
        return Err(
            "the primary's 835 has changed since it was reconciled (sha256 differs)".to_string()
        );
    }
    let scan = x12::scan(&bytes);
    let mut sets: HashMap<String, Sets> = HashMap::new();
    for (isa, _, set) in scan.sets() {
        if set.kind == TransactionKind::Remittance835 {
            sets.entry(set.control.clone()).or_default().push((set.clone(), isa.control.clone()));
        }
    }
    drop(scan);
    bytes.release(bytes.len());
    Ok(RemitFile { bytes, sets })
}

/// The set payment `p` is in: (835 file, ST02).
fn set_key(p: &PrimaryPayment) -> SetKey {
    (p.remit_file.clone(), p.st02.clone())
}

/// Claim payment `cp` with only what finding it (CLP02, CLP07, CLP04), the
/// crossover check (CLP02, NM1*TT) and the COB claim (`cob::build`: claim and
/// line adjustments, SVC amounts, procedures, units, REF*6R) use; the rest
/// (patient and other names, MIA/MOA, references, dates, amounts,
/// quantities, remarks) is dropped, since a parsed set is held while a
/// batch uses it.
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
