//! Where the sent claims of a reconciliation come from: 837 files named by
//! the caller, or the ledger (its claims, with their service lines read back
//! from the 837 files they were sent in), the payer names they add, and
//! what the ledger's earlier payments answered of them. This module reads;
//! it neither matches nor posts.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rayon::prelude::*;

use super::run::{Claims, Error};
use super::{Book, ClaimIndex, PayerNames, SentClaim};
use crate::claim::ClaimStatus;
use crate::edi837;
use crate::finding::{Finding, Severity, UNREADABLE};
use crate::ledger::{self, Ledger};

/// The sent claims read from 837 files. Claims files with error findings are
/// still read; at most three of their errors per file are returned as notes.
pub(crate) fn from_837_files(paths: &[PathBuf]) -> Result<(Vec<SentClaim>, Vec<Finding>), Error> {
    let read: Vec<Result<edi837::Summaries<SentClaim>, Error>> = paths
        .par_iter()
        .map(|p| {
            let input = crate::input::open(p).map_err(Error::io(p, "cannot read"))?;
            let r = edi837::read_summaries_released(&input, SentClaim::from);
            if r.sets == 0 {
                return Err(Error::NotClaims(p.clone()));
            }
            Ok(r)
        })
        .collect();
    let read = read.into_iter().collect::<Result<Vec<_>, Error>>()?;
    let mut claims = Vec::with_capacity(if read.len() == 1 {
        0
    } else {
        read.iter().map(|r| r.claims.len()).sum()
    });
    let mut notes = Vec::new();
    for (path, r) in paths.iter().zip(read) {
        for f in r.findings.iter().filter(|f| f.severity == Severity::Error).take(3) {
            let mut note = f.clone().in_file(path.display().to_string());
            note.severity = Severity::Warning;
            note.message = format!("claims file: {}", note.message);
            notes.push(note);
        }
        // One claims file (the usual case) is taken as read: no second
        // vector of every claim, and no copy into it.
        if claims.capacity() == 0 {
            claims = r.claims;
        } else {
            claims.extend(r.claims);
        }
    }
    Ok((claims, notes))
}

/// The claims of a ledger as sent claims, with their ledger rows.
pub(crate) struct LedgerClaims {
    pub(crate) claims: Vec<SentClaim>,
    /// Per claim: true while it may still wait for an answer: never
    /// answered, or last left `partial` or `reversed` (its live payments
    /// tell what is still unanswered).
    pub(crate) waiting: Vec<bool>,
    /// The live payments of earlier runs.
    pub(crate) earlier: Vec<crate::ledger::LivePayment>,
    /// Per claim: its row in the ledger (names it when posting).
    pub(crate) rows: Vec<i64>,
    /// Sent files that could not be read back.
    pub(crate) notes: Vec<Finding>,
}

/// The ledger's claims as sent claims. Service lines (and REF*F8) come from
/// the 837 files the claims were sent in, when those files are still there
/// (else the claim is matched at claim level only, with a note); the files
/// are read on other cores while SQLite reads the claims.
pub(crate) fn from_ledger(ledger: &Ledger) -> Result<LedgerClaims, Error> {
    let files = ledger.sent_files()?;
    let (lc, read) = std::thread::scope(|scope| {
        let reader =
            scope.spawn(|| files.par_iter().map(|f| read_sent_file(&f.file)).collect::<Vec<_>>());
        (ledger.sent_claims(&files), reader.join())
    });
    let lc = lc?;
    let read = read.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    let mut notes = Vec::new();
    let mut read: Vec<Vec<SentClaim>> = files
        .iter()
        .zip(read)
        .map(|(f, r)| {
            r.unwrap_or_else(|e| {
                let message = format!(
                    "unreadable: sent file cannot be read ({e}): its claims are matched without their service lines"
                );
                notes.push(Finding::new(UNREADABLE, Severity::Warning, message).in_file(&f.file));
                Vec::new()
            })
        })
        .collect();
    let sent_on: Vec<Option<NaiveDate>> = files
        .iter()
        .map(|s| s.created_at.get(..10).and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()))
        .collect();
    // A claim rejected at the front end has its answer (on the status
    // worklist); it is not outstanding.
    let waiting = lc
        .iter()
        .map(|c| {
            (!c.status.is_remitted() && c.status != ClaimStatus::Rejected)
                || matches!(c.status, ClaimStatus::Partial | ClaimStatus::Reversed)
        })
        .collect();
    let earlier = ledger.live_payments()?;
    let rows = lc.iter().map(|c| c.row).collect();
    let claims = lc
        .into_iter()
        .map(|c| {
            let mut lines = Vec::new();
            let mut f8 = None;
            let in_file = &mut read[c.submission];
            let want = (c.claim_id.as_str(), c.payer_id.as_str());
            if let Ok(p) = in_file.binary_search_by(|r| claim_key(r).cmp(&want)) {
                lines = std::mem::take(&mut in_file[p].lines);
                f8 = in_file[p].payer_claim_id.take();
            }
            SentClaim {
                sent_on: sent_on[c.submission],
                claim_id: c.claim_id,
                payer_id: c.payer_id,
                // REF*F8 of a replacement names the payer's claim number too.
                payer_claim_id: c.payer_claim_id.or(f8),
                charge: c.total_charge,
                lines,
            }
        })
        .collect();
    Ok(LedgerClaims { claims, waiting, earlier, rows, notes })
}

