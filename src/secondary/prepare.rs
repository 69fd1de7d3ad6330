//! The first stage of a secondary run, on its own thread and its own
//! read-only connection to the ledger: takes the candidates from the ledger
//! a page at a time, decides each one, reads back the claims to build (837)
//! and the primary's payments (835), and builds and balances their COB
//! claims on rayon. Each page becomes a [`Prepared`] batch for the second
//! stage (`stream`), which writes and records it. It writes nothing.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use super::decide::{decide, live, outcome, Decision, Outcome};
use super::{source, Error, Options, BATCH};
use crate::config::Config;
use crate::ledger::{CobCandidate, CobCursor, Ledger, PrimaryPayment};

/// A candidate whose COB claim was built (or could not be): what the second
/// stage lists of it.
#[derive(Debug)]
pub(super) struct Built {
    pub(super) claim_id: String,
    pub(super) payer_id: String,
    pub(super) secondary_payer_id: String,
    /// The 837 it was sent in.
    pub(super) file: String,
}

/// One page of candidates, decided and built, in the ledger's order.
pub(super) struct Prepared {
    /// Candidates on the page.
    pub(super) candidates: usize,
    /// What was decided from the ledger alone (never `Decision::Send`).
    pub(super) decided: Vec<Decision>,
    /// The candidates to build, each with its outcome, or why its claim
    /// cannot be read back.
    pub(super) built: Vec<(Built, Result<Outcome, String>)>,
    /// Time spent reading the ledger, reading back, building.
    pub(super) took: [Duration; 3],
}

/// The first stage (see the module doc).
pub(super) struct Producer<'c> {
    config: &'c Config,
    options: &'c Options,
    ledger: Ledger,
    cursor: CobCursor,
    sent837: source::Sent837,
    remits: source::Remits,
    /// (837 file, claim id, payer id) of the last candidate built: a
    /// candidate with the same is built from no claim (the first wins).
    last: Option<(String, String, String)>,
}

impl<'c> Producer<'c> {
    /// A first stage reading `ledger` (a second connection to the run's).
    pub(super) fn new(config: &'c Config, options: &'c Options, ledger: Ledger) -> Producer<'c> {
        Producer {
            config,
            options,
            ledger,
            cursor: CobCursor::default(),
            sent837: source::Sent837::default(),
            remits: source::Remits::default(),
            last: None,
        }
    }

    /// The next page, prepared; `None` when no candidate is left.
    pub(super) fn next_batch(&mut self) -> Result<Option<Prepared>, Error> {
        let took = Instant::now();
        let (candidates, next) = self.ledger.cob_candidates_page(self.cursor, BATCH)?;
        let ledger = took.elapsed();
        if candidates.is_empty() {
            return Ok(None);
        }
        self.cursor = next;
        let mut decided = Vec::new();
        let mut to_build: Vec<(CobCandidate, PrimaryPayment)> = Vec::new();
        let n = candidates.len();
        for c in candidates {
            match decide(&c) {
                Decision::Send(p) => to_build.push((c, p)),
                other => decided.push(other),
            }
        }
        let took = Instant::now();
        let backs = self.read_back(&to_build);
        let read_back = took.elapsed();
        let took = Instant::now();
        let (config, options, remits) = (self.config, self.options, &self.remits);
        let built: Vec<(Built, Result<Outcome, String>)> = to_build
            .into_par_iter()
            .zip(backs.into_par_iter())
            .map(|((c, p), back)| {
                let done = match back {
                    source::Back::Claim(sent) => {
                        Ok(outcome(&c, &p, &sent, remits, config, options))
                    }
                    source::Back::Missing => Err("the claim is not in it".to_string()),
                    source::Back::Broken(why) => Err(why),
                };
                let CobCandidate { claim_id, payer_id, secondary_payer_id, file, .. } = c;
                (Built { claim_id, payer_id, secondary_payer_id, file }, done)
            })
            .collect();
        let build = took.elapsed();
        self.sent837.release();
        self.remits.release();
        Ok(Some(Prepared { candidates: n, decided, built, took: [ledger, read_back, build] }))
    }

    /// The claims of `to_build` as sent, read back (the 835 sets their
    /// payments are in loaded meanwhile).
    fn read_back(&mut self, to_build: &[(CobCandidate, PrimaryPayment)]) -> Vec<source::Back> {
        let payments: Vec<&PrimaryPayment> =
            to_build.iter().flat_map(|(c, p)| live(c, p)).collect();
        self.remits.load(&payments);
        drop(payments);
        // Each claim sent is read back from the file the ledger says it was
        // last sent in; the first occurrence there is used.
        let wanted: Vec<source::Wanted<'_>> = to_build
            .iter()
            .map(|(c, _)| {
                (c.file.as_str(), c.st02.as_str(), c.claim_id.as_str(), c.payer_id.as_str())
            })
            .collect();
        let mut backs = self.sent837.read(&wanted);
        for (w, back) in wanted.iter().zip(&mut backs) {
            let same = self
                .last
                .as_ref()
                .is_some_and(|(f, c, p)| (f.as_str(), c.as_str(), p.as_str()) == (w.0, w.2, w.3));
            if same {
                if matches!(back, source::Back::Claim(_)) {
                    *back = source::Back::Missing;
                }
            } else {
                self.last = Some((w.0.to_string(), w.2.to_string(), w.3.to_string()));
            }
        }
        backs
    }
}
