//! Corrections from the ledger: a replacement (frequency 7) or void (8)
//! whose `original_ref` is empty is held back by scrub (`E-FREQ-001`); when
//! the ledger holds the payer's claim number for that claim and payer (CLP07
//! of its latest payment), the build fills `original_ref` (REF*F8) with it and
//! sends the claim. Claims the ledger knows no number for keep the finding.
//!
//! This runs at the start of [`Prepared::submit`](super::Prepared::submit)
//! (and of each batch of a streamed build), the first step with a ledger; `check` has none, so the finding stays there.

use std::collections::HashSet;

use super::Error;
use crate::claim::{Claim, Frequency};
use crate::config::Config;
use crate::finding::{Finding, Severity};
use crate::ledger::Ledger;

/// The scrub rule a ledger number clears.
const ORIGINAL_REF: &str = "E-FREQ-001";
/// A replacement's or void's original_ref taken from the ledger (a note).
const REF_FROM_LEDGER: &str = "BUILD-REF-LEDGER";

/// Moves held claims whose only error is a missing `original_ref` to the
/// clean claims when the ledger knows the payer's claim number (the
/// `E-FREQ-001` finding of each is dropped from `findings`); returns a note
/// per claim filled. `clean` and `held` are in input order, and stay so.
pub(super) fn take_original_refs(
    clean: &mut Vec<Claim>,
    held: &mut Vec<Claim>,
    findings: &mut Vec<Finding>,
    config: &Config,
    ledger: &Ledger,
) -> Result<Vec<Finding>, Error> {
    let other_errors: HashSet<&str> = findings
        .iter()
        .filter(|f| f.is_error() && f.rule != ORIGINAL_REF)
        .map(|f| f.claim_id.as_str())
        .collect();
    let wanted: Vec<usize> = (0..held.len())
        .filter(|&i| {
            let c = &held[i];
            matches!(c.frequency, Frequency::Replacement | Frequency::Void)
                && c.original_ref.as_deref().map_or(true, |r| r.trim().is_empty())
                && !other_errors.contains(c.claim_id.as_str())
        })
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let keys: Vec<(&str, &str)> =
        wanted.iter().map(|&i| (held[i].claim_id.as_str(), held[i].payer.id.as_str())).collect();
    let numbers = ledger.payer_claim_numbers(&keys)?;
    let i = &config.interchange;
    let delimiters: Vec<char> = [&i.element, &i.component, &i.repetition, &i.segment]
        .iter()
        .filter_map(|s| s.chars().next())
        .collect();
    // A number that cannot go into REF02 as is stays a finding.
    let usable = |n: &str| {
        (1..=50).contains(&n.len())
            && n.chars().all(|ch| ch.is_ascii_graphic() || ch == ' ')
            && !n.chars().any(|ch| delimiters.contains(&ch))
    };
    let mut filled: Vec<usize> = Vec::new();
    let mut notes = Vec::new();
    for (&i, n) in wanted.iter().zip(numbers) {
        let Some(n) = n.filter(|n| usable(n)) else { continue };
        let c = &mut held[i];
        let message = format!(
            "frequency {}: original_ref taken from the ledger: payer claim number {} of payer {}",
            c.frequency.code(),
            n,
            c.payer.id
        );
        notes
            .push(Finding::new(REF_FROM_LEDGER, Severity::Warning, message).for_claim(&c.claim_id));
        c.original_ref = Some(n);
        filled.push(i);
    }
    if filled.is_empty() {
        return Ok(notes);
    }
    let ids: HashSet<String> = filled.iter().map(|&i| held[i].claim_id.clone()).collect();
    findings.retain(|f| !(f.rule == ORIGINAL_REF && ids.contains(&f.claim_id)));
    let all = std::mem::take(held);
    let (moved, kept): (Vec<_>, Vec<_>) = all.into_iter().partition(|c| ids.contains(&c.claim_id));
    *held = kept;
    clean.extend(moved);
    // Input order, as scrub left it.
    clean.sort_by_key(|c| c.source.rows.first().copied().unwrap_or(0));
    Ok(notes)
}
