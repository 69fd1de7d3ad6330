//! Scrubbing: every check a careful biller makes before a claim goes out.
//!
//! [`check`] runs the rules in `rules` on each claim (in parallel, results
//! in claim order) and returns [`Finding`]s; an error finding holds its
//! claim back, a warning is reported and the claim goes. [`RULES`] lists
//! every rule id with its severity (the reader's own ids included), and is
//! the table `docs/scrub-rules.md` documents. [`run`] is the whole step for one
//! encounter file: fill billing provider and payer from the config, check,
//! merge with the reader's findings, split clean from held back.
//!
//! Scrub does not read files or write anything, and it never modifies a
//! claim's data beyond filling config values in `resolve`.
//!
//! ```
//! use claimflow::{clock, codeset::CodeSets, config::Config, encounter, scrub};
//!
//! let root = env!("CARGO_MANIFEST_DIR");
//! let config = Config::load(format!("{root}/fixtures/claimflow.toml").as_ref()).unwrap();
//! let mut enc = encounter::read(format!("{root}/fixtures/encounters/demo.csv").as_ref(), None).unwrap();
//! let now = clock::parse_now("2026-11-27").unwrap();
//! let out = scrub::run(&mut enc, &config, now, CodeSets::shipped());
//! assert_eq!((out.clean.len(), out.held.len()), (7, 15));
//! // Held-back claims' rows, byte for byte, with the header: ready to fix and re-run.
//! let mut held = Vec::new();
//! enc.write_rows(&mut held, &enc.held_rows(&out.held)).unwrap();
//! assert!(held.starts_with(b"claim_id,"));
//! assert!(out.findings.iter().any(|f| f.rule == "E-NPI-001" && f.claim_id == "F2001" && f.row == 13));
//! ```

use chrono::NaiveDateTime;
use rayon::prelude::*;

use crate::claim::{Address, BillingProvider, Claim, Entity, Payer};
use crate::codeset::CodeSets;
use crate::config::Config;
use crate::encounter::Encounters;

pub use crate::finding::{Finding, Severity};

mod explain;
mod rules;

