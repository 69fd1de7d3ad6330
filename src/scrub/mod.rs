//! Scrubbing: every check a careful biller makes before a claim goes out.
//!
//! [`check`] runs the rules in [`rules`] on each claim (in parallel, results
//! in claim order) and returns [`Finding`]s; an error finding holds its
//! claim back, a warning is reported and the claim goes. [`RULES`] lists
//! every rule id with its severity (the reader's own ids included), and is
//! the table the README documents. [`run`] is the whole step for one
//! encounter file: fill billing provider and payer from the config, check,
//! merge with the reader's findings, split clean from held back.
//!
//! Scrub does not read files or write anything, and it never modifies a
//! claim's data beyond filling config values in [`resolve`].

use std::collections::{HashMap, HashSet};

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::claim::{BillingProvider, Claim, Payer};
use crate::codeset::CodeSets;
use crate::config::Config;
use crate::encounter::Encounters;

pub use crate::finding::{Finding, Severity};

pub mod rules;

pub use rules::{Rule, RULES};

/// The outcome of scrubbing one encounter file.
#[derive(Debug, Default)]
pub struct Scrubbed {
    /// Claims with no error finding, in input order (billing provider and
    /// payer filled from the config): these go out.
    pub clean: Vec<Claim>,
    /// Claims with at least one error finding, in input order.
    pub held: Vec<Claim>,
    /// Every finding (reader and rules), file-level first, then claim by
    /// claim in input order, by row; columns named as in the file's header.
    pub findings: Vec<Finding>,
}

impl Scrubbed {
    /// True when any finding is an error (a claim or row is held back).
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// Fills each claim's billing provider (name, EIN, taxonomy, address) and
/// payer (name, filing indicator) from the config, by billing NPI and payer
/// id. Claims naming an unknown NPI or payer keep only the id (the
/// `E-CFG-001`/`E-CFG-002` rules report them).
pub fn resolve(claims: &mut [Claim], config: &Config) {
    for c in claims {
        if let Some(bp) = config.billing_provider(&c.billing.npi) {
            c.billing = BillingProvider {
                npi: bp.npi.clone(),
                name: bp.name.clone(),
                tax_id: bp.tax_id.clone(),
                taxonomy: bp.taxonomy.clone(),
                address: crate::claim::Address {
                    line1: bp.address1.clone(),
                    line2: bp.address2.clone(),
                    city: bp.city.clone(),
                    state: bp.state.clone(),
                    zip: bp.zip.clone(),
                },
            };
        }
        if let Some(p) = config.payer(&c.payer.id) {
            c.payer = Payer {
                id: p.id.clone(),
                name: p.name.clone(),
                filing_indicator: p.filing_indicator.clone(),
            };
        }
    }
}

/// Runs every rule on every claim. `now` is the run's clock (future dates,
/// timely filing). Findings come back claim by claim in input order, each
/// claim's by row. Column names are canonical (see
/// [`Encounters::column_label`] to show them as the file names them).
pub fn check(
    claims: &[Claim],
    config: &Config,
    now: NaiveDateTime,
    codesets: &CodeSets,
) -> Vec<Finding> {
    let ctx = rules::Ctx::new(config, now, codesets);
    let per_claim: Vec<Vec<Finding>> = claims
        .par_iter()
        .map(|c| {
            let mut out = Vec::new();
            rules::check_claim(c, &ctx, &mut out);
            out.sort_by_key(|f| f.row);
            out
        })
        .collect();
    per_claim.into_iter().flatten().collect()
}

/// Splits claims into (clean, held back): a claim is held back when any
/// finding with its claim_id is an error. Order is kept.
pub fn split(claims: Vec<Claim>, findings: &[Finding]) -> (Vec<Claim>, Vec<Claim>) {
    let bad: HashSet<&str> =
        findings.iter().filter(|f| f.is_error()).map(|f| f.claim_id.as_str()).collect();
    claims.into_iter().partition(|c| !bad.contains(c.claim_id.as_str()))
}

/// The whole scrub step for one encounter file: takes the claims out of
/// `enc` (its raw rows stay for [`Encounters::write_rows`]), fills config
/// values, runs the rules, merges the reader's findings, names columns as
/// the file does, and splits clean from held back.
pub fn run(
    enc: &mut Encounters,
    config: &Config,
    now: NaiveDateTime,
    codesets: &CodeSets,
) -> Scrubbed {
    let mut claims = std::mem::take(&mut enc.claims);
    resolve(&mut claims, config);
    let mut rule_findings = check(&claims, config, now, codesets);
    for f in &mut rule_findings {
        f.column = enc.column_label(&f.column);
    }
    let order: HashMap<&str, usize> =
        claims.iter().enumerate().map(|(i, c)| (c.claim_id.as_str(), i + 1)).collect();
    let mut findings = std::mem::take(&mut enc.findings);
    // A value the reader could not read is also "missing" to the rules:
    // report it once, with the reader's more precise message.
    let seen: HashSet<(String, u64, String)> =
        findings.iter().map(|f| (f.claim_id.clone(), f.row, f.column.clone())).collect();
    rule_findings.retain(|f| !seen.contains(&(f.claim_id.clone(), f.row, f.column.clone())));
    findings.append(&mut rule_findings);
    // File-level findings (no claim) first, then unclaimed rows by row,
    // then claim by claim; the sort is stable, so reader findings stay
    // before rule findings on the same row.
    findings.sort_by_key(|f| {
        let claim = if f.claim_id.is_empty() {
            0
        } else {
            order.get(f.claim_id.as_str()).copied().unwrap_or(0)
        };
        (claim, f.row)
    });
    let (clean, held) = split(claims, &findings);
    Scrubbed { clean, held, findings }
}
