//! The scrub rules: one stable id, a severity and a plain-language message
//! each. [`RULES`] is the catalogue (the rule table of `docs/scrub-rules.md` comes from it);
//! [`check_claim`] runs them on one claim.
//!
//! Messages never contain PHI (names, dates of birth, member IDs,
//! addresses); codes, NPIs and amounts may be quoted. Each finding names the
//! canonical column and the 1-based row it came from (a line's own row for
//! line rules, the claim's first row for claim-level values).
//!
//! The checks themselves live in one child module per subject: `identity`
//! (ids, NPIs, config entries), `people`, `text` (values written into the
//! 837P), `codes`, `lines`, `payer`, `providers` (rendering, service
//! facility and supervising provider), `facts` (accident, delay reason,
//! patient paid, claim note) and `secondary` (other coverage).

use chrono::{NaiveDate, NaiveDateTime};

use crate::claim::Claim;
use crate::codeset::CodeSets;
use crate::config::Config;
use crate::finding::Finding;

mod catalogue;
mod codes;
mod facts;
mod identity;
mod lines;
pub(crate) mod ncci;
mod payer;
mod people;
mod providers;
mod secondary;
mod text;

use codes::codes;
use facts::facts;
use identity::identity;
use lines::lines;
use payer::payer;
use people::people;
use providers::providers;
use secondary::secondary;
use text::delimiters;

pub(crate) use catalogue::*;
pub use catalogue::{Rule, RULES};

/// Largest number of service lines on one 837P claim (loop 2400 repeat 50).
pub(crate) const MAX_LINES: usize = 50;

/// What every rule needs besides the claim.
pub(crate) struct Ctx<'a> {
    config: &'a Config,
    today: NaiveDate,
    codesets: &'a CodeSets,
    delimiters: Vec<char>,
    /// Bytes that need a closer look: the delimiters and control bytes.
    special: [bool; 256],
}

impl<'a> Ctx<'a> {
    /// Context for a run at `now` with these config and code sets.
    pub(crate) fn new(config: &'a Config, now: NaiveDateTime, codesets: &'a CodeSets) -> Ctx<'a> {
        let i = &config.interchange;
        let delimiters: Vec<char> = [&i.element, &i.component, &i.repetition, &i.segment]
            .iter()
            .filter_map(|s| s.chars().next())
            .collect();
        let mut special = [false; 256];
        for b in (0u8..0x20).chain(0x7f..=0xff) {
            special[usize::from(b)] = true;
        }
        for d in &delimiters {
            let mut buf = [0u8; 4];
            for b in d.encode_utf8(&mut buf).bytes() {
                special[usize::from(b)] = true;
            }
        }
        Ctx { config, today: now.date(), codesets, delimiters, special }
    }
}

/// Collects findings for one claim.
struct Out<'c, 'o> {
    claim: &'c Claim,
    out: &'o mut Vec<Finding>,
}

impl Out<'_, '_> {
    fn first_row(&self) -> u64 {
        self.claim.source.rows.first().copied().unwrap_or(0)
    }

    fn at(&mut self, row: u64, column: &str, rule: &Rule, message: String) {
        self.out.push(
            Finding::new(rule.id, rule.severity, message)
                .in_file(&self.claim.source.file)
                .at_row(row, column)
                .for_claim(&self.claim.claim_id),
        );
    }

    /// A claim-level finding (first row of the claim).
    fn claim(&mut self, column: &str, rule: &Rule, message: String) {
        let row = self.first_row();
        self.at(row, column, rule, message);
    }
}

/// Runs every rule on one claim, appending to `out`.
pub(crate) fn check_claim(c: &Claim, ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut o = Out { claim: c, out };
    identity(c, ctx, &mut o);
    people(c, ctx, &mut o);
    delimiters(c, ctx, &mut o);
    codes(c, ctx, &mut o);
    lines(c, ctx, &mut o);
    payer(c, ctx, &mut o);
    secondary(c, ctx, &mut o);
    providers(c, ctx, &mut o);
    facts(c, ctx, &mut o);
}

#[cfg(test)]
mod tests;