pub use explain::{explain, Explanation};
pub(crate) use rules::ncci::{services as ncci_services, DayIndex, Svc};
pub use rules::{Rule, RULES};
pub(crate) use rules::{LEDGER_CHANGED, LEDGER_REJECTED};

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
pub(crate) fn resolve(claims: &mut [Claim], config: &Config) {
    for c in claims {
        if let Some(bp) = config.billing_provider(&c.billing.npi) {
            let (name, first_name) = match bp.entity {
                Entity::Organization => (bp.name.clone(), String::new()),
                Entity::Person => (
                    bp.last_name.clone().unwrap_or_default(),
                    bp.first_name.clone().unwrap_or_default(),
                ),
            };
            c.billing = BillingProvider {
                npi: bp.npi.clone(),
                entity: bp.entity,
                name,
                first_name,
                tax_id: bp.tax_id.clone(),
                taxonomy: bp.taxonomy.clone(),
                address: Address {
                    line1: bp.address1.clone(),
                    line2: bp.address2.clone(),
                    city: bp.city.clone(),
                    state: bp.state.clone(),
                    zip: bp.zip.clone(),
                },
                pay_to: bp.pay_to.as_ref().map(|p| Address {
                    line1: p.address1.clone(),
                    line2: p.address2.clone(),
                    city: p.city.clone(),
                    state: p.state.clone(),
                    zip: p.zip.clone(),
                }),
            };
        }
        if let Some(p) = config.payer(&c.payer.id) {
            c.payer = Payer {
                id: p.id.clone(),
                name: p.name.clone(),
                filing_indicator: p.filing_indicator.clone(),
            };
        }
        for other in &mut c.other_payers {
            if let Some(p) = config.payer(&other.payer.id) {
                other.payer = Payer {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    filing_indicator: p.filing_indicator.clone(),
                };
            }
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
    check_in(claims, config, now, codesets, None)
}

/// [`check`], the NCCI rules looking across `days` (a whole export's, where
/// `claims` start at claim index `first`) instead of across `claims` alone.
fn check_in(
    claims: &[Claim],
    config: &Config,
    now: NaiveDateTime,
    codesets: &CodeSets,
    days: Option<(&DayIndex<'_>, usize)>,
) -> Vec<Finding> {
    let ctx = rules::Ctx::new(config, now, codesets);
    let own = match days {
        Some(_) => None,
        None => (!codesets.edits.is_empty())
            .then(|| rules::ncci::DayIndex::new(&codesets.edits, claims.iter(), &[])),
    };
    let ncci = days.or(own.as_ref().map(|d| (d, 0)));
    let per_claim: Vec<Vec<Finding>> = claims
        .par_iter()
        .enumerate()
        .map(|(i, c)| {
            let mut out = Vec::new();
            rules::check_claim(c, &ctx, &mut out);
            if let Some((n, first)) = ncci {
                n.check(first + i, c, config, &mut out);
            }
            out.sort_by_key(|f| f.row);
            out
        })
        .collect();
    per_claim.into_iter().flatten().collect()
}

/// The NCCI rules of the claims `targets` (indexes into `clean`) against the
/// claims sent earlier (`prior`, from the ledger) and every claim of the
/// export (`clean`, then `held`). Findings name columns as the export does.
/// Used by `build` once the ledger is open; [`check`] has already run the
/// rules within the export, so the caller drops findings it already has.
pub(crate) fn ncci_with_prior(
    enc: &Encounters,
    clean: &[Claim],
    held: &[Claim],
    targets: &[usize],
    prior: &[crate::ledger::PriorClaim],
    config: &Config,
    codesets: &CodeSets,
) -> Vec<Finding> {
    if codesets.edits.is_empty() || prior.is_empty() {
        return Vec::new();
    }
    let index = rules::ncci::DayIndex::new(&codesets.edits, clean.iter().chain(held), prior);
    let mut out = Vec::new();
    for &i in targets {
        if let Some(c) = clean.get(i) {
            index.check(i, c, config, &mut out);
        }
    }
    for f in &mut out {
        f.column = enc.column_label(&f.column);
    }
    out
}

/// Splits claims into (clean, held back): a claim is held back when any
/// finding with its claim_id is an error. Order is kept.
#[cfg(test)]
pub(crate) fn split(claims: Vec<Claim>, findings: &[Finding]) -> (Vec<Claim>, Vec<Claim>) {
    let bad: std::collections::HashSet<&str> =
        findings.iter().filter(|f| f.is_error()).map(|f| f.claim_id.as_str()).collect();
    let held: Vec<bool> = claims.iter().map(|c| bad.contains(c.claim_id.as_str())).collect();
    split_by(claims, &held)
}

/// Splits claims by a held-back flag per claim (same order), keeping order.
fn split_by(mut claims: Vec<Claim>, held: &[bool]) -> (Vec<Claim>, Vec<Claim>) {
    if !held.iter().any(|h| *h) {
        return (claims, Vec::new());
    }
    // In place: clean claims move forward in order; held ones end up at the
    // tail (permuted, so their original positions travel with them). This
    // avoids a second full-size vector of claims (about 1 KB each).
    let mut pos: Vec<usize> = (0..claims.len()).collect();
    let mut write = 0;
    for read in 0..claims.len() {
        if !held.get(read).copied().unwrap_or(false) {
            claims.swap(write, read);
            pos.swap(write, read);
            write += 1;
        }
    }
    let held_pos = pos.split_off(write);
    let mut held: Vec<(usize, Claim)> = held_pos.into_iter().zip(claims.split_off(write)).collect();
    held.sort_by_key(|(p, _)| *p);
    claims.shrink_to_fit();
    (claims, held.into_iter().map(|(_, c)| c).collect())
}

/// Applies the coverage rules (`E-ELIG-001`..`E-ELIG-004`, see
/// [`crate::coverage`]) to the clean claims given the answers on file for
/// each (`answers[i]` for `clean[i]`): a claim with an error finding moves
/// to `held` (kept in input order); the findings are added to `findings`
/// with columns named by `label` (as the file names them).
#[allow(clippy::too_many_arguments)]
pub fn apply_coverage(
    clean: &mut Vec<Claim>,
    held: &mut Vec<Claim>,
    findings: &mut Vec<Finding>,
    answers: &[Vec<crate::coverage::Coverage>],
    config: &Config,
    now: NaiveDateTime,
    file: &str,
    label: impl Fn(&str) -> String,
) {
    let mut hold = vec![false; clean.len()];
    let mut any = false;
    for (i, c) in clean.iter().enumerate() {
        let empty = Vec::new();
        let on_file = answers.get(i).unwrap_or(&empty);
        for mut f in crate::coverage::coverage_findings(c, on_file, config, now, file) {
            hold[i] |= f.is_error();
            any |= f.is_error();
            f.column = label(&f.column);
            findings.push(f);
        }
    }
    if !any {
        return;
    }
    let (keep, moved) = split_by(std::mem::take(clean), &hold);
    *clean = keep;
    held.extend(moved);
    held.sort_by_key(|c| c.source.rows.first().copied().unwrap_or(0));
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
    let claims = std::mem::take(&mut enc.claims);
    // The reader's findings start with the file-level and unclaimed-row
    // ones (no claim_id), then go claim by claim.
    let mut reader = std::mem::take(&mut enc.findings);
    let file_level = reader.iter().take_while(|f| f.claim_id.is_empty()).count();
    let per_claim = reader.split_off(file_level);
    let mut icd = IcdTally::default();
    let label = |c: &str| enc.column_label(c);
    let mut out = run_batch(claims, per_claim, &label, config, now, codesets, &mut icd, None);
    reader.append(&mut out.findings);
    out.findings = reader;
    if let Some(f) = icd.warning(codesets) {
        out.findings.insert(0, f);
    }
    out
}

/// [`run`] for one batch of claims (every claim of its claim_ids) and their
/// reader findings (claim by claim, each claim's by row; none file-level),
/// with columns named by `label`. The per-claim `W-ICD-001` findings are
/// counted into `icd` instead (see [`IcdTally::warning`]). Used for the
/// whole file by [`run`] and batch by batch by a streamed build; the rules
/// that look across claims (the NCCI edits) see only the batch, or the
/// whole export's `days` when given (the batch's claims starting at claim
/// index `first` of it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn run_batch(
    mut claims: Vec<Claim>,
    reader: Vec<Finding>,
    label: &dyn Fn(&str) -> String,
    config: &Config,
    now: NaiveDateTime,
    codesets: &CodeSets,
    icd: &mut IcdTally,
    days: Option<(&DayIndex<'_>, usize)>,
) -> Scrubbed {
    resolve(&mut claims, config);
    let mut rule_findings = check_in(&claims, config, now, codesets, days);
    for f in &mut rule_findings {
        f.column = label(&f.column);
    }
    // Both lists are already claim by claim in claim order: merge them per
    // claim instead of hashing every claim_id.
    let mut reader = reader.into_iter().peekable();
    let mut rules = rule_findings.into_iter().peekable();
    let mut findings = Vec::new();
    let mut held = Vec::with_capacity(claims.len());
    for c in &claims {
        let start = findings.len();
        while let Some(f) = reader.next_if(|f| f.claim_id == c.claim_id) {
            findings.push(f);
        }
        let reader_end = findings.len();
        while let Some(f) = rules.next_if(|f| f.claim_id == c.claim_id) {
            // A value the reader could not read is also "missing" to the
            // rules: report it once, with the reader's more precise message.
            let dup =
                findings[start..reader_end].iter().any(|r| r.row == f.row && r.column == f.column);
            if !dup {
                findings.push(f);
            }
        }
        // Stable: reader findings stay before rule findings on a row.
        findings[start..].sort_by_key(|f| f.row);
        held.push(findings[start..].iter().any(Finding::is_error));
    }
    findings.extend(reader);
    findings.extend(rules);
    icd.count(&mut findings, &claims, codesets);
    let (clean, held) = split_by(claims, &held);
    Scrubbed { clean, held, findings }
}

/// The per-claim `W-ICD-001` findings (no loaded ICD-10-CM release covers a
/// date of service) of a run, folded into one warning for the run: how
/// many claims, the range of their dates not covered, the releases loaded,
/// and how to load a newer one. A run with every claim after the newest
/// release gets one line, not one per claim.
#[derive(Debug, Default)]
pub(crate) struct IcdTally {
    claims: usize,
    first: Option<chrono::NaiveDate>,
    last: Option<chrono::NaiveDate>,
    file: Option<String>,
}

impl IcdTally {
    /// Takes the `W-ICD-001` findings out of `findings` (those of `claims`)
    /// and counts them.
    fn count(&mut self, findings: &mut Vec<Finding>, claims: &[Claim], codesets: &CodeSets) {
        if self.file.is_none() {
            self.file = claims.first().map(|c| c.source.file.clone());
        }
        let rule = rules::ICD_NOT_COVERED.id;
        let ids: std::collections::HashSet<String> =
            findings.iter().filter(|f| f.rule == rule).map(|f| f.claim_id.clone()).collect();
        if ids.is_empty() {
            return;
        }
        self.claims += ids.len();
        let uncovered = claims
            .iter()
            .filter(|c| ids.contains(&c.claim_id))
            .flat_map(|c| c.lines.iter().map(|l| l.service_date))
            .filter(|d| !codesets.icd10cm.iter().any(|r| r.covers(*d)));
        for d in uncovered {
            self.first = Some(self.first.map_or(d, |lo| lo.min(d)));
            self.last = Some(self.last.map_or(d, |hi| hi.max(d)));
        }
        findings.retain(|f| f.rule != rule);
    }

    /// The one warning, first among a run's findings; `None` when no claim
    /// had a date no release covers.
    pub(crate) fn warning(&self, codesets: &CodeSets) -> Option<Finding> {
        if self.claims == 0 {
            return None;
        }
        let dates = match (self.first, self.last) {
            (Some(a), Some(b)) if a == b => format!("date of service {a}"),
            (Some(a), Some(b)) => format!("dates of service from {a} to {b}"),
            _ => "their dates of service".to_string(),
        };
        let message = format!(
            "{} claim(s) have {dates}, which no loaded ICD-10-CM release covers (loaded: {}): their diagnosis codes were checked for syntax only; put the newer release in a folder as icd10cm-FY<YYYY>.txt and pass --codeset-dir FOLDER",
            self.claims,
            codesets.icd10cm_coverage()
        );
        let file = self.file.clone().unwrap_or_default();
        Some(Finding::new(rules::ICD_NOT_COVERED.id, Severity::Warning, message).in_file(file))
    }
}