/// The claims of one sent 837 file sorted by (claim id, payer id).
fn read_sent_file(path: &str) -> std::io::Result<Vec<SentClaim>> {
    let input = crate::input::open(Path::new(path))?;
    let mut claims = edi837::read_summaries_released(&input, SentClaim::from).claims;
    claims.par_sort_unstable_by(|a, b| claim_key(a).cmp(&claim_key(b)));
    Ok(claims)
}

fn claim_key(c: &SentClaim) -> (&str, &str) {
    (c.claim_id.as_str(), c.payer_id.as_str())
}

/// The answered-lines mask of a payment of `sent` whose answered line ids
/// are `lines` (`;`-joined, as the ledger keeps them); `None` is every
/// line. Ids no longer among the claim's lines are left out.
pub(crate) fn line_mask(sent: &SentClaim, lines: Option<&str>) -> u64 {
    let Some(ids) = lines else { return super::all_lines(sent.lines.len()) };
    ids.split(';')
        .filter_map(|id| {
            let id = id.trim();
            sent.lines.iter().position(|l| l.line_id.trim().eq_ignore_ascii_case(id))
        })
        .fold(0, |m, i| m | super::line_bit(i))
}

/// The sent claims and, in ledger mode, what the ledger knows of them.
pub(super) struct Loaded<'l> {
    pub(super) sent: Vec<SentClaim>,
    pub(super) notes: Vec<Finding>,
    pub(super) ledger: Option<&'l mut Ledger>,
    /// Per sent claim: waiting for an answer when the run started.
    pub(super) waiting: Vec<bool>,
    /// Per sent claim: its ledger row.
    pub(super) ledger_rows: Vec<i64>,
    /// The live payments of earlier runs.
    pub(super) earlier: Vec<ledger::LivePayment>,
}

/// Step 1: the sent claims, from the 837 files or the ledger.
pub(super) fn load(claims: Claims<'_>) -> Result<Loaded<'_>, Error> {
    Ok(match claims {
        Claims::Files(paths) => {
            let (sent, notes) = from_837_files(paths)?;
            Loaded {
                sent,
                notes,
                ledger: None,
                waiting: Vec::new(),
                ledger_rows: Vec::new(),
                earlier: Vec::new(),
            }
        }
        Claims::Ledger(l) => {
            let lc = from_ledger(l)?;
            Loaded {
                sent: lc.claims,
                notes: lc.notes,
                ledger: Some(l),
                waiting: lc.waiting,
                ledger_rows: lc.rows,
                earlier: lc.earlier,
            }
        }
    })
}

/// Step 2: what earlier runs' live payments answered (ledger mode).
pub(super) fn earlier_answers(index: &ClaimIndex<'_>, earlier: Vec<ledger::LivePayment>) -> Book {
    let sent = index.claims();
    let mut book = Book::new(sent.len());
    for p in earlier {
        let Some(i) = index.latest(&p.claim_id).and_then(|i| index.for_payer(i, &p.payer_id))
        else {
            continue;
        };
        let Some(status) = super::account::own_status(p.status, p.denied, p.paid) else {
            continue;
        };
        let lines = line_mask(&sent[i], p.lines.as_deref());
        book.add_earlier(i, &p.payer_claim_id, p.billed, p.paid, lines, status);
    }
    book
}

/// The config's payer names, plus the payer ids the claims were sent to
/// (which name their payers too).
pub(super) fn known_payers(configured: &PayerNames, sent: &[SentClaim]) -> PayerNames {
    let mut payers = configured.clone();
    for c in sent {
        if payers.get(&c.payer_id).is_none() {
            payers.add(&c.payer_id, []);
        }
    }
    payers
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reconcile::testing::{line, sent, sent_with};

    #[test]
    fn a_payment_s_answered_lines_come_back_as_a_mask() {
        let c = sent_with(
            "C1",
            vec![
                line("C1-1", "99213", 100, ""),
                line("C1-2", "36415", 30, ""),
                line("3", "81002", 20, ""),
            ],
        );
        // NULL (rows posted before schema version 6, or every line): all.
        assert_eq!(line_mask(&c, None), 0b111);
        assert_eq!(line_mask(&c, Some("c1-2; 3")), 0b110);
        // An id no longer among the claim's lines answers nothing.
        assert_eq!(line_mask(&c, Some("C1-9")), 0);
        assert_eq!(line_mask(&sent("C2"), None), 0);
    }
}
