//! The payments (835 transaction sets) of a ledger-mode run that the ledger
//! already holds: an 835 delivered again with new payments in it, or the
//! same run again after it stopped half-way. Their claim payments are among
//! the ledger's live payments and the run reads them again, so the run
//! starts from what was live before them
//! ([`Ledger::live_payments_before`]): every payment is accounted once, and
//! the claims are left as one uninterrupted run leaves them. Posting skips
//! them on its own (same key, same content). This module only finds them;
//! it neither accounts nor posts.

use rayon::prelude::*;

use super::batches::Job;
use super::PayerNames;
use crate::edi835;
use crate::ledger::{self, Ledger};

/// The `remittances` rows of the complete transaction sets in `jobs` that
/// the ledger holds (same payer, trace, TRN03 and content). Only the sets
/// whose trace the ledger knows are read here (in parallel): for a new 835
/// that is none of them.
pub(super) fn already_posted(
    ledger: &Ledger,
    jobs: &[Job<'_>],
    payers: &PayerNames,
) -> Result<Vec<i64>, ledger::Error> {
    let traces = ledger.remittance_traces()?;
    if traces.is_empty() {
        return Ok(Vec::new());
    }
    let known: Vec<&Job<'_>> = jobs
        .iter()
        .filter(|j| j.set.end.is_some())
        .filter(|j| trace_of(j).is_some_and(|t| traces.contains(t.trim())))
        .collect();
    // Each set's key as posting names it (see `set::read_set`).
    let keys: Vec<(String, String, String, String)> = known
        .par_iter()
        .map(|j| {
            let input = j.opened.input.as_deref().unwrap_or_default();
            let rem = edi835::read_set(input, j.set, j.control);
            let payer = payers.paying_payer(&rem).unwrap_or_else(|| rem.payer_id());
            (
                payer.to_string(),
                rem.trace.trn02_number.to_string(),
                rem.trace.trn03_originator.to_string(),
                super::fingerprint(&rem),
            )
        })
        .collect();
    let mut ids = Vec::new();
    for (payer, trace, trn03, fingerprint) in &keys {
        if let Some(id) = ledger.posted_remittance(payer, trace, trn03, fingerprint)? {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    Ok(ids)
}

/// TRN02 of a set (its first TRN segment), read without reading the set.
fn trace_of<'a>(job: &Job<'a>) -> Option<String> {
    let input = job.opened.input.as_deref()?;
    job.set
        .segments(input)
        .map_while(Result::ok)
        .take(8)
        .find(|s| s.is("TRN"))
        .map(|s| s.str(2).into_owned())
}
