//! The second stage of a secondary run, on the run's thread: takes the
//! batches the first stage (`prepare`) decided and built, in the ledger's
//! order, lists each candidate in the report (keeping the first `keep` of
//! each list), writes the COB claims into the 837P and records them
//! (`submit`), then records the held claims and completes the submission.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::decide::{decide, held_reason, Decision, Outcome};
use super::prepare::{Built, Prepared};
use super::{finding, submit, Error, NotSent, Options, Report, BATCH, RULE_SOURCE};
use crate::config::Config;
use crate::finding::Finding;
use crate::ledger::{CobCursor, Ledger};
use crate::progress::Progress;
use std::path::Path;

/// Where a run's time went, for `CLAIMFLOW_TIMINGS`.
#[derive(Debug, Default)]
struct Took {
    /// The first stage's, summed over its batches: reading the ledger,
    /// reading back, building.
    prepare: [Duration; 3],
    /// Waiting for the first stage.
    wait: Duration,
    write: Duration,
}

/// A run in progress: what is kept from batch to batch.
pub(super) struct Streamed<'c> {
    config: &'c Config,
    out_dir: &'c Path,
    options: &'c Options,
    report: Report,
    /// Not sent and waiting as decided from the ledger alone: the report
    /// lists them before those decided once the claim was read back.
    decided_not_sent: Vec<NotSent>,
    decided_waiting: Vec<NotSent>,
    /// The held candidates (claim, primary payer, secondary payer), in order.
    held: Vec<(String, String, String)>,
    /// Hashes of the claim ids of the candidates built and not held: the
    /// held list names every candidate built whose claim id is held, which
    /// only these can add to.
    built: Vec<u64>,
    emitter: Option<submit::Emitter<'c>>,
    /// Claims kept per list of the report.
    keep: usize,
    /// Candidates taken from the ledger.
    candidates: u64,
    took: Took,
}

impl<'c> Streamed<'c> {
    pub(super) fn new(
        config: &'c Config,
        out_dir: &'c Path,
        options: &'c Options,
        keep: usize,
    ) -> Streamed<'c> {
        Streamed {
            config,
            out_dir,
            options,
            report: Report { dry_run: options.dry_run, ..Report::default() },
            decided_not_sent: Vec::new(),
            decided_waiting: Vec::new(),
            held: Vec::new(),
            built: Vec::new(),
            emitter: None,
            keep,
            candidates: 0,
            took: Took::default(),
        }
    }

    /// Lists, writes and records one batch the first stage prepared.
    pub(super) fn batch(&mut self, batch: Prepared, ledger: &mut Ledger) -> Result<(), Error> {
        let Prepared { candidates, decided, built, took } = batch;
        self.candidates += candidates as u64;
        for (sum, t) in self.took.prepare.iter_mut().zip(took) {
            *sum += t;
        }
        let took = Instant::now();
        for d in decided {
            match d {
                Decision::NotSent(n) => {
                    self.report.counts.not_sent += 1;
                    keep(&mut self.decided_not_sent, n, self.keep);
                }
                Decision::Waiting(n) => {
                    self.report.counts.waiting += 1;
                    keep(&mut self.decided_waiting, n, self.keep);
                }
                Decision::AwaitingPrimary => self.report.awaiting_primary += 1,
                Decision::Send(_) => {}
            }
        }
        for (c, done) in built {
            self.route(&c, done, ledger)?;
        }
        self.took.write += took.elapsed();
        Ok(())
    }

    /// Counts `took` as time spent waiting for the first stage.
    pub(super) fn waited(&mut self, took: Duration) {
        self.took.wait += took;
    }

    /// The candidates taken and the COB claims sent so far.
    pub(super) fn counts(&self) -> (u64, u64) {
        (self.candidates, self.report.counts.sent as u64)
    }

    /// Puts the outcome of candidate `c` in the report, and a COB claim
    /// into the 837P (started with the first one).
    fn route(
        &mut self,
        c: &Built,
        done: Result<Outcome, String>,
        ledger: &mut Ledger,
    ) -> Result<(), Error> {
        let held = match done {
            Err(why) => {
                self.report.findings.push(finding(
                    RULE_SOURCE,
                    &c.claim_id,
                    format!(
                        "claim {}: the 837 it was sent in ({}) cannot be read back: {why}",
                        c.claim_id, c.file
                    ),
                ));
                true
            }
            Ok(Outcome::Held(findings)) => {
                self.report.findings.extend(findings);
                true
            }
            Ok(Outcome::NotSent(n)) => {
                self.report.counts.not_sent += 1;
                keep(&mut self.report.not_sent, *n, self.keep);
                false
            }
            Ok(Outcome::Waiting(n)) => {
                self.report.counts.waiting += 1;
                keep(&mut self.report.waiting, *n, self.keep);
                false
            }
            Ok(Outcome::Skip) => false,
            Ok(Outcome::Sent(done)) => {
                let (sent, claim, pending) = *done;
                self.report.counts.sent += 1;
                self.report.sent_charge += sent.charge;
                keep(&mut self.report.sent, sent, self.keep);
                if !self.options.dry_run {
                    let emitter = match &mut self.emitter {
                        Some(e) => e,
                        None => self.emitter.insert(submit::Emitter::open(
                            self.config,
                            ledger,
                            self.out_dir,
                            self.options,
                        )?),
                    };
                    emitter.send(claim, pending, ledger)?;
                }
                false
            }
        };
        if held {
            self.report.held.push(c.claim_id.clone());
            self.held.push((c.claim_id.clone(), c.payer_id.clone(), c.secondary_payer_id.clone()));
        } else {
            self.built.push(id_hash(&c.claim_id));
        }
        Ok(())
    }

    /// Completes the report, records the held claims and completes the
    /// 837P's submission.
    pub(super) fn finish(
        mut self,
        ledger: &mut Ledger,
        progress: &Progress,
    ) -> Result<Report, Error> {
        let mut report = std::mem::take(&mut self.report);
        // The report lists first what was decided from the ledger alone.
        for (list, decided) in [
            (&mut report.not_sent, &mut self.decided_not_sent),
            (&mut report.waiting, &mut self.decided_waiting),
        ] {
            let late = std::mem::replace(list, std::mem::take(decided));
            list.extend(late);
            list.truncate(self.keep);
        }
        let took = Instant::now();
        if !self.options.dry_run {
            // The worklist lists what is held, in billing words, until a run
            // builds it. (Before the submission completes, the ledger still
            // answers the candidates as it did when the run began.)
            let keys = self.held_keys(ledger, &report.held)?;
            let rows: Vec<(String, String, String, String)> = keys
                .into_iter()
                .map(|(claim_id, payer_id, secondary)| {
                    let mine: Vec<&Finding> =
                        report.findings.iter().filter(|f| f.claim_id == claim_id).collect();
                    let reason = held_reason(&mine);
                    (claim_id, payer_id, secondary, reason)
                })
                .collect();
            let at = self.options.now.format("%Y-%m-%dT%H:%M:%S").to_string();
            ledger.record_cob_held(&rows, &at)?;
        }
        if let Some(emitter) = self.emitter.take() {
            progress.stage("writing the last set, renaming the COB 837P into place (fsync), completing its submission");
            let (path, isa13) = emitter.finish(ledger)?;
            report.x12_file = Some(path);
            report.isa13 = Some(isa13);
        }
        self.took.write += took.elapsed();
        let t = &self.took;
        let [ledger_reads, read_back, build] = t.prepare;
        progress.timing("  first stage: ledger reads (candidates, payments)", ledger_reads);
        progress.timing("  first stage: reading back the 837 claims and 835 sets", read_back);
        progress.timing("  first stage: building and balancing the COB claims", build);
        progress.timing("  second stage: waiting for the first", t.wait);
        progress.timing("  second stage: writing, validating and recording the 837P", t.write);
        progress.done();
        Ok(report)
    }

    /// Every candidate built whose claim id is held, in order: the held
    /// candidates, unless a candidate built and not held shares a claim id
    /// with one of them; then the candidates are taken from the ledger again
    /// to find them in order.
    fn held_keys(
        &mut self,
        ledger: &Ledger,
        held: &[String],
    ) -> Result<Vec<(String, String, String)>, Error> {
        let mut hashes: Vec<u64> = held.iter().map(|id| id_hash(id)).collect();
        hashes.sort_unstable();
        let shared = self.built.iter().any(|h| hashes.binary_search(h).is_ok());
        if !shared {
            return Ok(std::mem::take(&mut self.held));
        }
        let held: HashSet<&str> = held.iter().map(String::as_str).collect();
        let mut keys = Vec::new();
        let mut cursor = CobCursor::default();
        loop {
            let (candidates, next) = ledger.cob_candidates_page(cursor, BATCH)?;
            if candidates.is_empty() {
                break;
            }
            cursor = next;
            for c in candidates {
                if matches!(decide(&c), Decision::Send(_)) && held.contains(c.claim_id.as_str()) {
                    keys.push((c.claim_id, c.payer_id, c.secondary_payer_id));
                }
            }
        }
        Ok(keys)
    }
}

/// Adds `item` to `list` unless it holds `keep` already.
fn keep<T>(list: &mut Vec<T>, item: T, keep: usize) {
    if list.len() < keep {
        list.push(item);
    }
}

/// A hash of claim id `id` (the same in every run).
fn id_hash(id: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    id.hash(&mut h);
    h.finish()
}
